//! The ONNX Runtime environment and sessions, and the memory arena the sessions share.

use std::ffi::CStr;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use ort::AsPointer;
use ort::environment::Environment;
use ort::ep;
use ort::memory::{AllocationDevice, AllocatorType, MemoryInfo, MemoryType};
use ort::session::Session;
use ort::session::builder::{GraphOptimizationLevel, SessionBuilder};

use super::OcrError;

/// The ONNX Runtime environment, created once per process (the library can be loaded only once,
/// so the first successful load decides which library file is used), and whether the shared
/// CPU arena could be registered in it.
static ENVIRONMENT: Mutex<Option<(Environment, bool)>> = Mutex::new(None);

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The environment, and whether it holds the shared arena.
pub(crate) fn environment(runtime: &Path) -> Result<(Environment, bool), OcrError> {
    let mut slot = lock(&ENVIRONMENT);
    if let Some(env) = slot.as_ref() {
        return Ok(env.clone());
    }
    let runtime_err = |reason: String| OcrError::Runtime {
        path: runtime.to_path_buf(),
        reason,
    };
    let env = ort::init_from(runtime)
        .map_err(|e| runtime_err(e.to_string()))?
        .with_name("deskhand-ocr")
        .with_telemetry(false)
        .build()
        .map_err(|e| runtime_err(e.to_string()))?;
    // Without the arena the engine still works, only slower: not an error.
    let shared = register_shared_arena(&env).is_ok();
    *slot = Some((env.clone(), shared));
    Ok((env, shared))
}

/// Register one CPU arena in `env` for the sessions built with `use_env_allocators`. It grows
/// by exactly what is requested (not to the next power of two) and is never shrunk, so it
/// stays at the working set of the largest pass: buffers are reused from pass to pass instead
/// of being mapped and zeroed by the kernel every time.
fn register_shared_arena(env: &Environment) -> Result<(), ort::Error> {
    let info = MemoryInfo::new(
        AllocationDevice::CPU,
        0,
        AllocatorType::Arena,
        MemoryType::Default,
    )?;
    // 1 = kSameAsRequested.
    let keys: [&CStr; 1] = [c"arena_extend_strategy"];
    let values: [usize; 1] = [1];
    let key_ptrs = keys.map(CStr::as_ptr);
    let api = ort::api();
    let mut cfg: *mut ort::sys::OrtArenaCfg = std::ptr::null_mut();
    // SAFETY: the key and value arrays are valid for `keys.len()` elements and outlive the
    // call; `cfg` receives a new config, released below.
    unsafe {
        ort::Error::result_from_status((api.CreateArenaCfgV2)(
            key_ptrs.as_ptr(),
            values.as_ptr(),
            keys.len(),
            &mut cfg,
        ))?;
    }
    // SAFETY: `env` and `info` are live ORT objects; the environment copies what it needs from
    // `cfg`, which is released right after.
    unsafe {
        let status = (api.CreateAndRegisterAllocator)(env.ptr().cast_mut(), info.ptr(), cfg);
        (api.ReleaseArenaCfg)(cfg);
        ort::Error::result_from_status(status)
    }
}

/// A CPU session for the model at `path` with `threads` intra-op threads, on the shared arena
/// when `shared_arena` (memory patterns are off then: they ask for one block per input shape,
/// and the recognizer's input width changes from batch to batch), with no arena otherwise.
pub(crate) fn session(
    env: &Environment,
    path: &Path,
    threads: usize,
    shared_arena: bool,
) -> Result<Session, OcrError> {
    let model_err = |reason: String| OcrError::Model {
        path: path.to_path_buf(),
        reason,
    };
    let builder_err = |e: ort::Error<SessionBuilder>| model_err(e.to_string());
    let builder = Session::builder(env)
        .map_err(|e| model_err(e.to_string()))?
        .with_optimization_level(GraphOptimizationLevel::All)
        .map_err(builder_err)?
        .with_intra_threads(threads.max(1))
        .map_err(builder_err)?
        .with_inter_threads(1)
        .map_err(builder_err)?
        // Spinning workers would burn a core between runs on a small machine.
        .with_intra_op_spinning(false)
        .map_err(builder_err)?;
    let mut builder = if shared_arena {
        builder
            .with_env_allocators()
            .map_err(builder_err)?
            .with_memory_pattern(false)
            .map_err(builder_err)?
    } else {
        builder
            .with_execution_providers([ep::CPU::default().with_arena_allocator(false).build()])
            .map_err(builder_err)?
    };
    builder
        .commit_from_file(path)
        .map_err(|e| model_err(e.to_string()))
}

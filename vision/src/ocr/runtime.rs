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

/// Register one CPU arena in `env` for the sessions built with `use_env_allocators`. Its first
/// block is [`ARENA_FIRST_BLOCK`] bytes of address space, from which every tensor of a pass is
/// carved (the weights live outside it): the kernel backs only the pages that are used, and the
/// arena never gives them back, so the process stays at the largest pass's working set and
/// buffers are reused from pass to pass instead of being mapped and zeroed by the kernel every
/// time. One block serves tiles of every shape (screens of several sizes, the bands of
/// incremental reads) from the same pages; with blocks sized as requested, each new, larger
/// shape added a block of its own and the process held a working set per screen size. A pass
/// that needs more grows the arena by blocks of twice the size.
fn register_shared_arena(env: &Environment) -> Result<(), ort::Error> {
    let info = arena_info()?;
    // 0 = kNextPowerOfTwo (the only strategy that honours the first block's size).
    let keys: [&CStr; 2] = [c"arena_extend_strategy", c"initial_chunk_size_bytes"];
    let values: [usize; 2] = [0, ARENA_FIRST_BLOCK];
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

/// The size of the shared arena's first block: about twice the ~41 MiB of tensors a detector
/// tile holds at once (see `OcrOptions::tile_pixels`), so that tiles of different shapes and
/// the recognizer's tensors fit in it side by side; only what is used of it is resident.
/// (Measured here with 1280×800 and 1920×1080 passes: 72–128 MiB blocks left the process within
/// 1.5 MiB of each other; a 48 MiB one needed a second block.)
const ARENA_FIRST_BLOCK: usize = 80 << 20;

/// The memory info the shared arena is registered under.
fn arena_info() -> Result<MemoryInfo<'static>, ort::Error> {
    MemoryInfo::new(
        AllocationDevice::CPU,
        0,
        AllocatorType::Arena,
        MemoryType::Default,
    )
}

/// What ONNX Runtime's shared CPU arena holds, by its own counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArenaStats {
    /// Bytes the arena has taken from the system (it never gives them back).
    pub reserved: u64,
    /// Bytes in tensors now.
    pub in_use: u64,
    /// The most bytes ever in tensors at once: the working set of the largest run.
    pub max_in_use: u64,
    /// The largest single allocation, in bytes.
    pub max_alloc: u64,
    /// How many times the arena grew.
    pub extensions: u64,
}

/// The shared arena's counters, read through `session` (one drawing on it); `None` when ONNX
/// Runtime does not say.
pub(crate) fn arena_stats(session: &Session) -> Option<ArenaStats> {
    let info = arena_info().ok()?;
    let api = ort::api();
    let mut allocator: *mut ort::sys::OrtAllocator = std::ptr::null_mut();
    // SAFETY: `session` and `info` are live; the allocator made here is released below.
    unsafe {
        ort::Error::result_from_status((api.CreateAllocator)(
            session.ptr(),
            info.ptr(),
            &mut allocator,
        ))
        .ok()?;
    }
    if allocator.is_null() {
        return None;
    }
    let mut kvps: *mut ort::sys::OrtKeyValuePairs = std::ptr::null_mut();
    // SAFETY: `allocator` is live until released at the end; the key-value pairs are ours, read
    // while they live and released after.
    unsafe {
        let status = (api.AllocatorGetStats)(allocator, &mut kvps);
        let stats = if ort::Error::result_from_status(status).is_ok() && !kvps.is_null() {
            let get = |key: &CStr| -> u64 {
                let v = (api.GetKeyValue)(kvps, key.as_ptr());
                if v.is_null() {
                    return 0;
                }
                CStr::from_ptr(v)
                    .to_str()
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0)
            };
            let stats = ArenaStats {
                reserved: get(c"TotalAllocated"),
                in_use: get(c"InUse"),
                max_in_use: get(c"MaxInUse"),
                max_alloc: get(c"MaxAllocSize"),
                extensions: get(c"NumArenaExtensions"),
            };
            (api.ReleaseKeyValuePairs)(kvps);
            // An allocator without counters reports none of them.
            (stats != ArenaStats::default()).then_some(stats)
        } else {
            None
        };
        (api.ReleaseAllocator)(allocator);
        stats
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

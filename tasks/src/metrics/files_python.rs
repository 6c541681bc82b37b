//! `check_python_file_by_test_suite` (`vscode.py`): the gold test file is a Python module whose
//! function `test_function_name` (default `test`) says whether the agent's files pass.
//!
//! OSWorld imports the module in its own interpreter, working in the test file's folder with
//! that folder first on `sys.path` (the agent's files were fetched into the same folder, so the
//! module imports them), calls the function and scores a `bool` as 1/0, a number clamped to
//! [0, 1] (`max(0.0, min(1.0, float(r)))`), anything else by its truthiness; any exception
//! scores 0. The result files themselves are not read by the metric.
//!
//! deskhand runs the same steps in a `python3` process of its own (the one on `PATH`), in the
//! test file's folder, with a deadline of [`DEADLINE`] (past it, the process is killed and the
//! score is 0). The script writes the score to a file named on its command line, so whatever
//! the test prints does not matter.

use super::super::{Got, MetricError};
use super::{bad, gold};
use serde_json::{Map, Value};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const M: &str = "check_python_file_by_test_suite";

/// How long the test suite may run.
pub(super) const DEADLINE: Duration = Duration::from_secs(120);

/// The script: argv = [test file, function name, score file].
const SCRIPT: &str = r#"
import importlib.util, os, sys, uuid
test_file, name, out = sys.argv[1], sys.argv[2], sys.argv[3]
def score():
    path = os.path.abspath(test_file)
    if not os.path.isfile(path):
        return 0.0
    folder = os.path.dirname(path)
    os.chdir(folder)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    try:
        module_name = 'dynamic_test_module_' + uuid.uuid4().hex[:8]
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            return 0.0
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        function = getattr(module, name, None)
        if function is None or not callable(function):
            return 0.0
        r = function()
        if isinstance(r, bool):
            return 1.0 if r else 0.0
        if isinstance(r, (int, float)):
            return max(0.0, min(1.0, float(r)))
        return 1.0 if bool(r) else 0.0
    except Exception:
        return 0.0
s = 0.0
try:
    s = score()
finally:
    with open(out, 'w') as f:
        f.write(repr(s))
"#;

/// `test_function_name`, default `test`.
pub(super) fn function_name(options: &Map<String, Value>) -> Result<String, MetricError> {
    match options.get("test_function_name") {
        None => Ok("test".to_owned()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(bad(
            M,
            format!("test_function_name must be text, got {other}"),
        )),
    }
}

pub(super) fn check_by_test_suite(
    expected: Option<&Got>,
    options: &Map<String, Value>,
) -> Result<f64, MetricError> {
    let name = function_name(options)?;
    let test_file = match expected {
        Some(Got::File(None)) => return Ok(0.0),
        other => gold(M, other)?,
    };
    run_suite(test_file, &name)
}

fn run_suite(test_file: &Path, name: &str) -> Result<f64, MetricError> {
    let folder = test_file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let out = folder.join(format!(".deskhand-test-score-{}", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(test_file)
        .arg(name)
        .arg(&out)
        .current_dir(folder)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| bad(M, format!("cannot start python3: {e}")))?;
    let until = Instant::now() + DEADLINE;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() >= until => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = std::fs::remove_file(&out);
                return Ok(0.0);
            }
            Ok(None) => std::thread::park_timeout(Duration::from_millis(10)),
            Err(e) => return Err(bad(M, format!("cannot wait for python3: {e}"))),
        }
    }
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    let _ = std::fs::remove_file(&out);
    // A process that died before writing (killed, interpreter crash) crashed OSWorld's
    // evaluator in-process; it scores 0 here.
    Ok(text.trim().parse::<f64>().unwrap_or(0.0))
}

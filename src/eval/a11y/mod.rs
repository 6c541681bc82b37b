//! The accessibility tree of the task's desktop, read over AT-SPI from the task's own D-Bus
//! session.
//!
//! The session bus is the display's (`DBUS_SESSION_BUS_ADDRESS` of the programs it starts; on
//! an existing display, deskhand's own); its accessibility bus is where every app the task
//! started registers ([`bus`]). The tree is read as OSWorld's VM server reads it ([`tree`]) and
//! written in OSWorld's XML (format: `deskhand_tasks::sources::a11y::query`). Each read is also
//! kept in the task's cache folder as `accessibility_tree.xml`, so the run directory holds what
//! was scored.
//!
//! D-Bus is spoken through `zbus` (pure Rust, maintained, async with per-call deadlines); the
//! AT-SPI calls are few and their types simple, so they are made directly rather than through
//! typed proxies whose enums refuse roles and states a newer toolkit sends.

mod bus;
mod chromium;
mod tree;

pub use chromium::CHROMIUM_FLAG;

use super::env::TaskEnv;
use deskhand_tasks::metrics::Got;
use deskhand_tasks::sources::a11y::A11yGetter;
use deskhand_tasks::sources::a11y::query::QueryError;
use serde_json::Value;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long reading the whole tree may take.
pub const TREE_DEADLINE: Duration = Duration::from_secs(60);

/// The file in the task's cache folder that keeps the last tree read.
pub const TREE_FILE: &str = "accessibility_tree.xml";

/// Why an accessibility getter failed. One sentence each; the cause, if any, is the source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum A11yError {
    /// No session bus is known for the display.
    #[error("no D-Bus session bus for the display (DBUS_SESSION_BUS_ADDRESS is not set)")]
    NoSession,
    /// A bus could not be connected to.
    #[error("cannot connect to the D-Bus bus at {address}")]
    Bus {
        /// The bus address.
        address: String,
        #[source]
        source: Box<zbus::Error>,
    },
    /// The session bus did not give the accessibility bus's address.
    #[error("the session bus has no accessibility bus (is at-spi2-core installed?)")]
    NoAccessibilityBus {
        #[source]
        source: Box<zbus::Error>,
    },
    /// The accessibility registry did not answer.
    #[error("the accessibility registry (at-spi2-registryd) did not answer")]
    NoRegistry,
    /// Reading the tree took too long.
    #[error("reading the accessibility tree took longer than {0:?}")]
    Deadline(Duration),
    /// The reader could not run.
    #[error("cannot start the accessibility reader")]
    Runtime(#[source] std::io::Error),
    /// The tree could not be queried.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The tree could not be kept in the cache folder.
    #[error("cannot write {}", path.display())]
    Keep {
        /// The file.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Runs an accessibility getter.
pub fn get(env: &mut TaskEnv<'_>, getter: &A11yGetter) -> Result<Got, A11yError> {
    let session = session_address(env).ok_or(A11yError::NoSession)?;
    let read = read_tree(&session)?;
    env.log(&format!(
        "accessibility tree: {} objects in {} ms{}",
        read.objects,
        read.took.as_millis(),
        if read.hung.is_empty() {
            String::new()
        } else {
            format!(" (no answer from {})", read.hung.join(", "))
        }
    ));
    let xml = read.xml;
    std::fs::create_dir_all(&env.cache)
        .and_then(|()| std::fs::write(env.cache.join(TREE_FILE), &xml))
        .map_err(|source| A11yError::Keep {
            path: env.cache.join(TREE_FILE),
            source,
        })?;
    match getter {
        A11yGetter::AccessibilityTree => Ok(Got::Text(xml)),
        A11yGetter::ActiveUrlFromAccessTree { goto_prefix } => {
            Ok(match chromium::active_url(&xml, goto_prefix)? {
                Some(url) => Got::Text(url),
                None => Got::Json(Value::Null),
            })
        }
    }
}

/// The session bus of the task's display.
fn session_address(env: &TaskEnv<'_>) -> Option<String> {
    env.display
        .env()
        .into_iter()
        .find(|(k, _)| k == "DBUS_SESSION_BUS_ADDRESS")
        .map(|(_, v)| v.to_string_lossy().into_owned())
        .or_else(|| std::env::var("DBUS_SESSION_BUS_ADDRESS").ok())
        .filter(|a| !a.is_empty())
}

/// A tree read: its XML and what it took.
#[derive(Debug, Clone)]
pub struct TreeRead {
    /// The document.
    pub xml: String,
    /// How many objects it holds (applications included).
    pub objects: usize,
    /// How long reading it took.
    pub took: Duration,
    /// The apps (bus names) that stopped answering and were left out from then on.
    pub hung: Vec<String>,
}

/// Reads the whole tree from the accessibility bus of the session bus at `session`.
pub fn read_tree(session: &str) -> Result<TreeRead, A11yError> {
    let session = session.to_owned();
    // A thread of its own, so that no caller's async runtime is in the way.
    let reader = std::thread::Builder::new()
        .name("a11y-tree".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .map_err(A11yError::Runtime)?;
            runtime.block_on(async {
                let start = Instant::now();
                let read = async {
                    let bus = bus::Bus::connect(&session).await?;
                    let apps = tree::read_desktop(&bus)
                        .await
                        .ok_or(A11yError::NoRegistry)?;
                    Ok::<_, A11yError>((apps, bus.hung()))
                };
                let (apps, hung) = tokio::time::timeout(TREE_DEADLINE, read)
                    .await
                    .map_err(|_| A11yError::Deadline(TREE_DEADLINE))??;
                Ok(TreeRead {
                    xml: tree::to_xml(&apps),
                    objects: apps.iter().map(tree::Node::count).sum(),
                    took: start.elapsed(),
                    hung,
                })
            })
        })
        .map_err(A11yError::Runtime)?;
    reader.join().unwrap_or_else(|_| {
        Err(A11yError::Runtime(std::io::Error::other(
            "the accessibility reader panicked",
        )))
    })
}

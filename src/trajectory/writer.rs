//! The one writer of a run directory.

use super::{Event, FRAMES_DIR, FrameRef, Record, TRAJECTORY_FILE};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why the trajectory could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrajectoryError {
    /// The run directory already holds a trajectory.
    #[error("{0} already holds a run; choose another --out directory")]
    Exists(PathBuf),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// An event could not be serialized.
    #[error("cannot serialize an event: {0}")]
    Json(#[from] serde_json::Error),
}

/// Appends events to `trajectory.jsonl` and frames to `frames/`. Each event is one `write` of
/// one whole line followed by a flush, so a crash leaves at most one torn last line.
#[derive(Debug)]
pub struct TrajectoryWriter {
    dir: PathBuf,
    file: File,
    seq: u64,
}

impl TrajectoryWriter {
    /// Creates a new run directory (or uses an empty existing one).
    pub fn create(dir: &Path) -> Result<TrajectoryWriter, TrajectoryError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| TrajectoryError::Io { path, source }
        };
        std::fs::create_dir_all(dir.join(FRAMES_DIR)).map_err(io(dir))?;
        let path = dir.join(TRAJECTORY_FILE);
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    TrajectoryError::Exists(dir.to_owned())
                } else {
                    TrajectoryError::Io {
                        path: path.clone(),
                        source: e,
                    }
                }
            })?;
        Ok(TrajectoryWriter {
            dir: dir.to_owned(),
            file,
            seq: 0,
        })
    }

    /// Opens the trajectory of a run that was cut off, to append to it: a torn last line is cut
    /// away first (its length is returned), and `seq` goes on from the last line kept.
    pub fn reopen(dir: &Path) -> Result<(TrajectoryWriter, Option<u64>), TrajectoryError> {
        let path = dir.join(TRAJECTORY_FILE);
        let io = |source| TrajectoryError::Io {
            path: path.clone(),
            source,
        };
        let bytes = std::fs::read(&path).map_err(io)?;
        let mut keep = 0usize;
        let mut seq = 0u64;
        for line in bytes.split_inclusive(|&b| b == b'\n') {
            if !line.ends_with(b"\n") {
                break;
            }
            match serde_json::from_slice::<Record>(line) {
                Ok(r) => seq = r.seq + 1,
                Err(_) => break,
            }
            keep += line.len();
        }
        let file = OpenOptions::new().append(true).open(&path).map_err(io)?;
        let torn = (keep < bytes.len()).then(|| (bytes.len() - keep) as u64);
        if torn.is_some() {
            file.set_len(keep as u64).map_err(io)?;
        }
        Ok((
            TrajectoryWriter {
                dir: dir.to_owned(),
                file,
                seq,
            },
            torn,
        ))
    }

    /// The run directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one event as one line and flushes it; returns the record as written.
    pub fn append(&mut self, event: Event) -> Result<Record, TrajectoryError> {
        let record = Record {
            seq: self.seq,
            ts: now_rfc3339(),
            event,
        };
        let mut line = serde_json::to_vec(&record)?;
        line.push(b'\n');
        let path = self.dir.join(TRAJECTORY_FILE);
        self.file
            .write_all(&line)
            .and_then(|()| self.file.flush())
            .map_err(|source| TrajectoryError::Io { path, source })?;
        self.seq += 1;
        Ok(record)
    }

    /// Writes a frame's PNG bytes as `frames/<name>.png` (atomically: a temporary file, then a
    /// rename) and returns its reference with the SHA-256 of the bytes.
    pub fn write_frame(
        &mut self,
        name: &str,
        png: &[u8],
        width: u32,
        height: u32,
    ) -> Result<FrameRef, TrajectoryError> {
        let rel = format!("{FRAMES_DIR}/{name}.png");
        let path = self.dir.join(&rel);
        let tmp = self.dir.join(format!("{FRAMES_DIR}/.{name}.png.part"));
        std::fs::write(&tmp, png)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|source| TrajectoryError::Io { path, source })?;
        Ok(FrameRef {
            path: rel,
            sha256: sha256_hex(png),
            width,
            height,
        })
    }

    /// Forces everything written so far to disk (called at the end of a run).
    pub fn sync(&mut self) -> Result<(), TrajectoryError> {
        let path = self.dir.join(TRAJECTORY_FILE);
        self.file
            .sync_data()
            .map_err(|source| TrajectoryError::Io { path, source })
    }
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    now.format(&fmt)
        .unwrap_or_else(|_| now.unix_timestamp().to_string())
}

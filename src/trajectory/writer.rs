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
                // A blank line is no event, and the loader skips it: keep what follows.
                Err(_) if line == b"\n" => {}
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trajectory::{EndStatus, SessionEnd, UserMessage, load};
    use pretty_assertions::assert_eq;

    fn message(step: u32, text: &str) -> Event {
        Event::UserMessage(UserMessage {
            step,
            text: text.into(),
        })
    }

    fn end() -> Event {
        Event::SessionEnd(SessionEnd {
            status: EndStatus::Done,
            message: None,
            steps: 1,
            duration_ms: 5,
        })
    }

    fn lines(dir: &Path) -> Vec<String> {
        std::fs::read_to_string(dir.join(TRAJECTORY_FILE))
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn each_append_is_one_whole_line_on_disk_before_it_returns() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("run");
        let mut w = TrajectoryWriter::create(&dir).unwrap();
        assert!(dir.join(FRAMES_DIR).is_dir());
        assert_eq!(lines(&dir), Vec::<String>::new());
        for (i, event) in [message(1, "a"), message(1, "b"), end()]
            .into_iter()
            .enumerate()
        {
            let record = w.append(event.clone()).unwrap();
            assert_eq!((record.seq, &record.event), (i as u64, &event));
            // Read back through another handle while the writer is still open: it is there.
            let on_disk = lines(&dir);
            assert_eq!(on_disk.len(), i + 1);
            let last: Record = serde_json::from_str(&on_disk[i]).unwrap();
            assert_eq!(last, record);
        }
        let text = std::fs::read_to_string(dir.join(TRAJECTORY_FILE)).unwrap();
        assert!(text.ends_with('\n'));
        let ts = load(&dir).unwrap().records[0].ts.clone();
        // Like 2026-11-24T03:10:00.120Z.
        assert!(
            ts.len() == 24 && ts.ends_with('Z') && ts.as_bytes()[10] == b'T',
            "{ts}"
        );
        w.sync().unwrap();
    }

    #[test]
    fn a_directory_holding_a_run_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let mut w = TrajectoryWriter::create(tmp.path()).unwrap();
        w.append(message(1, "first")).unwrap();
        let err = TrajectoryWriter::create(tmp.path()).unwrap_err();
        assert!(matches!(err, TrajectoryError::Exists(_)), "{err}");
        assert_eq!(lines(tmp.path()).len(), 1, "the run is untouched");
    }

    #[test]
    fn a_frame_is_written_whole_and_named_by_its_digest() {
        let tmp = tempfile::tempdir().unwrap();
        let mut w = TrajectoryWriter::create(tmp.path()).unwrap();
        let frame = w.write_frame("step-0001", b"abc", 3, 1).unwrap();
        assert_eq!(
            frame,
            FrameRef {
                path: "frames/step-0001.png".into(),
                sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".into(),
                width: 3,
                height: 1,
            }
        );
        assert_eq!(std::fs::read(tmp.path().join(&frame.path)).unwrap(), b"abc");
        let names: Vec<_> = std::fs::read_dir(tmp.path().join(FRAMES_DIR))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["step-0001.png"], "no temporary file left");
    }

    #[test]
    fn reopen_cuts_a_torn_last_line_and_goes_on_counting() {
        let tmp = tempfile::tempdir().unwrap();
        let mut w = TrajectoryWriter::create(tmp.path()).unwrap();
        for text in ["a", "b", "c"] {
            w.append(message(1, text)).unwrap();
        }
        drop(w);
        let path = tmp.path().join(TRAJECTORY_FILE);
        let whole = std::fs::read(&path).unwrap();
        let torn = br#"{"seq":3,"ts":"2026-11-24T03:1"#;
        std::fs::write(&path, [whole.as_slice(), torn].concat()).unwrap();
        assert!(load(tmp.path()).unwrap().torn.is_some());

        let (mut w, cut) = TrajectoryWriter::reopen(tmp.path()).unwrap();
        assert_eq!(cut, Some(torn.len() as u64));
        assert_eq!(std::fs::read(&path).unwrap(), whole);
        assert_eq!(w.append(end()).unwrap().seq, 3);
        let loaded = load(tmp.path()).unwrap();
        assert_eq!(loaded.torn, None);
        let seqs: Vec<u64> = loaded.records.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, vec![0, 1, 2, 3]);
    }

    #[test]
    fn reopen_cuts_a_last_line_that_is_not_an_event_as_the_loader_skips_it() {
        let tmp = tempfile::tempdir().unwrap();
        let mut w = TrajectoryWriter::create(tmp.path()).unwrap();
        w.append(message(1, "a")).unwrap();
        drop(w);
        let path = tmp.path().join(TRAJECTORY_FILE);
        let whole = std::fs::read(&path).unwrap();
        // A prefix of a line that happened to end in a newline.
        let bad = b"{\"seq\":1,\"ts\":\"x\",\"type\":\"user_mes\n";
        std::fs::write(&path, [whole.as_slice(), bad].concat()).unwrap();
        assert_eq!(load(tmp.path()).unwrap().records.len(), 1);
        let (mut w, cut) = TrajectoryWriter::reopen(tmp.path()).unwrap();
        assert_eq!(cut, Some(bad.len() as u64));
        assert_eq!(w.append(end()).unwrap().seq, 1);
    }

    #[test]
    fn reopen_of_a_whole_file_cuts_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let mut w = TrajectoryWriter::create(tmp.path()).unwrap();
        w.append(message(1, "a")).unwrap();
        w.append(message(2, "b")).unwrap();
        drop(w);
        let (mut w, cut) = TrajectoryWriter::reopen(tmp.path()).unwrap();
        assert_eq!(cut, None);
        assert_eq!(w.append(end()).unwrap().seq, 2);
        assert_eq!(load(tmp.path()).unwrap().records.len(), 3);
    }

    #[test]
    fn reopen_keeps_the_lines_after_a_blank_one_as_the_loader_does() {
        let tmp = tempfile::tempdir().unwrap();
        let mut w = TrajectoryWriter::create(tmp.path()).unwrap();
        w.append(message(1, "a")).unwrap();
        drop(w);
        let path = tmp.path().join(TRAJECTORY_FILE);
        let first = std::fs::read(&path).unwrap();
        let mut w = TrajectoryWriter::reopen(tmp.path()).unwrap().0;
        w.append(message(1, "b")).unwrap();
        drop(w);
        // A blank line between the two events (an editor's doing): the loader reads both.
        let both = std::fs::read(&path).unwrap();
        let edited = [&first[..], b"\n", &both[first.len()..]].concat();
        std::fs::write(&path, &edited).unwrap();
        assert_eq!(load(tmp.path()).unwrap().records.len(), 2);
        let (mut w, cut) = TrajectoryWriter::reopen(tmp.path()).unwrap();
        assert_eq!(cut, None);
        assert_eq!(std::fs::read(&path).unwrap(), edited);
        assert_eq!(w.append(end()).unwrap().seq, 2);
    }

    #[test]
    fn reopen_of_a_missing_trajectory_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let err = TrajectoryWriter::reopen(tmp.path()).unwrap_err();
        assert!(matches!(err, TrajectoryError::Io { .. }), "{err}");
    }
}

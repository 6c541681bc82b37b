//! Files named by `http(s)` URLs (OSWorld's task files), fetched once into a content cache and
//! reused, or served from a local mirror for labs without a network.
//!
//! # The cache
//!
//! `$DESKHAND_CACHE/files/` (else `~/.cache/deskhand/files/`), keyed by URL: the file of `URL`
//! is `KEY` and its record `KEY.json`, where KEY is the hex SHA-256 of the URL. A download in
//! progress is `KEY.part`; an interrupted one is resumed from its length with a `Range` request
//! (a server that ignores the range starts it again). The record, written only once the whole
//! file is in place, is one JSON object:
//!
//! ```json
//! {"url": "https://example.org/a.xlsx", "sha256": "9f86d0…", "bytes": 5120}
//! ```
//!
//! A file without its record is not in the cache. Redirects are followed; a 404 or another
//! refusal fails at once, naming the URL and the status; timeouts, dropped connections, bodies
//! cut off mid-way, 429 and 5xx are retried with back-off.
//!
//! # Mirrors
//!
//! A mirror serves the URLs under a prefix from a folder (`-c files.mirror="PREFIX=DIR"`): the
//! URL `PREFIX/a/b.xlsx` is the file `DIR/a/b.xlsx`, read in place. A mirror that lacks the file
//! is an error naming both; the network is not tried for a mirrored prefix.
//!
//! # Offline
//!
//! With `offline`, a URL that is neither cached nor mirrored is refused, naming it.

use sha2::{Digest, Sha256};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The folder under the cache root that holds fetched files.
pub const FILES_DIR: &str = "files";

/// Why a URL's file could not be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// Offline, and the URL is neither cached nor mirrored.
    #[error(
        "{url} is not in the file cache, and deskhand is offline: run `deskhand tasks fetch` with a network, or serve it with -c files.mirror=\"PREFIX=DIR\""
    )]
    Offline {
        /// The URL.
        url: String,
    },
    /// A mirror covers the URL but lacks its file.
    #[error("{url} is mirrored from {}, which has no {}", .dir.display(), .path.display())]
    NotMirrored {
        /// The URL.
        url: String,
        /// The mirror's folder.
        dir: PathBuf,
        /// The file looked for.
        path: PathBuf,
    },
    /// The server refused (a 4xx other than 429): retrying will not help.
    #[error("{url}: the server answered HTTP {status}")]
    Refused {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// Every attempt failed for a passing reason.
    #[error("{url}: {attempts} attempts failed, the last: {last}")]
    Exhausted {
        /// The URL.
        url: String,
        /// How many were made.
        attempts: u32,
        /// What went wrong the last time.
        last: String,
    },
    /// A mirror setting is not `PREFIX=DIR`.
    #[error("files.mirror '{0}' is not PREFIX=DIR (like https://example.org/files=/data/mirror)")]
    BadMirror(String),
    /// The cache could not be written or read.
    #[error("file cache {}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A URL prefix served from a local folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirror {
    /// The URL prefix, like `https://huggingface.co/datasets/xlangai/files/resolve/main`.
    pub prefix: String,
    /// The folder holding what lies under it.
    pub dir: PathBuf,
}

impl std::str::FromStr for Mirror {
    type Err = FileError;

    /// `PREFIX=DIR`.
    fn from_str(s: &str) -> Result<Mirror, FileError> {
        match s.split_once('=') {
            Some((prefix, dir)) if prefix.contains("://") && !dir.trim().is_empty() => Ok(Mirror {
                prefix: prefix.trim().trim_end_matches('/').to_owned(),
                dir: PathBuf::from(dir.trim()),
            }),
            _ => Err(FileError::BadMirror(s.to_owned())),
        }
    }
}

/// Where a file came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Already in the cache.
    Cache,
    /// Downloaded now.
    Network,
    /// Read from a mirror.
    Mirror,
}

/// A URL's file, ready to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The URL.
    pub url: String,
    /// The file on disk.
    pub path: PathBuf,
    /// Its hex SHA-256.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
    /// Where it came from.
    pub source: Source,
}

/// The record kept next to a cached file (the format in the module doc).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Record {
    url: String,
    sha256: String,
    bytes: u64,
}

/// Told the progress of a download: bytes so far, and the total when the server said.
pub type Progress<'a> = dyn FnMut(u64, Option<u64>) + Send + 'a;

/// The file cache, its mirrors and its retry settings.
#[derive(Debug, Clone)]
pub struct FileCache {
    /// The folder of cached files.
    pub dir: PathBuf,
    /// Prefixes served from folders.
    pub mirrors: Vec<Mirror>,
    /// Refuse URLs that are neither cached nor mirrored.
    pub offline: bool,
    /// Attempts per URL, the first included.
    pub attempts: u32,
    /// The first back-off, doubled each time.
    pub base_delay: Duration,
    /// How long a connection may stay silent before the attempt counts as failed.
    pub read_timeout: Duration,
}

impl FileCache {
    /// The cache under `root` (`$DESKHAND_CACHE` or `~/.cache/deskhand`), online, no mirrors.
    pub fn new(root: &Path) -> FileCache {
        FileCache {
            dir: root.join(FILES_DIR),
            mirrors: Vec::new(),
            offline: false,
            attempts: 4,
            base_delay: Duration::from_millis(500),
            read_timeout: Duration::from_secs(30),
        }
    }

    /// The cache's file for `url` (present or not).
    pub fn path_of(&self, url: &str) -> PathBuf {
        self.dir.join(key(url))
    }

    /// The file of `url`: from a mirror, the cache, or the network (then cached).
    pub async fn fetch(
        &self,
        url: &str,
        progress: &mut Progress<'_>,
    ) -> Result<Fetched, FileError> {
        if let Some((m, path)) = self.mirror_of(url) {
            if !path.is_file() {
                return Err(FileError::NotMirrored {
                    url: url.to_owned(),
                    dir: m.dir.clone(),
                    path,
                });
            }
            let (sha256, bytes) = digest(&path)?;
            return Ok(Fetched {
                url: url.to_owned(),
                path,
                sha256,
                bytes,
                source: Source::Mirror,
            });
        }
        let path = self.path_of(url);
        if let Some(r) = self.record(url) {
            return Ok(Fetched {
                url: url.to_owned(),
                path,
                sha256: r.sha256,
                bytes: r.bytes,
                source: Source::Cache,
            });
        }
        if self.offline {
            return Err(FileError::Offline {
                url: url.to_owned(),
            });
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| io(&self.dir, e))?;
        self.download(url, &path, progress).await?;
        let (sha256, bytes) = digest(&path)?;
        let record = Record {
            url: url.to_owned(),
            sha256: sha256.clone(),
            bytes,
        };
        let rec_path = record_path(&path);
        let text = serde_json::to_vec(&record).map_err(|e| io(&rec_path, e.into()))?;
        write_atomically(&rec_path, &text)?;
        Ok(Fetched {
            url: url.to_owned(),
            path,
            sha256,
            bytes,
            source: Source::Network,
        })
    }

    /// Whether `url` can be had without the network: cached whole, or in a mirror.
    pub fn has(&self, url: &str) -> bool {
        match self.mirror_of(url) {
            Some((_, path)) => path.is_file(),
            None => self.record(url).is_some(),
        }
    }

    /// The mirror covering `url`, and the file it would be.
    fn mirror_of(&self, url: &str) -> Option<(&Mirror, PathBuf)> {
        let m = self
            .mirrors
            .iter()
            .find(|m| url.starts_with(&format!("{}/", m.prefix)) || url == m.prefix)?;
        let rest = url[m.prefix.len()..].trim_start_matches('/');
        Some((m, m.dir.join(rest)))
    }

    /// The record of a cached URL whose file is whole.
    fn record(&self, url: &str) -> Option<Record> {
        let path = self.path_of(url);
        let text = std::fs::read_to_string(record_path(&path)).ok()?;
        let r: Record = serde_json::from_str(&text).ok()?;
        let len = std::fs::metadata(&path).ok()?.len();
        (r.url == url && r.bytes == len).then_some(r)
    }

    async fn download(
        &self,
        url: &str,
        path: &Path,
        progress: &mut Progress<'_>,
    ) -> Result<(), FileError> {
        let client = reqwest::Client::builder()
            .read_timeout(self.read_timeout)
            .connect_timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| FileError::Exhausted {
                url: url.to_owned(),
                attempts: 0,
                last: e.to_string(),
            })?;
        let part = path.with_extension("part");
        let attempts = self.attempts.max(1);
        let mut last = String::new();
        for attempt in 1..=attempts {
            match self.attempt(&client, url, &part, &mut *progress).await {
                Ok(()) => {
                    return std::fs::rename(&part, path).map_err(|e| io(path, e));
                }
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Passing(why)) => last = why,
            }
            if attempt < attempts {
                let wait = self.base_delay.saturating_mul(1 << (attempt - 1).min(10));
                tokio::time::sleep(wait).await;
            }
        }
        Err(FileError::Exhausted {
            url: url.to_owned(),
            attempts,
            last,
        })
    }

    /// One attempt: resumes `part` from its length when it exists.
    async fn attempt(
        &self,
        client: &reqwest::Client,
        url: &str,
        part: &Path,
        progress: &mut Progress<'_>,
    ) -> Result<(), Attempt> {
        let have = std::fs::metadata(part).map(|m| m.len()).unwrap_or(0);
        let mut req = client.get(url);
        if have > 0 {
            req = req.header(reqwest::header::RANGE, format!("bytes={have}-"));
        }
        let mut resp = req.send().await.map_err(passing)?;
        let status = resp.status();
        if status.as_u16() == 416 && have > 0 {
            // The part is already whole (or the server's file changed): start again.
            let _ = std::fs::remove_file(part);
            return Err(Attempt::Passing(
                "the server refused the resumed range".into(),
            ));
        }
        if status.as_u16() == 429 || status.is_server_error() {
            return Err(Attempt::Passing(format!("HTTP {}", status.as_u16())));
        }
        if !status.is_success() {
            return Err(Attempt::Fatal(FileError::Refused {
                url: url.to_owned(),
                status: status.as_u16(),
            }));
        }
        let resumed = have > 0 && status.as_u16() == 206;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(resumed)
            .truncate(!resumed)
            .open(part)
            .map_err(|e| Attempt::Fatal(io(part, e)))?;
        let mut done = if resumed { have } else { 0 };
        let total = resp.content_length().map(|n| n + done);
        while let Some(chunk) = resp.chunk().await.map_err(passing)? {
            file.write_all(&chunk)
                .map_err(|e| Attempt::Fatal(io(part, e)))?;
            done += chunk.len() as u64;
            progress(done, total);
        }
        file.flush().map_err(|e| Attempt::Fatal(io(part, e)))?;
        match total {
            Some(t) if done < t => Err(Attempt::Passing(format!(
                "the body was cut off at {done} of {t} bytes"
            ))),
            _ => Ok(()),
        }
    }
}

enum Attempt {
    Passing(String),
    Fatal(FileError),
}

fn passing(e: reqwest::Error) -> Attempt {
    Attempt::Passing(if e.is_timeout() {
        "the server went silent".to_owned()
    } else {
        e.without_url().to_string()
    })
}

impl FileCache {
    /// [`fetch`](Self::fetch) from synchronous code (setup steps, getters): on a thread of its
    /// own with its own runtime, so that it works inside or outside an async runtime. On a
    /// terminal, a progress line on stderr for downloads.
    pub fn fetch_blocking(&self, url: &str) -> Result<Fetched, FileError> {
        use std::io::IsTerminal as _;
        let terminal = std::io::stderr().is_terminal();
        let mut shown = 0u64;
        let mut progress = |done: u64, total: Option<u64>| {
            // At most a line per MiB, and only for a person watching.
            if terminal && done >= shown + (1 << 20) {
                shown = done;
                let mib = |n: u64| n as f64 / f64::from(1u32 << 20);
                match total {
                    Some(t) => eprint!("\rdeskhand: {url}: {:.1} of {:.1} MiB", mib(done), mib(t)),
                    None => eprint!("\rdeskhand: {url}: {:.1} MiB", mib(done)),
                }
            }
        };
        let got = std::thread::scope(|s| {
            s.spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| io(&self.dir, e))?;
                rt.block_on(self.fetch(url, &mut progress))
            })
            .join()
            .unwrap_or_else(|_| {
                Err(FileError::Exhausted {
                    url: url.to_owned(),
                    attempts: 0,
                    last: "the download thread panicked".into(),
                })
            })
        });
        if terminal && shown > 0 {
            eprintln!();
        }
        got
    }
}

/// How `deskhand eval` gets the files of tasks: offline or not, and the mirrors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilesOptions {
    /// Refuse URLs that are not cached or mirrored (`--offline`).
    pub offline: bool,
    /// `PREFIX=DIR` mirrors (`-c files.mirror=`).
    pub mirrors: Vec<Mirror>,
}

impl FilesOptions {
    /// The options of a configuration's `[files]`, offline or not.
    pub fn from_config(
        config: &crate::config::Config,
        offline: bool,
    ) -> Result<FilesOptions, FileError> {
        Ok(FilesOptions {
            offline,
            mirrors: config
                .files
                .mirror
                .iter()
                .map(|m| m.parse())
                .collect::<Result<_, _>>()?,
        })
    }

    /// The cache these options make, under the user's cache folder.
    pub fn cache(&self) -> FileCache {
        FileCache {
            offline: self.offline,
            mirrors: self.mirrors.clone(),
            ..FileCache::new(&crate::display::libreoffice_profile::cache_dir())
        }
    }
}

/// One line of a run directory's `files.jsonl`: a file a task's setup or evaluation took from
/// a URL, `{"url", "sha256", "bytes", "source": "cache"|"network"|"mirror"}`.
pub fn record_line(f: &Fetched) -> String {
    serde_json::json!({
        "url": f.url,
        "sha256": f.sha256,
        "bytes": f.bytes,
        "source": match f.source {
            Source::Cache => "cache",
            Source::Network => "network",
            Source::Mirror => "mirror",
        },
    })
    .to_string()
}

/// The run directory's record of the URLs a task's files came from.
pub const FILES_RECORD: &str = "files.jsonl";

/// The hex SHA-256 of a URL: its file's name in the cache.
pub fn key(url: &str) -> String {
    hex(&Sha256::digest(url.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn record_path(file: &Path) -> PathBuf {
    file.with_extension("json")
}

/// The hex SHA-256 and size of a file.
pub fn digest(path: &Path) -> Result<(String, u64), FileError> {
    let mut f = std::fs::File::open(path).map_err(|e| io(path, e))?;
    let mut h = Sha256::new();
    let n = std::io::copy(&mut f, &mut h).map_err(|e| io(path, e))?;
    Ok((hex(&h.finalize()), n))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, bytes).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))
}

fn io(path: &Path, source: std::io::Error) -> FileError {
    FileError::Io {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mirror_is_prefix_equals_dir() {
        let m: Mirror = "https://example.org/files/=/data/m".parse().unwrap();
        assert_eq!(m.prefix, "https://example.org/files");
        assert_eq!(m.dir, PathBuf::from("/data/m"));
        for bad in ["nothing", "/local=/data", "https://x="] {
            let err = bad.parse::<Mirror>().unwrap_err().to_string();
            assert!(err.contains("is not PREFIX=DIR"), "{bad}: {err}");
        }
    }

    #[test]
    fn keys_are_the_urls_sha256() {
        assert_eq!(key("a").len(), 64);
        assert_ne!(key("https://x/a"), key("https://x/b"));
        assert_eq!(
            key(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}

//! Where the ONNX Runtime library, the two models and the dictionary live.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// File name of the ONNX Runtime library `scripts/setup` puts in the cache directory.
pub(crate) const RUNTIME_FILE: &str = "libonnxruntime.so.1.31.1";
/// Folder of the PP-OCRv6 tiny models inside the cache directory.
pub(crate) const MODEL_DIR: &str = "ppocrv6-tiny";

/// The four files the OCR engine loads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcrPaths {
    /// The ONNX Runtime shared library (1.31 or newer).
    pub runtime: PathBuf,
    /// The PP-OCRv6 tiny text detector (`det.onnx`).
    pub detector: PathBuf,
    /// The PP-OCRv6 tiny text recognizer (`rec.onnx`).
    pub recognizer: PathBuf,
    /// The recognizer's character list, one per line (`dict.txt`).
    pub dictionary: PathBuf,
}

impl OcrPaths {
    /// The files as `scripts/setup` lays them out under `cache`:
    /// `cache/libonnxruntime.so.1.31.1` and `cache/ppocrv6-tiny/{det.onnx,rec.onnx,dict.txt}`.
    pub fn in_cache(cache: &Path) -> OcrPaths {
        let models = cache.join(MODEL_DIR);
        OcrPaths {
            runtime: cache.join(RUNTIME_FILE),
            detector: models.join("det.onnx"),
            recognizer: models.join("rec.onnx"),
            dictionary: models.join("dict.txt"),
        }
    }

    /// The files named by the environment: the cache directory is `$DESKHAND_CACHE`, else
    /// `~/.cache/deskhand`; `$ORT_DYLIB_PATH` (when set and not empty) overrides the library.
    /// Nothing is checked here: [`Ocr::load`](super::Ocr::load) reports missing files.
    pub fn from_env() -> OcrPaths {
        OcrPaths::from_vars(
            std::env::var_os("ORT_DYLIB_PATH"),
            std::env::var_os("DESKHAND_CACHE"),
            std::env::var_os("HOME"),
        )
    }

    /// [`OcrPaths::from_env`] with the variables passed in (testable without touching the
    /// process environment).
    fn from_vars(
        ort_dylib: Option<OsString>,
        cache: Option<OsString>,
        home: Option<OsString>,
    ) -> OcrPaths {
        let non_empty = |v: Option<OsString>| v.filter(|s| !s.is_empty());
        let cache = match (non_empty(cache), non_empty(home)) {
            (Some(c), _) => PathBuf::from(c),
            (None, Some(h)) => PathBuf::from(h).join(".cache/deskhand"),
            // No HOME: keep the tilde so the "missing" message still says where to look.
            (None, None) => PathBuf::from("~/.cache/deskhand"),
        };
        let mut paths = OcrPaths::in_cache(&cache);
        if let Some(lib) = non_empty(ort_dylib) {
            paths.runtime = PathBuf::from(lib);
        }
        paths
    }

    /// Each file with what it is, in load order.
    pub(crate) fn labelled(&self) -> [(&'static str, &Path); 4] {
        [
            ("ONNX Runtime library", &self.runtime),
            ("text detector model", &self.detector),
            ("text recognizer model", &self.recognizer),
            ("recognizer dictionary", &self.dictionary),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_then_home() {
        let p = OcrPaths::from_vars(None, Some("/c".into()), Some("/home/u".into()));
        assert_eq!(p.runtime, Path::new("/c/libonnxruntime.so.1.31.1"));
        assert_eq!(p.detector, Path::new("/c/ppocrv6-tiny/det.onnx"));
        assert_eq!(p.recognizer, Path::new("/c/ppocrv6-tiny/rec.onnx"));
        assert_eq!(p.dictionary, Path::new("/c/ppocrv6-tiny/dict.txt"));

        let p = OcrPaths::from_vars(None, Some("".into()), Some("/home/u".into()));
        assert_eq!(
            p.detector,
            Path::new("/home/u/.cache/deskhand/ppocrv6-tiny/det.onnx")
        );
    }

    #[test]
    fn ort_dylib_path_overrides_only_the_library() {
        let p = OcrPaths::from_vars(
            Some("/opt/ort/libonnxruntime.so".into()),
            None,
            Some("/h".into()),
        );
        assert_eq!(p.runtime, Path::new("/opt/ort/libonnxruntime.so"));
        assert_eq!(
            p.dictionary,
            Path::new("/h/.cache/deskhand/ppocrv6-tiny/dict.txt")
        );
    }
}

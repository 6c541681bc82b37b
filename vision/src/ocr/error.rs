//! What can go wrong while loading or running the OCR engine.

use std::fmt;
use std::path::PathBuf;

/// An OCR failure. Loading fails with [`OcrError::Missing`] when files are absent (the usual
/// case on a fresh checkout: run `scripts/setup`), never with a panic.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OcrError {
    /// One or more of the files the engine needs do not exist.
    #[error(
        "OCR files missing: {}; run scripts/setup to fetch them (the ONNX Runtime library can also \
         be named with ORT_DYLIB_PATH, the cache directory with DESKHAND_CACHE)",
        MissingList(.files)
    )]
    Missing {
        /// What each missing file is ("ONNX Runtime library", "text detector model", …) and where
        /// it was looked for.
        files: Vec<(&'static str, PathBuf)>,
    },
    /// The ONNX Runtime library exists but could not be loaded (wrong version or architecture).
    #[error("cannot load ONNX Runtime from {path}: {reason}")]
    Runtime {
        /// The library file.
        path: PathBuf,
        /// Why loading failed.
        reason: String,
    },
    /// A model or the dictionary exists but is not usable.
    #[error("cannot load {path}: {reason}")]
    Model {
        /// The model or dictionary file.
        path: PathBuf,
        /// Why loading failed.
        reason: String,
    },
    /// Running a model failed, or it returned a tensor of an unexpected shape.
    #[error("OCR inference failed: {0}")]
    Inference(String),
}

struct MissingList<'a>(&'a [(&'static str, PathBuf)]);

impl fmt::Display for MissingList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (what, path)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{what} {}", path.display())?;
        }
        Ok(())
    }
}

//! Google's Gemini API with its computer-use tool (`--policy gemini`).

/// The Gemini API's own base URL (`--base-url` or `GEMINI_BASE_URL` replace it).
pub const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com";

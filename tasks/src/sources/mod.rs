//! Getters and setup steps beyond files and commands, one module per kind of source. Each module
//! has `parse_getter` (and `parse_step`), which claim the types that are theirs.

pub mod a11y;
pub mod browser;
pub mod chrome_profile;
pub mod system;

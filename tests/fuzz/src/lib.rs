//! What the fuzz targets share: the model spaces and screens each parsed input is read
//! against, and the checks every parsed action goes through.
//!
//! The spaces and screens are configuration, not untrusted input, so they are a fixed table of
//! realistic pairs (odd sizes and HiDPI among them) and every input is parsed against each.

use deskhand_actions::{Action, ModelSpace, Size};

/// The (model space, screen) pairs every input is parsed against.
pub const CONFIGS: [(ModelSpace, Size); 6] = [
    (
        ModelSpace::Scaled {
            width: 1366,
            height: 768,
        },
        Size::new(1920, 1080),
    ),
    (ModelSpace::Screen, Size::new(1280, 800)),
    (ModelSpace::Relative1000, Size::new(2560, 1440)),
    (ModelSpace::Relative999, Size::new(1366, 768)),
    (ModelSpace::UI_TARS_1_5, Size::new(3840, 2160)),
    (
        ModelSpace::Scaled {
            width: 1024,
            height: 640,
        },
        Size::new(2560, 1600),
    ),
];

/// What the agent does next with a parsed action: checks it against the screen and writes it
/// to the trajectory as JSON. Neither may panic.
pub fn use_action(action: &Action, screen: Size) {
    let _ = action.validate(screen);
    let _ = serde_json::to_string(action);
}

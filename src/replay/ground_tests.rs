//! Re-grounding by window on drawn screens: white windows on a black screen, the windows' places
//! given as a [`Scene`] (the end-to-end test in `tests/replay.rs` does the same on real xterms).

use super::*;
use crate::replay::scene::{Scene, Shown};
use crate::trajectory::{WindowRect, WindowRef};
use pretty_assertions::assert_eq;

const W: u32 = 640;
const H: u32 = 400;
const WHITE: [u8; 4] = [255, 255, 255, 255];

fn rect(x: i32, y: i32, width: u32, height: u32) -> WindowRect {
    WindowRect {
        x,
        y,
        width,
        height,
    }
}

/// A black screen with each rectangle filled in its colour, in order.
fn screen(fills: &[(WindowRect, [u8; 4])]) -> Frame {
    let mut px = [0, 0, 0, 255].repeat((W * H) as usize);
    for (r, colour) in fills {
        for y in r.y.max(0)..(r.y + r.height as i32).min(H as i32) {
            for x in r.x.max(0)..(r.x + r.width as i32).min(W as i32) {
                let i = (y as usize * W as usize + x as usize) * 4;
                px[i..i + 4].copy_from_slice(colour);
            }
        }
    }
    Frame::from_rgba(W, H, px).unwrap()
}

fn window(title: &str, rect: Option<WindowRect>) -> WindowRef {
    WindowRef {
        title: title.into(),
        class: vec!["xterm".into(), "XTerm".into()],
        rect,
    }
}

fn shown(id: u32, title: &str, client: WindowRect) -> Shown {
    Shown {
        id,
        window: window(title, None),
        client,
        outer: rect(
            client.x - 1,
            client.y - 20,
            client.width + 2,
            client.height + 21,
        ),
        viewable: true,
    }
}

/// Where the xterm was when the click was recorded, and the click, on plain ground in it.
const WAS: WindowRect = WindowRect {
    x: 20,
    y: 40,
    width: 240,
    height: 220,
};
const CLICK: (i32, i32) = (140, 150);

fn click((x, y): (i32, i32)) -> Action {
    serde_json::from_value(serde_json::json!({"type": "click", "x": x, "y": y})).unwrap()
}

fn by_window(windows: Vec<Shown>) -> ByWindow {
    let focused = windows.last().map(|w| w.id);
    ByWindow::of(&window("xterm", Some(WAS)), Ok(Scene { windows, focused })).unwrap()
}

fn methods(tried: &[Attempt]) -> Vec<(&'static str, bool)> {
    tried.iter().map(|t| (t.method, t.ok)).collect()
}

fn point(a: &Action) -> Point {
    a.points()[0]
}

#[test]
fn plain_ground_follows_its_window_past_another_one_over_the_point() {
    let recorded = screen(&[(WAS, WHITE)]);
    let moved = rect(360, 150, 240, 220);
    // The other xterm looks the same and sits where the recorded one was.
    let current = screen(&[(moved, WHITE), (WAS, WHITE)]);
    let windows = by_window(vec![shown(1, "xterm", moved), shown(2, "other", WAS)]);
    let g = ground(
        &click(CLICK),
        &recorded,
        &current,
        &mut Grounder::default(),
        Some(&windows),
    )
    .unwrap();
    assert_eq!(point(&g.action), Point::new(140 + 340, 150 + 110));
    assert_eq!(
        methods(&g.tried),
        [("in_place", false), ("text", false), ("window", true)]
    );
    assert!(
        g.tried[0]
            .outcome
            .contains("the window there now is \"other\" (xterm.XTerm)"),
        "{:?}",
        g.tried
    );
    assert!(g.how.contains("moved by (340, 110)"), "{}", g.how);
}

#[test]
fn a_recording_without_the_window_place_confirms_plain_ground_in_place_as_before() {
    let recorded = screen(&[(WAS, WHITE)]);
    let current = screen(&[(rect(360, 150, 240, 220), WHITE), (WAS, WHITE)]);
    let g = ground(
        &click(CLICK),
        &recorded,
        &current,
        &mut Grounder::default(),
        None,
    )
    .unwrap();
    assert_eq!(point(&g.action), Point::new(140, 150));
    assert_eq!(methods(&g.tried), [("in_place", true)]);
    // The same window where it was: in place, as before.
    let windows = by_window(vec![shown(1, "xterm", WAS)]);
    let g = ground(
        &click(CLICK),
        &recorded,
        &recorded,
        &mut Grounder::default(),
        Some(&windows),
    )
    .unwrap();
    assert_eq!(methods(&g.tried), [("in_place", true)]);
}

#[test]
fn the_window_method_refuses_a_gone_covered_or_changed_window() {
    let recorded = screen(&[(WAS, WHITE)]);
    let moved = rect(360, 150, 240, 220);
    let fail = |current: &Frame, windows: Vec<Shown>| -> Attempt {
        let tried = ground(
            &click(CLICK),
            &recorded,
            current,
            &mut Grounder::default(),
            Some(&by_window(windows)),
        )
        .unwrap_err();
        assert_eq!(
            methods(&tried),
            [("in_place", false), ("text", false), ("window", false)]
        );
        tried[2].clone()
    };
    // Gone: only the other one is there.
    let current = screen(&[(WAS, WHITE)]);
    let gone = fail(&current, vec![shown(2, "other", WAS)]);
    assert!(
        gone.outcome
            .contains("no window like the recorded one, \"xterm\" (xterm.XTerm)"),
        "{gone:?}"
    );
    // Moved, but a third window covers the same place in it.
    let cover = rect(420, 200, 200, 150);
    let current = screen(&[(moved, WHITE), (WAS, WHITE), (cover, WHITE)]);
    let covered = fail(
        &current,
        vec![
            shown(1, "xterm", moved),
            shown(2, "other", WAS),
            shown(3, "cover", cover),
        ],
    );
    assert!(
        covered.outcome.contains("is covered by \"cover\""),
        "{covered:?}"
    );
    // Moved, and it shows something else at the same place in it now.
    let blot = rect(450, 230, 60, 60);
    let current = screen(&[(moved, WHITE), (WAS, WHITE), (blot, [0, 0, 0, 255])]);
    let changed = fail(
        &current,
        vec![shown(1, "xterm", moved), shown(2, "other", WAS)],
    );
    assert!(
        changed.outcome.contains("the recorded patch differs by"),
        "{changed:?}"
    );
    // Moved, and smaller now than the place in it.
    let small = rect(360, 150, 100, 100);
    let current = screen(&[(small, WHITE), (WAS, WHITE)]);
    let shrunk = fail(
        &current,
        vec![shown(1, "xterm", small), shown(2, "other", WAS)],
    );
    assert!(shrunk.outcome.contains("too small"), "{shrunk:?}");
}

#[test]
fn a_point_outside_the_recorded_window_is_not_aimed_by_it() {
    let recorded = screen(&[(WAS, WHITE)]);
    let current = screen(&[(rect(300, 0, 340, 400), WHITE)]);
    let outside = click((500, 300));
    let windows = by_window(vec![shown(1, "xterm", rect(360, 150, 240, 220))]);
    let tried = ground(
        &outside,
        &recorded,
        &current,
        &mut Grounder::default(),
        Some(&windows),
    )
    .unwrap_err();
    assert_eq!(methods(&tried), [("in_place", false), ("text", false)]);
}

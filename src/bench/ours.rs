//! deskhand's own side of the benchmark.

use super::Stat;
use crate::display::Display;
use base64::Engine as _;
use deskhand_actions::{
    Action, Button, Cancel, DEFAULT_LONG_EDGE, EnigoDriver, Hands, Size, anthropic_target,
    fit_long_edge,
};
use deskhand_vision::{ImageFormat, ScreenSource, ShmSource, XcapSource, encode, resize};
use std::collections::BTreeMap;
use std::time::Instant;

/// The 40 characters the peers type.
pub const TEXT40: &str = "The quick brown fox jumps over 13 dogs.!";
/// Two points inside mousepad's text area at both benchmark sizes (as the peers use).
const POINTS: [(i32, i32); 2] = [(700, 500), (760, 560)];
const WARMUP: usize = 2;

fn time_n(runs: usize, mut f: impl FnMut(usize) -> anyhow::Result<()>) -> anyhow::Result<Stat> {
    for i in 0..WARMUP {
        f(i)?;
    }
    let mut samples = Vec::with_capacity(runs);
    for i in 0..runs {
        let t = Instant::now();
        f(i)?;
        samples.push(t.elapsed());
    }
    Ok(Stat::of(&samples))
}

/// Times capture, resize+encode, click and typing on `display`.
pub fn measure(display: &Display, runs: usize) -> anyhow::Result<BTreeMap<String, Stat>> {
    let mut out = BTreeMap::new();
    let mut shm = ShmSource::connect(Some(display.name()))?;
    let screen = shm.size();
    out.insert(
        format!("capture [{}]", shm.name()),
        time_n(runs, |_| Ok(shm.capture().map(drop)?))?,
    );

    // xcap reads $DISPLAY. The benchmark is single-threaded here.
    // SAFETY: no other thread reads or writes the environment at this point.
    unsafe { std::env::set_var("DISPLAY", display.name()) };
    match XcapSource::monitor() {
        Ok(mut xcap) => {
            out.insert(
                "capture [xcap]".into(),
                time_n(runs, |_| Ok(xcap.capture().map(drop)?))?,
            );
        }
        Err(e) => eprintln!("bench: xcap capture skipped: {e}"),
    }

    // What the providers send by default: the demo's target, long edge at most 1024.
    let target = fit_long_edge(
        anthropic_target(Size::new(screen.width, screen.height)),
        DEFAULT_LONG_EDGE,
    );
    let to = deskhand_vision::Size {
        width: target.width,
        height: target.height,
    };
    for (label, format) in [
        ("png", ImageFormat::PngCompact),
        ("png fast", ImageFormat::Png),
        ("jpeg q80", ImageFormat::Jpeg { quality: 80 }),
    ] {
        let mut last_len = 0;
        let stat = time_n(runs, |_| {
            let frame = shm.capture()?;
            let small = resize(&frame, to)?;
            let encoded = encode(&small, format)?;
            last_len = base64::engine::general_purpose::STANDARD
                .encode(&encoded.bytes)
                .len();
            Ok(())
        })?;
        out.insert(
            format!("screenshot ready to send [shm+resize+{label}+b64]"),
            stat,
        );
        out.insert(
            format!("screenshot b64 kB [{label}]"),
            Stat {
                median_ms: (last_len / 1024) as f64,
                p10_ms: 0.0,
                p90_ms: 0.0,
                n: 1,
            },
        );
    }

    let mut hands = Hands::new(EnigoDriver::connect(Some(display.name()))?);
    let cancel = Cancel::new();
    let click = |i: usize| Action::Click {
        x: Some(POINTS[i % 2].0),
        y: Some(POINTS[i % 2].1),
        button: Button::Left,
        count: 1,
        modifiers: Vec::new(),
    };
    let sync = crate::display::x11::connect(display.name())?;
    let perform = |hands: &mut Hands<EnigoDriver>, a: &Action| -> anyhow::Result<()> {
        hands.perform(a, &cancel)?;
        // A round trip, so the server has taken the input before the clock stops.
        crate::display::x11::pointer_position(&sync)?;
        Ok(())
    };
    out.insert(
        "click (move+press+release)".into(),
        time_n(runs, |i| perform(&mut hands, &click(i)))?,
    );
    let clear = [
        Action::Key {
            keys: "ctrl+a".into(),
        },
        Action::Key {
            keys: "BackSpace".into(),
        },
    ];
    let type40 = Action::TypeText {
        text: TEXT40.into(),
    };
    let mut samples = Vec::new();
    for i in 0..runs + WARMUP {
        let t = Instant::now();
        perform(&mut hands, &type40)?;
        let took = t.elapsed();
        if i >= WARMUP {
            samples.push(took);
        }
        for a in &clear {
            perform(&mut hands, a)?;
        }
    }
    out.insert("type 40 chars".into(), Stat::of(&samples));
    Ok(out)
}

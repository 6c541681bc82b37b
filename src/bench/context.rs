//! What a model step costs in images: bytes sent and estimated image tokens per request, for
//! each provider as deskhand sends them, next to the Anthropic demo's (three XGA PNGs per
//! request, ImageMagick's default PNG compression). Measured on a real frame of the display.
//!
//! Token estimates: Anthropic ≈ width·height/750 per image (⌈w/28⌉·⌈h/28⌉ for the computer
//! toolset's models); Qwen2.5-VL/UI-TARS one token per 28×28 patch, Qwen3-VL per 32×32;
//! Gemini 3 a flat 1120 per image (its default media resolution). OpenAI's Responses API keeps the conversation on its side (`previous_response_id`),
//! so only one new screenshot is sent per step; its tokens are estimated like Anthropic's.
//!
//! deskhand's rows use the default [`Sizing`]: the newest screenshot's long edge at most 1024,
//! older kept screenshots at half size. A "native" row shows the demo-target size with every
//! screenshot at full size (`screenshot_long_edge = 0`, `older_screenshots_half = false`).

use crate::policy::anthropic::{History, Keep};
use crate::policy::openai_compat::Coords;
use crate::policy::screenshot::{self, Sizing};
use base64::Engine as _;
use deskhand_actions::{Size, anthropic_target, fit_long_edge};
use deskhand_vision::{Filter, Frame, ImageFormat, encode, resize_with};
use serde_json::json;
use std::collections::BTreeMap;

/// One provider's per-step image cost.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ContextCost {
    /// Average screenshots per request in a long run.
    pub images_per_request: f64,
    /// Base64 bytes of images per request.
    pub bytes_per_step: f64,
    /// Estimated image tokens per request.
    pub tokens_per_step: f64,
}

/// Base64 bytes of the screenshot deskhand sends at size `to` (the providers' own path), and
/// of the stand-in that replaces it once it is older.
fn ours_b64_len(frame: &Frame, to: Size, sizing: Sizing) -> anyhow::Result<(f64, f64, Size)> {
    let full = screenshot::prepare(frame, to, screenshot::Upscale::Exact)?;
    let older = sizing.older(frame, &full)?;
    Ok((
        full.base64.len() as f64,
        older.base64.len() as f64,
        older.size,
    ))
}

/// Base64 bytes of the demo's PNG at size `to`: an RGB PNG (as scrot writes it) with
/// ImageMagick's default (zlib level 6) compression and adaptive filtering, which is what
/// [`ImageFormat::PngCompact`] makes, of the screen shrunk with ImageMagick's Lanczos filter.
fn demo_b64_len(frame: &Frame, to: Size) -> anyhow::Result<f64> {
    let size = deskhand_vision::Size {
        width: to.width,
        height: to.height,
    };
    let small = resize_with(frame, size, Filter::Lanczos3)?;
    let png = encode(&small, ImageFormat::PngCompact)?;
    Ok(base64::engine::general_purpose::STANDARD
        .encode(&png.bytes)
        .len() as f64)
}

/// Average images per request over a 30-step run with our Anthropic history pruning.
fn anthropic_images_per_request(keep: Keep) -> f64 {
    let mut h = History::default();
    let mut total = 0usize;
    let steps = 30;
    for i in 0..steps {
        let image = json!({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "x"}});
        h.push_user(vec![
            json!({"type": "tool_result", "tool_use_id": format!("t{i}"), "content": [image]}),
        ]);
        let msgs = h.request_messages(keep);
        total += msgs
            .iter()
            .map(|m| m.to_string().matches("\"image\"").count())
            .sum::<usize>();
        h.push_assistant(json!([{"type": "text", "text": "ok"}]));
    }
    total as f64 / f64::from(steps)
}

/// Measures the per-step image cost of each provider on `frame`.
pub fn measure(frame: &Frame) -> anyhow::Result<BTreeMap<String, ContextCost>> {
    let screen = Size::new(frame.width(), frame.height());
    let mut out = BTreeMap::new();
    let xga = Size::new(1024, 768);
    let demo_img = demo_b64_len(frame, xga)?;
    let per = |s: Size| f64::from(s.width) * f64::from(s.height) / 750.0;
    out.insert(
        "anthropic demo (3 XGA PNGs)".to_owned(),
        ContextCost {
            images_per_request: 3.0,
            bytes_per_step: 3.0 * demo_img,
            tokens_per_step: 3.0 * per(xga),
        },
    );
    let n = anthropic_images_per_request(Keep { keep: 3, chunk: 2 });
    let sizing = Sizing::default();
    // The newest screenshot at `full`, the other kept ones as their stand-ins.
    let mut row = |name: &str, n: f64, full: Size, sizing: Sizing, tokens: &dyn Fn(Size) -> f64| {
        let (b_full, b_older, older) = ours_b64_len(frame, full, sizing)?;
        out.insert(
            name.to_owned(),
            ContextCost {
                images_per_request: n,
                bytes_per_step: b_full + (n - 1.0) * b_older,
                tokens_per_step: tokens(full) + (n - 1.0) * tokens(older),
            },
        );
        anyhow::Ok(())
    };
    let native = anthropic_target(screen);
    let all_full = Sizing {
        long_edge: 0,
        older_half: false,
    };
    row("deskhand anthropic, native", n, native, all_full, &per)?;
    let target = fit_long_edge(native, sizing.long_edge);
    row("deskhand anthropic", n, target, sizing, &per)?;
    row("deskhand openai (chained)", 1.0, target, sizing, &per)?;
    // The processor rounds each side to a multiple of 28: one token per 28×28 patch.
    let patches =
        |s: Size| (f64::from(s.width) / 28.0).round() * (f64::from(s.height) / 28.0).round();
    let (_, sr) = Coords::SmartResize.space(screen, sizing.long_edge);
    row("deskhand openai-compat (3 kept)", 3.0, sr, sizing, &patches)?;
    // The computer toolset's models count ⌈w/28⌉·⌈h/28⌉ visual tokens per image.
    let visual = |s: Size| (f64::from(s.width) / 28.0).ceil() * (f64::from(s.height) / 28.0).ceil();
    row("deskhand anthropic toolset", n, target, sizing, &visual)?;
    // Gemini 3 models give an image 1120 tokens at their default (high) media resolution,
    // whatever its size.
    let gemini = |_: Size| 1120.0;
    row("deskhand gemini (3 kept)", 3.0, target, sizing, &gemini)?;
    // Qwen3-VL: 16-pixel patches merged 2×2, one token per 32×32 pixels of the resized image.
    let qwen3 = |s: Size| (f64::from(s.width) / 32.0).ceil() * (f64::from(s.height) / 32.0).ceil();
    let (_, grid) = Coords::Relative1000.space(screen, sizing.long_edge);
    row(
        "deskhand openai-compat qwen3vl (3 kept)",
        3.0,
        grid,
        sizing,
        &qwen3,
    )?;
    Ok(out)
}

/// Prints the table with ratios against the demo.
pub fn print(screen: &str, costs: &BTreeMap<String, ContextCost>) {
    let Some(demo) = costs.get("anthropic demo (3 XGA PNGs)") else {
        return;
    };
    println!("\n-- image context per model step, {screen} (goal: at most 1/2 of the demo) --");
    println!(
        "{:<40} {:>8} {:>12} {:>10} {:>9} {:>9}",
        "", "images", "bytes", "tokens", "bytes×", "tokens×"
    );
    for (name, c) in costs {
        println!(
            "{name:<40} {:>8.2} {:>12.0} {:>10.0} {:>9.3} {:>9.3}",
            c.images_per_request,
            c.bytes_per_step,
            c.tokens_per_step,
            c.bytes_per_step / demo.bytes_per_step,
            c.tokens_per_step / demo.tokens_per_step
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_has_a_row_with_its_own_token_rule() {
        let (w, h) = (1280u32, 800u32);
        let rgba: Vec<u8> = (0..w * h * 4).map(|i| (i % 251) as u8).collect();
        let frame = Frame::from_rgba(w, h, rgba).unwrap();
        let costs = measure(&frame).unwrap();
        for name in [
            "deskhand anthropic",
            "deskhand anthropic toolset",
            "deskhand openai (chained)",
            "deskhand gemini (3 kept)",
            "deskhand openai-compat (3 kept)",
            "deskhand openai-compat qwen3vl (3 kept)",
        ] {
            let c = &costs[name];
            assert!(c.bytes_per_step > 0.0 && c.tokens_per_step > 0.0, "{name}");
        }
        // Gemini: 1120 per image whatever its size.
        let g = &costs["deskhand gemini (3 kept)"];
        assert!((g.tokens_per_step - 3.0 * 1120.0).abs() < 1e-9, "{g:?}");
        // 1280x800 at a 1024 long edge is 1024x640, 37·23 visual tokens for the toolset; the
        // older ones at 512x320 are 19·12.
        let t = &costs["deskhand anthropic toolset"];
        let want = 37.0 * 23.0 + (t.images_per_request - 1.0) * 19.0 * 12.0;
        assert!((t.tokens_per_step - want).abs() < 1e-6, "{t:?}");
    }
}

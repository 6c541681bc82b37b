//! The HTML report: one file, no external references (frames are embedded as JPEG data URLs,
//! styles are inline), readable offline in any browser. Each step shows its frame with the
//! step's actions drawn over it (an SVG layer in screen pixels: a ring on each click, scroll or
//! move point, a line for a drag), then the narration, the actions with how they went, and the
//! decision's latency, tokens and cost.

use super::{Report, Step, marks};
use base64::Engine as _;
use deskhand_vision::{Frame, ImageFormat, Size, encode, resize};
use std::fmt::Write as _;

/// Frames wider than this are scaled down in the report.
const MAX_WIDTH: u32 = 1280;

/// HTML-escapes text.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A frame as a JPEG data URL, scaled down to [`MAX_WIDTH`], with its original size.
fn frame_url(path: &std::path::Path) -> anyhow::Result<(String, u32, u32)> {
    let frame = Frame::from_png(&std::fs::read(path)?)?;
    let (w, h) = (frame.width(), frame.height());
    let small = if w > MAX_WIDTH {
        let height = (u64::from(h) * u64::from(MAX_WIDTH) / u64::from(w)).max(1);
        resize(
            &frame,
            Size {
                width: MAX_WIDTH,
                height: u32::try_from(height).unwrap_or(h),
            },
        )?
    } else {
        frame
    };
    let jpeg = encode(&small, ImageFormat::Jpeg { quality: 80 })?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&jpeg.bytes);
    Ok((format!("data:image/jpeg;base64,{b64}"), w, h))
}

fn overlay(step: &Step, w: u32, h: u32) -> String {
    let mut svg =
        format!("<svg class=\"overlay\" viewBox=\"0 0 {w} {h}\" preserveAspectRatio=\"none\">");
    for (i, (action, _)) in step.actions.iter().enumerate() {
        let pts = marks(action);
        if pts.len() > 1 {
            let list: Vec<String> = pts.iter().map(|(x, y)| format!("{x},{y}")).collect();
            let _ = write!(
                svg,
                "<polyline points=\"{}\" class=\"drag\"/>",
                list.join(" ")
            );
        }
        for (x, y) in pts.iter().take(1) {
            let _ = write!(
                svg,
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"16\" class=\"mark\"/><text x=\"{}\" y=\"{}\" class=\"label\">{}</text>",
                x + 20,
                y - 12,
                i + 1
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn step_html(step: &Step) -> anyhow::Result<String> {
    let mut out = format!(
        "<section class=\"step\" id=\"step-{n}\"><h2>Step {n}</h2>",
        n = step.step
    );
    if let Some(path) = &step.frame {
        match frame_url(path) {
            Ok((url, w, h)) => {
                let _ = write!(
                    out,
                    "<div class=\"shot\"><img src=\"{url}\" alt=\"step {} frame\">{}</div>",
                    step.step,
                    overlay(step, w, h)
                );
            }
            Err(e) => {
                let _ = write!(
                    out,
                    "<p class=\"error\">frame {} unreadable: {}</p>",
                    esc(&path.display().to_string()),
                    esc(&e.to_string())
                );
            }
        }
    }
    for m in &step.user_messages {
        let _ = write!(out, "<p class=\"user\">user: {}</p>", esc(m));
    }
    for n in &step.narration {
        let _ = write!(out, "<p class=\"narration\">{}</p>", esc(n));
    }
    out.push_str("<ol class=\"actions\">");
    for (action, result) in &step.actions {
        let outcome = match result {
            Some(r) if r.error.is_some() => format!(
                "<span class=\"error\">error: {}</span>",
                esc(r.error.as_deref().unwrap_or_default())
            ),
            Some(r) => format!(
                "ok · input {} ms · settled in {} ms{}",
                r.duration_ms,
                r.settle_ms,
                if r.settled { "" } else { " (still changing)" }
            ),
            None => "not performed".to_owned(),
        };
        let _ = write!(
            out,
            "<li><code>{}</code> — {outcome}</li>",
            esc(&action.to_string())
        );
    }
    out.push_str("</ol>");
    let mut facts = format!("decided in {} ms", step.latency_ms);
    if let Some(u) = step.usage {
        let _ = write!(
            facts,
            " · {} tokens in, {} out",
            u.input_tokens, u.output_tokens
        );
        if let Some(c) = u.cost_usd {
            let _ = write!(facts, " · ${c:.4}");
        }
    }
    let _ = write!(out, "<p class=\"facts\">{facts}</p></section>");
    Ok(out)
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1320px;color:#222}\
h1{font-size:1.5em}.summary td{padding:2px 12px 2px 0}.step{border-top:1px solid #ccc;padding:1em 0}\
.shot{position:relative;display:inline-block;max-width:100%}.shot img{display:block;max-width:100%;border:1px solid #999}\
.overlay{position:absolute;left:0;top:0;width:100%;height:100%;pointer-events:none}\
.mark{fill:none;stroke:#e11;stroke-width:4}.drag{fill:none;stroke:#e11;stroke-width:3;stroke-dasharray:8 6}\
.label{fill:#e11;font:bold 22px sans-serif}.narration{background:#f4f4f8;padding:.5em;border-left:3px solid #88a}\
.user{background:#fff6e0;padding:.5em}.error{color:#b00}.facts{color:#666;font-size:.9em}";

/// Renders the report.
pub fn render(report: &Report) -> anyhow::Result<String> {
    Ok(page("deskhand run", &body(report)?))
}

/// A whole page around `body`, with the report's style.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>\n",
        esc(title)
    )
}

/// The report's content: its summary table and every step.
pub fn body(report: &Report) -> anyhow::Result<String> {
    let mut out = String::new();
    let task = report.meta.as_ref().and_then(|m| m.task.as_ref());
    let title = task
        .and_then(|t| t.instruction.clone())
        .unwrap_or_else(|| "deskhand run".to_owned());
    let _ = write!(out, "<h1>{}</h1><table class=\"summary\">", esc(&title));
    let mut row = |k: &str, v: String| {
        let _ = write!(out, "<tr><td>{k}</td><td>{}</td></tr>", esc(&v));
    };
    if let Some(t) = task {
        row("task", t.id.clone());
    }
    if let Some(m) = &report.meta {
        row("policy", m.policy.name.clone());
        row("screen", format!("{}×{}", m.screen.width, m.screen.height));
    }
    if let Some(e) = &report.end {
        let status = serde_json::to_value(e.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        row(
            "ended",
            format!(
                "{status}{} after {} steps in {:.1} s",
                e.message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default(),
                e.steps,
                e.duration_ms as f64 / 1000.0
            ),
        );
    }
    let (input, output, cost) = report.totals();
    if input + output > 0 {
        row("tokens", format!("{input} in, {output} out"));
    }
    if let Some(c) = cost {
        row("cost", format!("${c:.4}"));
    }
    if let Some((score, status)) = &report.score {
        row("evaluation", format!("score {score:.2} ({status})"));
    }
    out.push_str("</table>");
    for step in &report.steps {
        out.push_str(&step_html(step)?);
    }
    Ok(out)
}

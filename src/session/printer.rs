//! What `deskhand run` prints: one JSON line per event with `--json`, else one readable line per
//! action.

use crate::trajectory::{ActionStatus, Event, Record};
use std::io::Write;

/// Prints events as they arrive.
pub struct Printer {
    json: bool,
    pending: Option<(u32, String)>,
}

impl Printer {
    /// A printer for `--json` (machine) or readable (human) output.
    pub fn new(json: bool) -> Printer {
        Printer {
            json,
            pending: None,
        }
    }

    /// Prints one event to stdout.
    pub fn print(&mut self, record: &Record) {
        let mut stdout = std::io::stdout().lock();
        if self.json {
            if let Ok(line) = serde_json::to_string(record) {
                let _ = writeln!(stdout, "{line}");
            }
            let _ = stdout.flush();
            return;
        }
        match &record.event {
            Event::SessionMeta(m) => {
                let _ = writeln!(
                    stdout,
                    "policy {} on display {} ({}x{}), at most {} steps",
                    m.policy.name, m.display, m.screen.width, m.screen.height, m.max_steps
                );
            }
            Event::ModelTurn(t) => {
                if let Some(u) = &t.usage {
                    let cost = u.cost_usd.map(|c| format!(", ${c:.4}")).unwrap_or_default();
                    let _ = writeln!(
                        stdout,
                        "step {:<3} model: {} ms, {} in / {} out tokens{cost}",
                        t.step, t.latency_ms, u.input_tokens, u.output_tokens
                    );
                }
            }
            Event::Narration(n) => {
                let _ = writeln!(stdout, "step {:<3} says: {}", n.step, n.text.trim());
            }
            Event::Action(a) => self.pending = Some((a.step, a.action.to_string())),
            Event::ActionResult(r) => {
                let what = self.pending.take().map(|(_, s)| s).unwrap_or_default();
                let status = match r.status {
                    ActionStatus::Ok => "ok".to_owned(),
                    ActionStatus::Error => format!("error: {}", r.error.as_deref().unwrap_or("")),
                };
                let settle = if r.settled {
                    format!("settled in {} ms", r.settle_ms)
                } else {
                    format!("still changing after {} ms", r.settle_ms)
                };
                let _ = writeln!(
                    stdout,
                    "step {:<3} {:<40} {status}  ({} ms, {settle})",
                    r.step, what, r.duration_ms
                );
            }
            Event::UserMessage(m) => {
                let _ = writeln!(stdout, "step {:<3} user: {}", m.step, m.text);
            }
            Event::SessionEnd(e) => {
                let msg = e.message.as_deref().unwrap_or("");
                let _ = writeln!(
                    stdout,
                    "{}{}{msg} ({} steps, {:.1} s)",
                    e.status.as_str(),
                    if msg.is_empty() { "" } else { ": " },
                    e.steps,
                    e.duration_ms as f64 / 1000.0
                );
            }
            Event::Resume(r) => {
                let _ = writeln!(stdout, "resumed after step {}: {}", r.steps, r.message);
            }
            Event::Observation(_) | Event::InputSent(_) => {}
        }
        let _ = stdout.flush();
    }
}

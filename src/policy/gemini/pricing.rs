//! Token accounting and an estimate of what a call cost, from Gemini's `usageMetadata`.
//!
//! The prices are the standard (paid tier, not batch) list prices per million tokens as of
//! 2026. Sources: Google's Gemini API pricing page (ai.google.dev/gemini-api/docs/pricing) as
//! quoted by model catalogues for `gemini-3-flash-preview` ($0.50 / $3.00, cached $0.05) and
//! for `gemini-2.5-computer-use-preview-10-2025` ($1.25 / $10.00 up to 200k prompt tokens,
//! $2.50 / $15.00 above); `gemini-3.5-flash` ($1.50 / $9.00, cached $0.15) from its launch
//! coverage (May 2026), not confirmed on Google's own page here. Thinking tokens are billed as
//! output. Unknown models get tokens but no cost.

use crate::trajectory::Usage;
use serde_json::Value;

/// One model's prices in $ per million tokens.
struct Price {
    prefix: &'static str,
    input: f64,
    cached: f64,
    output: f64,
    /// Prompts longer than this many tokens cost `long` (input, output) instead.
    long: Option<(u64, f64, f64)>,
}

/// First match wins.
const PRICES: &[Price] = &[
    Price {
        prefix: "gemini-3.5-flash",
        input: 1.50,
        cached: 0.15,
        output: 9.00,
        long: None,
    },
    Price {
        prefix: "gemini-3-flash",
        input: 0.50,
        cached: 0.05,
        output: 3.00,
        long: None,
    },
    Price {
        prefix: "gemini-2.5-computer-use-preview",
        input: 1.25,
        cached: 0.125,
        output: 10.00,
        long: Some((200_000, 2.50, 15.00)),
    },
];

/// Adds one response's `usageMetadata` to `total`.
pub fn add(total: &mut Usage, model: &str, usage: &Value) {
    let n = |k: &str| usage.get(k).and_then(Value::as_u64).unwrap_or(0);
    let prompt = n("promptTokenCount");
    let cached = n("cachedContentTokenCount").min(prompt);
    let out = n("candidatesTokenCount") + n("thoughtsTokenCount");
    total.input_tokens += prompt;
    total.output_tokens += out;
    let Some(p) = PRICES.iter().find(|p| model.starts_with(p.prefix)) else {
        return;
    };
    let (input, output) = match p.long {
        Some((over, i, o)) if prompt > over => (i, o),
        _ => (p.input, p.output),
    };
    let cost =
        ((prompt - cached) as f64 * input + cached as f64 * p.cached + out as f64 * output) / 1e6;
    total.cost_usd = Some(total.cost_usd.unwrap_or(0.0) + cost);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flash_costs_count_thinking_as_output_and_cache_reads_cheaper() {
        let mut u = Usage::default();
        add(
            &mut u,
            "gemini-3.5-flash",
            &json!({"promptTokenCount": 2000, "cachedContentTokenCount": 1000,
                    "candidatesTokenCount": 50, "thoughtsTokenCount": 150}),
        );
        assert_eq!((u.input_tokens, u.output_tokens), (2000, 200));
        let want = (1000.0 * 1.5 + 1000.0 * 0.15 + 200.0 * 9.0) / 1e6;
        assert!((u.cost_usd.unwrap() - want).abs() < 1e-12);
    }

    #[test]
    fn long_prompts_and_unknown_models() {
        let mut u = Usage::default();
        add(
            &mut u,
            "gemini-2.5-computer-use-preview-10-2025",
            &json!({"promptTokenCount": 300_000, "candidatesTokenCount": 0}),
        );
        assert!((u.cost_usd.unwrap() - 0.75).abs() < 1e-12);
        let mut v = Usage::default();
        add(&mut v, "gemini-9", &json!({"promptTokenCount": 5}));
        assert_eq!((v.input_tokens, v.cost_usd), (5, None));
    }
}

//! The slides metrics that read one XML part or LibreOffice's registry directly, as OSWorld's
//! ElementTree code does (element names matched by local name):
//!
//! - `check_presenter_console_disable(xcu)`: the first `item` with path
//!   `/org.openoffice.Office.Impress/Misc/Start` holding a `prop` named
//!   `EnablePresenterScreen`: 1 when that prop's `value` child reads `false` (any case), else
//!   0; 0 without one, for a file that does not parse, or a prop without a `value` child.
//! - `check_auto_saving_time(xcu, {"minutes": n})`: the `AutoSaveTimeIntervall` prop of the
//!   last `item` with path `/org.openoffice.Office.Common/Save/Document` (its first such prop);
//!   1 when its value as an integer equals `minutes`. 0 without it or for a file that does not
//!   parse; OSWorld raises on a value that is not an integer or a prop without a value (here
//!   an error).
//! - `check_transition(pptx, {"slide_idx": i, "transition_type": t})`: the part
//!   `ppt/slides/slide{i+1}.xml` (by file name, not presentation order); 1 when its first
//!   `transition` element has a descendant named `t`.
//! - `check_page_number_colors(pptx, {"color": c})`: the second-last `srgbClr` below a
//!   `solidFill` in `ppt/slideMasters/slideMaster1.xml`; its `val` sliced as OSWorld slices a
//!   `#rrggbb` string (`[1:3]`, `[3:5]`, `[5:7]` of the six hex digits, so "FF0000" reads as
//!   240, 0, 0) and tested for red, blue, green or black with a margin of 50; other colours
//!   pass. Fewer than two colours, or a slice that is not hex, raise in OSWorld (an error here).

use super::super::{Got, MetricError, invalid, one_file, rules, score_of};
use super::xml::{El, Package, parse};
use serde_json::Value;

fn descendants<'a>(el: &'a El, out: &mut Vec<&'a El>) {
    for c in &el.children {
        out.push(c);
        descendants(c, out);
    }
}

fn all_below(el: &El) -> Vec<&El> {
    let mut out = Vec::new();
    descendants(el, &mut out);
    out
}

fn read_xml(path: &std::path::Path) -> Option<El> {
    parse(&std::fs::read(path).ok()?)
}

pub(super) fn presenter_console(result: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "check_presenter_console_disable";
    let Some(root) = one_file(M, "result", result)?.and_then(read_xml) else {
        return Ok(0.0);
    };
    let items = std::iter::once(&root).chain(all_below(&root));
    for item in items.filter(|e| {
        e.name == "item" && e.attr("path") == Some("/org.openoffice.Office.Impress/Misc/Start")
    }) {
        if let Some(prop) = item
            .all("prop")
            .find(|p| p.attr("name") == Some("EnablePresenterScreen"))
        {
            let value = prop.child("value");
            return Ok(score_of(
                value.is_some_and(|v| v.text.to_lowercase() == "false"),
            ));
        }
    }
    Ok(0.0)
}

pub(super) fn auto_saving_time(
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    const M: &str = "check_auto_saving_time";
    let rules = rules(M, expected)?;
    let minutes = rules
        .get("minutes")
        .ok_or_else(|| invalid(M, "the rules have no \"minutes\""))?;
    let Some(root) = one_file(M, "result", result)?.and_then(read_xml) else {
        return Ok(0.0);
    };
    let mut found: Option<Option<String>> = None;
    for item in all_below(&root).into_iter().filter(|e| {
        e.name == "item" && e.attr("path") == Some("/org.openoffice.Office.Common/Save/Document")
    }) {
        if let Some(prop) = all_below(item)
            .into_iter()
            .find(|p| p.name == "prop" && p.attr("name") == Some("AutoSaveTimeIntervall"))
        {
            let value = all_below(prop).into_iter().find(|v| v.name == "value");
            found = Some(value.map(|v| v.text.clone()));
        }
    }
    let Some(text) = found else {
        return Ok(0.0);
    };
    let text = text.ok_or_else(|| invalid(M, "AutoSaveTimeIntervall has no value"))?;
    let n: i64 = text.trim().replace('_', "").parse().map_err(|_| {
        invalid(
            M,
            format!("AutoSaveTimeIntervall is not an integer: {text:?}"),
        )
    })?;
    let equal = match minutes {
        Value::Number(m) => m.as_f64() == Some(n as f64),
        Value::Bool(b) => i64::from(b.to_owned()) == n,
        _ => false,
    };
    Ok(score_of(equal))
}

fn member(path: &std::path::Path, name: &str) -> Option<El> {
    Package::open(path)?.xml(name)
}

pub(super) fn transition(result: Option<&Got>, expected: Option<&Got>) -> Result<f64, MetricError> {
    const M: &str = "check_transition";
    let rules = rules(M, expected)?;
    let idx = rules
        .get("slide_idx")
        .and_then(Value::as_i64)
        .ok_or_else(|| invalid(M, "slide_idx must be an integer"))?;
    let kind = rules
        .get("transition_type")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(M, "transition_type must be a string"))?;
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Some(slide) = member(path, &format!("ppt/slides/slide{}.xml", idx + 1)) else {
        return Ok(0.0);
    };
    let found = all_below(&slide)
        .into_iter()
        .find(|e| e.name == "transition")
        .is_some_and(|t| all_below(t).iter().any(|e| e.name == kind));
    Ok(score_of(found))
}

fn hex(s: &str, from: usize, to: usize) -> Option<i64> {
    let chars: Vec<char> = s.chars().collect();
    let piece: String = chars
        .get(from.min(chars.len())..to.min(chars.len()))?
        .iter()
        .collect();
    i64::from_str_radix(&piece, 16).ok()
}

pub(super) fn page_number_colors(
    result: Option<&Got>,
    expected: Option<&Got>,
) -> Result<f64, MetricError> {
    const M: &str = "check_page_number_colors";
    let rules = rules(M, expected)?;
    let color = rules.get("color").cloned().unwrap_or(Value::Null);
    let Some(path) = one_file(M, "result", result)? else {
        return Ok(0.0);
    };
    let Some(master) = member(path, "ppt/slideMasters/slideMaster1.xml") else {
        return Ok(0.0);
    };
    let mut colors: Vec<&El> = Vec::new();
    for fill in all_below(&master)
        .into_iter()
        .filter(|e| e.name == "solidFill")
    {
        colors.extend(all_below(fill).into_iter().filter(|e| e.name == "srgbClr"));
    }
    if colors.len() < 2 {
        return Err(invalid(M, "the slide master has fewer than two colours"));
    }
    let Some(val) = colors[colors.len() - 2].attr("val") else {
        return Ok(0.0);
    };
    let (Some(r), Some(g), Some(b)) = (hex(val, 1, 3), hex(val, 3, 5), hex(val, 5, 7)) else {
        return Err(invalid(M, format!("colour {val:?} is not hex as sliced")));
    };
    let t = 50;
    let pass = match color.as_str() {
        Some("red") => r > g + t && r > b + t,
        Some("blue") => b > g + t && b > r + t,
        Some("green") => g > r + t && g > b + t,
        Some("black") => r < t && g < t && b < t,
        _ => true,
    };
    Ok(score_of(pass))
}

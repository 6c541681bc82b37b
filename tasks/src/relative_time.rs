//! OSWorld's `rule_relativeTime` getter: rules whose expected values hold date placeholders
//! (`{Year}`, `{Month0D}`, …) for a date given in words relative to today ("next Monday",
//! "10th next month"), resolved into concrete text.
//!
//! The rules look like
//!
//! ```json
//! {"relativeTime": {"from": "next week Friday", "to": "next week Sunday"},
//!  "timezone": "America/New_York",
//!  "expected": {"from": "{DoW}, {Month} {Day0D}", "to": "{DoW}, {Month} {Day0D}", "city": "…"}}
//! ```
//!
//! With only `from`, the date fills `expected.time` (a template, or a list of templates, which
//! OSWorld's getter cannot format: its chrome task 82bc8d6a has one); with `to` as well, `from` fills
//! `expected.from` (or `puDay`, `puMonth`, `puYear` for "next Monday split") and `to` fills
//! `expected.to` (or `doDay`, `doMonth`, `doYear` for "next Friday split"). Other keys are kept.
//! The rules come back whole, as OSWorld's getter returns them.
//!
//! "Today" is the date in `timezone` (an IANA name; unknown names fall back to UTC, as in
//! OSWorld). Without `timezone`, OSWorld asks an IP geolocation service for the machine's zone;
//! deskhand takes the offset of the `now` it is given, so callers pass local time.
//!
//! Placeholders, each replaced once, in this order: `{DoW}` (Mon), `{Month}` (Jan), `{DayD}`
//! (5), `{Year}` (2024), `{Month0D}` (01), `{month}` (january), `{MonthFull}` (January),
//! `{Day0D}` (05), `{MonthD}` (1), `{DoWJ}` (月).
//!
//! Phrases: "tomorrow", "this month", "5th/10th/11th next month", "this Saturday", "this
//! Sunday", "next Monday", "next Friday", "next Saturday", "next Sunday", "next week Friday",
//! "next week Saturday", "next week Sunday", "next Monday split", "next Friday split", "first
//! monday four months later", "first monday eight months later", with OSWorld's arithmetic
//! (its "next Friday" on a Friday is a week later; a "to" of "next Friday" after a "from" of
//! "next Monday" is that Monday's Friday; "next Sunday" after "next Friday"/"next Saturday" is
//! that weekend's Sunday). OSWorld computes some phrases only in one position (a `to` of "10th
//! next month" crashes it); deskhand computes every phrase in any position. OSWorld's "first
//! monday four months later" crashes in August (month 0); deskhand takes December.

use serde_json::{Map, Value};
use time::{Date, Duration, Month, OffsetDateTime, UtcOffset};

/// Why relative-time rules could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RelativeTimeError {
    /// The rules do not have the shape OSWorld's getter reads.
    #[error("rule_relativeTime: {0}")]
    Invalid(String),
    /// A phrase OSWorld's getter does not know.
    #[error("rule_relativeTime: unknown relative time {0:?}")]
    UnknownPhrase(String),
}

/// Resolves the rules' relative dates against `now`; rules that cannot be resolved come back
/// unchanged (their placeholders then match nothing).
pub fn resolve(rules: &Value, now: OffsetDateTime) -> Value {
    try_resolve(rules, now).unwrap_or_else(|_| rules.clone())
}

/// Resolves the rules' relative dates against `now`.
pub fn try_resolve(rules: &Value, now: OffsetDateTime) -> Result<Value, RelativeTimeError> {
    let invalid = |why: &str| RelativeTimeError::Invalid(why.to_owned());
    let mut rules = rules.clone();
    let Some(obj) = rules.as_object_mut() else {
        return Err(invalid("the rules must be an object"));
    };
    let relative = obj
        .get("relativeTime")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the rules need a relativeTime object"))?;
    let from = relative
        .get("from")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("relativeTime needs a \"from\" phrase"))?
        .to_owned();
    let to = match relative.get("to") {
        None => None,
        Some(Value::String(to)) => Some(to.clone()),
        Some(_) => return Err(invalid("relativeTime.to must be a phrase")),
    };
    let today = today(obj.get("timezone").and_then(Value::as_str), now);
    let expected = obj
        .get_mut("expected")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| invalid("the rules need an expected object"))?;
    let from_day = day(&from, today, None)?;
    match to {
        None => fill(expected, &["time"], from_day)?,
        Some(to) => {
            if from == "next Monday split" {
                fill(expected, &["puDay", "puMonth", "puYear"], from_day)?;
            } else {
                fill(expected, &["from"], from_day)?;
            }
            let to_day = day(&to, today, Some((&from, from_day)))?;
            if to == "next Friday split" {
                fill(expected, &["doDay", "doMonth", "doYear"], to_day)?;
            } else {
                fill(expected, &["to"], to_day)?;
            }
        }
    }
    Ok(rules)
}

/// Today's date in `timezone`, else in `now`'s own offset.
fn today(timezone: Option<&str>, now: OffsetDateTime) -> Date {
    let offset = match timezone {
        None => now.offset(),
        Some(name) => {
            let seconds = jiff::tz::TimeZone::get(name)
                .ok()
                .zip(jiff::Timestamp::from_second(now.unix_timestamp()).ok())
                .map_or(0, |(tz, ts)| tz.to_offset(ts).seconds());
            UtcOffset::from_whole_seconds(seconds).unwrap_or(UtcOffset::UTC)
        }
    };
    now.to_offset(offset).date()
}

/// The date a phrase names; `from` is the range's start, for a `to` phrase.
fn day(phrase: &str, today: Date, from: Option<(&str, Date)>) -> Result<Date, RelativeTimeError> {
    let wd = i64::from(today.weekday().number_days_from_monday());
    let plus = |days: i64| add_days(today, days);
    match phrase {
        "tomorrow" => plus(1),
        "this month" => Ok(today),
        "5th next month" => day_of_next_month(today, 5),
        "10th next month" => day_of_next_month(today, 10),
        "11th next month" => day_of_next_month(today, 11),
        "this Saturday" => plus(5 - wd),
        "this Sunday" => plus(6 - wd),
        "next Monday" | "next Monday split" => plus(7 - wd),
        "next Friday" | "next Friday split" => match from {
            Some(("next Monday" | "next Monday split", monday)) => add_days(monday, 4),
            _ if wd < 4 => plus(4 - wd),
            _ => plus(7 - wd + 4),
        },
        "next Saturday" => match wd {
            0..=4 => plus(5 - wd),
            5 => plus(7),
            _ => plus(6),
        },
        "next Sunday" => match from {
            Some(("next Friday" | "next Saturday", start)) => sunday_of(start),
            _ if wd < 6 => plus(6 - wd),
            _ => plus(7),
        },
        "next week Friday" => plus(7 - wd + 4),
        "next week Saturday" => plus(7 - wd + 5),
        "next week Sunday" => match from {
            Some(("next week Friday" | "next week Saturday", start)) => sunday_of(start),
            _ => plus(7 - wd + 6),
        },
        "first monday four months later" => first_monday_months_later(today, 4),
        "first monday eight months later" => first_monday_months_later(today, 8),
        other => Err(RelativeTimeError::UnknownPhrase(other.to_owned())),
    }
}

fn add_days(date: Date, days: i64) -> Result<Date, RelativeTimeError> {
    date.checked_add(Duration::days(days))
        .ok_or_else(|| RelativeTimeError::Invalid("date out of range".to_owned()))
}

fn sunday_of(date: Date) -> Result<Date, RelativeTimeError> {
    add_days(
        date,
        6 - i64::from(date.weekday().number_days_from_monday()),
    )
}

/// Day `n` of the month after `today`'s.
fn day_of_next_month(today: Date, n: u8) -> Result<Date, RelativeTimeError> {
    month_start(today, 1).and_then(|start| {
        start
            .replace_day(n)
            .map_err(|e| RelativeTimeError::Invalid(e.to_string()))
    })
}

/// The first Monday of the month `months` after `today`'s.
fn first_monday_months_later(today: Date, months: u8) -> Result<Date, RelativeTimeError> {
    let first = month_start(today, months)?;
    let wd = i64::from(first.weekday().number_days_from_monday());
    add_days(first, (7 - wd) % 7)
}

/// The first day of the month `months` after `today`'s.
fn month_start(today: Date, months: u8) -> Result<Date, RelativeTimeError> {
    let index = u32::from(u8::from(today.month())) - 1 + u32::from(months);
    let year = today.year() + i32::try_from(index / 12).unwrap_or(0);
    let month = Month::try_from(u8::try_from(index % 12 + 1).unwrap_or(1))
        .map_err(|e| RelativeTimeError::Invalid(e.to_string()))?;
    Date::from_calendar_date(year, month, 1).map_err(|e| RelativeTimeError::Invalid(e.to_string()))
}

/// Formats `date` into each of `keys` of `expected`: a template, or a list of templates (one
/// of which the result must match, with `expect_in_result`).
fn fill(
    expected: &mut Map<String, Value>,
    keys: &[&str],
    date: Date,
) -> Result<(), RelativeTimeError> {
    for key in keys {
        let formatted = match expected.get(*key) {
            Some(Value::String(template)) => Value::String(format(template, date)),
            Some(Value::Array(templates)) => Value::Array(
                templates
                    .iter()
                    .map(|t| match t {
                        Value::String(t) => Ok(Value::String(format(t, date))),
                        _ => Err(not_a_template(key)),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            _ => return Err(not_a_template(key)),
        };
        expected.insert((*key).to_owned(), formatted);
    }
    Ok(())
}

fn not_a_template(key: &str) -> RelativeTimeError {
    RelativeTimeError::Invalid(format!(
        "expected.{key} must be a template or a list of templates"
    ))
}

/// OSWorld's `apply_rules_to_timeFormat`.
fn format(template: &str, date: Date) -> String {
    const DOW: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const DOW_JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let wd = usize::from(date.weekday().number_days_from_monday());
    let m = usize::from(u8::from(date.month())) - 1;
    let full = MONTHS[m];
    let day = date.day();
    let month = m + 1;
    let replacements = [
        ("{DoW}", DOW[wd].to_owned()),
        ("{Month}", full[..3].to_owned()),
        ("{DayD}", day.to_string()),
        ("{Year}", date.year().to_string()),
        ("{Month0D}", format!("{month:02}")),
        ("{month}", full.to_lowercase()),
        ("{MonthFull}", full.to_owned()),
        ("{Day0D}", format!("{day:02}")),
        ("{MonthD}", month.to_string()),
        ("{DoWJ}", DOW_JA[wd].to_owned()),
    ];
    let mut text = template.to_owned();
    for (placeholder, value) in replacements {
        text = text.replacen(placeholder, &value, 1);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;
    use time::macros::datetime;

    #[test]
    fn single_dates() {
        // 2024-03-13 is a Wednesday.
        let now = datetime!(2024-03-13 10:00 UTC);
        let rules = json!({"relativeTime": {"from": "next Monday"},
            "expected": {"q": "x", "time": ["{Year}-{Month0D}-{Day0D}", "{DayD}"]}});
        assert_eq!(
            resolve(&rules, now)["expected"]["time"],
            json!(["2024-03-18", "18"])
        );
        // A template that is not text is a task mistake; the rules come back unchanged.
        let rules = json!({"relativeTime": {"from": "next Monday"}, "expected": {"time": 3}});
        assert_eq!(resolve(&rules, now), rules);
        let rules = json!({"relativeTime": {"from": "next Monday"},
            "expected": {"q": "x", "time": "{Year}-{Month0D}-{Day0D}"}});
        assert_eq!(
            try_resolve(&rules, now).unwrap(),
            json!({"relativeTime": {"from": "next Monday"},
                "expected": {"q": "x", "time": "2024-03-18"}})
        );
        let at = |from: &str, template: &str| {
            let r = json!({"relativeTime": {"from": from}, "expected": {"time": template}});
            try_resolve(&r, now).unwrap()["expected"]["time"].clone()
        };
        assert_eq!(
            at("tomorrow", "{DoW}, {Month} {Day0D}, {Year}"),
            "Thu, Mar 14, 2024"
        );
        assert_eq!(at("this month", "{month}-weather"), "march-weather");
        assert_eq!(
            at("5th next month", "{DoW}, {Month} {Day0D}, {Year}"),
            "Fri, Apr 05, 2024"
        );
        assert_eq!(
            at("10th next month", "{Year}-{Month0D}-{DayD}"),
            "2024-04-10"
        );
        assert_eq!(
            at(
                "first monday eight months later",
                "{MonthFull} {Day0D}, 10:15 AM"
            ),
            "November 04, 10:15 AM"
        );
        assert_eq!(
            at("first monday four months later", "{DoWJ} {MonthD}/{DayD}"),
            "月 7/1"
        );
    }

    #[test]
    fn months_roll_over_years() {
        let december = datetime!(2023-12-20 12:00 UTC);
        let r = json!({"relativeTime": {"from": "10th next month"}, "expected": {"time": "{Year}-{Month0D}-{DayD}"}});
        assert_eq!(
            try_resolve(&r, december).unwrap()["expected"]["time"],
            "2024-01-10"
        );
        // OSWorld crashes in August (month 0); deskhand takes December.
        let august = datetime!(2024-08-02 12:00 UTC);
        let r = json!({"relativeTime": {"from": "first monday four months later"}, "expected": {"time": "{Year}-{Month0D}-{Day0D}"}});
        assert_eq!(
            try_resolve(&r, august).unwrap()["expected"]["time"],
            "2024-12-02"
        );
        let september = datetime!(2024-09-02 12:00 UTC);
        assert_eq!(
            try_resolve(&r, september).unwrap()["expected"]["time"],
            "2025-01-06"
        );
    }

    #[test]
    fn ranges() {
        // 2024-03-15 is a Friday.
        let friday = datetime!(2024-03-15 12:00 UTC);
        let r = json!({"relativeTime": {"from": "next Monday split", "to": "next Friday split"},
            "timezone": "Europe/Zurich",
            "expected": {"puDay": "{DayD}", "puMonth": "{MonthD}", "puYear": "{Year}",
                "doDay": "{DayD}", "doMonth": "{MonthD}", "doYear": "{Year}"}});
        assert_eq!(
            try_resolve(&r, friday).unwrap()["expected"],
            json!({"puDay": "18", "puMonth": "3", "puYear": "2024",
                "doDay": "22", "doMonth": "3", "doYear": "2024"})
        );
        let weekend = |from: &str, to: &str| {
            let r = json!({"relativeTime": {"from": from, "to": to},
                "expected": {"from": "{DoW} {DayD}", "to": "{DoW} {DayD}"}});
            let e = try_resolve(&r, friday).unwrap()["expected"].clone();
            (
                e["from"].as_str().unwrap().to_owned(),
                e["to"].as_str().unwrap().to_owned(),
            )
        };
        // OSWorld's "next Friday" on a Friday is a week later, and its Sunday follows it.
        assert_eq!(
            weekend("next Friday", "next Sunday"),
            ("Fri 22".into(), "Sun 24".into())
        );
        assert_eq!(
            weekend("next Saturday", "next Sunday"),
            ("Sat 16".into(), "Sun 17".into())
        );
        assert_eq!(
            weekend("this Saturday", "this Sunday"),
            ("Sat 16".into(), "Sun 17".into())
        );
        assert_eq!(
            weekend("next week Friday", "next week Sunday"),
            ("Fri 22".into(), "Sun 24".into())
        );
        assert_eq!(
            weekend("next week Saturday", "next week Sunday"),
            ("Sat 23".into(), "Sun 24".into())
        );
        assert_eq!(
            weekend("10th next month", "11th next month"),
            ("Wed 10".into(), "Thu 11".into())
        );
    }

    #[test]
    fn today_is_taken_in_the_time_zone() {
        // 23:30 UTC on Sunday 2024-03-17 is already Monday in Zurich, still Sunday in New York.
        let now = datetime!(2024-03-17 23:30 UTC);
        let tomorrow = |tz: Option<&str>| {
            let mut r =
                json!({"relativeTime": {"from": "tomorrow"}, "expected": {"time": "{DoW} {DayD}"}});
            if let Some(tz) = tz {
                r["timezone"] = json!(tz);
            }
            try_resolve(&r, now).unwrap()["expected"]["time"].clone()
        };
        assert_eq!(tomorrow(Some("Europe/Zurich")), "Tue 19");
        assert_eq!(tomorrow(Some("America/New_York")), "Mon 18");
        assert_eq!(tomorrow(Some("Not/AZone")), "Mon 18");
        assert_eq!(tomorrow(None), "Mon 18");
        // Without a zone, `now`'s own offset counts.
        let local = now.to_offset(UtcOffset::from_hms(9, 0, 0).unwrap());
        let r = json!({"relativeTime": {"from": "tomorrow"}, "expected": {"time": "{DoW} {DayD}"}});
        assert_eq!(
            try_resolve(&r, local).unwrap()["expected"]["time"],
            "Tue 19"
        );
    }

    #[test]
    fn mistakes_are_reported() {
        let now = datetime!(2024-03-13 10:00 UTC);
        let r = json!({"relativeTime": {"from": "someday"}, "expected": {"time": "{Year}"}});
        assert_eq!(
            try_resolve(&r, now),
            Err(RelativeTimeError::UnknownPhrase("someday".into()))
        );
        assert_eq!(resolve(&r, now), r);
        let r = json!({"relativeTime": {"from": "tomorrow", "to": "this Sunday"}, "expected": {"from": "{Year}"}});
        assert!(matches!(
            try_resolve(&r, now),
            Err(RelativeTimeError::Invalid(_))
        ));
        assert!(try_resolve(&json!([1]), now).is_err());
    }
}

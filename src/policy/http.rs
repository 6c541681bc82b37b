//! Posting JSON to a model provider, with the retries every provider needs: 429 honours
//! `retry-after` (or, without it, the `retryDelay` of a Google `google.rpc.RetryInfo` in the
//! body; a Google per-day quota is not retried at all); 5xx, 529, timeouts, dropped connections and truncated or malformed bodies back
//! off exponentially with jitter. Each is retried a bounded number of times, then reported as
//! one clear error. API keys travel only in headers and never appear in an error.

use rand::Rng as _;
use std::time::Duration;

/// How hard to retry.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The first back-off; doubled each time, plus up to 50% jitter.
    pub base_delay: Duration,
    /// No back-off of deskhand's own is longer than this. A wait the provider names
    /// (`retry-after`, `retryDelay`) is honoured as asked, up to [`STATED_WAIT_CAP`].
    pub max_delay: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            timeout: Duration::from_secs(120),
        }
    }
}

/// Why a provider call failed for good.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The provider refused the request (a 4xx other than 429): retrying will not help.
    #[error("{provider} refused the request (HTTP {status}): {message}")]
    Refused {
        /// The provider's name.
        provider: &'static str,
        /// The HTTP status.
        status: u16,
        /// The provider's own error message.
        message: String,
    },
    /// Replaying a recording, no recorded call matched this request.
    #[error(
        "replay miss: no recorded call to {provider} in {from} matches this request (key {key}); the run diverged from the recording"
    )]
    ReplayMiss {
        /// The provider's name.
        provider: &'static str,
        /// The request's key.
        key: String,
        /// The run the recording came from.
        from: String,
    },
    /// Every attempt failed.
    #[error("{provider} failed after {attempts} attempts; last error: {last}")]
    Exhausted {
        /// The provider's name.
        provider: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
}

/// One failed attempt, and whether it is worth another.
enum Attempt {
    Retry {
        reason: String,
        wait: Option<Duration>,
    },
    Fatal(HttpError),
}

/// What a successful call returned, and how long it took in all (retries included).
#[derive(Debug)]
pub struct Answer {
    /// The parsed JSON body.
    pub body: serde_json::Value,
    /// Attempts used.
    pub attempts: u32,
}

/// POSTs `body` to `url` with `headers`, retrying as described in the module doc.
pub async fn post_json(
    client: &reqwest::Client,
    provider: &'static str,
    url: &str,
    headers: &[(&str, String)],
    body: &serde_json::Value,
    retry: Retry,
) -> Result<Answer, HttpError> {
    let mut last = String::new();
    for attempt in 1..=retry.attempts {
        let mut req = client.post(url).timeout(retry.timeout).json(body);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let outcome = match req.send().await {
            Err(e) => Err(Attempt::Retry {
                reason: describe(e),
                wait: None,
            }),
            Ok(resp) => read(provider, resp).await,
        };
        match outcome {
            Ok(body) => {
                return Ok(Answer {
                    body,
                    attempts: attempt,
                });
            }
            Err(Attempt::Fatal(e)) => return Err(e),
            Err(Attempt::Retry { reason, wait }) => {
                last = reason;
                if attempt < retry.attempts {
                    tokio::time::sleep(backoff(attempt, wait, retry)).await;
                }
            }
        }
    }
    Err(HttpError::Exhausted {
        provider,
        attempts: retry.attempts,
        last,
    })
}

async fn read(
    provider: &'static str,
    resp: reqwest::Response,
) -> Result<serde_json::Value, Attempt> {
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry_after(v, time::OffsetDateTime::now_utc()));
    let text = match resp.text().await {
        Ok(t) => t,
        Err(e) => {
            return Err(Attempt::Retry {
                reason: format!("the response body was cut off ({})", describe(e)),
                wait: None,
            });
        }
    };
    if status == 429 {
        // Google's envelope says how long in its body (`google.rpc.RetryInfo`), and a per-day
        // quota will not clear by waiting (`google.rpc.QuotaFailure`).
        let (body_delay, per_day) = google_retry(&text);
        if per_day {
            return Err(Attempt::Fatal(HttpError::Refused {
                provider,
                status,
                message: format!("a per-day quota is used up: {}", api_message(&text)),
            }));
        }
        return Err(Attempt::Retry {
            reason: format!("rate limited (HTTP 429): {}", api_message(&text)),
            wait: Some(retry_after.or(body_delay).unwrap_or(Duration::from_secs(1))),
        });
    }
    if status >= 500 {
        return Err(Attempt::Retry {
            reason: format!("server error (HTTP {status}): {}", api_message(&text)),
            wait: retry_after,
        });
    }
    if status >= 400 {
        return Err(Attempt::Fatal(HttpError::Refused {
            provider,
            status,
            message: api_message(&text),
        }));
    }
    serde_json::from_str(&text).map_err(|e| Attempt::Retry {
        reason: format!("the response was not valid JSON ({e})"),
        wait: None,
    })
}

/// The longest `retry-after` parsed as it is; longer ones are cut to this (and then to
/// [`STATED_WAIT_CAP`] when waited).
const RETRY_AFTER_CAP: Duration = Duration::from_secs(3600);

/// A `retry-after` value as a wait: seconds (a number, fractions allowed) or an HTTP date.
/// Never panics: values out of range are capped at [`RETRY_AFTER_CAP`], a date in the past
/// or a negative number is no wait, and anything else (`NaN`, text) is ignored.
fn retry_after(value: &str, now: time::OffsetDateTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        if secs.is_nan() {
            return None;
        }
        let capped = secs.clamp(0.0, RETRY_AFTER_CAP.as_secs_f64());
        return Duration::try_from_secs_f64(capped).ok();
    }
    let at =
        time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    let wait = at - now;
    if wait.is_negative() {
        return Some(Duration::ZERO);
    }
    Some(Duration::try_from(wait).map_or(RETRY_AFTER_CAP, |d| d.min(RETRY_AFTER_CAP)))
}

/// From a Google error body: the `retryDelay` of a `google.rpc.RetryInfo` detail (`"34s"`), and
/// whether a `google.rpc.QuotaFailure` names a per-day quota (`quotaId` containing `PerDay`).
fn google_retry(text: &str) -> (Option<Duration>, bool) {
    let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let details = v.pointer("/error/details").and_then(|d| d.as_array());
    let mut delay = None;
    let mut per_day = false;
    for d in details.into_iter().flatten() {
        if let Some(s) = d.get("retryDelay").and_then(|r| r.as_str()) {
            delay = retry_after(s.trim_end_matches('s'), time::OffsetDateTime::now_utc());
        }
        per_day |= d
            .get("violations")
            .and_then(|x| x.as_array())
            .into_iter()
            .flatten()
            .any(|q| {
                q["quotaId"]
                    .as_str()
                    .is_some_and(|id| id.contains("PerDay"))
            });
    }
    (delay, per_day)
}

/// The provider's own error message from an error body, or the body's start.
fn api_message(text: &str) -> String {
    let v: Option<serde_json::Value> = serde_json::from_str(text).ok();
    let msg = v.as_ref().and_then(|v| {
        v.pointer("/error/message")
            .or_else(|| v.get("message"))
            .and_then(|m| m.as_str())
            .map(str::to_owned)
    });
    msg.unwrap_or_else(|| text.chars().take(200).collect())
}

fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "the request timed out".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else {
        // Without the URL: it may carry a key in a query string for some providers.
        e.without_url().to_string()
    }
}

/// The longest wait a provider may ask for before a retry (`retry-after`, Google's
/// `retryDelay`): per-minute quotas ask for under a minute; a longer wait is not worth holding a
/// run for.
pub const STATED_WAIT_CAP: Duration = Duration::from_secs(300);

fn backoff(attempt: u32, asked: Option<Duration>, retry: Retry) -> Duration {
    if let Some(wait) = asked {
        return wait.min(STATED_WAIT_CAP.max(retry.max_delay));
    }
    let exp = retry.base_delay.saturating_mul(1 << (attempt - 1).min(16));
    let jitter = rand::rng().random_range(0.0..0.5);
    exp.mul_f64(1.0 + jitter).min(retry.max_delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_honours_retry_after() {
        let r = Retry::default();
        assert!(backoff(1, None, r) >= Duration::from_millis(500));
        assert!(backoff(3, None, r) >= Duration::from_millis(2000));
        assert!(backoff(30, None, r) <= r.max_delay);
        assert_eq!(
            backoff(1, Some(Duration::from_secs(2)), r),
            Duration::from_secs(2)
        );
        // Honoured as asked above deskhand's own longest back-off (Google's "34s")…
        assert_eq!(
            backoff(1, Some(Duration::from_secs(34)), r),
            Duration::from_secs(34)
        );
        // …up to the cap.
        assert_eq!(
            backoff(1, Some(Duration::from_secs(999)), r),
            STATED_WAIT_CAP
        );
    }

    #[test]
    fn out_of_range_retry_after_values_are_capped_never_a_panic() {
        let now = time::macros::datetime!(2026-12-07 12:00:00 UTC);
        assert_eq!(retry_after("1e20", now), Some(RETRY_AFTER_CAP));
        assert_eq!(retry_after("inf", now), Some(RETRY_AFTER_CAP));
        assert_eq!(retry_after("-1", now), Some(Duration::ZERO));
        assert_eq!(retry_after("NaN", now), None);
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("1.5", now), Some(Duration::from_millis(1500)));
        assert_eq!(
            retry_after("Mon, 07 Dec 2026 12:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after("Sun, 06 Dec 2026 12:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now),
            Some(RETRY_AFTER_CAP)
        );
        // And through the back-off, at most the retry policy's own longest wait.
        let r = Retry::default();
        assert_eq!(backoff(1, retry_after("1e20", now), r), STATED_WAIT_CAP);
    }

    #[test]
    fn google_retry_info_and_per_day_quotas_are_read() {
        let body = r#"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"Quota exceeded","details":[
            {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},
            {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"34s"}]}}"#;
        assert_eq!(google_retry(body), (Some(Duration::from_secs(34)), false));
        let day = body.replace("PerMinute", "PerDay");
        assert!(google_retry(&day).1);
        assert_eq!(google_retry("not json"), (None, false));
    }

    #[test]
    fn api_messages_are_extracted() {
        let body = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        assert_eq!(api_message(body), "Overloaded");
        assert_eq!(api_message("<html>bad gateway"), "<html>bad gateway");
    }
}

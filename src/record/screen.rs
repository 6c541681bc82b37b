//! The recorder's eyes: a thread that captures the screen every `poll`, keeps the latest frame
//! (the observation for whatever the person does next) and the times the screen changed (to tell,
//! afterwards, how long each action took to settle).
//!
//! A recording never waits for the screen: the person acts when they like. Settling is measured
//! after the fact by [`settle_of`] from the change times, with the agent's own rules (see
//! `deskhand_vision::settle`): an action has settled once the screen stayed unchanged for `quiet`
//! after its last change, or right away when nothing changed within `reaction`.

use deskhand_vision::{Frame, ScreenSource, SettleOptions, VisionError};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Change times older than this are forgotten.
const KEEP_CHANGES: Duration = Duration::from_secs(60);

/// Why the recorder has no frame.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SampleError {
    /// A capture failed, and capturing stopped.
    #[error("{0}")]
    Capture(#[source] Arc<VisionError>),
    /// No frame was captured in time.
    #[error("no frame within {0:?}")]
    NoFrame(Duration),
}

/// One captured frame.
#[derive(Debug)]
pub struct Shot {
    /// The pixels.
    pub frame: Frame,
}

#[derive(Debug, Default)]
struct State {
    latest: Option<Arc<Shot>>,
    /// Capture times at which the screen differed from the capture before.
    changes: VecDeque<Duration>,
    /// When the latest capture began.
    horizon: Duration,
    error: Option<SampleError>,
}

/// The capture thread and what it has seen.
#[derive(Debug)]
pub struct Sampler {
    shared: Arc<(Mutex<State>, Condvar)>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Sampler {
    /// Starts capturing from `source` every `poll`, with times measured from `epoch`.
    pub fn start(mut source: Box<dyn ScreenSource>, epoch: Instant, poll: Duration) -> Sampler {
        let shared = Arc::new((Mutex::new(State::default()), Condvar::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, halt) = (shared.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let (state, ready) = &*s;
            let mut next = Instant::now();
            while !halt.load(Ordering::Relaxed) {
                let began = Instant::now();
                let at = began.duration_since(epoch);
                match source.capture() {
                    Ok(frame) => {
                        let mut st = lock(state);
                        let changed = st
                            .latest
                            .as_ref()
                            .is_some_and(|prev| !prev.frame.same_pixels(&frame));
                        if changed {
                            st.changes.push_back(at);
                            while st
                                .changes
                                .front()
                                .is_some_and(|c| at.saturating_sub(*c) > KEEP_CHANGES)
                            {
                                st.changes.pop_front();
                            }
                        }
                        if changed || st.latest.is_none() {
                            st.latest = Some(Arc::new(Shot { frame }));
                        }
                        st.horizon = at;
                    }
                    Err(e) => {
                        lock(state).error = Some(SampleError::Capture(Arc::new(e)));
                        ready.notify_all();
                        return;
                    }
                }
                ready.notify_all();
                next += poll;
                let now = Instant::now();
                if next > now {
                    std::thread::park_timeout(next - now);
                } else {
                    next = now;
                }
            }
        });
        Sampler {
            shared,
            stop,
            thread: Some(thread),
        }
    }

    /// The latest frame (unchanged frames keep the first capture that showed them).
    pub fn latest(&self) -> Option<Arc<Shot>> {
        lock(&self.shared.0).latest.clone()
    }

    /// Waits until the first frame is captured, or fails with the capture's error.
    pub fn first(&self, deadline: Duration) -> Result<Arc<Shot>, SampleError> {
        let (state, ready) = &*self.shared;
        let until = Instant::now() + deadline;
        let mut st = lock(state);
        loop {
            if let Some(e) = &st.error {
                return Err(e.clone());
            }
            if let Some(shot) = &st.latest {
                return Ok(shot.clone());
            }
            let Some(left) = until.checked_duration_since(Instant::now()) else {
                return Err(SampleError::NoFrame(deadline));
            };
            st = ready
                .wait_timeout(st, left)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    /// Why capturing stopped, if it did.
    pub fn error(&self) -> Option<SampleError> {
        lock(&self.shared.0).error.clone()
    }

    /// How the action that ended at `ended` settled, if that is known yet: with `cutoff` (the
    /// person acted again, or the recording stopped, then) it always is.
    pub fn settle(
        &self,
        ended: Duration,
        cutoff: Option<Duration>,
        opts: &SettleOptions,
    ) -> Option<SettleReport> {
        let st = lock(&self.shared.0);
        let changes: Vec<Duration> = st.changes.iter().copied().filter(|c| *c > ended).collect();
        settle_of(&changes, ended, st.horizon, cutoff, opts)
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

/// How an action settled, for its `action_result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettleReport {
    /// From the action's last input to the change after which the screen stayed still (0 when
    /// nothing changed); the time watched when it never settled.
    pub settle_ms: u64,
    /// Whether the screen stood still for `quiet` before the person acted again.
    pub settled: bool,
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Settling from change times: `changes` (sorted, all after `ended`) were seen by captures up to
/// `horizon`; `cutoff`, when given, is when watching stopped. `None`: not known yet.
pub fn settle_of(
    changes: &[Duration],
    ended: Duration,
    horizon: Duration,
    cutoff: Option<Duration>,
    opts: &SettleOptions,
) -> Option<SettleReport> {
    let deadline = ended + opts.deadline;
    let end = cutoff.unwrap_or(horizon).min(deadline);
    let seen: Vec<Duration> = changes.iter().copied().filter(|c| *c <= end).collect();
    let first = seen.first().copied();
    // Nothing changed within the reaction time: the action changed nothing (yet), settled.
    if first.is_none_or(|c| c.saturating_sub(ended) > opts.reaction)
        && end.saturating_sub(ended) >= opts.reaction
    {
        return Some(SettleReport {
            settle_ms: 0,
            settled: true,
        });
    }
    for (i, c) in seen.iter().enumerate() {
        let still_until = seen.get(i + 1).copied().unwrap_or(end);
        if still_until.saturating_sub(*c) >= opts.quiet {
            return Some(SettleReport {
                settle_ms: ms(c.saturating_sub(ended)),
                settled: true,
            });
        }
    }
    if cutoff.is_some() || end >= deadline {
        let watched = end.saturating_sub(ended);
        return Some(if first.is_none() && watched >= opts.quiet {
            SettleReport {
                settle_ms: 0,
                settled: true,
            }
        } else {
            SettleReport {
                settle_ms: ms(watched),
                settled: false,
            }
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn t(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    fn report(settle_ms: u64, settled: bool) -> Option<SettleReport> {
        Some(SettleReport { settle_ms, settled })
    }

    #[test]
    fn settles_after_the_last_change_stays_quiet() {
        let o = SettleOptions::default(); // quiet 120, reaction 250, deadline 5 s
        let changes = [t(1030), t(1060), t(1090)];
        // Not known while the quiet time has not passed.
        assert_eq!(settle_of(&changes, t(1000), t(1150), None, &o), None);
        assert_eq!(
            settle_of(&changes, t(1000), t(1210), None, &o),
            report(90, true)
        );
        // A blinking cursor later does not matter: the first quiet gap counts.
        let blink = [t(1030), t(1600), t(2200)];
        assert_eq!(
            settle_of(&blink, t(1000), t(2300), None, &o),
            report(30, true)
        );
    }

    #[test]
    fn nothing_changing_is_settled_after_the_reaction_time() {
        let o = SettleOptions::default();
        assert_eq!(settle_of(&[], t(0), t(100), None, &o), None);
        assert_eq!(settle_of(&[], t(0), t(260), None, &o), report(0, true));
        assert_eq!(
            settle_of(&[t(400)], t(0), t(500), None, &o),
            report(0, true)
        );
    }

    #[test]
    fn the_next_action_cuts_the_watch_short() {
        let o = SettleOptions::default();
        // The person acted 80 ms after a change began: not settled.
        assert_eq!(
            settle_of(&[t(20), t(50)], t(0), t(100), Some(t(130)), &o),
            report(130, false)
        );
        // Acted 150 ms after, nothing changed: still for more than quiet.
        assert_eq!(
            settle_of(&[], t(0), t(140), Some(t(150)), &o),
            report(0, true)
        );
        assert_eq!(
            settle_of(&[], t(0), t(40), Some(t(50)), &o),
            report(50, false)
        );
    }

    #[test]
    fn a_screen_that_never_stops_gives_up_at_the_deadline() {
        let o = SettleOptions::default();
        let busy: Vec<Duration> = (1..200).map(|i| t(i * 30)).collect();
        assert_eq!(settle_of(&busy, t(0), t(4000), None, &o), None);
        assert_eq!(
            settle_of(&busy, t(0), t(6000), None, &o),
            report(5000, false)
        );
    }
}

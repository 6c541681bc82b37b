//! [`RecordingDriver`]: a driver that records primitives instead of sending
//! them, for tests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::action::Button;
use crate::driver::{InputDriver, InputError, Press};
use crate::keys::Key;
use crate::point::Point;

/// One primitive a driver was asked to send.
#[derive(Debug, Clone, PartialEq)]
pub enum InputEvent {
    /// `move_to(p)`.
    Move(Point),
    /// `button(button, press)`.
    Button(Button, Press),
    /// `scroll(dx, dy)`.
    Scroll(i32, i32),
    /// `key(key, press)`.
    Key(Key, Press),
    /// `text(text)`.
    Text(String),
}

/// Records every primitive in order. Clones share the record (and the call
/// counter), so keep a clone to read events after the driver is moved into
/// [`Hands`](crate::Hands) or dropped with it.
///
/// ```
/// use deskhand_actions::{Action, Cancel, Hands, InputEvent, Point, RecordingDriver};
/// let driver = RecordingDriver::new();
/// let mut hands = Hands::new(driver.clone());
/// hands.perform(&Action::Move { x: 1, y: 2 }, &Cancel::new()).unwrap();
/// assert_eq!(driver.events(), vec![InputEvent::Move(Point::new(1, 2))]);
/// ```
#[derive(Clone, Default)]
pub struct RecordingDriver {
    events: Arc<Mutex<Vec<InputEvent>>>,
    calls: Arc<AtomicUsize>,
    fail_at: Option<usize>,
    lost_from: Option<usize>,
}

impl std::fmt::Debug for RecordingDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingDriver")
            .field("events", &self.lock().len())
            .field("calls", &self.calls.load(Ordering::SeqCst))
            .field("fail_at", &self.fail_at)
            .finish()
    }
}

impl RecordingDriver {
    /// A driver with an empty record that never fails.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the call after the first `n` primitive calls fail: calls
    /// `0..n` succeed, call `n` (the n+1-th) returns
    /// [`InputError::Backend`] and is not recorded, and later calls succeed
    /// again (so the releases that follow a failure are recorded).
    pub fn fail_after(mut self, n: usize) -> Self {
        self.fail_at = Some(n);
        self
    }

    /// Makes every call from call `n` on fail as if the display had gone
    /// ([`InputError::DisplayLost`]); nothing from then on is recorded.
    pub fn lose_display_after(mut self, n: usize) -> Self {
        self.lost_from = Some(n);
        self
    }

    /// Every primitive recorded so far, in order.
    pub fn events(&self) -> Vec<InputEvent> {
        self.lock().clone()
    }

    /// The keys and buttons the record shows pressed (`Down`) and not
    /// released (`Up`) since, in the order they were pressed, as
    /// `InputEvent::Key(k, Press::Down)` / `InputEvent::Button(b, Press::Down)`:
    /// what a real display would still hold. Empty when everything pressed
    /// was released. A failed call is not recorded, so a press that failed
    /// does not count as held.
    pub fn held(&self) -> Vec<InputEvent> {
        let mut held: Vec<InputEvent> = Vec::new();
        for event in self.lock().iter() {
            let (down, press) = match event {
                InputEvent::Key(k, press) => (InputEvent::Key(*k, Press::Down), *press),
                InputEvent::Button(b, press) => (InputEvent::Button(*b, Press::Down), *press),
                _ => continue,
            };
            match press {
                Press::Down => held.push(down),
                Press::Up => {
                    if let Some(i) = held.iter().rposition(|h| *h == down) {
                        held.remove(i);
                    }
                }
                Press::Click => {}
            }
        }
        held
    }

    /// Forgets the recorded events (the call counter keeps counting).
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// How many primitive calls were made, failed ones included.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn lock(&self) -> MutexGuard<'_, Vec<InputEvent>> {
        self.events.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&mut self, event: InputEvent) -> Result<(), InputError> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        if self.lost_from.is_some_and(|n| call >= n) {
            return Err(InputError::DisplayLost {
                reason: format!(
                    "recording driver: the display is gone from call {call} ({event:?})"
                ),
            });
        }
        if self.fail_at == Some(call) {
            return Err(InputError::Backend(format!(
                "recording driver: call {call} fails as asked ({event:?})"
            )));
        }
        self.lock().push(event);
        Ok(())
    }
}

impl InputDriver for RecordingDriver {
    fn move_to(&mut self, p: Point) -> Result<(), InputError> {
        self.record(InputEvent::Move(p))
    }

    fn button(&mut self, button: Button, press: Press) -> Result<(), InputError> {
        self.record(InputEvent::Button(button, press))
    }

    fn scroll(&mut self, dx: i32, dy: i32) -> Result<(), InputError> {
        self.record(InputEvent::Scroll(dx, dy))
    }

    fn key(&mut self, key: Key, press: Press) -> Result<(), InputError> {
        self.record(InputEvent::Key(key, press))
    }

    fn text(&mut self, text: &str) -> Result<(), InputError> {
        self.record(InputEvent::Text(text.to_owned()))
    }

    fn name(&self) -> &'static str {
        "recording"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_in_order_and_shares_between_clones() {
        let d = RecordingDriver::new();
        let mut moved = d.clone();
        moved.move_to(Point::new(1, 2)).unwrap();
        moved.key(Key::Shift, Press::Down).unwrap();
        moved.text("hi").unwrap();
        assert_eq!(
            d.events(),
            vec![
                InputEvent::Move(Point::new(1, 2)),
                InputEvent::Key(Key::Shift, Press::Down),
                InputEvent::Text("hi".into()),
            ]
        );
        assert_eq!(d.calls(), 3);
        d.clear();
        assert!(d.events().is_empty());
        assert_eq!(moved.name(), "recording");
    }

    #[test]
    fn held_lists_what_was_pressed_and_not_released() {
        let mut d = RecordingDriver::new();
        d.key(Key::Control, Press::Down).unwrap();
        d.button(Button::Left, Press::Down).unwrap();
        d.key(Key::Shift, Press::Down).unwrap();
        d.key(Key::Unicode('a'), Press::Click).unwrap();
        d.key(Key::Control, Press::Up).unwrap();
        assert_eq!(
            d.held(),
            vec![
                InputEvent::Button(Button::Left, Press::Down),
                InputEvent::Key(Key::Shift, Press::Down),
            ]
        );
        d.button(Button::Left, Press::Up).unwrap();
        d.key(Key::Shift, Press::Up).unwrap();
        // A release of something not held changes nothing.
        d.key(Key::Alt, Press::Up).unwrap();
        assert!(d.held().is_empty());
    }

    #[test]
    fn a_press_that_failed_is_not_held() {
        let mut d = RecordingDriver::new().fail_after(0);
        assert!(d.key(Key::Shift, Press::Down).is_err());
        assert!(d.held().is_empty());
    }

    #[test]
    fn fail_after_fails_exactly_one_call() {
        let mut d = RecordingDriver::new().fail_after(1);
        d.scroll(0, 1).unwrap();
        assert!(matches!(d.scroll(0, 2), Err(InputError::Backend(_))));
        d.scroll(0, 3).unwrap();
        assert_eq!(
            d.events(),
            vec![InputEvent::Scroll(0, 1), InputEvent::Scroll(0, 3)]
        );
        assert_eq!(d.calls(), 3);
    }
}

//! The runtime's clock: the system's monotonic clock, or a paused clock that only moves
//! when told to.
//!
//! # Model
//!
//! The clock's time is `base + (system now - running_since)` while it runs and `base`
//! while it is paused:
//!
//! * `pause` folds the time elapsed since the last resume into `base` and stops;
//! * `advance(d)` (paused only) adds `d` to `base`;
//! * `resume` starts counting system time again from `base`.
//!
//! A clock that was never paused is exactly the system clock. Its `now()` never takes the
//! lock: a flag that is set by the first `pause` (and never cleared) sends readers to the
//! locked state only from then on, so the clock of a production runtime costs one atomic
//! load on top of `std::time::Instant::now()`.

use std::fmt;
use std::time::Duration;

use super::Instant;
use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex};

/// The clock of one runtime; cheap to clone (all clones share the same time).
#[derive(Clone)]
pub(crate) struct Clock {
    inner: Arc<Inner>,
}

struct Inner {
    /// Whether `pause` may be called (set by the scheduler: the current-thread runtime).
    allow_pause: bool,
    /// Set (for good) by the first pause; until then `now()` is the system clock.
    ever_paused: AtomicBool,
    /// How many pieces of work the driver cannot see (blocking-pool closures) are in
    /// flight: while any is, a paused clock does not auto-advance.
    inhibit_auto_advance: AtomicUsize,
    state: Mutex<State>,
}

struct State {
    /// The clock's time at the last pause / resume, plus every `advance` since.
    base: Instant,
    /// The system instant of the last resume; `None` while paused.
    running_since: Option<std::time::Instant>,
}

impl Clock {
    /// A clock reading the system time (`start_paused`: frozen at the current time).
    ///
    /// `allow_pause` says whether [`pause`](Clock::pause) may be called; a clock that
    /// starts paused is paused regardless.
    pub(crate) fn new(start_paused: bool, allow_pause: bool) -> Clock {
        let system_now = std::time::Instant::now();
        let clock = Clock {
            inner: Arc::new(Inner {
                allow_pause,
                ever_paused: AtomicBool::new(false),
                inhibit_auto_advance: AtomicUsize::new(0),
                state: Mutex::new(State {
                    base: Instant::from_std(system_now),
                    running_since: Some(system_now),
                }),
            }),
        };
        if start_paused {
            clock.freeze(&mut clock.inner.state.lock());
        }
        clock
    }

    /// Keeps a paused clock from auto-advancing until the matching
    /// [`allow_auto_advance`](Clock::allow_auto_advance).
    pub(crate) fn inhibit_auto_advance(&self) {
        self.inner.inhibit_auto_advance.fetch_add(1, Ordering::AcqRel);
    }

    /// Ends one [`inhibit_auto_advance`](Clock::inhibit_auto_advance). Returns whether
    /// the clock was ever paused (then the driver should look again).
    pub(crate) fn allow_auto_advance(&self) -> bool {
        let prev = self.inner.inhibit_auto_advance.fetch_sub(1, Ordering::AcqRel);
        debug_assert!(prev > 0, "allow_auto_advance without inhibit_auto_advance");
        self.inner.ever_paused.load(Ordering::Acquire)
    }

    /// Whether a paused clock may jump to the next timer now.
    pub(crate) fn can_auto_advance(&self) -> bool {
        self.inner.inhibit_auto_advance.load(Ordering::Acquire) == 0
    }

    /// The current time of this clock.
    pub(crate) fn now(&self) -> Instant {
        if !self.inner.ever_paused.load(Ordering::Acquire) {
            return Instant::from_std(std::time::Instant::now());
        }
        self.inner.state.lock().now()
    }

    /// Whether the clock was ever paused (until then it is the system clock).
    pub(crate) fn ever_paused(&self) -> bool {
        self.inner.ever_paused.load(Ordering::Acquire)
    }

    /// Whether the clock is paused.
    pub(crate) fn is_paused(&self) -> bool {
        self.inner.ever_paused.load(Ordering::Acquire) && self.inner.state.lock().running_since.is_none()
    }

    /// Whether [`pause`](Clock::pause) is allowed on this clock.
    pub(crate) fn allows_pause(&self) -> bool {
        self.inner.allow_pause
    }

    /// Stops the clock at its current time.
    ///
    /// # Panics
    ///
    /// If pausing is not allowed (the runtime was not built with `allow_pause`; only the
    /// current-thread scheduler allows it), or if the clock is already paused.
    pub(crate) fn pause(&self) {
        assert!(
            self.inner.allow_pause,
            "time::pause() is not allowed on this runtime: the clock can only be paused on a \
             current-thread runtime (rt-sched's `Builder::new_current_thread`)"
        );
        let mut state = self.inner.state.lock();
        assert!(
            state.running_since.is_some(),
            "time::pause(): the clock is already paused"
        );
        self.freeze(&mut state);
    }

    /// Starts the clock again from its paused time.
    ///
    /// # Panics
    ///
    /// If the clock is not paused.
    pub(crate) fn resume(&self) {
        let mut state = self.inner.state.lock();
        assert!(state.running_since.is_none(), "time::resume(): the clock is not paused");
        state.running_since = Some(std::time::Instant::now());
    }

    /// Moves a paused clock forward by `duration`.
    ///
    /// # Panics
    ///
    /// If the clock is not paused.
    pub(crate) fn advance(&self, duration: Duration) {
        let mut state = self.inner.state.lock();
        assert!(
            state.running_since.is_none(),
            "time::advance(): the clock is not paused (call time::pause() first)"
        );
        state.base = state.base.saturating_add(duration);
    }

    fn freeze(&self, state: &mut State) {
        state.base = state.now();
        state.running_since = None;
        // Under the lock: a reader that sees the flag then locks, and finds `base` set.
        self.inner.ever_paused.store(true, Ordering::Release);
    }
}

impl State {
    fn now(&self) -> Instant {
        match self.running_since {
            Some(since) => self.base.saturating_add(since.elapsed()),
            None => self.base,
        }
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Clock")
            .field("now", &self.now())
            .field("paused", &self.is_paused())
            .field("allow_pause", &self.inner.allow_pause)
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_running_clock_follows_the_system_clock() {
        let clock = Clock::new(false, false);
        let before = std::time::Instant::now();
        let now = clock.now().into_std();
        assert!(now >= before && now - before < Duration::from_secs(5));
        assert!(!clock.is_paused());
    }

    #[test]
    fn a_paused_clock_only_moves_on_advance() {
        let clock = Clock::new(true, true);
        assert!(clock.is_paused());
        let t0 = clock.now();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now(), t0);
        clock.advance(Duration::from_millis(250));
        assert_eq!(clock.now(), t0 + Duration::from_millis(250));
        clock.advance(Duration::ZERO);
        assert_eq!(clock.now(), t0 + Duration::from_millis(250));
    }

    #[test]
    fn pause_then_resume_continues_from_the_paused_time() {
        let clock = Clock::new(false, true);
        clock.pause();
        let paused_at = clock.now();
        clock.advance(Duration::from_secs(3600));
        clock.resume();
        assert!(!clock.is_paused());
        let after = clock.now();
        assert!(after >= paused_at + Duration::from_secs(3600));
        assert!(after < paused_at + Duration::from_secs(3605));
        // Clones share the time.
        let clone = clock.clone();
        clone.pause();
        assert!(clock.is_paused());
        assert_eq!(clock.now(), clone.now());
    }

    #[test]
    #[should_panic(expected = "not allowed on this runtime")]
    fn pause_panics_when_not_allowed() {
        Clock::new(false, false).pause();
    }

    #[test]
    #[should_panic(expected = "already paused")]
    fn pause_twice_panics() {
        let clock = Clock::new(true, true);
        clock.pause();
    }

    #[test]
    #[should_panic(expected = "not paused")]
    fn advance_panics_on_a_running_clock() {
        Clock::new(false, true).advance(Duration::from_millis(1));
    }

    #[test]
    #[should_panic(expected = "not paused")]
    fn resume_panics_on_a_running_clock() {
        Clock::new(false, true).resume();
    }

    #[test]
    fn start_paused_works_without_allow_pause() {
        let clock = Clock::new(true, false);
        assert!(clock.is_paused());
        assert!(!clock.allows_pause());
        clock.advance(Duration::from_secs(1));
    }
}

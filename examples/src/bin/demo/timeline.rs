//! Each backend's state over time, as the proxy reports it, one entry per second.

use std::time::Duration;

use examples::proxy::{BackendState, Snapshot};

/// A backend's state in a snapshot, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Seen {
    /// Ready for requests.
    Ready,
    /// Not ready yet (connecting, at capacity).
    Pending,
    /// Ejected or on probation after failures.
    Failing,
    /// Removed from the endpoint set.
    Removed,
    /// Not in the snapshot at all.
    Missing,
}

impl Seen {
    /// The state of the backend at `addr` in `snapshot`.
    pub(crate) fn of(snapshot: &Snapshot, addr: std::net::SocketAddr) -> Seen {
        match snapshot.backends.iter().find(|backend| backend.addr == addr) {
            Some(backend) => match backend.state {
                BackendState::Ready => Seen::Ready,
                BackendState::Pending => Seen::Pending,
                BackendState::Failing => Seen::Failing,
                BackendState::Removed => Seen::Removed,
            },
            None => Seen::Missing,
        }
    }

    /// The state's name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Seen::Ready => "ready",
            Seen::Pending => "pending",
            Seen::Failing => "failing",
            Seen::Removed => "removed",
            Seen::Missing => "missing",
        }
    }

    /// The state's letter in the timeline.
    pub(crate) fn letter(self) -> char {
        match self {
            Seen::Ready => 'R',
            Seen::Pending => 'P',
            Seen::Failing => 'F',
            Seen::Removed => 'X',
            Seen::Missing => '?',
        }
    }
}

/// The worst state of each backend in each second of the run.
#[derive(Debug, Clone)]
pub(crate) struct Timeline {
    /// Per second, per backend (`None`: no snapshot in that second).
    seconds: Vec<Vec<Option<Seen>>>,
    /// The states in the latest snapshot.
    last: Vec<Seen>,
    backends: usize,
}

impl Timeline {
    /// An empty timeline of `backends` backends.
    pub(crate) fn new(backends: usize) -> Timeline {
        Timeline {
            seconds: Vec::new(),
            last: vec![Seen::Missing; backends],
            backends,
        }
    }

    /// Records the backends' states seen at `at`.
    ///
    /// # Panics
    ///
    /// `states` does not hold one state per backend.
    pub(crate) fn record(&mut self, at: Duration, states: &[Seen]) {
        assert_eq!(states.len(), self.backends, "one state per backend");
        let second = at.as_secs() as usize;
        if self.seconds.len() <= second {
            self.seconds.resize(second + 1, vec![None; self.backends]);
        }
        for (worst, &state) in self.seconds[second].iter_mut().zip(states) {
            *worst = Some(worst.map_or(state, |seen| seen.max(state)));
        }
        self.last = states.to_vec();
    }

    /// Backend `index`'s state in the latest snapshot.
    pub(crate) fn last(&self, index: usize) -> Seen {
        self.last[index]
    }

    /// The first second, from `from` on, in which backend `index` was only seen ready.
    pub(crate) fn ready_from(&self, index: usize, from: usize) -> Option<usize> {
        (from..self.seconds.len()).find(|&second| self.seconds[second][index] == Some(Seen::Ready))
    }

    /// Backend `index`'s states, one letter per second (`.`: not seen that second).
    pub(crate) fn letters(&self, index: usize) -> String {
        let letter = |state: Option<Seen>| state.map_or('.', Seen::letter);
        self.seconds.iter().map(|states| letter(states[index])).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_worst_state_of_each_second() {
        let mut timeline = Timeline::new(2);
        timeline.record(Duration::from_millis(250), &[Seen::Ready, Seen::Ready]);
        timeline.record(Duration::from_millis(500), &[Seen::Failing, Seen::Ready]);
        timeline.record(Duration::from_millis(750), &[Seen::Ready, Seen::Pending]);
        timeline.record(Duration::from_millis(2_250), &[Seen::Ready, Seen::Removed]);
        assert_eq!(timeline.letters(0), "F.R");
        assert_eq!(timeline.letters(1), "P.X");
        assert_eq!(timeline.ready_from(0, 0), Some(2));
        assert_eq!(timeline.ready_from(1, 0), None);
        assert_eq!((timeline.last(0), timeline.last(1)), (Seen::Ready, Seen::Removed));
    }
}

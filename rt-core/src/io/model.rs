//! The reactor's protocol without mio, for the loom models in `tests/loom_io.rs`.
//!
//! mio cannot run under loom, so the models drive the same registration table, readiness
//! word and waiter lists the reactor uses ([`Table`](super::table::Table),
//! [`IoState`]) through this thin wrapper: [`Reactor::dispatch`] is what
//! `Reactor::turn` does with a batch of events, and [`Registration`] is what
//! `PollEvented` does, minus the mio calls. Not a public API.
#![allow(missing_docs, missing_debug_implementations)]

use std::future::Future;
use std::io;
use std::task::{Context, Poll};

use super::io_state::{Direction, IoState};
use super::table::{self, Table};
use super::{Interest, Ready, ReadyEvent};
use crate::loom::sync::{Arc, Mutex};

/// The reactor's table and its dispatch.
#[derive(Clone)]
pub struct Reactor {
    table: Arc<Mutex<Table>>,
}

impl Reactor {
    pub fn new() -> Reactor {
        Reactor {
            table: Arc::new(Mutex::new(Table::new())),
        }
    }

    pub fn register(&self) -> io::Result<Registration> {
        let (token, state) = self.table.lock().insert()?;
        Ok(Registration {
            table: self.table.clone(),
            token,
            state,
        })
    }

    /// Delivers one batch of events: one table lock, wakers woken after it.
    pub fn dispatch(&self, events: &[(usize, Ready)]) {
        table::dispatch(&self.table, events.iter().copied(), &mut Vec::new());
    }

    pub fn shutdown(&self) {
        table::shutdown(&self.table);
    }

    pub fn registrations(&self) -> usize {
        self.table.lock().len()
    }
}

impl Default for Reactor {
    fn default() -> Reactor {
        Reactor::new()
    }
}

/// A registration; removes its table entry when dropped, as `PollEvented` does.
pub struct Registration {
    table: Arc<Mutex<Table>>,
    token: usize,
    state: Arc<IoState>,
}

impl Registration {
    pub fn token(&self) -> usize {
        self.token
    }

    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        self.state.poll_ready(cx, Direction::Read)
    }

    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        self.state.poll_ready(cx, Direction::Write)
    }

    pub fn ready_event(&self, interest: Interest) -> Option<io::Result<ReadyEvent>> {
        self.state.ready_event(interest)
    }

    pub fn clear_readiness(&self, event: ReadyEvent) {
        self.state.clear_readiness(event);
    }

    pub fn readiness(&self, interest: Interest) -> impl Future<Output = io::Result<ReadyEvent>> + '_ {
        self.state.readiness(interest)
    }

    /// The ready kinds right now.
    pub fn ready(&self) -> Ready {
        self.state.snapshot().ready()
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.table.lock().remove(self.token);
    }
}

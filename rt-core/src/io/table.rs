//! The registration table: which token belongs to which registration.
//!
//! A slab of entries behind the reactor's lock. A token is the entry's index in the
//! low [`INDEX_BITS`] bits and a generation in the rest; the generation comes from a
//! counter bumped on every registration, so a token outliving its registration (an
//! event already fetched from the OS when the source was deregistered, or an fd reused
//! by a new socket) never matches the newer registration that reused the slot:
//! dispatch compares the whole token.
//!
//! The reactor takes the lock once per batch of events ([`dispatch`]); registering and
//! deregistering take it once each. Wakers are collected under the lock and woken after.

use std::fmt;
use std::io;
use std::task::Waker;

use slab::Slab;

use super::error;
use super::io_state::IoState;
use super::ready::Ready;
use crate::loom::sync::{Arc, Mutex};

/// Bits of a token holding the slab index.
const INDEX_BITS: u32 = 24;
const INDEX_MASK: usize = (1 << INDEX_BITS) - 1;
/// The largest index handed out. One below the mask, so no token is ever `usize::MAX`,
/// which the reactor keeps for its waker.
const MAX_INDEX: usize = INDEX_MASK - 1;
/// Generations wrap at this mask.
const GENERATION_MASK: usize = usize::MAX >> INDEX_BITS;

/// The live registrations.
pub(crate) struct Table {
    entries: Slab<Entry>,
    /// The generation of the next registration.
    next_generation: usize,
    is_shutdown: bool,
}

struct Entry {
    token: usize,
    io: Arc<IoState>,
}

impl Table {
    pub(crate) fn new() -> Table {
        Table {
            entries: Slab::new(),
            next_generation: 0,
            is_shutdown: false,
        }
    }

    /// Adds a registration; returns its token and state.
    ///
    /// # Errors
    ///
    /// After shutdown, or when 2^24 - 1 registrations are live.
    pub(crate) fn insert(&mut self) -> io::Result<(usize, Arc<IoState>)> {
        if self.is_shutdown {
            return Err(error::shutdown());
        }
        let slot = self.entries.vacant_entry();
        let index = slot.key();
        if index > MAX_INDEX {
            return Err(error::too_many_registrations());
        }
        let generation = self.next_generation;
        self.next_generation = (generation + 1) & GENERATION_MASK;
        let token = (generation << INDEX_BITS) | index;
        let io = Arc::new(IoState::new());
        slot.insert(Entry { token, io: io.clone() });
        Ok((token, io))
    }

    /// Removes the registration `token` names, if it is still the live one.
    pub(crate) fn remove(&mut self, token: usize) -> bool {
        let index = token & INDEX_MASK;
        if self.entries.get(index).is_some_and(|entry| entry.token == token) {
            drop(self.entries.remove(index));
            return true;
        }
        false
    }

    /// Delivers an event to the registration `token` names; a stale token is ignored.
    pub(crate) fn deliver(&self, token: usize, ready: Ready, wakers: &mut Vec<Waker>) {
        if let Some(entry) = self.entries.get(token & INDEX_MASK) {
            if entry.token == token {
                entry.io.set_readiness(ready);
                entry.io.wake(ready, wakers);
            }
        }
    }

    /// Marks every registration shut down, collects all their waiters, and refuses
    /// registrations from now on.
    pub(crate) fn shutdown(&mut self, wakers: &mut Vec<Waker>) {
        self.is_shutdown = true;
        for (_, entry) in self.entries.iter() {
            entry.io.shutdown(wakers);
        }
        // The registrations keep their own `Arc`s; the table's are no longer needed.
        self.entries.clear();
    }

    /// How many registrations are live.
    #[cfg(any(test, loom))]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// Delivers a batch of events under one acquisition of the table lock, then wakes the
/// collected wakers with no lock held. `wakers` is the caller's reusable buffer; it is
/// left empty.
pub(crate) fn dispatch(table: &Mutex<Table>, events: impl Iterator<Item = (usize, Ready)>, wakers: &mut Vec<Waker>) {
    let table_guard = table.lock();
    for (token, ready) in events {
        table_guard.deliver(token, ready, wakers);
    }
    drop(table_guard);
    for waker in wakers.drain(..) {
        waker.wake();
    }
}

/// Shuts the table down and wakes every waiter, with no lock held.
pub(crate) fn shutdown(table: &Mutex<Table>) {
    let mut wakers = Vec::new();
    table.lock().shutdown(&mut wakers);
    for waker in wakers {
        waker.wake();
    }
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("len", &self.entries.len())
            .field("is_shutdown", &self.is_shutdown)
            .finish_non_exhaustive()
    }
}

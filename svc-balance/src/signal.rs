//! [`Signal`]: how everything else wakes the driver task, saying which endpoint needs a
//! look.
//!
//! Notifiers push an endpoint id, then wake the driver's registered waker. The driver
//! registers its waker *before* draining the ids, so an id pushed after the drain
//! always finds the new waker. Ids may repeat or be stale (the slot reused by another
//! endpoint): the driver only re-examines the endpoint's state, so that is harmless.
//! Nothing here is on the per-request path of a healthy endpoint.

use std::task::Waker;

use rt_core::loom::sync::Mutex;

#[derive(Default)]
pub(crate) struct Signal {
    ids: Mutex<Vec<usize>>,
    waker: Mutex<Option<Waker>>,
}

impl Signal {
    /// Asks the driver to look at endpoint `id`.
    pub(crate) fn notify(&self, id: usize) {
        self.ids.lock().push(id);
        self.wake();
    }

    /// Wakes the driver.
    pub(crate) fn wake(&self) {
        if let Some(waker) = &*self.waker.lock() {
            waker.wake_by_ref();
        }
    }

    /// Registers the driver's waker.
    pub(crate) fn register(&self, waker: &Waker) {
        let mut slot = self.waker.lock();
        match &mut *slot {
            Some(old) if old.will_wake(waker) => {}
            slot => *slot = Some(waker.clone()),
        }
    }

    /// Moves the pending ids into `out`.
    pub(crate) fn drain(&self, out: &mut Vec<usize>) {
        std::mem::swap(&mut *self.ids.lock(), out);
    }
}

/// The waker an endpoint's service gets: wakes the driver to poll that endpoint.
pub(crate) struct EndpointWake {
    pub(crate) id: usize,
    pub(crate) signal: rt_core::loom::sync::Arc<Signal>,
}

impl std::task::Wake for EndpointWake {
    fn wake(self: std::sync::Arc<Self>) {
        self.signal.notify(self.id);
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.signal.notify(self.id);
    }
}

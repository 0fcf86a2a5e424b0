//! `Inject`: an intrusive FIFO of notified tasks shared between threads.
//!
//! The queue links tasks through the `queue_next` field of their headers, so pushing
//! allocates nothing. A mutex guards the links; the length is mirrored in an atomic so
//! that `is_empty` / `len` (checked often by idle workers) take no lock.
//!
//! A task's `queue_next` link belongs to whoever owns its notification; while the
//! notification is in this queue, that is the queue (under its lock).

use std::fmt;
use std::marker::PhantomData;
use std::ptr::NonNull;

use super::core::Header;
use super::{Notified, RawTask};
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::Mutex;

/// A multi-producer, multi-consumer FIFO of [`Notified`] tasks that never allocates.
pub struct Inject<S: 'static> {
    list: Mutex<List>,
    len: AtomicUsize,
    _scheduler: PhantomData<S>,
}

struct List {
    head: Option<NonNull<Header>>,
    tail: Option<NonNull<Header>>,
    closed: bool,
}

// SAFETY: the list only holds notifications (which are `Send`) behind a mutex.
unsafe impl Send for List {}

impl<S: 'static> Inject<S> {
    /// An empty, open queue.
    pub fn new() -> Inject<S> {
        Inject {
            list: Mutex::new(List {
                head: None,
                tail: None,
                closed: false,
            }),
            len: AtomicUsize::new(0),
            _scheduler: PhantomData,
        }
    }

    /// The number of queued tasks (a snapshot).
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// Whether the queue is empty (a snapshot).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Closes the queue: later pushes drop their task's notification. Returns `false`
    /// when it was already closed.
    pub fn close(&self) -> bool {
        let mut list = self.list.lock();
        !std::mem::replace(&mut list.closed, true)
    }

    /// Whether [`close`](Inject::close) was called.
    pub fn is_closed(&self) -> bool {
        self.list.lock().closed
    }

    /// Appends a task. After `close` the notification is dropped instead (shutdown
    /// cancels the task through its owned-list entry).
    pub fn push(&self, task: Notified<S>) {
        self.push_batch(std::iter::once(task));
    }

    /// Appends tasks in order under one lock acquisition.
    pub fn push_batch<I: IntoIterator<Item = Notified<S>>>(&self, tasks: I) {
        let mut iter = tasks.into_iter();
        let Some(first) = iter.next() else { return };
        // Link the batch before taking the lock.
        let first = first.into_raw().ptr();
        let mut last = first;
        let mut count = 1;
        for task in iter {
            let ptr = task.into_raw().ptr();
            // SAFETY: we own the notifications of the batch, hence their links.
            unsafe { last.as_ref().set_next(Some(ptr)) };
            last = ptr;
            count += 1;
        }
        // SAFETY: as above.
        unsafe { last.as_ref().set_next(None) };

        let mut list = self.list.lock();
        if list.closed {
            drop(list);
            let mut next = Some(first);
            while let Some(ptr) = next {
                // SAFETY: we still own the batch's notifications and links.
                next = unsafe { ptr.as_ref().get_next() };
                // SAFETY: each notification is given up once.
                unsafe { RawTask::from_ptr(ptr).drop_notification() };
            }
            return;
        }
        match list.tail {
            // SAFETY: the tail's link belongs to the queue, and we hold its lock.
            Some(tail) => unsafe { tail.as_ref().set_next(Some(first)) },
            None => list.head = Some(first),
        }
        list.tail = Some(last);
        self.len
            .store(self.len.load(Ordering::Relaxed) + count, Ordering::Release);
    }

    /// Removes the oldest task.
    pub fn pop(&self) -> Option<Notified<S>> {
        if self.is_empty() {
            return None;
        }
        let mut list = self.list.lock();
        let head = list.head?;
        // SAFETY: the head's link belongs to the queue, and we hold its lock.
        list.head = unsafe { head.as_ref().get_next() };
        if list.head.is_none() {
            list.tail = None;
        }
        // SAFETY: as above; the popped task's link goes back to its notification.
        unsafe { head.as_ref().set_next(None) };
        self.len.store(self.len.load(Ordering::Relaxed) - 1, Ordering::Release);
        // SAFETY: the queue owned this notification.
        Some(unsafe { Notified::from_raw(head) })
    }

    /// Removes up to `max` of the oldest tasks under one lock acquisition.
    pub fn pop_batch(&self, max: usize) -> Vec<Notified<S>> {
        let mut out = Vec::new();
        if max == 0 || self.is_empty() {
            return out;
        }
        let mut list = self.list.lock();
        while out.len() < max {
            let Some(head) = list.head else { break };
            // SAFETY: the head's link belongs to the queue, and we hold its lock.
            list.head = unsafe { head.as_ref().get_next() };
            // SAFETY: as above.
            unsafe { head.as_ref().set_next(None) };
            // SAFETY: the queue owned this notification.
            out.push(unsafe { Notified::from_raw(head) });
        }
        if list.head.is_none() {
            list.tail = None;
        }
        self.len
            .store(self.len.load(Ordering::Relaxed) - out.len(), Ordering::Release);
        out
    }
}

impl<S: 'static> Default for Inject<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: 'static> Drop for Inject<S> {
    fn drop(&mut self) {
        while let Some(task) = self.pop() {
            drop(task);
        }
    }
}

impl<S: 'static> fmt::Debug for Inject<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inject").field("len", &self.len()).finish()
    }
}

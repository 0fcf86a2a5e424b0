//! [`SyncPrimitives`] for rt-sched: the primitives of `rt_core::sync`.

use std::future::Future;

use rt_core::sync::{self as ours, mpsc, oneshot};

use super::{MpscReceiver, MpscSender, Notify, OneshotSender, Semaphore, SyncPrimitives};
use crate::runtimes::rt_sched::RtSched;

impl SyncPrimitives for RtSched {
    type OneshotSender<T: Send + 'static> = oneshot::Sender<T>;
    type OneshotReceiver<T: Send + 'static> = oneshot::Receiver<T>;
    type RecvError = oneshot::RecvError;
    type Semaphore = ours::Semaphore;
    type Notify = ours::Notify;
    type MpscSender<T: Send + 'static> = mpsc::Sender<T>;
    type MpscReceiver<T: Send + 'static> = mpsc::Receiver<T>;

    fn oneshot<T: Send + 'static>() -> (Self::OneshotSender<T>, Self::OneshotReceiver<T>) {
        oneshot::channel()
    }

    fn mpsc_channel<T: Send + 'static>(capacity: usize) -> (Self::MpscSender<T>, Self::MpscReceiver<T>) {
        mpsc::channel(capacity)
    }
}

impl<T: Send + 'static> OneshotSender<T> for oneshot::Sender<T> {
    fn send(self, value: T) -> Result<(), T> {
        oneshot::Sender::send(self, value)
    }
}

impl Semaphore for ours::Semaphore {
    type Permit<'a> = ours::SemaphorePermit<'a>;
    type AcquireError = ours::AcquireError;

    fn new(permits: usize) -> Self {
        ours::Semaphore::new(permits)
    }

    fn acquire(&self) -> impl Future<Output = Result<Self::Permit<'_>, Self::AcquireError>> + Send {
        ours::Semaphore::acquire(self)
    }
}

impl Notify for ours::Notify {
    fn new() -> Self {
        ours::Notify::new()
    }

    fn notify_one(&self) {
        ours::Notify::notify_one(self);
    }

    fn notified(&self) -> impl Future<Output = ()> + Send {
        ours::Notify::notified(self)
    }
}

impl<T: Send + 'static> MpscSender<T> for mpsc::Sender<T> {
    type SendError = mpsc::SendError<T>;

    fn send(&self, value: T) -> impl Future<Output = Result<(), Self::SendError>> + Send {
        mpsc::Sender::send(self, value)
    }
}

impl<T: Send + 'static> MpscReceiver<T> for mpsc::Receiver<T> {
    fn recv(&mut self) -> impl Future<Output = Option<T>> + Send {
        mpsc::Receiver::recv(self)
    }
}

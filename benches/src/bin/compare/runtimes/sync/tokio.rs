//! [`SyncPrimitives`] for tokio: the primitives of `tokio::sync`.

use std::future::Future;

use tokio::sync::{self as peer, mpsc, oneshot};

use super::{MpscReceiver, MpscSender, Notify, OneshotSender, Semaphore, SyncPrimitives};
use crate::runtimes::Tokio;

impl SyncPrimitives for Tokio {
    type OneshotSender<T: Send + 'static> = oneshot::Sender<T>;
    type OneshotReceiver<T: Send + 'static> = oneshot::Receiver<T>;
    type RecvError = oneshot::error::RecvError;
    type Semaphore = peer::Semaphore;
    type Notify = peer::Notify;
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

impl Semaphore for peer::Semaphore {
    type Permit<'a> = peer::SemaphorePermit<'a>;
    type AcquireError = peer::AcquireError;

    fn new(permits: usize) -> Self {
        peer::Semaphore::new(permits)
    }

    fn acquire(&self) -> impl Future<Output = Result<Self::Permit<'_>, Self::AcquireError>> + Send {
        peer::Semaphore::acquire(self)
    }
}

impl Notify for peer::Notify {
    fn new() -> Self {
        peer::Notify::new()
    }

    fn notify_one(&self) {
        peer::Notify::notify_one(self);
    }

    fn notified(&self) -> impl Future<Output = ()> + Send {
        peer::Notify::notified(self)
    }
}

impl<T: Send + 'static> MpscSender<T> for mpsc::Sender<T> {
    type SendError = mpsc::error::SendError<T>;

    fn send(&self, value: T) -> impl Future<Output = Result<(), Self::SendError>> + Send {
        mpsc::Sender::send(self, value)
    }
}

impl<T: Send + 'static> MpscReceiver<T> for mpsc::Receiver<T> {
    fn recv(&mut self) -> impl Future<Output = Option<T>> + Send {
        mpsc::Receiver::recv(self)
    }
}

//! `PollEvented`: a mio source registered with the current runtime's reactor.

use std::fmt;
use std::io;
use std::task::{Context, Poll};

use mio::event::Source;

use super::interest::Interest;
use super::io_state::Direction;
use super::ready::ReadyEvent;
use super::registration::Registration;

/// A mio [`Source`] registered with the current runtime's reactor; the building block
/// of the runtime's sockets and pipes. Deregisters the source when dropped.
///
/// Readiness is edge-triggered: once reported, it stays until the owner clears it
/// after an operation returned `WouldBlock`. The `poll_*_io`, [`try_io`] and
/// [`async_io`] helpers do that; code using the readiness polls directly calls
/// [`clear_readiness`] itself.
///
/// Every readiness poll spends one unit of the task's cooperative budget when it
/// returns `Ready`, and returns `Pending` once the budget is gone (see
/// [`crate::coop`]), so one always-ready socket cannot starve the other tasks of its
/// worker.
///
/// After the runtime shuts down, every pending and later readiness poll fails with an
/// [`io::Error`] saying so.
///
/// `Send + Sync` when `E` is.
///
/// [`try_io`]: PollEvented::try_io
/// [`async_io`]: PollEvented::async_io
/// [`clear_readiness`]: PollEvented::clear_readiness
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
/// use rt_core::context;
/// use rt_core::driver::{Config, Driver};
/// use rt_core::io::PollEvented;
///
/// let (mut driver, handle) = Driver::new(Config { enable_io: true, ..Config::default() })?;
/// let _enter = context::set_current_handle(&handle);
/// let (a, b) = mio::net::UnixStream::pair()?;
/// let (a, b) = (PollEvented::new(a)?, PollEvented::new(b)?);
///
/// (&*b.get_ref()).write_all(b"ping")?;
/// driver.park_timeout(&handle, std::time::Duration::from_millis(100)); // dispatch the event
/// let mut buf = [0; 4];
/// let n = a.try_io(rt_core::io::Interest::READABLE, |s| (&*s).read(&mut buf))?;
/// assert_eq!(&buf[..n], b"ping");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct PollEvented<E: Source> {
    /// `Some` until `drop` or `into_inner` takes it.
    io: Option<E>,
    registration: Registration,
}

impl<E: Source> PollEvented<E> {
    /// Registers `io` with the current runtime's reactor for reading and writing.
    ///
    /// # Errors
    ///
    /// Outside a runtime (no driver handle is current on this thread, see
    /// [`crate::context::set_current_handle`]), in a runtime without I/O, after the
    /// runtime shut down, or when the OS refuses the registration. `io` is dropped.
    pub fn new(io: E) -> io::Result<Self> {
        Self::new_with_interest(io, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `io` with the current runtime's reactor for `interest`.
    ///
    /// # Errors
    ///
    /// As for [`new`](PollEvented::new).
    pub fn new_with_interest(mut io: E, interest: Interest) -> io::Result<Self> {
        let registration = Registration::new(&mut io, interest)?;
        Ok(PollEvented {
            io: Some(io),
            registration,
        })
    }

    /// The source.
    pub fn get_ref(&self) -> &E {
        self.io
            .as_ref()
            .expect("the source is only taken by drop and into_inner")
    }

    /// Deregisters the source and returns it.
    ///
    /// # Errors
    ///
    /// When the deregistration fails; the source is then closed.
    pub fn into_inner(mut self) -> io::Result<E> {
        let mut io = self.io.take().expect("the source is only taken by drop and into_inner");
        self.registration.deregister(&mut io)?;
        Ok(io)
    }

    /// Polls for read readiness (readable, read-closed or error).
    ///
    /// One waker slot: if two tasks poll this concurrently, only the last one is
    /// woken. Tasks sharing the source use [`readiness`](PollEvented::readiness).
    ///
    /// # Errors
    ///
    /// After the runtime shut down.
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        self.registration.poll_ready(cx, Direction::Read)
    }

    /// Polls for write readiness (writable, write-closed or error).
    ///
    /// One waker slot, as for [`poll_read_ready`](PollEvented::poll_read_ready).
    ///
    /// # Errors
    ///
    /// After the runtime shut down.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        self.registration.poll_ready(cx, Direction::Write)
    }

    /// Clears the readiness of `ev` (call it after an operation returned
    /// `WouldBlock`). Does nothing if an event arrived since `ev` was observed, so a
    /// new edge is never lost. Read-closed and write-closed are never cleared.
    pub fn clear_readiness(&self, ev: ReadyEvent) {
        self.registration.clear_readiness(ev);
    }

    /// Waits for read readiness and runs `f`; on `WouldBlock`, clears the readiness and
    /// waits again.
    ///
    /// # Errors
    ///
    /// What `f` returns (other than `WouldBlock`), or the shutdown error.
    pub fn poll_read_io<R>(&self, cx: &mut Context<'_>, f: impl FnMut(&E) -> io::Result<R>) -> Poll<io::Result<R>> {
        self.poll_io(cx, Direction::Read, f)
    }

    /// Waits for write readiness and runs `f`; on `WouldBlock`, clears the readiness and
    /// waits again.
    ///
    /// # Errors
    ///
    /// What `f` returns (other than `WouldBlock`), or the shutdown error.
    pub fn poll_write_io<R>(&self, cx: &mut Context<'_>, f: impl FnMut(&E) -> io::Result<R>) -> Poll<io::Result<R>> {
        self.poll_io(cx, Direction::Write, f)
    }

    fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut f: impl FnMut(&E) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            let ev = std::task::ready!(self.registration.poll_ready(cx, direction))?;
            match f(self.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(ev),
                result => return Poll::Ready(result),
            }
        }
    }

    /// Waits until the source has any of the readiness `interest` asks for.
    ///
    /// Any number of tasks may wait at once (each is woken by a matching event).
    /// Spends one unit of the cooperative budget when it completes.
    ///
    /// # Errors
    ///
    /// After the runtime shut down (also when it shuts down while waiting).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future only unlinks its waiter; readiness is never
    /// consumed by waiting for it.
    pub async fn readiness(&self, interest: Interest) -> io::Result<ReadyEvent> {
        self.registration.readiness(interest).await
    }

    /// Runs `f` if the source is ready for `interest`; on `WouldBlock` from `f`, clears
    /// that readiness. Never waits and spends no budget.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when the source is not ready, what `f` returns, or the shutdown
    /// error.
    pub fn try_io<R>(&self, interest: Interest, f: impl FnOnce(&E) -> io::Result<R>) -> io::Result<R> {
        let ev = match self.registration.ready_event(interest) {
            Some(ev) => ev?,
            None => return Err(io::ErrorKind::WouldBlock.into()),
        };
        match f(self.get_ref()) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.clear_readiness(ev);
                Err(e)
            }
            result => result,
        }
    }

    /// Waits for readiness for `interest` and runs `f`, until `f` returns something
    /// other than `WouldBlock` (each `WouldBlock` clears the readiness it ran on).
    ///
    /// # Errors
    ///
    /// What `f` returns (other than `WouldBlock`), or the shutdown error.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe as long as `f` is: dropping the future between two runs of `f`
    /// loses nothing, since `f` only runs inside a poll.
    pub async fn async_io<R>(&self, interest: Interest, mut f: impl FnMut(&E) -> io::Result<R>) -> io::Result<R> {
        loop {
            let ev = self.readiness(interest).await?;
            match f(self.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(ev),
                result => return result,
            }
        }
    }
}

impl<E: Source> Drop for PollEvented<E> {
    fn drop(&mut self) {
        if let Some(mut io) = self.io.take() {
            // Deregister before the source closes; the table entry goes with the
            // registration. A failure leaves nothing to do: closing removes the fd
            // from epoll anyway.
            let _ = self.registration.deregister(&mut io);
        }
    }
}

impl<E: Source + fmt::Debug> fmt::Debug for PollEvented<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PollEvented")
            .field("io", &self.io)
            .field("registration", &self.registration)
            .finish()
    }
}

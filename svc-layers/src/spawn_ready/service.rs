//! [`SpawnReady`]: the service.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use rt_core::sync::oneshot;
use svc_trait::Service;

use super::background::{Drive, Outcome};
use super::SpawnReadyError;

/// Drives the inner service's readiness on a task of its own.
///
/// When the inner service is not ready, `poll_ready` moves it into a task spawned on
/// the current rt-sched runtime ([`rt_sched::spawn`]); that task polls it until it is
/// ready (or fails) and hands it back; meanwhile `poll_ready` returns `Pending` and is
/// woken when the service comes home. Readiness thus makes progress while nobody polls
/// the `SpawnReady` (a connection being established, a pool being filled).
///
/// While the inner service is ready at once, nothing is spawned: `poll_ready` costs one
/// inner `poll_ready`.
///
/// # Requirements
///
/// The inner service and its error must be `Send + 'static`, since they travel to and
/// from another task (possibly another thread). Requests need not be `Send`.
///
/// # Runtime shutdown
///
/// If the background task is dropped before it hands the service back (the runtime
/// shut down), or the inner `poll_ready` panicked on it, `poll_ready` returns an error
/// whose [`is_cancelled`](SpawnReadyError::is_cancelled) is `true` instead of waiting
/// forever. The service is gone then; so it is after the inner service failed on the
/// background task, and further polls return the same `Cancelled` condition.
///
/// # Readiness and `disarm`
///
/// `poll_ready` returns `Ready(Ok(()))` only when the service is home and ready, and the
/// readiness is kept until `call` or `disarm`; `disarm` forwards to the inner service
/// then. While the service is on the background task there is nothing to disarm: the
/// caller has not been told it is ready. Readiness the background task obtains is held
/// (with any reservation) until the next `poll_ready` picks it up, so a caller that
/// stops polling a `SpawnReady` should drop it or call `disarm` after a ready poll;
/// dropping a `SpawnReady` whose service is in the background ends the task and drops
/// the service.
///
/// # Errors
///
/// [`SpawnReadyError`]: the inner service's error, from `poll_ready` (at home or on the
/// background task) or from the response; or
/// [`is_cancelled`](SpawnReadyError::is_cancelled) from `poll_ready` when the background
/// task was lost, and after any readiness failure on the background task.
///
/// # Panics
///
/// `poll_ready` panics when the inner service is not ready and there is no current
/// rt-sched runtime to spawn on. `call` panics without readiness.
///
/// # Examples
///
/// ```
/// use svc_layers::spawn_ready::SpawnReady;
/// use svc_trait::{service_fn, ServiceExt};
///
/// # let rt = rt_sched::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let svc = SpawnReady::new(service_fn(|x: u32| async move { Ok::<_, ()>(x + 1) }));
/// assert_eq!(svc.oneshot(1).await.unwrap(), 2);
/// # });
/// ```
pub struct SpawnReady<S> {
    state: State<S>,
}

enum State<S> {
    /// The service is here; `ready`: its `poll_ready` returned `Ready(Ok(()))` (here or
    /// on the background task) and it has not been called or disarmed since.
    Home { service: S, ready: bool },
    /// The service is on the background task. The box holds the
    /// `oneshot::Receiver<Outcome<S, S::Error>>`, type-erased because `SpawnReady<S>`
    /// does not name the request type (and so not the error type).
    Background(Box<dyn Any + Send + Sync>),
    /// The service is gone: the background task failed or was cancelled.
    Gone,
}

impl<S> SpawnReady<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        SpawnReady {
            state: State::Home {
                service: inner,
                ready: false,
            },
        }
    }

    /// Whether the inner service is on the background task.
    pub fn is_in_background(&self) -> bool {
        matches!(self.state, State::Background(_))
    }

    /// The inner service, if it is home.
    pub fn get_ref(&self) -> Option<&S> {
        match &self.state {
            State::Home { service, .. } => Some(service),
            _ => None,
        }
    }

    /// The inner service, mutably, if it is home.
    pub fn get_mut(&mut self) -> Option<&mut S> {
        match &mut self.state {
            State::Home { service, .. } => Some(service),
            _ => None,
        }
    }
}

impl<S, Req> Service<Req> for SpawnReady<S>
where
    S: Service<Req> + Send + 'static,
    S::Error: Send + 'static,
{
    type Response = S::Response;
    type Error = SpawnReadyError<S::Error>;
    type Future = super::ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        loop {
            match &mut self.state {
                State::Home { ready: true, .. } => return Poll::Ready(Ok(())),
                // Home, not ready yet: try in place, and go to the background if needed.
                State::Home { service, ready } => match service.poll_ready(cx) {
                    Poll::Ready(Ok(())) => {
                        *ready = true;
                        return Poll::Ready(Ok(()));
                    }
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(SpawnReadyError::inner_error(e))),
                    Poll::Pending => self.spawn_background::<Req>(),
                },
                // Away: wait for the task to send the service (or its error) back.
                State::Background(rx) => {
                    let rx = rx
                        .downcast_mut::<oneshot::Receiver<Outcome<S, S::Error>>>()
                        .expect("`SpawnReady` polled with two request types whose services have different errors");
                    let outcome = ready!(Pin::new(rx).poll(cx));
                    match outcome {
                        Ok(Ok(service)) => self.state = State::Home { service, ready: true },
                        Ok(Err(e)) => {
                            self.state = State::Gone;
                            return Poll::Ready(Err(SpawnReadyError::inner_error(e)));
                        }
                        Err(_closed) => self.state = State::Gone,
                    }
                }
                State::Gone => return Poll::Ready(Err(SpawnReadyError::cancelled())),
            }
        }
    }

    fn call(&mut self, req: Req) -> Self::Future {
        match &mut self.state {
            State::Home { service, ready } if *ready => {
                *ready = false;
                super::ResponseFuture::new(service.call(req))
            }
            _ => panic!("`SpawnReady` called before `poll_ready` returned `Ready(Ok(()))`"),
        }
    }

    fn disarm(&mut self) {
        if let State::Home { service, ready } = &mut self.state {
            if std::mem::take(ready) {
                service.disarm();
            }
        }
    }
}

impl<S> SpawnReady<S> {
    /// Moves the (home, not ready) service to a new background task.
    fn spawn_background<Req>(&mut self)
    where
        S: Service<Req> + Send + 'static,
        S::Error: Send + 'static,
    {
        let State::Home { service, .. } = std::mem::replace(&mut self.state, State::Gone) else {
            unreachable!("only a service at home goes to the background")
        };
        let (tx, rx) = oneshot::channel::<Outcome<S, S::Error>>();
        // The request type is erased by taking `poll_ready` as a function pointer.
        rt_sched::spawn(Drive::new(service, <S as Service<Req>>::poll_ready, tx));
        self.state = State::Background(Box::new(rx));
    }
}

impl<S: fmt::Debug> fmt::Debug for SpawnReady<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("SpawnReady");
        match &self.state {
            State::Home { service, ready } => d.field("inner", service).field("ready", ready),
            State::Background(_) => d.field("inner", &"<in background>"),
            State::Gone => d.field("inner", &"<gone>"),
        };
        d.finish()
    }
}

//! [`RateLimit`]: the service.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use rt_core::time::{sleep_until, Instant, Sleep};
use svc_trait::Service;

use super::limiter::RateLimiter;
use super::rate::Rate;

/// Lets requests through to the inner service at a bounded [`Rate`].
///
/// `poll_ready` takes one token from the shared [`RateLimiter`] and keeps it as the
/// reservation; when none is available it sleeps (on the runtime's timer, stored in the
/// service) until the next one is due and tries again. `call` uses the token;
/// [`disarm`](Service::disarm) gives it back to the limiter, so abandoned readiness
/// wastes no rate.
///
/// `RateLimit` is `Clone`, and clones **share one rate** (tower's is not `Clone`,
/// tower #794): a service cloned into many tasks sends at most the configured rate in
/// total. A fresh clone holds no token.
///
/// The response future is the inner service's; errors pass through unchanged (the rate
/// limit never fails on its own).
///
/// # Readiness
///
/// The token is taken first, then the inner service is polled; while the inner service
/// is not ready the token stays reserved (`disarm` refunds it). If the inner
/// `poll_ready` fails, the token is refunded before the error is returned.
///
/// # Panics
///
/// `poll_ready` panics when it has to wait outside a runtime with time enabled (the
/// timer needs one).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_layers::rate::{Rate, RateLimit};
/// use svc_trait::{service_fn, Service, ServiceExt};
///
/// # futures::executor::block_on(async {
/// let svc = service_fn(|x: u32| async move { Ok::<_, ()>(x) });
/// let mut a = RateLimit::new(svc, Rate::new(2, Duration::from_secs(60)));
/// let mut b = a.clone(); // shares the rate with `a`
/// assert_eq!(a.ready().await?.call(1).await?, 1);
/// assert_eq!(b.ready().await?.call(2).await?, 2);
/// assert_eq!(a.limiter().available(), 0); // both tokens of the minute are used
/// # Ok::<_, ()>(()) }).unwrap();
/// ```
pub struct RateLimit<S> {
    inner: S,
    token: Token,
    /// The timer of the last wait, kept to be reset rather than rebuilt.
    sleep: Option<Sleep>,
}

/// The reservation: whether this value holds a token of `limiter`. Dropping it (with
/// the service) refunds a held token, as the `disarm` contract asks of a dropped service.
struct Token {
    limiter: RateLimiter,
    held: bool,
}

impl Token {
    /// Refunds the held token, if any.
    fn release(&mut self) {
        if std::mem::take(&mut self.held) {
            self.limiter.refund();
        }
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        self.release();
    }
}

impl<S> RateLimit<S> {
    /// Wraps `inner` with a rate of its own; clones of the returned service share it.
    ///
    /// The limiter follows the clock of the current runtime (see [`RateLimiter::new`]).
    pub fn new(inner: S, rate: Rate) -> Self {
        Self::with_limiter(inner, RateLimiter::new(rate))
    }

    /// Wraps `inner` with the rate of `limiter`, shared with every other service built on
    /// the same limiter (or its clones).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use svc_layers::rate::{Rate, RateLimit, RateLimiter};
    /// use svc_trait::service_fn;
    ///
    /// let limiter = RateLimiter::new(Rate::new(100, Duration::from_secs(1)));
    /// let users = RateLimit::with_limiter(service_fn(|x: u8| async move { Ok::<_, ()>(x) }), limiter.clone());
    /// let orders = RateLimit::with_limiter(service_fn(|x: u8| async move { Ok::<_, ()>(x) }), limiter);
    /// assert!(users.limiter().ptr_eq(orders.limiter()));
    /// ```
    pub fn with_limiter(inner: S, limiter: RateLimiter) -> Self {
        RateLimit {
            inner,
            token: Token { limiter, held: false },
            sleep: None,
        }
    }

    /// The shared limiter (for metrics: [`RateLimiter::available`]).
    pub fn limiter(&self) -> &RateLimiter {
        &self.token.limiter
    }

    /// The rate enforced.
    pub fn rate(&self) -> Rate {
        self.token.limiter.rate()
    }

    /// Whether this service holds a token (it is reserved and has not called yet).
    pub fn holds_token(&self) -> bool {
        self.token.held
    }

    /// Returns a shared reference to the inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Returns a mutable reference to the inner service.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Returns the inner service; a held token is refunded.
    pub fn into_inner(self) -> S {
        self.inner
    }

    /// Ensures this value holds a token, sleeping until the next one is due if needed.
    fn poll_token(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        while !self.token.held {
            match self.token.limiter.try_acquire() {
                Ok(()) => self.token.held = true,
                Err(due) => ready!(self.poll_sleep(due, cx)),
            }
        }
        Poll::Ready(())
    }

    /// Waits until `due` on the stored timer.
    fn poll_sleep(&mut self, due: Instant, cx: &mut Context<'_>) -> Poll<()> {
        let sleep = match &mut self.sleep {
            Some(sleep) => {
                if sleep.deadline() != due {
                    Pin::new(&mut *sleep).reset(due);
                }
                sleep
            }
            None => self.sleep.insert(sleep_until(due)),
        };
        ready!(Pin::new(&mut *sleep).poll(cx));
        if Instant::now() < due {
            // Only when the runtime's timer shut down before `due` (every sleep then
            // completes at once): wait for the shutdown to drop the task instead of
            // spinning on a timer that will never wait again.
            return Poll::Pending;
        }
        Poll::Ready(())
    }
}

impl<S, Req> Service<Req> for RateLimit<S>
where
    S: Service<Req>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        ready!(self.poll_token(cx));
        match self.inner.poll_ready(cx) {
            Poll::Ready(Err(e)) => {
                // Terminal: a failed service gives its token back.
                self.token.release();
                Poll::Ready(Err(e))
            }
            poll => poll,
        }
    }

    /// # Panics
    ///
    /// When called without readiness (no token held).
    fn call(&mut self, req: Req) -> S::Future {
        let held = std::mem::take(&mut self.token.held);
        assert!(held, "`RateLimit::call` before `poll_ready` returned `Ready(Ok(()))`");
        // The token is spent: it is not refunded later.
        self.inner.call(req)
    }

    fn disarm(&mut self) {
        self.token.release();
        self.sleep = None;
        self.inner.disarm();
    }
}

impl<S: Clone> Clone for RateLimit<S> {
    /// The clone shares the rate and holds no token.
    fn clone(&self) -> Self {
        Self::with_limiter(self.inner.clone(), self.token.limiter.clone())
    }
}

impl<S: fmt::Debug> fmt::Debug for RateLimit<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimit")
            .field("inner", &self.inner)
            .field("limiter", &self.token.limiter)
            .field("holds_token", &self.token.held)
            .finish_non_exhaustive()
    }
}

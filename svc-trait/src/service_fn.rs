//! [`service_fn`]: a service from a closure.

use std::fmt;
use std::future::Future;
use std::task::{Context, Poll};

use crate::Service;

/// Returns a service that calls `f` with each request; it is always ready.
///
/// # Examples
///
/// ```
/// use svc_trait::{service_fn, ServiceExt};
///
/// let svc = service_fn(|name: &str| {
///     let greeting = format!("hello, {name}");
///     async move { Ok::<_, std::convert::Infallible>(greeting) }
/// });
/// let out = futures::executor::block_on(svc.oneshot("world")).unwrap();
/// assert_eq!(out, "hello, world");
/// ```
pub fn service_fn<F>(f: F) -> ServiceFn<F> {
    ServiceFn { f }
}

/// A service made from a closure by [`service_fn`].
#[derive(Clone, Copy)]
pub struct ServiceFn<F> {
    f: F,
}

impl<F> fmt::Debug for ServiceFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceFn")
            .field("f", &format_args!("{}", std::any::type_name::<F>()))
            .finish()
    }
}

impl<F, Fut, Req, R, E> Service<Req> for ServiceFn<F>
where
    F: FnMut(Req) -> Fut,
    Fut: Future<Output = Result<R, E>>,
{
    type Response = R;
    type Error = E;
    type Future = Fut;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), E>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Req) -> Fut {
        (self.f)(req)
    }
}

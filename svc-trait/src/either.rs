//! [`Either`]: one of two services, layers or futures.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::{Layer, Service};

/// One of two services (or layers, or futures) with the same response and error types.
///
/// As a layer, `Either<A, B>` applies whichever layer it holds;
/// [`ServiceBuilder::option_layer`](crate::ServiceBuilder::option_layer) uses
/// `Either<L, Identity>`. As a service it forwards `poll_ready`, `call` and
/// [`disarm`](Service::disarm) to the one it holds.
///
/// # Examples
///
/// ```
/// use svc_trait::{service_fn, Either, ServiceExt};
///
/// let double = service_fn(|x: u8| async move { Ok::<_, ()>(x * 2) });
/// let same = service_fn(|x: u8| async move { Ok::<_, ()>(x) });
/// let svc = if true { Either::Left(double) } else { Either::Right(same) };
/// assert_eq!(futures::executor::block_on(svc.oneshot(4)), Ok(8));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Either<A, B> {
    /// The first alternative.
    Left(A),
    /// The second alternative.
    Right(B),
}

impl<A, B, Req> Service<Req> for Either<A, B>
where
    A: Service<Req>,
    B: Service<Req, Response = A::Response, Error = A::Error>,
{
    type Response = A::Response;
    type Error = A::Error;
    /// Both futures are boxed so that `Either` can poll them without pin projection.
    type Future = Either<Pin<Box<A::Future>>, Pin<Box<B::Future>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), A::Error>> {
        match self {
            Either::Left(a) => a.poll_ready(cx),
            Either::Right(b) => b.poll_ready(cx),
        }
    }

    fn call(&mut self, req: Req) -> Self::Future {
        match self {
            Either::Left(a) => Either::Left(Box::pin(a.call(req))),
            Either::Right(b) => Either::Right(Box::pin(b.call(req))),
        }
    }

    fn disarm(&mut self) {
        match self {
            Either::Left(a) => a.disarm(),
            Either::Right(b) => b.disarm(),
        }
    }
}

impl<A, B> Future for Either<A, B>
where
    A: Future + Unpin,
    B: Future<Output = A::Output> + Unpin,
{
    type Output = A::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<A::Output> {
        match self.get_mut() {
            Either::Left(a) => Pin::new(a).poll(cx),
            Either::Right(b) => Pin::new(b).poll(cx),
        }
    }
}

impl<S, A, B> Layer<S> for Either<A, B>
where
    A: Layer<S>,
    B: Layer<S>,
{
    type Service = Either<A::Service, B::Service>;

    fn layer(&self, inner: S) -> Self::Service {
        match self {
            Either::Left(a) => Either::Left(a.layer(inner)),
            Either::Right(b) => Either::Right(b.layer(inner)),
        }
    }
}

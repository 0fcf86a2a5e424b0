//! [`Either`]: one of two services, layers or futures.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::{Layer, Service};

/// One of two services (or layers, or futures) with the same response and error types.
///
/// As a layer, `Either<A, B>` applies whichever layer it holds;
/// [`ServiceBuilder::option_layer`](crate::ServiceBuilder::option_layer) uses
/// `Either<L, Identity>`. As a service it forwards `poll_ready`, `call` and
/// [`disarm`](Service::disarm) to the one it holds; its response future is an
/// [`EitherFuture`], polled in place.
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
    type Future = EitherFuture<A::Future, B::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), A::Error>> {
        match self {
            Either::Left(a) => a.poll_ready(cx),
            Either::Right(b) => b.poll_ready(cx),
        }
    }

    fn call(&mut self, req: Req) -> Self::Future {
        match self {
            Either::Left(a) => EitherFuture::left(a.call(req)),
            Either::Right(b) => EitherFuture::right(b.call(req)),
        }
    }

    fn disarm(&mut self) {
        match self {
            Either::Left(a) => a.disarm(),
            Either::Right(b) => b.disarm(),
        }
    }
}

/// `Either` of two `Unpin` futures is a future. (The response future of `Either` as a
/// service is [`EitherFuture`], which needs no `Unpin`.)
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

pin_project! {
    /// Response future of [`Either`] as a service: the future of whichever service was
    /// called, polled in place (no allocation, no `Unpin` bound).
    #[must_use = "futures do nothing unless polled"]
    pub struct EitherFuture<A, B> {
        #[pin]
        kind: Kind<A, B>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<A, B> {
        Left { #[pin] fut: A },
        Right { #[pin] fut: B },
    }
}

impl<A, B> EitherFuture<A, B> {
    /// Wraps the future of the left service.
    pub fn left(fut: A) -> Self {
        EitherFuture {
            kind: Kind::Left { fut },
        }
    }

    /// Wraps the future of the right service.
    pub fn right(fut: B) -> Self {
        EitherFuture {
            kind: Kind::Right { fut },
        }
    }

    /// Returns `true` if this is the future of the left service.
    pub fn is_left(&self) -> bool {
        matches!(self.kind, Kind::Left { .. })
    }
}

impl<A, B> Future for EitherFuture<A, B>
where
    A: Future,
    B: Future<Output = A::Output>,
{
    type Output = A::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<A::Output> {
        match self.project().kind.project() {
            KindProj::Left { fut } => fut.poll(cx),
            KindProj::Right { fut } => fut.poll(cx),
        }
    }
}

impl<A, B> fmt::Debug for EitherFuture<A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = if self.is_left() { "left" } else { "right" };
        f.debug_struct("EitherFuture").field("side", &side).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll};

    use super::EitherFuture;

    /// Its future is not `Unpin` (it holds a borrow across an await).
    async fn not_unpin(x: u8) -> u8 {
        let y = x;
        let r = &y;
        std::future::ready(()).await;
        *r
    }

    #[test]
    fn polls_either_side_in_place() {
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let left = pin!(EitherFuture::<_, std::future::Ready<u8>>::left(not_unpin(1)));
        assert!(left.is_left());
        assert_eq!(left.poll(&mut cx), Poll::Ready(1));
        let right = pin!(EitherFuture::<std::future::Ready<u8>, _>::right(not_unpin(2)));
        assert!(!right.is_left());
        assert_eq!(right.poll(&mut cx), Poll::Ready(2));
    }
}

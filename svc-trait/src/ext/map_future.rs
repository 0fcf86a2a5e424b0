//! [`MapFuture`]: polls a future in place, then applies a function to its output once.
//!
//! Shared by the response futures of `map_response` and `map_err`. The function lives in
//! the `Incomplete` state beside the future and is moved out by replacing the whole state
//! with `Complete`, so there is no `Option` to check and unwrap on the way: the state
//! match is the only branch.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;

pin_project! {
    #[project = MapProj]
    #[project_replace = MapProjReplace]
    pub(crate) enum MapFuture<Fut, F> {
        Incomplete {
            #[pin]
            fut: Fut,
            f: F,
        },
        Complete,
    }
}

impl<Fut, F> MapFuture<Fut, F> {
    pub(crate) fn new(fut: Fut, f: F) -> Self {
        MapFuture::Incomplete { fut, f }
    }

    pub(crate) fn is_complete(&self) -> bool {
        matches!(self, MapFuture::Complete)
    }
}

impl<Fut: Future, F> MapFuture<Fut, F> {
    /// Polls the future; when it is ready, returns `apply(f, output)`.
    ///
    /// # Panics
    ///
    /// Panics when polled again after returning `Ready`; `name` says which future.
    pub(crate) fn poll_map<O>(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        name: &'static str,
        apply: impl FnOnce(F, Fut::Output) -> O,
    ) -> Poll<O> {
        let out = match self.as_mut().project() {
            MapProj::Incomplete { fut, .. } => ready!(fut.poll(cx)),
            MapProj::Complete => panic!("`{name}` polled after completion"),
        };
        match self.project_replace(MapFuture::Complete) {
            MapProjReplace::Incomplete { f, .. } => Poll::Ready(apply(f, out)),
            MapProjReplace::Complete => unreachable!("the state was `Incomplete` above"),
        }
    }
}

//! What a handle puts in the queue: the request and the one-shot channel that takes
//! the inner service's response future (or the service's failure) back to the caller.

use rt_core::sync::oneshot;

use crate::shared::AnyError;

/// The worker's answer: the inner response future, for the caller to poll, or the
/// service's readiness failure. A sender dropped without an answer means the worker is
/// gone.
pub(crate) type Reply<F> = Result<F, AnyError>;

/// One queued request.
pub(crate) struct Message<Req, F> {
    pub(crate) request: Req,
    pub(crate) reply: oneshot::Sender<Reply<F>>,
}

impl<Req, F> Message<Req, F> {
    /// A message for `request`, and the receiver its caller waits on.
    pub(crate) fn new(request: Req) -> (Message<Req, F>, oneshot::Receiver<Reply<F>>) {
        let (reply, rx) = oneshot::channel();
        (Message { request, reply }, rx)
    }
}

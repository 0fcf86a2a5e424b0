//! [`CallAll`] and [`CallAllUnordered`]: a stream of requests in, a stream of responses out
//! (feature `stream`).
//!
//! # Protocol
//!
//! Each poll of the response stream does, in order:
//!
//! 1. **Progress.** The in-flight response futures woken since the last poll are polled.
//!    Each has a waker of its own, which records it and wakes the task polling the
//!    stream, so the cost of a poll follows the wake-ups, not the number of requests in
//!    flight (one `Arc` waker and one boxed future per request).
//! 2. **Yield.** If a response may be yielded (the oldest one for [`CallAll`], any
//!    finished one for [`CallAllUnordered`]), it is.
//! 3. **Send.** Otherwise one more request is sent: the next request is taken from the
//!    request stream *first* and buffered, and only then is the service polled for
//!    readiness; on `Ready(Ok)` it is called at once with the buffered request. So the
//!    response stream never holds readiness while it waits for the request stream, and
//!    when the service is not ready at most one request is buffered (backpressure reaches
//!    the request stream). Steps 2 and 3 repeat, up to a budget of sends per poll, after
//!    which the task yields to its executor.
//!
//! An error from `poll_ready` is terminal: nothing more is sent, the buffered request is
//! dropped, the responses of the requests already sent are still yielded, and then the
//! error is yielded once as the last item. Errors of response futures are yielded in their
//! place and do not end the stream. The stream ends once the request stream has ended and
//! every response has been yielded.

mod core;
mod in_flight;
mod ordered;
mod unordered;

pub use ordered::CallAll;
pub use unordered::CallAllUnordered;

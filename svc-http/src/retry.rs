//! `svc_retry::standard::ReplayBody` for [`Body`] (feature `retry`).

use svc_retry::standard::ReplayBody;

use crate::body::Body;

/// A body in memory (empty, from a buffer, or made [`replayable`](Body::replayable)) can
/// be replayed; a stream cannot.
///
/// # Examples
///
/// ```
/// use svc_http::Body;
/// use svc_retry::standard::ReplayBody;
///
/// let body = Body::from("abc");
/// assert_eq!(body.size(), Some(3));
/// assert!(body.replay().is_some());
/// let stream = Body::from_stream(futures::stream::empty::<Result<bytes::Bytes, std::io::Error>>());
/// assert!(stream.replay().is_none());
/// ```
impl ReplayBody for Body {
    fn size(&self) -> Option<u64> {
        self.size_hint().exact()
    }

    fn replay(&self) -> Option<Body> {
        self.try_clone()
    }
}

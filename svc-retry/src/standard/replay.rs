//! [`Guard`], [`Replay`] and [`ReplayBody`]: which requests may be sent again, and how
//! they are copied.

/// Copies a request for another attempt, or refuses (`None`) when it is not safe or not
/// possible to send it again.
///
/// Implemented for closures `Fn(&Req) -> Option<Req>` and by [`ReplayGuard`] for requests
/// that implement [`Replay`].
///
/// # Examples
///
/// ```
/// use svc_retry::standard::Guard;
///
/// // Only even numbers are safe to repeat.
/// let even = |req: &u32| (req % 2 == 0).then_some(*req);
/// assert_eq!(even.replay(&4), Some(4));
/// assert_eq!(even.replay(&5), None);
/// ```
pub trait Guard<Req> {
    /// A copy of `req` for another attempt, or `None` if it must not be retried.
    fn replay(&self, req: &Req) -> Option<Req>;
}

impl<F, Req> Guard<Req> for F
where
    F: Fn(&Req) -> Option<Req>,
{
    fn replay(&self, req: &Req) -> Option<Req> {
        self(req)
    }
}

/// A request that knows whether it is safe to repeat, how large its body is, and how to
/// copy itself.
///
/// With the `http` feature, `http::Request<B>` implements it when its body implements
/// [`ReplayBody`]: repeatable if the method is idempotent or the request carries the
/// `Retryable` extension.
pub trait Replay: Sized {
    /// Whether sending the request twice is safe.
    fn is_repeatable(&self) -> bool;

    /// The size in bytes of the body a copy would duplicate, or `None` if unknown (a
    /// request of unknown size is not retried by [`ReplayGuard`]).
    fn body_size(&self) -> Option<u64>;

    /// A copy for another attempt, or `None` if the request cannot be copied.
    fn replay(&self) -> Option<Self>;
}

/// A request body that can be copied for a retry and knows its size.
///
/// Implemented for the buffered body types at hand: `()`, `Vec<u8>`, `String`,
/// `&'static [u8]`, `&'static str`. A streaming body type opts in by implementing it: it
/// returns its size when known (a buffered or length-delimited body) and a copy when it
/// can make one (for example by buffering up to the limit while the first attempt is
/// sent), and `None` otherwise, which makes the request non-retryable.
///
/// # Examples
///
/// ```
/// use svc_retry::standard::ReplayBody;
///
/// let body = b"hello".to_vec();
/// assert_eq!(body.size(), Some(5));
/// assert_eq!(body.replay(), Some(body.clone()));
/// ```
pub trait ReplayBody: Sized {
    /// The size in bytes, or `None` if unknown.
    fn size(&self) -> Option<u64>;

    /// A copy for another attempt, or `None` if the body cannot be copied.
    fn replay(&self) -> Option<Self>;
}

macro_rules! replay_body {
    ($($ty:ty => |$b:ident| $len:expr;)*) => {$(
        impl ReplayBody for $ty {
            fn size(&self) -> Option<u64> {
                let $b = self;
                Some($len as u64)
            }

            fn replay(&self) -> Option<Self> {
                Some(self.clone())
            }
        }
    )*};
}

replay_body! {
    () => |_b| 0;
    Vec<u8> => |b| b.len();
    String => |b| b.len();
    &'static [u8] => |b| b.len();
    &'static str => |b| b.len();
}

/// The [`Guard`] of requests that implement [`Replay`]: a request is copied only if it is
/// repeatable and its body is known and at most `body_limit` bytes (keeping a copy of a
/// large body for every request in flight costs memory).
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "http")] {
/// use svc_retry::standard::{Guard, ReplayGuard};
///
/// let guard = ReplayGuard::new(4);
/// let get = http::Request::get("/").body(b"tiny".to_vec()).unwrap();
/// let big = http::Request::get("/").body(b"too large".to_vec()).unwrap();
/// let post = http::Request::post("/").body(Vec::new()).unwrap();
/// assert!(guard.replay(&get).is_some());
/// assert!(guard.replay(&big).is_none());
/// assert!(guard.replay(&post).is_none()); // not idempotent
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplayGuard {
    body_limit: u64,
}

impl ReplayGuard {
    /// The default body limit: 64 KiB.
    pub const DEFAULT_BODY_LIMIT: u64 = 64 * 1024;

    /// A guard that retries repeatable requests with bodies of at most `body_limit` bytes.
    pub fn new(body_limit: u64) -> Self {
        ReplayGuard { body_limit }
    }

    /// The largest body, in bytes, of a request that is retried.
    pub fn body_limit(&self) -> u64 {
        self.body_limit
    }
}

impl Default for ReplayGuard {
    /// A guard with [`DEFAULT_BODY_LIMIT`](Self::DEFAULT_BODY_LIMIT).
    fn default() -> Self {
        ReplayGuard::new(Self::DEFAULT_BODY_LIMIT)
    }
}

impl<Req: Replay> Guard<Req> for ReplayGuard {
    fn replay(&self, req: &Req) -> Option<Req> {
        if !req.is_repeatable() || req.body_size()? > self.body_limit {
            return None;
        }
        req.replay()
    }
}

//! Discovery: where a balancer's endpoints come from.
//!
//! A [`Discover`] yields [`Change`]s: an endpoint keyed `K` is inserted (a second insert
//! of a key replaces the endpoint) or removed. The balancer's driver task polls it, so
//! changes apply as they come, whether requests arrive or not. When it ends
//! (`Ready(None)`), the balancer keeps the endpoints it has; if there are none, requests
//! fail at once with [`is_discovery_closed`](crate::BalanceError::is_discovery_closed).
//!
//! Sources: [`ServiceList`] (a fixed list), `rt-core`'s `mpsc` receivers of `Change`s
//! (bounded and unbounded) for a resolver task that pushes updates, and [`FromStream`]
//! for any `futures_core::Stream` of changes.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use rt_core::sync::mpsc;

/// One discovery update.
///
/// # Examples
///
/// ```
/// use svc_balance::Change;
///
/// let insert: Change<&str, ()> = Change::Insert("10.0.0.1:80", ());
/// let remove: Change<&str, ()> = Change::Remove("10.0.0.1:80");
/// assert!(matches!(insert, Change::Insert(..)) && matches!(remove, Change::Remove(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<K, S> {
    /// Add the endpoint `key` served by this service (replacing an endpoint with the
    /// same key).
    Insert(K, S),
    /// Remove the endpoint `key`: no new request goes to it, and its service is dropped
    /// once its requests in flight completed.
    Remove(K),
}

/// A source of [`Change`]s.
///
/// # Examples
///
/// ```
/// use std::task::{Context, Poll};
/// use svc_balance::{Change, Discover};
///
/// /// Inserts one endpoint, then stays open.
/// struct One(Option<u32>);
///
/// impl Discover<&'static str, u32> for One {
///     fn poll_change(&mut self, _cx: &mut Context<'_>) -> Poll<Option<Change<&'static str, u32>>> {
///         match self.0.take() {
///             Some(service) => Poll::Ready(Some(Change::Insert("only", service))),
///             None => Poll::Pending,
///         }
///     }
/// }
/// ```
pub trait Discover<K, S> {
    /// The next change; `Ready(None)` once discovery ended for good.
    ///
    /// `Pending` registers `cx`'s waker to be woken at the next change.
    fn poll_change(&mut self, cx: &mut Context<'_>) -> Poll<Option<Change<K, S>>>;
}

/// A fixed list of endpoints: inserts them all, then ends.
///
/// # Examples
///
/// ```
/// use svc_balance::ServiceList;
///
/// let list = ServiceList::new([("a", 1), ("b", 2)]);
/// assert_eq!(list.len(), 2);
/// ```
pub struct ServiceList<K, S> {
    entries: std::vec::IntoIter<(K, S)>,
}

impl<K, S> ServiceList<K, S> {
    /// The endpoints of `entries`, in order.
    pub fn new(entries: impl IntoIterator<Item = (K, S)>) -> ServiceList<K, S> {
        ServiceList {
            entries: entries.into_iter().collect::<Vec<_>>().into_iter(),
        }
    }

    /// Endpoints not yet inserted.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether every endpoint was inserted.
    pub fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }
}

impl<K, S> Discover<K, S> for ServiceList<K, S> {
    fn poll_change(&mut self, _cx: &mut Context<'_>) -> Poll<Option<Change<K, S>>> {
        Poll::Ready(self.entries.next().map(|(key, service)| Change::Insert(key, service)))
    }
}

impl<K, S> fmt::Debug for ServiceList<K, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceList").field("remaining", &self.len()).finish()
    }
}

/// Changes sent by a resolver task; discovery ends when every sender is dropped.
impl<K, S> Discover<K, S> for mpsc::Receiver<Change<K, S>> {
    fn poll_change(&mut self, cx: &mut Context<'_>) -> Poll<Option<Change<K, S>>> {
        self.poll_recv(cx)
    }
}

/// Changes sent by a resolver task; discovery ends when every sender is dropped.
impl<K, S> Discover<K, S> for mpsc::UnboundedReceiver<Change<K, S>> {
    fn poll_change(&mut self, cx: &mut Context<'_>) -> Poll<Option<Change<K, S>>> {
        self.poll_recv(cx)
    }
}

/// Any `Stream` of [`Change`]s as a [`Discover`].
///
/// # Examples
///
/// ```
/// use svc_balance::{Change, FromStream};
///
/// let changes = futures::stream::iter([Change::Insert("a", 1), Change::Remove("a")]);
/// let _discover = FromStream::new(changes);
/// ```
#[derive(Debug)]
pub struct FromStream<St> {
    stream: Pin<Box<St>>,
}

impl<St> FromStream<St> {
    /// Wraps `stream`.
    pub fn new(stream: St) -> FromStream<St> {
        FromStream {
            stream: Box::pin(stream),
        }
    }
}

impl<K, S, St: Stream<Item = Change<K, S>>> Discover<K, S> for FromStream<St> {
    fn poll_change(&mut self, cx: &mut Context<'_>) -> Poll<Option<Change<K, S>>> {
        self.stream.as_mut().poll_next(cx)
    }
}

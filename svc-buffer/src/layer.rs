//! [`BufferLayer`]: wraps a service in a [`Buffer`].

use std::fmt;
use std::marker::PhantomData;

use svc_trait::{Layer, Service};

use crate::Buffer;

/// Wraps a service in a [`Buffer`] of a fixed bound, spawning the worker with
/// [`Buffer::new`] (so [`layer`](Layer::layer) must run inside an `rt-sched` runtime).
///
/// # Examples
///
/// ```
/// use svc_buffer::BufferLayer;
/// use svc_trait::{service_fn, ServiceBuilder, ServiceExt};
///
/// # rt_sched::Builder::new_current_thread().build().unwrap().block_on(async {
/// let svc = ServiceBuilder::new()
///     .layer(BufferLayer::new(64))
///     .service(service_fn(|x: u32| async move { Ok::<_, std::io::Error>(x + 1) }));
/// assert_eq!(svc.oneshot(1).await.unwrap(), 2);
/// # });
/// ```
pub struct BufferLayer<Req> {
    bound: usize,
    _request: PhantomData<fn(Req)>,
}

impl<Req> BufferLayer<Req> {
    /// A layer whose buffers hold `bound` requests.
    ///
    /// # Panics
    ///
    /// When `bound` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// let layer = svc_buffer::BufferLayer::<String>::new(1024);
    /// assert_eq!(layer.bound(), 1024);
    /// ```
    #[track_caller]
    pub fn new(bound: usize) -> BufferLayer<Req> {
        assert!(bound > 0, "svc_buffer::BufferLayer requires a bound of at least 1");
        BufferLayer {
            bound,
            _request: PhantomData,
        }
    }

    /// The bound of the buffers this layer makes.
    pub fn bound(&self) -> usize {
        self.bound
    }
}

impl<S, Req> Layer<S> for BufferLayer<Req>
where
    S: Service<Req> + Send + 'static,
    S::Error: Send + Sync + 'static,
    S::Future: Send + 'static,
    Req: Send + 'static,
{
    type Service = Buffer<Req, S::Future>;

    /// # Panics
    ///
    /// When called outside an `rt-sched` runtime.
    fn layer(&self, service: S) -> Self::Service {
        Buffer::new(service, self.bound)
    }
}

impl<Req> Clone for BufferLayer<Req> {
    fn clone(&self) -> BufferLayer<Req> {
        *self
    }
}

impl<Req> Copy for BufferLayer<Req> {}

impl<Req> fmt::Debug for BufferLayer<Req> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufferLayer").field("bound", &self.bound).finish()
    }
}

//! [`ServiceBuilderExt`]: `ServiceBuilder::retry`.

use svc_trait::{ServiceBuilder, Stack};

use crate::layer::RetryLayer;

/// Adds [`retry`](ServiceBuilderExt::retry) to [`ServiceBuilder`].
///
/// Import it as `use svc_retry::ServiceBuilderExt as _;` next to other crates' extension
/// traits.
///
/// # Examples
///
/// ```
/// use svc_retry::{standard::Standard, ServiceBuilderExt as _};
/// use svc_trait::{service_fn, ServiceBuilder};
///
/// let policy = Standard::builder()
///     .classify(|r: &Result<u8, ()>| r.is_err())
///     .guard(|req: &u8| Some(*req))
///     .build();
/// let svc = ServiceBuilder::new()
///     .retry(policy)
///     .service(service_fn(|x: u8| async move { Ok::<_, ()>(x) }));
/// # let _ = svc;
/// ```
pub trait ServiceBuilderExt<L>: Sized {
    /// Adds a [`RetryLayer`] with `policy` inside the layers added so far.
    fn retry<P>(self, policy: P) -> ServiceBuilder<Stack<RetryLayer<P>, L>>;
}

impl<L> ServiceBuilderExt<L> for ServiceBuilder<L> {
    fn retry<P>(self, policy: P) -> ServiceBuilder<Stack<RetryLayer<P>, L>> {
        self.layer(RetryLayer::new(policy))
    }
}

//! [`ServiceBuilder`]: stacks layers around a service.

use std::fmt;

use crate::{
    service_fn, AndThenLayer, BoxCloneService, BoxService, Either, Identity, Layer, LayerFn, MapErrLayer,
    MapRequestLayer, MapResponseLayer, Service, ServiceFn, Stack, ThenLayer,
};

/// Stacks layers around a service. **The first layer added is the outermost**: it sees
/// requests first and responses last.
///
/// # Examples
///
/// ```
/// use svc_trait::{ServiceBuilder, ServiceExt};
///
/// let svc = ServiceBuilder::new()
///     .map_request(|s: &str| format!("{s}, outer"))          // runs first
///     .map_request(|s: String| format!("{s}, inner"))        // runs second
///     .service_fn(|s: String| async move { Ok::<_, ()>(s) });
/// let out = futures::executor::block_on(svc.oneshot("request")).unwrap();
/// assert_eq!(out, "request, outer, inner");
/// ```
#[derive(Clone)]
pub struct ServiceBuilder<L> {
    layer: L,
}

impl ServiceBuilder<Identity> {
    /// Returns a builder with no layers.
    pub const fn new() -> Self {
        ServiceBuilder { layer: Identity::new() }
    }
}

impl Default for ServiceBuilder<Identity> {
    fn default() -> Self {
        Self::new()
    }
}

impl<L> ServiceBuilder<L> {
    /// Adds `layer` inside the layers added so far.
    pub fn layer<T>(self, layer: T) -> ServiceBuilder<Stack<T, L>> {
        ServiceBuilder {
            layer: Stack::new(layer, self.layer),
        }
    }

    /// Adds `layer` if it is `Some`, and nothing (an [`Identity`]) otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{MapResponseLayer, ServiceBuilder, ServiceExt};
    ///
    /// let double = Some(MapResponseLayer::new(|x: u8| x * 2));
    /// let svc = ServiceBuilder::new()
    ///     .option_layer(double)
    ///     .service_fn(|x: u8| async move { Ok::<_, ()>(x) });
    /// assert_eq!(futures::executor::block_on(svc.oneshot(3)), Ok(6));
    /// ```
    pub fn option_layer<T>(self, layer: Option<T>) -> ServiceBuilder<Stack<Either<T, Identity>, L>> {
        let layer = match layer {
            Some(layer) => Either::Left(layer),
            None => Either::Right(Identity::new()),
        };
        self.layer(layer)
    }

    /// Adds the tower layer `layer` (a `tower_layer::Layer`), through
    /// [`FromTowerLayer`](crate::compat::FromTowerLayer) (feature `tower`).
    ///
    /// `disarm` from the layers above stops there: see the [`compat`](crate::compat)
    /// module docs.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{ServiceBuilder, ServiceExt};
    ///
    /// let svc = ServiceBuilder::new()
    ///     .tower_layer(tower::limit::ConcurrencyLimitLayer::new(1))
    ///     .service_fn(|x: u8| async move { Ok::<_, ()>(x) });
    /// assert_eq!(futures::executor::block_on(svc.oneshot(3)), Ok(3));
    /// ```
    #[cfg(feature = "tower")]
    pub fn tower_layer<T>(self, layer: T) -> ServiceBuilder<Stack<crate::compat::FromTowerLayer<T>, L>> {
        self.layer(crate::compat::FromTowerLayer::new(layer))
    }

    /// Adds a [`MapRequestLayer`] mapping requests with `f`.
    pub fn map_request<F>(self, f: F) -> ServiceBuilder<Stack<MapRequestLayer<F>, L>> {
        self.layer(MapRequestLayer::new(f))
    }

    /// Adds a [`MapResponseLayer`] mapping responses with `f`.
    pub fn map_response<F>(self, f: F) -> ServiceBuilder<Stack<MapResponseLayer<F>, L>> {
        self.layer(MapResponseLayer::new(f))
    }

    /// Adds a [`MapErrLayer`] mapping errors with `f`.
    pub fn map_err<F>(self, f: F) -> ServiceBuilder<Stack<MapErrLayer<F>, L>> {
        self.layer(MapErrLayer::new(f))
    }

    /// Adds a [`ThenLayer`] chaining `f` after each call.
    pub fn then<F>(self, f: F) -> ServiceBuilder<Stack<ThenLayer<F>, L>> {
        self.layer(ThenLayer::new(f))
    }

    /// Adds an [`AndThenLayer`] chaining `f` after each successful call.
    pub fn and_then<F>(self, f: F) -> ServiceBuilder<Stack<AndThenLayer<F>, L>> {
        self.layer(AndThenLayer::new(f))
    }

    /// Adds a layer boxing the service below it (the layers added after this one, around
    /// the service) into a [`BoxService`]; the error type is kept as it is.
    ///
    /// Unlike tower's, it may be called anywhere in the chain, not only first.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{BoxService, ServiceBuilder, ServiceExt};
    ///
    /// let svc: BoxService<u8, u8, ()> = ServiceBuilder::new()
    ///     .boxed()
    ///     .map_response(|x: u8| x + 1)
    ///     .service_fn(|x: u8| async move { Ok(x) });
    /// assert_eq!(futures::executor::block_on(svc.oneshot(1)), Ok(2));
    /// ```
    #[allow(clippy::type_complexity)]
    pub fn boxed<S, R>(self) -> ServiceBuilder<Stack<LayerFn<fn(S) -> BoxService<R, S::Response, S::Error>>, L>>
    where
        S: Service<R> + Send + 'static,
        S::Future: Send + 'static,
    {
        self.layer(BoxService::layer())
    }

    /// Adds a layer boxing the service below it into a clonable [`BoxCloneService`]; the
    /// error type is kept as it is.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{BoxCloneService, ServiceBuilder, ServiceExt};
    ///
    /// let svc = ServiceBuilder::new()
    ///     .map_request(|x: u8| x * 2)
    ///     .boxed_clone() // boxes what is below: map_response around the service_fn
    ///     .map_response(|x: u8| x + 1)
    ///     .service_fn(|x: u8| async move { Ok::<_, ()>(x) });
    /// assert_eq!(futures::executor::block_on(svc.clone().oneshot(3)), Ok(7));
    /// let boxed: BoxCloneService<u8, u8, ()> = svc.into_inner(); // below the map_request
    /// assert_eq!(futures::executor::block_on(boxed.oneshot(3)), Ok(4));
    /// ```
    #[allow(clippy::type_complexity)]
    pub fn boxed_clone<S, R>(
        self,
    ) -> ServiceBuilder<Stack<LayerFn<fn(S) -> BoxCloneService<R, S::Response, S::Error>>, L>>
    where
        S: Service<R> + Clone + Send + 'static,
        S::Future: Send + 'static,
    {
        self.layer(BoxCloneService::layer())
    }

    /// Checks at compile time that the built service would be a `Service<R>` when
    /// wrapped around an `S`; returns the builder unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{ServiceBuilder, ServiceFn};
    ///
    /// type Echo = ServiceFn<fn(u16) -> std::future::Ready<Result<u16, ()>>>;
    /// let builder = ServiceBuilder::new()
    ///     .map_request(|x: u8| u16::from(x))
    ///     .check_service::<Echo, u8>(); // fails to compile if the types do not line up
    /// # let _ = builder;
    /// ```
    pub fn check_service<S, R>(self) -> Self
    where
        L: Layer<S>,
        L::Service: Service<R>,
    {
        self
    }

    /// Wraps `service` in the layers, the first added outermost.
    pub fn service<S>(&self, service: S) -> L::Service
    where
        L: Layer<S>,
    {
        self.layer.layer(service)
    }

    /// Wraps [`service_fn(f)`](fn@service_fn) in the layers.
    pub fn service_fn<F>(self, f: F) -> L::Service
    where
        L: Layer<ServiceFn<F>>,
    {
        self.service(service_fn(f))
    }

    /// Returns the stacked layer, itself a [`Layer`].
    pub fn into_inner(self) -> L {
        self.layer
    }
}

impl<S, L: Layer<S>> Layer<S> for ServiceBuilder<L> {
    type Service = L::Service;

    fn layer(&self, inner: S) -> L::Service {
        self.layer.layer(inner)
    }
}

impl<L: fmt::Debug> fmt::Debug for ServiceBuilder<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ServiceBuilder").field(&self.layer).finish()
    }
}

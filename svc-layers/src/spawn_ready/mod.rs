//! Drive readiness on a task of its own: [`SpawnReady`] and [`SpawnReadyLayer`].
//!
//! A service that becomes ready only when polled (a connection that is being
//! established, a pool that refills in `poll_ready`) makes no progress while its caller
//! is busy elsewhere. `SpawnReady` moves such a service, when it is not ready, onto a
//! task spawned on the current rt-sched runtime, which polls it until it is ready and
//! hands it back through a oneshot channel.
//!
//! # Errors
//!
//! [`SpawnReadyError<E>`] keeps the inner error typed, including a readiness error that
//! happened on the background task; [`is_cancelled`](SpawnReadyError::is_cancelled)
//! reports a background task that was dropped (runtime shutdown) or panicked.
//!
//! # Readiness
//!
//! `disarm` forwards to the inner service when it is home and ready. See
//! [`SpawnReady`] for `Send + 'static` requirements and shutdown behaviour.
//!
//! # Examples
//!
//! ```
//! use std::sync::atomic::{AtomicU32, Ordering};
//! use std::sync::Arc;
//! use std::task::{Context, Poll};
//! use svc_layers::spawn_ready::SpawnReady;
//! use svc_trait::{Service, ServiceExt};
//!
//! /// Ready after being polled three times (a stand-in for a connection handshake).
//! struct Handshake(Arc<AtomicU32>);
//! impl Service<()> for Handshake {
//!     type Response = u32;
//!     type Error = std::convert::Infallible;
//!     type Future = std::future::Ready<Result<u32, Self::Error>>;
//!     fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
//!         if self.0.fetch_add(1, Ordering::SeqCst) < 2 {
//!             cx.waker().wake_by_ref();
//!             return Poll::Pending;
//!         }
//!         Poll::Ready(Ok(()))
//!     }
//!     fn call(&mut self, _: ()) -> Self::Future {
//!         std::future::ready(Ok(self.0.load(Ordering::SeqCst)))
//!     }
//! }
//!
//! # let rt = rt_sched::Runtime::new().unwrap();
//! # rt.block_on(async {
//! let polls = Arc::new(AtomicU32::new(0));
//! let svc = SpawnReady::new(Handshake(polls.clone()));
//! assert_eq!(svc.oneshot(()).await.unwrap(), 3);
//! # });
//! ```

mod background;
mod error;
mod future;
mod layer;
mod service;

pub use self::error::{Cancelled, SpawnReadyError};
pub use self::future::ResponseFuture;
pub use self::layer::SpawnReadyLayer;
pub use self::service::SpawnReady;

//! Unix signal streams: [`signal`] creates a [`Signal`] that yields each delivery of a
//! [`SignalKind`].
//!
//! ```no_run
//! use rt_net::signal::unix::{signal, SignalKind};
//!
//! # async fn run() -> std::io::Result<()> {
//! let mut terminate = signal(SignalKind::terminate())?;
//! terminate.recv().await;
//! println!("SIGTERM: shutting down gracefully");
//! # Ok(())
//! # }
//! ```

mod kind;
mod stream;

pub use kind::SignalKind;
pub use stream::{signal, Signal};

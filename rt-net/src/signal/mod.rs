//! Signals for graceful shutdown and reloads: [`ctrl_c`] and, on Unix, streams of any
//! signal in [`unix`].
//!
//! A signal handler can do almost nothing safely, so ours only records the delivery and
//! writes a byte to a self-pipe that the runtime's reactor watches; the streams, polled
//! as ordinary tasks, do the rest.
//!
//! ```no_run
//! use rt_net::signal::unix::{signal, SignalKind};
//!
//! # async fn run() -> std::io::Result<()> {
//! let mut terminate = signal(SignalKind::terminate())?;
//! let mut interrupt = signal(SignalKind::interrupt())?;
//! futures::future::select(Box::pin(terminate.recv()), Box::pin(interrupt.recv())).await;
//! println!("shutting down");
//! # Ok(())
//! # }
//! ```

mod ctrl_c;
mod registry;
pub mod unix;

pub use ctrl_c::ctrl_c;

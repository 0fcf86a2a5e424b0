//! Errors of the `time` module.

use std::error::Error;
use std::fmt;
use std::io;

/// The error of a [`Timeout`](super::Timeout) whose deadline came before its future
/// completed.
///
/// It also reports the one other way a timeout can end without its future: the runtime's
/// timer shut down first ([`is_shutdown`](Elapsed::is_shutdown)). Converting it into an
/// [`io::Error`] gives [`io::ErrorKind::TimedOut`] either way.
///
/// # Examples
///
/// ```
/// use std::future::pending;
/// use rt_core::time::{error::Elapsed, timeout, Duration};
///
/// async fn wait() -> std::io::Result<()> {
///     let result: Result<(), Elapsed> = timeout(Duration::from_millis(10), pending()).await;
///     result?; // an io::Error of kind TimedOut
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed {
    shutdown: bool,
}

impl Elapsed {
    pub(crate) fn new(shutdown: bool) -> Elapsed {
        Elapsed { shutdown }
    }

    /// Whether the timeout ended because the runtime's timer shut down before the
    /// deadline (rather than because the deadline passed).
    pub fn is_shutdown(&self) -> bool {
        self.shutdown
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.shutdown {
            f.write_str("timer shut down before the deadline elapsed")
        } else {
            f.write_str("deadline has elapsed")
        }
    }
}

impl Error for Elapsed {}

impl From<Elapsed> for io::Error {
    fn from(elapsed: Elapsed) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, elapsed)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn display_and_io_conversion() {
        assert_eq!(Elapsed::new(false).to_string(), "deadline has elapsed");
        assert!(Elapsed::new(true).to_string().contains("shut down"));
        assert!(Elapsed::new(true).is_shutdown());
        let io: io::Error = Elapsed::new(false).into();
        assert_eq!(io.kind(), io::ErrorKind::TimedOut);
        assert_eq!(io.to_string(), "deadline has elapsed");
        assert!(io.get_ref().unwrap().downcast_ref::<Elapsed>().is_some());
    }
}

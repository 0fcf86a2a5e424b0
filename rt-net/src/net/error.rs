//! `io::Error`s that say what the runtime was doing when the OS refused.
//!
//! An OS error alone ("Connection refused (os error 111)") does not say which address
//! or which call; [`context`] wraps it with that, keeping its [`io::ErrorKind`] so that
//! callers matching on the kind see no difference. The original error stays reachable
//! as the wrapper's [`source`](std::error::Error::source) (with its raw OS code).
//!
//! Only set-up calls (socket, bind, listen, connect, accept failures that end an
//! accept loop) are wrapped: reads and writes return the OS error as is, so the hot
//! path never allocates.

use std::error::Error;
use std::fmt;
use std::io;

/// `what` failed with `source`.
#[derive(Debug)]
struct Context {
    what: String,
    source: io::Error,
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.source)
    }
}

impl Error for Context {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}

/// Wraps `source` with a description of the failed operation, keeping its kind.
pub(crate) fn context(source: io::Error, what: impl fmt::Display) -> io::Error {
    let kind = source.kind();
    let what = what.to_string();
    io::Error::new(kind, Context { what, source })
}

/// The error of a `bind` / `connect` whose address resolved to nothing.
pub(crate) fn no_address() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "could not resolve to any address")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_kind_and_the_os_error() {
        let os = io::Error::from_raw_os_error(libc::ECONNREFUSED);
        let err = context(os, "connect to 127.0.0.1:1");
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
        assert!(err.to_string().starts_with("connect to 127.0.0.1:1: "), "{err}");
        let source = err
            .get_ref()
            .and_then(|e| e.source())
            .expect("the OS error is the source");
        let source = source.downcast_ref::<io::Error>().expect("an io::Error");
        assert_eq!(source.raw_os_error(), Some(libc::ECONNREFUSED));
    }
}

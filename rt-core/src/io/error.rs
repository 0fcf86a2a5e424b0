//! The errors of the reactor, each with a message that says what failed.

use std::io;

/// A readiness poll or a registration after (or during) the driver's shutdown.
pub(crate) fn shutdown() -> io::Error {
    io::Error::other("the runtime has shut down: its I/O driver no longer delivers readiness")
}

/// An I/O source created outside a runtime.
pub(crate) fn no_reactor() -> io::Error {
    io::Error::other("no reactor running: I/O sources must be called from inside an rt-sched runtime with I/O enabled")
}

/// An I/O source created in a runtime built without I/O.
pub(crate) fn io_disabled() -> io::Error {
    io::Error::other(
        "no reactor running: the current runtime has I/O disabled (build it with `enable_io()` or `enable_all()`)",
    )
}

/// More live registrations than a token can address.
pub(crate) fn too_many_registrations() -> io::Error {
    io::Error::other("the reactor's registration table is full (2^24 - 1 live registrations)")
}

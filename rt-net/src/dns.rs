//! Name resolution: [`lookup_host`], and the resolver the sockets use for `bind` and
//! `connect`.
//!
//! The system resolver (`getaddrinfo`, through [`std::net::ToSocketAddrs`]) blocks, so
//! names are resolved on the blocking pool; literal addresses are parsed on the calling
//! thread (see [`ToSocketAddrs`]).

use std::io;
use std::net::SocketAddr;

use crate::addr::sealed::Resolve;
use crate::addr::{SocketAddrs, ToSocketAddrs};
use crate::blocking;

/// Resolves a host name (or an address literal) to socket addresses.
///
/// Literals (`"127.0.0.1:80"`, `("::1", 443)`, a [`SocketAddr`], ...) are parsed
/// without leaving the calling task. Host names (`"localhost:80"`, `("example.com",
/// 443)`) are resolved by the system resolver on the blocking pool; the addresses come
/// in its order (usually the preferred family first). A resolver may answer with no
/// address at all: the iterator is then empty.
///
/// # Errors
///
/// [`io::ErrorKind::InvalidInput`] for a string that is not `host:port` or has an
/// invalid port; the resolver's error (naming the host) when the name cannot be
/// resolved; and, for host names only, an error outside a runtime.
///
/// # Cancel safety
///
/// Cancel safe: a lookup already started finishes on the pool and its result is
/// dropped.
///
/// # Examples
///
/// ```
/// # let rt = rt_sched::Runtime::new().unwrap();
/// # rt.block_on(async {
/// for addr in rt_net::lookup_host("localhost:8080").await? {
///     assert!(addr.ip().is_loopback());
///     assert_eq!(addr.port(), 8080);
/// }
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn lookup_host<T: ToSocketAddrs>(host: T) -> io::Result<impl Iterator<Item = SocketAddr>> {
    to_socket_addrs(&host).await
}

/// Resolves `addr`: literals here, names on the blocking pool.
///
/// For the sockets' `bind` / `connect`, which try the addresses in order.
///
/// # Errors
///
/// As for [`lookup_host`].
pub(crate) async fn to_socket_addrs<T: ToSocketAddrs + ?Sized>(addr: &T) -> io::Result<SocketAddrs> {
    match addr.to_resolve() {
        Resolve::Done(res) => res,
        Resolve::Lookup { host, port } => blocking::run(move || lookup(&host, port)).await,
    }
}

/// Blocking: asks the system resolver.
fn lookup(host: &str, port: u16) -> io::Result<SocketAddrs> {
    match std::net::ToSocketAddrs::to_socket_addrs(&(host, port)) {
        Ok(addrs) => Ok(SocketAddrs::many(addrs.collect())),
        // The std error does not say which name failed.
        Err(e) => Err(io::Error::new(e.kind(), format!("failed to resolve `{host}`: {e}"))),
    }
}

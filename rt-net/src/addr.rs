//! `ToSocketAddrs`: what [`lookup_host`](crate::lookup_host) (and the sockets' `bind`
//! and `connect`) accept as an address.
//!
//! Each implementation turns itself into a [`sealed::Resolve`] on the calling thread:
//! either the addresses themselves (literals, parsed right away, no blocking pool) or a
//! host name and port for [`crate::dns`] to resolve on the blocking pool.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::{option, vec};

/// Types that can be resolved to socket addresses: by [`lookup_host`](crate::lookup_host)
/// and, once they exist, by the `bind` / `connect` of this crate's sockets.
///
/// Implemented for
///
/// * [`SocketAddr`], [`SocketAddrV4`], [`SocketAddrV6`], `(IpAddr, u16)`,
///   `(Ipv4Addr, u16)`, `(Ipv6Addr, u16)` and `&[SocketAddr]`: used as they are;
/// * `(&str, u16)` and `(String, u16)`: an IP literal is used as is, anything else is a
///   host name resolved on the blocking pool;
/// * `&str` and [`String`] of the form `"host:port"` (`"[::1]:80"` for IPv6 literals):
///   a socket address literal is used as is, otherwise the host is resolved on the
///   blocking pool;
/// * `&T` for each of those.
///
/// Literal addresses never touch the blocking pool, so they work outside a runtime too.
///
/// The trait is sealed: its method is an implementation detail of this crate, and it
/// cannot be implemented outside of it.
pub trait ToSocketAddrs: sealed::ToSocketAddrsPriv {}

pub(crate) mod sealed {
    use super::SocketAddrs;
    use std::io;

    /// The hidden half of [`ToSocketAddrs`](super::ToSocketAddrs).
    pub trait ToSocketAddrsPriv {
        /// Parses literals; says what is left to resolve.
        fn to_resolve(&self) -> Resolve;
    }

    /// The outcome of [`ToSocketAddrsPriv::to_resolve`].
    #[derive(Debug)]
    pub enum Resolve {
        /// Known without asking a resolver (a literal, or invalid input).
        Done(io::Result<SocketAddrs>),
        /// A host name to resolve on the blocking pool.
        Lookup {
            /// The host name.
            host: String,
            /// The port of every address.
            port: u16,
        },
    }
}

use sealed::{Resolve, ToSocketAddrsPriv};

/// The addresses a [`ToSocketAddrs`] resolved to.
#[derive(Debug)]
pub struct SocketAddrs(Repr);

#[derive(Debug)]
enum Repr {
    One(option::IntoIter<SocketAddr>),
    Many(vec::IntoIter<SocketAddr>),
}

impl SocketAddrs {
    pub(crate) fn one(addr: SocketAddr) -> SocketAddrs {
        SocketAddrs(Repr::One(Some(addr).into_iter()))
    }

    pub(crate) fn many(addrs: Vec<SocketAddr>) -> SocketAddrs {
        SocketAddrs(Repr::Many(addrs.into_iter()))
    }
}

impl Iterator for SocketAddrs {
    type Item = SocketAddr;

    fn next(&mut self) -> Option<SocketAddr> {
        match &mut self.0 {
            Repr::One(it) => it.next(),
            Repr::Many(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            Repr::One(it) => it.size_hint(),
            Repr::Many(it) => it.size_hint(),
        }
    }
}

/// Implements the trait for types that convert into a `SocketAddr` without failing.
macro_rules! literal {
    ($($ty:ty),*) => {$(
        impl ToSocketAddrs for $ty {}
        impl ToSocketAddrsPriv for $ty {
            fn to_resolve(&self) -> Resolve {
                Resolve::Done(Ok(SocketAddrs::one(SocketAddr::from(*self))))
            }
        }
    )*};
}

literal!(
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6,
    (IpAddr, u16),
    (Ipv4Addr, u16),
    (Ipv6Addr, u16)
);

impl ToSocketAddrs for [SocketAddr] {}
impl ToSocketAddrsPriv for [SocketAddr] {
    fn to_resolve(&self) -> Resolve {
        Resolve::Done(Ok(SocketAddrs::many(self.to_vec())))
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl ToSocketAddrsPriv for (&str, u16) {
    fn to_resolve(&self) -> Resolve {
        host_port(self.0, self.1)
    }
}

impl ToSocketAddrs for (String, u16) {}
impl ToSocketAddrsPriv for (String, u16) {
    fn to_resolve(&self) -> Resolve {
        host_port(&self.0, self.1)
    }
}

impl ToSocketAddrs for str {}
impl ToSocketAddrsPriv for str {
    fn to_resolve(&self) -> Resolve {
        if let Ok(addr) = self.parse::<SocketAddr>() {
            return Resolve::Done(Ok(SocketAddrs::one(addr)));
        }
        // Checked here, so that bad input never costs a trip to the blocking pool.
        let Some((host, port)) = self.rsplit_once(':') else {
            return invalid(format_args!("invalid socket address `{self}`: expected `host:port`"));
        };
        match port.parse::<u16>() {
            Ok(port) => host_port(host, port),
            Err(_) => invalid(format_args!("invalid port in socket address `{self}`")),
        }
    }
}

impl ToSocketAddrs for String {}
impl ToSocketAddrsPriv for String {
    fn to_resolve(&self) -> Resolve {
        self.as_str().to_resolve()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: ToSocketAddrsPriv + ?Sized> ToSocketAddrsPriv for &T {
    fn to_resolve(&self) -> Resolve {
        (**self).to_resolve()
    }
}

/// An IP literal and a port, or a host name to look up.
fn host_port(host: &str, port: u16) -> Resolve {
    match host.parse::<IpAddr>() {
        Ok(ip) => Resolve::Done(Ok(SocketAddrs::one(SocketAddr::new(ip, port)))),
        Err(_) => Resolve::Lookup {
            host: host.to_owned(),
            port,
        },
    }
}

fn invalid(msg: fmt::Arguments<'_>) -> Resolve {
    Resolve::Done(Err(io::Error::new(io::ErrorKind::InvalidInput, msg.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(addr: impl ToSocketAddrs) -> Vec<SocketAddr> {
        match addr.to_resolve() {
            Resolve::Done(res) => res.unwrap().collect(),
            Resolve::Lookup { host, port } => panic!("{host}:{port} needs a lookup"),
        }
    }

    fn lookup(addr: impl ToSocketAddrs) -> (String, u16) {
        match addr.to_resolve() {
            Resolve::Done(res) => panic!("resolved without a lookup: {res:?}"),
            Resolve::Lookup { host, port } => (host, port),
        }
    }

    #[test]
    fn literals_need_no_lookup() {
        let v4: SocketAddr = "127.0.0.1:80".parse().unwrap();
        let v6: SocketAddr = "[::1]:443".parse().unwrap();
        assert_eq!(literal(v4), [v4]);
        assert_eq!(literal("127.0.0.1:80"), [v4]);
        assert_eq!(literal(String::from("[::1]:443")), [v6]);
        assert_eq!(literal(("127.0.0.1", 80)), [v4]);
        assert_eq!(literal(("::1", 443)), [v6]);
        assert_eq!(literal((IpAddr::from([127, 0, 0, 1]), 80)), [v4]);
        assert_eq!(literal((Ipv6Addr::LOCALHOST, 443)), [v6]);
        assert_eq!(literal(&[v4, v6][..]), [v4, v6]);
        let by_ref: &SocketAddr = &v4;
        assert_eq!(literal(by_ref), [v4]);
    }

    #[test]
    fn names_are_looked_up() {
        assert_eq!(lookup("localhost:8080"), ("localhost".to_owned(), 8080));
        assert_eq!(lookup(("example.invalid", 1)), ("example.invalid".to_owned(), 1));
        assert_eq!(lookup((String::from("db"), 5432)), ("db".to_owned(), 5432));
    }

    #[test]
    fn bad_input_is_an_error_not_a_lookup() {
        for bad in ["localhost", "localhost:http", "localhost:70000", ""] {
            match bad.to_resolve() {
                Resolve::Done(Err(e)) => assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}

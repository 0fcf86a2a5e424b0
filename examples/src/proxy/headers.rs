//! Header rewriting at the proxy: hop-by-hop fields removed (RFC 9110 §7.6.1), and the
//! client's address added as `Forwarded` (RFC 7239) and `X-Forwarded-For`.
//!
//! The common case (no hop-by-hop field, no `Forwarded` / `X-Forwarded-For` from the
//! client) costs one pass over the field names and two inserts of values prepared once
//! per client address.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, Weak};

use bytes::{BufMut, Bytes, BytesMut};
use http::header::{Entry, HeaderName, HeaderValue, CONNECTION, FORWARDED};
use http::HeaderMap;

/// `x-forwarded-for`.
pub(crate) static X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// Whether `name` is hop-by-hop whatever `Connection` says.
fn is_hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection" | "keep-alive" | "te" | "trailer" | "transfer-encoding" | "upgrade"
    ) || name.as_str().starts_with("proxy-")
}

/// Removes the hop-by-hop fields: the fixed ones, `Proxy-*`, and those `Connection` lists.
pub(crate) fn remove_hop_by_hop(headers: &mut HeaderMap) {
    if !headers.keys().any(is_hop_by_hop) {
        return;
    }
    // Rare path: collect, then remove.
    let mut names: Vec<HeaderName> = headers.keys().filter(|n| is_hop_by_hop(n)).cloned().collect();
    for value in headers.get_all(CONNECTION) {
        let Ok(value) = value.to_str() else { continue };
        for token in value.split(',') {
            if let Ok(name) = HeaderName::from_bytes(token.trim().as_bytes()) {
                names.push(name);
            }
        }
    }
    for name in names {
        headers.remove(&name);
    }
}

/// The values a client connection adds to each request, prepared once per connection.
#[derive(Debug, Clone)]
pub(crate) struct ClientAddr {
    /// `1.2.3.4` / `::1`: the `X-Forwarded-For` element.
    ip: HeaderValue,
    /// `for=1.2.3.4` / `for="[::1]"`: the `Forwarded` element.
    forwarded: HeaderValue,
}

impl ClientAddr {
    pub(crate) fn new(peer: SocketAddr) -> ClientAddr {
        let ip = peer.ip();
        let forwarded = match ip {
            IpAddr::V4(v4) => format!("for={v4};proto=http"),
            IpAddr::V6(v6) => format!("for=\"[{v6}]\";proto=http"),
        };
        ClientAddr {
            ip: HeaderValue::from_str(&ip.to_string()).expect("an IP address is a valid header value"),
            forwarded: HeaderValue::from_str(&forwarded).expect("a forwarded element is a valid header value"),
        }
    }

    /// Adds the client to `Forwarded` and `X-Forwarded-For` (appended to a list the
    /// client sent, as one field).
    pub(crate) fn append_to(&self, headers: &mut HeaderMap) {
        append(headers, &FORWARDED, &self.forwarded);
        append(headers, &X_FORWARDED_FOR, &self.ip);
    }
}

/// The [`ClientAddr`] of each client address in use, shared by its connections: a
/// sidecar's clients are a handful of addresses, and each connection holds a pointer
/// rather than its own pair of formatted values.
#[derive(Debug, Default)]
pub(crate) struct ClientAddrs {
    known: Mutex<HashMap<IpAddr, Weak<ClientAddr>>>,
}

/// Entries of addresses no connection uses any more are pruned whenever the cache's size
/// reaches a power of two from this one up (amortised O(1) per connection).
const PRUNE_AT: usize = 1024;

impl ClientAddrs {
    /// Returns the values for a connection from `peer`. Called once per connection.
    pub(crate) fn get(&self, peer: SocketAddr) -> Arc<ClientAddr> {
        let ip = peer.ip();
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(addr) = known.get(&ip).and_then(Weak::upgrade) {
            return addr;
        }
        if known.len() >= PRUNE_AT && known.len().is_power_of_two() {
            known.retain(|_, addr| addr.strong_count() > 0);
        }
        let addr = Arc::new(ClientAddr::new(peer));
        known.insert(ip, Arc::downgrade(&addr));
        addr
    }
}

/// Sets `name` to `value`, or to `previous, value` when the field exists. One lookup
/// (an entry), not a lookup and an insert.
fn append(headers: &mut HeaderMap, name: &HeaderName, value: &HeaderValue) {
    match headers.entry(name) {
        Entry::Vacant(vacant) => {
            vacant.insert(value.clone());
        }
        Entry::Occupied(mut occupied) => {
            let previous = occupied.get_mut();
            let mut joined = BytesMut::with_capacity(previous.len() + 2 + value.len());
            joined.put_slice(previous.as_bytes());
            joined.put_slice(b", ");
            joined.put_slice(value.as_bytes());
            let joined: Bytes = joined.freeze();
            // Both parts are valid field values, and so is their join.
            if let Ok(joined) = HeaderValue::from_maybe_shared(joined) {
                *previous = joined;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_hop_by_hop_and_listed_fields() {
        let mut headers = HeaderMap::new();
        headers.insert("connection", "close, x-secret".parse().unwrap());
        headers.insert("x-secret", "1".parse().unwrap());
        headers.insert("keep-alive", "timeout=5".parse().unwrap());
        headers.insert("proxy-authorization", "basic x".parse().unwrap());
        headers.insert("te", "trailers".parse().unwrap());
        headers.insert("transfer-encoding", "chunked".parse().unwrap());
        headers.insert("upgrade", "websocket".parse().unwrap());
        headers.insert("trailer", "x".parse().unwrap());
        headers.insert("x-kept", "yes".parse().unwrap());
        remove_hop_by_hop(&mut headers);
        assert_eq!(headers.len(), 1);
        assert_eq!(headers["x-kept"], "yes");
    }

    #[test]
    fn connections_from_one_address_share_its_values() {
        let addrs = ClientAddrs::default();
        let a = addrs.get("10.1.2.3:1".parse().unwrap());
        let b = addrs.get("10.1.2.3:2".parse().unwrap());
        let c = addrs.get("10.1.2.4:1".parse().unwrap());
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        drop((a, b));
        let mut headers = HeaderMap::new();
        addrs.get("10.1.2.3:3".parse().unwrap()).append_to(&mut headers);
        assert_eq!(headers["x-forwarded-for"], "10.1.2.3");
    }

    #[test]
    fn unused_addresses_are_pruned() {
        let addrs = ClientAddrs::default();
        let kept = addrs.get("10.0.0.1:1".parse().unwrap());
        for i in 0..4 * PRUNE_AT as u32 {
            let ip = std::net::Ipv4Addr::from(0x0b00_0000 + i);
            drop(addrs.get(SocketAddr::new(ip.into(), 1)));
        }
        let len = addrs.known.lock().unwrap().len();
        assert!(len <= 2 * PRUNE_AT, "{len} entries");
        assert!(Arc::ptr_eq(&kept, &addrs.get("10.0.0.1:2".parse().unwrap())));
    }

    #[test]
    fn appends_forwarded_fields() {
        let mut headers = HeaderMap::new();
        ClientAddr::new("10.1.2.3:999".parse().unwrap()).append_to(&mut headers);
        assert_eq!(headers["forwarded"], "for=10.1.2.3;proto=http");
        assert_eq!(headers["x-forwarded-for"], "10.1.2.3");
        ClientAddr::new("[::1]:1".parse().unwrap()).append_to(&mut headers);
        assert_eq!(
            headers["forwarded"],
            "for=10.1.2.3;proto=http, for=\"[::1]\";proto=http"
        );
        assert_eq!(headers["x-forwarded-for"], "10.1.2.3, ::1");
    }
}

//! `lookup_host`: literals of every accepted form (without the blocking pool, so also
//! outside a runtime), `localhost` through the system resolver, and errors.

mod support;

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use rt_net::lookup_host;
use support::each_flavor;

async fn resolve(addr: impl rt_net::ToSocketAddrs) -> Vec<SocketAddr> {
    lookup_host(addr).await.unwrap().collect()
}

fn v4() -> SocketAddr {
    SocketAddr::new(Ipv4Addr::LOCALHOST.into(), 8080)
}

fn v6() -> SocketAddr {
    SocketAddr::new(Ipv6Addr::LOCALHOST.into(), 443)
}

/// Every literal form, resolved by `resolve`.
async fn all_literal_forms() {
    assert_eq!(resolve(v4()).await, [v4()]);
    assert_eq!(resolve("127.0.0.1:8080").await, [v4()]);
    assert_eq!(resolve("[::1]:443").await, [v6()]);
    assert_eq!(resolve(String::from("127.0.0.1:8080")).await, [v4()]);
    assert_eq!(resolve(&String::from("[::1]:443")).await, [v6()]);
    assert_eq!(resolve(("127.0.0.1", 8080)).await, [v4()]);
    assert_eq!(resolve(("::1", 443)).await, [v6()]);
    assert_eq!(resolve((String::from("::1"), 443)).await, [v6()]);
    assert_eq!(resolve((IpAddr::V4(Ipv4Addr::LOCALHOST), 8080)).await, [v4()]);
    assert_eq!(resolve((Ipv4Addr::LOCALHOST, 8080)).await, [v4()]);
    assert_eq!(resolve((Ipv6Addr::LOCALHOST, 443)).await, [v6()]);
    assert_eq!(resolve(&[v4(), v6()][..]).await, [v4(), v6()]);
    assert!(resolve(&[][..]).await.is_empty());
}

#[test]
fn literals_resolve_on_each_flavor() {
    each_flavor(|_| all_literal_forms());
}

#[test]
fn literals_resolve_outside_a_runtime() {
    // No blocking pool needed, so no runtime either.
    futures::executor::block_on(all_literal_forms());
}

#[test]
fn localhost_resolves_to_loopback() {
    each_flavor(|_| async {
        for addrs in [resolve("localhost:8080").await, resolve(("localhost", 8080)).await] {
            assert!(!addrs.is_empty(), "localhost resolved to nothing");
            for addr in addrs {
                assert!(addr.ip().is_loopback(), "{addr}");
                assert_eq!(addr.port(), 8080);
            }
        }
    });
}

#[test]
fn names_outside_a_runtime_are_an_error() {
    let err = futures::executor::block_on(lookup_host("localhost:80"))
        .map(drop)
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::Other);
    assert!(err.to_string().contains("runtime"), "{err}");
}

#[rt_sched::test]
async fn malformed_input_is_invalid_input() {
    for bad in [
        "localhost",
        "localhost:",
        "localhost:http",
        "localhost:65536",
        "[::1]",
        "",
    ] {
        let err = lookup_host(bad).await.map(drop).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad:?}: {err}");
    }
}

#[rt_sched::test]
async fn unknown_names_fail_with_the_name_in_the_error() {
    // `.invalid` never resolves (RFC 6761).
    let err = lookup_host("no-such-host.invalid:80").await.map(drop).unwrap_err();
    assert!(err.to_string().contains("no-such-host.invalid"), "{err}");
}

#[test]
fn the_future_is_send() {
    fn send<T: Send>(_: &T) {}
    send(&lookup_host("localhost:80"));
    send(&lookup_host(("localhost", 80)));
    send(&lookup_host(v4()));
}

//! The reactor driven by hand: a `Driver` with I/O enabled, parked with a timeout on
//! the test's thread, and `PollEvented` sources polled with wakers that count their
//! wakes. No scheduler is involved; each test makes the driver's handle current with
//! `context::set_current_handle`.
#![cfg(not(loom))]

use std::future::Future;
use std::io::{self, Read, Write};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream, UnixStream};
use rt_core::context::{self, HandleGuard};
use rt_core::driver::{Config, Driver, Handle};
use rt_core::io::{Interest, PollEvented, Ready};

/// A driver with I/O, its handle made current for the test.
struct Rt {
    driver: Driver,
    handle: Handle,
    _enter: HandleGuard,
}

impl Rt {
    fn new() -> Rt {
        let (driver, handle) = Driver::new(Config {
            enable_io: true,
            ..Config::default()
        })
        .unwrap();
        let enter = context::set_current_handle(&handle);
        Rt {
            driver,
            handle,
            _enter: enter,
        }
    }

    /// Parks until `done` holds (dispatching events), failing after 5 s.
    fn park_until(&mut self, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !done() {
            assert!(Instant::now() < deadline, "timed out waiting for an event");
            self.driver.park_timeout(&self.handle, Duration::from_millis(50));
        }
    }

    /// One non-blocking turn.
    fn turn(&mut self) {
        self.driver.park_timeout(&self.handle, Duration::ZERO);
    }
}

#[derive(Default)]
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

#[derive(Clone)]
struct CountingWaker(Arc<Count>);

impl CountingWaker {
    fn new() -> CountingWaker {
        CountingWaker(Arc::new(Count::default()))
    }

    fn wakes(&self) -> usize {
        self.0 .0.load(SeqCst)
    }

    fn waker(&self) -> Waker {
        Waker::from(self.0.clone())
    }
}

fn cx_poll<T>(waker: &CountingWaker, f: impl FnOnce(&mut Context<'_>) -> Poll<T>) -> Poll<T> {
    f(&mut Context::from_waker(&waker.waker()))
}

fn pair() -> (PollEvented<UnixStream>, PollEvented<UnixStream>) {
    let (a, b) = UnixStream::pair().unwrap();
    (PollEvented::new(a).unwrap(), PollEvented::new(b).unwrap())
}

fn write(io: &PollEvented<UnixStream>, data: &[u8]) {
    io.get_ref().write_all(data).unwrap();
}

/// Reads everything available through `poll_read_io` (which clears readiness on
/// `WouldBlock`); returns what it read and whether it ended `Pending`.
fn drain(io: &PollEvented<UnixStream>, waker: &CountingWaker) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let mut buf = [0; 1024];
        match cx_poll(waker, |cx| io.poll_read_io(cx, |s| (&*s).read(&mut buf))) {
            Poll::Ready(Ok(0)) => return out,
            Poll::Ready(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Poll::Ready(Err(e)) => panic!("{e}"),
            Poll::Pending => return out,
        }
    }
}

#[test]
fn read_readiness_arrives_after_a_park_and_wakes_the_poller() {
    let mut rt = Rt::new();
    let (a, b) = pair();
    let waker = CountingWaker::new();
    assert!(cx_poll(&waker, |cx| a.poll_read_ready(cx)).is_pending());
    write(&b, b"hello");
    rt.park_until(|| waker.wakes() > 0);
    assert_eq!(waker.wakes(), 1);
    match cx_poll(&waker, |cx| a.poll_read_ready(cx)) {
        Poll::Ready(Ok(ev)) => assert!(ev.ready().is_readable(), "{:?}", ev.ready()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn would_block_clears_readiness_until_the_next_event() {
    let mut rt = Rt::new();
    let (a, b) = pair();
    let waker = CountingWaker::new();
    write(&b, b"one");
    rt.park_until(|| a.try_io(Interest::READABLE, |_| Ok(())).is_ok());
    assert_eq!(drain(&a, &waker), b"one");
    // The `WouldBlock` cleared the readiness: the next poll waits.
    assert!(cx_poll(&waker, |cx| a.poll_read_ready(cx)).is_pending());
    let err = a.try_io(Interest::READABLE, |_| Ok(())).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    write(&b, b"two");
    rt.park_until(|| waker.wakes() > 0);
    assert_eq!(drain(&a, &waker), b"two");
}

#[test]
fn try_io_clears_readiness_on_would_block() {
    let mut rt = Rt::new();
    let (a, b) = pair();
    write(&b, b"x");
    rt.park_until(|| a.try_io(Interest::READABLE, |_| Ok(())).is_ok());
    let mut buf = [0; 8];
    assert_eq!(a.try_io(Interest::READABLE, |s| (&*s).read(&mut buf)).unwrap(), 1);
    let err = a.try_io(Interest::READABLE, |s| (&*s).read(&mut buf)).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    // Cleared: `f` does not even run now.
    let err = a
        .try_io(Interest::READABLE, |_| -> io::Result<()> {
            panic!("ran while not ready")
        })
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
}

#[test]
fn a_fresh_socket_becomes_writable() {
    let mut rt = Rt::new();
    let (a, _b) = pair();
    let waker = CountingWaker::new();
    rt.park_until(|| cx_poll(&waker, |cx| a.poll_write_ready(cx)).is_ready());
    match cx_poll(&waker, |cx| a.poll_write_io(cx, |s| (&*s).write(b"data"))) {
        Poll::Ready(Ok(4)) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn peer_close_is_read_closed() {
    let mut rt = Rt::new();
    let (a, b) = pair();
    drop(b);
    let waker = CountingWaker::new();
    rt.park_until(|| cx_poll(&waker, |cx| a.poll_read_ready(cx)).is_ready());
    match cx_poll(&waker, |cx| a.poll_read_ready(cx)) {
        Poll::Ready(Ok(ev)) => assert!(ev.ready().is_read_closed(), "{:?}", ev.ready()),
        other => panic!("{other:?}"),
    }
    // Reading returns end-of-stream, and the closed readiness is never cleared.
    let mut buf = [0; 8];
    assert!(matches!(
        cx_poll(&waker, |cx| a.poll_read_io(cx, |s| (&*s).read(&mut buf))),
        Poll::Ready(Ok(0))
    ));
    let ev = a.try_io(Interest::READABLE, |_| Ok(()));
    assert!(ev.is_ok());
}

#[test]
fn tcp_listener_on_loopback_accepts_when_readable() {
    let mut rt = Rt::new();
    let listener = PollEvented::new(TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap()).unwrap();
    let addr = listener.get_ref().local_addr().unwrap();
    let waker = CountingWaker::new();
    let accept = |cx: &mut Context<'_>| listener.poll_read_io(cx, |l| l.accept());
    assert!(cx_poll(&waker, |cx| accept(cx)).is_pending());
    let client = PollEvented::new(TcpStream::connect(addr).unwrap()).unwrap();
    rt.park_until(|| waker.wakes() > 0);
    let (server, peer) = match cx_poll(&waker, |cx| accept(cx)) {
        Poll::Ready(Ok(accepted)) => accepted,
        other => panic!("{other:?}"),
    };
    assert_eq!(peer, client.get_ref().local_addr().unwrap());
    let server = PollEvented::new(server).unwrap();
    // The client's connect completes: it becomes writable; then a round trip.
    rt.park_until(|| cx_poll(&waker, |cx| client.poll_write_ready(cx)).is_ready());
    client.get_ref().write_all(b"ping").unwrap();
    let mut buf = [0; 4];
    rt.park_until(|| server.try_io(Interest::READABLE, |s| (&*s).read(&mut buf)).is_ok());
    assert_eq!(&buf, b"ping");
}

#[test]
fn many_waiters_on_one_source_are_all_woken() {
    let mut rt = Rt::new();
    let (a, b) = pair();
    let waker = CountingWaker::new();
    let mut readers = [
        Box::pin(a.readiness(Interest::READABLE)),
        Box::pin(a.readiness(Interest::READABLE)),
        Box::pin(a.readiness(Interest::READABLE)),
    ];
    let mut writer_of_b = pin!(b.readiness(Interest::WRITABLE));
    for reader in &mut readers {
        assert!(cx_poll(&waker, |cx| reader.as_mut().poll(cx)).is_pending());
    }
    rt.turn();
    let before = waker.wakes();
    write(&b, b"x");
    rt.park_until(|| waker.wakes() >= before + 3);
    for reader in &mut readers {
        match cx_poll(&waker, |cx| reader.as_mut().poll(cx)) {
            Poll::Ready(Ok(ev)) => assert!(ev.ready().is_readable()),
            other => panic!("{other:?}"),
        }
    }
    assert!(cx_poll(&waker, |cx| writer_of_b.as_mut().poll(cx)).is_ready());
}

#[test]
fn async_io_retries_after_would_block() {
    let mut rt = Rt::new();
    let (a, b) = pair();
    let waker = CountingWaker::new();
    let runs = AtomicUsize::new(0);
    let mut read = pin!(a.async_io(Interest::READABLE, |s| {
        runs.fetch_add(1, SeqCst);
        let mut buf = [0; 8];
        (&*s).read(&mut buf)
    }));
    assert!(cx_poll(&waker, |cx| read.as_mut().poll(cx)).is_pending());
    write(&b, b"abc");
    rt.park_until(|| waker.wakes() > 0);
    assert!(matches!(
        cx_poll(&waker, |cx| read.as_mut().poll(cx)),
        Poll::Ready(Ok(3))
    ));
    assert_eq!(runs.load(SeqCst), 1);
}

#[test]
fn a_reused_slot_starts_with_no_readiness() {
    let mut rt = Rt::new();
    let (a, b) = pair();
    write(&b, b"x");
    rt.park_until(|| a.try_io(Interest::READABLE, |_| Ok(())).is_ok());
    drop(a);
    drop(b);
    // The next registration takes the freed slot (with a new generation).
    let (c, _d) = pair();
    let waker = CountingWaker::new();
    assert!(cx_poll(&waker, |cx| c.poll_read_ready(cx)).is_pending());
    rt.turn();
    assert!(cx_poll(&waker, |cx| c.poll_read_ready(cx)).is_pending());
    assert_eq!(waker.wakes(), 0);
}

#[test]
fn into_inner_deregisters_so_the_source_registers_again() {
    let mut rt = Rt::new();
    let (a, b) = pair();
    let a = a.into_inner().unwrap();
    // Registering the same fd twice would fail with `EEXIST` had it not been removed.
    let a = PollEvented::new(a).unwrap();
    write(&b, b"x");
    let mut buf = [0; 1];
    rt.park_until(|| a.try_io(Interest::READABLE, |s| (&*s).read(&mut buf)).is_ok());
}

/// (That the table entry goes and mio forgets the source is checked by the unit test
/// `drop_and_into_inner_remove_the_table_entry` and by the `into_inner` test above.)
#[test]
fn a_dropped_source_is_never_woken() {
    let mut rt = Rt::new();
    let (a, b) = pair();
    let waker = CountingWaker::new();
    assert!(cx_poll(&waker, |cx| a.poll_read_ready(cx)).is_pending());
    let raw = b.into_inner().unwrap();
    drop(a); // closes the other end while it is registered
    rt.turn();
    assert_eq!(waker.wakes(), 0, "a dropped registration was woken");
    drop(raw);
}

#[test]
fn shutdown_fails_pending_and_later_operations() {
    let mut rt = Rt::new();
    let (a, b) = pair();
    let waker = CountingWaker::new();
    assert!(cx_poll(&waker, |cx| a.poll_read_ready(cx)).is_pending());
    let mut readiness = pin!(b.readiness(Interest::READABLE));
    assert!(cx_poll(&waker, |cx| readiness.as_mut().poll(cx)).is_pending());

    rt.driver.shutdown(&rt.handle);
    assert_eq!(waker.wakes(), 2, "shutdown wakes every waiter");

    let is_shutdown = |e: &io::Error| e.to_string().contains("shut down");
    match cx_poll(&waker, |cx| a.poll_read_ready(cx)) {
        Poll::Ready(Err(e)) => assert!(is_shutdown(&e), "{e}"),
        other => panic!("{other:?}"),
    }
    match cx_poll(&waker, |cx| readiness.as_mut().poll(cx)) {
        Poll::Ready(Err(e)) => assert!(is_shutdown(&e), "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        cx_poll(&waker, |cx| a.poll_write_ready(cx)),
        Poll::Ready(Err(_))
    ));
    let err = a.try_io(Interest::WRITABLE, |_| Ok(())).unwrap_err();
    assert!(is_shutdown(&err), "{err}");
    let err = PollEvented::new(UnixStream::pair().unwrap().0).unwrap_err();
    assert!(is_shutdown(&err), "{err}");
    // Parking still works after shutdown, and drops are fine.
    rt.turn();
}

#[test]
fn unpark_from_another_thread_interrupts_a_blocking_park() {
    let mut rt = Rt::new();
    let remote = rt.handle.clone();
    let unparker = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        remote.unpark();
    });
    let start = Instant::now();
    rt.driver.park(&rt.handle);
    assert!(start.elapsed() < Duration::from_secs(10));
    unparker.join().unwrap();
}

#[test]
fn an_event_from_another_thread_ends_a_blocking_park() {
    let mut rt = Rt::new();
    let (a, b) = pair();
    let waker = CountingWaker::new();
    assert!(cx_poll(&waker, |cx| a.poll_read_ready(cx)).is_pending());
    let raw = b.into_inner().unwrap();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        (&raw).write_all(b"x").unwrap();
        raw
    });
    // `park` returns on the event (or spuriously): loop until the wake arrived.
    while waker.wakes() == 0 {
        rt.driver.park(&rt.handle);
    }
    drop(writer.join().unwrap());
}

#[test]
fn a_hot_socket_spends_the_budget_and_yields() {
    let mut rt = Rt::new();
    let (a, _b) = pair();
    let waker = CountingWaker::new();
    rt.park_until(|| cx_poll(&waker, |cx| a.poll_write_ready(cx)).is_ready());
    let wakes = waker.wakes();
    let ready_polls = rt_core::coop::with_budget(|| {
        (0..1000)
            .take_while(|_| cx_poll(&waker, |cx| a.poll_write_ready(cx)).is_ready())
            .count()
    });
    assert_eq!(ready_polls, usize::from(rt_core::coop::INITIAL_BUDGET));
    assert_eq!(waker.wakes(), wakes + 1, "the yielding poll wakes the task");
}

#[test]
fn sources_outside_a_runtime_or_without_io_are_refused() {
    let err = PollEvented::new(UnixStream::pair().unwrap().0).unwrap_err();
    assert!(err.to_string().contains("no reactor running"), "{err}");

    let (_driver, handle) = Driver::new(Config::default()).unwrap();
    let _enter = context::set_current_handle(&handle);
    let err = PollEvented::new(UnixStream::pair().unwrap().0).unwrap_err();
    assert!(err.to_string().contains("enable_io"), "{err}");
}

#[test]
fn the_ready_kinds_map_from_mio() {
    let mut rt = Rt::new();
    let (a, b) = pair();
    write(&b, b"x");
    drop(b);
    let mut seen = Ready::EMPTY;
    rt.park_until(|| {
        let waker = CountingWaker::new();
        if let Poll::Ready(Ok(ev)) = cx_poll(&waker, |cx| a.poll_read_ready(cx)) {
            seen = ev.ready();
        }
        seen.is_read_closed()
    });
    assert!(seen.contains(Ready::READABLE | Ready::READ_CLOSED), "{seen:?}");
}

#[test]
fn poll_evented_is_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<PollEvented<UnixStream>>();
    send_sync::<PollEvented<TcpListener>>();
}

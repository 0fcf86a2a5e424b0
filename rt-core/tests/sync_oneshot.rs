//! `oneshot`: error values, closing rules, wake-ups, the value's single drop, the coop
//! budget, `blocking_recv`, and a ping-pong across two threads.
#![cfg(not(loom))]

mod sync_support2;

use std::pin::pin;
use std::sync::atomic::Ordering::SeqCst;
use std::task::Poll;

use futures::executor::block_on;
use rt_core::sync::oneshot::{self, error::TryRecvError, Receiver, RecvError, Sender};
use sync_support2::{poll_noop, poll_once, Counted, CountingWaker};

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn handles_and_errors_are_send_and_sync() {
    assert_send_sync::<Sender<String>>();
    assert_send_sync::<Receiver<String>>();
    assert_send_sync::<RecvError>();
    assert_send_sync::<TryRecvError>();
}

#[test]
fn error_values_display_lower_case() {
    let (tx, rx) = oneshot::channel::<u8>();
    drop(tx);
    let err: RecvError = block_on(rx).unwrap_err();
    assert_eq!(err.to_string(), "channel closed");
    assert_eq!(TryRecvError::Empty.to_string(), "channel empty");
    assert_eq!(TryRecvError::Closed.to_string(), "channel closed");
    assert!(TryRecvError::Empty.is_empty() && !TryRecvError::Empty.is_closed());
    assert!(TryRecvError::Closed.is_closed() && !TryRecvError::Closed.is_empty());
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(err);
    assert!(boxed.source().is_none());
}

#[test]
fn value_sent_before_await_is_received() {
    let (tx, rx) = oneshot::channel();
    tx.send(String::from("hi")).unwrap();
    assert_eq!(block_on(rx).unwrap(), "hi");
}

#[test]
fn send_wakes_the_registered_receiver_once() {
    let (tx, rx) = oneshot::channel::<u32>();
    let mut rx = pin!(rx);
    let waker = CountingWaker::new();
    assert!(poll_once(rx.as_mut(), &waker.waker()).is_pending());
    assert!(
        poll_once(rx.as_mut(), &waker.waker()).is_pending(),
        "a second poll is fine"
    );
    tx.send(4).unwrap();
    assert_eq!(waker.wakes(), 1);
    assert_eq!(poll_noop(rx), Poll::Ready(Ok(4)));
}

#[test]
fn only_the_latest_receiver_waker_is_woken() {
    let (tx, rx) = oneshot::channel::<u32>();
    let mut rx = pin!(rx);
    let (old, new) = (CountingWaker::new(), CountingWaker::new());
    assert!(poll_once(rx.as_mut(), &old.waker()).is_pending());
    assert!(poll_once(rx.as_mut(), &new.waker()).is_pending());
    tx.send(1).unwrap();
    assert_eq!((old.wakes(), new.wakes()), (0, 1));
}

#[test]
fn sender_drop_wakes_receiver_with_error() {
    let (tx, rx) = oneshot::channel::<u32>();
    let mut rx = pin!(rx);
    let waker = CountingWaker::new();
    assert!(poll_once(rx.as_mut(), &waker.waker()).is_pending());
    drop(tx);
    assert_eq!(waker.wakes(), 1);
    assert!(matches!(poll_noop(rx), Poll::Ready(Err(RecvError { .. }))));
}

#[test]
fn try_recv_distinguishes_empty_and_closed() {
    let (tx, mut rx) = oneshot::channel();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.send(8).unwrap();
    assert_eq!(rx.try_recv(), Ok(8));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed), "the value was taken");

    let (tx, mut rx) = oneshot::channel::<u8>();
    drop(tx);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn send_to_dropped_receiver_gives_the_value_back() {
    let (tx, rx) = oneshot::channel();
    assert!(!tx.is_closed());
    drop(rx);
    assert!(tx.is_closed());
    let (value, drops) = Counted::new(3);
    let back = tx.send(value).unwrap_err();
    assert_eq!((back.value, drops.load(SeqCst)), (3, 0), "handed back, not dropped");
}

#[test]
fn close_refuses_later_sends_but_keeps_an_earlier_value() {
    let (tx, mut rx) = oneshot::channel();
    rx.close();
    assert!(tx.is_closed());
    assert_eq!(tx.send(1), Err(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));

    let (tx, mut rx) = oneshot::channel();
    tx.send(2).unwrap();
    rx.close();
    assert_eq!(rx.try_recv(), Ok(2), "sent before the close");

    let (tx, mut rx) = oneshot::channel::<u8>();
    rx.close();
    drop(tx);
    assert!(block_on(&mut rx).is_err());
}

#[test]
fn awaiting_a_closed_receiver_returns_at_once() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    rx.close();
    assert!(poll_noop(pin!(&mut rx)).is_ready());
    drop(tx);
}

#[test]
fn value_is_dropped_once_by_the_receiver() {
    let (tx, rx) = oneshot::channel();
    let (value, drops) = Counted::new(1);
    tx.send(value).unwrap();
    assert_eq!(drops.load(SeqCst), 0);
    drop(rx);
    assert_eq!(drops.load(SeqCst), 1);

    let (tx, rx) = oneshot::channel();
    let (value, drops) = Counted::new(1);
    tx.send(value).unwrap();
    let got = block_on(rx).unwrap();
    assert_eq!(drops.load(SeqCst), 0);
    drop(got);
    assert_eq!(drops.load(SeqCst), 1);
}

#[test]
fn closed_resolves_when_the_receiver_goes() {
    let (mut tx, rx) = oneshot::channel::<u8>();
    let waker = CountingWaker::new();
    {
        let mut closed = pin!(tx.closed());
        assert!(poll_once(closed.as_mut(), &waker.waker()).is_pending());
        assert!(poll_once(closed.as_mut(), &waker.waker()).is_pending());
    }
    drop(rx);
    assert_eq!(waker.wakes(), 1);
    block_on(tx.closed());

    let (mut tx, mut rx) = oneshot::channel::<u8>();
    let waker = CountingWaker::new();
    let counting = waker.waker();
    let mut cx = std::task::Context::from_waker(&counting);
    assert!(tx.poll_closed(&mut cx).is_pending());
    rx.close();
    rx.close();
    assert_eq!(waker.wakes(), 1, "woken once, by the first close");
    assert!(tx.poll_closed(&mut cx).is_ready());
}

#[test]
fn closed_wakes_only_the_latest_waker() {
    let (mut tx, rx) = oneshot::channel::<u8>();
    let (old, new) = (CountingWaker::new(), CountingWaker::new());
    assert!(tx
        .poll_closed(&mut std::task::Context::from_waker(&old.waker()))
        .is_pending());
    assert!(tx
        .poll_closed(&mut std::task::Context::from_waker(&new.waker()))
        .is_pending());
    drop(rx);
    assert_eq!((old.wakes(), new.wakes()), (0, 1));
}

#[test]
#[should_panic(expected = "polled after it completed")]
fn polling_after_completion_panics() {
    let (tx, rx) = oneshot::channel();
    tx.send(()).unwrap();
    let mut rx = pin!(rx);
    let _ = poll_noop(rx.as_mut());
    let _ = poll_noop(rx.as_mut());
}

#[test]
fn receiving_spends_coop_budget() {
    rt_core::coop::with_budget(|| {
        for _ in 0..rt_core::coop::INITIAL_BUDGET {
            let (tx, rx) = oneshot::channel();
            tx.send(()).unwrap();
            assert!(poll_noop(pin!(rx)).is_ready());
        }
        let (tx, rx) = oneshot::channel();
        tx.send(()).unwrap();
        let waker = CountingWaker::new();
        let mut rx = pin!(rx);
        assert!(poll_once(rx.as_mut(), &waker.waker()).is_pending(), "budget spent");
        assert_eq!(waker.wakes(), 1, "woken to yield");
    });
}

#[test]
fn pending_receive_gives_its_budget_back() {
    rt_core::coop::with_budget(|| {
        let (_tx, rx) = oneshot::channel::<()>();
        let mut rx = pin!(rx);
        for _ in 0..1000 {
            assert!(poll_noop(rx.as_mut()).is_pending());
        }
        assert!(rt_core::coop::has_budget_remaining());
    });
}

#[test]
fn blocking_recv_on_a_plain_thread() {
    let (tx, rx) = oneshot::channel();
    let receiver = std::thread::spawn(move || rx.blocking_recv());
    std::thread::sleep(std::time::Duration::from_millis(10));
    tx.send(vec![1, 2, 3]).unwrap();
    assert_eq!(receiver.join().unwrap(), Ok(vec![1, 2, 3]));

    let (tx, rx) = oneshot::channel::<u8>();
    let receiver = std::thread::spawn(move || rx.blocking_recv());
    drop(tx);
    assert!(receiver.join().unwrap().is_err());
}

#[test]
#[should_panic(expected = "called from inside an async runtime")]
fn blocking_recv_inside_a_runtime_panics() {
    let _entered = rt_core::context::try_enter_runtime().expect("not in a runtime yet");
    let (tx, rx) = oneshot::channel();
    tx.send(1).unwrap();
    let _ = rx.blocking_recv();
}

/// A request carrying the sender for its reply.
struct Ping(u32, Sender<Pong>);
/// A reply carrying the sender for the next request.
struct Pong(u32, Sender<Ping>);

fn recv<T>(rx: Receiver<T>, round: u32) -> T {
    // Mix the blocking and the async receive.
    if round.is_multiple_of(2) {
        rx.blocking_recv().unwrap()
    } else {
        block_on(rx).unwrap()
    }
}

#[test]
fn ping_pong_ten_thousand_rounds_across_two_threads() {
    const ROUNDS: u32 = if cfg!(miri) { 50 } else { 10_000 };
    let (first_tx, first_rx) = oneshot::channel::<Ping>();
    let ponger = std::thread::spawn(move || {
        let mut from_a = first_rx;
        let mut expected = 0;
        loop {
            // Receive blocking on odd rounds, async on even ones (the pinger does the opposite).
            let Ping(n, reply) = recv(from_a, expected + 1);
            assert_eq!(n, expected);
            if n == ROUNDS {
                return n;
            }
            let (next_tx, next_rx) = oneshot::channel();
            reply.send(Pong(n + 1, next_tx)).map_err(|_| ()).unwrap();
            from_a = next_rx;
            expected = n + 1;
        }
    });
    let mut to_b = first_tx;
    let mut n = 0;
    while n < ROUNDS {
        let (reply_tx, reply_rx) = oneshot::channel();
        to_b.send(Ping(n, reply_tx)).map_err(|_| ()).unwrap();
        let Pong(m, next) = recv(reply_rx, n);
        assert_eq!(m, n + 1);
        n = m;
        to_b = next;
    }
    let (reply_tx, _reply_rx) = oneshot::channel();
    to_b.send(Ping(n, reply_tx)).map_err(|_| ()).unwrap();
    assert_eq!(ponger.join().unwrap(), ROUNDS);
}

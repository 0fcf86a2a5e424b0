//! `mpsc`: error values, closing rules, `recv_many`, the blocking variants between
//! plain threads, capacity accounting with permits, the poll-based reservation,
//! abandoned sends, and traffic across threads.
#![cfg(not(loom))]

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use futures::executor::block_on;
use rt_core::sync::mpsc::{
    self, OwnedPermit, Permit, PermitIterator, PollSender, Receiver, SendError, Sender, TryRecvError, TrySendError,
    UnboundedReceiver, UnboundedSender,
};

/// A waker that counts its wakes.
fn counting_waker() -> (Arc<AtomicUsize>, Waker) {
    struct Count(Arc<AtomicUsize>);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }
    let count = Arc::new(AtomicUsize::new(0));
    (count.clone(), Waker::from(Arc::new(Count(count))))
}

fn poll<F: Future>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(waker))
}

/// A value that counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

#[test]
fn types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    type NotSync = std::cell::Cell<u32>;
    send_sync::<Sender<NotSync>>();
    send_sync::<Receiver<NotSync>>();
    send_sync::<UnboundedSender<NotSync>>();
    send_sync::<UnboundedReceiver<NotSync>>();
    send_sync::<Permit<'_, NotSync>>();
    send_sync::<OwnedPermit<NotSync>>();
    send_sync::<PermitIterator<'_, NotSync>>();
    send_sync::<PollSender<NotSync>>();
    send_sync::<SendError<u32>>();
    send_sync::<TrySendError<u32>>();
    send_sync::<TryRecvError>();
}

#[test]
fn futures_are_send() {
    fn send<T: Send>(_: &T) {}
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    send(&tx.send(1));
    send(&tx.reserve());
    send(&tx.reserve_many(1));
    send(&tx.closed());
    send(&tx.clone().reserve_owned());
    send(&rx.recv());
    let (utx, mut urx) = mpsc::unbounded_channel::<u32>();
    send(&utx.closed());
    send(&urx.recv());
}

#[test]
fn try_send_tells_full_from_closed_and_hands_values_back() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send("a").unwrap();
    let full = tx.try_send("b").unwrap_err();
    assert!(full.is_full() && !full.is_closed());
    assert_eq!(*full.get_ref(), "b");
    assert_eq!(full.to_string(), "no available capacity");
    assert_eq!(full.into_inner(), "b");
    rx.close();
    let closed = tx.try_send("c").unwrap_err();
    assert!(closed.is_closed() && !closed.is_full());
    assert_eq!(closed.to_string(), "channel closed");
    assert_eq!(closed.into_inner(), "c");
    assert_eq!(rx.try_recv().unwrap(), "a");
}

#[test]
fn send_error_hands_value_back() {
    let (tx, rx) = mpsc::channel(1);
    drop(rx);
    let err = block_on(tx.send(String::from("lost"))).unwrap_err();
    assert_eq!(err.to_string(), "channel closed");
    assert_eq!(format!("{err:?}"), "SendError { .. }");
    let err: TrySendError<String> = err.into();
    assert!(err.is_closed());
    assert_eq!(err.into_inner(), "lost");
    let err: Box<dyn std::error::Error + Send + Sync> = Box::new(block_on(tx.send(String::new())).unwrap_err());
    assert_eq!(err.to_string(), "channel closed");
}

#[test]
fn try_recv_tells_empty_from_disconnected() {
    let (tx, mut rx) = mpsc::channel::<u8>(2);
    let empty = rx.try_recv().unwrap_err();
    assert!(empty.is_empty() && !empty.is_disconnected());
    assert_eq!(empty.to_string(), "receiving on an empty channel");
    tx.try_send(1).unwrap();
    drop(tx);
    assert_eq!(rx.try_recv().unwrap(), 1, "buffered messages outlive the senders");
    let gone = rx.try_recv().unwrap_err();
    assert!(gone.is_disconnected() && !gone.is_empty());
    assert_eq!(gone.to_string(), "receiving on a closed channel");
}

#[test]
fn close_keeps_buffered_messages_and_fails_senders() {
    let (tx, mut rx) = mpsc::channel(4);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    assert!(!tx.is_closed() && !rx.is_closed());
    rx.close();
    assert!(tx.is_closed() && rx.is_closed());
    assert!(block_on(tx.send(3)).is_err());
    assert!(block_on(tx.reserve()).is_err());
    assert!(tx.try_reserve().unwrap_err().is_closed());
    assert_eq!(block_on(rx.recv()), Some(1));
    assert_eq!(block_on(rx.recv()), Some(2));
    assert_eq!(block_on(rx.recv()), None);
    rx.close(); // twice is fine
    block_on(tx.closed());
}

#[test]
fn close_wakes_waiting_senders_with_an_error() {
    let (count, waker) = counting_waker();
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let mut send = pin!(tx.send(1));
    let mut reserve = pin!(tx.reserve_many(1));
    assert!(poll(send.as_mut(), &waker).is_pending());
    assert!(poll(reserve.as_mut(), &waker).is_pending());
    rx.close();
    assert_eq!(count.load(SeqCst), 2);
    assert_eq!(
        poll(send.as_mut(), &waker).map(|r| r.unwrap_err().into_inner()),
        Poll::Ready(1)
    );
    assert!(matches!(poll(reserve.as_mut(), &waker), Poll::Ready(Err(_))));
    assert_eq!(block_on(rx.recv()), Some(0));
    assert_eq!(block_on(rx.recv()), None);
}

#[test]
fn permits_taken_before_close_still_send() {
    let (tx, mut rx) = mpsc::channel(3);
    let permit = tx.try_reserve().unwrap();
    let owned = tx.clone().try_reserve_owned().unwrap();
    let mut many = tx.try_reserve_many(1).unwrap();
    rx.close();
    permit.send(1);
    drop(owned.send(2));
    many.next().unwrap().send(3);
    let mut got = Vec::new();
    assert_eq!(block_on(rx.recv_many(&mut got, 10)), 3);
    assert_eq!(got, [1, 2, 3]);
    assert_eq!(block_on(rx.recv()), None);
}

#[test]
fn receiver_drop_drops_messages_and_closes() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel(4);
    let permit = tx.try_reserve().unwrap();
    tx.try_send(Counted(drops.clone())).unwrap();
    tx.try_send(Counted(drops.clone())).unwrap();
    drop(rx);
    assert_eq!(drops.load(SeqCst), 2);
    assert!(tx.is_closed());
    // A permit from before the drop cannot deliver any more: its value is dropped.
    permit.send(Counted(drops.clone()));
    assert_eq!(drops.load(SeqCst), 3);
    let err = tx.try_send(Counted(drops.clone())).unwrap_err();
    assert!(err.is_closed());
    drop(err);
    assert_eq!(drops.load(SeqCst), 4);
    block_on(tx.closed());
}

#[test]
fn last_sender_drop_ends_recv_after_draining() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let tx2 = tx.clone();
    tx.send(1).unwrap();
    drop(tx);
    assert!(!rx.is_closed());
    tx2.send(2).unwrap();
    drop(tx2);
    assert!(rx.is_closed());
    assert_eq!(rx.len(), 2);
    assert_eq!(block_on(rx.recv()), Some(1));
    assert_eq!(block_on(rx.recv()), Some(2));
    assert_eq!(block_on(rx.recv()), None);
    assert!(rx.try_recv().unwrap_err().is_disconnected());
}

#[test]
fn unbounded_close_rules() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    tx.send(1).unwrap();
    rx.close();
    assert!(tx.is_closed());
    assert_eq!(tx.send(2).unwrap_err().into_inner(), 2);
    assert_eq!(rx.len(), 1);
    assert_eq!(block_on(rx.recv()), Some(1));
    assert_eq!(block_on(rx.recv()), None);
    assert!(rx.is_empty());
    block_on(tx.closed());
}

#[test]
fn recv_many_takes_up_to_the_limit() {
    let (tx, mut rx) = mpsc::channel(8);
    let mut buffer = vec![100];
    assert_eq!(block_on(rx.recv_many(&mut buffer, 0)), 0, "limit 0 returns at once");
    for i in 0..5 {
        tx.try_send(i).unwrap();
    }
    assert_eq!(block_on(rx.recv_many(&mut buffer, 2)), 2);
    assert_eq!(tx.capacity(), 8 - 3, "received messages give their slots back");
    assert_eq!(block_on(rx.recv_many(&mut buffer, 10)), 3);
    assert_eq!(buffer, [100, 0, 1, 2, 3, 4]);
    assert_eq!(tx.capacity(), 8);
    drop(tx);
    assert_eq!(block_on(rx.recv_many(&mut buffer, 10)), 0);
    assert_eq!(buffer.len(), 6);
}

#[test]
fn recv_many_waits_for_the_first_message() {
    let (count, waker) = counting_waker();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut buffer = Vec::new();
    let mut recv = pin!(rx.recv_many(&mut buffer, 4));
    assert!(poll(recv.as_mut(), &waker).is_pending());
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    assert_eq!(count.load(SeqCst), 1, "woken once");
    assert_eq!(poll(recv.as_mut(), &waker), Poll::Ready(2));
}

#[test]
fn capacity_accounting_with_permits() {
    let (tx, mut rx) = mpsc::channel::<u32>(4);
    assert_eq!((tx.capacity(), tx.max_capacity()), (4, 4));
    assert_eq!((rx.capacity(), rx.max_capacity()), (4, 4));
    let permit = block_on(tx.reserve()).unwrap();
    let mut many = block_on(tx.reserve_many(2)).unwrap();
    assert_eq!(many.len(), 2);
    assert_eq!(tx.capacity(), 1);
    let one = many.next().unwrap();
    drop(many);
    assert_eq!(tx.capacity(), 2, "the iterator gives back what it did not hand out");
    drop(one);
    assert_eq!(tx.capacity(), 3);
    permit.send(7);
    assert_eq!(tx.capacity(), 3, "a sent message holds its slot");
    assert_eq!(rx.len(), 1);
    assert_eq!(rx.try_recv().unwrap(), 7);
    assert_eq!(tx.capacity(), 4);
    let owned = block_on(tx.clone().reserve_owned()).unwrap();
    assert!(owned.same_channel_as_sender(&tx));
    assert_eq!(tx.capacity(), 3);
    let back = owned.release();
    assert!(back.same_channel(&tx));
    assert_eq!(tx.capacity(), 4);
    assert!(tx.try_reserve_many(5).unwrap_err().is_full(), "more than the bound");
    assert!(block_on(tx.reserve_many(5)).is_err(), "more than the bound");
    assert_eq!(tx.try_reserve_many(0).unwrap().len(), 0);
}

#[test]
fn try_reserve_owned_hands_the_sender_back() {
    let (tx, _rx) = mpsc::channel::<u32>(1);
    let permit = tx.try_reserve_owned().unwrap();
    let tx = permit.send(1);
    let err = tx.try_reserve_owned().unwrap_err();
    assert!(err.is_full());
    let tx = err.into_inner();
    assert_eq!(tx.capacity(), 0);
}

#[test]
fn abandoned_send_futures_do_not_pin_slots() {
    const BOUND: usize = 4;
    let (_count, waker) = counting_waker();
    let (tx, mut rx) = mpsc::channel(BOUND);
    for i in 0..BOUND {
        tx.try_send(i).unwrap();
    }
    // `BOUND` sends wait for slots, and are abandoned.
    {
        let mut pending: Vec<_> = (0..BOUND).map(|i| Box::pin(tx.send(100 + i))).collect();
        for send in &mut pending {
            assert!(poll(send.as_mut(), &waker).is_pending());
        }
        // Free two slots while they wait (they are assigned to the first two).
        assert_eq!(rx.try_recv().unwrap(), 0);
        assert_eq!(rx.try_recv().unwrap(), 1);
    }
    // Their slots (assigned or not) are back: new sends get through.
    assert_eq!(tx.capacity(), 2);
    for i in 0..2 {
        tx.try_send(200 + i).unwrap();
    }
    let mut got = Vec::new();
    block_on(rx.recv_many(&mut got, 10));
    assert_eq!(got, [2, 3, 200, 201]);
    assert_eq!(tx.capacity(), BOUND);
}

#[test]
fn abandoned_reserve_many_gives_back_partial_assignment() {
    let (_count, waker) = counting_waker();
    let (tx, mut rx) = mpsc::channel(3);
    for i in 0..3 {
        tx.try_send(i).unwrap();
    }
    {
        let mut reserve = pin!(tx.reserve_many(3));
        assert!(poll(reserve.as_mut(), &waker).is_pending());
        assert_eq!(rx.try_recv().unwrap(), 0); // assigned to the waiter
        assert_eq!(tx.capacity(), 0);
    }
    assert_eq!(tx.capacity(), 1);
    tx.try_send(3).unwrap();
}

#[test]
fn waiting_senders_are_served_in_order() {
    let (_count, waker) = counting_waker();
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let mut first = pin!(tx.send(1));
    let mut second = pin!(tx.send(2));
    assert!(poll(first.as_mut(), &waker).is_pending());
    assert!(poll(second.as_mut(), &waker).is_pending());
    assert!(tx.try_send(9).unwrap_err().is_full(), "no barging past waiters");
    assert_eq!(rx.try_recv().unwrap(), 0);
    assert!(poll(second.as_mut(), &waker).is_pending());
    assert_eq!(poll(first.as_mut(), &waker), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv().unwrap(), 1);
    assert_eq!(poll(second.as_mut(), &waker), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv().unwrap(), 2);
}

#[test]
fn poll_sender_reserve_send_abort_close() {
    let (count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    let (tx, mut rx) = mpsc::channel(1);
    let mut sender = PollSender::new(tx);
    assert!(!sender.abort_send(), "nothing to abort");
    assert_eq!(sender.poll_reserve(&mut cx), Poll::Ready(Ok(())));
    assert_eq!(sender.poll_reserve(&mut cx), Poll::Ready(Ok(())), "still reserved");
    let mut clone = sender.clone();
    assert!(clone.poll_reserve(&mut cx).is_pending(), "a clone has no reservation");
    sender.send_item(1).unwrap();
    assert_eq!(rx.try_recv().unwrap(), 1);
    assert_eq!(count.load(SeqCst), 1, "the clone is woken with the slot");
    assert_eq!(clone.poll_reserve(&mut cx), Poll::Ready(Ok(())));
    assert!(clone.abort_send());
    assert_eq!(clone.get_ref().unwrap().capacity(), 1);
    clone.close();
    assert!(clone.is_closed());
    assert!(clone.poll_reserve(&mut cx).is_ready());
    assert_eq!(clone.send_item(5).unwrap_err().into_inner(), 5);
    drop(rx);
    assert!(sender.is_closed());
    assert!(matches!(sender.poll_reserve(&mut cx), Poll::Ready(Err(_))));
}

#[test]
#[should_panic(expected = "without a reservation")]
fn poll_sender_send_item_without_reservation_panics() {
    let (tx, _rx) = mpsc::channel(1);
    let mut sender = PollSender::new(tx);
    let _ = sender.send_item(1);
}

#[test]
fn poll_sender_steady_state_reuses_one_waiter() {
    let (_count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    let (tx, mut rx) = mpsc::channel(1);
    let mut sender = PollSender::new(tx);
    for i in 0..1_000 {
        assert_eq!(sender.poll_reserve(&mut cx), Poll::Ready(Ok(())));
        sender.send_item(i).unwrap();
        assert!(sender.poll_reserve(&mut cx).is_pending());
        assert_eq!(rx.try_recv().unwrap(), i);
        assert_eq!(sender.poll_reserve(&mut cx), Poll::Ready(Ok(())));
        assert!(sender.abort_send());
    }
}

#[test]
fn blocking_send_and_recv_between_threads() {
    let (tx, mut rx) = mpsc::channel(2);
    let (back_tx, mut back_rx) = mpsc::unbounded_channel();
    let echo = std::thread::spawn(move || {
        while let Some(v) = rx.blocking_recv() {
            back_tx.send(v * 2).unwrap();
        }
    });
    for i in 0..1_000u64 {
        tx.blocking_send(i).unwrap();
    }
    drop(tx);
    let mut sum = 0;
    while let Some(v) = back_rx.blocking_recv() {
        sum += v;
    }
    echo.join().unwrap();
    assert_eq!(sum, 999 * 1_000);
}

#[test]
fn blocking_calls_inside_a_runtime_panic() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let panic = std::thread::spawn(move || {
        let _runtime = rt_core::context::try_enter_runtime().expect("a fresh thread");
        let _ = rx.blocking_recv();
    })
    .join()
    .unwrap_err();
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert!(
        message.contains("`Receiver::blocking_recv` called from inside a runtime"),
        "{message}"
    );
    let panic = std::thread::spawn(move || {
        let _runtime = rt_core::context::try_enter_runtime().expect("a fresh thread");
        let _ = tx.blocking_send(1);
    })
    .join()
    .unwrap_err();
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert!(
        message.contains("`Sender::blocking_send` called from inside a runtime"),
        "{message}"
    );
}

#[test]
fn hundred_thousand_messages_across_threads_bounded() {
    const SENDERS: usize = 4;
    const PER_SENDER: usize = 25_000;
    let (tx, mut rx) = mpsc::channel(64);
    let threads: Vec<_> = (0..SENDERS)
        .map(|s| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for i in 0..PER_SENDER {
                    if i % 2 == 0 {
                        tx.blocking_send((s, i)).unwrap();
                    } else {
                        block_on(async { tx.reserve().await.unwrap().send((s, i)) });
                    }
                }
            })
        })
        .collect();
    drop(tx);
    let mut next = [0; SENDERS];
    let mut total = 0;
    while let Some((s, i)) = rx.blocking_recv() {
        assert_eq!(next[s], i, "per-sender order");
        next[s] += 1;
        total += 1;
    }
    assert_eq!(total, SENDERS * PER_SENDER);
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
fn hundred_thousand_messages_across_threads_unbounded() {
    const SENDERS: usize = 4;
    const PER_SENDER: usize = 25_000;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let threads: Vec<_> = (0..SENDERS)
        .map(|s| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for i in 0..PER_SENDER {
                    tx.send((s, i)).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let mut next = [0; SENDERS];
    let mut buffer = Vec::new();
    while rx.blocking_recv_many(&mut buffer, 100) > 0 {
        for (s, i) in buffer.drain(..) {
            assert_eq!(next[s], i, "per-sender order");
            next[s] += 1;
        }
    }
    assert_eq!(next, [PER_SENDER; SENDERS]);
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
fn try_recv_sees_every_completed_send_across_threads() {
    // A consumer polling with `try_recv` only: nothing is lost or reordered while
    // sends complete concurrently.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let producers: Vec<_> = (0..2)
        .map(|s| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for i in 0..20_000 {
                    tx.send((s, i)).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let mut next = [0; 2];
    loop {
        match rx.try_recv() {
            Ok((s, i)) => {
                assert_eq!(next[s], i);
                next[s] += 1;
            }
            Err(e) if e.is_disconnected() => break,
            Err(_) => std::thread::yield_now(),
        }
    }
    assert_eq!(next, [20_000; 2]);
    for producer in producers {
        producer.join().unwrap();
    }
}

#[test]
fn closed_future_is_cancel_safe() {
    let (_count, waker) = counting_waker();
    let (tx, rx) = mpsc::channel::<u8>(1);
    for _ in 0..3 {
        let mut closed = pin!(tx.closed());
        assert!(poll(closed.as_mut(), &waker).is_pending());
    }
    let mut closed = pin!(tx.closed());
    assert!(poll(closed.as_mut(), &waker).is_pending());
    drop(rx);
    assert_eq!(poll(closed.as_mut(), &waker), Poll::Ready(()));
}

#[test]
fn same_channel() {
    let (a, _rx) = mpsc::unbounded_channel::<u8>();
    let (b, _rx2) = mpsc::unbounded_channel::<u8>();
    assert!(a.same_channel(&a.clone()));
    assert!(!a.same_channel(&b));
}

#[test]
#[should_panic(expected = "buffer of at least 1")]
fn zero_capacity_panics() {
    let _ = mpsc::channel::<u8>(0);
}

#[test]
fn debug_output_names_the_types() {
    let (tx, rx) = mpsc::channel::<u8>(3);
    assert!(format!("{tx:?}").starts_with("Sender"));
    assert!(format!("{rx:?}").contains("max_capacity: Some(3)"));
    let (utx, urx) = mpsc::unbounded_channel::<u8>();
    assert!(format!("{utx:?}").starts_with("UnboundedSender"));
    assert!(format!("{urx:?}").starts_with("UnboundedReceiver"));
    assert!(format!("{:?}", PollSender::new(tx)).starts_with("PollSender"));
}

//! Signal streams on a real runtime, with signals raised in-process.
//!
//! Signals are process-wide and the tests of this binary run in parallel, so each test
//! uses its own signal, and every stream is created (installing the handler) before its
//! signal is raised, so that no default action ever runs.

mod support_uds;

use std::future::{poll_fn, Future};
use std::io::ErrorKind;
use std::pin::pin;
use std::task::Poll;

use libc::c_int;
use rt_core::time::{sleep, timeout, Duration};
use rt_net::signal::unix::{signal, Signal, SignalKind};
use support_uds::{on_each_flavor, watchdog, Flavor, WATCHDOG};

/// Sends `signum` to this process.
fn raise(signum: c_int) {
    // SAFETY: `kill` has no memory-safety preconditions; every signal raised here has a
    // handler installed by a stream created before the call.
    let rc = unsafe { libc::kill(libc::getpid(), signum) };
    assert_eq!(rc, 0, "kill({signum})");
}

/// Whether `stream` has a delivery ready now, without waiting.
async fn has_delivery(stream: &mut Signal) -> bool {
    poll_fn(|cx| Poll::Ready(stream.poll_recv(cx).is_ready())).await
}

/// How long a raised signal may take to reach a stream before the test calls it lost:
/// generous, so that a loaded machine cannot fail the test.
const DELIVERY_DEADLINE: Duration = Duration::from_secs(10);

/// Receives the next delivery, failing instead of hanging if it does not come.
async fn expect_delivery(stream: &mut Signal) {
    let kind = stream.kind();
    match timeout(DELIVERY_DEADLINE, stream.recv()).await {
        Ok(delivery) => assert_eq!(delivery, Some(()), "the {kind:?} stream ended"),
        Err(_) => panic!("no delivery of {kind:?} within {DELIVERY_DEADLINE:?}"),
    }
}

/// Lets in-flight wake-ups of the self-pipe be handled (by this or other runtimes).
///
/// Only used before checking that something did *not* happen: on a slow machine a
/// short settle can let a bug pass, never fail a correct stream.
async fn settle() {
    sleep(Duration::from_millis(30)).await;
}

#[test]
fn every_listening_stream_sees_hangup() {
    on_each_flavor(|_| async {
        let mut streams: Vec<Signal> = (0..3).map(|_| signal(SignalKind::hangup()).unwrap()).collect();
        raise(libc::SIGHUP);
        for stream in &mut streams {
            assert_eq!(stream.recv().await, Some(()));
        }
    });
}

#[test]
fn streams_in_separate_tasks_all_wake() {
    on_each_flavor(|_| async {
        let streams: Vec<Signal> = (0..4).map(|_| signal(SignalKind::user_defined1()).unwrap()).collect();
        let tasks: Vec<_> = streams
            .into_iter()
            .map(|mut s| rt_sched::spawn(async move { s.recv().await }))
            .collect();
        // Let the tasks park on their streams first.
        for _ in 0..10 {
            rt_sched::task::yield_now().await;
        }
        raise(libc::SIGUSR1);
        for task in tasks {
            assert_eq!(task.await.unwrap(), Some(()));
        }
    });
}

#[test]
fn streams_on_two_runtimes_both_see_a_delivery() {
    watchdog(WATCHDOG, || {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let other = std::thread::spawn(move || {
            Flavor::MultiThread.runtime().block_on(async move {
                let mut stream = signal(SignalKind::window_change()).unwrap();
                ready_tx.send(()).unwrap();
                stream.recv().await
            })
        });
        Flavor::CurrentThread.runtime().block_on(async move {
            let mut stream = signal(SignalKind::window_change()).unwrap();
            ready_rx.recv().unwrap();
            raise(libc::SIGWINCH);
            assert_eq!(stream.recv().await, Some(()));
        });
        assert_eq!(other.join().unwrap(), Some(()));
    });
}

#[test]
fn deliveries_between_polls_coalesce() {
    on_each_flavor(|_| async {
        let mut stream = signal(SignalKind::user_defined2()).unwrap();
        assert!(!has_delivery(&mut stream).await, "nothing delivered yet");
        for _ in 0..5 {
            raise(libc::SIGUSR2);
        }
        // The first delivery may take a while on a loaded machine: wait for it.
        expect_delivery(&mut stream).await;
        // Let streams of other tests that were woken by the same bytes settle.
        settle().await;
        let mut seen = 1;
        while has_delivery(&mut stream).await {
            seen += 1;
            settle().await;
        }
        // One, normally: a stream of a concurrent test can split the five into two
        // broadcast rounds by draining the pipe between two `raise`s.
        assert!(seen < 5, "five deliveries were seen as {seen}");

        raise(libc::SIGUSR2);
        expect_delivery(&mut stream).await;
    });
}

#[test]
fn a_stream_does_not_see_deliveries_made_before_it_existed() {
    on_each_flavor(|_| async {
        let mut first = signal(SignalKind::alarm()).unwrap();
        raise(libc::SIGALRM);
        expect_delivery(&mut first).await;

        let mut late = signal(SignalKind::alarm()).unwrap();
        settle().await;
        assert!(!has_delivery(&mut late).await);
        raise(libc::SIGALRM);
        expect_delivery(&mut late).await;
        expect_delivery(&mut first).await;
    });
}

#[test]
fn ctrl_c_resolves_on_sigint() {
    on_each_flavor(|_| async {
        let mut ctrl_c = pin!(rt_net::signal::ctrl_c());
        // The first poll creates the SIGINT stream (installing the handler).
        assert!(poll_fn(|cx| Poll::Ready(ctrl_c.as_mut().poll(cx).is_pending())).await);
        raise(libc::SIGINT);
        ctrl_c.await.unwrap();
    });
}

#[test]
fn terminate_stream_and_cancel_safety() {
    on_each_flavor(|_| async {
        let mut stream = signal(SignalKind::terminate()).unwrap();
        {
            // A recv that loses a race is dropped without consuming anything.
            let recv = pin!(stream.recv());
            let ready = pin!(async {});
            let recv_lost = matches!(
                futures::future::select(recv, ready).await,
                futures::future::Either::Right(((), _))
            );
            assert!(recv_lost);
        }
        raise(libc::SIGTERM);
        assert_eq!(stream.recv().await, Some(()));
    });
}

#[test]
fn forbidden_and_out_of_range_signals_are_invalid_input() {
    on_each_flavor(|_| async {
        for signum in [
            libc::SIGKILL,
            libc::SIGSTOP,
            libc::SIGSEGV,
            libc::SIGBUS,
            libc::SIGILL,
            libc::SIGFPE,
            0,
            -1,
            10_000,
        ] {
            let err = signal(SignalKind::from_raw(signum)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "signal {signum}: {err}");
        }
    });
}

#[test]
fn outside_a_runtime_signal_fails_and_leaves_the_disposition_alone() {
    let err = signal(SignalKind::quit()).unwrap_err();
    assert!(err.to_string().contains("reactor"), "{err}");
    // SAFETY: a zeroed sigaction is a valid out-value; a null new action only queries.
    let action = unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        assert_eq!(libc::sigaction(libc::SIGQUIT, std::ptr::null(), &mut old), 0);
        old.sa_sigaction
    };
    assert_eq!(action, libc::SIG_DFL, "no handler was installed for SIGQUIT");
}

#[test]
fn signal_kinds_name_their_numbers() {
    assert_eq!(SignalKind::interrupt().as_raw_value(), libc::SIGINT);
    assert_eq!(SignalKind::terminate().as_raw_value(), libc::SIGTERM);
    assert_eq!(SignalKind::hangup().as_raw_value(), libc::SIGHUP);
    assert_eq!(SignalKind::user_defined1().as_raw_value(), libc::SIGUSR1);
    assert_eq!(SignalKind::user_defined2().as_raw_value(), libc::SIGUSR2);
    assert_eq!(SignalKind::from(libc::SIGPIPE), SignalKind::pipe());
    assert_eq!(c_int::from(SignalKind::child()), libc::SIGCHLD);
}

#[test]
fn signal_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Signal>();
}

#[test]
fn a_stream_ends_when_its_runtime_shuts_down() {
    watchdog(WATCHDOG, || {
        let first = Flavor::CurrentThread.runtime();
        let mut stream = first.block_on(async { signal(SignalKind::from_raw(libc::SIGURG)).unwrap() });
        drop(first);
        let other = Flavor::CurrentThread.runtime();
        assert_eq!(other.block_on(stream.recv()), None, "no more deliveries after shutdown");
    });
}

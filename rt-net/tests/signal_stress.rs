//! Stress: every signal delivered to a loaded multi-thread runtime wakes its listener.
//!
//! Reproduces the shape of `examples/src/bin/hello_http.rs`, which once ignored a
//! `SIGINT` sent right after a load run: a thread sends a signal to the process, waits
//! until the listener reports it (or a deadline passes), and repeats, while a TCP
//! accept loop, connections and busy tasks keep both workers and the reactor going.
//!
//! Each test uses its own signal (the tests of this binary run in parallel) and only
//! raises it once its handler is installed, so that no default action ever runs.
//!
//! `SIGNAL_STRESS_ROUNDS` sets the number of rounds per test (default 1,000: a few
//! seconds in a debug build).

use std::future::{poll_fn, Future};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::Arc;
use std::task::Poll;
use std::thread;
use std::time::{Duration, Instant};

use futures::{AsyncReadExt, AsyncWriteExt};
use libc::c_int;
use rt_net::signal::unix::{signal, SignalKind};
use rt_net::{TcpListener, TcpStream};
use rt_sched::Runtime;

/// How long a delivery may take before the round counts as lost. Far above the
/// microseconds a delivery takes, even on a loaded machine.
const DEADLINE: Duration = Duration::from_secs(2);

fn rounds() -> u64 {
    std::env::var("SIGNAL_STRESS_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000)
}

fn runtime() -> Runtime {
    rt_sched::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("building the runtime")
}

/// Sends `signum` to this process.
fn raise(signum: c_int) {
    // SAFETY: `kill` has no memory-safety preconditions; the caller only raises a
    // signal whose handler is installed.
    let rc = unsafe { libc::kill(libc::getpid(), signum) };
    assert_eq!(rc, 0, "kill({signum})");
}

/// Blocks `signum` on the calling thread, so that the signals it sends to the process
/// are handled by another thread (a worker, the `block_on` thread), as when they come
/// from outside (`kill -INT`), rather than by the sender itself inside `kill`.
fn block_on_this_thread(signum: c_int) {
    // SAFETY: `set` is a valid, writable sigset_t, initialised by `sigemptyset` before
    // use; a null old set is allowed.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, signum);
        assert_eq!(libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()), 0);
    }
}

/// Waits until `seen` reaches `target`; false after [`DEADLINE`].
fn wait_for(seen: &AtomicU64, target: u64) -> bool {
    let start = Instant::now();
    while seen.load(SeqCst) < target {
        if start.elapsed() > DEADLINE {
            return false;
        }
        thread::sleep(Duration::from_micros(20));
    }
    true
}

/// Load: an echo server whose connections run on the workers, `clients` threads that
/// connect, exchange a message and hang up in a loop, and busy yielding tasks. Stops
/// when `stop` is set.
struct Load {
    stop: Arc<AtomicBool>,
    clients: Vec<thread::JoinHandle<()>>,
}

impl Load {
    /// Spawns the busy tasks and the client threads; the accept loop is the caller's
    /// (see [`serve_until`]), as in `hello_http`.
    fn start(addr: SocketAddr, clients: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        for _ in 0..2 {
            let stop = stop.clone();
            rt_sched::spawn(async move {
                while !stop.load(SeqCst) {
                    rt_sched::task::yield_now().await;
                }
            });
        }
        let clients = (0..clients)
            .map(|_| {
                let stop = stop.clone();
                thread::spawn(move || {
                    while !stop.load(SeqCst) {
                        let Ok(mut conn) = std::net::TcpStream::connect(addr) else {
                            continue;
                        };
                        // Between rounds nobody accepts: do not wait for an echo then.
                        let _ = conn.set_read_timeout(Some(Duration::from_millis(50)));
                        let mut buf = [0u8; 5];
                        if conn.write_all(b"hello").is_ok() {
                            let _ = conn.read_exact(&mut buf);
                        }
                    }
                })
            })
            .collect();
        Load { stop, clients }
    }

    fn finish(self) {
        self.stop.store(true, SeqCst);
        for client in self.clients {
            client.join().expect("a load client panicked");
        }
    }
}

/// Echoes one connection until it closes.
async fn echo(mut stream: TcpStream) {
    let mut buf = [0u8; 64];
    while let Ok(n @ 1..) = stream.read(&mut buf).await {
        if stream.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// `hello_http`'s accept loop: polls `shutdown` first, then accepts (spawning an echo
/// task per connection), until `shutdown` completes.
async fn serve_until(listener: &TcpListener, mut shutdown: Pin<&mut (impl Future<Output = ()> + ?Sized)>) {
    loop {
        let accepted = poll_fn(|cx| match shutdown.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => listener.poll_accept(cx).map(Some),
        })
        .await;
        match accepted {
            None => return,
            Some(Ok((stream, _))) => drop(rt_sched::spawn(echo(stream))),
            Some(Err(_)) => rt_sched::task::yield_now().await,
        }
    }
}

/// Sends `signum` `rounds` times, each once the listener is armed (`armed` reached the
/// round number) and waiting until it reports the delivery (`seen`). Returns how many
/// rounds were lost; a lost round is signalled again (like a second Ctrl-C), so that
/// the run goes on.
fn send_rounds(signum: c_int, rounds: u64, armed: &AtomicU64, seen: &AtomicU64) -> u64 {
    block_on_this_thread(signum);
    let mut lost = 0;
    for round in 1..=rounds {
        assert!(
            wait_for(armed, round),
            "round {round}: the listener was not armed in time"
        );
        raise(signum);
        if !wait_for(seen, round) {
            lost += 1;
            eprintln!("round {round}: delivery of signal {signum} not seen within {DEADLINE:?}");
            while !wait_for(seen, round) {
                raise(signum);
            }
        }
    }
    lost
}

/// One long-lived stream, polled by `hello_http`'s accept loop on the `block_on`
/// thread: every round's signal must be seen.
#[test]
fn a_stream_sees_every_delivery_under_load() {
    let rounds = rounds();
    let rt = runtime();
    let armed = Arc::new(AtomicU64::new(0));
    let seen = Arc::new(AtomicU64::new(0));
    let lost = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let load = Load::start(listener.local_addr().unwrap(), 2);
        let mut stream = signal(SignalKind::user_defined1()).unwrap();
        let sender = {
            let (armed, seen) = (armed.clone(), seen.clone());
            thread::spawn(move || send_rounds(libc::SIGUSR1, rounds, &armed, &seen))
        };
        for round in 1..=rounds {
            armed.store(round, SeqCst);
            let mut delivery = std::pin::pin!(async {
                stream.recv().await;
            });
            serve_until(&listener, delivery.as_mut()).await;
            seen.store(round, SeqCst);
        }
        load.finish();
        sender.join().unwrap()
    });
    assert_eq!(lost, 0, "{lost} of {rounds} deliveries lost");
}

/// A fresh `ctrl_c`-style future per round (the stream is created by its first poll,
/// on the `block_on` thread, inside the accept loop): every round's signal must be seen.
#[test]
fn a_fresh_future_per_round_sees_its_delivery_under_load() {
    let rounds = rounds();
    let rt = runtime();
    let armed = Arc::new(AtomicU64::new(0));
    let seen = Arc::new(AtomicU64::new(0));
    let lost = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let load = Load::start(listener.local_addr().unwrap(), 2);
        let sender = {
            let (armed, seen) = (armed.clone(), seen.clone());
            thread::spawn(move || send_rounds(libc::SIGUSR2, rounds, &armed, &seen))
        };
        for round in 1..=rounds {
            let armed = &armed;
            let mut ctrl_c = std::pin::pin!(async move {
                let mut stream = signal(SignalKind::user_defined2()).unwrap();
                // Installed and listening: the sender may go.
                armed.store(round, SeqCst);
                stream.recv().await;
            });
            serve_until(&listener, ctrl_c.as_mut()).await;
            seen.store(round, SeqCst);
        }
        load.finish();
        sender.join().unwrap()
    });
    assert_eq!(lost, 0, "{lost} of {rounds} deliveries lost");
}

/// Listeners in tasks on the workers, one long-lived and one made fresh per round, both
/// for the same signal: every round's signal must reach both.
#[test]
fn listeners_on_the_workers_see_every_delivery_under_load() {
    let rounds = rounds();
    let rt = runtime();
    let armed = Arc::new(AtomicU64::new(0));
    let long_seen = Arc::new(AtomicU64::new(0));
    let fresh_seen = Arc::new(AtomicU64::new(0));
    let signum = libc::SIGWINCH;
    let lost = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let load = Load::start(listener.local_addr().unwrap(), 2);
        let mut long = signal(SignalKind::window_change()).unwrap();
        let long_task = {
            let long_seen = long_seen.clone();
            rt_sched::spawn(async move {
                for round in 1..=rounds {
                    long.recv().await;
                    long_seen.store(round, SeqCst);
                }
            })
        };
        let fresh_task = {
            let (armed, fresh_seen) = (armed.clone(), fresh_seen.clone());
            rt_sched::spawn(async move {
                for round in 1..=rounds {
                    let mut stream = signal(SignalKind::window_change()).unwrap();
                    armed.store(round, SeqCst);
                    stream.recv().await;
                    fresh_seen.store(round, SeqCst);
                }
            })
        };
        // Both listeners must see each round before the next is sent: the slower one
        // decides.
        let sender = {
            let (armed, long_seen, fresh_seen) = (armed.clone(), long_seen.clone(), fresh_seen.clone());
            thread::spawn(move || {
                block_on_this_thread(signum);
                let mut lost = 0;
                for round in 1..=rounds {
                    assert!(wait_for(&armed, round), "round {round}: not armed in time");
                    raise(signum);
                    let mut start = Instant::now();
                    loop {
                        if long_seen.load(SeqCst).min(fresh_seen.load(SeqCst)) >= round {
                            break;
                        }
                        if start.elapsed() > DEADLINE {
                            lost += 1;
                            eprintln!("round {round}: delivery lost (long {long_seen:?}, fresh {fresh_seen:?})");
                            raise(signum);
                            start = Instant::now();
                            continue;
                        }
                        thread::sleep(Duration::from_micros(20));
                    }
                }
                lost
            })
        };
        let mut never = std::pin::pin!(std::future::pending::<()>());
        let accept = serve_until(&listener, never.as_mut());
        let mut accept = std::pin::pin!(accept);
        let mut tasks = std::pin::pin!(async {
            long_task.await.unwrap();
            fresh_task.await.unwrap();
        });
        poll_fn(|cx| {
            let _ = accept.as_mut().poll(cx);
            tasks.as_mut().poll(cx)
        })
        .await;
        load.finish();
        sender.join().unwrap()
    });
    assert_eq!(lost, 0, "{lost} of {rounds} deliveries lost");
}

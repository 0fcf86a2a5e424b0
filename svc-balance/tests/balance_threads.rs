//! Many tasks on a multi-thread runtime share one balancer while discovery inserts and
//! removes endpoints: every request is answered, and every removed service is dropped.
//! Also: the public types are `Send` and `Sync` where they should be.

use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use svc_balance::{Balance, BalanceError, Builder, Change, Driver, ResponseFuture, ServiceList};
use svc_trait::{Service, ServiceExt};

/// An always-ready endpoint that counts its drops.
struct Endpoint {
    id: u32,
    drops: Arc<AtomicU64>,
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.drops.fetch_add(1, SeqCst);
    }
}

impl Service<u32> for Endpoint {
    type Response = (u32, u32);
    type Error = std::io::Error;
    type Future = std::future::Ready<Result<(u32, u32), std::io::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), std::io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: u32) -> Self::Future {
        std::future::ready(Ok((self.id, req)))
    }
}

#[test]
fn tasks_on_two_workers_share_a_balancer_while_endpoints_change() {
    let rt = rt_sched::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let drops = Arc::new(AtomicU64::new(0));
        let (tx, rx) = rt_core::sync::mpsc::unbounded_channel();
        for id in 0..4 {
            tx.send(Change::Insert(
                id,
                Endpoint {
                    id,
                    drops: drops.clone(),
                },
            ))
            .unwrap();
        }
        let balance: Balance<u32, Endpoint, u32> = Builder::new().fail_fast(Duration::from_secs(5)).build(rx);
        let tasks: Vec<_> = (0..8)
            .map(|t| {
                let mut balance = balance.clone();
                rt_sched::spawn(async move {
                    for i in 0..500 {
                        let (_, echoed) = balance.ready().await.unwrap().call(t * 1_000 + i).await.unwrap();
                        assert_eq!(echoed, t * 1_000 + i);
                    }
                })
            })
            .collect();
        // Churn: replace endpoints while the tasks run; ids 0..4 stay at least once.
        for round in 0..50u32 {
            let id = 4 + round;
            tx.send(Change::Insert(
                id,
                Endpoint {
                    id,
                    drops: drops.clone(),
                },
            ))
            .unwrap();
            rt_sched::task::yield_now().await;
            tx.send(Change::Remove(id)).unwrap();
        }
        for task in tasks {
            task.await.unwrap();
        }
        // The 50 removed endpoints are dropped once drained.
        for _ in 0..100 {
            if drops.load(SeqCst) == 50 {
                break;
            }
            rt_core::time::sleep(Duration::from_millis(1)).await;
        }
        assert_eq!(drops.load(SeqCst), 50);
        let metrics = balance.metrics();
        assert_eq!(
            (metrics.endpoints(), metrics.inserted(), metrics.removed()),
            (4, 54, 50)
        );
        assert_eq!(metrics.in_flight(), 0);
        drop(balance);
    });
}

#[test]
fn public_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    type Svc = svc_mock::Mock<u32, u32>;
    send_sync::<Balance<&'static str, Svc, u32>>();
    send_sync::<BalanceError<svc_mock::Error>>();
    send::<
        ResponseFuture<
            svc_mock::ResponseFuture<u32>,
            svc_balance::load::PeakEwma,
            svc_balance::load::CompleteOnResponse,
        >,
    >();
    send::<Driver<&'static str, Svc, u32, ServiceList<&'static str, Svc>, svc_balance::load::PeakEwma>>();
    send_sync::<svc_balance::Metrics>();
}

#[test]
fn a_static_list_serves_from_several_threads() {
    let rt = rt_sched::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let drops = Arc::new(AtomicU64::new(0));
        let list = (0..10).map(|id| {
            (
                id,
                Endpoint {
                    id,
                    drops: drops.clone(),
                },
            )
        });
        let balance: Balance<u32, Endpoint, u32> = Balance::new(ServiceList::new(list));
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let balance = balance.clone();
                rt_sched::spawn(async move {
                    for i in 0..250 {
                        balance.clone().oneshot(i).await.unwrap();
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(balance.metrics().requests(), 1_000);
        let per_endpoint: u64 = balance.endpoints().iter().map(|e| e.requests()).sum();
        assert_eq!(per_endpoint, 1_000);
    });
}

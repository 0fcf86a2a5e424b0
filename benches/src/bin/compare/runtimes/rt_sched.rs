//! [`Runtime`] for rt-sched, configured like the peer: multi-thread,
//! [`WORKER_THREADS`] workers, every driver enabled.

use std::future::Future;

use super::{Runtime, WORKER_THREADS};

/// An owned rt-sched multi-thread runtime.
#[derive(Debug)]
pub(crate) struct RtSched(rt_sched::Runtime);

impl Runtime for RtSched {
    const NAME: &'static str = "rt-sched";

    type Handle = rt_sched::Handle;
    type JoinError = rt_sched::task::JoinError;
    type JoinHandle<T: Send + 'static> = rt_sched::task::JoinHandle<T>;

    fn build() -> Self {
        let runtime = rt_sched::Builder::new_multi_thread()
            .worker_threads(WORKER_THREADS)
            .enable_all()
            .build()
            .expect("building the rt-sched runtime");
        Self(runtime)
    }

    fn handle(&self) -> Self::Handle {
        self.0.handle().clone()
    }

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.0.block_on(future)
    }

    fn spawn<F>(future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        rt_sched::spawn(future)
    }

    fn spawn_on<F>(handle: &Self::Handle, future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        handle.spawn(future)
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        rt_sched::task::yield_now()
    }
}

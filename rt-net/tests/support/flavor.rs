//! `Flavor`: the two scheduler flavours every runtime test runs on. Shared by
//! `tests/support/` and `tests/support_uds/`, which each add their own `runtime()`.

use rt_sched::Builder;

/// The two scheduler flavours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    CurrentThread,
    MultiThread,
}

impl Flavor {
    pub(crate) const ALL: [Flavor; 2] = [Flavor::CurrentThread, Flavor::MultiThread];

    /// A builder of this flavour (two workers for the multi-thread one), nothing enabled.
    pub(crate) fn builder(self) -> Builder {
        match self {
            Flavor::CurrentThread => Builder::new_current_thread(),
            Flavor::MultiThread => {
                let mut builder = Builder::new_multi_thread();
                builder.worker_threads(2);
                builder
            }
        }
    }
}

//! Schedulers of the rt-stack async runtime (work in progress).
pub(crate) mod queue;

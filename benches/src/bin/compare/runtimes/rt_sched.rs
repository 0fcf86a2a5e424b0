//! [`Runtime`] for rt-sched.
//!
//! PLACEHOLDER: rt-sched's `Runtime` is not written yet, so this forwards to tokio and
//! the "ours" column measures tokio too. Replace the body with the rt-sched calls as soon
//! as `rt_sched::Builder` exists.

pub(crate) use super::Tokio as RtSched;

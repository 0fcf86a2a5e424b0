//! The concurrency shim: every atomic, cell, lock and thread used by concurrent code in
//! the workspace comes from here.
//!
//! Under `--cfg loom` the items are loom's model-checked versions; otherwise they are
//! the standard library's (and `parking_lot`'s). Because the switch is `cfg(loom)` and
//! not `cfg(all(test, loom))`, a downstream crate built with `--cfg loom` (for example
//! `rt-sched`'s loom tests) sees this crate under loom too.
//!
//! [`UnsafeCell`] follows loom's closure API (`with` / `with_mut`) in both builds so
//! that loom can check every access for data races.
#![allow(unreachable_pub, missing_docs)]

#[cfg(not(loom))]
mod std_impl;
#[cfg(not(loom))]
pub use std_impl::*;

#[cfg(loom)]
mod loom_impl;
#[cfg(loom)]
pub use loom_impl::*;

/// Pads and aligns a value to a cache line so two hot atomics never share one.
#[derive(Debug, Default)]
#[repr(align(128))]
pub struct CachePadded<T>(pub T);

impl<T> std::ops::Deref for CachePadded<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

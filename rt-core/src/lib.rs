//! The core of the rt-stack async runtime (work in progress: see the workspace README).
#![warn(clippy::undocumented_unsafe_blocks)]

#[doc(hidden)]
pub mod loom;

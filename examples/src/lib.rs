//! Example programs of the rt-stack workspace.

pub mod proxy;

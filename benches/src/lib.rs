//! Benchmarks of the rt-stack workspace.

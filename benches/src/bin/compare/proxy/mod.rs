//! Support of the `proxy` suite (see `proxy_suite.rs`): the backend, the proxies and
//! their processes, the loads and the report.
//!
//! - [`backend`]: the single-threaded epoll HTTP/1.1 server every proxy forwards to
//!   (a child process: `compare __proxy-backend ADDR`);
//! - [`peers`]: ours, nginx and HAProxy: where they are, how they are configured and
//!   started, installing the packages that are missing;
//! - [`process`]: the backend and proxy child processes, started and stopped;
//! - [`wrk`]: the load, `wrk -t1 -c64 --latency`, and its report;
//! - [`client`] and [`idle`]: one-request HTTP/1.1 connections, kept open idle;
//! - [`measure`]: one load run and one idle run of a proxy;
//! - [`report`]: the rows, the goals, the tables;
//! - [`sys`]: sending a signal.

pub(crate) mod backend;
pub(crate) mod client;
pub(crate) mod idle;
pub(crate) mod measure;
pub(crate) mod peers;
pub(crate) mod process;
pub(crate) mod report;
pub(crate) mod sys;
pub(crate) mod wrk;

//! Support of the `net` suite: the server child process and the load generators.
//!
//! The servers run in a child process ([`server`], started and observed by
//! [`process::Server`]), so their CPU time and memory can be read from `/proc/<pid>`
//! apart from the load generator's, which runs in the parent ([`load`]).

pub(crate) mod bare;
pub(crate) mod http;
pub(crate) mod load;
pub(crate) mod process;
pub(crate) mod procfs;
pub(crate) mod server;
pub(crate) mod sys;

//! The `#[main]` and `#[test]` attribute macros of the rt-stack runtime.
//!
//! Users do not depend on this crate: `rt-sched` re-exports the macros as
//! [`rt_sched::main`] and [`rt_sched::test`], and the generated code names `rt_sched`.
//! Both macros turn an `async fn` into an ordinary function that builds a runtime and
//! blocks on the original body, the way `#[tokio::main]` and `#[tokio::test]` do.
//!
//! ```ignore
//! #[rt_sched::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let listener = rt_net::TcpListener::bind("127.0.0.1:8080").await?;
//!     println!("listening on {}", listener.local_addr()?);
//!     Ok(())
//! }
//! ```
//!
//! becomes, in effect,
//!
//! ```ignore
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     ::rt_sched::Builder::new_multi_thread()
//!         .enable_all()
//!         .build()
//!         .expect("failed building the runtime")
//!         .block_on(async move {
//!             let listener = rt_net::TcpListener::bind("127.0.0.1:8080").await?;
//!             println!("listening on {}", listener.local_addr()?);
//!             Ok(())
//!         })
//! }
//! ```
//!
//! A test is the same with `#[rt_sched::test]`, which also adds the standard `#[test]`
//! attribute and defaults to the current-thread runtime:
//!
//! ```ignore
//! #[rt_sched::test]
//! async fn spawned_task_returns_its_output() {
//!     let handle = rt_sched::spawn(async { 1 + 1 });
//!     assert_eq!(handle.await.unwrap(), 2);
//! }
//! ```
//!
//! Attributes, doc comments, visibility and the return type are kept; the body's tokens
//! are moved unchanged into the `async move` block, so compiler errors point at user code.
//! Bad input (a missing `async`, arguments, an unknown option) becomes a `compile_error!`
//! next to the unchanged function, so IDEs keep resolving it.
//!
//! [`rt_sched::main`]: https://docs.rs/rt-sched/latest/rt_sched/attr.main.html
//! [`rt_sched::test`]: https://docs.rs/rt-sched/latest/rt_sched/attr.test.html
#![forbid(unsafe_code)]

mod expand;
mod options;

use proc_macro::TokenStream;

use crate::options::Kind;

/// Runs an `async fn` on a new runtime: the entry point of an rt-stack program.
///
/// The function becomes a sync function with the same attributes, visibility and return
/// type, whose body builds a runtime and blocks on the original body. It is meant for
/// `main` but works on any argument-less `async fn`.
///
/// # Options
///
/// | option | values | default |
/// |---|---|---|
/// | `flavor` | `"multi_thread"` or `"current_thread"` | `"multi_thread"` |
/// | `worker_threads` | an integer ≥ 1, only with the `multi_thread` flavor | the builder's default |
/// | `start_paused` | `true` or `false`; `true` only with the `current_thread` flavor (the clock starts paused, see `Builder::start_paused`) | `false` |
/// | `crate` | the path of the runtime crate, as a string | `"::rt_sched"` |
///
/// The generated builder call is
/// `Builder::new_multi_thread()` (or `new_current_thread()`), then
/// `.worker_threads(N)` if given, then
/// `.enable_all()`, `.start_paused(b)` if given, then `.build().expect("failed building the runtime").block_on(async move { body })`.
///
/// # Examples
///
/// ```ignore
/// #[rt_sched::main]
/// async fn main() {
///     println!("hello from the multi-thread runtime");
/// }
/// ```
///
/// Returning an error from `main`, on two worker threads:
///
/// ```ignore
/// use std::error::Error;
///
/// #[rt_sched::main(worker_threads = 2)]
/// async fn main() -> Result<(), Box<dyn Error>> {
///     let listener = rt_net::TcpListener::bind("127.0.0.1:8080").await?;
///     let (_socket, peer) = listener.accept().await?;
///     println!("accepted {peer}");
///     Ok(())
/// }
/// ```
///
/// A single-threaded program, and a crate that renamed `rt-sched` in its `Cargo.toml`:
///
/// ```ignore
/// #[rt::main(flavor = "current_thread", crate = "rt")]
/// async fn main() {
///     rt::spawn(async { println!("spawned") }).await.unwrap();
/// }
/// ```
///
/// These do not compile:
///
/// ```text
/// #[rt_sched::main]
/// fn main() {}                          // the `async` keyword is missing
///
/// #[rt_sched::main]
/// async fn main(port: u16) {}           // arguments are not allowed
///
/// #[rt_sched::main(flavor = "current_thread", worker_threads = 2)]
/// async fn main() {}                    // `worker_threads` needs "multi_thread"
/// ```
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::Main, args.into(), item.into()).into()
}

/// Runs an `async fn` test on a new runtime.
///
/// Like [`main`](macro@main), plus the standard `#[test]` attribute, and the runtime
/// defaults to the current-thread flavor: the test and everything it spawns run on the
/// test's own thread. Other attributes such as `#[should_panic]` or `#[ignore]` are kept.
///
/// # Options
///
/// | option | values | default |
/// |---|---|---|
/// | `flavor` | `"current_thread"` or `"multi_thread"` | `"current_thread"` |
/// | `worker_threads` | an integer ≥ 1, only with `flavor = "multi_thread"` | the builder's default |
/// | `crate` | the path of the runtime crate, as a string | `"::rt_sched"` |
///
/// # Examples
///
/// ```ignore
/// #[rt_sched::test]
/// async fn sleeps() {
///     rt_core::time::sleep(std::time::Duration::from_millis(10)).await;
/// }
/// ```
///
/// A test that needs real parallelism, and one that returns a `Result`:
///
/// ```ignore
/// #[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
/// async fn runs_on_two_workers() {
///     let a = rt_sched::spawn(async { std::thread::current().id() });
///     let b = rt_sched::spawn(async { std::thread::current().id() });
///     let _ = (a.await.unwrap(), b.await.unwrap());
/// }
///
/// #[rt_sched::test]
/// async fn connects() -> std::io::Result<()> {
///     let listener = rt_net::TcpListener::bind("127.0.0.1:0").await?;
///     rt_net::TcpStream::connect(listener.local_addr()?).await?;
///     Ok(())
/// }
/// ```
///
/// `#[rt_sched::test(worker_threads = 2)]` does not compile: the default flavor of a
/// test is `current_thread`, so ask for `flavor = "multi_thread"` as well.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::Test, args.into(), item.into()).into()
}

//! `Config`: what a driver is built with.

/// What a [`Driver`](super::Driver) drives: I/O, time, both or neither.
///
/// The default enables nothing: the driver then only parks and unparks a thread.
///
/// # Examples
///
/// ```
/// use rt_core::driver::Config;
///
/// let cfg = Config { enable_io: true, ..Config::default() };
/// assert!(!cfg.enable_time);
/// assert_eq!(cfg.event_capacity, 1024);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Run the mio reactor: the driver waits in `mio::Poll::poll` and dispatches I/O
    /// readiness to registered sources.
    pub enable_io: bool,
    /// Run the timers.
    pub enable_time: bool,
    /// How many I/O events one turn of the reactor takes from the OS at most.
    pub event_capacity: usize,
    /// Time: the clock starts paused.
    pub start_paused: bool,
    /// Time: `time::pause()` is allowed (schedulers set this for the current-thread
    /// runtime).
    pub allow_pause: bool,
}

impl Config {
    /// The default number of events taken per reactor turn.
    pub const DEFAULT_EVENT_CAPACITY: usize = 1024;
}

impl Default for Config {
    fn default() -> Config {
        Config {
            enable_io: false,
            enable_time: false,
            event_capacity: Config::DEFAULT_EVENT_CAPACITY,
            start_paused: false,
            allow_pause: false,
        }
    }
}

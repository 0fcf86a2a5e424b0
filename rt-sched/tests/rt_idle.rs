//! An idle runtime sleeps: its threads burn (almost) no CPU time, measured per thread
//! from `/proc` (the tests skip, saying why, where `/proc` is not available).

mod support;

use std::time::Duration;

use support::watchdog;

/// How long each test watches an idle runtime.
const WATCH: Duration = Duration::from_secs(1);

/// The CPU budget for `WATCH`: 1 % of one core.
const BUDGET: Duration = Duration::from_millis(10);

/// The CPU time of one thread, from `/proc/self/task/<tid>/`: nanoseconds from
/// `schedstat` where the kernel has it, else clock ticks from `stat` (assumed 100 Hz).
fn thread_cpu(task: &std::path::Path) -> Option<Duration> {
    if let Ok(schedstat) = std::fs::read_to_string(task.join("schedstat")) {
        if let Some(ns) = schedstat.split_whitespace().next().and_then(|f| f.parse::<u64>().ok()) {
            return Some(Duration::from_nanos(ns));
        }
    }
    let stat = std::fs::read_to_string(task.join("stat")).ok()?;
    // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// The total CPU time of this process's threads named `name`, and how many there are.
fn cpu_of_threads_named(name: &str) -> Result<(Duration, usize), String> {
    let tasks = std::fs::read_dir("/proc/self/task").map_err(|e| format!("/proc/self/task is not readable: {e}"))?;
    let mut total = Duration::ZERO;
    let mut count = 0;
    for task in tasks.flatten() {
        let path = task.path();
        let Ok(comm) = std::fs::read_to_string(path.join("comm")) else {
            continue;
        };
        if comm.trim_end() != name {
            continue;
        }
        total += thread_cpu(&path).ok_or_else(|| format!("no CPU time in {}", path.display()))?;
        count += 1;
    }
    Ok((total, count))
}

/// Measures the CPU time the threads named `name` use during `WATCH`, expecting
/// `threads` of them; `None` (after saying why) when `/proc` cannot tell.
fn idle_cpu(name: &str, threads: usize) -> Option<Duration> {
    let before = match cpu_of_threads_named(name) {
        Ok(before) => before,
        Err(reason) => {
            println!("skipped: {reason}");
            return None;
        }
    };
    assert_eq!(before.1, threads, "threads named {name:?}");
    std::thread::sleep(WATCH);
    let after = cpu_of_threads_named(name).expect("/proc went away");
    assert_eq!(after.1, threads, "threads named {name:?}");
    let used = after.0.saturating_sub(before.0);
    println!("threads named {name:?} used {used:?} of CPU in {WATCH:?}");
    Some(used)
}

#[test]
fn idle_multi_thread_runtime_burns_no_cpu() {
    watchdog(support::WATCHDOG_SECS, || {
        let rt = rt_sched::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("rt-idle-mt")
            .build()
            .unwrap();
        // Start a blocking thread too: it idles, waiting for work, for its keep-alive.
        assert_eq!(rt.block_on(rt.spawn_blocking(|| 1)).unwrap(), 1);
        std::thread::sleep(Duration::from_millis(100));
        if let Some(used) = idle_cpu("rt-idle-mt", 3) {
            assert!(
                used < BUDGET,
                "2 idle workers and 1 idle blocking thread used {used:?} of CPU in {WATCH:?}"
            );
        }
    });
}

#[test]
fn multi_thread_runtime_goes_back_to_sleep_after_work() {
    watchdog(support::WATCHDOG_SECS, || {
        let rt = rt_sched::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("rt-idle-burst")
            .build()
            .unwrap();
        // A burst of work that wakes both workers, steals, yields and spawns remotely.
        let handle = rt.handle().clone();
        let remote: Vec<_> = (0..1000u64).map(|i| handle.spawn(async move { i })).collect();
        let sum = rt.block_on(rt.spawn(async move {
            let local: Vec<_> = (0..10_000u64)
                .map(|i| {
                    rt_sched::spawn(async move {
                        rt_sched::task::yield_now().await;
                        i
                    })
                })
                .collect();
            let mut sum = 0;
            for handle in local.into_iter().chain(remote) {
                sum += handle.await.unwrap();
            }
            sum
        }));
        assert_eq!(sum.unwrap(), 10_000 * 9_999 / 2 + 1000 * 999 / 2);
        std::thread::sleep(Duration::from_millis(100));
        if let Some(used) = idle_cpu("rt-idle-burst", 2) {
            assert!(
                used < BUDGET,
                "2 workers used {used:?} of CPU in {WATCH:?} after the work was done"
            );
        }
    });
}

#[test]
fn idle_current_thread_block_on_burns_no_cpu() {
    watchdog(support::WATCHDOG_SECS, || {
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        let driver = std::thread::Builder::new()
            .name("rt-idle-ct".to_string())
            .spawn(move || {
                let rt = support::current_thread();
                // A parked task as well as the `block_on` future: nothing is runnable.
                let _parked = rt.spawn(std::future::pending::<()>());
                rt.block_on(rx).unwrap();
            })
            .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let used = idle_cpu("rt-idle-ct", 1);
        tx.send(()).unwrap();
        driver.join().unwrap();
        if let Some(used) = used {
            assert!(
                used < BUDGET,
                "a current-thread runtime waiting in block_on used {used:?} of CPU in {WATCH:?}"
            );
        }
    });
}

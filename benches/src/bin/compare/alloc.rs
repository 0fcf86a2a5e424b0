//! A counting global allocator, and the process's resident set size.
//!
//! [`Counting`] wraps [`System`] and keeps one relaxed counter of live heap bytes (bytes
//! requested by callers, so the allocator's own per-chunk overhead is not included: the
//! RSS figure covers that). It is installed for the whole `compare` binary, so both
//! runtimes pay the same atomic add on every allocation and free.
#![allow(unsafe_code)] // A `GlobalAlloc` impl cannot be written without it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Live heap bytes: requested by successful allocations, minus those freed.
static LIVE: AtomicIsize = AtomicIsize::new(0);

/// Returns the heap bytes currently allocated by the whole process.
///
/// Relaxed loads and stores: read it from a quiet point (all tasks parked, or the
/// runtime idle) and the value is exact.
pub(crate) fn live_bytes() -> isize {
    LIVE.load(Relaxed)
}

/// The global allocator of `compare`: [`System`] plus a live-bytes counter.
#[derive(Debug)]
pub(crate) struct Counting;

/// Converts an allocation size to a counter delta (a `Layout` size never exceeds
/// `isize::MAX`, so the cast is lossless).
fn delta(size: usize) -> isize {
    size as isize
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged and
// returns `System`'s result unchanged, so `System`'s guarantees are ours; the counter
// updates neither touch the memory nor unwind.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: our caller upholds `GlobalAlloc::alloc`'s contract, which is `System`'s.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(delta(layout.size()), Relaxed);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`, the caller's contract is `System`'s.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(delta(layout.size()), Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator, hence by `System`, with `layout`
        // (the caller's contract).
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(delta(layout.size()), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` and `layout` come from this allocator, hence from `System`, and
        // `new_size` meets `realloc`'s contract (the caller's duty).
        let new_ptr = unsafe { System.realloc(ptr, layout, new_size) };
        if !new_ptr.is_null() {
            LIVE.fetch_add(delta(new_size) - delta(layout.size()), Relaxed);
        }
        new_ptr
    }
}

/// Hands the allocator's free pages back to the OS, so that the resident set measured
/// next holds only live memory.
///
/// Without it an RSS delta depends on the runs before: glibc keeps the pages a dropped
/// runtime's tasks freed, and the next run reuses them without growing the resident set
/// (a run after a larger one measured 0 bytes per task). A no-op where the C library is
/// not glibc.
pub(crate) fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            /// glibc: releases free memory from the top of the heap and every free page
            /// inside the arenas; returns 1 when memory was released.
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: `malloc_trim` has no preconditions: it takes the arena locks itself and
        // only returns memory that no allocation uses.
        let _ = unsafe { malloc_trim(0) };
    }
}

/// Returns the resident set size of this process in bytes, from `/proc/self/statm`.
///
/// # Errors
///
/// Fails where `/proc` is missing or its format is not the documented one.
pub(crate) fn rss_bytes() -> std::io::Result<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm")?;
    let resident = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse::<u64>().ok())
        .ok_or_else(|| std::io::Error::other("unexpected /proc/self/statm format"))?;
    Ok(resident * page_size())
}

/// Returns the page size, from the auxiliary vector (`AT_PAGESZ`), or 4 KiB when it
/// cannot be read.
fn page_size() -> u64 {
    // The auxiliary vector is a list of native-endian `(key, value)` word pairs.
    const AT_PAGESZ: usize = 6;
    const WORD: usize = std::mem::size_of::<usize>();
    let Ok(auxv) = std::fs::read("/proc/self/auxv") else {
        return 4096;
    };
    auxv.chunks_exact(2 * WORD)
        .map(|pair| {
            let (key, value) = pair.split_at(WORD);
            let word = |bytes: &[u8]| usize::from_ne_bytes(bytes.try_into().expect("one word"));
            (word(key), word(value))
        })
        .find(|&(key, _)| key == AT_PAGESZ)
        .map_or(4096, |(_, value)| value as u64)
}

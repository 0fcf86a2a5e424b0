//! A connection's read buffer.
//!
//! The buffer is a [`BytesMut`]: message heads are parsed in place and body chunks are
//! handed out as [`Bytes`](bytes::Bytes) slices of it. A new buffer owns no allocation
//! (a connection that went idle drops its buffer and starts over with a new one when it
//! wakes up): its first read lands in a small per-thread scratch buffer, and only bytes
//! that actually arrive get a heap buffer, of their size when the read did not fill the
//! scratch buffer. An idle keep-alive connection thus owns no buffer, and one that
//! received a small request leaves no large hole in the heap when it frees it.
//!
//! A busy connection (one whose second message arrives into the same buffer) moves to a
//! block of [`WARM_SIZE`] bytes, reads straight into it from then on, and reuses the block
//! from its start again once every message parsed from it has been dropped: a stream of
//! small requests then costs no allocation and no copy per request, only a reference count
//! on the block per message. A connection that made one request and went quiet never gets
//! a block.

use std::cell::RefCell;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::BytesMut;
use futures_io::AsyncRead;

/// How much room a read gets when the buffer is (nearly) full.
const READ_SIZE: usize = 8 * 1024;
/// The buffer grows when less room than this is left.
const MIN_ROOM: usize = 512;
/// The first buffer of an idle connection that receives bytes.
const FIRST_SIZE: usize = 4 * 1024;
/// The block of a busy connection: small, because every busy connection keeps one until
/// it goes idle (and the allocator keeps the memory when it is freed); room for a dozen
/// small request heads between two reclaims, and a larger message grows it as usual.
const WARM_SIZE: usize = 1024;
/// The scratch buffer an idle connection reads into.
const IDLE_READ: usize = 2 * 1024;

thread_local! {
    /// The scratch buffer of idle reads: one per thread rather than an array on the stack,
    /// which would be zeroed for every read (most of which find nothing to read).
    static IDLE_SCRATCH: RefCell<[u8; IDLE_READ]> = const { RefCell::new([0; IDLE_READ]) };
}

/// The read buffer: `buf` holds the bytes read and not consumed yet; `spare` is the
/// initialised room right after it in the same allocation. A read fills the front of
/// `spare`, which is then split off and joined to `buf` (both O(1)), so memory is zeroed
/// once per allocation, not once per read.
///
/// `warm`: bytes arrived since the last [`ReadBuf::release`]; the next bytes that arrive
/// get a block rather than an allocation of their size.
#[derive(Debug, Default)]
pub(crate) struct ReadBuf {
    pub(crate) buf: BytesMut,
    spare: BytesMut,
    warm: bool,
}

impl ReadBuf {
    pub(crate) fn new() -> ReadBuf {
        ReadBuf::default()
    }

    /// Whether the buffer holds an allocation.
    pub(crate) fn is_allocated(&self) -> bool {
        self.spare.capacity() > 0 || self.buf.capacity() > 0
    }

    /// Reads more bytes: `Ok(0)` at end of stream.
    pub(crate) fn poll_fill<IO>(&mut self, io: &mut IO, cx: &mut Context<'_>) -> Poll<io::Result<usize>>
    where
        IO: AsyncRead + Unpin + ?Sized,
    {
        if !self.is_allocated() {
            return self.poll_fill_idle(io, cx);
        }
        if self.spare.len() < MIN_ROOM && !self.reclaim() {
            self.grow(READ_SIZE);
        }
        let n = std::task::ready!(Pin::new(&mut *io).poll_read(cx, &mut self.spare))?;
        let filled = self.spare.split_to(n);
        self.buf.unsplit(filled);
        Poll::Ready(Ok(n))
    }

    fn poll_fill_idle<IO>(&mut self, io: &mut IO, cx: &mut Context<'_>) -> Poll<io::Result<usize>>
    where
        IO: AsyncRead + Unpin + ?Sized,
    {
        IDLE_SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.fill_from(io, cx, &mut scratch[..]),
            // Only a read nested in another connection's read finds it taken.
            Err(_) => self.fill_from(io, cx, &mut [0; IDLE_READ]),
        })
    }

    /// Reads into `scratch`, then moves what arrived into the buffer.
    fn fill_from<IO>(&mut self, io: &mut IO, cx: &mut Context<'_>, scratch: &mut [u8]) -> Poll<io::Result<usize>>
    where
        IO: AsyncRead + Unpin + ?Sized,
    {
        let n = std::task::ready!(Pin::new(&mut *io).poll_read(cx, scratch))?;
        if n == scratch.len() || n > 0 && self.warm {
            // More may be waiting (the scratch buffer is full): a block with room to read
            // it into. Or a second message since the connection was last idle: a block
            // that the messages to come are read into directly. One allocation, the
            // bytes copied in once.
            let room = if n == scratch.len() {
                FIRST_SIZE.max(2 * n)
            } else {
                // A message larger than the block (up to the scratch buffer's size) gets
                // room for itself and as much again.
                WARM_SIZE.max(2 * n)
            };
            self.buf = BytesMut::new();
            self.grow(room);
            self.spare[..n].copy_from_slice(&scratch[..n]);
            let filled = self.spare.split_to(n);
            self.buf.unsplit(filled);
        } else if n > 0 {
            // The socket had no more: most likely a whole message (a request head), so
            // an allocation of just its size, which the message's parts then share.
            // Should more bytes be needed, the next read grows the buffer.
            self.buf = BytesMut::from(&scratch[..n]);
        }
        self.warm |= n > 0;
        Poll::Ready(Ok(n))
    }

    /// Moves the buffered bytes into a new allocation with `room` initialised bytes after
    /// them.
    fn grow(&mut self, room: usize) {
        let len = self.buf.len();
        let mut block = BytesMut::with_capacity(len + room);
        block.extend_from_slice(&self.buf);
        block.resize(block.capacity(), 0);
        self.spare = block.split_off(len);
        self.buf = block;
    }

    /// Starts the block over from its beginning, if nothing is buffered and no message
    /// parsed from it is alive any more (else `false`): the room is zeroed again, which is
    /// cheaper than a new block, and happens once per block's worth of reads.
    fn reclaim(&mut self) -> bool {
        if !self.buf.is_empty() {
            return false;
        }
        // `buf` is an empty view: dropping it leaves `spare` as the block's one handle
        // unless a message still holds a part of it.
        self.buf = BytesMut::new();
        let mut block = std::mem::take(&mut self.spare);
        block.clear();
        // Moves the (empty) view back to the start of the allocation when this is the
        // only handle to it and it has `WARM_SIZE` bytes; never allocates.
        if !block.try_reclaim(WARM_SIZE) {
            return false;
        }
        block.resize(block.capacity(), 0);
        self.spare = block;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::io::Cursor;
    use futures::task::noop_waker_ref;

    #[test]
    fn idle_read_allocates_only_when_bytes_arrive() {
        let mut io = Cursor::new(b"abc".to_vec());
        let mut rb = ReadBuf::new();
        let mut cx = Context::from_waker(noop_waker_ref());
        assert!(!rb.is_allocated());
        assert!(matches!(rb.poll_fill(&mut io, &mut cx), Poll::Ready(Ok(3))));
        assert!(rb.is_allocated());
        assert_eq!(&rb.buf[..], b"abc");
        assert!(matches!(rb.poll_fill(&mut io, &mut cx), Poll::Ready(Ok(0))));
        assert_eq!(&rb.buf[..], b"abc");
    }

    /// Yields `chunk` bytes per read, forever.
    struct Chunks(usize, u8);

    impl AsyncRead for Chunks {
        fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
            let n = self.0.min(buf.len());
            self.1 = self.1.wrapping_add(1);
            buf[..n].fill(self.1);
            Poll::Ready(Ok(n))
        }
    }

    #[test]
    fn a_busy_connection_reuses_its_block() {
        let mut io = Chunks(40, 0);
        let mut rb = ReadBuf::new();
        let mut cx = Context::from_waker(noop_waker_ref());
        // The first read after idle goes through the scratch buffer; the next makes a block.
        for _ in 0..2 {
            assert!(matches!(rb.poll_fill(&mut io, &mut cx), Poll::Ready(Ok(40))));
            drop(rb.buf.split_to(40).freeze());
        }
        let base = rb.spare.as_ptr() as usize - 40;
        // Many blocks' worth of messages, each dropped before the next read.
        for i in 0..500u32 {
            assert!(matches!(rb.poll_fill(&mut io, &mut cx), Poll::Ready(Ok(40))));
            let msg = rb.buf.split_to(40).freeze();
            let at = msg.as_ptr() as usize;
            assert!((base..base + WARM_SIZE).contains(&at), "read {i} left the block");
            assert!(msg.iter().all(|&b| b == msg[0]));
        }
        // A message still alive keeps its bytes: the next block is a new one.
        let mut held = Vec::new();
        for _ in 0..200 {
            assert!(matches!(rb.poll_fill(&mut io, &mut cx), Poll::Ready(Ok(40))));
            held.push(rb.buf.split_to(40).freeze());
        }
        for msg in &held {
            assert!(msg.iter().all(|&b| b == msg[0]));
        }
        assert!(held
            .iter()
            .any(|m| !(base..base + WARM_SIZE).contains(&(m.as_ptr() as usize))));
        // A parked connection starts over with a new buffer: its first read goes through
        // the scratch buffer again.
        let mut rb = ReadBuf::new();
        assert!(matches!(rb.poll_fill(&mut io, &mut cx), Poll::Ready(Ok(40))));
        assert_eq!(rb.buf.capacity(), 40);
    }

    #[test]
    fn a_busy_connection_takes_a_message_larger_than_its_block() {
        // Every size a read into the scratch buffer can return, on a warm connection.
        for len in [
            WARM_SIZE - 1,
            WARM_SIZE,
            WARM_SIZE + 1,
            1474,
            IDLE_READ - 1,
            IDLE_READ,
            IDLE_READ + 1,
        ] {
            let mut io = Chunks(len, 0);
            let mut rb = ReadBuf::new();
            let mut cx = Context::from_waker(noop_waker_ref());
            for _ in 0..3 {
                let n = match rb.poll_fill(&mut io, &mut cx) {
                    Poll::Ready(Ok(n)) => n,
                    other => panic!("{other:?}"),
                };
                assert_eq!(rb.buf.len(), n);
                assert!(rb.buf.iter().all(|&b| b == rb.buf[0]));
                drop(rb.buf.split_to(n));
            }
        }
    }

    #[test]
    fn reads_append_and_grow_past_the_first_block() {
        let data: Vec<u8> = (0..40_000u32).map(|i| i as u8).collect();
        let mut io = Cursor::new(data.clone());
        let mut rb = ReadBuf::new();
        let mut cx = Context::from_waker(noop_waker_ref());
        while let Poll::Ready(Ok(n)) = rb.poll_fill(&mut io, &mut cx) {
            if n == 0 {
                break;
            }
            // Consumers take bytes from the front between reads.
            if rb.buf.len() > 10_000 {
                let _ = rb.buf.split_to(1);
            }
        }
        let consumed = data.len() - rb.buf.len();
        assert_eq!(&rb.buf[..], &data[consumed..]);
    }
}

//! `Buf`: the chunk a [`File`](super::File) hands to the blocking pool and back.
//!
//! It holds either bytes read from the file and not yet consumed by the reader, or bytes
//! accepted from the writer and not yet written to the file, never both: the file's state
//! machine (see `file/state.rs`) empties it before switching direction. `bytes` only ever
//! grows (up to the file's chunk size) so that a steady stream of reads does not zero
//! the storage again and again; `pos..end` is the live part.

use std::io::{self, Read, Write};

/// Bytes in flight between a `File` and the blocking pool.
#[derive(Debug, Default)]
pub(crate) struct Buf {
    /// Initialised storage; only `pos..end` is meaningful.
    bytes: Vec<u8>,
    pos: usize,
    end: usize,
}

impl Buf {
    /// Whether no bytes are held.
    pub(crate) fn is_empty(&self) -> bool {
        self.pos == self.end
    }

    /// Number of bytes held.
    pub(crate) fn len(&self) -> usize {
        self.end - self.pos
    }

    /// Copies held (read) bytes into `dst`, consuming them; returns how many.
    pub(crate) fn copy_to(&mut self, dst: &mut [u8]) -> usize {
        let n = self.len().min(dst.len());
        dst[..n].copy_from_slice(&self.bytes[self.pos..self.pos + n]);
        self.pos += n;
        n
    }

    /// Takes up to `max` bytes of `src` to be written; returns how many.
    ///
    /// The buffer must be empty.
    pub(crate) fn copy_from(&mut self, src: &[u8], max: usize) -> usize {
        debug_assert!(self.is_empty(), "copy_from into a buffer holding data");
        let n = src.len().min(max);
        self.reserve(n);
        self.bytes[..n].copy_from_slice(&src[..n]);
        self.pos = 0;
        self.end = n;
        n
    }

    /// Drops the unread bytes and returns how far the file's cursor is ahead of the
    /// reader's position (as a negative offset for `SeekFrom::Current`).
    pub(crate) fn discard_read(&mut self) -> i64 {
        // A buffer never exceeds the chunk size, which is far below i64::MAX.
        let ahead = i64::try_from(self.len()).unwrap_or(i64::MAX);
        self.pos = 0;
        self.end = 0;
        -ahead
    }

    /// Drops whatever is held.
    pub(crate) fn clear(&mut self) {
        self.pos = 0;
        self.end = 0;
    }

    /// Blocking: reads at most `max` bytes from `rd` into the (empty) buffer, retrying
    /// on `Interrupted`. `Ok(0)` is end of file.
    pub(crate) fn read_from(&mut self, rd: &mut impl Read, max: usize) -> io::Result<usize> {
        debug_assert!(self.is_empty(), "read_from into a buffer holding data");
        self.reserve(max);
        self.pos = 0;
        self.end = 0;
        let n = loop {
            match rd.read(&mut self.bytes[..max]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                res => break res?,
            }
        };
        // A misbehaving reader must not make us index out of bounds later.
        self.end = n.min(max);
        Ok(self.end)
    }

    /// Blocking: writes every held byte to `wr`. The buffer is empty afterwards, even
    /// on error (the bytes are then lost; the error says so).
    pub(crate) fn write_to(&mut self, wr: &mut impl Write) -> io::Result<()> {
        let res = wr.write_all(&self.bytes[self.pos..self.end]);
        self.pos = 0;
        self.end = 0;
        res
    }

    /// Grows the storage to at least `n` initialised bytes.
    fn reserve(&mut self, n: usize) {
        if self.bytes.len() < n {
            self.bytes.resize(n, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_drain() {
        let mut buf = Buf::default();
        assert_eq!(buf.copy_from(b"hello world", 5), 5);
        assert_eq!(buf.len(), 5);
        let mut out = Vec::new();
        buf.write_to(&mut out).unwrap();
        assert_eq!(out, b"hello");
        assert!(buf.is_empty());
    }

    #[test]
    fn read_then_consume_in_pieces() {
        let mut buf = Buf::default();
        let mut src: &[u8] = b"abcdefgh";
        assert_eq!(buf.read_from(&mut src, 6).unwrap(), 6);
        let mut dst = [0u8; 4];
        assert_eq!(buf.copy_to(&mut dst), 4);
        assert_eq!(&dst, b"abcd");
        assert_eq!(buf.discard_read(), -2);
        assert!(buf.is_empty());
        // Storage is reused, not shrunk: a smaller read keeps the old capacity.
        assert_eq!(buf.read_from(&mut src, 1).unwrap(), 1);
        assert_eq!(buf.bytes.len(), 6);
    }

    #[test]
    fn failed_write_empties_the_buffer() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut buf = Buf::default();
        buf.copy_from(b"data", 16);
        assert!(buf.write_to(&mut Broken).is_err());
        assert!(buf.is_empty());
    }
}

//! Body decoding: `content-length`, chunked transfer-encoding (trailers skipped) and
//! read-until-close, over the connection's read buffer.
//!
//! [`Decoder::decode`] takes what it can from the buffer: data comes out as slices of
//! the buffer (no copy); the chunk-size lines and trailers are consumed byte by byte, so
//! a message split at any byte boundary decodes the same.

use bytes::{Buf, Bytes, BytesMut};

use crate::error::{Error, Kind};

/// The longest chunk-size line (size, extensions) accepted.
const MAX_CHUNK_LINE: usize = 4 * 1024;
/// The most trailer bytes accepted (they are skipped, not kept).
const MAX_TRAILERS: usize = 16 * 1024;

/// How a body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    Length(u64),
    Chunked,
    Close,
}

#[derive(Debug)]
pub(crate) struct Decoder {
    state: State,
    /// Body bytes produced so far.
    read: u64,
    /// The most body bytes allowed.
    limit: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Length(u64),
    Close,
    Chunked(Chunk),
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    /// Hex digits of the size; `line` counts the line's bytes.
    Size {
        size: u64,
        digits: u8,
        line: usize,
    },
    /// After the size: whitespace and extensions up to the CR.
    Ext {
        size: u64,
        line: usize,
    },
    /// The LF ending the size line.
    SizeLf {
        size: u64,
    },
    Data(u64),
    DataCr,
    DataLf,
    /// At the start of a trailer line (or of the final empty line).
    TrailerStart {
        total: usize,
    },
    /// Inside a trailer line.
    Trailer {
        total: usize,
    },
    TrailerLf {
        total: usize,
        last: bool,
    },
}

/// What [`Decoder::decode`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decoded {
    Data(Bytes),
    NeedMore,
    Done,
}

impl Decoder {
    pub(crate) fn new(framing: Framing, limit: u64) -> Decoder {
        let state = match framing {
            Framing::Length(0) => State::Done,
            Framing::Length(n) => State::Length(n),
            Framing::Chunked => State::Chunked(Chunk::Size {
                size: 0,
                digits: 0,
                line: 0,
            }),
            Framing::Close => State::Close,
        };
        Decoder { state, read: 0, limit }
    }

    pub(crate) fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// What is left, if known.
    pub(crate) fn remaining(&self) -> Option<u64> {
        match self.state {
            State::Length(n) => Some(n),
            State::Done => Some(0),
            _ => None,
        }
    }

    /// Takes the next piece of body from `buf`.
    pub(crate) fn decode(&mut self, buf: &mut BytesMut) -> Result<Decoded, Error> {
        loop {
            let out = match self.state {
                State::Done => return Ok(Decoded::Done),
                State::Length(n) => self.take(buf, n),
                State::Close => self.take(buf, u64::MAX),
                State::Chunked(Chunk::Data(n)) => self.take(buf, n),
                State::Chunked(chunk) => {
                    if buf.is_empty() {
                        return Ok(Decoded::NeedMore);
                    }
                    let byte = buf[0];
                    buf.advance(1);
                    self.state = step(chunk, byte)?;
                    continue;
                }
            };
            return out;
        }
    }

    /// Takes up to `n` data bytes.
    fn take(&mut self, buf: &mut BytesMut, n: u64) -> Result<Decoded, Error> {
        if buf.is_empty() {
            return Ok(Decoded::NeedMore);
        }
        let len = (buf.len() as u64).min(n);
        self.read += len;
        if self.read > self.limit {
            return Err(Error::new(Kind::TooLarge, None));
        }
        let left = n - len;
        self.state = match self.state {
            State::Length(_) if left == 0 => State::Done,
            State::Length(_) => State::Length(left),
            State::Chunked(_) if left == 0 => State::Chunked(Chunk::DataCr),
            State::Chunked(_) => State::Chunked(Chunk::Data(left)),
            other => other,
        };
        Ok(Decoded::Data(buf.split_to(len as usize).freeze()))
    }

    /// The stream ended: fine for read-until-close, else a truncated body.
    pub(crate) fn eof(&mut self) -> Result<Decoded, Error> {
        match self.state {
            State::Done => Ok(Decoded::Done),
            State::Close => {
                self.state = State::Done;
                Ok(Decoded::Done)
            }
            _ => Err(Error::closed("connection closed inside a body")),
        }
    }
}

/// One byte of chunked framing (outside chunk data).
fn step(chunk: Chunk, b: u8) -> Result<State, Error> {
    let bad = || Error::protocol("invalid chunked encoding");
    let next = match chunk {
        Chunk::Size { size, digits, line } => match hex(b) {
            Some(d) if digits < 16 => Chunk::Size {
                size: size << 4 | d as u64,
                digits: digits + 1,
                line: line + 1,
            },
            Some(_) => return Err(Error::protocol("chunk size too large")),
            None if digits == 0 => return Err(bad()),
            None => return ext(size, line, b),
        },
        Chunk::Ext { size, line } => return ext(size, line, b),
        Chunk::SizeLf { size } if b == b'\n' && size == 0 => Chunk::TrailerStart { total: 0 },
        Chunk::SizeLf { size } if b == b'\n' => Chunk::Data(size),
        Chunk::DataCr if b == b'\r' => Chunk::DataLf,
        Chunk::DataLf if b == b'\n' => Chunk::Size {
            size: 0,
            digits: 0,
            line: 0,
        },
        Chunk::TrailerStart { total } if b == b'\r' => Chunk::TrailerLf { total, last: true },
        Chunk::TrailerStart { total } | Chunk::Trailer { total } => trailer(total, b)?,
        Chunk::TrailerLf { last: true, .. } if b == b'\n' => return Ok(State::Done),
        Chunk::TrailerLf { total, last: false } if b == b'\n' => Chunk::TrailerStart { total },
        _ => return Err(bad()),
    };
    Ok(State::Chunked(next))
}

/// A byte after the chunk size: optional whitespace and `;ext`, up to CR.
fn ext(size: u64, line: usize, b: u8) -> Result<State, Error> {
    if line >= MAX_CHUNK_LINE {
        return Err(Error::protocol("chunk size line too long"));
    }
    match b {
        b'\r' => Ok(State::Chunked(Chunk::SizeLf { size })),
        // Extensions are ignored, but no control bytes in them (a bare LF would let two
        // parsers disagree on where the line ends).
        b'\n' | 0..=8 | 10..=31 | 127 => Err(Error::protocol("invalid chunk extension")),
        _ => Ok(State::Chunked(Chunk::Ext { size, line: line + 1 })),
    }
}

fn trailer(total: usize, b: u8) -> Result<Chunk, Error> {
    if total >= MAX_TRAILERS {
        return Err(Error::protocol("trailers too long"));
    }
    match b {
        b'\r' => Ok(Chunk::TrailerLf {
            total: total + 1,
            last: false,
        }),
        b'\n' => Err(Error::protocol("bare lf in trailers")),
        _ => Ok(Chunk::Trailer { total: total + 1 }),
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `input` fed in pieces split at `cuts`, returning the body.
    fn decode_split(framing: Framing, input: &[u8], cuts: &[usize]) -> Result<Vec<u8>, Error> {
        let mut dec = Decoder::new(framing, u64::MAX);
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        let mut bounds = cuts.to_vec();
        bounds.push(input.len());
        let mut start = 0;
        for end in bounds {
            buf.extend_from_slice(&input[start..end]);
            start = end;
            loop {
                match dec.decode(&mut buf)? {
                    Decoded::Data(b) => out.extend_from_slice(&b),
                    Decoded::NeedMore => break,
                    Decoded::Done => return Ok(out),
                }
            }
        }
        dec.eof()?;
        Ok(out)
    }

    const CHUNKED: &[u8] = b"5;name=v\r\nhello\r\n1\r\n \r\nA \r\n0123456789\r\n0\r\nx-trailer: 1\r\n\r\n";

    #[test]
    fn chunked_split_at_every_boundary() {
        let want = b"hello 0123456789".to_vec();
        assert_eq!(decode_split(Framing::Chunked, CHUNKED, &[]).unwrap(), want);
        for i in 0..=CHUNKED.len() {
            assert_eq!(
                decode_split(Framing::Chunked, CHUNKED, &[i]).unwrap(),
                want,
                "cut at {i}"
            );
            for j in i..=CHUNKED.len() {
                assert_eq!(
                    decode_split(Framing::Chunked, CHUNKED, &[i, j]).unwrap(),
                    want,
                    "cuts {i} {j}"
                );
            }
        }
    }

    #[test]
    fn chunked_leaves_the_next_message_in_the_buffer() {
        let mut dec = Decoder::new(Framing::Chunked, u64::MAX);
        let mut buf = BytesMut::from(&b"1\r\na\r\n0\r\n\r\nGET"[..]);
        assert_eq!(dec.decode(&mut buf).unwrap(), Decoded::Data(Bytes::from_static(b"a")));
        assert_eq!(dec.decode(&mut buf).unwrap(), Decoded::Done);
        assert_eq!(&buf[..], b"GET");
    }

    #[test]
    fn chunked_rejects_bad_framing() {
        for bad in [
            &b"x\r\n"[..],
            b"5\nhello\r\n0\r\n\r\n",
            b"5\r\nhelloX\r\n",
            b"1;a\nb\r\n",
            b"11111111111111111\r\n",
            b"0\r\nbad\n\r\n",
            b"\r\n",
        ] {
            assert!(
                decode_split(Framing::Chunked, bad, &[]).unwrap_err().is_protocol(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn truncated_bodies_are_closed_errors() {
        assert!(decode_split(Framing::Chunked, b"5\r\nhel", &[])
            .unwrap_err()
            .is_closed());
        assert!(decode_split(Framing::Length(10), b"hello", &[])
            .unwrap_err()
            .is_closed());
        assert_eq!(decode_split(Framing::Close, b"hello", &[2]).unwrap(), b"hello");
    }

    #[test]
    fn length_stops_at_the_length_and_limit_applies() {
        let mut dec = Decoder::new(Framing::Length(3), u64::MAX);
        let mut buf = BytesMut::from(&b"abcdef"[..]);
        assert_eq!(dec.decode(&mut buf).unwrap(), Decoded::Data(Bytes::from_static(b"abc")));
        assert_eq!(dec.decode(&mut buf).unwrap(), Decoded::Done);
        assert_eq!(&buf[..], b"def");
        let mut dec = Decoder::new(Framing::Chunked, 4);
        let mut buf = BytesMut::from(&b"5\r\nhello\r\n"[..]);
        assert!(dec.decode(&mut buf).unwrap_err().is_too_large());
    }
}

//! Idle client connections: opened to a proxy, each after one complete request.
//!
//! A connection that never carried a request would hide what a proxy keeps per
//! connection once it has served one: read and write buffers it does not release, a
//! parser, the state of the request that finished. So every idle connection here has
//! completed one `GET /` (answered `200`) before it idles; the proxies keep it open
//! (keep-alive timeouts: nginx 75 s, HAProxy 120 s).
//!
//! The sockets are closed with an abortive close (`SO_LINGER` 0, a reset), so that
//! ten thousand of them do not leave as many `TIME_WAIT` entries behind between runs.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use super::client;

/// Threads that open the connections: one per core of the machines the numbers come
/// from (a loopback connect and request run on the calling thread and the proxy's).
const THREADS: usize = 2;

/// Open client connections, each idle after one request. Dropping them resets them.
#[derive(Debug)]
pub(crate) struct IdleClients {
    /// The sockets.
    streams: Vec<TcpStream>,
}

impl IdleClients {
    /// Opens `count` connections to `addr`, each completing one `GET /`.
    ///
    /// # Errors
    ///
    /// Fails when a connection fails or a request is not answered `200`.
    pub(crate) fn open(addr: SocketAddr, count: usize) -> io::Result<IdleClients> {
        let threads: Vec<_> = (0..THREADS)
            .map(|index| {
                let share = count / THREADS + usize::from(index < count % THREADS);
                thread::spawn(move || (0..share).map(|_| open_one(addr)).collect::<io::Result<Vec<_>>>())
            })
            .collect();
        let mut streams = Vec::with_capacity(count);
        for thread in threads {
            streams.extend(thread.join().expect("an idle-client thread panicked")?);
        }
        Ok(IdleClients { streams })
    }

    /// Returns how many connections the proxy has closed (end of stream or an error
    /// when peeked without blocking): a proxy that drops idle connections early must
    /// not look cheap.
    pub(crate) fn closed_by_peer(&self) -> usize {
        let mut buffer = [0u8; 1];
        self.streams
            .iter()
            .filter(|stream| {
                if stream.set_nonblocking(true).is_err() {
                    return true;
                }
                let closed = match stream.peek(&mut buffer) {
                    Ok(0) => true,
                    Ok(_) => false,
                    Err(error) => error.kind() != io::ErrorKind::WouldBlock,
                };
                let _ = stream.set_nonblocking(false);
                closed
            })
            .count()
    }
}

impl Drop for IdleClients {
    fn drop(&mut self) {
        for stream in &self.streams {
            let _ = socket2::SockRef::from(stream).set_linger(Some(Duration::ZERO));
        }
    }
}

/// Opens one connection and completes one request on it.
fn open_one(addr: SocketAddr) -> io::Result<TcpStream> {
    match client::connect_and_get(addr)? {
        (stream, 200) => Ok(stream),
        (_, status) => Err(io::Error::other(format!(
            "a request on an idle connection got {status}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read as _, Write as _};

    #[test]
    fn opens_connections_after_one_request_and_sees_closed_ones() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = thread::spawn(move || {
            let mut kept = Vec::new();
            for _ in 0..3 {
                let (mut stream, _) = listener.accept().unwrap();
                let mut request = [0u8; 35];
                stream.read_exact(&mut request).unwrap();
                stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    .unwrap();
                kept.push(stream);
            }
            kept
        });
        let clients = IdleClients::open(addr, 3).unwrap();
        let mut kept = server.join().unwrap();
        assert_eq!(clients.closed_by_peer(), 0);
        drop(kept.pop());
        thread::sleep(Duration::from_millis(50));
        assert_eq!(clients.closed_by_peer(), 1);
    }
}

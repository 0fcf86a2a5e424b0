//! [`NetRuntime`] and [`TimerRuntime`] for rt-sched: `rt_net`'s TCP types and
//! `rt_core::time`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use futures::io::{AsyncReadExt, AsyncWriteExt};
use rt_net::{TcpListener, TcpStream};

use super::{Listener, NetRuntime, Stream, TimerRuntime, LISTEN_BACKLOG};
use crate::runtimes::rt_sched::RtSched;

// `TcpListener::bind` is what the tokio side builds by hand: `SO_REUSEADDR`, then a
// backlog of `LISTEN_BACKLOG`.
const _: () = assert!(rt_net::net::tcp::DEFAULT_BACKLOG == LISTEN_BACKLOG);

impl NetRuntime for RtSched {
    type Listener = TcpListener;
    type Stream = TcpStream;

    /// `TcpListener::bind`: `SO_REUSEADDR` and a backlog of [`LISTEN_BACKLOG`], its
    /// default.
    fn bind(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Listener>> + Send {
        TcpListener::bind(addr)
    }
}

impl TimerRuntime for RtSched {
    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
        rt_core::time::sleep(duration)
    }
}

impl Listener for TcpListener {
    type Stream = TcpStream;

    fn local_addr(&self) -> io::Result<SocketAddr> {
        TcpListener::local_addr(self)
    }

    async fn accept(&self) -> io::Result<Self::Stream> {
        TcpListener::accept(self).await.map(|(stream, _)| stream)
    }
}

impl Stream for TcpStream {
    fn read<'a>(&'a mut self, buf: &'a mut [u8]) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        AsyncReadExt::read(self, buf)
    }

    fn write_all<'a>(&'a mut self, buf: &'a [u8]) -> impl Future<Output = io::Result<()>> + Send + 'a {
        AsyncWriteExt::write_all(self, buf)
    }

    fn readable(&self) -> impl Future<Output = io::Result<()>> + Send + '_ {
        TcpStream::readable(self)
    }

    fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        TcpStream::try_read(self, buf)
    }
}

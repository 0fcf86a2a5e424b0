//! [`UCred`]: the credentials of the process at the other end of a [`UnixStream`].
//!
//! [`UnixStream`]: super::UnixStream

/// User id, group id and (where the OS reports it) process id of a Unix socket's peer,
/// as they were when the connection was made; from [`UnixStream::peer_cred`].
///
/// [`UnixStream::peer_cred`]: super::UnixStream::peer_cred
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UCred {
    pub(crate) pid: Option<libc::pid_t>,
    pub(crate) uid: libc::uid_t,
    pub(crate) gid: libc::gid_t,
}

impl UCred {
    /// The peer's effective user id.
    pub fn uid(&self) -> libc::uid_t {
        self.uid
    }

    /// The peer's effective group id.
    pub fn gid(&self) -> libc::gid_t {
        self.gid
    }

    /// The peer's process id: `Some` on Linux and Android, `None` where the OS does not
    /// report it (the BSDs and Apple platforms).
    pub fn pid(&self) -> Option<libc::pid_t> {
        self.pid
    }
}

//! The HTTP/1.1 wire format, shared by the server and the client: the connection's read
//! buffer, message heads (parse and write) and body framing (decode and encode).

pub(crate) mod date;
pub(crate) mod decode;
pub(crate) mod encode;
pub(crate) mod head;
pub(crate) mod read_buf;

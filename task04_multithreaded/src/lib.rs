//! What this task's server and client share, and the server's socket
//! tuning, kept here so that `server.rs` shows the lesson: a thread per
//! client.

use socket2::{Domain, Socket, Type};
use std::io;
use std::net::{TcpListener, ToSocketAddrs};

/// `host:port` as it is written in an address: an IPv6 literal goes in
/// brackets (`[::1]:5001`), so the port can't be mistaken for part of it.
/// Both `connect` and `bind` accept this string and look up names such as
/// `localhost` on the way.
pub fn address(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// `TcpListener::bind`, tuned for many clients at once: a longer queue for
/// connections not yet accepted, and Nagle's algorithm off. Use it where
/// you would call `TcpListener::bind(addr)`.
pub fn listen(addr: &str) -> io::Result<TcpListener> {
    let addr = addr
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "the host has no address"))?;
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    // As std does: a restarted server may bind at once, while the old
    // connections still wait out their TIME_WAIT.
    socket.set_reuse_address(true)?;
    // Replies are small and should leave at once. Nagle's algorithm would
    // hold a small write back until the previous one is acknowledged, which
    // can stall a reply for tens of milliseconds. Set on the listener, this
    // is inherited by every connection it accepts (Linux and macOS).
    socket.set_tcp_nodelay(true)?;
    socket.bind(&addr.into())?;
    // The backlog: how many connections the OS completes and queues for us
    // before we accept them (the number in Python's `listen(5)`). std asks
    // for 128. When a thousand clients arrive at once the queue overflows,
    // the OS drops the extra handshakes, and those clients retry a second
    // later; 1024 takes them all at once.
    socket.listen(1024)?;
    Ok(socket.into())
}

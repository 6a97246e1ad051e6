//! The grader's own sockets: it is the client when it tests a server and
//! the server when it tests a client.
//!
//! Every socket here has read and write deadlines, every read is capped, and
//! nothing sleeps to wait for readiness: `accept` waits with `poll`, reads
//! with socket timeouts. The only pauses are deliberate pacing
//! ([`write_in_pieces`]), which a correct peer must cope with.

use crate::time::Deadline;
use socket2::SockRef;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

mod line;
pub mod udp;
pub use line::{closed_after_bye, ByeError, LineConn, LineError, LineReader};

/// How a read ended.
#[derive(Debug)]
pub enum End {
    /// The peer closed its sending side: a read returned 0.
    Eof,
    /// The deadline passed with the connection still open.
    Timeout,
    /// More than the cap arrived.
    Capped,
    /// The connection failed (reset, for one).
    Failed(io::Error),
}

impl End {
    pub fn describe(&self) -> String {
        match self {
            End::Eof => "the connection was closed".to_string(),
            End::Timeout => "the connection was still open".to_string(),
            End::Capped => "more data kept coming".to_string(),
            End::Failed(e) => format!("the connection failed: {e}"),
        }
    }
}

/// Bytes read from a socket and how the reading ended.
#[derive(Debug)]
pub struct Received {
    pub bytes: Vec<u8>,
    pub end: End,
}

/// Connects to `addr` within the deadline.
pub fn connect(addr: SocketAddr, deadline: Deadline) -> io::Result<TcpStream> {
    let left = deadline.remaining().ok_or_else(timed_out)?;
    let stream = TcpStream::connect_timeout(&addr, left)?;
    // Small writes go out at once: the checks time replies, and Nagle's
    // algorithm would hold back the grader's own pieces.
    stream.set_nodelay(true)?;
    Ok(stream)
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "deadline passed")
}

pub(crate) fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Sets the read timeout to what is left of the deadline; false once passed.
pub(crate) fn arm_read(stream: &TcpStream, deadline: Deadline) -> io::Result<bool> {
    match deadline.remaining() {
        Some(left) => stream.set_read_timeout(Some(left)).map(|()| true),
        None => Ok(false),
    }
}

/// Reads until the peer closes, the deadline passes, or `cap` bytes came.
pub fn read_to_end(stream: &TcpStream, cap: usize, deadline: Deadline) -> Received {
    let mut bytes = Vec::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let end = loop {
        match arm_read(stream, deadline) {
            Ok(true) => {}
            Ok(false) => break End::Timeout,
            Err(e) => break End::Failed(e),
        }
        match (&*stream).read(&mut buffer) {
            Ok(0) => break End::Eof,
            Ok(n) => {
                bytes.extend_from_slice(&buffer[..n]);
                if bytes.len() > cap {
                    break End::Capped;
                }
            }
            Err(e) if is_timeout(&e) => break End::Timeout,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break End::Failed(e),
        }
    };
    Received { bytes, end }
}

/// Reads exactly `len` bytes (or fewer, if the read ends first).
pub fn read_exact(stream: &TcpStream, len: usize, deadline: Deadline) -> Received {
    let mut bytes = vec![0u8; len];
    let mut filled = 0;
    while filled < len {
        match arm_read(stream, deadline) {
            Ok(true) => {}
            Ok(false) => return received(bytes, filled, End::Timeout),
            Err(e) => return received(bytes, filled, End::Failed(e)),
        }
        match (&*stream).read(&mut bytes[filled..]) {
            Ok(0) => return received(bytes, filled, End::Eof),
            Ok(n) => filled += n,
            Err(e) if is_timeout(&e) => return received(bytes, filled, End::Timeout),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return received(bytes, filled, End::Failed(e)),
        }
    }
    received(bytes, filled, End::Eof)
}

fn received(mut bytes: Vec<u8>, filled: usize, end: End) -> Received {
    bytes.truncate(filled);
    Received { bytes, end }
}

/// Writes everything within the deadline.
pub fn write_all(stream: &TcpStream, data: &[u8], deadline: Deadline) -> io::Result<()> {
    let left = deadline.remaining().ok_or_else(timed_out)?;
    stream.set_write_timeout(Some(left))?;
    (&*stream).write_all(data)
}

/// Writes as much of `data` as the connection takes at once, without
/// waiting for the peer to read; returns how many bytes went.
pub fn write_what_fits(stream: &TcpStream, data: &[u8]) -> io::Result<usize> {
    stream.set_nonblocking(true)?;
    let mut sent = 0;
    let ended = loop {
        match (&*stream).write(&data[sent..]) {
            Ok(0) => break Ok(()),
            Ok(n) => {
                sent += n;
                if sent == data.len() {
                    break Ok(());
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    stream.set_nonblocking(false)?;
    ended.map(|()| sent)
}

/// Whether the peer has already closed or reset the connection, as far as
/// this side can tell without waiting.
pub fn closed_by_peer(stream: &TcpStream) -> bool {
    if !matches!(stream.take_error(), Ok(None)) {
        return true;
    }
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let peeked = stream.peek(&mut [0u8; 1]);
    let _ = stream.set_nonblocking(false);
    match peeked {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !is_timeout(&e) && e.kind() != io::ErrorKind::Interrupted,
    }
}

/// Writes `data` in `pieces` parts with `pause` between them, so the other
/// side's reads see it split: a peer that treats one read as the whole
/// message is caught.
pub fn write_in_pieces(
    stream: &TcpStream,
    data: &[u8],
    pieces: usize,
    pause: Duration,
    deadline: Deadline,
) -> io::Result<()> {
    let size = data.len().div_ceil(pieces.max(1)).max(1);
    for (i, piece) in data.chunks(size).enumerate() {
        if i > 0 {
            thread::sleep(pause);
        }
        write_all(stream, piece, deadline)?;
    }
    Ok(())
}

/// Closes the connection with a reset (RST) instead of an orderly close, as
/// a crashed or killed client would.
pub fn reset(stream: TcpStream) {
    let _ = SockRef::from(&stream).set_linger(Some(Duration::ZERO));
    drop(stream);
}

/// A port on 127.0.0.1 on which nothing listens, held so while it lives:
/// a socket bound to it that never listens. A connection to it is refused,
/// and no other program (a student's server started by a check running
/// alongside) can be given the port meanwhile, as it could be if the port
/// were merely released.
pub struct ClosedPort {
    pub port: u16,
    _held: socket2::Socket,
}

/// A [`ClosedPort`] the OS chose.
pub fn free_port() -> io::Result<ClosedPort> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    socket.bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())?;
    let port = socket
        .local_addr()?
        .as_socket()
        .map(|a| a.port())
        .ok_or_else(|| io::Error::other("a socket bound to 127.0.0.1 has no port"))?;
    Ok(ClosedPort {
        port,
        _held: socket,
    })
}

/// Whether some program holds 127.0.0.1:`port` (UDP when `datagrams`,
/// else TCP) for itself: the grader cannot bind it either. For TCP the
/// grader binds with `SO_REUSEADDR` where that only passes over TIME_WAIT
/// (not on Windows, where it would take a port in use), so a port kept by
/// TIME_WAIT alone reads as free.
pub fn held_by_another(port: u16, datagrams: bool) -> bool {
    use socket2::{Domain, Protocol, Socket, Type};
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let (kind, protocol) = match datagrams {
        true => (Type::DGRAM, Protocol::UDP),
        false => (Type::STREAM, Protocol::TCP),
    };
    let Ok(socket) = Socket::new(Domain::IPV4, kind, Some(protocol)) else {
        return false;
    };
    if !datagrams && !cfg!(windows) && socket.set_reuse_address(true).is_err() {
        return false;
    }
    matches!(socket.bind(&addr.into()), Err(e) if e.kind() == io::ErrorKind::AddrInUse)
}

/// The grader's listener, for checking clients: loopback, port chosen by the OS.
pub fn listen(ip: IpAddr) -> io::Result<TcpListener> {
    TcpListener::bind((ip, 0))
}

/// Whether this machine has IPv6 loopback.
pub fn has_ipv6() -> bool {
    TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).is_ok()
}

/// Accepts one connection, or `None` if none came before the deadline.
pub fn accept(
    listener: &TcpListener,
    deadline: Deadline,
) -> io::Result<Option<(TcpStream, SocketAddr)>> {
    accept_unless(listener, deadline, &|| false)
}

/// Like [`accept`], but gives up early once `gone()` says the peer that
/// should connect can't any more (a client that has exited). `gone` is
/// asked every 50 ms while nothing arrives.
pub fn accept_unless(
    listener: &TcpListener,
    deadline: Deadline,
    gone: &dyn Fn() -> bool,
) -> io::Result<Option<(TcpStream, SocketAddr)>> {
    const SLICE: Duration = Duration::from_millis(50);
    loop {
        let Some(left) = deadline.remaining() else {
            return Ok(None);
        };
        match accept_within(listener, left.min(SLICE))? {
            Some((stream, peer)) => {
                stream.set_nodelay(true)?;
                return Ok(Some((stream, peer)));
            }
            None if gone() => return Ok(None),
            None => continue,
        }
    }
}

/// A connection that arrives within `wait`, waited for with `poll`.
#[cfg(unix)]
fn accept_within(
    listener: &TcpListener,
    wait: Duration,
) -> io::Result<Option<(TcpStream, SocketAddr)>> {
    use std::os::fd::AsRawFd;
    let mut fd = libc::pollfd {
        fd: listener.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let millis = i32::try_from(wait.as_millis().max(1)).unwrap_or(i32::MAX);
    // SAFETY: one pollfd, on the stack, for the length of the call.
    match unsafe { libc::poll(&mut fd, 1, millis) } {
        -1 if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => Ok(None),
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(None),
        _ => listener.accept().map(Some),
    }
}

/// A connection that arrives within `wait`: where there is no `poll` for
/// a std socket, the listener is asked without blocking, every few
/// milliseconds.
#[cfg(not(unix))]
fn accept_within(
    listener: &TcpListener,
    wait: Duration,
) -> io::Result<Option<(TcpStream, SocketAddr)>> {
    const EVERY: Duration = Duration::from_millis(5);
    let deadline = Deadline::after(wait);
    listener.set_nonblocking(true)?;
    let accepted = loop {
        match listener.accept() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => match deadline.remaining() {
                Some(left) => thread::sleep(left.min(EVERY)),
                None => break Ok(None),
            },
            other => break other.map(Some),
        }
    };
    listener.set_nonblocking(false)?;
    let accepted = accepted?;
    // An accepted socket takes its listener's mode on some systems.
    if let Some((stream, _)) = &accepted {
        stream.set_nonblocking(false)?;
    }
    Ok(accepted)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn a_port_held_by_a_socket_reads_as_held_and_free_once_it_is_closed() {
        let udp = std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = udp.local_addr().unwrap().port();
        assert!(held_by_another(port, true));
        drop(udp);
        assert!(!held_by_another(port, true));
        let tcp = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = tcp.local_addr().unwrap().port();
        assert!(held_by_another(port, false));
        drop(tcp);
        assert!(!held_by_another(port, false));
    }

    pub(crate) fn soon() -> Deadline {
        Deadline::after(Duration::from_secs(10))
    }

    pub(crate) fn pair() -> (TcpStream, TcpStream) {
        let listener = listen(IpAddr::V4(Ipv4Addr::LOCALHOST)).unwrap();
        let client = connect(listener.local_addr().unwrap(), soon()).unwrap();
        let (server, _) = accept(&listener, soon()).unwrap().unwrap();
        (client, server)
    }

    #[test]
    fn read_to_end_sees_eof_and_timeout() {
        let (client, server) = pair();
        write_all(&server, b"abc", soon()).unwrap();
        let open = read_to_end(&client, 100, Deadline::after(Duration::from_millis(50)));
        assert_eq!(open.bytes, b"abc");
        assert!(matches!(open.end, End::Timeout));
        drop(server);
        let closed = read_to_end(&client, 100, soon());
        assert!(closed.bytes.is_empty());
        assert!(matches!(closed.end, End::Eof));
    }

    #[test]
    fn a_reset_is_seen_as_a_failure() {
        let (client, server) = pair();
        write_all(&client, b"unread", soon()).unwrap();
        reset(client);
        let got = read_to_end(&server, 100, soon());
        assert!(
            matches!(got.end, End::Failed(_) | End::Eof),
            "{:?}",
            got.end
        );
    }

    #[test]
    fn what_fits_is_written_without_waiting() {
        let (client, _server) = pair();
        let data = vec![7u8; 64 << 20];
        let sent = write_what_fits(&client, &data).unwrap();
        assert!(sent > 0 && sent < data.len(), "{sent}");
    }

    #[test]
    fn a_close_is_seen_without_waiting() {
        let (client, server) = pair();
        assert!(!closed_by_peer(&client));
        write_all(&server, b"data", soon()).unwrap();
        drop(server);
        // The data comes first: it does not count as a close.
        assert_eq!(read_exact(&client, 4, soon()).bytes, b"data");
        assert!(closed_by_peer(&client));
    }

    #[test]
    fn accept_gives_up_at_the_deadline() {
        let listener = listen(IpAddr::V4(Ipv4Addr::LOCALHOST)).unwrap();
        let none = accept(&listener, Deadline::after(Duration::from_millis(30))).unwrap();
        assert!(none.is_none());
    }

    #[test]
    fn nothing_listens_on_a_free_port() {
        let closed = free_port().unwrap();
        let refused = connect(SocketAddr::from((Ipv4Addr::LOCALHOST, closed.port)), soon());
        assert_eq!(
            refused.unwrap_err().kind(),
            io::ErrorKind::ConnectionRefused
        );
    }
}

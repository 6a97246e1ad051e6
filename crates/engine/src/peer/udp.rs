//! The grader's own UDP sockets, for task 05: bound on loopback, every
//! receive bounded by a deadline. UDP has no connection to wait for, so
//! nothing here connects or accepts; a datagram is sent whole or not at all.

use crate::time::Deadline;
use socket2::SockRef;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};

/// More than any datagram can hold, so a reply too long shows as such
/// rather than being cut to fit.
const BUFFER: usize = 65_536 + 1;

/// Room for a few of the largest datagrams in the grader's receive queue,
/// so that replies sent while the grader is busy elsewhere are not dropped.
const RECEIVE_QUEUE: usize = 1 << 20;

/// A datagram received: its bytes and who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    pub bytes: Vec<u8>,
    pub from: SocketAddr,
}

/// A UDP socket on `ip`, port chosen by the OS.
pub fn bind(ip: IpAddr) -> io::Result<UdpSocket> {
    let socket = UdpSocket::bind((ip, 0))?;
    // The OS may give less than asked (its ceiling): that is fine, the
    // default already holds more than one datagram of any size.
    let _ = SockRef::from(&socket).set_recv_buffer_size(RECEIVE_QUEUE);
    Ok(socket)
}

/// The next datagram, or `None` when none came before the deadline. An
/// ICMP error the OS reports on the socket (a connected one: `Connection
/// refused`) is returned as the error it is.
pub fn receive(socket: &UdpSocket, deadline: Deadline) -> io::Result<Option<Datagram>> {
    let Some(left) = deadline.remaining() else {
        return Ok(None);
    };
    socket.set_read_timeout(Some(left))?;
    let mut buffer = vec![0u8; BUFFER];
    match socket.recv_from(&mut buffer) {
        Ok((n, from)) => {
            buffer.truncate(n);
            Ok(Some(Datagram {
                bytes: buffer,
                from,
            }))
        }
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Whether a UDP socket bound to every IPv4 interface (or to every
/// interface of both families) holds `port`: seen by binding another
/// loopback address, `127.0.0.2`, on that port, which only a wildcard
/// socket blocks. `None` when the OS can't tell (no such address here).
pub fn wildcard_on(port: u16) -> Option<bool> {
    match UdpSocket::bind((Ipv4Addr::new(127, 0, 0, 2), port)) {
        Ok(_) => Some(false),
        Err(e) if e.kind() == io::ErrorKind::AddrInUse => Some(true),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn datagrams_arrive_whole_and_a_silent_peer_times_out() {
        let a = bind(IpAddr::V4(Ipv4Addr::LOCALHOST)).unwrap();
        let b = bind(IpAddr::V4(Ipv4Addr::LOCALHOST)).unwrap();
        let big = vec![7u8; 65_507];
        a.send_to(&big, b.local_addr().unwrap()).unwrap();
        let got = receive(&b, Deadline::after(Duration::from_secs(5)))
            .unwrap()
            .unwrap();
        assert_eq!(got.bytes, big);
        assert_eq!(got.from, a.local_addr().unwrap());
        let none = receive(&b, Deadline::after(Duration::from_millis(50))).unwrap();
        assert_eq!(none, None);
    }

    #[test]
    fn a_wildcard_socket_is_told_from_a_loopback_one() {
        let wild = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).unwrap();
        let own = bind(IpAddr::V4(Ipv4Addr::LOCALHOST)).unwrap();
        if wildcard_on(own.local_addr().unwrap().port()).is_none() {
            return; // no 127.0.0.2 here: nothing to tell apart
        }
        assert_eq!(wildcard_on(wild.local_addr().unwrap().port()), Some(true));
        assert_eq!(wildcard_on(own.local_addr().unwrap().port()), Some(false));
    }
}

//! The kernel's TCP sockets on one local port, asked through netlink's
//! `sock_diag` (what `ss` uses). The kernel does the filtering and sends
//! binary records, so a question costs a little however many sockets the
//! machine holds, where `/proc/net/tcp` formats a text line for every one
//! of them (thousands in TIME_WAIT on a machine that runs many tests).

use std::io;

/// A TCP socket on the port asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The kernel's state number: 1 ESTABLISHED, 10 LISTEN.
    pub state: u8,
    /// The remote port (0 for a listener).
    pub peer: u16,
    /// For a listener, the connections waiting in its accept queue; for a
    /// connection, the bytes received and not yet read.
    pub queue: u32,
    /// Bound to every interface: the wildcard of its family, `0.0.0.0` or
    /// `[::]`; `None` for a socket bound to one address.
    pub wildcard: Option<&'static str>,
}

pub const ESTABLISHED: u8 = 1;
pub const FIN_WAIT1: u8 = 4;
pub const FIN_WAIT2: u8 = 5;
pub const TIME_WAIT: u8 = 6;
pub const CLOSE_WAIT: u8 = 8;
pub const LISTEN: u8 = 10;
pub const CLOSING: u8 = 11;

/// Every IPv4 and IPv6 TCP socket whose local port is `port`.
#[cfg(target_os = "linux")]
pub fn on_port(port: u16) -> io::Result<Vec<Entry>> {
    let mut entries = netlink::dump(libc::AF_INET as u8, port)?;
    entries.extend(netlink::dump(libc::AF_INET6 as u8, port)?);
    Ok(entries)
}

/// Elsewhere there is no `sock_diag` to ask.
#[cfg(not(target_os = "linux"))]
pub fn on_port(_port: u16) -> io::Result<Vec<Entry>> {
    Err(io::ErrorKind::Unsupported.into())
}

/// The request and its answer, on Linux.
#[cfg(target_os = "linux")]
mod netlink {
    use super::Entry;
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

    /// `SOCK_DIAG_BY_FAMILY`: the request for one address family's sockets.
    const BY_FAMILY: u16 = 20;
    const NLM_F_REQUEST: u16 = 0x1;
    const NLM_F_DUMP: u16 = 0x300;
    const NLMSG_ERROR: u16 = 2;
    const NLMSG_DONE: u16 = 3;
    /// A netlink message header: length, type, flags, sequence, port id.
    const HEADER: usize = 16;
    /// `inet_diag_req_v2`: family, protocol, extensions, pad, states, then the
    /// socket id (ports, addresses, interface, cookie).
    const REQUEST: usize = 56;
    /// `inet_diag_msg`: family, state, timer, retransmits, the socket id
    /// (48 bytes from offset 4), expires, rqueue at 56, wqueue, uid, inode.
    const RECORD: usize = 72;

    pub(super) fn dump(family: u8, port: u16) -> io::Result<Vec<Entry>> {
        let netlink = socket()?;
        let mut request = Vec::with_capacity(HEADER + REQUEST);
        request.extend(((HEADER + REQUEST) as u32).to_ne_bytes());
        request.extend(BY_FAMILY.to_ne_bytes());
        request.extend((NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
        request.extend([0u8; 8]); // sequence number and port id: the kernel's
        request.extend([family, libc::IPPROTO_TCP as u8, 0, 0]);
        request.extend(u32::MAX.to_ne_bytes()); // every state
        request.extend(port.to_be_bytes()); // the local port, the one filter
        request.resize(HEADER + REQUEST, 0);
        send_to_kernel(&netlink, &request)?;

        let mut entries = Vec::new();
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let received = receive(&netlink, &mut buffer)?;
            let mut at = 0;
            while at + HEADER <= received {
                let message = &buffer[at..received];
                let len =
                    u32::from_ne_bytes([message[0], message[1], message[2], message[3]]) as usize;
                if len < HEADER || len > message.len() {
                    return Err(io::Error::other("a netlink message that does not fit"));
                }
                let body = &message[HEADER..len];
                match u16::from_ne_bytes([message[4], message[5]]) {
                    NLMSG_DONE => return Ok(entries),
                    NLMSG_ERROR => {
                        let code = body
                            .get(..4)
                            .map_or(0, |b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
                        return Err(io::Error::from_raw_os_error(-code));
                    }
                    _ if body.len() >= RECORD => {
                        let local = u16::from_be_bytes([body[4], body[5]]);
                        if local == port {
                            // The local address, 16 bytes from offset 8 (an
                            // IPv4 one in the first 4, the rest zero).
                            let any = body[8..24].iter().all(|&b| b == 0);
                            let wildcard = match family {
                                _ if !any => None,
                                f if f == libc::AF_INET as u8 => Some("0.0.0.0"),
                                _ => Some("[::]"),
                            };
                            entries.push(Entry {
                                state: body[1],
                                peer: u16::from_be_bytes([body[6], body[7]]),
                                queue: u32::from_ne_bytes([body[56], body[57], body[58], body[59]]),
                                wildcard,
                            });
                        }
                    }
                    _ => {}
                }
                at += len.next_multiple_of(4);
            }
        }
    }

    /// A netlink socket for `sock_diag`.
    fn socket() -> io::Result<OwnedFd> {
        // SAFETY: a plain system call; the descriptor is owned at once.
        let fd = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
                libc::NETLINK_SOCK_DIAG,
            )
        };
        if fd == -1 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and nothing else owns it.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    /// Sends `request` to the kernel (netlink port 0).
    fn send_to_kernel(netlink: &OwnedFd, request: &[u8]) -> io::Result<()> {
        // SAFETY: an all-zero sockaddr_nl is the kernel's address once its
        // family is set.
        let mut kernel: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        kernel.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        // SAFETY: the buffer and the address live for the call.
        let sent = unsafe {
            libc::sendto(
                netlink.as_raw_fd(),
                request.as_ptr().cast(),
                request.len(),
                0,
                std::ptr::addr_of!(kernel).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if sent == -1 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// One datagram of the answer.
    fn receive(netlink: &OwnedFd, buffer: &mut [u8]) -> io::Result<usize> {
        loop {
            // SAFETY: the buffer is writable for its length during the call.
            let got = unsafe {
                libc::recv(
                    netlink.as_raw_fd(),
                    buffer.as_mut_ptr().cast(),
                    buffer.len(),
                    0,
                )
            };
            match got {
                -1 if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => {}
                -1 => return Err(io::Error::last_os_error()),
                n => return Ok(n as usize),
            }
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};

    #[test]
    fn a_listener_and_its_connection_are_seen() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let me = client.local_addr().unwrap().port();
        // The connection joins the accept queue once the handshake's last
        // packet is in, which `connect` does not wait for.
        let queued = Entry {
            state: LISTEN,
            peer: 0,
            queue: 1,
            wildcard: None,
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut entries = on_port(port).unwrap();
        while !entries.contains(&queued) && std::time::Instant::now() < deadline {
            std::thread::yield_now();
            entries = on_port(port).unwrap();
        }
        assert!(entries.contains(&queued), "{entries:?}");
        assert!(entries
            .iter()
            .any(|e| e.state == ESTABLISHED && e.peer == me));
        assert!(on_port(port).unwrap().len() >= 2);
        drop(listener);
        // Another test of this process that starts a program at this moment
        // holds a copy of every descriptor until its exec: the listener
        // closes once that copy does.
        let listening = || on_port(port).unwrap().iter().any(|e| e.state == LISTEN);
        while listening() && std::time::Instant::now() < deadline {
            std::thread::yield_now();
        }
        assert!(!listening());
    }
}

//! A network of one's own: a new network namespace with its loopback up.
//!
//! The grader that grades a submission calls [`enter_own_network`] on its
//! main thread before it starts any check, so every socket it opens and
//! every program it starts lives on a loopback that no other submission's
//! programs can reach, and that reaches nothing outside.

use nix::sched::{unshare, CloneFlags};
use nix::sys::socket::{socket, AddressFamily, SockFlag, SockType};
use std::io;
use std::os::fd::AsRawFd;

/// Moves the calling thread (and every thread and process it starts from
/// now on) into a new network namespace and brings its loopback up.
pub fn enter_own_network() -> io::Result<()> {
    unshare(CloneFlags::CLONE_NEWNET)?;
    loopback_up()
}

/// Sets the `lo` interface up (a new namespace starts with it down).
fn loopback_up() -> io::Result<()> {
    let socket = socket(
        AddressFamily::Inet,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC,
        None,
    )?;
    // SAFETY: `request` is a plain C struct, zeroed, then filled with the
    // interface's name and flags; the ioctls read and write only it.
    unsafe {
        let mut request: libc::ifreq = std::mem::zeroed();
        for (to, from) in request.ifr_name.iter_mut().zip(b"lo\0") {
            *to = *from as libc::c_char;
        }
        if libc::ioctl(socket.as_raw_fd(), libc::SIOCGIFFLAGS, &mut request) < 0 {
            return Err(io::Error::last_os_error());
        }
        request.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
        if libc::ioctl(socket.as_raw_fd(), libc::SIOCSIFFLAGS, &request) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Whether this machine lets the grader make a network namespace, tried on
/// a throwaway thread so the caller's network is unchanged.
pub fn probe() -> Result<(), String> {
    std::thread::spawn(|| enter_own_network().map_err(|e| e.to_string()))
        .join()
        .unwrap_or_else(|_| Err("the probe crashed".into()))
        .map_err(|e| format!("no network namespace ({e})"))
}

//! The zygote: one launcher ([`super::launcher`]) per grader process, kept
//! for the whole run, that starts each jailed program by forking itself.
//!
//! Executing the grader's binary again for every program costs its
//! dynamic loading (tens of thousands of relocations in a debug build) and
//! the C library's probes of the CPU (which trap to the hypervisor on a
//! virtual machine), about 2 ms of CPU a start. The zygote pays them once.
//! It is a small fresh process of one thread, so its copies are cheap.
//!
//! It forks with `CLONE_PARENT`: the copy, which becomes `outer`, is the
//! grader's own child, not the zygote's, so the grader waits for it and
//! signals it as it would a program it had spawned itself.
//!
//! The grader and the zygote talk over a `SOCK_SEQPACKET` pair, one start
//! at a time: a [`Request`] as JSON with its descriptors attached
//! (`SCM_RIGHTS`), answered by 4 bytes, the new process's pid or, when
//! the fork failed, the negated OS error code. The zygote ends when the
//! grader's end of the pair closes, that is, with the grader.

use super::launcher::Setup;
use super::plan::{Handed, Plan, View};
use crate::process::ChildStdio;
use nix::sys::socket::{
    recvmsg, sendmsg, socketpair, AddressFamily, ControlMessage, ControlMessageOwned, MsgFlags,
    SockFlag, SockType,
};
use serde::{Deserialize, Serialize};
use std::ffi::CString;
use std::io::{self, IoSlice, IoSliceMut, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// The first argument that makes the grader's binary the zygote; the
/// second is its end of the pair.
pub(super) const MARKER: &str = "--grader-jail-zygote";

/// The most descriptors one start hands on: stdio, `started`, the
/// executable and a script.
const MOST_FDS: usize = 8;
/// The longest request: a plan, the arguments and the environment.
const LONGEST: usize = 1 << 20;

/// One start, as the zygote gets it.
#[derive(Serialize, Deserialize)]
struct Request {
    /// Its descriptors are numbered as the grader has them: see `sent`.
    plan: Plan,
    /// The program's arguments after its name, and its environment.
    args: Vec<CString>,
    env: Vec<CString>,
    /// The grader's numbers of the descriptors attached after the four
    /// every start has (stdin, stdout, stderr, `started`), in their order.
    sent: Vec<RawFd>,
}

/// A zygote, started when the first program is jailed.
struct Zygote {
    socket: OwnedFd,
    process: std::process::Child,
}

/// One replaced, or given up as out of step, is ended and reaped; those
/// still in use when the grader ends end by themselves (see [`serve`]).
impl Drop for Zygote {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// The zygotes, one per network namespace: a program lives in the network
/// of the thread that starts it (a grader grading a submission moves its
/// main thread, and so the threads it starts, into a network of its own
/// after it has tried the sandbox out), and the zygote's copies in the
/// zygote's.
static ZYGOTES: Mutex<Vec<(Network, Zygote)>> = Mutex::new(Vec::new());

/// A network namespace, as the calling thread's `/proc` names it.
type Network = (u64, u64);

fn network() -> io::Result<Network> {
    use std::os::unix::fs::MetadataExt;
    let ns = std::fs::metadata("/proc/thread-self/ns/net")?;
    Ok((ns.dev(), ns.ino()))
}

/// Starts `plan` (its descriptors in `handed`) with `args` and `env`,
/// its stdio `stdio`, telling how the start went on `started`; the pid of
/// `outer`, a child of this process leading a process group of its own.
pub(super) fn spawn(
    plan: Plan,
    handed: Handed,
    args: Vec<CString>,
    env: Vec<CString>,
    stdio: ChildStdio,
    started: OwnedFd,
) -> io::Result<u32> {
    let sent: Vec<RawFd> = handed.fds().iter().map(AsRawFd::as_raw_fd).collect();
    let json = serde_json::to_vec(&Request {
        plan,
        args,
        env,
        sent,
    })?;
    let mut fds = vec![
        stdio.stdin.as_raw_fd(),
        stdio.stdout.as_raw_fd(),
        stdio.stderr.as_raw_fd(),
        started.as_raw_fd(),
    ];
    fds.extend(handed.fds().iter().map(AsRawFd::as_raw_fd));
    let network = network()?;
    let mut zygotes = ZYGOTES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let at = match zygotes.iter().position(|(n, _)| *n == network) {
        Some(at) => at,
        None => {
            zygotes.push((network, start()?));
            zygotes.len() - 1
        }
    };
    let mut asked = ask(&zygotes[at].1.socket, &json, &fds);
    if let Err(Asked::Unsent(_)) = asked {
        // Gone before it got this start (killed, say), so nothing was
        // forked: a new one is asked instead.
        zygotes[at].1 = start()?;
        asked = ask(&zygotes[at].1.socket, &json, &fds);
    }
    let answer = match asked {
        Ok(answer) => answer,
        Err(Asked::Unsent(e) | Asked::Unanswered(e)) => {
            // Gone or out of step: the next start begins a new one.
            zygotes.remove(at);
            return Err(e);
        }
    };
    match answer {
        pid if pid > 0 => Ok(pid as u32),
        code => Err(io::Error::from_raw_os_error(-code)),
    }
}

/// Why a start got no answer from the zygote.
enum Asked {
    /// It never got the start.
    Unsent(io::Error),
    /// It got it, and did not answer.
    Unanswered(io::Error),
}

fn ask(socket: &OwnedFd, json: &[u8], fds: &[RawFd]) -> Result<i32, Asked> {
    let rights = [ControlMessage::ScmRights(fds)];
    // MSG_NOSIGNAL: a zygote gone is an error here, not a SIGPIPE.
    sendmsg::<()>(
        socket.as_raw_fd(),
        &[IoSlice::new(json)],
        &rights,
        MsgFlags::MSG_NOSIGNAL,
        None,
    )
    .map_err(|errno| Asked::Unsent(errno.into()))?;
    let mut answer = [0u8; 4];
    loop {
        match nix::unistd::read(socket, &mut answer) {
            Ok(4) => return Ok(i32::from_ne_bytes(answer)),
            Ok(_) => {
                let gone = io::Error::other("the sandbox's zygote ended during a start");
                return Err(Asked::Unanswered(gone));
            }
            Err(nix::errno::Errno::EINTR) => continue,
            Err(errno) => return Err(Asked::Unanswered(errno.into())),
        }
    }
}

fn start() -> io::Result<Zygote> {
    let (ours, theirs) = socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )?;
    let mut command = Command::new(super::plan::launcher()?);
    command
        .arg(MARKER)
        .arg(theirs.as_raw_fd().to_string())
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Out of the grader's group, so a Ctrl-C at the terminal, which
        // the grader handles, does not end it.
        .process_group(0);
    let raw = theirs.as_raw_fd();
    // SAFETY: fcntl(2) is async-signal-safe and allocates nothing; it
    // changes the forked child's descriptor only.
    unsafe {
        command.pre_exec(move || match libc::fcntl(raw, libc::F_SETFD, 0) {
            -1 => Err(io::Error::last_os_error()),
            _ => Ok(()),
        });
    }
    let process = command.spawn()?;
    drop(theirs);
    Ok(Zygote {
        socket: ours,
        process,
    })
}

/// The zygote's life: a start for each request, until the grader is gone.
pub(super) fn serve(socket: OwnedFd) -> ! {
    // Whatever the grader held without close-on-exec (a jobserver's pipes
    // handed down by cargo) is of no use here, and would live on in every
    // copy until it closes its descriptors.
    super::chain::close_from_3_except(Some(socket.as_raw_fd()));
    let mut buffer = vec![0u8; LONGEST];
    loop {
        let mut space = nix::cmsg_space!([RawFd; MOST_FDS]);
        let mut slices = [IoSliceMut::new(&mut buffer)];
        let got = recvmsg::<()>(
            socket.as_raw_fd(),
            &mut slices,
            Some(&mut space),
            MsgFlags::MSG_CMSG_CLOEXEC,
        );
        let (len, fds, whole) = match got {
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => break,
            Ok(message) => {
                let mut fds = Vec::new();
                if let Ok(cmsgs) = message.cmsgs() {
                    for cmsg in cmsgs {
                        if let ControlMessageOwned::ScmRights(raw) = cmsg {
                            // SAFETY: descriptors just received, this
                            // process's own.
                            fds.extend(
                                raw.into_iter()
                                    .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }),
                            );
                        }
                    }
                }
                let whole = !message
                    .flags
                    .intersects(MsgFlags::MSG_TRUNC | MsgFlags::MSG_CTRUNC);
                (message.bytes, fds, whole)
            }
        };
        if len == 0 && fds.is_empty() {
            break;
        }
        let answer = match serde_json::from_slice::<Request>(&buffer[..len]) {
            Ok(request) if whole && fds.len() == 4 + request.sent.len() => {
                fork(request, &fds, &socket)
            }
            _ => -libc::EINVAL,
        };
        // The copy holds what it needs; the zygote keeps nothing of a start.
        drop(fds);
        if nix::unistd::write(&socket, &answer.to_ne_bytes()).is_err() {
            break;
        }
    }
    // SAFETY: ends this process.
    unsafe { libc::_exit(0) }
}

/// Forks `outer` as the grader's child; its pid, or the negated error.
fn fork(mut request: Request, fds: &[OwnedFd], socket: &OwnedFd) -> i32 {
    // What the grader numbered its descriptors, as they are numbered here.
    let here = |theirs: RawFd| {
        request
            .sent
            .iter()
            .position(|&fd| fd == theirs)
            .map_or(-1, |at| fds[4 + at].as_raw_fd())
    };
    request.plan.executable = request.plan.executable.map(here);
    if let View::Scratch {
        plant: Some((_, fd)),
        ..
    } = &mut request.plan.view
    {
        *fd = here(*fd);
    }
    // SAFETY: a fork of this one-threaded process (the raw system call, as
    // fork(3) makes it, with CLONE_PARENT added); the copy runs only the
    // code below and never returns from this function.
    let pid = unsafe {
        libc::syscall(
            libc::SYS_clone,
            libc::CLONE_PARENT | libc::SIGCHLD,
            0,
            0,
            0,
            0,
        )
    };
    if pid != 0 {
        return match pid {
            -1 => -io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO),
            pid => pid as i32,
        };
    }
    // The copy: it becomes `outer`.
    let started = fds[3].as_raw_fd();
    let Err(error) = become_outer(request, fds, socket);
    let mut told = error.raw_os_error().unwrap_or(0).to_ne_bytes().to_vec();
    told.extend(error.to_string().bytes().take(1024));
    // SAFETY: the `started` pipe's write end, received with this request.
    let mut started = std::fs::File::from(unsafe { OwnedFd::from_raw_fd(started) });
    let _ = started.write_all(&told);
    // SAFETY: ends this copy, whichever of the chain it has become.
    unsafe { libc::_exit(127) }
}

fn become_outer(
    request: Request,
    fds: &[OwnedFd],
    socket: &OwnedFd,
) -> io::Result<std::convert::Infallible> {
    // SAFETY: plain system calls on this process's own descriptors.
    unsafe {
        libc::close(socket.as_raw_fd());
        for (fd, stdio) in fds[..3].iter().zip(0..) {
            if libc::dup2(fd.as_raw_fd(), stdio) == -1 {
                return Err(io::Error::last_os_error());
            }
        }
        if libc::setpgid(0, 0) == -1 {
            return Err(io::Error::last_os_error());
        }
        // As the grader's own starts have them: the program answers
        // SIGINT and SIGTERM its own way.
        for signal in [libc::SIGINT, libc::SIGTERM] {
            if libc::signal(signal, libc::SIG_DFL) == libc::SIG_ERR {
                return Err(io::Error::last_os_error());
            }
        }
    }
    Setup::new(request.plan, request.args, request.env)?.enter()
}

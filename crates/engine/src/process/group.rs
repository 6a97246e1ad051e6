//! A program and everything it starts, as one thing the grader signals and
//! kills: a process group on Unix (`killpg`), a job object on Windows,
//! which knows no signal but kill.

/// What the grader sends a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// Ctrl-C: SIGINT.
    Interrupt,
    /// A supervisor's request to stop: SIGTERM.
    Terminate,
    /// SIGKILL, which no program can refuse.
    Kill,
    /// SIGSTOP: the program runs none of its code until [`Signal::Continue`].
    Stop,
    /// SIGCONT.
    Continue,
}

impl Signal {
    /// How a report names it: `SIGINT (Ctrl-C)`.
    pub fn said(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT (Ctrl-C)",
            Signal::Terminate => "SIGTERM",
            Signal::Kill => "SIGKILL",
            Signal::Stop => "SIGSTOP",
            Signal::Continue => "SIGCONT",
        }
    }
}

pub use os::{adopt, prepare, release, send, signal_name, Group};

#[cfg(unix)]
mod os {
    use super::Signal;
    use std::io;
    use std::os::unix::process::CommandExt;
    use std::process::Command;

    /// The process group's id, which is its leader's pid.
    pub type Group = i32;

    /// Before the start: the program leads a process group of its own, and
    /// answers SIGINT and SIGTERM its own way.
    pub fn prepare(command: &mut Command) {
        command.process_group(0);
        // SAFETY: signal(2) is async-signal-safe and allocates nothing.
        unsafe {
            command.pre_exec(default_stop_signals);
        }
    }

    /// The group `child` leads.
    pub fn adopt(child: &std::process::Child) -> io::Result<Group> {
        Ok(child.id() as Group)
    }

    /// Sends `signal` to the whole group, or only to its leader.
    pub fn send(group: Group, signal: Signal, whole: bool) -> io::Result<()> {
        let number = match signal {
            Signal::Interrupt => libc::SIGINT,
            Signal::Terminate => libc::SIGTERM,
            Signal::Kill => libc::SIGKILL,
            Signal::Stop => libc::SIGSTOP,
            Signal::Continue => libc::SIGCONT,
        };
        // SAFETY: plain system calls on ids; no memory is shared.
        let sent = unsafe {
            if whole {
                libc::killpg(group, number)
            } else {
                libc::kill(group, number)
            }
        };
        if sent == -1 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Nothing to give back: a process group ends with its processes.
    pub fn release(_group: Group) {}

    /// The name of signal `number`, as `kill -l` gives it.
    pub fn signal_name(number: i32) -> Option<&'static str> {
        let names = [
            (libc::SIGHUP, "SIGHUP"),
            (libc::SIGINT, "SIGINT"),
            (libc::SIGQUIT, "SIGQUIT"),
            (libc::SIGILL, "SIGILL"),
            (libc::SIGTRAP, "SIGTRAP"),
            (libc::SIGABRT, "SIGABRT"),
            (libc::SIGBUS, "SIGBUS"),
            (libc::SIGFPE, "SIGFPE"),
            (libc::SIGKILL, "SIGKILL"),
            (libc::SIGUSR1, "SIGUSR1"),
            (libc::SIGSEGV, "SIGSEGV"),
            (libc::SIGUSR2, "SIGUSR2"),
            (libc::SIGPIPE, "SIGPIPE"),
            (libc::SIGALRM, "SIGALRM"),
            (libc::SIGTERM, "SIGTERM"),
            (libc::SIGCHLD, "SIGCHLD"),
            (libc::SIGCONT, "SIGCONT"),
            (libc::SIGSTOP, "SIGSTOP"),
            (libc::SIGTSTP, "SIGTSTP"),
            (libc::SIGXCPU, "SIGXCPU"),
            (libc::SIGXFSZ, "SIGXFSZ"),
            (libc::SIGSYS, "SIGSYS"),
        ];
        names
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, name)| *name)
    }

    /// In the child before exec: SIGINT and SIGTERM as a terminal leaves
    /// them, whatever the grader inherited (a shell script's `grader &`
    /// ignores SIGINT, and an ignored signal stays ignored across exec), so
    /// that a program's answer to them is its own.
    fn default_stop_signals() -> io::Result<()> {
        for signal in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: resets a disposition; no handler of this process is
            // involved.
            if unsafe { libc::signal(signal, libc::SIG_DFL) } == libc::SIG_ERR {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
    }
}

#[cfg(windows)]
mod os {
    use super::Signal;
    use std::io;
    use std::os::windows::io::AsRawHandle;
    use std::process::Command;
    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
    use windows_sys::Win32::System::JobObjects::{
        AssignProcessToJobObject, CreateJobObjectW, JobObjectExtendedLimitInformation,
        SetInformationJobObject, TerminateJobObject, JOBOBJECT_EXTENDED_LIMIT_INFORMATION,
        JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    };

    /// The job object's handle, as a number (a handle is not `Send`).
    pub type Group = isize;

    pub fn prepare(_command: &mut Command) {}

    /// A job object holding `child`, and whatever it starts from now on;
    /// closing the job's last handle kills them all.
    pub fn adopt(child: &std::process::Child) -> io::Result<Group> {
        // SAFETY: every pointer is to a local that outlives the call; the
        // job's handle is closed by `release` or on error.
        unsafe {
            let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
            if job.is_null() {
                return Err(io::Error::last_os_error());
            }
            let mut limits = JOBOBJECT_EXTENDED_LIMIT_INFORMATION::default();
            limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            let set = SetInformationJobObject(
                job,
                JobObjectExtendedLimitInformation,
                std::ptr::addr_of!(limits).cast(),
                std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            );
            if set == 0 || AssignProcessToJobObject(job, child.as_raw_handle() as HANDLE) == 0 {
                let error = io::Error::last_os_error();
                CloseHandle(job);
                return Err(error);
            }
            Ok(job as Group)
        }
    }

    /// Windows has no signals to send a console program from outside: a
    /// stop is refused, and every other signal ends the job.
    pub fn send(group: Group, signal: Signal, _whole: bool) -> io::Result<()> {
        match signal {
            Signal::Stop | Signal::Continue => Err(io::ErrorKind::Unsupported.into()),
            // SAFETY: the handle stays open until `release`.
            _ => match unsafe { TerminateJobObject(group as HANDLE, 1) } {
                0 => Err(io::Error::last_os_error()),
                _ => Ok(()),
            },
        }
    }

    pub fn release(group: Group) {
        // SAFETY: the handle was opened by `adopt` and is closed once.
        unsafe {
            CloseHandle(group as HANDLE);
        }
    }

    /// A Windows program ends with an exit code, never a signal.
    pub fn signal_name(_number: i32) -> Option<&'static str> {
        None
    }
}

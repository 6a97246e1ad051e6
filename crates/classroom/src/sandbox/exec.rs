//! Starting a jailed program from a descriptor of its executable
//! (`execveat` with `AT_EMPTY_PATH`): the file that was checked, and named
//! by the landlock rule, is the file that runs, whatever became of its path
//! (a store entry renamed over, a private `TMPDIR` its user cannot cross).
//!
//! Everything is built before the fork; [`Exec::run`] only makes the
//! system call, as between fork and exec only async-signal-safe calls are
//! allowed.

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;

/// An `execveat` made ready: the argument and environment arrays.
pub(super) struct Exec {
    argv: CArray,
    envp: CArray,
}

impl Exec {
    /// Ready to run `file` with `argv` and the environment `env`
    /// (`NAME=value`) when it is a native executable; `None` for a script,
    /// which the kernel starts by its path (its interpreter needs the path,
    /// and interpreters are system files no one else writes).
    pub(super) fn native(file: &File, argv: &[String], env: &[String]) -> io::Result<Option<Exec>> {
        let mut magic = [0u8; 4];
        let native = std::os::unix::fs::FileExt::read_exact_at(file, &mut magic, 0).is_ok()
            && magic == *b"\x7fELF";
        if !native {
            return Ok(None);
        }
        Ok(Some(Exec {
            argv: CArray::new(argv)?,
            envp: CArray::new(env)?,
        }))
    }

    /// Runs `file`; returns only on failure, with the reason.
    pub(super) fn run(&self, file: &File) -> io::Error {
        // SAFETY: execveat(2) with NUL-terminated arrays of C strings that
        // live as long as `self`; it returns only on failure.
        unsafe {
            libc::syscall(
                libc::SYS_execveat,
                file.as_raw_fd(),
                c"".as_ptr(),
                self.argv.pointers.as_ptr(),
                self.envp.pointers.as_ptr(),
                libc::AT_EMPTY_PATH,
            );
        }
        io::Error::last_os_error()
    }
}

/// A NULL-terminated array of C strings, and the strings it points into.
struct CArray {
    _strings: Vec<CString>,
    pointers: Vec<*const libc::c_char>,
}

// SAFETY: the pointers point into `_strings`, owned alongside and never
// changed; the array is only read, by execveat(2).
unsafe impl Send for CArray {}
unsafe impl Sync for CArray {}

impl CArray {
    fn new(items: &[String]) -> io::Result<CArray> {
        let strings = items
            .iter()
            .map(|s| CString::new(s.as_bytes()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| io::Error::other("an argument has a NUL byte"))?;
        let pointers = strings
            .iter()
            .map(|s| s.as_ptr())
            .chain([std::ptr::null()])
            .collect();
        Ok(CArray {
            _strings: strings,
            pointers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_native_executable_is_run_from_its_descriptor() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("script");
        std::fs::write(&script, "#!/bin/sh\ntrue\n").unwrap();
        let script = File::open(&script).unwrap();
        assert!(Exec::native(&script, &["script".into()], &[])
            .unwrap()
            .is_none());
        let native = File::open("/bin/sh").unwrap();
        let exec = Exec::native(&native, &["sh".into()], &["PATH=/bin".into()])
            .unwrap()
            .unwrap();
        assert_eq!(exec.argv.pointers.len(), 2);
        assert!(exec.argv.pointers[1].is_null());
        assert!(Exec::native(&native, &["a\0b".into()], &[]).is_err());
    }
}

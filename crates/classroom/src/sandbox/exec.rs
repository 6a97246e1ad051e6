//! Running a jailed program from a descriptor of its executable
//! (`execveat` with `AT_EMPTY_PATH`): the file that was checked, and named
//! by the landlock rule, is the file that runs, whatever became of its path
//! (a store entry renamed over, a private `TMPDIR` its user cannot cross).

use nix::fcntl::AtFlags;
use std::ffi::CString;
use std::fs::File;
use std::io;

/// A program's exec, made ready in the launcher before its first fork.
pub(super) struct Exec {
    /// The executable, when it is native: run from this descriptor.
    native: Option<File>,
    /// Its path, to run it by when it is not (a script: its interpreter
    /// needs the path, and interpreters are system files no one else
    /// writes), or when there is no descriptor (a build's cargo).
    path: CString,
    argv: Vec<CString>,
    env: Vec<CString>,
}

impl Exec {
    pub(super) fn new(
        executable: Option<File>,
        path: CString,
        argv: Vec<CString>,
        env: Vec<CString>,
    ) -> Exec {
        let native = executable.filter(|file| {
            let mut magic = [0u8; 4];
            std::os::unix::fs::FileExt::read_exact_at(file, &mut magic, 0).is_ok()
                && magic == *b"\x7fELF"
        });
        Exec {
            native,
            path,
            argv,
            env,
        }
    }

    /// Runs the program; returns only on failure, with the reason.
    pub(super) fn run(&self) -> io::Error {
        let ran = match &self.native {
            Some(file) => {
                nix::unistd::execveat(file, c"", &self.argv, &self.env, AtFlags::AT_EMPTY_PATH)
            }
            None => nix::unistd::execve(&self.path, &self.argv, &self.env),
        };
        match ran {
            Err(errno) => io::Error::from(errno),
            Ok(never) => match never {},
        }
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
        let exec = |file: &std::path::Path| {
            Exec::new(
                Some(File::open(file).unwrap()),
                c"x".into(),
                vec![c"x".into()],
                Vec::new(),
            )
        };
        assert!(exec(&script).native.is_none());
        assert!(exec(std::path::Path::new("/bin/sh")).native.is_some());
    }
}

//! A task folder's sources laid over the edition's copy of the task.
//!
//! A `src/` folder replaces the edition's; loose `server.rs`, `client.rs`
//! and `lib.rs` take the places of the edition's files. The edition's
//! `lib.rs` stays when the submission has none; its binaries never do: a
//! binary the submission lacks gets a stand-in that fails to compile saying
//! why. Files are copied byte for byte, links never followed.

use crate::archive::ignored;
use crate::python;
use std::fs;
use std::io;
use std::path::Path;

/// Empties a task's `src/` in the copy, leaving a crate that does not build.
pub(super) fn clear_sources(task: &Path) -> io::Result<()> {
    let src = task.join("src");
    if src.exists() {
        fs::remove_dir_all(&src)?;
    }
    Ok(())
}

/// Puts a file that fails to compile, saying `why`, where a binary's
/// source is missing: that task does not build, with a clear error, and
/// the workspace's other tasks still do.
pub(super) fn stand_in_for_missing(task: &Path, why: &str) -> io::Result<()> {
    for name in ["server.rs", "client.rs"] {
        let file = task.join("src").join("bin").join(name);
        if !file.exists() {
            fs::create_dir_all(task.join("src").join("bin"))?;
            fs::write(
                &file,
                format!("compile_error!(\"{name} is missing: {why}\");\n"),
            )?;
        }
    }
    Ok(())
}

/// Replaces a task's sources with binaries that fail to compile with the
/// message `text`, whatever characters it holds.
pub(super) fn failing_binaries(task: &Path, text: &str) -> io::Result<()> {
    clear_sources(task)?;
    let bin = task.join("src").join("bin");
    fs::create_dir_all(&bin)?;
    for name in ["server.rs", "client.rs"] {
        // `{:?}` writes a Rust string literal, escapes included.
        fs::write(bin.join(name), format!("compile_error!({text:?});\n"))?;
    }
    Ok(())
}

/// Lays the sources of the task folder `folder` over the edition's task
/// `task`; returns notes on what of the edition was kept.
pub(super) fn take_sources(folder: &Path, task: &Path) -> io::Result<Vec<String>> {
    let src = task.join("src");
    let lib = src.join("lib.rs");
    let handed_out_lib = fs::read(&lib).ok();
    let theirs = folder.join("src");
    let whole_src = fs::symlink_metadata(&theirs).is_ok_and(|m| m.is_dir());
    if whole_src {
        clear_sources(task)?;
        copy_tree(&theirs, &src)?;
    } else {
        // Loose files: `server.rs` and `client.rs` are the binaries, `lib.rs`
        // the library. The edition's binaries are starter code: they go.
        let bin = src.join("bin");
        if bin.exists() {
            fs::remove_dir_all(&bin)?;
        }
        fs::create_dir_all(&bin)?;
        for (name, to) in [
            ("server.rs", bin.join("server.rs")),
            ("client.rs", bin.join("client.rs")),
            ("lib.rs", lib.clone()),
        ] {
            let from = folder.join(name);
            if fs::symlink_metadata(&from).is_ok_and(|m| m.is_file()) {
                fs::copy(&from, &to)?;
            }
        }
    }
    let mut notes = take_python(folder, task)?;
    let any_rust = whole_src
        || ["server.rs", "client.rs", "lib.rs"]
            .iter()
            .any(|name| folder.join(name).is_file());
    if let Some(handed_out) = handed_out_lib.filter(|_| any_rust) {
        let (theirs_lib, what) = if whole_src {
            (theirs.join("lib.rs"), "its src/")
        } else {
            (folder.join("lib.rs"), "the folder")
        };
        if !fs::symlink_metadata(&theirs_lib).is_ok_and(|m| m.is_file()) {
            if !lib.exists() {
                fs::write(&lib, handed_out)?;
            }
            notes.push(format!("{what} has no lib.rs; the handed-out one is used"));
        }
    }
    Ok(notes)
}

/// Lays a task folder's `server.py` and `client.py` beside the task's
/// sources, each with the Rust [`python::STAND_IN`] in place of its binary
/// when the folder has no Rust source for it: that binary is graded as
/// Python. Returns a note for each.
fn take_python(folder: &Path, task: &Path) -> io::Result<Vec<String>> {
    let mut notes = Vec::new();
    for side in ["server", "client"] {
        let name = python::file_name(side);
        let from = folder.join(&name);
        if !fs::symlink_metadata(&from).is_ok_and(|m| m.is_file()) {
            continue;
        }
        let rust = task.join("src").join("bin").join(format!("{side}.rs"));
        if rust.exists() {
            notes.push(format!(
                "{name} is not graded: the folder has Rust sources for it"
            ));
            continue;
        }
        fs::copy(&from, task.join(&name))?;
        fs::create_dir_all(task.join("src").join("bin"))?;
        fs::write(&rust, python::STAND_IN)?;
        notes.push(format!("{name} is graded as Python"));
    }
    Ok(notes)
}

/// The most of one source file read for code similarity: a file larger
/// is no hand-written exercise.
const LARGEST_SOURCE: u64 = 256 * 1024;

/// The sources of the task folder `folder`, each under the path
/// [`take_sources`] lays it at (`src/bin/server.rs`, `server.py`), in
/// order; links and files over [`LARGEST_SOURCE`] are passed by.
pub(super) fn read_sources(folder: &Path) -> io::Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    let theirs = folder.join("src");
    if fs::symlink_metadata(&theirs).is_ok_and(|m| m.is_dir()) {
        rust_files(&theirs, "src", &mut files)?;
    } else {
        for (name, laid) in [
            ("lib.rs", "src/lib.rs"),
            ("client.rs", "src/bin/client.rs"),
            ("server.rs", "src/bin/server.rs"),
        ] {
            if let Some(text) = small_text(&folder.join(name)) {
                files.push((laid.to_string(), text));
            }
        }
    }
    // A binary handed in as Python, as [`take_python`] lays it: its
    // `server.py` where the folder has no Rust source for it.
    for side in ["server", "client"] {
        let rust = format!("src/bin/{side}.rs");
        let name = python::file_name(side);
        if files.iter().all(|(path, _)| *path != rust) {
            if let Some(text) = small_text(&folder.join(&name)) {
                files.push((name, text));
            }
        }
    }
    files.sort();
    Ok(files)
}

fn small_text(path: &Path) -> Option<String> {
    let meta = fs::symlink_metadata(path).ok()?;
    (meta.is_file() && meta.len() <= LARGEST_SOURCE)
        .then(|| fs::read(path).ok())
        .flatten()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

fn rust_files(dir: &Path, shown: &str, into: &mut Vec<(String, String)>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type()?;
        let path = format!("{shown}/{name}");
        if kind.is_dir() && !ignored(&name) {
            rust_files(&entry.path(), &path, into)?;
        } else if kind.is_file() && name.ends_with(".rs") {
            if let Some(text) = small_text(&entry.path()) {
                into.push((path, text));
            }
        }
    }
    Ok(())
}

/// Copies `from` to `to` byte for byte, leaving out links and the folders
/// no task lives in ([`ignored`]); a submission's were checked with the
/// same rule.
pub(crate) fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let kind = entry.file_type()?;
        if kind.is_dir() && !ignored(&name.to_string_lossy()) {
            copy_tree(&entry.path(), &to.join(&name))?;
        } else if kind.is_file() {
            fs::copy(entry.path(), to.join(&name))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;

    #[test]
    fn loose_files_keep_the_handed_out_lib_and_manifest() {
        let crlf = "use task01_connect::address;\r\nfn main() {}\r\n";
        let (_dir, laid) = lay_folder(&[("Task01/server.rs", crlf), ("Task01/client.rs", "c")]);
        let laid = laid.unwrap();
        assert_eq!(read(&laid, "task01_connect/src/lib.rs"), "// handed out\n");
        assert_eq!(read(&laid, "task01_connect/src/bin/server.rs"), crlf);
        assert_eq!(read(&laid, "task01_connect/src/bin/client.rs"), "c");
        assert!(read(&laid, "task01_connect/Cargo.toml").contains("name = \"task01_connect\""));
        assert!(laid.notes.contains(
            &"task01_connect: the folder has no lib.rs; the handed-out one is used".into()
        ));
    }

    #[test]
    fn a_src_without_lib_keeps_the_handed_out_lib_and_missing_binaries_stand_in() {
        let (_dir, laid) = lay_folder(&[
            ("task02/src/bin/server.rs", "s"),
            ("task3/lib.rs", "// theirs\n"),
        ]);
        let laid = laid.unwrap();
        assert_eq!(read(&laid, "task02_greeting/src/lib.rs"), "// handed out\n");
        assert_eq!(read(&laid, "task02_greeting/src/bin/server.rs"), "s");
        let client = read(&laid, "task02_greeting/src/bin/client.rs");
        assert_eq!(
            client,
            "compile_error!(\"client.rs is missing: the submission's task folder has no such file, nor a Python one\");\n"
        );
        assert_eq!(read(&laid, "task03_echo/src/lib.rs"), "// theirs\n");
        assert!(read(&laid, "task03_echo/src/bin/server.rs").starts_with("compile_error!"));
        // A task with no folder: neither the starter code nor a library.
        assert_eq!(
            read(&laid, "task04_multithreaded/src/bin/server.rs"),
            "compile_error!(\"server.rs is missing: the submission has no folder for this task\");\n"
        );
        assert!(!laid
            .workspace
            .join("task04_multithreaded/src/lib.rs")
            .exists());
        assert_eq!(laid.tasks_found, [2, 3]);
    }

    #[test]
    fn python_files_are_laid_binary_by_binary_where_no_rust_source_is() {
        let (_dir, laid) = lay_folder(&[
            ("Task 01/server.py", "print('s')\n"),
            ("Task 01/client.rs", "fn main() {}\n"),
            ("task2/server.py", "print('s')\n"),
            ("task2/server.rs", "fn main() {}\n"),
            ("task2/client.py", "print('c')\n"),
        ]);
        let laid = laid.unwrap();
        // A Python server beside a Rust client.
        assert_eq!(read(&laid, "task01_connect/server.py"), "print('s')\n");
        assert_eq!(
            read(&laid, "task01_connect/src/bin/server.rs"),
            crate::python::STAND_IN
        );
        assert_eq!(
            read(&laid, "task01_connect/src/bin/client.rs"),
            "fn main() {}\n"
        );
        let task = crate::tasks::by_number(1).unwrap();
        assert!(crate::python::script(&laid.workspace, &task, "server").is_some());
        assert!(crate::python::script(&laid.workspace, &task, "client").is_none());
        // Rust wins over Python for the same binary, and a note says so.
        assert_eq!(
            read(&laid, "task02_greeting/src/bin/server.rs"),
            "fn main() {}\n"
        );
        assert!(!laid.workspace.join("task02_greeting/server.py").exists());
        assert_eq!(read(&laid, "task02_greeting/client.py"), "print('c')\n");
        for note in [
            "task01_connect: server.py is graded as Python",
            "task02_greeting: server.py is not graded: the folder has Rust sources for it",
            "task02_greeting: client.py is graded as Python",
        ] {
            assert!(laid.notes.contains(&note.to_string()), "{:#?}", laid.notes);
        }
        assert_eq!(laid.tasks_found, [1, 2]);
    }

    #[test]
    fn the_sources_compared_are_the_ones_graded_python_included() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path();
        for (name, text) in [
            ("server.py", "print('s')\n"),
            ("client.rs", "fn main() {}\n"),
            ("client.py", "print('not graded')\n"),
            ("notes.py", "print('not a binary')\n"),
        ] {
            std::fs::write(folder.join(name), text).unwrap();
        }
        let read = super::read_sources(folder).unwrap();
        let paths: Vec<&str> = read.iter().map(|(path, _)| path.as_str()).collect();
        assert_eq!(paths, ["server.py", "src/bin/client.rs"]);
    }
}

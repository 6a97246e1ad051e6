//! A submission folder walked without following links, and the
//! submission's own path checked before anything else.
//!
//! The walk stops at the first link, special file, or entry or byte over
//! the [`Limits`]; folders no task lives in ([`ignored`]) are not entered,
//! and what they hold is not counted.

use super::ArchiveError;
use super::{amount, ignored, link_refused, rejected, shown, special_refused, Limits};
use std::fs;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

/// What a file type is, in words, when it is neither a file, a folder nor
/// a link.
fn special_kind(kind: &fs::FileType) -> &'static str {
    if kind.is_fifo() {
        "a named pipe"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

/// Refuses a submission at `path` that is itself a link or a special file.
pub fn check_root(path: &Path) -> Result<fs::Metadata, ArchiveError> {
    let meta = fs::symlink_metadata(path)?;
    let shown = path.display().to_string();
    let kind = meta.file_type();
    if kind.is_symlink() {
        let target = fs::read_link(path)?;
        return Err(link_refused(&shown, &target.display().to_string()));
    }
    if !kind.is_dir() && !kind.is_file() {
        return Err(special_refused(&shown, special_kind(&kind)));
    }
    Ok(meta)
}

/// Walks the folder `root` without following links: refuses links,
/// special files, and more entries or bytes than `limits` allow.
pub fn check_folder(root: &Path, limits: &Limits) -> Result<(), ArchiveError> {
    let mut entries = 0usize;
    let mut bytes = 0u64;
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let mut inside: Vec<fs::DirEntry> = fs::read_dir(&folder)?.collect::<Result<_, _>>()?;
        inside.sort_by_key(|e| e.file_name());
        for entry in inside {
            let path = entry.path();
            let shown = shown(root, &path);
            // The entry's own type: `file_type` does not follow links.
            let kind = entry.file_type()?;
            if kind.is_symlink() {
                let target = fs::read_link(&path)?;
                return Err(link_refused(&shown, &target.display().to_string()));
            }
            if kind.is_dir() {
                if ignored(&entry.file_name().to_string_lossy()) {
                    continue;
                }
                folders.push(path);
            } else if kind.is_file() {
                bytes += entry.metadata()?.len();
                if bytes > limits.bytes {
                    return Err(rejected(format!(
                        "the submission holds more than {}",
                        amount(limits.bytes)
                    )));
                }
            } else {
                return Err(special_refused(&shown, special_kind(&kind)));
            }
            entries += 1;
            if entries > limits.entries {
                return Err(rejected(format!(
                    "the submission has more than {} entries",
                    limits.entries
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{rule, small};
    use super::*;

    #[test]
    fn a_folder_with_a_link_or_a_special_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ana");
        fs::create_dir_all(root.join("task03")).unwrap();
        fs::write(root.join("task03/server.rs"), "x").unwrap();
        check_folder(&root, &small()).unwrap();
        std::os::unix::fs::symlink("/etc", root.join("task03/src")).unwrap();
        assert_eq!(
            rule(check_folder(&root, &small())),
            "symbolic link at task03/src -> /etc; submissions may not contain links"
        );
        fs::remove_file(root.join("task03/src")).unwrap();
        let _socket = std::os::unix::net::UnixListener::bind(root.join("task03/sock")).unwrap();
        assert_eq!(
            rule(check_folder(&root, &small())),
            "a socket at task03/sock; submissions may hold only files and folders"
        );
        // The submission itself may not be a link either.
        fs::remove_file(root.join("task03/sock")).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&root, &link).unwrap();
        let refused = check_root(&link).map(|_| ());
        assert_eq!(
            rule(refused),
            format!(
                "symbolic link at {} -> {}; submissions may not contain links",
                link.display(),
                root.display()
            )
        );
    }

    #[test]
    fn a_folder_is_held_to_the_same_limits() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for i in 0..6 {
            fs::write(root.join(format!("f{i}.rs")), "x").unwrap();
        }
        assert_eq!(
            rule(check_folder(root, &small())),
            "the submission has more than 5 entries"
        );
        let root = dir.path().join("big");
        fs::create_dir(&root).unwrap();
        fs::write(root.join("a.rs"), vec![b'a'; 10_001]).unwrap();
        assert_eq!(
            rule(check_folder(&root, &small())),
            "the submission holds more than 10000 bytes"
        );
        // What lies in an ignored folder is not looked at.
        let root = dir.path().join("ws");
        fs::create_dir_all(root.join("target/debug")).unwrap();
        fs::write(root.join("target/debug/big"), vec![b'a'; 20_000]).unwrap();
        check_folder(&root, &small()).unwrap();
    }
}

//! The executable store: where a jailed program's executable is kept,
//! named by its BLAKE3 hash and written by the grader alone.
//!
//! Invariants: an entry is never replaced once made (a program may be
//! starting from it); a program is started from a descriptor of the entry
//! it was checked against ([`super::jail`]); an executable larger than
//! [`Store::LARGEST`] is refused; and the store stays under [`Store::CAP`]
//! by dropping entries no run has used for an hour. An index of the
//! builds it holds (see [`super::build`]) names each entry with every
//! workspace file its compiler read, so a build is reused only when all of
//! them are the same.

use nix::fcntl::{renameat2, RenameFlags};
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The folder of executables, `exe/` under `dir`. Only the grader writes
/// here.
pub struct Store {
    pub dir: PathBuf,
}

impl Store {
    /// The largest executable the store takes: a task's debug build is a
    /// few MiB; anything near this was built to fill the disk.
    pub const LARGEST: u64 = 64 << 20;
    /// The size past which old entries are dropped.
    pub const CAP: u64 = 2 << 30;
    /// How long an entry must have gone unused before it may be dropped:
    /// far longer than any run takes from finding an entry to starting it.
    const UNUSED: Duration = Duration::from_secs(3600);

    pub fn new(dir: PathBuf) -> io::Result<Store> {
        fs::create_dir_all(dir.join("exe"))?;
        // A folder someone else made (or a link), in a shared temporary
        // folder, could be written by them: refuse it.
        let meta = fs::symlink_metadata(&dir)?;
        if !meta.is_dir()
            || std::os::unix::fs::MetadataExt::uid(&meta) != nix::unistd::geteuid().as_raw()
        {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("{} is not a folder of the grader's own", dir.display()),
            ));
        }
        // Other users list nothing here; programs are started from
        // descriptors the grader opens.
        for folder in [&dir, &dir.join("exe")] {
            fs::set_permissions(folder, fs::Permissions::from_mode(0o711))?;
        }
        let store = Store { dir };
        store.evict(Self::CAP, Self::UNUSED);
        Ok(store)
    }

    /// The executables an earlier build of the same sources left, as
    /// `index` lists them, when every one still matches its hash and every
    /// file that build read (its dep-info) is the same in `root`.
    pub(super) fn cached(&self, index: &Path, root: &Path) -> Option<Vec<(String, PathBuf)>> {
        let text = fs::read_to_string(index).ok()?;
        let mut found = Vec::new();
        for line in text.lines() {
            let mut words = line.splitn(3, ' ');
            let (kind, hash, name) = (words.next()?, words.next()?, words.next()?);
            match kind {
                "bin" => {
                    let file = self.dir.join("exe").join(hash);
                    let bytes = fs::read(&file).ok()?;
                    if blake3::hash(&bytes).to_hex().as_str() != hash {
                        return None;
                    }
                    // Used now: not to be evicted for a while.
                    let _ = fs::File::open(&file)
                        .and_then(|f| f.set_modified(std::time::SystemTime::now()));
                    found.push((name.to_string(), file));
                }
                "read" => {
                    let bytes = fs::read(root.join(name)).ok()?;
                    if blake3::hash(&bytes).to_hex().as_str() != hash {
                        return None;
                    }
                }
                _ => return None,
            }
        }
        (!found.is_empty()).then_some(found)
    }

    /// Writes `index`: which executables a build of some sources made, and
    /// every file of the workspace the compiler read for them.
    pub(super) fn remember(
        &self,
        index: &Path,
        kept: &[(String, PathBuf)],
        read: &[(String, blake3::Hash)],
    ) -> io::Result<()> {
        let mut text: String = kept
            .iter()
            .filter_map(|(bin, file)| Some(format!("bin {} {bin}\n", file.file_name()?.to_str()?)))
            .collect();
        for (file, hash) in read {
            text.push_str(&format!("read {} {file}\n", hash.to_hex()));
        }
        if let Some(parent) = index.parent() {
            fs::create_dir_all(parent)?;
        }
        let partial = index.with_extension(format!("partial-{}", std::process::id()));
        fs::write(&partial, text)?;
        fs::rename(&partial, index)
    }

    /// Puts `file` in the store, named by its hash; returns where it is
    /// kept, or why it is not (too large). An entry already there is used
    /// only when it still holds exactly these bytes; an entry is never
    /// replaced.
    pub(super) fn keep(&self, file: &Path) -> io::Result<Result<PathBuf, String>> {
        let size = fs::metadata(file)?.len();
        if size > Self::LARGEST {
            return Ok(Err(format!(
                "the executable is {} MiB, more than the {} MiB the grader runs",
                size >> 20,
                Self::LARGEST >> 20
            )));
        }
        let bytes = fs::read(file)?;
        let hash = blake3::hash(&bytes).to_hex();
        let kept = self.dir.join("exe").join(hash.as_str());
        if fs::read(&kept).ok().as_deref() == Some(&bytes[..]) {
            return Ok(Ok(kept));
        }
        let partial = kept.with_extension(format!("partial-{}", std::process::id()));
        fs::write(&partial, &bytes)?;
        fs::set_permissions(&partial, fs::Permissions::from_mode(0o555))?;
        match renameat2(
            nix::fcntl::AT_FDCWD,
            &partial,
            nix::fcntl::AT_FDCWD,
            &kept,
            RenameFlags::RENAME_NOREPLACE,
        ) {
            Ok(()) => Ok(Ok(kept)),
            // Another grader kept the same bytes first (its name is their
            // hash), or the entry was damaged: ours goes under a name of
            // its own, and the entry stays for whoever runs from it.
            Err(nix::errno::Errno::EEXIST) => {
                if fs::read(&kept).ok().as_deref() == Some(&bytes[..]) {
                    let _ = fs::remove_file(&partial);
                    return Ok(Ok(kept));
                }
                let own = kept.with_extension(format!("{}", std::process::id()));
                fs::rename(&partial, &own)?;
                Ok(Ok(own))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Drops the entries unused for `unused`, oldest first, while the
    /// store holds more than `cap` bytes.
    fn evict(&self, cap: u64, unused: Duration) {
        let mut entries: Vec<(std::time::SystemTime, u64, PathBuf)> =
            fs::read_dir(self.dir.join("exe"))
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|entry| {
                    let meta = entry.metadata().ok()?;
                    Some((meta.modified().ok()?, meta.len(), entry.path()))
                })
                .collect();
        let mut total: u64 = entries.iter().map(|(_, size, _)| size).sum();
        entries.sort();
        for (used, size, file) in entries {
            if total <= cap {
                break;
            }
            if used.elapsed().is_ok_and(|age| age > unused) && fs::remove_file(&file).is_ok() {
                total -= size;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("store")).unwrap();
        (dir, store)
    }

    fn inode(path: &Path) -> u64 {
        fs::metadata(path).unwrap().ino()
    }

    #[test]
    fn an_entry_is_never_replaced_once_kept() {
        let (dir, store) = store();
        let file = dir.path().join("built");
        fs::write(&file, b"\x7fELF the program").unwrap();
        let kept = store.keep(&file).unwrap().unwrap();
        let first = inode(&kept);
        assert_eq!(store.keep(&file).unwrap().unwrap(), kept);
        assert_eq!(inode(&kept), first, "the entry was replaced");
        // An entry whose bytes changed under its name stays for whoever
        // runs from it; the fresh copy is kept under a name of its own.
        fs::write(&kept, b"damaged").unwrap();
        let own = store.keep(&file).unwrap().unwrap();
        assert_ne!(own, kept);
        assert_eq!(fs::read(&own).unwrap(), b"\x7fELF the program");
        assert_eq!(fs::read(&kept).unwrap(), b"damaged");
    }

    #[test]
    fn an_executable_too_large_to_run_is_refused_with_its_size() {
        let (dir, store) = store();
        let file = dir.path().join("huge");
        fs::File::create(&file)
            .unwrap()
            .set_len(Store::LARGEST + 1)
            .unwrap();
        let why = store.keep(&file).unwrap().unwrap_err();
        assert!(why.contains("64 MiB"), "{why}");
        assert_eq!(fs::read_dir(store.dir.join("exe")).unwrap().count(), 0);
    }

    #[test]
    fn eviction_drops_only_entries_unused_for_long_oldest_first() {
        let (_dir, store) = store();
        let exe = store.dir.join("exe");
        let hours_ago =
            |hours: u64| std::time::SystemTime::now() - Duration::from_secs(hours * 3600);
        for (name, used) in [
            ("old", hours_ago(5)),
            ("older", hours_ago(9)),
            ("fresh", hours_ago(0)),
        ] {
            let file = exe.join(name);
            fs::write(&file, vec![0u8; 1000]).unwrap();
            fs::File::open(&file).unwrap().set_modified(used).unwrap();
        }
        // Over a cap of 2 000 bytes: the oldest goes, and that is enough.
        store.evict(2000, Duration::from_secs(3600));
        let left = |name: &str| exe.join(name).exists();
        assert!(!left("older") && left("old") && left("fresh"));
        // Under a cap of nothing, the fresh entry still stays.
        store.evict(0, Duration::from_secs(3600));
        assert!(!left("old") && left("fresh"));
    }

    #[test]
    fn a_cached_build_is_used_only_while_every_file_it_read_is_the_same() {
        let (dir, store) = store();
        let root = dir.path().join("workspace");
        fs::create_dir_all(root.join("task02_greeting/src")).unwrap();
        let included = root.join("task02_greeting/src/tweak.rs");
        fs::write(&included, "fn tweak() {}").unwrap();
        let file = dir.path().join("built");
        fs::write(&file, b"\x7fELF server").unwrap();
        let kept = store.keep(&file).unwrap().unwrap();
        let index = dir.path().join("built-index");
        let read = vec![(
            "task02_greeting/src/tweak.rs".to_string(),
            blake3::hash(b"fn tweak() {}"),
        )];
        store
            .remember(&index, &[("task01-server".into(), kept.clone())], &read)
            .unwrap();
        assert_eq!(
            store.cached(&index, &root),
            Some(vec![("task01-server".to_string(), kept)])
        );
        fs::write(&included, "fn tweak() { std::process::exit(3) }").unwrap();
        assert_eq!(store.cached(&index, &root), None);
    }
}

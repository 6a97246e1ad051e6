//! A zip judged from its central directory, then unpacked.
//!
//! Every entry is checked before a byte is written: the number of entries,
//! the sum of the sizes they declare, each large entry's compression ratio,
//! each name ([`safe_path`]: no absolute paths, no `..`), each kind (files
//! and folders only). Then entries are unpacked one by one, counting the
//! bytes really written, so an entry holding more than its header declares
//! is stopped as soon as it does. Entries in folders no task lives in
//! ([`ignored`]) are counted and checked for links, never unpacked.

use super::ArchiveError;
use super::{amount, ignored, link_refused, rejected, special_refused, Limits};
use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

/// One zip entry as the checks judged it.
struct Entry {
    index: usize,
    name: String,
    /// Where it goes below the folder it is unpacked into.
    path: PathBuf,
    declared: u64,
}

/// The `S_IFMT` bits of a unix mode, and the kinds among them.
const S_IFMT: u32 = 0o170_000;
const S_IFREG: u32 = 0o100_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFLNK: u32 = 0o120_000;

/// Unpacks the zip at `zip` into `to` (which must not exist yet), after
/// checking every entry against `limits` and the rules above.
pub fn unzip(zip: &Path, to: &Path, limits: &Limits) -> Result<(), ArchiveError> {
    let corrupt = |reason: String| ArchiveError::Zip {
        path: zip.to_path_buf(),
        reason,
    };
    let mut archive =
        zip::ZipArchive::new(fs::File::open(zip)?).map_err(|e| corrupt(e.to_string()))?;
    if archive.len() > limits.entries {
        return Err(rejected(format!(
            "the zip has more than {} entries",
            limits.entries
        )));
    }

    // Every entry is judged before anything is written.
    let mut files = Vec::new();
    let mut folders = Vec::new();
    let mut names = BTreeSet::new();
    let mut declared = 0u64;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| corrupt(e.to_string()))?;
        let name = entry.name().to_string();
        let path = safe_path(&name)?;
        let kind = entry.unix_mode().map_or(0, |mode| mode & S_IFMT);
        let is_dir = entry.is_dir() || name.ends_with('\\') || kind == S_IFDIR;
        if path.as_os_str().is_empty() && !is_dir {
            return Err(rejected(format!("entry {name:?} has no name")));
        }
        if kind == S_IFLNK {
            drop(entry);
            return Err(link_refused(&name, &link_target(&mut archive, index)));
        }
        if !matches!(kind, 0 | S_IFREG | S_IFDIR) {
            return Err(special_refused(&name, "a special file"));
        }
        if entry.encrypted() {
            return Err(rejected(format!(
                "entry {name} is encrypted; submissions must be readable"
            )));
        }
        let skipped = path.components().any(|c| {
            let part = c.as_os_str().to_string_lossy();
            ignored(&part)
        });
        if skipped {
            continue;
        }
        if is_dir {
            folders.push(path);
            continue;
        }
        let size = entry.size();
        if size > limits.ratio_from && size > limits.ratio.saturating_mul(entry.compressed_size()) {
            return Err(rejected(format!(
                "entry {name} is compressed more than {} to 1",
                limits.ratio
            )));
        }
        declared = declared.saturating_add(size);
        if declared > limits.bytes {
            return Err(zip_too_big(limits));
        }
        if !names.insert(path.clone()) {
            return Err(rejected(format!("entry {name} is in the zip twice")));
        }
        files.push(Entry {
            index,
            name,
            path,
            declared: size,
        });
    }

    // Then unpacked, counting what is really written: a header may lie.
    fs::create_dir(to)?;
    for folder in folders {
        fs::create_dir_all(to.join(folder))?;
    }
    let mut written = 0u64;
    for file in files {
        let target = to.join(&file.path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut entry = archive
            .by_index(file.index)
            .map_err(|e| corrupt(e.to_string()))?;
        // `create_new` never opens what is already there, link or not.
        let mut out = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)?;
        let mut this = 0u64;
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = entry
                .read(&mut buffer)
                .map_err(|e| corrupt(format!("{}: {e}", file.name)))?;
            if n == 0 {
                break;
            }
            this += n as u64;
            written += n as u64;
            if this > file.declared {
                return Err(rejected(format!(
                    "entry {} holds more than the {} its header declares",
                    file.name,
                    amount(file.declared)
                )));
            }
            if written > limits.bytes {
                return Err(zip_too_big(limits));
            }
            out.write_all(&buffer[..n])?;
        }
    }
    Ok(())
}

fn zip_too_big(limits: &Limits) -> ArchiveError {
    rejected(format!(
        "the zip expands to more than {}",
        amount(limits.bytes)
    ))
}

/// Where a zip entry called `name` may go: a relative path of plain parts.
/// Backslashes count as separators, as some Windows tools write them.
fn safe_path(name: &str) -> Result<PathBuf, ArchiveError> {
    if name.contains('\0') {
        return Err(rejected(format!(
            "entry {name:?} has a NUL byte in its name"
        )));
    }
    let unified = name.replace('\\', "/");
    let has_drive = unified.as_bytes().get(1) == Some(&b':');
    if unified.starts_with('/') || has_drive {
        return Err(rejected(format!(
            "entry {name} has an absolute path; entries must stay inside the submission"
        )));
    }
    let mut path = PathBuf::new();
    for component in Path::new(&unified).components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(rejected(format!("entry {name} escapes the submission")));
            }
        }
    }
    Ok(path)
}

/// The target a link entry names, for the refusal; read only when the
/// entry is small, as a link's is.
fn link_target(archive: &mut zip::ZipArchive<fs::File>, index: usize) -> String {
    let mut target = Vec::new();
    let read = archive
        .by_index(index)
        .map(|entry| entry.take(1024).read_to_end(&mut target));
    match read {
        Ok(Ok(_)) => String::from_utf8_lossy(&target).into_owned(),
        _ => "?".into(),
    }
}

/// How a test builds a zip: `(name, contents)` entries, deflated.
#[cfg(test)]
pub(crate) fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
    let mut writer = zip::ZipWriter::new(fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, contents) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(contents).unwrap();
    }
    writer.finish().unwrap();
}

#[cfg(test)]
mod tests {
    use super::super::tests::{rule, small};
    use super::*;
    use zip::write::SimpleFileOptions;

    fn unzipped(
        entries: &[(&str, &[u8])],
        limits: &Limits,
    ) -> (tempfile::TempDir, Result<(), ArchiveError>) {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("s.zip");
        write_zip(&zip, entries);
        let result = unzip(&zip, &dir.path().join("out"), limits);
        (dir, result)
    }

    #[test]
    fn a_zip_within_the_limits_is_unpacked_as_it_was() {
        let crlf: &[u8] = b"fn main() {\r\n}\r\n";
        // Some Windows tools write backslashes between folders.
        let (dir, result) = unzipped(
            &[
                ("Task01/server.rs", crlf),
                ("Task01/client.rs", b"x"),
                ("Task02\\", b""),
                ("Task02\\server.rs", b"y"),
            ],
            &small(),
        );
        result.unwrap();
        let out = dir.path().join("out/Task01");
        assert_eq!(fs::read(out.join("server.rs")).unwrap(), crlf);
        assert_eq!(fs::read(out.join("client.rs")).unwrap(), b"x");
        let out = dir.path().join("out/Task02");
        assert_eq!(fs::read(out.join("server.rs")).unwrap(), b"y");
    }

    #[test]
    fn too_many_entries_are_refused() {
        let entries: Vec<(String, &[u8])> =
            (0..6).map(|i| (format!("f{i}.rs"), &b"x"[..])).collect();
        let entries: Vec<(&str, &[u8])> = entries.iter().map(|(n, c)| (n.as_str(), *c)).collect();
        let (_dir, result) = unzipped(&entries, &small());
        assert_eq!(rule(result), "the zip has more than 5 entries");
    }

    /// `n` bytes that do not compress: a linear congruential sequence.
    fn noise(n: usize) -> Vec<u8> {
        let mut x = 12345u32;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (x >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn more_bytes_than_allowed_are_refused_before_unpacking() {
        let big = noise(6_000);
        let (dir, result) = unzipped(&[("a.rs", &big), ("b.rs", &big)], &small());
        assert_eq!(rule(result), "the zip expands to more than 10000 bytes");
        assert!(!dir.path().join("out").exists(), "something was unpacked");
        let (_dir, result) = unzipped(&[("a.rs", &big)], &Limits::default());
        result.unwrap();
        assert_eq!(
            rule(Err(zip_too_big(&Limits::default()))),
            "the zip expands to more than 50 MB"
        );
    }

    #[test]
    fn a_large_entry_of_zeros_is_too_compressed() {
        // 9000 zeros deflate to a few dozen bytes: a ratio far above 20.
        let zeros = vec![0u8; 9_000];
        let (_dir, result) = unzipped(&[("zeros.bin", &zeros)], &small());
        assert_eq!(
            rule(result),
            "entry zeros.bin is compressed more than 20 to 1"
        );
        // Below `ratio_from` the same ratio is fine: small files compress well.
        let (_dir, result) = unzipped(&[("zeros.bin", &zeros[..900])], &small());
        result.unwrap();
    }

    /// A zip whose one entry declares `declared` bytes but holds `real`
    /// zeros: both headers are patched after writing.
    fn lying_zip(path: &Path, real: usize, declared: u32) {
        write_zip(path, &[("bomb.bin", &vec![0u8; real])]);
        let mut bytes = fs::read(path).unwrap();
        let real = (real as u32).to_le_bytes();
        let mut patched = 0;
        for at in 0..bytes.len() - 4 {
            let field = match &bytes[at..at + 4] {
                [0x50, 0x4b, 0x03, 0x04] => at + 22, // local header
                [0x50, 0x4b, 0x01, 0x02] => at + 24, // central directory
                _ => continue,
            };
            assert_eq!(bytes[field..field + 4], real, "not the size field");
            bytes[field..field + 4].copy_from_slice(&declared.to_le_bytes());
            patched += 1;
        }
        assert_eq!(patched, 2);
        fs::write(path, bytes).unwrap();
    }

    #[test]
    fn an_entry_holding_more_than_it_declares_is_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("bomb.zip");
        // 5 MB of zeros declared as 100 bytes: under every limit on paper.
        lying_zip(&zip, 5_000_000, 100);
        let out = dir.path().join("out");
        let rule = rule(unzip(&zip, &out, &small()));
        assert_eq!(
            rule,
            "entry bomb.bin holds more than the 100 bytes its header declares"
        );
        let written = fs::metadata(out.join("bomb.bin")).unwrap().len();
        assert!(written <= 100, "{written} bytes were written");
    }

    #[test]
    fn escaping_and_absolute_names_are_refused() {
        for (name, wanted) in [
            ("../../etc/x", "entry ../../etc/x escapes the submission"),
            (
                "task01/../../x",
                "entry task01/../../x escapes the submission",
            ),
            ("..\\evil.rs", "entry ..\\evil.rs escapes the submission"),
            (
                "/etc/x",
                "entry /etc/x has an absolute path; entries must stay inside the submission",
            ),
            (
                "C:/x",
                "entry C:/x has an absolute path; entries must stay inside the submission",
            ),
        ] {
            let (dir, result) = unzipped(&[("ok.rs", b"x"), (name, b"x")], &small());
            assert_eq!(rule(result), wanted, "{name}");
            assert!(!dir.path().join("out").exists(), "{name}: unpacked");
        }
    }

    #[test]
    fn a_link_in_a_zip_is_refused_even_among_ignored_folders() {
        for name in ["task03/src", ".git/hooks/x"] {
            let dir = tempfile::tempdir().unwrap();
            let zip = dir.path().join("s.zip");
            let mut writer = zip::ZipWriter::new(fs::File::create(&zip).unwrap());
            writer
                .start_file("task03/Cargo.toml", SimpleFileOptions::default())
                .unwrap();
            writer
                .add_symlink(name, "/etc", SimpleFileOptions::default())
                .unwrap();
            writer.finish().unwrap();
            let rule = rule(unzip(&zip, &dir.path().join("out"), &small()));
            assert_eq!(
                rule,
                format!("symbolic link at {name} -> /etc; submissions may not contain links")
            );
            assert!(!dir.path().join("out").exists());
        }
    }

    #[test]
    fn ignored_folders_in_a_zip_are_not_unpacked_nor_counted_in_bytes() {
        let big = vec![b'a'; 9_000];
        let (dir, result) = unzipped(
            &[
                ("ws/target/debug/junk", &big),
                ("ws/.git/objects/junk", &big),
                ("ws/task01/server.rs", b"x"),
            ],
            &small(),
        );
        result.unwrap();
        let out = dir.path().join("out/ws");
        assert!(out.join("task01/server.rs").is_file());
        assert!(!out.join("target").exists());
        assert!(!out.join(".git").exists());
    }
}

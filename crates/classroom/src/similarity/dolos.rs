//! `--similarity-export dolos`: a zip per task that Dolos (Ghent
//! University's similarity tool, <https://dolos.ugent.be>) reads, for
//! instructors who want its graph view.
//!
//! Dolos compares files of one language, so each zip holds one file per
//! student for its task and language: the student's files of the task in
//! that language one after the other, each under a comment naming it.
//! Its `info.csv`, at the zip's root, has the columns Dolos reads (dodona-edu/dolos, `lib/src/lib/dataset.ts`, `fromCSV`, and
//! `docs/docs/adding-metadata.md`): `filename` (the path in the zip, the
//! one column required), `full_name`, `labels` (`class` or `known source`)
//! and `ignored`: `true` on the one file of code handed out (Dolos allows
//! one), which it then leaves out of every match as we do. Dolos's time
//! column, `created_at`, is left out: the batch does not know when a
//! student handed in, and Dolos reads an empty cell as an invalid date.

use super::tokens::is_python;
use super::{File, SimilarityError, Source};
use crate::lms::folder_name;
use std::collections::BTreeMap;
use std::io::Write;

/// A language of the files compared: what ends a file's name, and how a
/// line comment starts.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Language {
    extension: &'static str,
    comment: &'static str,
}

const RUST: Language = Language {
    extension: "rs",
    comment: "//",
};
const PYTHON: Language = Language {
    extension: "py",
    comment: "#",
};

fn language_of(file: &File) -> Language {
    if is_python(&file.path) {
        PYTHON
    } else {
        RUST
    }
}

/// The zips, by file name: a task's Rust files in
/// `similarity-dolos-task03_echo.zip`, its Python files (Dolos compares
/// one language at a time) in `similarity-dolos-task03_echo-python.zip`.
pub fn zips(
    sources: &[Source],
    starter: &BTreeMap<String, Vec<File>>,
) -> Result<Vec<(String, Vec<u8>)>, SimilarityError> {
    let mut tasks: Vec<&String> = sources.iter().flat_map(|s| s.tasks.keys()).collect();
    tasks.sort();
    tasks.dedup();
    let mut zips = Vec::new();
    for task in tasks {
        for (language, suffix) in [(RUST, ""), (PYTHON, "-python")] {
            let any = sources
                .iter()
                .any(|s| s.files(task).iter().any(|f| language_of(f) == language));
            if any {
                zips.push((
                    format!("similarity-dolos-{task}{suffix}.zip"),
                    zip(task, language, sources, starter.get(task))?,
                ));
            }
        }
    }
    Ok(zips)
}

/// The files of `files` in `language`, one after the other, each under a
/// comment naming it; `None` when there are none.
fn joined(files: &[File], language: Language) -> Option<String> {
    let text: Vec<String> = files
        .iter()
        .filter(|f| language_of(f) == language)
        .map(|f| {
            format!(
                "{} ---- {} ----\n{}",
                language.comment,
                f.path.replace('\n', " "),
                f.text
            )
        })
        .collect();
    (!text.is_empty()).then(|| text.join("\n"))
}

fn zip(
    task: &str,
    language: Language,
    sources: &[Source],
    starter: Option<&Vec<File>>,
) -> Result<Vec<u8>, SimilarityError> {
    let fail = |e: &dyn std::fmt::Display| SimilarityError::Zip(e.to_string());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let mut info = ::csv::Writer::from_writer(Vec::new());
    info.write_record(["filename", "full_name", "labels", "ignored"])
        .map_err(|e| fail(&e))?;
    let mut add = |filename: String, text: String, full_name: &str, label: &str, ignored: bool| {
        zip.start_file(filename.as_str(), options)
            .map_err(|e| fail(&e))?;
        zip.write_all(text.as_bytes()).map_err(|e| fail(&e))?;
        info.write_record([
            filename.as_str(),
            &crate::show::cell(full_name),
            label,
            if ignored { "true" } else { "" },
        ])
        .map_err(|e| fail(&e))
    };
    let extension = language.extension;
    if let Some(text) = starter.and_then(|files| joined(files, language)) {
        add(
            format!("starter/{task}.{extension}"),
            text,
            "handed-out starter",
            "starter",
            true,
        )?;
    }
    for (at, source) in sources.iter().enumerate() {
        let Some(text) = joined(source.files(task), language) else {
            continue;
        };
        // Folder names made safe, and unique by their place in the list.
        let filename = format!(
            "{:03}-{}/{task}.{extension}",
            at,
            folder_name(&source.key).replace('/', "_")
        );
        let label = if source.known {
            "known source"
        } else {
            "class"
        };
        add(filename, text, &source.label(), label, false)?;
    }
    let info = info.into_inner().map_err(|e| fail(&e))?;
    zip.start_file("info.csv", options).map_err(|e| fail(&e))?;
    zip.write_all(&info).map_err(|e| fail(&e))?;
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn each_language_of_a_task_has_its_own_zip() {
        let file = |path: &str, text: &str| File {
            path: path.into(),
            text: text.into(),
        };
        let student = Source {
            key: "ana".into(),
            tasks: [(
                "task03_echo".to_string(),
                vec![
                    file("server.py", "print('s')\n"),
                    file("src/bin/client.rs", "fn main() {}\n"),
                ],
            )]
            .into(),
            ..Source::default()
        };
        let starter = [(
            "task03_echo".to_string(),
            vec![file("server.py", "raise NotImplementedError\n")],
        )]
        .into();
        let zips = zips(&[student], &starter).unwrap();
        let names: Vec<&str> = zips.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "similarity-dolos-task03_echo.zip",
                "similarity-dolos-task03_echo-python.zip"
            ]
        );
        let read = |bytes: &[u8], name: &str| {
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
            let mut text = String::new();
            archive
                .by_name(name)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        };
        let python = &zips[1].1;
        assert_eq!(
            read(python, "000-ana/task03_echo.py"),
            "# ---- server.py ----\nprint('s')\n"
        );
        assert!(read(python, "info.csv")
            .contains("starter/task03_echo.py,handed-out starter,starter,true"));
        let rust = &zips[0].1;
        assert_eq!(
            read(rust, "000-ana/task03_echo.rs"),
            "// ---- src/bin/client.rs ----\nfn main() {}\n"
        );
        assert!(
            !read(rust, "info.csv").contains("starter/"),
            "no Rust starter"
        );
    }
}

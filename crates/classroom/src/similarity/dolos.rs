//! `--similarity-export dolos`: a zip per task that Dolos (Ghent
//! University's similarity tool, <https://dolos.ugent.be>) reads, for
//! instructors who want its graph view.
//!
//! Dolos compares files, so each zip holds one file per student for its
//! task: the student's files of the task one after the other, each under a
//! comment naming it. Its `info.csv`, at the zip's root, has the columns
//! Dolos reads (dodona-edu/dolos, `lib/src/lib/dataset.ts`, `fromCSV`, and
//! `docs/docs/adding-metadata.md`): `filename` (the path in the zip, the
//! one column required), `full_name`, `labels` (`class` or `known source`)
//! and `ignored`: `true` on the one file of code handed out (Dolos allows
//! one), which it then leaves out of every match as we do. Dolos's time
//! column, `created_at`, is left out: the batch does not know when a
//! student handed in, and Dolos reads an empty cell as an invalid date.

use super::{SimilarityError, Source};
use crate::lms::folder_name;
use std::collections::BTreeMap;
use std::io::Write;

/// The zips, by file name (`similarity-dolos-task03_echo.zip`), and bytes.
pub fn zips(
    sources: &[Source],
    starter: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<(String, Vec<u8>)>, SimilarityError> {
    let mut tasks: Vec<&String> = sources.iter().flat_map(|s| s.tasks.keys()).collect();
    tasks.sort();
    tasks.dedup();
    tasks
        .into_iter()
        .map(|task| {
            Ok((
                format!("similarity-dolos-{task}.zip"),
                zip(task, sources, starter.get(task))?,
            ))
        })
        .collect()
}

fn zip(
    task: &str,
    sources: &[Source],
    starter: Option<&Vec<String>>,
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
    if let Some(files) = starter.filter(|f| !f.is_empty()) {
        add(
            format!("starter/{task}.rs"),
            files.join("\n"),
            "handed-out starter",
            "starter",
            true,
        )?;
    }
    for (at, source) in sources.iter().enumerate() {
        let files = source.files(task);
        if files.is_empty() {
            continue;
        }
        let text: Vec<String> = files
            .iter()
            .map(|f| format!("// ---- {} ----\n{}", f.path.replace('\n', " "), f.text))
            .collect();
        // Folder names made safe, and unique by their place in the list.
        let filename = format!(
            "{:03}-{}/{task}.rs",
            at,
            folder_name(&source.key).replace('/', "_")
        );
        let label = if source.known {
            "known source"
        } else {
            "class"
        };
        add(filename, text.join("\n"), &source.label(), label, false)?;
    }
    let info = info.into_inner().map_err(|e| fail(&e))?;
    zip.start_file("info.csv", options).map_err(|e| fail(&e))?;
    zip.write_all(&info).map_err(|e| fail(&e))?;
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

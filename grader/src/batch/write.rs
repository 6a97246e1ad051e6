//! The class's results on disk: each student's reports, `grades.csv` and
//! `index.html`, written by the batch alone, each as a fresh file.

use super::{BatchError, Graded, Options};
use crate::lms::gradebook::Book;
use crate::policy::Policy;
use crate::report::class::{self, Row};
use crate::report::Format;
use std::fs;
use std::path::PathBuf;

/// A student's folder under `out/students`: the id, made safe as a name.
pub(crate) fn folder_name(student: &str) -> String {
    student
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn extension(format: Format) -> &'static str {
    match format {
        Format::Human => "txt",
        Format::Json => "json",
        Format::Junit => "junit.xml",
        Format::Gradescope => "gradescope.json",
        Format::Github => "github.txt",
        Format::Classroom => "classroom.json",
        Format::Markdown => "md",
        Format::Html => "html",
    }
}

pub(super) fn write_class(
    options: &Options,
    results: &[Graded],
    books: &[Book],
) -> Result<(), BatchError> {
    let write = |path: PathBuf, text: String| {
        // A fresh file: whatever stood at that path (a link, a pipe, an
        // earlier batch's report) is replaced, never written through.
        let _ = fs::remove_file(&path);
        fs::write(&path, text).map_err(|source| BatchError::Write { path, source })
    };
    for graded in results {
        let folder = options
            .out
            .join("students")
            .join(folder_name(&graded.student));
        // Reports of an earlier batch must not pass for this one's.
        let _ = fs::remove_dir_all(&folder);
        fs::create_dir_all(&folder).map_err(|source| BatchError::Write {
            path: folder.clone(),
            source,
        })?;
        let Some(report) = &graded.report else {
            // A submission with no report still gets a page, saying why.
            let page = class::no_report(&graded.student, graded.standing, &graded.reason);
            write(folder.join("report.html"), page)?;
            continue;
        };
        let title = format!("Socket lab: {}", graded.student);
        let mut formats = vec![Format::Json, Format::Html];
        formats.extend(
            options
                .formats
                .iter()
                .filter(|f| !matches!(f, Format::Json | Format::Html)),
        );
        for format in formats {
            let text = format.render(report, false, &title);
            let text = match format {
                Format::Human => anstream::adapter::strip_str(&text).to_string(),
                _ => text,
            };
            write(folder.join(format!("report.{}", extension(format))), text)?;
        }
    }
    let rows: Vec<Row> = results
        .iter()
        .map(|g| Row {
            student: &g.student,
            status: g.standing,
            reason: &g.reason,
            report: g.report.as_ref(),
            link: format!("students/{}/report.html", folder_name(&g.student)),
        })
        .collect();
    let tasks: Vec<&str> = crate::tasks::all().iter().map(|t| t.package).collect();
    write(options.out.join("grades.csv"), class::csv(&tasks, &rows)?)?;
    write(
        options.out.join("index.html"),
        class::index("Socket lab: class results", &tasks, &rows),
    )?;
    if books.is_empty() {
        return Ok(());
    }
    // The most a submission can score, for a class none of which was graded.
    let mut all = crate::tasks::all();
    Policy::load(&options.workspace)?.apply(&mut all, false);
    let most: u32 = all.iter().map(|t| t.max_points()).sum();
    for book in books {
        for (name, bytes) in book.files(results, most)? {
            let path = options.out.join(name);
            let _ = fs::remove_file(&path);
            fs::write(&path, bytes).map_err(|source| BatchError::Write { path, source })?;
        }
    }
    Ok(())
}

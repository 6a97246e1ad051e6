//! The class's results on disk: each student's reports, `grades.csv` and
//! `index.html`, written by the batch (or the merge of its shards) alone,
//! each as a fresh file.

use super::{BatchError, Graded, Output, Standing};
use crate::class::{self, Row};
use crate::lms::feedback;
use crate::lms::folder_name;
use crate::lms::gradebook::{self, Book, Scale};
use crate::policy::Policy;
use crate::report::Format;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

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

/// Where a student's `sources.json` comes from: their submission (a
/// batch), or a shard result (a merge). It writes it into the folder given.
pub(super) type Sources<'a> = dyn Fn(&Graded, &Path) -> io::Result<()> + 'a;

/// What was graded, kept for code similarity (`grader similarity` reads
/// it later, without the download).
pub(super) fn from_submission(graded: &Graded, folder: &Path) -> io::Result<()> {
    match &graded.submitter.path {
        Some(submission) => crate::similarity::keep_sources(submission, folder),
        None => Ok(()),
    }
}

/// A student's results folder under `out`.
pub(super) fn folder_of(graded: &Graded) -> String {
    format!("students/{}", folder_name(&graded.student))
}

/// Makes `folder` afresh: what an earlier batch left there must not pass
/// for this one's.
pub(super) fn fresh_folder(folder: &Path) -> Result<(), BatchError> {
    let _ = fs::remove_dir_all(folder);
    fs::create_dir_all(folder).map_err(|source| BatchError::Write {
        path: folder.to_path_buf(),
        source,
    })
}

pub(super) fn write_class(
    output: &Output,
    results: &[Graded],
    books: &[Book],
    sources: &Sources<'_>,
) -> Result<(), BatchError> {
    let write = |path: PathBuf, text: String| {
        // A fresh file: whatever stood at that path (a link, a pipe, an
        // earlier batch's report) is replaced, never written through.
        let _ = fs::remove_file(&path);
        fs::write(&path, text).map_err(|source| BatchError::Write { path, source })
    };
    for graded in results {
        let folder = output.out.join(folder_of(graded));
        fresh_folder(&folder)?;
        sources(graded, &folder).map_err(|source| BatchError::Write {
            path: folder.join(crate::similarity::SOURCES),
            source,
        })?;
        if graded.standing != Standing::NoSubmission {
            // What the student is handed back, as the gradebooks' zips hold it.
            write(
                folder.join("feedback.html"),
                feedback::feedback_page(graded),
            )?;
        }
        let Some(report) = &graded.report else {
            // A submission with no report still gets a page, saying why.
            let page = class::no_report(&graded.student, graded.standing, &graded.reason);
            write(folder.join("report.html"), page)?;
            continue;
        };
        let title = format!("Socket lab: {}", graded.student);
        let mut formats = vec![Format::Json, Format::Html];
        formats.extend(
            output
                .written
                .format
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
    // The most a submission can score, for a class none of which was graded.
    let mut all = crate::tasks::all();
    Policy::load(&output.workspace)?.apply(&mut all, false);
    let most: u32 = all.iter().map(|t| t.max_points()).sum();
    let scales = grade_columns(books, gradebook::points_possible(results, most));
    let rows: Vec<Row> = results
        .iter()
        .map(|g| Row {
            student: &g.student,
            name: &g.submitter.name,
            late: g.submitter.late,
            status: g.standing,
            reason: &g.reason,
            report: g.report.as_ref(),
            grades: scales
                .iter()
                .map(|(_, scale)| {
                    gradebook::grade(g).map_or(String::new(), |points| match scale {
                        Some(scale) => scale.grade(points),
                        None => points.to_string(),
                    })
                })
                .collect(),
            link: format!("{}/report.html", folder_of(g)),
            feedback: (g.standing != Standing::NoSubmission)
                .then(|| format!("{}/feedback.html", folder_of(g))),
        })
        .collect();
    let tasks: Vec<&str> = crate::tasks::all().iter().map(|t| t.package).collect();
    let headings: Vec<&str> = scales.iter().map(|(heading, _)| *heading).collect();
    let mut files = vec!["grades.csv".to_string()];
    for book in books {
        files.extend(
            gradebook::file_names(book.kind())
                .iter()
                .map(|f| f.to_string()),
        );
    }
    write(
        output.out.join("grades.csv"),
        class::csv(&tasks, &headings, &rows)?,
    )?;
    write(
        output.out.join("index.html"),
        class::index(
            "Socket lab: class results",
            &tasks,
            &headings,
            &rows,
            &files,
        ),
    )?;
    for book in books {
        for (name, bytes) in book.files(results, most)? {
            let path = output.out.join(name);
            let _ = fs::remove_file(&path);
            fs::write(&path, bytes).map_err(|source| BatchError::Write { path, source })?;
        }
    }
    Ok(())
}

/// The grade columns of the class's results: `grade`, the points as the
/// kit counts them (what `gradebook.csv` receives), then one per LMS
/// gradebook written, scaled as that gradebook scales them.
fn grade_columns(books: &[Book], possible: u32) -> Vec<(&'static str, Option<Scale>)> {
    let mut columns = vec![("grade", None)];
    for book in books {
        match book {
            Book::Canvas(column) => columns.push(("grade canvas", Some(column.scale(possible)))),
            Book::Moodle(sheet) => columns.push(("grade moodle", Some(sheet.scale(possible)))),
            Book::Csv => {}
        }
    }
    columns
}

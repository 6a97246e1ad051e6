//! The class's results on disk: each student's reports, `grades.csv` and
//! `index.html`, written by the batch alone, each as a fresh file.

use super::{BatchError, Graded, Options, Standing};
use crate::lms::{feedback, gradebook};
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

/// The grade a gradebook receives for `points` out of `max`, in an LMS
/// assignment out of `possible`: scaled to it, with at most two decimals
/// (`87.5`); the points as they are when the maxima agree.
pub(crate) fn scaled(points: u32, max: u32, possible: f64) -> String {
    if max == 0 || (possible - f64::from(max)).abs() < f64::EPSILON {
        return points.to_string();
    }
    let grade = f64::from(points) * possible / f64::from(max);
    let text = format!("{grade:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

pub(super) fn write_class(
    options: &Options,
    results: &[Graded],
    roster_headings: &[String],
) -> Result<(), BatchError> {
    let write = |path: PathBuf, text: String| {
        // A fresh file: whatever stood at that path (a link, a pipe, an
        // earlier batch's report) is replaced, never written through.
        let _ = fs::remove_file(&path);
        fs::write(&path, text).map_err(|source| BatchError::Write { path, source })
    };
    let folder_of = |graded: &Graded| format!("students/{}", folder_name(&graded.student));
    for graded in results {
        let folder = options.out.join(folder_of(graded));
        // Reports of an earlier batch must not pass for this one's.
        let _ = fs::remove_dir_all(&folder);
        fs::create_dir_all(&folder).map_err(|source| BatchError::Write {
            path: folder.clone(),
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
    // The most a submission can score, for a class none of which was graded.
    let mut all = crate::tasks::all();
    Policy::load(&options.workspace)?.apply(&mut all, false);
    let most: u32 = all.iter().map(|t| t.max_points()).sum();
    let possible = gradebook::points_possible(results, most);
    let reasons: Vec<String> = results.iter().map(Graded::reasons).collect();
    let rows: Vec<Row> = results
        .iter()
        .zip(&reasons)
        .map(|(g, reason)| Row {
            student: &g.student,
            name: &g.submitter.name,
            late: g.submitter.late,
            status: g.standing,
            reason,
            report: g.report.as_ref(),
            grade: gradebook::grade(g).map_or(String::new(), |points| {
                scaled(points, possible, f64::from(possible))
            }),
            link: format!("{}/report.html", folder_of(g)),
            feedback: (g.standing != Standing::NoSubmission)
                .then(|| format!("{}/feedback.html", folder_of(g))),
        })
        .collect();
    let tasks: Vec<&str> = crate::tasks::all().iter().map(|t| t.package).collect();
    let mut files = vec!["grades.csv".to_string()];
    for kind in &options.gradebooks {
        files.extend(gradebook::file_names(*kind).iter().map(|f| f.to_string()));
    }
    write(options.out.join("grades.csv"), class::csv(&tasks, &rows)?)?;
    write(
        options.out.join("index.html"),
        class::index("Socket lab: class results", &tasks, &rows, &files),
    )?;
    let column = gradebook::canvas_column(&options.assignment, roster_headings);
    for kind in &options.gradebooks {
        for (name, bytes) in gradebook::files(*kind, results, &column, most)? {
            let path = options.out.join(name);
            let _ = fs::remove_file(&path);
            fs::write(&path, bytes).map_err(|source| BatchError::Write { path, source })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::scaled;

    #[test]
    fn grades_are_scaled_to_the_lms_maximum() {
        assert_eq!(scaled(87, 100, 100.0), "87");
        assert_eq!(scaled(261, 261, 100.0), "100");
        assert_eq!(scaled(100, 261, 100.0), "38.31");
        assert_eq!(scaled(7, 8, 100.0), "87.5");
        assert_eq!(scaled(0, 0, 100.0), "0");
    }
}

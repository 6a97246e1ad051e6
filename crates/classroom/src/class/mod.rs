//! The instructor's view of a class: `grades.csv` and `index.html`.
//!
//! One row per student, under the one key the class's results are filed
//! by, with the roster's name beside it, the late flag, each task's points
//! (empty for a task not handed in, apart from one that failed), the total,
//! the grade each gradebook receives (`grade`, then `grade canvas`, `grade
//! moodle` for the gradebooks written), how grading ended and why, and links
//! to the student's report and feedback page.
//!
//! - `csv`: `grades.csv`.
//! - `page`: `index.html`, one self-contained file that works opened from
//!   disk: a table of students that sorts when a heading is clicked, a
//!   histogram of total scores, and the most common mistakes. Charts are
//!   inline SVG.
//! - `mistakes`: the class's mistakes, most common first, build failures
//!   among them.

mod csv;
mod mistakes;
mod page;

pub use self::csv::csv;
pub use page::{index, link_files};

use crate::report::html::{esc, page as html_page};
use crate::report::{Report, TaskReport};
use crate::standing::Standing;

/// One student's line in the class results.
pub struct Row<'a> {
    /// The key the student's results are filed under: unique in the class.
    pub student: &'a str,
    /// The student's name, as the roster or the LMS gives it.
    pub name: &'a str,
    /// Handed in after the due date, as the LMS says.
    pub late: bool,
    /// How the submission's grading ended.
    pub status: Standing,
    /// Why: what did not build, the tasks not handed in, why there is no
    /// report.
    pub reason: &'a str,
    pub report: Option<&'a Report>,
    /// The grade each gradebook receives, one per grade column (the kit's
    /// points, then each LMS's scaled grade); empty where they get none.
    pub grades: Vec<String>,
    /// The student's own page, relative to `index.html`.
    pub link: String,
    /// The feedback page handed back to the student, relative to
    /// `index.html`, when there is one.
    pub feedback: Option<String>,
}

/// Whether `task` was not handed in at all: its stand-in failed to build
/// for that reason alone. Not a build failure, not a failed check.
pub fn not_handed_in(task: &TaskReport) -> bool {
    task.build == crate::report::Build::Failed
        && !task.build_errors.is_empty()
        && task
            .build_errors
            .iter()
            .all(|e| e.contains(crate::submission::NO_FOLDER))
}

/// The page of a student whose submission has no report: how grading
/// ended, and why.
pub fn no_report(student: &str, status: Standing, reason: &str) -> String {
    let body = format!(
        "<h1>{}</h1>\n<p class=\"fail\">{}</p>\n<pre>{}</pre>\n",
        esc(student),
        esc(status.as_str()),
        esc(reason)
    );
    html_page(student, &body)
}

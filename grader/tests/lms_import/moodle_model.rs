//! Moodle reading the kit's files, re-implemented from Moodle's own code,
//! rule by rule, the source named beside each:
//!
//! - "Upload grading worksheet": `lib/csvlib.class.php`
//!   (`csv_import_reader::load_csv_content`),
//!   `mod/assign/feedback/offline/importgradeslib.php`
//!   (`assignfeedback_offline_grade_importer::init`, `next`) and
//!   `mod/assign/feedback/offline/locallib.php` (`process_import_grades`),
//!   with `unformat_float` of `lib/moodlelib.php` and the English strings
//!   of `mod/assign/lang/en/assign.php`;
//! - "Upload multiple feedback files in a zip":
//!   `mod/assign/feedback/file/importziplib.php`
//!   (`is_valid_filename_for_import`).

use std::collections::BTreeMap;

/// A student's grade as Moodle holds it: the grade and when it was last
/// modified (a Unix time).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Held {
    pub grade: f64,
    pub modified: i64,
}

/// The assignment: its maximum grade, its participants by their unique id
/// (the number of `Participant N`) and the grades it holds.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub max: f64,
    /// Unique id (`assign_user_mapping`) → user id.
    pub participants: BTreeMap<u64, u64>,
    /// User id → grade.
    pub grades: BTreeMap<u64, Held>,
    /// "Allow updating records that have been modified more recently in
    /// Moodle than in the spreadsheet".
    pub ignore_modified: bool,
}

/// What an upload did.
#[derive(Debug, Default, PartialEq)]
pub struct Upload {
    /// User id → the grade set.
    pub grades: BTreeMap<u64, f64>,
    /// User id → the feedback comment set.
    pub comments: BTreeMap<u64, String>,
    /// Rows read whose grade was skipped, and why.
    pub skipped: Vec<(u64, &'static str)>,
}

/// `get_string('recordid', 'assign')`, `get_string('gradenoun')`,
/// `get_string('lastmodifiedgrade', 'assign')`: the three columns
/// importgradeslib.php `init` requires (it returns false without one).
const IDENTIFIER: &str = "Identifier";
const GRADE: &str = "Grade";
const MODIFIED: &str = "Last modified (grade)";
/// The comments plugin's editor field, `get_string('pluginname',
/// 'assignfeedback_comments')`.
const COMMENTS: &str = "Feedback comments";
/// `get_string('hiddenuser', 'assign')`.
const PARTICIPANT: &str = "Participant ";

/// mod/assign/gradingtable.php, downloading, on a site with Moodle's
/// defaults (`showuseridentity` the e-mail; file submissions and feedback
/// comments on; no marking workflow, teams or outcomes): `recordid`,
/// `fullname`, the identity fields, `status`, `grade`, `grademax`,
/// `gradecanbechanged`, `timesubmitted`, the submission plugins' editor
/// fields (the file plugin has none), `timemarked`, the feedback plugins'
/// editor fields, by their English strings.
pub const DEFAULT_WORKSHEET: [&str; 10] = [
    IDENTIFIER,
    "Full name",
    "Email address",
    "Status",
    GRADE,
    "Maximum grade",
    "Grade can be changed",
    "Last modified (submission)",
    MODIFIED,
    COMMENTS,
];

/// csvlib.class.php `load_csv_content`: the byte order mark and the
/// surrounding white space trimmed, `\r\n` made `\n`, rows read with
/// `fgetcsv`, blank lines dropped; every row must have the heading's
/// number of fields ("csvweirdcolumns").
fn load_csv_content(text: &str) -> Result<Vec<Vec<String>>, String> {
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let text = text.trim();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }
        rows.push(record.iter().map(String::from).collect::<Vec<_>>());
    }
    let Some(count) = rows.first().map(Vec::len) else {
        return Err("csvemptyfile".into());
    };
    if rows.iter().any(|r| r.len() != count) {
        return Err("csvweirdcolumns".into());
    }
    Ok(rows)
}

/// lib/moodlelib.php `unformat_float` (English: `.` decimal separator):
/// trimmed, `''` for an empty cell, spaces dropped, then PHP's `(float)`,
/// which reads the longest number at the start and 0 if there is none.
fn unformat_float(cell: &str) -> Option<f64> {
    let cell = cell.trim();
    if cell.is_empty() {
        return None;
    }
    let cell: String = cell.chars().filter(|c| *c != ' ').collect();
    let number = (0..=cell.len())
        .rev()
        .filter(|end| cell.is_char_boundary(*end))
        .find_map(|end| cell[..end].parse::<f64>().ok().filter(|n| n.is_finite()));
    Some(number.unwrap_or(0.0))
}

/// PHP's `strtotime` for the one format the kit writes, ISO 8601 in UTC
/// (`2026-12-07T14:05:00+00:00`); `false` (0 when compared) for anything
/// this model does not know, which is the stricter reading.
fn strtotime(cell: &str) -> i64 {
    let parse = || -> Option<i64> {
        let (date, time) = cell.strip_suffix("+00:00")?.split_once('T')?;
        let d: Vec<i64> = date
            .split('-')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        let t: Vec<i64> = time
            .split(':')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        let ([year, month, day], [h, m, s]) = (d.try_into().ok()?, t.try_into().ok()?);
        // Howard Hinnant's `days_from_civil`.
        let year = if month <= 2 { year - 1 } else { year };
        let era = year.div_euclid(400);
        let yoe = year - era * 400;
        let mp = (month + 9) % 12;
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        Some(days * 86_400 + h * 3600 + m * 60 + s)
    };
    parse().unwrap_or(0)
}

/// "Upload grading worksheet" of `text` into `assignment`: what it
/// changes, or why Moodle refuses the file.
pub fn upload_worksheet(assignment: &Assignment, text: &str) -> Result<Upload, String> {
    let rows = load_csv_content(text)?;
    let columns = &rows[0];
    // importgradeslib.php `init`: each column found by its exact heading.
    let find = |name: &str| columns.iter().position(|c| c == name);
    let (Some(id_at), Some(grade_at), Some(modified_at)) =
        (find(IDENTIFIER), find(GRADE), find(MODIFIED))
    else {
        return Err("invalidgradeimport".into());
    };
    // `feedbackcolumnindexes`: used only when its index is not empty
    // (`!empty($details['index'])`, so never column 0).
    let comments_at = find(COMMENTS).filter(|at| *at != 0);
    let mut upload = Upload::default();
    for record in &rows[1..] {
        // `next`: the unique id is what follows `Participant `; a row
        // whose id maps to no participant is passed over.
        let idstr = &record[id_at];
        let unique = idstr.get(PARTICIPANT.len()..).unwrap_or_default();
        let Some(user) = unique
            .parse::<u64>()
            .ok()
            .and_then(|u| assignment.participants.get(&u))
            .copied()
        else {
            continue;
        };
        let modified = strtotime(&record[modified_at]);
        let held = assignment.grades.get(&user);
        // locallib.php `process_import_grades`, in its order.
        let grade = unformat_float(&record[grade_at]);
        let stale = held.is_some_and(|h| h.modified > modified + 60);
        let skip = match grade {
            _ if held.is_some_and(|h| Some(h.grade) == grade) => Some("grade not modified"),
            None => Some("grade has no value"),
            Some(g) if g < 0.0 => Some("grade has no value"),
            _ if !assignment.ignore_modified && stale => Some("grade has been modified"),
            Some(g) if g > assignment.max => Some("out of range"),
            Some(_) => None,
        };
        match (skip, grade) {
            (None, Some(g)) => {
                upload.grades.insert(user, g);
            }
            (Some(why), _) => upload.skipped.push((user, why)),
            (None, None) => {}
        }
        // Feedback text: only when not stale, and when it differs from the
        // comment held (none in these tests, so any text).
        if assignment.ignore_modified || !stale {
            if let Some(at) = comments_at {
                let text = &record[at];
                if !text.is_empty() {
                    upload.comments.insert(user, text.clone());
                }
            }
        }
    }
    Ok(upload)
}

/// The plugins `get_plugin_by_type` finds on a standard site.
const PLUGINS: [(&str, &str); 7] = [
    ("assignsubmission", "file"),
    ("assignsubmission", "onlinetext"),
    ("assignsubmission", "comments"),
    ("assignfeedback", "comments"),
    ("assignfeedback", "file"),
    ("assignfeedback", "offline"),
    ("assignfeedback", "editpdf"),
];

/// importziplib.php `is_valid_filename_for_import`: the user a feedback
/// file in the zip goes to and its name there, or `None` when Moodle
/// passes it over.
pub fn feedback_file_for(assignment: &Assignment, path: &str) -> Option<(u64, String)> {
    if path.ends_with('/') {
        return None;
    }
    let filename = path.rsplit('/').next().unwrap_or(path);
    // Hidden files are ignored.
    if filename.starts_with('.') || filename.starts_with('~') {
        return None;
    }
    let mut parts: Vec<String> = path.split('/').map(String::from).collect();
    while !parts.is_empty() {
        let part = parts.remove(0);
        // `explode('_', $pathpart, 5)`: at most five pieces.
        let info: Vec<&str> = part.splitn(5, '_').collect();
        if info.len() < 4 {
            continue;
        }
        // `is_numeric($info[1])`, then the participant by unique id.
        let Some(user) = info[1]
            .parse::<u64>()
            .ok()
            .and_then(|id| assignment.participants.get(&id))
        else {
            continue;
        };
        if !PLUGINS.contains(&(info[2], info[3])) {
            continue;
        }
        // The rest of this part goes back in front of the path.
        parts.insert(0, info.get(4).copied().unwrap_or_default().to_string());
        return Some((*user, parts.join("/")));
    }
    None
}

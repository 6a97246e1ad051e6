//! Canvas reading the kit's files, re-implemented from canvas-lms's own
//! code, rule by rule, the source named beside each:
//!
//! - the gradebook's "Import": `lib/gradebook_importer.rb`
//!   (`GradebookImporter`), with `Assignment.title_and_id` of
//!   `app/models/assignment.rb`;
//! - an assignment's "Re-upload submissions" (feedback files as comments):
//!   `app/models/assignment.rb` `generate_comments_from_files` and
//!   `infer_comment_context_from_filename`.
//!
//! The course (its assignments, students and submissions) is given; the
//! model says what the import would do to it.

/// An assignment in the course.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub id: u64,
    pub title: String,
    pub points_possible: f64,
}

/// A student in the course, with the ids Canvas matches a row by.
#[derive(Debug, Clone)]
pub struct Student {
    pub id: u64,
    pub name: String,
    pub sortable_name: String,
    pub sis_user_id: String,
    pub login: String,
    /// The attachment ids of their submission to the assignment.
    pub attachments: Vec<u64>,
}

#[derive(Debug, Clone)]
pub struct Course {
    pub assignments: Vec<Assignment>,
    pub students: Vec<Student>,
}

/// A column the import read: an assignment of the course, or a new one.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    Existing(u64),
    New(String),
}

/// A row the import read: a student of the course, or a new one.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Existing(u64),
    New(String),
}

#[derive(Debug, Default)]
pub struct Import {
    pub columns: Vec<Column>,
    /// Each column's value in the `Points Possible` row, if any.
    pub points_possible: Vec<Option<String>>,
    /// Each student row: who, and the grade in each column.
    pub rows: Vec<(Row, Vec<String>)>,
}

impl Import {
    /// The grade `student` gets in assignment `id`, if the import has one.
    pub fn grade(&self, student: u64, id: u64) -> Option<&str> {
        let at = self
            .columns
            .iter()
            .position(|c| *c == Column::Existing(id))?;
        self.rows
            .iter()
            .find(|(row, _)| *row == Row::Existing(student))
            .map(|(_, grades)| grades[at].as_str())
    }
}

/// `Assignment.title_and_id` (app/models/assignment.rb):
/// `/\A(.*)\s\((\d+)\)\z/`.
pub fn title_and_id(heading: &str) -> Option<(String, u64)> {
    let inner = heading.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let id = &inner[open + 1..];
    let before = &inner[..open];
    let title = before.strip_suffix(|c: char| c.is_whitespace())?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((title.to_string(), id.parse().ok()?))
}

/// gradebook_importer.rb `CSV::Converters[:decimal_comma_to_period]`: a
/// field that is a pure number or percentage has its last `,` or `.` made
/// the decimal point and the others dropped.
fn decimal_comma_to_period(field: &str) -> String {
    let numeric = !field.is_empty()
        && field
            .trim_start_matches('-')
            .trim_end_matches('%')
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
    if !numeric {
        return field.to_string();
    }
    let mut parts: Vec<&str> = field.split([',', '.']).collect();
    let last = parts.pop().unwrap_or_default();
    if parts.is_empty() {
        last.to_string()
    } else {
        format!("{}.{last}", parts.concat())
    }
}

/// gradebook_importer.rb `NON_ASSIGNMENT_COLUMN_HEADERS`, dropped by
/// `strip_non_assignment_columns` (a regexp: they match inside a heading).
const NON_ASSIGNMENT: [&str; 9] = [
    "Current Score",
    "Current Points",
    "Current Grade",
    "Final Score",
    "Final Points",
    "Final Grade",
    "Override Score",
    "Override Grade",
    "Override Status",
];

/// The rows of `text` as gradebook_importer.rb `csv_stream` reads them.
fn csv_stream(text: &str) -> Result<Vec<Vec<String>>, String> {
    // `semicolon_delimited?` / `identify_delimiter`: of `;` and `,`, the
    // separator that splits the first three lines into the same, larger
    // number of fields.
    let lines: Vec<&str> = text.lines().take(3).collect();
    let fields = |separator: u8| {
        let counts: Vec<usize> = lines
            .iter()
            .map(|line| {
                csv::ReaderBuilder::new()
                    .has_headers(false)
                    .delimiter(separator)
                    .from_reader(line.as_bytes())
                    .records()
                    .next()
                    .and_then(Result::ok)
                    .map_or(0, |r| r.len())
            })
            .collect();
        if counts.windows(2).all(|w| w[0] == w[1]) {
            counts.first().copied().unwrap_or(0)
        } else {
            0
        }
    };
    let separator = if fields(b';') > fields(b',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        // `CSV::MalformedCSVError`: "Gradebook import did not parse cleanly".
        let record = record.map_err(|e| format!("did not parse cleanly: {e}"))?;
        let row: Vec<String> = record.iter().map(decimal_comma_to_period).collect();
        // `skip_lines: /^[;, ]+$/`.
        if row.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        rows.push(row);
    }
    Ok(rows)
}

/// The gradebook import of `text` into `course`, or why Canvas refuses it.
pub fn import(course: &Course, text: &str) -> Result<Import, String> {
    let rows = csv_stream(text)?;
    let Some(header) = rows.first() else {
        return Err("empty file".into());
    };
    // `row_has_student_headers?`: more than 3 columns, `Student` then `ID`.
    if !(header.len() > 3 && header[0].contains("Student") && header[1].contains("ID")) {
        return Err("Invalid header row".into());
    }
    // `update_column_count`: name and ID, then the SIS columns, then Section.
    let mut student_columns = 3;
    let (mut sis_user_column, mut login_column) = (None, None);
    if header[2].contains("SIS Login ID") {
        login_column = Some(2);
        student_columns += 1;
    } else if header[2].contains("SIS User ID")
        && header.get(3).is_some_and(|h| h.contains("SIS Login ID"))
    {
        let integration = usize::from(header.get(4).is_some_and(|h| h.contains("Integration ID")));
        sis_user_column = Some(2);
        login_column = Some(3);
        student_columns += 2 + integration;
        if header
            .get(4 + integration)
            .is_some_and(|h| h.contains("Root Account"))
        {
            student_columns += 1;
        }
    }
    // `header?`: the last student column must be `Section`.
    if !header
        .get(student_columns - 1)
        .is_some_and(|h| h.contains("Section"))
    {
        return Err("Invalid header row".into());
    }
    let mut import = Import::default();
    let mut indices = Vec::new();
    for (at, heading) in header.iter().enumerate().skip(student_columns) {
        if NON_ASSIGNMENT.iter().any(|n| heading.contains(n)) {
            continue;
        }
        // `parse_assignments`: by the id in `Title (id)`; for backward
        // compatibility, by the whole heading as a title; else new.
        let by_id = title_and_id(heading)
            .and_then(|(_, id)| course.assignments.iter().find(|a| a.id == id));
        let by_title = || course.assignments.iter().find(|a| a.title == *heading);
        let column = match by_id.or_else(by_title) {
            Some(assignment) => Column::Existing(assignment.id),
            None => Column::New(title_and_id(heading).map_or(heading.clone(), |(t, _)| t)),
        };
        import.columns.push(column);
        indices.push(at);
    }
    import.points_possible = vec![None; indices.len()];
    for row in &rows[1..] {
        // `check_for_non_student_row`: a `Points Possible` row describes
        // the assignments (`process_pp`); a `Muted` / `Manual Posting` row
        // is skipped.
        if row.first().is_some_and(|c| c.contains("Points Possible")) {
            for (slot, at) in import.points_possible.iter_mut().zip(&indices) {
                *slot = row.get(*at).cloned();
            }
            continue;
        }
        let muted = |c: &String| {
            let c = c.trim().to_lowercase();
            c.is_empty() || c == "muted" || c.starts_with("manual posting")
        };
        if row.iter().all(muted) {
            continue;
        }
        // `process_student`: by `ID`, then SIS User ID, then SIS Login ID,
        // then name or sortable name; else a new user.
        let cell = |at: Option<usize>| at.and_then(|at| row.get(at)).filter(|c| !c.is_empty());
        let by_id = row[1]
            .parse::<u64>()
            .ok()
            .and_then(|id| course.students.iter().find(|s| s.id == id));
        let by_sis = || {
            cell(sis_user_column)
                .and_then(|sis| course.students.iter().find(|s| s.sis_user_id == *sis))
        };
        let by_login = || {
            cell(login_column).and_then(|login| course.students.iter().find(|s| s.login == *login))
        };
        let by_name = || {
            course
                .students
                .iter()
                .find(|s| s.name == row[0] || s.sortable_name == row[0])
        };
        let who = match by_id.or_else(by_sis).or_else(by_login).or_else(by_name) {
            Some(student) => Row::Existing(student.id),
            None => Row::New(row[0].clone()),
        };
        // `process_submissions`: the stripped cell of each column.
        let grades = indices
            .iter()
            .map(|at| row.get(*at).map_or(String::new(), |g| g.trim().to_string()))
            .collect();
        import.rows.push((who, grades));
    }
    Ok(import)
}

/// `infer_comment_context_from_filename` (app/models/assignment.rb): the
/// student a feedback file of "Re-upload submissions" goes to, or `None`
/// when Canvas ignores the file.
pub fn comment_for(course: &Course, path: &str) -> Option<u64> {
    let filename = path.rsplit('/').next().unwrap_or(path);
    let split: Vec<&str> = filename.split('_').collect();
    // `user_id, attachment_id = split_filename.grep(/^\d+$/).take(2)`.
    let mut numbers = split
        .iter()
        .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let user: u64 = numbers.next()?.parse().ok()?;
    let mut attachment: Option<u64> = numbers.next().and_then(|a| a.parse().ok());
    // `attachment_id = nil if split_filename.last =~ /^link/ || filename =~ /^\._/`.
    if split.last().is_some_and(|l| l.starts_with("link")) || filename.starts_with("._") {
        attachment = None;
    }
    // The submission must exist and hold that attachment
    // (`submission.attachments.where(id: attachment_id).exists?`).
    let student = course.students.iter().find(|s| s.id == user)?;
    student
        .attachments
        .contains(&attachment?)
        .then_some(student.id)
}

//! The instructor's view of a class: `grades.csv` and `index.html`.
//!
//! The page is one self-contained file that works opened from disk: a table
//! of students and task scores that sorts when a heading is clicked, a
//! histogram of total scores, and for each check how many students failed
//! it, so the common mistakes stand out. Charts are inline SVG.

use super::html::{esc, page};
use super::Report;
use crate::batch::Standing;
use crate::check::Status;
use crate::show;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// One student's line in the class results.
pub struct Row<'a> {
    pub student: &'a str,
    /// How the submission's grading ended.
    pub status: Standing,
    /// Why there is no report, when there is none.
    pub reason: &'a str,
    pub report: Option<&'a Report>,
    /// The student's own page, relative to `index.html`.
    pub link: String,
}

/// `grades.csv`: student, each task's score, total, maximum, status, and
/// the reason when a submission could not be graded. The student and the
/// reason come from the submission: each is a [`show::cell`], never a
/// formula; the scores are the grader's numbers and stay numbers.
pub fn csv(tasks: &[&str], rows: &[Row]) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["student".to_string()];
    header.extend(tasks.iter().map(|t| t.to_string()));
    header.extend(["total", "max", "status", "reason"].map(String::from));
    writer.write_record(&header)?;
    for row in rows {
        let mut record = vec![show::cell(row.student).into_owned()];
        for task in tasks {
            let score = row
                .report
                .and_then(|r| r.tasks.iter().find(|t| t.task == *task))
                .map_or(String::new(), |t| t.score.to_string());
            record.push(score);
        }
        record.push(row.report.map_or(String::new(), |r| r.score.to_string()));
        record.push(
            row.report
                .map_or(String::new(), |r| r.max_score.to_string()),
        );
        record.push(row.status.as_str().to_string());
        record.push(show::cell(row.reason).into_owned());
        writer.write_record(&record)?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

const SORTING: &str = "
document.querySelectorAll('th[data-sort]').forEach((th, column) => {
  th.addEventListener('click', () => {
    const body = th.closest('table').tBodies[0];
    const numeric = th.dataset.sort === 'num';
    const down = th.dataset.dir !== 'down';
    th.dataset.dir = down ? 'down' : 'up';
    const key = row => row.cells[column].dataset.value ?? row.cells[column].textContent;
    const rows = Array.from(body.rows).sort((a, b) => {
      const x = key(a), y = key(b);
      const order = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
      return down ? -order : order;
    });
    rows.forEach(row => body.appendChild(row));
  });
});
";

/// The page of a student whose submission has no report.
pub fn no_report(student: &str, status: Standing, reason: &str) -> String {
    let body = format!(
        "<h1>{}</h1>\n<p class=\"fail\">{}</p>\n<pre>{}</pre>\n",
        esc(student),
        esc(status.as_str()),
        esc(reason)
    );
    page(student, &body)
}

/// A paragraph saying how the class's code was confined: in red when any
/// submission ran without a sandbox.
fn sandboxing(graded: &[&Report]) -> String {
    use crate::sandbox::Mode;
    let count = |mode| {
        graded
            .iter()
            .filter(|r| r.sandbox.as_ref().map(|s| s.mode) == Some(mode))
            .count()
    };
    let (sandboxed, unsandboxed) = (count(Mode::Sandboxed), count(Mode::Unsandboxed));
    if unsandboxed > 0 {
        format!(
            "<p class=\"fail\"><strong>{unsandboxed} of {} graded submissions ran without a sandbox (--unsandboxed): their code ran as the grader's user.</strong></p>\n",
            graded.len()
        )
    } else if sandboxed > 0 {
        format!(
            "<p>Every graded submission ran in the sandbox ({sandboxed} of {}): its own network, processes and files, and limits; each report lists the layers.</p>\n",
            graded.len()
        )
    } else {
        String::new()
    }
}

/// `index.html` for the class.
pub fn index(title: &str, tasks: &[&str], rows: &[Row]) -> String {
    let graded: Vec<&Report> = rows.iter().filter_map(|r| r.report).collect();
    let mut body = format!("<h1>{}</h1>\n", esc(title));
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows {
        *counts.entry(row.status.as_str()).or_default() += 1;
    }
    let counts: Vec<String> = counts
        .iter()
        .map(|(status, n)| format!("{n} {status}"))
        .collect();
    let _ = writeln!(
        body,
        "<p>{} submissions: {}. Click a column heading to sort.</p>",
        rows.len(),
        counts.join(", ")
    );
    body.push_str(&sandboxing(&graded));

    body.push_str("<table id=\"students\">\n<thead><tr><th data-sort=\"text\">student</th>");
    for task in tasks {
        let _ = write!(
            body,
            "<th data-sort=\"num\" class=\"num\">{}</th>",
            esc(task)
        );
    }
    body.push_str("<th data-sort=\"num\" class=\"num\">total</th><th data-sort=\"text\">status</th></tr></thead>\n<tbody>\n");
    for row in rows {
        let _ = write!(
            body,
            "<tr><td><a href=\"{}\">{}</a></td>",
            esc(&row.link),
            esc(row.student)
        );
        for task in tasks {
            let cell = row
                .report
                .and_then(|r| r.tasks.iter().find(|t| t.task == *task));
            match cell {
                Some(t) => {
                    let class = if t.score == t.max_score {
                        "pass"
                    } else {
                        "fail"
                    };
                    let _ = write!(
                        body,
                        "<td class=\"num {class}\" data-value=\"{}\">{}/{}</td>",
                        t.score, t.score, t.max_score
                    );
                }
                None => body.push_str("<td class=\"num muted\" data-value=\"-1\">–</td>"),
            }
        }
        match row.report {
            Some(r) => {
                let _ = write!(
                    body,
                    "<td class=\"num\" data-value=\"{}\">{}/{}</td>",
                    r.score, r.score, r.max_score
                );
            }
            None => body.push_str("<td class=\"num muted\" data-value=\"-1\">–</td>"),
        }
        let _ = writeln!(body, "<td>{}</td></tr>", esc(row.status.as_str()));
    }
    body.push_str("</tbody>\n</table>\n");

    body.push_str("<h2>Total scores</h2>\n");
    body.push_str(&histogram(&graded));
    body.push_str("<h2>Most common mistakes</h2>\n");
    body.push_str(&failures(&graded));
    let _ = writeln!(body, "<script>{SORTING}</script>");
    page(title, &body)
}

/// A histogram of total scores in tenths of the maximum, as inline SVG.
fn histogram(reports: &[&Report]) -> String {
    let mut bins = [0usize; 10];
    for report in reports {
        let share = if report.max_score == 0 {
            0.0
        } else {
            f64::from(report.score) / f64::from(report.max_score)
        };
        bins[((share * 10.0) as usize).min(9)] += 1;
    }
    let tallest = bins.iter().copied().max().unwrap_or(0).max(1);
    let (width, height, bar) = (560, 220, 48);
    let mut svg = format!(
        "<svg id=\"histogram\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"histogram of total scores\">\n"
    );
    let base = height - 40;
    for (i, &count) in bins.iter().enumerate() {
        let x = 20 + i * (bar + 6);
        let h = count * (base - 20) / tallest;
        let _ = writeln!(
            svg,
            "<rect class=\"bar\" x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{h}\" fill=\"#4f7fd9\"><title>{count} students</title></rect>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{count}</text>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}–{}%</text>",
            base - h,
            x + bar / 2,
            base - h - 4,
            x + bar / 2,
            base + 16,
            i * 10,
            if i == 9 { 100 } else { i * 10 + 9 },
        );
    }
    let _ = writeln!(
        svg,
        "<line x1=\"16\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#333\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">total score, % of the maximum</text>",
        width - 10,
        width / 2,
        height - 6
    );
    svg.push_str("</svg>\n");
    svg
}

/// The mistakes of the class, most common first: how many graded students
/// made each, and in how many checks. A failure with a cause (the server
/// ignores --port, is not implemented yet…) is one mistake however many
/// checks it failed; any other failed check is a mistake of its own. A
/// check lost to a binary that did not build is left out: all of them fail
/// for that one reason, which would bury the mistakes worth a lecture.
fn mistakes(reports: &[&Report]) -> Vec<Mistake> {
    // Mistake → (students who made it, the most checks it failed for one,
    // every check it failed).
    let mut seen: BTreeMap<String, (usize, usize, BTreeSet<String>)> = BTreeMap::new();
    for report in reports {
        let mut own: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for task in &report.tasks {
            let failed = task
                .checks
                .iter()
                .filter(|c| c.status == Status::Fail && !task.lost_to_build(c));
            for check in failed {
                let mistake = match &check.cause {
                    Some(cause) => format!(
                        "{}: the {} {}",
                        task.task,
                        cause.program,
                        cause.kind.words()
                    ),
                    None if check.visibility.is_visible() => check.id.clone(),
                    // The class page is the instructor's: a check students
                    // are not shown says so.
                    None => format!("{} ({})", check.id, check.visibility.as_str()),
                };
                own.entry(mistake).or_default().push(&check.id);
            }
        }
        for (mistake, checks) in own {
            let entry = seen.entry(mistake).or_default();
            entry.0 += 1;
            entry.1 = entry.1.max(checks.len());
            entry.2.extend(checks.into_iter().map(String::from));
        }
    }
    let mut ranked: Vec<Mistake> = seen
        .into_iter()
        .map(|(name, (students, most, checks))| Mistake {
            name,
            students,
            most,
            checks: checks.into_iter().collect(),
        })
        .collect();
    ranked.sort_by(|a, b| b.students.cmp(&a.students).then(a.name.cmp(&b.name)));
    ranked
}

/// A mistake of the class: a cause in words (or a check's id, when the
/// failure has no cause), how many students made it, the most checks it
/// cost one of them, and every check it failed.
#[derive(Debug, PartialEq)]
struct Mistake {
    name: String,
    students: usize,
    most: usize,
    checks: Vec<String>,
}

/// The class's most common mistakes as a bar chart.
fn failures(reports: &[&Report]) -> String {
    let ranked = mistakes(reports);
    if ranked.is_empty() {
        return "<p>No check was failed.</p>\n".to_string();
    }
    let total = reports.len().max(1);
    let longest = ranked
        .iter()
        .map(|m| m.name.chars().count())
        .max()
        .unwrap_or(0);
    // Monospace at 12 px is about 7.3 px a character.
    let (row, label, chart) = (22, (longest * 73 / 10 + 12).max(260), 300);
    let height = ranked.len() * row + 10;
    let mut svg = format!(
        "<svg id=\"failures\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\" \
         aria-label=\"failed checks\">\n",
        label + chart + 80
    );
    for (i, mistake) in ranked.iter().enumerate() {
        let (count, checks) = (mistake.students, mistake.most);
        let y = 5 + i * row;
        let w = count * chart / total;
        // Pointing at a row shows the checks the mistake failed.
        let _ = writeln!(
            svg,
            "<g><title>checks: {}</title>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\" font-family=\"monospace\">{}</text>\
             <rect class=\"bar\" x=\"{}\" y=\"{y}\" width=\"{w}\" height=\"{}\" fill=\"#d9534f\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\">{count} of {total}{}</text></g>",
            esc(&mistake.checks.join(", ")),
            label - 6,
            y + 14,
            esc(&mistake.name),
            label,
            row - 6,
            label + w + 6,
            y + 14,
            if checks > 1 {
                format!(", {checks} checks each")
            } else {
                String::new()
            }
        );
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Cause, CauseKind, Role};
    use crate::report::{Build, CheckReport, TaskReport};

    fn check(id: &str, status: Status, cause: Option<CauseKind>) -> CheckReport {
        CheckReport {
            id: id.into(),
            title: String::new(),
            role: Role::Server,
            status,
            points: 0,
            max_points: 1,
            message: String::new(),
            hint: String::new(),
            duration_ms: 0,
            expected: None,
            actual: None,
            transcript: Vec::new(),
            cause: cause.map(|kind| Cause {
                kind,
                program: "server".into(),
                detail: String::new(),
            }),
            flaky: false,
            visibility: Default::default(),
        }
    }

    fn student(checks: Vec<CheckReport>) -> Report {
        Report::new(vec![TaskReport::new(
            "task02_greeting",
            Build::Ok,
            Vec::new(),
            checks,
        )])
    }

    #[test]
    fn grades_csv_names_are_never_formulas_and_scores_stay_numbers() {
        let graded = student(vec![check("task02.client.crlf", Status::Pass, None)]);
        let row = |student, report| Row {
            student,
            status: Standing::Graded,
            reason: "",
            report,
            link: String::new(),
        };
        let rows = [
            row("=2+3", Some(&graded)),
            row("@SUM(A1)", None),
            row("-1", None),
            row("evil\x1b[2J", None),
            row("ana.lima@uni", None),
        ];
        let text = csv(&["task02_greeting"], &rows).unwrap();
        let cells: Vec<Vec<String>> = ::csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().take(3).map(String::from).collect())
            .collect();
        assert_eq!(
            cells,
            [
                ["'=2+3", "0", "0"],
                ["'@SUM(A1)", "", ""],
                ["'-1", "", ""],
                [r"evil\u{1b}[2J", "", ""],
                ["ana.lima@uni", "", ""],
            ]
        );
    }

    #[test]
    fn a_mistake_students_are_not_shown_says_so() {
        let mut hidden = check("task02.client.crlf", Status::Fail, None);
        hidden.visibility = crate::policy::Visibility::Hidden;
        let ranked = mistakes(&[&student(vec![hidden])]);
        assert_eq!(
            ranked,
            [Mistake {
                name: "task02.client.crlf (hidden)".to_string(),
                students: 1,
                most: 1,
                checks: vec!["task02.client.crlf".to_string()],
            }]
        );
    }

    #[test]
    fn checks_failed_for_one_cause_are_one_mistake() {
        let ignores = Some(CauseKind::IgnoresPort);
        let ana = student(vec![
            check("task02.server.listening", Status::Fail, ignores),
            check("task02.server.restarts", Status::Fail, ignores),
            check("task02.server.greeting_default", Status::Fail, ignores),
            check("task02.client.crlf", Status::Fail, None),
        ]);
        let ben = student(vec![
            check("task02.server.listening", Status::Fail, ignores),
            check("task02.server.restarts", Status::Fail, ignores),
            check("task02.client.crlf", Status::Pass, None),
        ]);
        let ranked = mistakes(&[&ana, &ben]);
        let named: Vec<(&str, usize, usize)> = ranked
            .iter()
            .map(|m| (m.name.as_str(), m.students, m.most))
            .collect();
        assert_eq!(
            named,
            vec![
                ("task02_greeting: the server ignores --port", 2, 3),
                ("task02.client.crlf", 1, 1),
            ]
        );
        assert_eq!(
            ranked[0].checks,
            [
                "task02.server.greeting_default",
                "task02.server.listening",
                "task02.server.restarts"
            ]
        );
        let chart = failures(&[&ana, &ben]);
        assert!(chart.contains("2 of 2, 3 checks each"), "{chart}");
        // The checks are named once, in the row's title, not as rows.
        assert_eq!(
            chart.matches("task02.server.restarts").count(),
            1,
            "{chart}"
        );
        assert!(chart.contains("<title>checks: task02.server.greeting_default, task02.server.listening, task02.server.restarts</title>"), "{chart}");
    }
}

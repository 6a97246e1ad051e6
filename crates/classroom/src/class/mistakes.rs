//! The class's most common mistakes, build failures among them.

use super::not_handed_in;
use crate::check::Status;
use crate::report::html::esc;
use crate::report::Report;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// The mistakes of the class, most common first: how many graded students
/// made each, and in how many checks. A failure with a cause (the server
/// ignores --port, is not implemented yet…) is one mistake however many
/// checks it failed; any other failed check is a mistake of its own. A
/// binary that did not build is one mistake (`task02_greeting:
/// task02-client did not build`), carrying the checks it cost, which are
/// not counted again one by one: that would bury the mistakes worth a
/// lecture. A task not handed in is no mistake.
fn mistakes(reports: &[&Report]) -> Vec<Mistake> {
    // Mistake → (students who made it, the most checks it failed for one,
    // every check it failed).
    let mut seen: BTreeMap<String, (usize, usize, BTreeSet<String>)> = BTreeMap::new();
    for report in reports {
        let mut own: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for task in &report.tasks {
            if task.build == crate::report::Build::Failed && !not_handed_in(task) {
                let lost: Vec<&str> = task
                    .checks
                    .iter()
                    .filter(|c| task.lost_to_build(c))
                    .map(|c| c.id.as_str())
                    .collect();
                let mistake = format!("{}: {} did not build", task.task, task.unbuilt_names());
                own.entry(mistake).or_default().extend(lost);
            }
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
pub(super) fn failures(reports: &[&Report]) -> String {
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
    use super::super::{csv, Row};
    use super::*;
    use crate::check::{Cause, CauseKind, Role};
    use crate::report::{Build, CheckReport, TaskReport};
    use crate::standing::Standing;

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

    fn row<'a>(student: &'a str, name: &'a str, report: Option<&'a Report>) -> Row<'a> {
        Row {
            student,
            name,
            late: false,
            status: Standing::Graded,
            reason: "",
            report,
            grades: vec![report.map_or(String::new(), |r| r.score.to_string())],
            link: format!("students/{student}/report.html"),
            feedback: None,
        }
    }

    #[test]
    fn grades_csv_names_are_never_formulas_and_scores_stay_numbers() {
        let graded = student(vec![check("task02.client.crlf", Status::Pass, None)]);
        let rows = [
            row("=2+3", "Ana", Some(&graded)),
            row("@SUM(A1)", "=HYPERLINK(1)", None),
            row("-1", "", None),
            row("evil\x1b[2J", "", None),
            row("ana.lima@uni", "Ana Lima", None),
        ];
        let text = csv(&["task02_greeting"], &["grade"], &rows).unwrap();
        let cells: Vec<Vec<String>> = ::csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|r| {
                let r = r.unwrap();
                [0, 1, 3, 4, 6].iter().map(|&i| r[i].to_string()).collect()
            })
            .collect();
        assert_eq!(
            cells,
            [
                ["'=2+3", "Ana", "0", "0", "0"],
                ["'@SUM(A1)", "'=HYPERLINK(1)", "", "", ""],
                ["'-1", "", "", "", ""],
                [r"evil\u{1b}[2J", "", "", "", ""],
                ["ana.lima@uni", "Ana Lima", "", "", ""],
            ]
        );
    }

    #[test]
    fn grades_csv_tells_late_not_handed_in_and_failed_apart() {
        let failed = check("task02.client.crlf", Status::Fail, None);
        let mut missing = TaskReport::new(
            "task03_echo",
            Build::Failed,
            vec![format!("error: {}", crate::submission::NO_FOLDER)],
            vec![check("task03.server.echo", Status::Fail, None)],
        );
        missing.unbuilt = Vec::new();
        let report = Report::new(vec![
            TaskReport::new("task02_greeting", Build::Ok, Vec::new(), vec![failed]),
            missing,
        ]);
        let mut ana = row("ana_1001", "Ana Lima", Some(&report));
        ana.late = true;
        ana.reason = "not handed in: task03_echo";
        ana.feedback = Some("students/ana_1001/feedback.html".into());
        let mut bo = row("bo", "Bo", None);
        bo.status = Standing::NoSubmission;
        let text = csv(&["task02_greeting", "task03_echo"], &["grade"], &[ana, bo]).unwrap();
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            [
                "student",
                "name",
                "late",
                "task02_greeting",
                "task03_echo",
                "total",
                "max",
                "grade",
                "status",
                "reason",
                "report",
                "feedback"
            ]
        );
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        assert_eq!(
            rows,
            [
                vec![
                    "ana_1001",
                    "Ana Lima",
                    "yes",
                    // Failed: 0 points. Not handed in: no points at all.
                    "0",
                    "",
                    "0",
                    "2",
                    "0",
                    "graded",
                    "not handed in: task03_echo",
                    "students/ana_1001/report.html",
                    "students/ana_1001/feedback.html"
                ],
                vec![
                    "bo",
                    "Bo",
                    "no",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "no submission",
                    "",
                    "students/bo/report.html",
                    ""
                ]
            ]
        );
        // The page: the name beside the key, late, not handed in apart.
        let page = super::super::index(
            "t",
            &["task02_greeting", "task03_echo"],
            &["grade"],
            &[row("x", "X", Some(&report))],
            &["grades.csv".into(), "gradebook-canvas.csv".into()],
        );
        assert!(
            page.contains("<td class=\"num muted\" data-value=\"-1\">not handed in</td>"),
            "{page}"
        );
        assert!(
            page.contains("<td class=\"num fail\" data-value=\"0\">0/1</td>"),
            "{page}"
        );
        assert!(
            page.contains("<a href=\"gradebook-canvas.csv\">gradebook-canvas.csv</a>"),
            "{page}"
        );
        assert!(page.contains("<td>X</td>"), "{page}");
        // Not handing in a task is no mistake.
        assert!(!page.contains("task03_echo did not build"), "{page}");
    }

    #[test]
    fn a_build_failure_is_one_of_the_most_common_mistakes() {
        let mut lost = check("task02.client.crlf", Status::Fail, None);
        lost.role = Role::Client;
        let mut task = TaskReport::new(
            "task02_greeting",
            Build::Failed,
            vec!["error[E0425]: cannot find value `x`".into()],
            vec![lost],
        );
        task.unbuilt = vec![Role::Client];
        let report = Report::new(vec![task]);
        let ranked = mistakes(&[&report, &report]);
        assert_eq!(
            ranked,
            [Mistake {
                name: "task02_greeting: task02-client did not build".to_string(),
                students: 2,
                most: 1,
                checks: vec!["task02.client.crlf".to_string()],
            }]
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

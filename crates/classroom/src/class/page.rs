//! `index.html`: the class's table, its total scores and its mistakes.

use super::mistakes::failures;
use super::{not_handed_in, Row};
use crate::report::html::{esc, page};
use crate::report::Report;
use crate::standing::Standing;
use std::collections::BTreeMap;
use std::fmt::Write;

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

/// A paragraph saying how the class's code was confined: in red when any
/// submission ran without a sandbox.
fn sandboxing(graded: &[&Report]) -> String {
    use crate::report::Mode;
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

/// `index.html` for the class; `files` are the results files beside it
/// (`grades.csv`, the gradebooks and feedback zips), linked at the top.
pub fn index(
    title: &str,
    tasks: &[&str],
    grades: &[&str],
    rows: &[Row],
    files: &[String],
) -> String {
    let graded: Vec<&Report> = rows.iter().filter_map(|r| r.report).collect();
    let mut body = format!("<h1>{}</h1>\n", esc(title));
    let handed_in: Vec<&Row> = rows
        .iter()
        .filter(|r| r.status != Standing::NoSubmission)
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for row in &handed_in {
        *counts.entry(row.status.as_str()).or_default() += 1;
    }
    let counts: Vec<String> = counts
        .iter()
        .map(|(status, n)| format!("{n} {status}"))
        .collect();
    let missing = rows.len() - handed_in.len();
    let _ = writeln!(
        body,
        "<p id=\"counts\">{} students. Handed in: {} ({}). Not handed in: {missing}. Click a column heading to sort.</p>",
        rows.len(),
        handed_in.len(),
        counts.join(", ")
    );
    if !files.is_empty() {
        let links: Vec<String> = files
            .iter()
            .map(|f| format!("<a href=\"{0}\">{0}</a>", esc(f)))
            .collect();
        let _ = writeln!(body, "<p id=\"files\">Files: {}</p>", links.join(", "));
    }
    body.push_str(&sandboxing(&graded));

    body.push_str("<table id=\"students\">\n<thead><tr><th data-sort=\"text\">student</th><th data-sort=\"text\">name</th><th data-sort=\"text\">late</th>");
    let numbers = tasks.iter().chain(&["total"]).chain(grades);
    for heading in numbers {
        let _ = write!(
            body,
            "<th data-sort=\"num\" class=\"num\">{}</th>",
            esc(heading)
        );
    }
    body.push_str("<th data-sort=\"text\">status</th><th data-sort=\"text\">reason</th><th>feedback</th></tr></thead>\n<tbody>\n");
    for row in rows {
        let _ = write!(
            body,
            "<tr data-status=\"{}\"><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td>",
            esc(row.status.as_str()),
            esc(&row.link),
            esc(row.student),
            esc(row.name),
            if row.late { "late" } else { "" }
        );
        for task in tasks {
            body.push_str(&task_cell(row, task));
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
        for grade in &row.grades {
            let _ = write!(body, "<td class=\"num\">{}</td>", esc(grade));
        }
        let _ = write!(
            body,
            "<td>{}</td><td>{}</td>",
            esc(row.status.as_str()),
            esc(row.reason)
        );
        match &row.feedback {
            Some(link) => {
                let _ = writeln!(body, "<td><a href=\"{}\">feedback</a></td></tr>", esc(link));
            }
            None => body.push_str("<td></td></tr>\n"),
        }
    }
    body.push_str("</tbody>\n</table>\n");

    body.push_str("<h2>Total scores</h2>\n");
    body.push_str(&histogram(&graded));
    body.push_str("<h2>Most common mistakes</h2>\n");
    body.push_str(&failures(&graded));
    let _ = writeln!(body, "<script>{SORTING}</script>");
    page(title, &body)
}

/// A task's cell: its points, in red when some were lost, or "not handed
/// in" (muted: no check failed, there was nothing to grade).
fn task_cell(row: &Row, task: &str) -> String {
    let cell = row
        .report
        .and_then(|r| r.tasks.iter().find(|t| t.task == task));
    match cell {
        Some(t) if not_handed_in(t) => {
            "<td class=\"num muted\" data-value=\"-1\">not handed in</td>".to_string()
        }
        Some(t) => {
            let class = if t.score == t.max_score {
                "pass"
            } else {
                "fail"
            };
            format!(
                "<td class=\"num {class}\" data-value=\"{}\">{}/{}</td>",
                t.score, t.score, t.max_score
            )
        }
        None => "<td class=\"num muted\" data-value=\"-1\">–</td>".to_string(),
    }
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

/// `index.html` with `names` (files written beside it later, such as
/// `similarity.html`) linked in its list of files, each once.
pub fn link_files(index: &str, names: &[&str]) -> String {
    let mut page = index.to_string();
    for name in names {
        let link = format!("<a href=\"{0}\">{0}</a>", esc(name));
        if page.contains(&link) {
            continue;
        }
        page = match page.find("<p id=\"files\">Files: ") {
            Some(at) => {
                let end = at + page[at..].find("</p>").unwrap_or(0);
                format!("{}, {link}{}", &page[..end], &page[end..])
            }
            None => match page.find("</p>") {
                Some(at) => {
                    let end = at + "</p>".len();
                    format!(
                        "{}\n<p id=\"files\">Files: {link}</p>{}",
                        &page[..end],
                        &page[end..]
                    )
                }
                None => page,
            },
        };
    }
    page
}

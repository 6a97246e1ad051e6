//! One self-contained HTML page per report: no external assets, so it opens
//! from disk or an LMS attachment. Each check that did not pass folds open
//! on click to show what was expected, what happened, the hint and the
//! transcript.

use super::{CheckReport, Report};
use crate::check::Status;
use crate::show;
use std::fmt::Write;

/// The style every page of the grader shares.
pub const STYLE: &str = "
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em; color: #1d1d1f; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #f4f4f6; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.pass { color: #1a7f37; } .fail { color: #cf222e; } .muted { color: #6e6e73; }
li.warning { color: #cf222e; font-weight: bold; }
details summary { cursor: pointer; }
pre { background: #f6f8fa; padding: .6em; overflow-x: auto; white-space: pre-wrap; }
code { font-size: .95em; }
";

/// Text escaped for HTML, its control characters made visible: markup
/// escaping alone leaves an ESC or a bidi override to whatever copies the
/// page's text into a terminal.
pub fn esc(text: &str) -> String {
    html_escape::encode_text(&show::inert_lines(text)).into_owned()
}

/// A whole page around `body`.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

pub fn render(report: &Report, title: &str) -> String {
    let score = format!(
        "Score: <strong id=\"score\">{}/{}</strong>",
        report.score, report.max_score
    );
    with_headline(report, title, &score)
}

/// The page with `headline` (plain text: a student's result) in place of
/// the score.
pub fn render_headed(report: &Report, title: &str, headline: &str) -> String {
    with_headline(
        report,
        title,
        &format!("<strong>{}</strong>", esc(headline)),
    )
}

fn with_headline(report: &Report, title: &str, headline: &str) -> String {
    let report = &report.inert();
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"score\">{headline}</p>\n",
        esc(title)
    );
    let preamble = report.preamble();
    if !preamble.is_empty() {
        body.push_str("<ul class=\"notes\">\n");
        for (warning, line) in &preamble {
            let class = if *warning { " class=\"warning\"" } else { "" };
            let _ = writeln!(body, "<li{class}>{}</li>", esc(line));
        }
        body.push_str("</ul>\n");
    }
    for task in &report.tasks {
        let class = if task.score == task.max_score {
            "pass"
        } else {
            "fail"
        };
        let _ = writeln!(
            body,
            "<h2 id=\"{0}\">{0} <span class=\"{class}\">{1}/{2}</span></h2>",
            esc(&task.task),
            task.score,
            task.max_score
        );
        if !task.build_errors.is_empty() {
            let _ = write!(
                body,
                "<p class=\"fail\">{} did not build:</p>\n<pre>{}</pre>\n",
                esc(&task.unbuilt_names()),
                esc(&task.build_errors.join("\n\n"))
            );
        }
        body.push_str("<table>\n<tr><th></th><th>check</th><th>what it tests</th><th class=\"num\">points</th></tr>\n");
        for check in &task.checks {
            body.push_str(&row(check));
        }
        body.push_str("</table>\n");
    }
    page(title, &body)
}

fn row(check: &CheckReport) -> String {
    let (mark, class) = match check.status {
        Status::Pass => ("✓", "pass"),
        Status::Fail | Status::Error => ("✗", "fail"),
        Status::Skipped => ("–", "muted"),
    };
    let mut what = esc(check.title.as_str());
    if check.status != Status::Pass || check.withheld() {
        let mut details = format!("<p>{}</p>", esc(&check.message));
        for (label, text) in [("expected", &check.expected), ("actual", &check.actual)] {
            if let Some(text) = text {
                let _ = write!(details, "<p>{label}: <code>{}</code></p>", esc(text));
            }
        }
        if !check.hint.is_empty() {
            let _ = write!(details, "<p>hint: {}</p>", esc(&check.hint));
        }
        if !check.transcript.is_empty() {
            let _ = write!(details, "<pre>{}</pre>", esc(&check.transcript.join("\n")));
        }
        what = format!("<details><summary>{what}</summary>{details}</details>");
    }
    if !check.visibility.is_visible() {
        let _ = write!(
            what,
            " <span class=\"muted visibility\">({})</span>",
            check.visibility.words()
        );
    }
    format!(
        "<tr class=\"check {class}\" data-id=\"{id}\" data-status=\"{status}\" data-visibility=\"{visibility}\"><td class=\"{class}\">{mark}</td>\
         <td><code>{id}</code></td><td>{what}</td><td class=\"num\">{}/{}</td></tr>\n",
        check.points,
        check.max_points,
        id = esc(&check.id),
        status = check.status.as_str(),
        visibility = check.visibility.as_str(),
    )
}

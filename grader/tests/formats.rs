//! Every report format, parsed back and checked against the same run.

mod common;

use grader::check::{Role, Status};
use grader::process::Program;
use grader::report::{Build, Format, Report, TaskReport};
use scraper::{Html, Selector};
use std::collections::BTreeMap;

/// A run with passes and failures: task 01 with a server that exits at
/// once, and the reference client.
fn mixed_report() -> Report {
    let server = Program::new(vec![
        "sh".into(),
        "-c".into(),
        "echo oops >&2; exit 3".into(),
    ]);
    let checks = common::grade(1, Some(server), None);
    let report = Report::new(vec![TaskReport::new(
        "task01_connect",
        Build::Ok,
        Vec::new(),
        checks,
    )]);
    assert!(
        report.score > 0 && report.score < report.max_score,
        "{report:#?}"
    );
    report
}

fn statuses(report: &Report) -> BTreeMap<String, Status> {
    report
        .tasks
        .iter()
        .flat_map(|t| &t.checks)
        .map(|c| (c.id.clone(), c.status))
        .collect()
}

fn failed_ids(report: &Report) -> Vec<String> {
    let mut ids: Vec<String> = statuses(report)
        .into_iter()
        .filter(|(_, s)| *s == Status::Fail)
        .map(|(id, _)| id)
        .collect();
    ids.sort();
    ids
}

#[test]
fn the_human_report_marks_each_check() {
    // Verbose: each check on a line of its own, a shared cause or not.
    let report = mixed_report();
    let human = Format::Human.render(&report, true, "t");
    let plain = anstream::adapter::strip_str(&human).to_string();
    for (id, status) in statuses(&report) {
        let mark = if status == Status::Pass { "✓" } else { "✗" };
        assert!(
            plain.contains(&format!("{mark} {id}")),
            "{id} not marked {mark}:\n{plain}"
        );
    }
    assert!(plain.contains(&format!("Total: {}/{}", report.score, report.max_score)));
}

#[test]
fn json_round_trips() {
    let report = mixed_report();
    let text = Format::Json.render(&report, false, "t");
    let back: Report = serde_json::from_str(&text).unwrap();
    assert_eq!(back.score, report.score);
    assert_eq!(back.max_score, report.max_score);
    assert_eq!(statuses(&back), statuses(&report));
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["version"], 1);
    assert_eq!(value["tasks"][0]["build"], "ok");
}

#[test]
fn gradescope_results_carry_every_check() {
    let report = mixed_report();
    let value: serde_json::Value =
        serde_json::from_str(&Format::Gradescope.render(&report, false, "t")).unwrap();
    assert_eq!(value["score"], report.score);
    assert_eq!(value["max_score"], report.max_score);
    let tests = value["tests"].as_array().unwrap();
    assert_eq!(tests.len(), statuses(&report).len());
    for test in tests {
        let id = test["number"].as_str().unwrap();
        let status = statuses(&report)[id];
        let expected = if status == Status::Fail {
            "failed"
        } else {
            "passed"
        };
        assert_eq!(test["status"], expected, "{test:#}");
        assert_eq!(test["visibility"], "visible");
        assert!(test["name"].as_str().unwrap().starts_with(id));
        let points: u64 = if status == Status::Pass {
            test["max_score"].as_u64().unwrap()
        } else {
            0
        };
        assert_eq!(test["score"].as_u64().unwrap(), points);
    }
    let scored: u64 = tests.iter().map(|t| t["score"].as_u64().unwrap()).sum();
    assert_eq!(scored, u64::from(report.score));
}

#[test]
fn junit_has_a_suite_per_task_and_a_case_per_check() {
    let report = mixed_report();
    let xml = Format::Junit.render(&report, false, "t");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 1);
    assert_eq!(suites[0].attribute("name"), Some("task01_connect"));
    let cases: Vec<_> = suites[0]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), statuses(&report).len());
    let mut failed: Vec<String> = cases
        .iter()
        .filter(|case| case.children().any(|n| n.has_tag_name("failure")))
        .map(|case| case.attribute("name").unwrap().to_string())
        .collect();
    failed.sort();
    assert_eq!(failed, failed_ids(&report));
    assert_eq!(
        suites[0].attribute("failures"),
        Some(failed.len().to_string().as_str())
    );
}

#[test]
fn the_html_page_shows_every_check_and_folds_failures() {
    let report = mixed_report();
    let page = Html::parse_document(&Format::Html.render(&report, false, "Ana's <report>"));
    let title = Selector::parse("title").unwrap();
    assert_eq!(
        page.select(&title).next().unwrap().inner_html(),
        "Ana's &lt;report&gt;"
    );
    let score = Selector::parse("#score").unwrap();
    assert_eq!(
        page.select(&score).next().unwrap().inner_html(),
        format!("{}/{}", report.score, report.max_score)
    );
    let rows = Selector::parse("tr.check").unwrap();
    let shown: BTreeMap<String, String> = page
        .select(&rows)
        .map(|row| {
            let v = row.value();
            (
                v.attr("data-id").unwrap().to_string(),
                v.attr("data-status").unwrap().to_string(),
            )
        })
        .collect();
    let wanted: BTreeMap<String, String> = statuses(&report)
        .into_iter()
        .map(|(id, s)| (id, format!("{s:?}").to_lowercase()))
        .collect();
    assert_eq!(shown, wanted);
    let folded = Selector::parse("tr.fail details").unwrap();
    assert_eq!(page.select(&folded).count(), failed_ids(&report).len());
    let external = Selector::parse("link, script[src], img").unwrap();
    assert_eq!(
        page.select(&external).count(),
        0,
        "the page must stand alone"
    );
}

#[test]
fn markdown_and_github_list_each_failure_once() {
    let report = mixed_report();
    let markdown = Format::Markdown.render(&report, false, "t");
    let github = Format::Github.render(&report, false, "t");
    for id in failed_ids(&report) {
        assert_eq!(
            markdown.matches(&format!("| `{id}` |")).count(),
            1,
            "{markdown}"
        );
        assert_eq!(
            github.matches(&format!("::error title={id} ")).count(),
            1,
            "{github}"
        );
    }
    assert_eq!(
        github.lines().filter(|l| l.starts_with("::error")).count(),
        failed_ids(&report).len()
    );
    assert!(markdown.contains(&format!("{}/{}", report.score, report.max_score)));
    assert!(
        github.lines().all(|l| l.starts_with("::")),
        "one command per line: {github}"
    );
}

/// Task 01 with a client that did not compile: the server's checks ran
/// (the server exits at once, so some failed), the client's and the
/// pair's were lost to the build.
fn half_built_report() -> Report {
    let mut report = mixed_report();
    let task = &mut report.tasks[0];
    task.build = Build::Failed;
    task.unbuilt = vec![Role::Client];
    task.build_errors =
        vec!["error[E0308]: mismatched types\n --> task01_connect/src/bin/client.rs:9:5".into()];
    for check in task.checks.iter_mut().filter(|c| c.role != Role::Server) {
        check.status = Status::Fail;
        check.points = 0;
        check.message = "task01-client did not build: error[E0308]: mismatched types".into();
        check.hint.clear();
    }
    task.score = task.checks.iter().map(|c| c.points).sum();
    report.score = task.score;
    report
}

#[test]
fn a_binary_that_did_not_build_is_named_once_and_the_other_is_listed() {
    let report = half_built_report();
    let task = &report.tasks[0];
    let lost: Vec<&str> = task
        .checks
        .iter()
        .filter(|c| task.lost_to_build(c))
        .map(|c| c.id.as_str())
        .collect();
    let ran_and_failed: Vec<&str> = task
        .checks
        .iter()
        .filter(|c| c.status == Status::Fail && !task.lost_to_build(c))
        .map(|c| c.id.as_str())
        .collect();
    assert!(lost.iter().all(|id| !id.contains(".server.")), "{lost:?}");
    assert!(!ran_and_failed.is_empty(), "the server exits at once");

    let human = Format::Human.render(&report, true, "t");
    let plain = anstream::adapter::strip_str(&human).to_string();
    assert!(plain.contains("✗ task01-client did not build"), "{plain}");
    assert!(plain.contains("client.rs:9:5"), "{plain}");
    for id in &ran_and_failed {
        assert!(plain.contains(&format!("✗ {id}")), "{id}:\n{plain}");
    }

    // GitHub: one annotation for the build, one per check that ran and
    // failed, none for the checks lost to the build.
    let github = Format::Github.render(&report, false, "t");
    let errors: Vec<&str> = github
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect();
    assert_eq!(errors.len(), 1 + ran_and_failed.len(), "{github}");
    assert!(
        errors[0].starts_with("::error title=task01-client did not build ("),
        "{github}"
    );
    for id in &lost {
        assert!(!github.contains(&format!("title={id} ")), "{github}");
    }

    let markdown = Format::Markdown.render(&report, false, "t");
    assert!(
        markdown.contains("### task01-client did not build"),
        "{markdown}"
    );
    for id in &lost {
        assert!(!markdown.contains(&format!("| `{id}` |")), "{markdown}");
    }

    let back: Report = serde_json::from_str(&Format::Json.render(&report, false, "t")).unwrap();
    assert_eq!(back.tasks[0].unbuilt, vec![Role::Client]);
    assert!(!back.tasks[0].nothing_built());
}

#[test]
fn every_format_says_what_protected_the_run() {
    let mut report = mixed_report();
    let plain = |format: Format, report: &Report| {
        anstream::adapter::strip_str(&format.render(report, false, "t")).to_string()
    };
    let formats = [
        Format::Human,
        Format::Json,
        Format::Gradescope,
        Format::Github,
        Format::Markdown,
        Format::Html,
    ];
    // Grading one's own workspace: nothing to say.
    for format in formats {
        assert!(!plain(format, &report).contains("sandbox"), "{format:?}");
    }
    report.sandbox = Some(grader::sandbox::Protection::unsandboxed());
    for format in formats {
        let text = plain(format, &report);
        assert!(
            text.contains("NOT sandboxed") || text.contains("\"unsandboxed\""),
            "{format:?}: {text}"
        );
    }
    let html = Format::Html.render(&report, false, "t");
    let page = Html::parse_document(&html);
    let warning = Selector::parse("li.warning").unwrap();
    assert_eq!(page.select(&warning).count(), 1, "{html}");
    let back: Report = serde_json::from_str(&Format::Json.render(&report, false, "t")).unwrap();
    assert_eq!(back.sandbox, report.sandbox);
}

/// Task 01 with a server that answers its command line as clap would and
/// does nothing else: its passes count for nothing (points need work).
fn withheld_report() -> Report {
    let script = r#"case "$1" in
        --version|-V) echo "task01-server 0.1.0" ;;
        --help|-h) echo "usage: task01-server [--host HOST] [--port PORT]" ;;
        --port|--no-such-flag) echo "error: bad argument" >&2; exit 2 ;;
        *) echo "error: nothing written yet" >&2; exit 1 ;;
    esac"#;
    let server = Program::new(vec![
        "sh".into(),
        "-c".into(),
        script.into(),
        "task01-server".into(),
    ]);
    let task = grader::tasks::by_number(1).unwrap();
    let mut checks = common::grade(1, Some(server), None);
    grader::work::withhold(&task, &mut checks);
    Report::new(vec![TaskReport::new(
        "task01_connect",
        Build::Ok,
        Vec::new(),
        checks,
    )])
}

#[test]
fn a_pass_whose_points_do_not_count_says_so_in_every_format() {
    let report = withheld_report();
    let said = "not counted: task01-server passes none of its checks on the wire yet";
    let checks = &report.tasks[0].checks;
    for id in ["task01.server.version", "task01.server.arguments"] {
        let check = checks.iter().find(|c| c.id == id).unwrap();
        assert_eq!(
            (check.status, check.points, check.max_points),
            (Status::Pass, 0, 1),
            "{check:#?}"
        );
        assert_eq!(check.message, said);
    }
    // The reference client's points count: it works on the wire.
    let client: u32 = checks
        .iter()
        .filter(|c| c.role == Role::Client)
        .map(|c| c.points)
        .sum();
    assert!(client > 0 && report.score == client, "{report:#?}");

    let compact =
        anstream::adapter::strip_str(&Format::Human.render(&report, false, "t")).to_string();
    assert!(
        compact.contains(
            "✓ 2 checks passed but are not counted: task01-server passes none of its checks on the wire yet  0/2"
        ),
        "{compact}"
    );
    for format in [
        Format::Human,
        Format::Json,
        Format::Junit,
        Format::Gradescope,
        Format::Github,
        Format::Classroom,
        Format::Markdown,
        Format::Html,
    ] {
        let text = format.render(&report, true, "t");
        assert!(text.contains(said), "{}:\n{text}", format.as_str());
    }
    let github = Format::Github.render(&report, false, "t");
    assert!(
        github.contains(&format!(
            "::warning title=task01_connect%3A points not counted::{said}"
        )),
        "{github}"
    );
}

/// A check of `task` with its points and who sees it.
fn seen_check(
    id: &str,
    status: Status,
    max: u32,
    visibility: grader::policy::Visibility,
) -> grader::report::CheckReport {
    grader::report::CheckReport {
        id: id.into(),
        title: format!("title of {id}"),
        role: Role::Server,
        status,
        points: if status == Status::Pass { max } else { 0 },
        max_points: max,
        message: if status == Status::Pass {
            String::new()
        } else {
            format!("message of {id}")
        },
        hint: String::new(),
        duration_ms: 1,
        expected: None,
        actual: None,
        transcript: Vec::new(),
        cause: None,
        flaky: false,
        visibility,
    }
}

/// Task 02 with two visible checks (3/3 and 0/2), a hidden one (0/7) and
/// one shown after the due date (5/5), and a task 01 all visible (4/4),
/// graded in the sandbox.
fn report_with_secrets(after_due_date: bool) -> Report {
    use grader::policy::Visibility;
    let later = if after_due_date {
        Visibility::AfterDueDate
    } else {
        Visibility::Visible
    };
    let mut report = Report::new(vec![
        TaskReport::new(
            "task01_connect",
            Build::Ok,
            Vec::new(),
            vec![seen_check(
                "task01.server.listening",
                Status::Pass,
                4,
                Visibility::Visible,
            )],
        ),
        TaskReport::new(
            "task02_greeting",
            Build::Ok,
            Vec::new(),
            vec![
                seen_check("task02.server.greets", Status::Pass, 3, Visibility::Visible),
                seen_check("task02.client.crlf", Status::Fail, 2, Visibility::Visible),
                seen_check("task02.client.secret", Status::Fail, 7, Visibility::Hidden),
                seen_check("task02.server.after", Status::Pass, 5, later),
            ],
        ),
    ]);
    report.sandbox = Some(grader::sandbox::Protection {
        mode: grader::sandbox::Mode::Sandboxed,
        layers: vec!["unprivileged user 1015085".into()],
        budget: None,
    });
    report
}

/// The hidden and the after-due-date check, task 02's total and the
/// sandbox's details appear nowhere in `seen`.
fn assert_nothing_kept_is_seen(seen: &[String], what: &str) {
    let all = seen.join("\n");
    for kept in [
        "task02.client.secret",
        "title of task02.client.secret",
        "message of task02.client.secret",
        "task02.server.after",
        "title of task02.server.after",
        // The checks' points, and the totals that hold them: task 02's
        // 8/17, the whole 12/21.
        "0/7",
        "5/5",
        "8/17",
        "12/21",
        "1015085",
        "sandbox",
    ] {
        assert!(!all.contains(kept), "{what} shows {kept:?}:\n{all}");
    }
}

#[test]
fn gradescope_students_see_nothing_of_a_hidden_or_after_due_date_check() {
    let report = report_with_secrets(true);
    let text = Format::Gradescope.render(&report, false, "t");
    let results: serde_json::Value = serde_json::from_str(&text).unwrap();
    // Gradescope gets the grade, and every test with its visibility.
    assert_eq!(
        (&results["score"], &results["max_score"]),
        (&12.into(), &21.into())
    );
    assert_eq!(results["tests"].as_array().unwrap().len(), 5);
    // The sandbox is stated, for the instructor.
    assert_eq!(
        results["extra_data"]["sandbox"]["layers"][0],
        "unprivileged user 1015085"
    );
    let seen = common::gradescope::students_see(&results);
    assert_nothing_kept_is_seen(&seen, "Gradescope");
    // The output begins with the student's result on what they see.
    let output = results["output"].as_str().unwrap();
    assert!(
        output.starts_with("Your result on the checks shown now: 7/9."),
        "{output}"
    );
    assert!(output.contains("task02_greeting: 3/5"), "{output}");
    // The visible checks are there to read.
    assert!(
        seen.iter().any(|s| s == "message of task02.client.crlf"),
        "{seen:#?}"
    );

    // A hidden check alone: one more test, worth nothing, keeps the total
    // from students until grades are published.
    let report = report_with_secrets(false);
    let results: serde_json::Value =
        serde_json::from_str(&Format::Gradescope.render(&report, false, "t")).unwrap();
    let seen = common::gradescope::students_see(&results);
    let all = seen.join("\n");
    assert!(
        !all.contains("task02.client.secret") && !all.contains("0/7"),
        "{all}"
    );
    assert!(!all.contains("17/21") && !all.contains("13/17"), "{all}");
    let extra = results["tests"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&extra["visibility"], &extra["max_score"]),
        (&"after_published".into(), &0.into())
    );

    // All visible: the total is the student's, first thing.
    let mut open = report_with_secrets(false);
    open.tasks[1]
        .checks
        .retain(|c| c.id != "task02.client.secret");
    let open = Report::new(open.tasks.clone());
    let results: serde_json::Value =
        serde_json::from_str(&Format::Gradescope.render(&open, false, "t")).unwrap();
    assert!(results["output"]
        .as_str()
        .unwrap()
        .starts_with("Your score: 12/14"));
    assert_eq!(results["tests"].as_array().unwrap().len(), 4);
}

#[test]
fn feedback_files_show_nothing_of_a_hidden_or_after_due_date_check() {
    let report = report_with_secrets(true);
    let graded = grader::batch::Graded {
        student: "ana".into(),
        standing: grader::batch::Standing::Graded,
        report: Some(report),
        reason: String::new(),
        submitter: grader::lms::Submitter {
            key: "ana".into(),
            name: "Ana Lima".into(),
            ..Default::default()
        },
    };
    let page = grader::lms::feedback::feedback_page(&graded);
    let text: String = Html::parse_document(&page)
        .root_element()
        .text()
        .collect::<Vec<_>>()
        .join(" ");
    assert_nothing_kept_is_seen(&[page.clone(), text.clone()], "the feedback page");
    // The page's first words after its title are the student's result.
    let heading = Selector::parse("h1 + p").unwrap();
    let first = Html::parse_document(&page)
        .select(&heading)
        .next()
        .map(|p| p.text().collect::<String>())
        .unwrap_or_default();
    assert!(
        first.starts_with("Your result on the checks shown here: 7/9."),
        "{first}"
    );
    let comment = grader::lms::feedback::comment(&graded);
    assert_nothing_kept_is_seen(std::slice::from_ref(&comment), "the gradebook comment");
    assert!(comment.contains("task02_greeting 3/5"), "{comment}");
}

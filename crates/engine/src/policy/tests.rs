use super::*;

fn parse(text: &str) -> Result<Policy, String> {
    Policy::parse(text, Path::new("grading.toml")).map_err(|e| e.to_string())
}

#[test]
fn points_weights_and_switches_apply_to_the_tasks() {
    let policy = parse(
        "[tasks.task03_echo]\nweight = 2\n\n[checks.\"task03.server.echo_1mib\"]\npoints = 7\nvisibility = \"hidden\"\n\n[checks.\"task01.client.ipv6\"]\noff = true\n",
    )
    .unwrap();
    let mut tasks = crate::tasks::all();
    let before: Vec<(String, u32)> = tasks
        .iter()
        .flat_map(|t| &t.checks)
        .map(|c| (c.id.clone(), c.points))
        .collect();
    policy.apply(&mut tasks, false);
    let after: BTreeMap<String, u32> = tasks
        .iter()
        .flat_map(|t| &t.checks)
        .map(|c| (c.id.clone(), c.points))
        .collect();
    for (id, points) in before {
        let expected = if id == "task03.server.echo_1mib" {
            Some(14)
        } else if id == "task01.client.ipv6" {
            None
        } else if id.starts_with("task03.") {
            Some(points * 2)
        } else {
            Some(points)
        };
        assert_eq!(after.get(&id).copied(), expected, "{id}");
    }
    assert_eq!(
        policy.visibility("task03.server.echo_1mib"),
        Visibility::Hidden
    );
    assert_eq!(
        policy.visibility("task03.server.closes"),
        Visibility::Visible
    );
}

#[test]
fn a_student_edition_run_alone_leaves_out_what_students_are_not_shown() {
    let text = "edition = \"student\"\n[checks.\"task03.server.echo_1mib\"]\nvisibility = \"after_due_date\"\n";
    let policy = parse(text).unwrap();
    let has = |local| {
        let mut tasks = crate::tasks::all();
        policy.apply(&mut tasks, local);
        tasks
            .iter()
            .flat_map(|t| &t.checks)
            .any(|c| c.id == "task03.server.echo_1mib")
    };
    assert!(!has(true));
    assert!(has(false));
    // The instructor's own file (no `edition`) keeps it in every run.
    let mut tasks = crate::tasks::all();
    parse(&text.replace("edition = \"student\"\n", ""))
        .unwrap()
        .apply(&mut tasks, true);
    assert!(tasks
        .iter()
        .flat_map(|t| &t.checks)
        .any(|c| c.id == "task03.server.echo_1mib"));
}

#[test]
fn mistakes_in_the_file_are_named() {
    let cases = [
        (
            "[checks.\"task03.server.nope\"]\npoints = 1\n",
            "grading.toml: no check `task03.server.nope`; `grader --list` shows every check's id",
        ),
        (
            "[tasks.task09]\nweight = 1\n",
            "grading.toml: no task `task09`; the tasks are",
        ),
        (
            "[checks.\"task03.server.echo_1mib\"]\nvisibility = \"later\"\n",
            "`visibility` of task03.server.echo_1mib is one of visible, hidden, after_due_date, after_published",
        ),
        (
            "[checks.\"task03.server.echo_1mib\"]\npoints = -1\n",
            "`points` of task03.server.echo_1mib is a whole number",
        ),
        (
            "[tasks.task03]\nweigth = 2\n",
            "`tasks.task03.weigth` is not a setting",
        ),
        ("points = 3\n", "`points` is not a setting"),
        (
            "[sandbox]\nmemory = \"lots\"\n",
            "grading.toml: `sandbox.memory` is a size such as \"2 GiB\"",
        ),
        ("sandbox = 3\n", "`sandbox` is a table"),
        ("[checks\n", "grading.toml does not parse"),
    ];
    for (text, expected) in cases {
        let err = parse(text).unwrap_err();
        assert!(err.contains(expected), "{text:?} gave {err:?}");
    }
}

#[test]
fn the_sandbox_table_sets_the_budget_and_keeps_defaults_for_the_rest() {
    let policy = parse("[sandbox]\nmemory = \"3 GiB\"\ncpus = 1.5\n").unwrap();
    assert_eq!(
        policy.sandbox,
        Caps {
            memory: 3 << 30,
            processes: Caps::default().processes,
            cpu_millis: 1500,
        }
    );
    assert_eq!(parse("").unwrap().sandbox, Caps::default());
}

#[test]
fn without_a_file_nothing_changes() {
    // A folder of this test's own (the student edition builds its tests
    // without the tempfile crate).
    let dir = std::env::temp_dir().join(format!("grader-policy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("task03_echo")).unwrap();
    std::fs::write(dir.join("Cargo.lock"), "").unwrap();
    let policy = Policy::load(&dir.join("task03_echo")).unwrap();
    assert_eq!(policy, Policy::default());
    std::fs::write(dir.join(FILE), "[tasks.task03]\nweight = 3\n").unwrap();
    let policy = Policy::load(&dir.join("task03_echo")).unwrap();
    assert_eq!(policy.weights.get("task03_echo"), Some(&3));
    std::fs::remove_dir_all(&dir).unwrap();
}

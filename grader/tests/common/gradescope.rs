//! Gradescope's autograder, as far as the tests need it: what students
//! read of a `results.json`.

/// What a student sees of a `results.json`, before the due date, as
/// Gradescope shows it. Each rule is from Gradescope's autograder
/// specification, `gradescope/autograder_samples` `docs/specs.md`.
pub fn students_see(results: &serde_json::Value) -> Vec<String> {
    let mut seen = Vec::new();
    // specs.md, "File hierarchy": "Any output you wish to show to students
    // must be explicitly put in the JSON "output" field".
    if let Some(output) = results["output"].as_str() {
        seen.push(output.to_string());
    }
    // specs.md, "Controlling standard output visibility": stdout is shown
    // to instructors only, unless `stdout_visibility` says otherwise.
    let stdout = results["stdout_visibility"].as_str().unwrap_or("hidden");
    assert_eq!(
        stdout, "hidden",
        "run_autograder's output is the instructor's"
    );
    // specs.md, "Output format": `extra_data` is "extra data to be
    // stored", shown to no one.
    // specs.md, "Controlling Test Case Visibility": a test's own
    // `visibility` overrides the top level's; `visible` is the default;
    // `hidden` is never shown, `after_due_date` and `after_published` not
    // before then.
    let default = results["visibility"].as_str().unwrap_or("visible");
    let tests = results["tests"].as_array().cloned().unwrap_or_default();
    let visibility =
        |test: &serde_json::Value| test["visibility"].as_str().unwrap_or(default).to_string();
    for test in tests.iter().filter(|t| visibility(t) == "visible") {
        // specs.md, "Output format": a test's name, number, output and its
        // score out of max_score.
        for field in ["name", "number", "output"] {
            if let Some(text) = test[field].as_str() {
                seen.push(text.to_string());
            }
        }
        seen.push(format!("{}/{}", test["score"], test["max_score"]));
    }
    // specs.md: "If test cases are hidden, students will not be able to see
    // their total score"; its earlier text: "Test cases with visibility set
    // to `hidden` don't affect this". Read the narrow way: only a test kept
    // until a date hides the total.
    let total_hidden = tests
        .iter()
        .any(|t| matches!(visibility(t).as_str(), "after_due_date" | "after_published"));
    if !total_hidden {
        seen.push(format!("{}/{}", results["score"], results["max_score"]));
    }
    seen
}

//! The cutting of solution regions, their errors, and what the edition
//! leaves out.

use super::shipped::left_out;
use super::*;

const MARKED: &str = "\
fn main() {
    // BEGIN SOLUTION
    // STARTER: todo!(\"say hello\")
    println!(\"hello\");
    // END SOLUTION
}
// BEGIN SOLUTION
fn helper() {}
// END SOLUTION
";

#[test]
fn regions_become_their_starters() {
    let cut = cut(MARKED, "x.rs").unwrap();
    assert_eq!(cut, "fn main() {\n    todo!(\"say hello\")\n}\n");
}

#[test]
fn reinserting_gives_back_the_original_without_markers() {
    let student = cut(MARKED, "x.rs").unwrap();
    let back = reinsert(MARKED, &student, "x.rs").unwrap();
    assert_eq!(
        back,
        "fn main() {\n    println!(\"hello\");\n}\nfn helper() {}\n"
    );
    let tampered = student.replace("fn main()", "fn main2()");
    assert!(reinsert(MARKED, &tampered, "x.rs").is_err());
}

#[test]
fn marker_errors_name_the_file_and_line() {
    let unclosed = "a\n// BEGIN SOLUTION\nb\n";
    assert_eq!(
        cut(unclosed, "src/bin/server.rs").unwrap_err().to_string(),
        "src/bin/server.rs:2: BEGIN SOLUTION without END SOLUTION"
    );
    let nested = "// BEGIN SOLUTION\n  // BEGIN SOLUTION\n// END SOLUTION\n";
    assert_eq!(
        cut(nested, "c.rs").unwrap_err().to_string(),
        "c.rs:2: BEGIN SOLUTION inside the region opened at line 1"
    );
    let stray = "x\n// END SOLUTION\n";
    assert_eq!(
        cut(stray, "d.rs").unwrap_err().to_string(),
        "d.rs:2: END SOLUTION without BEGIN SOLUTION"
    );
}

#[test]
fn python_regions_use_hash_comments_and_keep_two_blank_lines() {
    let text = "\
import sys


def serve():
    \"\"\"Serve.\"\"\"
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError(\"serve\")
    print(\"served\")
    # END SOLUTION


# BEGIN SOLUTION
def helper():
    pass
# END SOLUTION


def main():
    serve()
";
    let student = cut(text, "server.py").unwrap();
    assert_eq!(
        student,
        "import sys\n\n\ndef serve():\n    \"\"\"Serve.\"\"\"\n    raise NotImplementedError(\"serve\")\n\n\ndef main():\n    serve()\n"
    );
    let back = reinsert(text, &student, "server.py").unwrap();
    assert!(
        !back.contains("SOLUTION") && back.contains("def helper():"),
        "{back}"
    );
    assert_eq!(back.lines().count(), text.lines().count() - 5);
}

#[test]
fn markdown_regions_use_html_comments() {
    let text = "Intro\n<!-- BEGIN SOLUTION -->\nThe answer is 42.\n<!-- END SOLUTION -->\nEnd\n";
    assert_eq!(cut(text, "README.md").unwrap(), "Intro\nEnd\n");
}

#[test]
fn tests_and_the_gallery_are_left_out() {
    assert!(left_out(Path::new("grader/tests/gallery/src/bin/ok.rs")));
    assert!(left_out(Path::new("task03_echo/tests/echo.rs")));
    assert!(left_out(Path::new("grader/benches/servers.rs")));
    assert!(left_out(Path::new("docs/instructors.md")));
    assert!(left_out(Path::new("docs/gradescope/setup.sh")));
    assert!(!left_out(Path::new("docs/concepts.md")));
    assert!(left_out(Path::new("target/debug/x")));
    assert!(left_out(Path::new(".git/HEAD")));
    assert!(!left_out(Path::new(".gitignore")));
    assert!(!left_out(Path::new("task03_echo/src/bin/server.rs")));
    assert!(!left_out(Path::new("docs/tests.md")));
    // The Python references: the Python edition cuts its stubs from them.
    assert!(left_out(Path::new("task03_echo/python/server.py")));
}

#[test]
fn the_editions_grading_toml_is_marked_as_the_students() {
    let instructor = "[checks.\"task03.server.echo_1mib\"]\nvisibility = \"hidden\"\n";
    let edition = student_policy(instructor, Path::new("grading.toml")).unwrap();
    assert!(
        edition.starts_with("# Written by `grader starter`"),
        "{edition}"
    );
    let path = Path::new("grading.toml");
    let read = crate::policy::Policy::parse(&edition, path).unwrap();
    // Alone, the edition runs only what students are shown; a graded
    // submission keeps the hidden check.
    let ids = |local| {
        let mut tasks = crate::tasks::all();
        read.apply(&mut tasks, local);
        tasks
            .iter()
            .flat_map(|t| &t.checks)
            .any(|c| c.id == "task03.server.echo_1mib")
    };
    assert!(!ids(true) && ids(false), "{edition}");
}

//! One submission, graded by a child grader: started from a private,
//! hash-checked copy of this grader, within its budget, its report read
//! back once it and everything it started are dead, from a file in a
//! folder made for it alone (a report has no size a pipe's cap could cut).

use super::{Graded, Options, Standing};
use crate::lms::Submitter;
use crate::process::{Child, Program, Stream};
use crate::report::{Build, Format, Report};
use crate::submission::NO_FOLDER;
use crate::time::Deadline;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a child grader that ran out of time has to stop its programs.
const CLEANUP: Duration = Duration::from_secs(5);

pub(super) fn grade_one(options: &Options, grader: &PrivateGrader, who: &Submitter) -> Graded {
    // What reading the download did with the student's files goes into
    // their report, or, when there is none, beside the reason.
    let graded = |standing, report: Option<Report>, reason: String| {
        let (report, reason) = match report {
            Some(mut report) => {
                report.notes.extend(who.notes.iter().cloned());
                (Some(report), reason)
            }
            None => {
                let said = std::iter::once(reason)
                    .chain(who.notes.iter().cloned())
                    .filter(|r| !r.is_empty());
                (None, said.collect::<Vec<_>>().join("; "))
            }
        };
        Graded {
            student: who.key.clone(),
            standing,
            report,
            reason,
            submitter: who.clone(),
        }
    };
    let Some(path) = &who.path else {
        return graded(Standing::NoSubmission, None, String::new());
    };
    let Some(exe) = grader.checked() else {
        return graded(
            Standing::Error,
            None,
            "the grader's private copy changed; refusing to run it".into(),
        );
    };
    // The child grader (the grader itself, not student code) writes its
    // report here; only this process's user can reach the folder.
    let folder = match tempfile::Builder::new().prefix("grader-report-").tempdir() {
        Ok(folder) => folder,
        Err(e) => {
            return graded(
                Standing::Error,
                None,
                format!("could not make a folder for the report: {e}"),
            )
        }
    };
    let report_file = folder.path().join("report.json");
    let mut argv: Vec<String> = vec![
        exe.display().to_string(),
        "--submission".into(),
        path.display().to_string(),
        "--workspace".into(),
        options.output.workspace.display().to_string(),
        "--timeout-scale".into(),
        options.timeout_scale.to_string(),
        "--format".into(),
        Format::Json.as_str().into(),
        "--output".into(),
        format!("{}={}", Format::Json.as_str(), report_file.display()),
    ];
    if let Some(dir) = &options.target_dir {
        argv.extend(["--target-dir".into(), dir.display().to_string()]);
    }
    for name in &options.allow_crates {
        argv.extend(["--allow-crate".into(), name.clone()]);
    }
    if options.unsandboxed {
        argv.push("--unsandboxed".into());
    }

    let mut child = match Child::spawn(&Program::new(argv), false) {
        Ok(child) => child,
        Err(e) => {
            return graded(
                Standing::Error,
                None,
                format!("could not start the grader: {e}"),
            )
        }
    };
    let status = child.wait(Deadline::after(options.budget));
    // SIGTERM lets the child grader stop the programs it started (each in a
    // process group of its own) before it goes; then its whole group dies.
    child.kill_with_grace(CLEANUP);
    let Some(status) = status else {
        return graded(
            Standing::TimedOut,
            None,
            format!("still grading after {} s", options.budget.as_secs()),
        );
    };
    let said = child.output(Stream::Stderr);
    let complaint = said
        .iter()
        .rev()
        .find_map(|line| line.strip_prefix("grader: "))
        .unwrap_or_default()
        .to_string();
    let report = fs::read_to_string(&report_file)
        .ok()
        .and_then(|text| serde_json::from_str::<Report>(&text).ok());
    match report {
        Some(report) => {
            // A task not handed in scores 0 but is no build failure.
            let (missing, failed): (Vec<_>, Vec<_>) = report
                .tasks
                .iter()
                .filter(|t| t.build == Build::Failed)
                .partition(|t| t.build_errors.iter().all(|e| e.contains(NO_FOLDER)));
            let mut reason: Vec<String> = failed.iter().map(|t| build_failure(t)).collect();
            if !missing.is_empty() {
                let names: Vec<&str> = missing.iter().map(|t| t.task.as_str()).collect();
                reason.push(format!("not handed in: {}", names.join(", ")));
            }
            let standing = if failed.is_empty() {
                Standing::Graded
            } else {
                Standing::DidNotBuild
            };
            graded(standing, Some(report), reason.join("; "))
        }
        None if complaint.starts_with("rejected: ") => graded(
            Standing::Rejected,
            None,
            complaint["rejected: ".len()..].to_string(),
        ),
        None if complaint.starts_with("no task folders found") => {
            let seen = complaint["no task folders found".len()..].trim_start_matches(": ");
            graded(Standing::NoTasks, None, seen.to_string())
        }
        None => graded(
            Standing::Error,
            None,
            format!(
                "the grader ended with {status}{}",
                if complaint.is_empty() {
                    String::new()
                } else {
                    format!(": {complaint}")
                }
            ),
        ),
    }
}

/// How a student with nothing to grade stands: a file the download's
/// reading refused (a link) is rejected; one it could not use (a `.rar`,
/// an empty zip, an entry no LMS names so) has no task files; nothing at
/// all is no submission.
pub(super) fn not_graded(who: &Submitter) -> Standing {
    match &who.reason {
        Some(reason) if reason.starts_with("rejected: ") => Standing::Rejected,
        Some(_) => Standing::NoTasks,
        None => Standing::NoSubmission,
    }
}

/// `task03_echo (first error: expected `;`, found `}`)`
fn build_failure(task: &crate::report::TaskReport) -> String {
    let first = task
        .build_errors
        .first()
        .and_then(|e| e.lines().next())
        .unwrap_or("no error shown");
    format!("{} ({first})", task.unbuilt_names())
}

/// A copy of the grader's executable in a folder only this process's user
/// can reach, checked against its hash before each start: no submission's
/// code can have written what the batch runs.
pub(super) struct PrivateGrader {
    exe: PathBuf,
    hash: blake3::Hash,
    _dir: tempfile::TempDir,
}

impl PrivateGrader {
    pub(super) fn copy(grader: &Path) -> io::Result<PrivateGrader> {
        let dir = tempfile::Builder::new().prefix("grader-batch-").tempdir()?;
        let exe = dir.path().join("grader");
        let bytes = fs::read(grader)?;
        fs::write(&exe, &bytes)?;
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&exe, fs::Permissions::from_mode(0o500))?;
        Ok(PrivateGrader {
            exe,
            hash: blake3::hash(&bytes),
            _dir: dir,
        })
    }

    fn checked(&self) -> Option<&Path> {
        let bytes = fs::read(&self.exe).ok()?;
        (blake3::hash(&bytes) == self.hash).then_some(self.exe.as_path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Output;
    use crate::cli::Written;

    /// A stand-in for the child grader: a script that copies `report` to
    /// the file its `--output json=FILE` names.
    fn fake_grader(dir: &Path, report: &Path) -> PathBuf {
        let script = dir.join("grader.sh");
        fs::write(
            &script,
            format!(
                "#!/bin/sh\nfor arg; do case \"$arg\" in json=*) cp '{}' \"${{arg#json=}}\";; esac; done\n",
                report.display()
            ),
        )
        .unwrap();
        script
    }

    #[test]
    fn a_report_of_any_size_reaches_the_batch() {
        let dir = tempfile::tempdir().unwrap();
        // Four times the cap on a child's captured stdout.
        let mut sent = Report::new(Vec::new());
        sent.notes.push("x".repeat(1 << 20));
        let report = dir.path().join("sent.json");
        fs::write(&report, serde_json::to_string(&sent).unwrap()).unwrap();
        let grader = PrivateGrader::copy(&fake_grader(dir.path(), &report)).unwrap();
        let options = Options {
            dir: dir.path().to_path_buf(),
            output: Output {
                out: dir.path().join("out"),
                workspace: dir.path().to_path_buf(),
                written: Written {
                    format: Vec::new(),
                    roster: None,
                    gradebook: Vec::new(),
                    assignment: String::new(),
                    points_possible: None,
                },
            },
            jobs: 1,
            budget: Duration::from_secs(30),
            grader: PathBuf::new(),
            unsandboxed: true,
            allow_crates: Vec::new(),
            target_dir: None,
            timeout_scale: 1.0,
            shard: None,
        };
        let who = Submitter {
            key: "ana".into(),
            path: Some(dir.path().join("ana")),
            ..Submitter::default()
        };
        let graded = grade_one(&options, &grader, &who);
        assert_eq!(graded.standing, Standing::Graded, "{}", graded.reason);
        let notes = graded.report.map(|r| r.notes).unwrap_or_default();
        let arrived: usize = notes.iter().map(String::len).sum();
        assert!(
            notes == sent.notes,
            "the report did not arrive whole: {arrived} of {} bytes of notes",
            1 << 20
        );
    }

    #[test]
    fn a_student_with_nothing_to_grade_stands_by_the_reason() {
        let who = |reason: Option<&str>| Submitter {
            reason: reason.map(String::from),
            ..Submitter::default()
        };
        assert_eq!(not_graded(&who(None)), Standing::NoSubmission);
        assert_eq!(
            not_graded(&who(Some("lab.zip is empty (0 bytes)"))),
            Standing::NoTasks
        );
        assert_eq!(
            not_graded(&who(Some("rejected: more.zip: symbolic link at x -> /etc"))),
            Standing::Rejected
        );
    }
}

use anyhow::{bail, Context};
use clap::Parser;
use grader::cargo::Workspace;
use grader::cli::{self as args, Batch, Cli, Command, Format, Grade, Submissions};
use grader::process::{self, Program};
use grader::report::Report;
use grader::run::{self, Options, Progress};
use grader::submission::{self, Limits, DEFAULT_ALLOWED};
use grader::tasks::{self, Task};
use grader::time::Timing;
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Ctrl-C or SIGTERM: the children live in their own process groups, so
    // the terminal's signal does not reach them; stop them here. Grading
    // then stops too and writes what it has; give it a moment to.
    let _ = ctrlc::set_handler(|| {
        process::kill_all();
        FINISHED.wait_for(INTERRUPTED_REPORT);
        std::process::exit(130);
    });
    let outcome = match &cli.command {
        Some(Command::Batch(batch)) => grade_class(batch),
        Some(Command::Starter(starter)) => write_starter(starter),
        Some(Command::Autograder(autograder)) => write_autograder(autograder),
        Some(Command::Hint(hint)) => give_hint(hint),
        Some(Command::Watch(watch)) => watch_tasks(watch),
        Some(Command::Bench(bench)) => load_servers(bench),
        Some(Command::Replay(replay)) => replay_check(replay),
        Some(Command::Doctor) => doctor(),
        None => grade(&cli.grade),
    };
    let code = match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("grader: {err:#}");
            2
        }
    };
    FINISHED.set();
    ExitCode::from(if process::stopping() { 130 } else { code })
}

/// How long an interrupted grader has to write the results it has.
const INTERRUPTED_REPORT: Duration = Duration::from_secs(5);

/// Set once the grader has written its report, for the Ctrl-C handler.
static FINISHED: Flag = Flag::new();

/// A flag one thread sets and another waits for, with a time limit.
struct Flag {
    set: std::sync::Mutex<bool>,
    changed: std::sync::Condvar,
}

impl Flag {
    const fn new() -> Self {
        Flag {
            set: std::sync::Mutex::new(false),
            changed: std::sync::Condvar::new(),
        }
    }

    fn set(&self) {
        *self.set.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.changed.notify_all();
    }

    fn wait_for(&self, limit: Duration) {
        let set = self.set.lock().unwrap_or_else(|p| p.into_inner());
        let _ = self.changed.wait_timeout_while(set, limit, |set| !*set);
    }
}

fn grade(cli: &Grade) -> anyhow::Result<u8> {
    let tasks = chosen_tasks(&cli.tasks)?;
    if cli.list {
        emit(&list(&tasks), false)?;
        return Ok(0);
    }
    let server_cmd = command(cli.server_cmd.as_deref(), "--server-cmd")?;
    let client_cmd = command(cli.client_cmd.as_deref(), "--client-cmd")?;
    if (server_cmd.is_some() || client_cmd.is_some()) && tasks.len() != 1 {
        bail!("--server-cmd and --client-cmd grade one task: name it, e.g. `grader task03 --server-cmd 'python3 server.py'`");
    }
    let workspace = workspace(cli.workspace.as_deref())?;
    let untrusted = cli.submission.is_some();
    let unsandboxed = untrusted && cli.submissions.unsandboxed;
    // The jail's folder lives until grading ends.
    let jail = if (untrusted && !unsandboxed) || cli.sandbox {
        Some(enter_sandbox()?)
    } else {
        None
    };
    // A submission is graded in a copy of the student edition that holds
    // the student's task sources; the copy lives until grading ends.
    let laid = match &cli.submission {
        Some(path) => Some(lay_submission(path, &workspace, &tasks, &cli.submissions)?),
        None => None,
    };
    let confined_build = match (&laid, &jail) {
        (Some(laid), Some(_)) => Some(run::ConfinedBuild {
            edition: laid.edition.clone(),
            seeds: laid.places.seeds(),
        }),
        _ => None,
    };
    let options = Options {
        workspace: laid
            .as_ref()
            .map_or(workspace, |laid| laid.laid.workspace.clone()),
        server_cmd,
        client_cmd,
        timing: Timing::new(cli.timeout_scale),
        transcripts: cli.verbose,
        shared_target: laid.as_ref().map(|laid| laid.places.shared.clone()),
        repeat: cli.repeat,
        jail: jail.as_ref().map(|(jail, _)| jail.clone()),
        confined_build,
    };

    let show_progress = cli.format == Format::Human && std::io::stderr().is_terminal();
    let progress = |step: Progress| {
        if show_progress {
            let what = match step {
                Progress::Building => "building the tasks…".to_string(),
                Progress::Checking(check) => format!("checking {}…", check.id),
            };
            eprint!("\r\x1b[2K{what}");
        }
    };
    let mut report = run::grade(&tasks, &options, &progress)?;
    if show_progress {
        eprint!("\r\x1b[2K");
    }
    if let Some(laid) = &laid {
        report.notes.splice(0..0, laid.laid.notes.iter().cloned());
    }
    if unsandboxed {
        report.sandbox = Some(grader::sandbox::Protection::unsandboxed());
    }
    if process::stopping() {
        let run: usize = report.tasks.iter().map(|t| t.checks.len()).sum();
        let all: usize = tasks.iter().map(|t| t.checks.len()).sum();
        report.notes.push(format!(
            "interrupted: {run} of {all} checks ran; the others did not"
        ));
    }
    write_reports(cli, &report)?;
    Ok(report.exit_code())
}

/// A submission laid on the student edition.
struct LaidSubmission {
    laid: submission::Laid,
    /// The student edition it was laid on.
    edition: PathBuf,
    places: submission::Places,
}

/// Lays the submission into a copy of `workspace`'s student edition.
fn lay_submission(
    path: &Path,
    workspace: &Path,
    tasks: &[Task],
    how: &Submissions,
) -> anyhow::Result<LaidSubmission> {
    let instructor = Workspace::open(workspace)?;
    let places = submission::Places::of(&instructor, how.target_dir.as_deref());
    let allowed: BTreeSet<String> = DEFAULT_ALLOWED
        .iter()
        .map(|s| s.to_string())
        .chain(how.allow_crate.iter().cloned())
        .collect();
    // Laid on the student edition: the reference solutions are never in
    // the workspace a submission builds in.
    let edition = submission::edition(&instructor.root, &places.editions)?;
    let laid = submission::lay(path, &edition, tasks, &allowed, &Limits::default())?;
    Ok(LaidSubmission {
        laid,
        edition,
        places,
    })
}

/// Checks that this machine can sandbox, moves this grader into a network
/// of its own, and makes the jail its programs will run in.
fn enter_sandbox() -> anyhow::Result<(grader::sandbox::Jail, tempfile::TempDir)> {
    require_sandbox()?;
    grader::sandbox::net::enter_own_network().context("could not make a network of its own")?;
    let dir = tempfile::Builder::new()
        .prefix("grader-jail-")
        .tempdir()
        .context("could not make the sandbox's folder")?;
    let jail = grader::sandbox::Jail::for_this_grader(dir.path())
        .context("could not make the sandbox's folder")?;
    Ok((jail, dir))
}

/// Fails, saying what is missing, when this machine can't sandbox.
fn require_sandbox() -> anyhow::Result<()> {
    let support = grader::sandbox::support();
    if !support.complete() {
        bail!(
            "this machine cannot sandbox untrusted code: {}. `grader doctor` shows what is missing; \
             `--unsandboxed` grades without a sandbox (the submitted code then runs as you, and every report says so)",
            support.missing()
        );
    }
    Ok(())
}

fn doctor() -> anyhow::Result<u8> {
    let support = grader::sandbox::support();
    let line = |name: &str, result: &Result<(), String>| match result {
        Ok(()) => format!("  ok       {name}\n"),
        Err(why) => format!("  missing  {name}: {why}\n"),
    };
    let mut text = String::from("Sandbox layers for untrusted code on this machine:\n");
    text.push_str(&line(
        "a network namespace per submission (its own loopback)",
        &support.network,
    ));
    text.push_str(&line(
        "programs confined: PID and mount namespaces, landlock (files, signals), a user of their own, limits",
        &support.programs,
    ));
    text.push_str(if support.complete() {
        "Submissions are graded sandboxed.\n"
    } else {
        "Submissions can't be sandboxed here: grading them needs --unsandboxed, and every report will say so.\n"
    });
    emit(&text, false)?;
    Ok(if support.complete() { 0 } else { 1 })
}

/// The report on stdout in `--format`, and in every `--output` file.
fn write_reports(cli: &Grade, report: &Report) -> anyhow::Result<()> {
    let shown = cli.format.render(report, cli.verbose, &cli.title);
    emit(
        &format!("{}\n", shown.trim_end()),
        cli.format == Format::Human,
    )?;
    for (format, file) in &cli.output {
        let text = format.render(report, cli.verbose, &cli.title);
        let text = match format {
            Format::Human => anstream::adapter::strip_str(&text).to_string(),
            _ => text,
        };
        std::fs::write(file, text)
            .with_context(|| format!("could not write {}", file.display()))?;
    }
    // In GitHub Actions, the Markdown summary goes on the run's page.
    if cli.format == Format::Github {
        if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY") {
            use std::io::Write;
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&summary)
                .and_then(|mut file| {
                    file.write_all(
                        Format::Markdown
                            .render(report, false, &cli.title)
                            .as_bytes(),
                    )
                })
                .with_context(|| format!("could not append to {}", summary.to_string_lossy()))?;
        }
    }
    Ok(())
}

fn grade_class(cli: &Batch) -> anyhow::Result<u8> {
    if !cli.submissions.unsandboxed {
        require_sandbox()?;
    }
    let options = grader::batch::Options {
        dir: cli.dir.clone(),
        out: cli.out.clone(),
        jobs: cli.jobs,
        formats: cli.format.clone(),
        budget: Duration::from_secs(cli.budget),
        grader: std::env::current_exe().context("could not find the grader's own executable")?,
        workspace: workspace(cli.workspace.as_deref())?,
        allow_crates: cli.submissions.allow_crate.clone(),
        target_dir: cli.submissions.target_dir.clone(),
        timeout_scale: cli.timeout_scale,
        unsandboxed: cli.submissions.unsandboxed,
    };
    let count = grader::batch::submissions(&cli.dir, &cli.out)?.len();
    let bar = indicatif::ProgressBar::new(count as u64).with_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} graded, {msg} [{elapsed}]")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("0 failed");
    let failed = std::sync::atomic::AtomicUsize::new(0);
    let results = grader::batch::run(&options, &|graded| {
        if graded.standing != grader::batch::Standing::Graded {
            let n = failed.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            bar.set_message(format!("{n} failed"));
        }
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    let mut summary = String::new();
    for graded in &results {
        let score = graded.report.as_ref().map_or("–".to_string(), |r| {
            format!("{}/{}", r.score, r.max_score)
        });
        let reason = if graded.reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", graded.reason)
        };
        summary.push_str(&format!(
            "{:<24} {:>7}  {}{reason}\n",
            graded.student,
            score,
            graded.standing.as_str()
        ));
    }
    summary.push_str(&format!(
        "Wrote {} and {}\n",
        cli.out.join("grades.csv").display(),
        cli.out.join("index.html").display()
    ));
    emit(&summary, false)?;
    // 2 when the grader could not grade a submission (not the student's
    // doing); a batch that graded everyone, however well, succeeded.
    let any_error = results
        .iter()
        .any(|g| g.standing == grader::batch::Standing::Error);
    Ok(if any_error { 2 } else { 0 })
}

fn write_starter(cli: &args::Starter) -> anyhow::Result<u8> {
    let root = Workspace::open(&workspace(cli.workspace.as_deref())?)?.root;
    let edition = grader::starter::write_edition(&root, &cli.out, cli.force)?;
    emit(
        &format!(
            "Wrote the student edition to {}: {} files, {} solution regions cut out.\n\
             Hand out that folder (not a clone of this repository: its history holds the solutions).\n",
            cli.out.display(),
            edition.files,
            edition.regions
        ),
        false,
    )?;
    Ok(0)
}

fn write_autograder(cli: &args::Autograder) -> anyhow::Result<u8> {
    let root = Workspace::open(&workspace(cli.workspace.as_deref())?)?.root;
    let zipped = grader::autograder::write_zip(&root, &cli.out)?;
    emit(
        &format!(
            "Wrote {}: setup.sh, run_autograder and the student edition in source/, {} files, {} solution regions cut out.\n\
             Upload it to Gradescope as a zip-file autograder.\n",
            cli.out.display(),
            zipped.files,
            zipped.regions
        ),
        false,
    )?;
    Ok(0)
}

/// Options to grade the workspace at `dir` as it stands.
fn plain_options(dir: PathBuf, timeout_scale: f64) -> Options {
    Options {
        workspace: dir,
        server_cmd: None,
        client_cmd: None,
        timing: Timing::new(timeout_scale),
        transcripts: true,
        shared_target: None,
        repeat: 1,
        jail: None,
        confined_build: None,
    }
}

fn give_hint(cli: &args::Hint) -> anyhow::Result<u8> {
    let tasks = chosen_tasks(std::slice::from_ref(&cli.task))?;
    let options = plain_options(workspace(cli.workspace.as_deref())?, 1.0);
    let report = run::grade(&tasks, &options, &|_| {})?;
    let task = &report.tasks[0];
    let failed = task
        .checks
        .iter()
        .find(|c| c.status == grader::check::Status::Fail);
    let Some(check) = failed else {
        emit(
            &format!("Every check of {} passes: no hint needed.\n", task.task),
            false,
        )?;
        return Ok(0);
    };
    let mut levels = vec![check.hint.clone()];
    levels.extend(tasks::deeper(&check.id).iter().map(|h| h.to_string()));
    let mut seen = vec![check.message.clone()];
    seen.extend(check.expected.iter().map(|e| format!("expected: {e}")));
    seen.extend(check.actual.iter().map(|a| format!("actual:   {a}")));
    seen.push(format!(
        "Read the hints in {}/README.md and the ideas in docs/concepts.md; `cargo run -p grader -- {} --verbose` shows every step.",
        task.task, task.task
    ));
    levels.push(seen.join("\n"));
    levels.retain(|l| !l.is_empty());
    let shown = usize::from(cli.more).min(levels.len() - 1);
    let mut text = format!("{}: {}\n{}\n\n", check.id, check.title, check.message);
    for (level, hint) in levels.iter().enumerate().take(shown + 1) {
        text.push_str(&format!("Hint {} of {}: {hint}\n", level + 1, levels.len()));
    }
    if shown + 1 < levels.len() {
        let more = "--more ".repeat(shown + 1);
        text.push_str(&format!(
            "\nStuck still? `cargo run -p grader -- hint {} {}` gives the next one.\n",
            cli.task,
            more.trim_end()
        ));
    }
    emit(&text, false)?;
    Ok(0)
}

fn watch_tasks(cli: &args::Watch) -> anyhow::Result<u8> {
    let names: Vec<String> = cli.task.iter().cloned().collect();
    let tasks = chosen_tasks(&names)?;
    let root = Workspace::open(&workspace(cli.workspace.as_deref())?)?.root;
    let folders: Vec<PathBuf> = tasks.iter().map(|t| root.join(t.package)).collect();
    let options = plain_options(root, cli.timeout_scale);
    grader::watch::watch(&folders, |changed| {
        let report = run::grade(&tasks, &options, &|_| {});
        // Clear the screen and start at the top, as a dashboard would.
        let mut text = String::from("\x1b[2J\x1b[H");
        if let Some(path) = changed.first() {
            text.push_str(&format!("changed: {}\n\n", path.display()));
        }
        match report {
            Ok(report) => {
                text.push_str(&grader::report::human::render(&report, false));
                text.push_str(&progress_bar(report.score, report.max_score));
            }
            Err(e) => text.push_str(&format!("grader: {e:#}\n")),
        }
        text.push_str("\nWatching for changes; Ctrl-C to stop.\n");
        let _ = emit(&text, true);
    })?;
    Ok(0)
}

fn replay_check(cli: &args::Replay) -> anyhow::Result<u8> {
    let task = tasks::all()
        .into_iter()
        .find(|t| t.checks.iter().any(|c| c.id == cli.check))
        .with_context(|| format!("no check `{}`; `grader --list` shows them all", cli.check))?;
    let only = vec![task.package.to_string()];
    let mut chosen = chosen_tasks(&only)?;
    chosen[0].checks.retain(|c| c.id == cli.check);
    let mut options = plain_options(workspace(cli.workspace.as_deref())?, cli.timeout_scale);
    options.server_cmd = command(cli.server_cmd.as_deref(), "--server-cmd")?;
    options.client_cmd = command(cli.client_cmd.as_deref(), "--client-cmd")?;
    let report = run::grade(&chosen, &options, &|_| {})?;
    let task = &report.tasks[0];
    let mut text = String::new();
    for error in &task.build_errors {
        text.push_str(&format!("{error}\n"));
    }
    for check in &task.checks {
        text.push_str(&format!("{}: {}\n", check.id, check.title));
        for line in &check.transcript {
            text.push_str(&format!("{line}\n"));
        }
        let verdict = format!("{:?}", check.status).to_lowercase();
        text.push_str(&format!("{verdict} in {} ms", check.duration_ms));
        if !check.status_is_pass() {
            text.push_str(&format!("\n{}", check.details()));
        }
        text.push('\n');
    }
    emit(&text, false)?;
    Ok(report.exit_code())
}

fn load_servers(cli: &args::Bench) -> anyhow::Result<u8> {
    use grader::bench::{self, Load, Protocol};
    let protocol = |task: &Task| match task.number {
        3 => Ok(Protocol::Bytes),
        4 => Ok(Protocol::Lines),
        _ => Err(anyhow::anyhow!(
            "{} has no echo server to load: bench task03 or task04",
            task.package
        )),
    };
    let mut names = vec![cli.task.clone()];
    names.extend(cli.compare.iter().cloned());
    let mut tasks: Vec<Task> = Vec::new();
    for name in &names {
        tasks.extend(chosen_tasks(std::slice::from_ref(name))?);
    }
    let root = Workspace::open(&workspace(cli.workspace.as_deref())?)?;
    let packages: Vec<&str> = tasks.iter().map(|t| t.package).collect();
    let built = match (&cli.addr, cli.release) {
        (Some(_), _) => Default::default(),
        (None, true) => root.build_release(&packages)?,
        (None, false) => root.build(&packages)?,
    };
    let load = |conns| Load {
        conns,
        messages: cli.messages,
        size: cli.size.max(2),
        limit: Duration::from_secs(cli.limit),
    };
    let show_progress = std::io::stderr().is_terminal();
    let mut results = Vec::new();
    for task in &tasks {
        let protocol = protocol(task)?;
        // The server under load: one given by address, or the task's own,
        // started on a free loopback port and stopped when done.
        let (addr, _server) = match &cli.addr {
            Some(addr) => {
                let addr = std::net::ToSocketAddrs::to_socket_addrs(addr.as_str())
                    .with_context(|| format!("could not resolve {addr}"))?
                    .next()
                    .with_context(|| format!("{addr} resolves to no address"))?;
                (addr, None)
            }
            None => {
                let exe = built
                    .executable(&task.server_bin())
                    .with_context(|| format!("{} did not build", task.server_bin()))?;
                let program =
                    Program::from_path(exe).with_args(&["--host", "127.0.0.1", "--port", "0"]);
                let server = grader::check::Server::start(
                    &program,
                    grader::time::Deadline::after(Duration::from_secs(10)),
                )
                .map_err(|o| anyhow::anyhow!("{}: {}", task.server_bin(), o.message))?;
                (server.addr, Some(server))
            }
        };
        let mut levels = Vec::new();
        for &conns in &cli.conns {
            if show_progress {
                eprint!("\r\x1b[2K{}: {conns} clients…", task.package);
            }
            levels.push(bench::run(addr, protocol, load(conns)));
        }
        if show_progress {
            eprint!("\r\x1b[2K");
        }
        emit(
            &format!(
                "{}\n",
                bench::table(&format!("{} at {addr}", task.package), &levels)
            ),
            false,
        )?;
        results.push((task.package, levels));
    }
    if let Some(path) = &cli.plot {
        let series: Vec<(&str, &[bench::Level])> =
            results.iter().map(|(n, l)| (*n, l.as_slice())).collect();
        bench::plot(path, &series)
            .map_err(|e| anyhow::anyhow!("could not draw {}: {e}", path.display()))?;
        emit(&format!("Wrote {}\n", path.display()), false)?;
    }
    let errors: usize = results.iter().flat_map(|(_, l)| l).map(|l| l.errors).sum();
    Ok(if errors == 0 { 0 } else { 1 })
}

/// `[██████░░░░] 60% of full marks`
fn progress_bar(score: u32, max: u32) -> String {
    let share = if max == 0 {
        0.0
    } else {
        f64::from(score) / f64::from(max)
    };
    let filled = (share * 30.0).round() as usize;
    format!(
        "[{}{}] {:.0}% of full marks\n",
        "█".repeat(filled),
        "░".repeat(30 - filled),
        share * 100.0
    )
}

fn chosen_tasks(names: &[String]) -> anyhow::Result<Vec<Task>> {
    let all = tasks::all();
    if names.is_empty() {
        return Ok(all);
    }
    for name in names {
        if !all.iter().any(|task| task.is_named(name)) {
            let known: Vec<&str> = all.iter().map(|t| t.package).collect();
            bail!("no task `{name}`; the tasks are {}", known.join(", "));
        }
    }
    Ok(all
        .into_iter()
        .filter(|task| names.iter().any(|n| task.is_named(n)))
        .collect())
}

fn command(text: Option<&str>, flag: &str) -> anyhow::Result<Option<Program>> {
    let Some(text) = text else { return Ok(None) };
    match shlex::split(text) {
        Some(argv) if !argv.is_empty() => Ok(Some(Program::new(argv))),
        _ => bail!("{flag} `{text}` is not a command line (empty, or unbalanced quotes)"),
    }
}

/// `--workspace`, else the current folder, else the workspace the grader
/// was built in (for a grader run from outside any workspace).
fn workspace(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = given {
        return dir
            .canonicalize()
            .with_context(|| format!("no workspace at {}", dir.display()));
    }
    let here = std::env::current_dir().context("could not read the current folder")?;
    if here.ancestors().any(|dir| dir.join("Cargo.toml").is_file()) {
        return Ok(here);
    }
    Ok(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
}

fn list(tasks: &[Task]) -> String {
    let mut out = String::new();
    for task in tasks {
        out.push_str(&format!(
            "{} ({} points)\n",
            task.package,
            task.max_points()
        ));
        for check in &task.checks {
            let role = format!("{:?}", check.role).to_lowercase();
            out.push_str(&format!(
                "  {:<32} {:<6} {:>2}  {}\n",
                check.id, role, check.points, check.title
            ));
        }
    }
    out
}

/// Writes `text` to stdout (through anstream when `styled`, which drops the
/// colours when stdout is not a terminal). A reader that has gone away, as
/// in `grader --list | head`, is not an error.
fn emit(text: &str, styled: bool) -> anyhow::Result<()> {
    use std::io::Write;
    let written = if styled {
        anstream::stdout().write_all(text.as_bytes())
    } else {
        std::io::stdout().lock().write_all(text.as_bytes())
    };
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("could not write to stdout"),
    }
}

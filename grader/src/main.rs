use anyhow::{bail, Context};
use clap::Parser;
use grader::cli::{Cli, Format};
use grader::process::{self, Program};
use grader::run::{self, Options, Progress};
use grader::tasks::{self, Task};
use grader::time::Timing;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Ctrl-C or SIGTERM: the children live in their own process groups, so
    // the terminal's signal does not reach them; kill them here.
    let _ = ctrlc::set_handler(|| {
        process::kill_all();
        std::process::exit(130);
    });
    match grade(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("grader: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn grade(cli: &Cli) -> anyhow::Result<u8> {
    let tasks = chosen_tasks(&cli.tasks)?;
    if cli.list {
        list(&tasks);
        return Ok(0);
    }
    let server_cmd = command(cli.server_cmd.as_deref(), "--server-cmd")?;
    let client_cmd = command(cli.client_cmd.as_deref(), "--client-cmd")?;
    if (server_cmd.is_some() || client_cmd.is_some()) && tasks.len() != 1 {
        bail!("--server-cmd and --client-cmd grade one task: name it, e.g. `grader task03 --server-cmd 'python3 server.py'`");
    }
    let options = Options {
        workspace: workspace(cli.workspace.as_deref())?,
        server_cmd,
        client_cmd,
        timing: Timing::new(cli.timeout_scale),
        transcripts: cli.verbose,
    };

    let show_progress = cli.format == Format::Human && std::io::stderr().is_terminal();
    let mut progress = |step: Progress| {
        if show_progress {
            let what = match step {
                Progress::Building => "building the tasks…".to_string(),
                Progress::Checking(check) => format!("checking {}…", check.id),
            };
            eprint!("\r\x1b[2K{what}");
        }
    };
    let report = run::grade(&tasks, &options, &mut progress)?;
    if show_progress {
        eprint!("\r\x1b[2K");
    }
    match cli.format {
        Format::Human => {
            anstream::print!("{}", grader::report::human::render(&report, cli.verbose))
        }
        Format::Json => println!("{}", report.to_json()),
    }
    Ok(report.exit_code())
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

fn list(tasks: &[Task]) {
    for task in tasks {
        println!("{} ({} points)", task.package, task.max_points());
        for check in &task.checks {
            let role = format!("{:?}", check.role).to_lowercase();
            println!(
                "  {:<32} {:<6} {:>2}  {}",
                check.id, role, check.points, check.title
            );
        }
    }
}

//! The grader's binary: parse the command line, hand each mode to the
//! library, turn the outcome into an exit code. Ctrl-C is [`signal`]'s.

use clap::Parser;
use grader::cargo::Workspace;
use grader::cli::{self, Batch, Cli, Command};
use grader::output::emit;
use grader::sandbox::doctor;
use grader::{batch, bench, grade, hint, replay, signal, watch};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    signal::install();
    let outcome = match &cli.command {
        Some(Command::Batch(batch)) => grade_class(batch),
        Some(Command::Starter(starter)) => write_starter(starter),
        Some(Command::Autograder(autograder)) => write_autograder(autograder),
        Some(Command::Hint(hint)) => give_hint(hint),
        Some(Command::Watch(watch)) => watch::dashboard(watch),
        Some(Command::Bench(bench)) => bench::load_servers(bench),
        Some(Command::Replay(replay)) => replay_check(replay),
        Some(Command::Doctor) => check_machine(),
        None => grade::grade(&cli.grade),
    };
    let code = match outcome {
        Ok(code) => code,
        Err(err) => {
            // An error may quote a submission's entry or folder name.
            eprintln!("grader: {}", grader::show::inert_lines(&format!("{err:#}")));
            2
        }
    };
    signal::finished();
    ExitCode::from(signal::exit_code(code))
}

fn grade_class(cli: &Batch) -> anyhow::Result<u8> {
    if !cli.submissions.unsandboxed {
        doctor::require()?;
    }
    let options = batch::Options::from_cli(cli)?;
    let download = batch::read(&options)?;
    let books = batch::gradebooks(&options)?;
    let progress = batch::Progress::new(download.handed_in().count());
    let results = batch::run(&options, &download, &books, &|graded| {
        progress.graded(graded)
    })?;
    progress.finish();
    emit(
        &batch::summary(&download, &results, &cli.out, &books),
        false,
    )?;
    Ok(batch::exit_code(&results))
}

fn write_starter(cli: &cli::Starter) -> anyhow::Result<u8> {
    let root = Workspace::open(&cli.workspace.resolve()?)?.root;
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

fn write_autograder(cli: &cli::Autograder) -> anyhow::Result<u8> {
    let root = Workspace::open(&cli.workspace.resolve()?)?.root;
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

fn give_hint(cli: &cli::Hint) -> anyhow::Result<u8> {
    emit(&hint::hint(cli)?, false)?;
    Ok(0)
}

fn replay_check(cli: &cli::Replay) -> anyhow::Result<u8> {
    let replayed = replay::replay(cli)?;
    emit(&replayed.text, false)?;
    Ok(replayed.exit_code)
}

fn check_machine() -> anyhow::Result<u8> {
    let (text, code) = doctor::doctor();
    emit(&text, false)?;
    Ok(code)
}

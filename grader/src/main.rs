//! The grader's binary: parse the command line, hand each mode to the
//! library, turn the outcome into an exit code. Ctrl-C is [`signal`]'s.

use clap::Parser;
use grader::cargo::Workspace;
use grader::cli::{self, Cli, Command};
use grader::output::emit;
use grader::{bench, grade, hint, replay, signal, watch};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Run again by itself to start a jailed program: that, and nothing else.
    #[cfg(classroom)]
    grader::sandbox::launcher::serve_if_asked();
    let cli = Cli::parse();
    signal::install();
    let outcome = match &cli.command {
        Some(Command::Batch(batch)) => grade_class(batch),
        Some(Command::Merge(merge)) => merge_shards(merge),
        Some(Command::Similarity(similarity)) => compare_class(similarity),
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

#[cfg(classroom)]
fn grade_class(cli: &cli::Batch) -> anyhow::Result<u8> {
    use grader::batch;
    use grader::sandbox::doctor;
    if !cli.submissions.unsandboxed {
        doctor::require()?;
    }
    let options = batch::Options::from_cli(cli)?;
    // A mistake in the similarity flags stops the batch before anyone is graded.
    let similarity = grader::similarity::Options::from_cli(
        &cli.out,
        &cli.compare,
        &cli.workspace,
        cli.similarity,
    )?;
    if similarity.is_some() && cli.shard.is_some() {
        anyhow::bail!("similarity needs the whole class: ask `grader merge` for it, not a shard");
    }
    let download = batch::read(&options)?;
    let books = batch::gradebooks(&options.output)?;
    let progress = batch::Progress::new(
        download
            .handed_in()
            .filter(|who| cli.shard.is_none_or(|shard| batch::holds(shard, &who.key)))
            .count(),
    );
    let results = batch::run(&options, &download, &books, &|graded| {
        progress.graded(graded)
    })?;
    progress.finish();
    let summary = match cli.shard {
        Some(shard) => batch::sharded(&download, &results, &cli.out, shard),
        None => batch::summary(&download, &results, &cli.out, &books),
    };
    emit(&summary, false)?;
    if let Some(similarity) = similarity {
        let written = grader::similarity::run(&similarity)?;
        emit(&grader::similarity::summary(&written), false)?;
    }
    Ok(batch::exit_code(&results))
}

#[cfg(classroom)]
fn merge_shards(cli: &cli::Merge) -> anyhow::Result<u8> {
    use grader::batch;
    let similarity = grader::similarity::Options::from_cli(
        &cli.out,
        &cli.compare,
        &cli.workspace,
        cli.similarity,
    )?;
    let output = batch::Output {
        out: cli.out.clone(),
        workspace: cli.workspace.resolve()?,
        written: cli.written.clone(),
    };
    let books = batch::gradebooks(&output)?;
    let results = batch::merge(&cli.shards, &output, &books)?;
    emit(
        &batch::merged(&results, &cli.out, &books, cli.shards.len()),
        false,
    )?;
    if let Some(similarity) = similarity {
        let written = grader::similarity::run(&similarity)?;
        emit(&grader::similarity::summary(&written), false)?;
    }
    Ok(batch::exit_code(&results))
}

#[cfg(classroom)]
fn compare_class(cli: &cli::Similarity) -> anyhow::Result<u8> {
    use grader::similarity::{self, Options};
    let options =
        Options::from_cli(&cli.results, &cli.compare, &cli.workspace, true)?.expect("asked for");
    let written = similarity::run(&options)?;
    emit(&similarity::summary(&written), false)?;
    Ok(0)
}

fn write_starter(cli: &cli::Starter) -> anyhow::Result<u8> {
    let root = Workspace::open(&cli.workspace.resolve()?)?.root;
    let (edition, kind) = match cli.python {
        true => (
            grader::starter::write_python_edition(&root, &cli.out, cli.force)?,
            "the Python student edition",
        ),
        false => (
            grader::starter::write_edition(&root, &cli.out, cli.force)?,
            "the student edition",
        ),
    };
    emit(
        &format!(
            "Wrote {kind} to {}: {} files, {} solution regions cut out.\n\
             Hand out that folder (not a clone of this repository: its history holds the solutions).\n",
            cli.out.display(),
            edition.files,
            edition.regions
        ),
        false,
    )?;
    Ok(0)
}

#[cfg(classroom)]
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

#[cfg(classroom)]
fn check_machine() -> anyhow::Result<u8> {
    let (text, code) = grader::sandbox::doctor::doctor();
    emit(&text, false)?;
    Ok(code)
}

/// Without the classroom's part, its modes say where they run.
#[cfg(not(classroom))]
fn grade_class(_cli: &cli::Batch) -> anyhow::Result<u8> {
    anyhow::bail!("grader batch: {}", cli::NEEDS_LINUX)
}

#[cfg(not(classroom))]
fn merge_shards(_cli: &cli::Merge) -> anyhow::Result<u8> {
    anyhow::bail!("grader merge: {}", cli::NEEDS_LINUX)
}

#[cfg(not(classroom))]
fn compare_class(_cli: &cli::Similarity) -> anyhow::Result<u8> {
    anyhow::bail!("grader similarity: {}", cli::NEEDS_LINUX)
}

#[cfg(not(classroom))]
fn write_autograder(_cli: &cli::Autograder) -> anyhow::Result<u8> {
    anyhow::bail!("grader autograder: {}", cli::NEEDS_LINUX)
}

#[cfg(not(classroom))]
fn check_machine() -> anyhow::Result<u8> {
    anyhow::bail!("grader doctor: {}", cli::NEEDS_LINUX)
}

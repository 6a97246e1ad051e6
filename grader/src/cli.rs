//! The grader's command line: every flag in one place.

use clap::{Parser, ValueEnum};
use std::path::PathBuf;

/// Grades the socket lab tasks by playing the other side of each socket.
#[derive(Parser, Debug)]
#[command(name = "grader", version)]
pub struct Cli {
    /// Tasks to grade (`task03`, `3`, `task03_echo`); all when none is given
    pub tasks: Vec<String>,

    /// List the checks and their points instead of grading
    #[arg(long)]
    pub list: bool,

    /// Report format on stdout
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// The workspace to grade (default: the one the current folder is in)
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,

    /// Grade this command as the server, e.g. 'python3 server.py'; the
    /// grader appends `--host H --port P` and the task's own arguments
    #[arg(long, value_name = "COMMAND")]
    pub server_cmd: Option<String>,

    /// Grade this command as the client, e.g. 'python3 client.py'
    #[arg(long, value_name = "COMMAND")]
    pub client_cmd: Option<String>,

    /// Multiply every timeout by this factor (for slow machines)
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = positive)]
    pub timeout_scale: f64,

    /// Show each check's duration and transcript
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(scale) if scale.is_finite() && scale > 0.0 => Ok(scale),
        _ => Err(format!("`{text}` is not a positive number")),
    }
}

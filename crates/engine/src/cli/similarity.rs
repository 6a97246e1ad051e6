//! The flags of code similarity: `grader similarity`, and what `grader
//! batch --similarity` shares with it.

use super::InstructorWorkspace;
use clap::Args;
use std::path::PathBuf;

/// Comparing a graded class.
#[derive(Args, Debug)]
pub struct Similarity {
    /// A finished batch's --out folder (its students' sources and reports)
    pub results: PathBuf,

    #[command(flatten)]
    pub compare: Compare,

    #[command(flatten)]
    pub workspace: InstructorWorkspace,
}

/// What code similarity writes besides its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Export {
    /// A zip per task that Dolos (dolos.ugent.be) reads, with its info.csv
    Dolos,
}

// What code similarity compares with (`batch --similarity`, `similarity`).
#[derive(Args, Debug)]
pub struct Compare {
    /// Compare the class with these too: earlier batches' --out folders or
    /// folders of known solutions (the workspace's reference solutions
    /// always are); implies --similarity
    #[arg(long, value_name = "DIR", num_args = 1..)]
    pub compare_with: Vec<PathBuf>,

    /// Also write the class's code for another tool (repeatable); implies
    /// --similarity
    #[arg(long, value_enum, value_name = "TOOL")]
    pub similarity_export: Vec<Export>,
}

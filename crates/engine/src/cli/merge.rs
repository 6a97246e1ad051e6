//! The flags of a class graded in shards: `grader batch --shard K/N`, and
//! `grader merge`, which writes what one unsharded batch writes and so
//! shares the batch's flags for what is written.

use super::{Compare, Format, Gradebook, InstructorWorkspace};
use clap::Args;
use std::path::PathBuf;
use std::str::FromStr;

/// Merging shard results.
#[derive(Args, Debug)]
pub struct Merge {
    /// The shard results (each a `batch --shard K/N --out` folder), all N
    #[arg(required = true, num_args = 1..)]
    pub shards: Vec<PathBuf>,

    /// Where to write grades.csv, index.html and one report per student
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    #[command(flatten)]
    pub written: Written,

    /// Also compare the class's code and behaviour (similarity.html,
    /// similarity.csv): evidence of copying to read, never a grade
    #[arg(long)]
    pub similarity: bool,

    #[command(flatten)]
    pub compare: Compare,

    #[command(flatten)]
    pub workspace: InstructorWorkspace,
}

// What a class's results hold besides the reports (`batch`, `merge`).
#[derive(Args, Debug, Clone)]
pub struct Written {
    /// Formats of each student's report (repeatable; html and json are
    /// always written, as index.html and grades.csv are made from them)
    #[arg(long, value_enum)]
    pub format: Vec<Format>,

    /// The class list (CSV with an id column; an LMS's own export works):
    /// names and ids for the gradebook, and "no submission" for whoever
    /// handed nothing in
    #[arg(long, value_name = "FILE.csv")]
    pub roster: Option<PathBuf>,

    /// Also write the grades and feedback files this LMS imports
    /// (repeatable)
    #[arg(long, value_enum, value_name = "LMS")]
    pub gradebook: Vec<Gradebook>,

    /// The assignment in the gradebook: for Canvas, the title or id of a
    /// column `Title (id)` of the --roster export, which is the one filled in
    #[arg(long, value_name = "NAME", default_value = "Socket lab")]
    pub assignment: String,

    /// The assignment's maximum in the LMS (Canvas's Points Possible,
    /// Moodle's Maximum grade), when the --roster export does not say it:
    /// grades are scaled to it
    #[arg(long, value_name = "N")]
    pub points_possible: Option<f64>,
}

/// Shard `k` of `n` (`--shard 2/4`), 1 ≤ k ≤ n.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub k: u32,
    pub n: u32,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || format!("`{text}` is not K/N with 1 ≤ K ≤ N (say 2/4)");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let k: u32 = k.trim().parse().map_err(|_| bad())?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shard_is_k_of_n() {
        assert_eq!("2/4".parse(), Ok(Shard { k: 2, n: 4 }));
        for bad in ["0/4", "5/4", "2", "a/b", "1/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}

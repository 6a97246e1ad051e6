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

impl Shard {
    /// The shard a student's key falls in: the first 8 bytes of the
    /// BLAKE3 hash of the key's UTF-8, read as a little-endian number,
    /// modulo `n`, plus one. A fixed hash, not Rust's randomised one, so a
    /// student stays in the same shard on every run and machine; and a
    /// cryptographic one, whose every bit depends on every byte, so keys
    /// that differ in a digit still spread over the shards.
    pub fn of(key: &str, n: u32) -> u32 {
        let hash = blake3::hash(key.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&hash.as_bytes()[..8]);
        (u64::from_le_bytes(first) % u64::from(n)) as u32 + 1
    }

    /// Whether the student `key` is graded in this shard.
    pub fn holds(self, key: &str) -> bool {
        Shard::of(key, self.n) == self.k
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

    #[test]
    fn the_shard_hash_is_blake3_of_the_key() {
        // BLAKE3 of "" begins af1349b9f5f9a1a6: little-endian, 0xa6a1…af.
        assert_eq!(
            Shard::of("", u32::MAX),
            (0xa6a1_f9f5_b949_13af_u64 % 0xffff_ffff) as u32 + 1
        );
        // Every key falls in exactly one shard.
        let keys: Vec<String> = (0..100).map(|i| format!("student{i}")).collect();
        for key in &keys {
            let holders = (1..=4).filter(|&k| Shard { k, n: 4 }.holds(key)).count();
            assert_eq!(holders, 1, "{key}");
        }
        // A class of 1 000 in 10 and in 50 shards: the largest shard, which
        // sets the wall time, within half again of the mean.
        let class: Vec<String> = (1..=1000).map(|i| format!("s{i:04}")).collect();
        for n in [10, 50] {
            let sizes: Vec<usize> = (1..=n)
                .map(|k| class.iter().filter(|key| Shard::of(key, n) == k).count())
                .collect();
            let largest = sizes.iter().max().copied().unwrap_or_default();
            eprintln!("1000 keys in {n} shards: {sizes:?}");
            assert!(largest * 2 <= 1000 / n as usize * 3, "{sizes:?}");
        }
        // And the shards are not all in one.
        for k in 1..=4 {
            let held = keys
                .iter()
                .filter(|key| Shard { k, n: 4 }.holds(key))
                .count();
            assert!((10..=40).contains(&held), "shard {k} holds {held} of 100");
        }
    }
}

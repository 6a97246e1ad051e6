//! Pairs of sources that share fingerprints, task by task.
//!
//! Each source's fingerprints of a task (all its files of the task
//! together) are indexed: fingerprint → the sources that hold it. What the
//! starter holds anywhere is left out first, then what more of the class
//! holds than [`Settings::common`] allows (the natural way to write a
//! short program). Pairs are counted from the index, never by comparing
//! every two sources, so the work grows with the fingerprints shared, not
//! with the square of the class. Only the pairs that pass the floor get
//! their shared fragments found: runs of equal tokens grown from each
//! shared fingerprint, stopping at code the starter hands out.

use super::tokens::{of_file, Token};
use super::winnow::{kgrams, winnow, K};
use super::{File, Settings, Source};
use std::collections::{HashMap, HashSet};

/// One file of one source, ready to compare.
struct Prepared {
    tokens: Vec<Token>,
    /// Whether each token lies in code the starter hands out.
    handed_out: Vec<bool>,
}

/// A task's sources, fingerprinted.
pub struct TaskIndex {
    files: Vec<Vec<Prepared>>,
    /// Each source's own fingerprints (neither the starter's nor common),
    /// each with where it is: (file, first token).
    prints: Vec<HashMap<u64, Vec<(u16, u32)>>>,
    /// How many of each source's own fingerprints are in Rust files and
    /// how many in Python files.
    by_language: Vec<[usize; 2]>,
}

/// Of `mine` (fingerprints by language), those in the languages `theirs`
/// has too; all of them when the two have no language in common.
pub fn beside(mine: [usize; 2], theirs: [usize; 2]) -> usize {
    match (0..2).filter(|&l| theirs[l] > 0).map(|l| mine[l]).sum() {
        0 => mine.iter().sum(),
        n => n,
    }
}

/// Which count of [`TaskIndex::by_language`] a file's fingerprints go to.
fn language(path: &str) -> usize {
    usize::from(path.ends_with(".py"))
}

/// Two sources that share fingerprints of a task.
#[derive(Debug, Clone)]
pub struct Pair {
    pub task: String,
    /// Indices into the class's sources; `a < b`.
    pub a: usize,
    pub b: usize,
    pub shared: usize,
    /// The share of `a`'s fingerprints that `b` has too, and the reverse.
    pub share_a: f64,
    pub share_b: f64,
    /// Both together: shared fingerprints over the average of both counts;
    /// against a known source, the share of the known source's.
    pub score: f64,
    pub fragments: Vec<Fragment>,
}

/// A run of equal tokens in two sources: file and token range on each side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    pub file_a: usize,
    pub file_b: usize,
    pub a: (usize, usize),
    pub b: (usize, usize),
    pub lines_a: (u32, u32),
    pub lines_b: (u32, u32),
}

impl Fragment {
    pub fn tokens(&self) -> usize {
        self.a.1 - self.a.0
    }

    pub fn lines(&self) -> u32 {
        self.lines_a.1 - self.lines_a.0 + 1
    }
}

impl Pair {
    /// The longest shared fragment: its tokens and lines (of `a`'s side).
    pub fn longest(&self) -> (usize, u32) {
        self.fragments
            .first()
            .map_or((0, 0), |f| (f.tokens(), f.lines()))
    }
}

/// Fingerprints `sources`' files of `task` and indexes them, leaving out
/// what `starter` (the handed-out files of the task) holds and what is
/// common in the class.
pub fn index(task: &str, sources: &[Source], starter: &[File], settings: &Settings) -> TaskIndex {
    let handed_out: HashSet<u64> = starter
        .iter()
        .flat_map(|f| kgrams(&of_file(&f.path, &f.text)))
        .collect();
    let mut files = Vec::with_capacity(sources.len());
    let mut prints: Vec<HashMap<u64, Vec<(u16, u32)>>> = Vec::with_capacity(sources.len());
    for source in sources {
        let mut prepared = Vec::new();
        let mut own: HashMap<u64, Vec<(u16, u32)>> = HashMap::new();
        for (number, file) in source.files(task).iter().enumerate() {
            let tokens = of_file(&file.path, &file.text);
            let hashes = kgrams(&tokens);
            let mut marked = vec![false; tokens.len()];
            for (at, hash) in hashes.iter().enumerate() {
                if handed_out.contains(hash) {
                    marked[at..at + K].iter_mut().for_each(|m| *m = true);
                }
            }
            for print in winnow(&hashes) {
                if !handed_out.contains(&print.hash) {
                    own.entry(print.hash)
                        .or_default()
                        .push((number as u16, print.at));
                }
            }
            prepared.push(Prepared {
                tokens,
                handed_out: marked,
            });
        }
        files.push(prepared);
        prints.push(own);
    }
    // Common: held by more of the class that handed the task in (known
    // sources aside) than allowed.
    let class = sources
        .iter()
        .filter(|s| !s.known && !s.files(task).is_empty())
        .count();
    let allowed = settings.common_limit(class);
    let mut holders: HashMap<u64, usize> = HashMap::new();
    for (source, own) in sources.iter().zip(&prints) {
        if !source.known {
            for hash in own.keys() {
                *holders.entry(*hash).or_default() += 1;
            }
        }
    }
    for own in &mut prints {
        own.retain(|hash, _| holders.get(hash).is_none_or(|n| *n <= allowed));
    }
    let by_language = sources
        .iter()
        .zip(&prints)
        .map(|(source, own)| {
            let files = source.files(task);
            let mut counts = [0; 2];
            for places in own.values() {
                if let Some(file) = places.first().and_then(|(n, _)| files.get(*n as usize)) {
                    counts[language(&file.path)] += 1;
                }
            }
            counts
        })
        .collect();
    TaskIndex {
        files,
        prints,
        by_language,
    }
}

impl TaskIndex {
    /// How many fingerprints of its own `source` has in the task.
    #[cfg(test)]
    pub fn count(&self, source: usize) -> usize {
        self.prints[source].len()
    }

    /// [`TaskIndex::count`] in the languages `other` has too: the two
    /// languages are never alike, so a pair's shares are of what could be
    /// shared (the reference's Python is no part of a Rust student's share).
    fn count_beside(&self, source: usize, other: usize) -> usize {
        beside(self.by_language[source], self.by_language[other])
    }

    /// How many of `source`'s own fingerprints are in Rust files and how
    /// many in Python files.
    pub fn by_language(&self, source: usize) -> [usize; 2] {
        self.by_language[source]
    }

    /// Every pair of `sources` sharing fingerprints, without fragments;
    /// known sources are paired with the class, not each other.
    pub fn pairs(&self, task: &str, sources: &[Source], settings: &Settings) -> Vec<Pair> {
        let mut by_print: HashMap<u64, Vec<u32>> = HashMap::new();
        for (source, own) in self.prints.iter().enumerate() {
            for hash in own.keys() {
                by_print.entry(*hash).or_default().push(source as u32);
            }
        }
        let mut counts: HashMap<(u32, u32), usize> = HashMap::new();
        for holders in by_print.values().filter(|h| h.len() > 1) {
            for (i, &a) in holders.iter().enumerate() {
                for &b in &holders[i + 1..] {
                    if sources[a as usize].known && sources[b as usize].known {
                        continue;
                    }
                    *counts.entry((a.min(b), a.max(b))).or_default() += 1;
                }
            }
        }
        counts
            .into_iter()
            .filter(|(_, shared)| *shared >= settings.min_shared)
            .map(|((a, b), shared)| {
                let (a, b) = (a as usize, b as usize);
                let (na, nb) = (self.count_beside(a, b), self.count_beside(b, a));
                let (share_a, share_b) = (shared as f64 / na as f64, shared as f64 / nb as f64);
                // Against a known source: how much of it the student has,
                // or how much of the student's own code is in it (a
                // student who took one binary of a task's two).
                let score = if sources[a].known || sources[b].known {
                    share_a.max(share_b)
                } else {
                    2.0 * shared as f64 / (na + nb) as f64
                };
                Pair {
                    task: task.to_string(),
                    a,
                    b,
                    shared,
                    share_a,
                    share_b,
                    score,
                    fragments: Vec::new(),
                }
            })
            .collect()
    }

    /// The pairs of `found` whose score reaches `floor`, with their shared
    /// fragments.
    pub fn with_fragments(&self, found: Vec<Pair>, floor: f64) -> Vec<Pair> {
        found
            .into_iter()
            .filter(|pair| pair.score >= floor)
            .map(|mut pair| {
                pair.fragments = self.fragments(pair.a, pair.b);
                pair
            })
            .collect()
    }

    /// The runs of equal tokens `a` and `b` share, longest first: each
    /// grown both ways from a shared fingerprint, while the tokens are
    /// equal and not handed out.
    fn fragments(&self, a: usize, b: usize) -> Vec<Fragment> {
        let mut found: Vec<Fragment> = Vec::new();
        let mut seeds: Vec<(&u64, &Vec<(u16, u32)>)> = self.prints[a].iter().collect();
        seeds.sort_by_key(|(_, at)| at[0]);
        for (hash, at_a) in seeds {
            let Some(at_b) = self.prints[b].get(hash) else {
                continue;
            };
            // A fingerprint repeated many times in one file (a pattern the
            // student repeats) seeds from its first few places only.
            for &(fa, pa) in at_a.iter().take(4) {
                for &(fb, pb) in at_b.iter().take(4) {
                    let (fa, fb, pa, pb) = (fa as usize, fb as usize, pa as usize, pb as usize);
                    let covered = found.iter().any(|f| {
                        f.file_a == fa
                            && f.file_b == fb
                            && (f.a.0..f.a.1).contains(&pa)
                            && f.a.0 as isize - f.b.0 as isize == pa as isize - pb as isize
                    });
                    if !covered {
                        found.extend(self.grow(a, fa, pa, b, fb, pb));
                    }
                }
            }
        }
        found.sort_by_key(|f| std::cmp::Reverse(f.tokens()));
        found
    }

    fn grow(
        &self,
        a: usize,
        fa: usize,
        pa: usize,
        b: usize,
        fb: usize,
        pb: usize,
    ) -> Option<Fragment> {
        let (left, right) = (&self.files[a][fa], &self.files[b][fb]);
        let same = |i: usize, j: usize| {
            left.tokens[i].kind == right.tokens[j].kind
                && !left.handed_out[i]
                && !right.handed_out[j]
        };
        let (mut start_a, mut start_b) = (pa, pb);
        while start_a > 0 && start_b > 0 && same(start_a - 1, start_b - 1) {
            start_a -= 1;
            start_b -= 1;
        }
        let (mut end_a, mut end_b) = (pa, pb);
        while end_a < left.tokens.len() && end_b < right.tokens.len() && same(end_a, end_b) {
            end_a += 1;
            end_b += 1;
        }
        (end_a > start_a).then(|| Fragment {
            file_a: fa,
            file_b: fb,
            a: (start_a, end_a),
            b: (start_b, end_b),
            lines_a: (left.tokens[start_a].line, left.tokens[end_a - 1].line),
            lines_b: (right.tokens[start_b].line, right.tokens[end_b - 1].line),
        })
    }
}

/// Groups of sources joined by pairs: each pair's two sides end in one
/// group (union-find). Groups of two or more, largest first.
pub fn clusters(count: usize, pairs: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..count).collect();
    fn root(parent: &mut [usize], mut at: usize) -> usize {
        while parent[at] != at {
            parent[at] = parent[parent[at]];
            at = parent[at];
        }
        at
    }
    for &(a, b) in pairs {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for at in 0..count {
        let r = root(&mut parent, at);
        groups.entry(r).or_default().push(at);
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    groups.sort_by_key(|g| (std::cmp::Reverse(g.len()), g[0]));
    groups
}

#[cfg(test)]
#[path = "pairs_tests.rs"]
mod tests;

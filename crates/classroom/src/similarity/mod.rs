//! Code similarity across a class: evidence of copying for an instructor
//! to read, never a grade.
//!
//! `grader batch … --similarity`, or `grader similarity RESULTS` on a
//! finished batch, reads each student's task sources (the batch keeps
//! them beside each report, as `sources.json`) and report, and writes
//! `similarity.html` and `similarity.csv` beside the class page, which
//! links them.
//!
//! - Code: each file is lexed by Rust's own lexer ([`tokens`]), or a
//!   Python file by tree-sitter's Python grammar ([`python`]), names and
//!   literal values normalised away, the two languages' tokens never
//!   alike, so Python is compared with Python only; k-grams are hashed and fingerprints
//!   chosen by winnowing ([`winnow`]); what the handed-out starter holds,
//!   and what much of the class holds, is left out; pairs sharing
//!   fingerprints are found through an index, per task, with the shared
//!   fragments, and grouped into clusters ([`pairs`]).
//! - Behaviour: students who fail the same rare checks with the same wrong
//!   output ([`behaviour`]).
//! - Known sources: the kit's reference solutions, and earlier batches or
//!   folders of solutions (`--compare-with`), are compared with the class,
//!   not with each other.
//! - [`page`] writes the page and the CSV; [`dolos`] the zips Dolos reads
//!   (`--similarity-export dolos`); [`sources`] reads and keeps what is
//!   compared.

mod behaviour;
mod dolos;
mod page;
mod pairs;
mod python;
mod sources;
mod tokens;
mod winnow;

pub use behaviour::{groups as behaviour_groups, Evidence, Group};
pub use pairs::{Fragment, Pair};
pub use sources::{keep_sources, read_known, read_results, reference, starter, SOURCES};

use crate::report::Report;
use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SimilarityError {
    #[error("{0} has no students/ folder: is it the --out folder of a grader batch?")]
    NotResults(PathBuf),
    #[error("could not read {path}")]
    Read { path: PathBuf, source: io::Error },
    #[error("could not write {path}")]
    Write { path: PathBuf, source: io::Error },
    #[error("could not read the reference: {0}")]
    Starter(#[from] crate::starter::StarterError),
    #[error("could not write the Dolos export: {0}")]
    Zip(String),
}

/// One source file: its path in the task (`src/bin/server.rs`) and text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct File {
    pub path: String,
    pub text: String,
}

/// What is compared: a student's work, or a known source (the reference, an
/// earlier year's student).
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// The student's key in the class, or the known source's name.
    pub key: String,
    /// The student's name, as the class's results give it.
    pub name: String,
    /// A known source, not a member of the class.
    pub known: bool,
    /// Each task's files, by package name (`task03_echo`).
    pub tasks: BTreeMap<String, Vec<File>>,
    /// The student's report, for behaviour.
    pub report: Option<Report>,
}

impl Source {
    pub fn files(&self, task: &str) -> &[File] {
        self.tasks.get(task).map_or(&[], Vec::as_slice)
    }

    /// How the pages name it: the key, and the name beside it when it says
    /// more.
    pub fn label(&self) -> String {
        if self.name.is_empty() || self.name == self.key {
            self.key.clone()
        } else {
            format!("{} ({})", self.key, self.name)
        }
    }
}

/// The numbers that decide what is shown.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A pair at or above this score is shown, side by side, and clustered.
    pub threshold: f64,
    /// A pair at or above this score is listed in `similarity.csv`.
    pub floor: f64,
    /// A fingerprint more of the class holds than this share (and than
    /// `common_min` students) is the natural way to write it: left out.
    pub common_share: f64,
    pub common_min: usize,
    /// Fewer shared fingerprints than this is no pair at all.
    pub min_shared: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            threshold: 0.6,
            floor: 0.2,
            common_share: 0.2,
            common_min: 10,
            min_shared: 3,
        }
    }
}

impl Settings {
    /// The most students a fingerprint may be held by in a class of `class`.
    pub fn common_limit(&self, class: usize) -> usize {
        self.common_min
            .max((self.common_share * class as f64).ceil() as usize)
    }
}

/// Two sources over all tasks: shared fingerprints over the average of
/// both counts.
#[derive(Debug, Clone)]
pub struct Overall {
    pub a: usize,
    pub b: usize,
    pub score: f64,
    pub shared: usize,
}

/// What the comparison found.
pub struct Analysis {
    pub sources: Vec<Source>,
    pub settings: Settings,
    /// Pairs per task at or above the floor, highest score first.
    pub pairs: Vec<Pair>,
    /// Pairs over all tasks at or above the floor, highest first.
    pub overall: Vec<Overall>,
    /// Sources joined by pairs at or above the threshold.
    pub clusters: Vec<Vec<usize>>,
    pub behaviour: Vec<Group>,
}

/// Compares `sources` task by task; `starter` holds each task's handed-out
/// files (by package), whose code no pair counts.
pub fn analyse(
    sources: Vec<Source>,
    starter: &BTreeMap<String, Vec<File>>,
    settings: Settings,
) -> Analysis {
    let mut tasks: Vec<String> = sources
        .iter()
        .flat_map(|s| s.tasks.keys().cloned())
        .collect();
    tasks.sort();
    tasks.dedup();
    let mut pairs = Vec::new();
    let mut totals = vec![[0usize; 2]; sources.len()];
    let mut together: HashMap<(usize, usize), usize> = HashMap::new();
    for task in &tasks {
        let handed_out = starter.get(task).map_or(&[][..], Vec::as_slice);
        let index = pairs::index(task, &sources, handed_out, &settings);
        for (source, total) in totals.iter_mut().enumerate() {
            let counts = index.by_language(source);
            total[0] += counts[0];
            total[1] += counts[1];
        }
        let found = index.pairs(task, &sources, &settings);
        for pair in &found {
            *together.entry((pair.a, pair.b)).or_default() += pair.shared;
        }
        pairs.extend(index.with_fragments(found, settings.floor));
    }
    pairs.sort_by(|x, y| y.score.total_cmp(&x.score).then(x.task.cmp(&y.task)));
    let mut overall: Vec<Overall> = together
        .into_iter()
        .map(|((a, b), shared)| Overall {
            a,
            b,
            shared,
            score: 2.0 * shared as f64
                / (pairs::beside(totals[a], totals[b]) + pairs::beside(totals[b], totals[a])).max(1)
                    as f64,
        })
        .filter(|o| o.score >= settings.floor)
        .collect();
    overall.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    let joined: Vec<(usize, usize)> = pairs
        .iter()
        .filter(|p| p.score >= settings.threshold)
        .map(|p| (p.a, p.b))
        .collect();
    let clusters = pairs::clusters(sources.len(), &joined);
    let behaviour = behaviour::groups(&sources);
    Analysis {
        sources,
        settings,
        pairs,
        overall,
        clusters,
        behaviour,
    }
}

/// What to compare and where to write, for `grader similarity` and
/// `grader batch --similarity`.
pub struct Options {
    /// The batch's `--out` folder.
    pub results: PathBuf,
    /// The instructor's workspace: its reference solutions are a known
    /// source, its student edition's task files the starter.
    pub workspace: Option<PathBuf>,
    /// Earlier batches' `--out` folders, or folders of known solutions.
    pub compare_with: Vec<PathBuf>,
    /// Also write a zip per task for Dolos.
    pub dolos: bool,
    pub settings: Settings,
}

/// What was written, for the summary.
pub struct Written {
    pub files: Vec<PathBuf>,
    pub pairs_above: usize,
    pub clusters: usize,
    pub behaviour: usize,
}

/// Compares the class in `options.results` and writes `similarity.html`,
/// `similarity.csv` (and Dolos's zips), linked from the class page.
pub fn run(options: &Options) -> Result<Written, SimilarityError> {
    let mut sources = read_results(&options.results)?;
    let mut starter_files = BTreeMap::new();
    if let Some(workspace) = &options.workspace {
        sources.push(reference(workspace)?);
        starter_files = starter(workspace)?;
    }
    for dir in &options.compare_with {
        sources.extend(read_known(dir)?);
    }
    let analysis = analyse(sources, &starter_files, options.settings.clone());
    let out = &options.results;
    let write = |name: &str, bytes: Vec<u8>| -> Result<PathBuf, SimilarityError> {
        let path = out.join(name);
        // A fresh file, never written through a link left in its place.
        let _ = std::fs::remove_file(&path);
        std::fs::write(&path, bytes).map_err(|source| SimilarityError::Write {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    };
    let mut files = vec![
        write(page::HTML, page::html(&analysis).into_bytes())?,
        write(page::CSV, page::csv(&analysis).into_bytes())?,
    ];
    if options.dolos {
        for (name, bytes) in dolos::zips(&analysis.sources, &starter_files)? {
            files.push(write(&name, bytes)?);
        }
    }
    let index = out.join("index.html");
    if let Ok(text) = std::fs::read_to_string(&index) {
        let linked = crate::class::link_files(&text, &[page::HTML, page::CSV]);
        write("index.html", linked.into_bytes())?;
    }
    Ok(Written {
        files,
        pairs_above: analysis
            .pairs
            .iter()
            .filter(|p| p.score >= analysis.settings.threshold)
            .count(),
        clusters: analysis.clusters.len(),
        behaviour: analysis.behaviour.len(),
    })
}

/// What `grader similarity` prints: what was found and where it is.
pub fn summary(written: &Written) -> String {
    use crate::show::count;
    let mut text = format!(
        "{} at or above the threshold, {}, {} sharing rare wrong behaviour.\n\
         Similarity is evidence to read, not a verdict: no grade was changed.\n",
        count(written.pairs_above, "pair"),
        count(written.clusters, "cluster"),
        count(written.behaviour, "group")
    );
    for file in &written.files {
        text.push_str(&format!("Wrote {}\n", file.display()));
    }
    text
}

impl Options {
    /// The options of `grader similarity`, or of `grader batch` when it
    /// compares (`--similarity`, or a flag that implies it); `None` when
    /// it does not.
    pub fn from_cli(
        results: &Path,
        compare: &crate::cli::Compare,
        workspace: &crate::cli::InstructorWorkspace,
        asked: bool,
    ) -> anyhow::Result<Option<Options>> {
        let asked =
            asked || !compare.compare_with.is_empty() || !compare.similarity_export.is_empty();
        if !asked {
            return Ok(None);
        }
        Ok(Some(Options {
            results: results.to_path_buf(),
            workspace: Some(workspace.resolve()?),
            compare_with: compare.compare_with.clone(),
            dolos: compare
                .similarity_export
                .contains(&crate::cli::Export::Dolos),
            settings: Settings::default(),
        }))
    }
}

/// Whether `path` is a finished batch's results folder.
pub fn is_results(path: &Path) -> bool {
    path.join("students").is_dir()
}

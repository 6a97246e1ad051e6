//! What a build produced: each binary's executable, and the compiler's
//! errors by package and by target, kept within caps so that what a report
//! shows of a build is bounded whatever the sources hold.

use cargo_metadata::diagnostic::DiagnosticLevel;
use cargo_metadata::{Message, PackageId};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// How many compiler errors of each target (a binary, the library) are
/// kept for the report, so each failed binary gets its own.
const ERRORS_KEPT: usize = 3;

/// How many compiler errors of a task are kept in all; a note says how
/// many more there were.
const ERRORS_PER_TASK: usize = 10;

/// How much of one compiler error is kept: a `compile_error!` of any size
/// costs a report a few KiB at most.
const ERROR_BYTES: usize = 4096;

/// What a build produced.
#[derive(Debug, Default)]
pub struct Built {
    /// Binary name → executable.
    pub executables: BTreeMap<String, PathBuf>,
    /// Package name → its first compiler errors, rendered.
    pub errors: BTreeMap<String, Vec<String>>,
    /// Target name (a binary's, or the package's library) → its first
    /// compiler errors: which binary of a task failed, and why.
    pub target_errors: BTreeMap<String, Vec<String>>,
}

impl Built {
    /// Takes in one of cargo's messages; an error past the caps is counted
    /// in `cut`, by package, instead.
    pub(super) fn record(
        &mut self,
        message: Message,
        names: &HashMap<PackageId, String>,
        cut: &mut BTreeMap<String, usize>,
    ) {
        match message {
            Message::CompilerArtifact(artifact) => {
                if let Some(exe) = artifact.executable {
                    self.executables
                        .insert(artifact.target.name.to_string(), exe.into_std_path_buf());
                }
            }
            Message::CompilerMessage(message)
                if message.message.level == DiagnosticLevel::Error =>
            {
                // A confined build sees the workspace at another path
                // (`sandbox::build`): the id's last part still names it.
                let tail = |id: &PackageId| id.repr.rsplit('/').next().map(str::to_owned);
                let Some(package) = names.get(&message.package_id).or_else(|| {
                    names
                        .iter()
                        .find(|(id, _)| tail(id) == tail(&message.package_id))
                        .map(|(_, name)| name)
                }) else {
                    return;
                };
                let ours = self
                    .target_errors
                    .entry(message.target.name.clone())
                    .or_default();
                let task = self.errors.entry(package.clone()).or_default();
                if ours.len() >= ERRORS_KEPT || task.len() >= ERRORS_PER_TASK {
                    *cut.entry(package.clone()).or_default() += 1;
                    return;
                }
                let rendered = message.message.rendered.unwrap_or(message.message.message);
                let rendered = cut_short(rendered.trim_end(), ERROR_BYTES);
                ours.push(rendered.clone());
                // Each failed target gets its first errors into the
                // package's list, however many another target had (a
                // task's graded targets, three at most, fit in the cap).
                task.push(rendered);
            }
            _ => {}
        }
    }

    /// Puts each package's errors in the order of its targets' names, and
    /// ends its list with how many were not kept. Targets compile side by
    /// side, so their errors arrive in any order: sorted, one submission's
    /// report reads the same on every run (a regrade, a shard).
    pub(super) fn note_cut(&mut self, cut: BTreeMap<String, usize>) {
        let targets = &self.target_errors;
        for errors in self.errors.values_mut() {
            errors.sort_by_key(|error| {
                targets
                    .values()
                    .position(|kept| kept.contains(error))
                    .unwrap_or(usize::MAX)
            });
        }
        for (package, count) in cut {
            let errors = if count == 1 { "error" } else { "errors" };
            self.errors
                .entry(package)
                .or_default()
                .push(format!("{count} more compiler {errors} not shown"));
        }
    }

    pub fn executable(&self, bin: &str) -> Option<&Path> {
        self.executables.get(bin).map(PathBuf::as_path)
    }

    /// Takes `package`'s compiler errors, and those of its binaries
    /// `bins`, from another build.
    pub fn take_errors(&mut self, from: &Built, package: &str, bins: &[String]) {
        if let Some(errors) = from.errors.get(package) {
            self.errors.insert(package.to_string(), errors.clone());
        }
        for bin in bins {
            if let Some(errors) = from.target_errors.get(bin) {
                self.target_errors.insert(bin.clone(), errors.clone());
            }
        }
    }

    /// Why binary `bin` of `package` was not built: its own compiler
    /// errors, else the package's (its library failed, say).
    pub fn errors_of(&self, bin: &str, package: &str) -> &[String] {
        self.target_errors
            .get(bin)
            .or_else(|| self.errors.get(package))
            .map_or(&[], Vec::as_slice)
    }
}

/// `text` cut to at most `bytes` bytes (on a character boundary), saying
/// how much more there was.
pub(super) fn cut_short(text: &str, bytes: usize) -> String {
    if text.len() <= bytes {
        return text.to_string();
    }
    let mut end = bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} more bytes cut)", &text[..end], text.len() - end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_is_cut_on_a_character_boundary_saying_how_much_went() {
        assert_eq!(cut_short("short", 10), "short");
        assert_eq!(cut_short("ééé", 3), "é… (4 more bytes cut)");
        let cut = cut_short(&"A".repeat(300_000), ERROR_BYTES);
        assert_eq!(
            cut,
            format!("{}… (295904 more bytes cut)", "A".repeat(4096))
        );
    }
}

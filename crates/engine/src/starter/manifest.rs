//! The edition's manifests and `grading.toml`, rewritten for students.

use super::{StarterError, CLASSROOM};
use std::path::Path;

/// The edition's `grading.toml`: the instructor's, marked as the student
/// edition's, so that a student's own run leaves out the checks students
/// are not shown, while a graded submission keeps them.
pub(super) fn student_policy(text: &str, path: &Path) -> Result<String, StarterError> {
    let mut policy: toml_edit::DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| StarterError::Manifest {
                path: path.to_path_buf(),
                reason: e.message().to_string(),
            })?;
    policy.insert("edition", toml_edit::value("student"));
    if let Some(mut key) = policy.key_mut("edition") {
        key.leaf_decor_mut()
            .set_prefix("# Written by `grader starter`: the student edition's copy.\n");
    }
    Ok(policy.to_string())
}

/// A manifest for the student edition: no gallery among the workspace's
/// members, and no dev-dependencies (the tests that need them are not
/// shipped).
pub(super) fn student_manifest(
    text: &str,
    path: &Path,
    classroom: bool,
) -> Result<String, StarterError> {
    let mut manifest = parse_manifest(text, path)?;
    retain_members(&mut manifest, |member| {
        !member.contains("/tests/") && (classroom || member != CLASSROOM)
    });
    manifest.remove("dev-dependencies");
    // The benchmarks need the dev-dependencies (tokio) and are not shipped.
    manifest.remove("bench");
    if !classroom {
        without_classroom_profiles(&mut manifest);
        let grader = manifest
            .get("features")
            .and_then(|f| f.get("classroom"))
            .is_some();
        if grader {
            student_grader(&mut manifest);
        }
    }
    Ok(manifest.to_string())
}

/// The manifest in `text`, read from `path`.
pub(super) fn parse_manifest(
    text: &str,
    path: &Path,
) -> Result<toml_edit::DocumentMut, StarterError> {
    text.parse()
        .map_err(|e: toml_edit::TomlError| StarterError::Manifest {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
}

/// Keeps the workspace's members that `keep` says yes to.
pub(super) fn retain_members(manifest: &mut toml_edit::DocumentMut, keep: impl Fn(&str) -> bool) {
    if let Some(members) = manifest
        .get_mut("workspace")
        .and_then(|w| w.get_mut("members"))
        .and_then(|m| m.as_array_mut())
    {
        members.retain(|member| member.as_str().is_none_or(&keep));
    }
}

/// The classroom's store hashes with blake3, and its similarity parses
/// Python with tree-sitter, none of which the student's grader builds:
/// the root's profile settings for them would warn.
fn without_classroom_profiles(manifest: &mut toml_edit::DocumentMut) {
    if let Some(packages) = manifest
        .get_mut("profile")
        .and_then(|p| p.get_mut("dev"))
        .and_then(|d| d.get_mut("package"))
        .and_then(|p| p.as_table_like_mut())
    {
        for classroom in ["blake3", "tree-sitter", "tree-sitter-python"] {
            packages.remove(classroom);
        }
    }
}

/// The `grader` package's manifest for a student: no classroom part (its
/// feature, its crate, the optional dependencies only it uses), and the
/// engine without what only CI and instructors use (JUnit, the bench's
/// chart).
fn student_grader(manifest: &mut toml_edit::DocumentMut) {
    if let Some(dependencies) = manifest
        .get_mut("dependencies")
        .and_then(|d| d.as_table_like_mut())
    {
        let optional: Vec<String> = dependencies
            .iter()
            .filter(|(_, d)| d.get("optional").and_then(|o| o.as_bool()) == Some(true))
            .map(|(name, _)| name.to_string())
            .collect();
        for name in optional {
            dependencies.remove(&name);
        }
        if let Some(engine) = dependencies
            .get_mut("grader-engine")
            .and_then(|e| e.as_inline_table_mut())
        {
            engine.insert("default-features", false.into());
            engine.fmt();
        }
    }
    manifest.remove("features");
    if let Some(targets) = manifest
        .get_mut("target")
        .and_then(|t| t.as_table_like_mut())
    {
        for (_, target) in targets.iter_mut() {
            if let Some(dependencies) = target
                .get_mut("dependencies")
                .and_then(|d| d.as_table_like_mut())
            {
                dependencies.remove("grader-classroom");
            }
        }
        let emptied: Vec<String> = targets
            .iter()
            .filter(|(_, target)| {
                target
                    .get("dependencies")
                    .and_then(|d| d.as_table_like())
                    .is_some_and(|d| d.is_empty())
            })
            .map(|(name, _)| name.to_string())
            .collect();
        for name in emptied {
            targets.remove(&name);
        }
    }
    if manifest
        .get("target")
        .is_some_and(|t| t.as_table_like().is_some_and(|t| t.is_empty()))
    {
        manifest.remove("target");
    }
}

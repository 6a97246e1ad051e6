//! What the grader asks of this machine before it runs untrusted code, and
//! `grader doctor`, which says what the machine has.

use super::cgroup::{Budget, Caps};
use super::{net, support, Jail};
use anyhow::{bail, Context};

/// Fails, saying what is missing, when this machine can't sandbox.
pub fn require() -> anyhow::Result<()> {
    let support = support();
    if !support.complete() {
        bail!(
            "this machine cannot sandbox untrusted code: {}. `grader doctor` shows what is missing; \
             `--unsandboxed` grades without a sandbox (the submitted code then runs as you, and every report says so)",
            support.missing()
        );
    }
    Ok(())
}

/// Checks that this machine can sandbox, moves this grader into a network
/// of its own, and makes the jail its programs will run in, with a budget
/// of `caps` for them all where the machine has cgroups. The folder holds
/// the jail's files: it must live until grading ends.
pub fn enter(caps: Caps) -> anyhow::Result<(Jail, tempfile::TempDir)> {
    require()?;
    net::enter_own_network().context("could not make a network of its own")?;
    let dir = tempfile::Builder::new()
        .prefix("grader-jail-")
        .tempdir()
        .context("could not make the sandbox's folder")?;
    let mut jail =
        Jail::for_this_grader(dir.path()).context("could not make the sandbox's folder")?;
    jail.budget = Budget::new(caps).map(std::sync::Arc::new);
    // The per-user limit counts every program of the submission too: as
    // high as the budget, so that it never starves what the budget lets
    // through, and the one cap where there is no cgroup.
    jail.limits.processes = caps.processes;
    Ok((jail, dir))
}

/// `grader doctor`: each layer, there or missing and why, and whether
/// submissions can be graded sandboxed here (exit code 0) or not (1).
pub fn doctor() -> (String, u8) {
    let support = support();
    let line = |name: &str, result: &Result<(), String>| match result {
        Ok(()) => format!("  ok       {name}\n"),
        Err(why) => format!("  missing  {name}: {why}\n"),
    };
    let mut text = String::from("Sandbox layers for untrusted code on this machine:\n");
    text.push_str(&line(
        "a network namespace per submission (its own loopback)",
        &support.network,
    ));
    text.push_str(&line(
        "programs confined: PID and mount namespaces, landlock (files, signals), a user of their own, limits",
        &support.programs,
    ));
    text.push_str(&line(super::SECCOMP_LAYER, &support.seccomp));
    text.push_str(&match &support.budget {
        Ok(()) => "  ok       a budget per submission as a whole (cgroup): memory, processes, CPU\n".into(),
        Err(why) => format!(
            "  without  a budget per submission as a whole (cgroup): {why}; grading goes on with per-program limits only\n"
        ),
    });
    text.push_str(if support.complete() {
        "Submissions are graded sandboxed.\n"
    } else {
        "Submissions can't be sandboxed here: grading them needs --unsandboxed, and every report will say so.\n"
    });
    (text, if support.complete() { 0 } else { 1 })
}

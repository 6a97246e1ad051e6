//! The hints of the checks as a Python student reads them: every level of
//! a check's hints worded with Python's calls (`recv()`, `sendall()`,
//! `argparse`, `threading`), for the checks whose own hints name Rust's
//! (`read`, `write_all`, clap, `thread::spawn`). A check not listed here
//! has hints that hold for both languages.
//!
//! Each entry is keyed by the check's full id (`task03.server.echo_text`)
//! or, for the checks every task shares, by its name alone
//! (`server.version`); the full id wins. The tests below make sure that
//! every check a Python binary can fail has Python words for it.

mod every;
mod tcp;
mod udp_chat;

/// A check (its full id or its name) and its hints in Python, every level.
type Wording = (&'static str, &'static [&'static str]);

/// The Python wording of the hints of the check `id` (`task03.server.echo_text`)
/// named `name` (`server.echo_text`), if it has one.
pub(super) fn of(id: &str, name: &str) -> Option<&'static [&'static str]> {
    let find = |key: &str| {
        [every::EVERY, tcp::TCP, udp_chat::UDP_CHAT]
            .into_iter()
            .flatten()
            .find(|(k, _)| *k == key)
            .map(|(_, hints)| *hints)
    };
    find(id).or_else(|| find(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CauseKind, Language};
    use crate::tasks::all;

    /// Words of Rust that a Python student has no use for: a hint holding
    /// one needs a Python wording, and a Python wording may hold none.
    const RUST_ONLY: &[&str] = &[
        "unwrap",
        "expect(",
        "write_all",
        "read_exact",
        "read_line",
        "read_to_end",
        "read_until",
        "read_to_string",
        "TcpListener",
        "TcpStream",
        "UdpSocket",
        "set_read_timeout",
        "Shutdown::",
        "thread::",
        "clap",
        "println!",
        "eprintln!",
        "assert_eq!",
        "format!",
        "BufReader",
        "BufRead",
        "std::",
        "io::",
        "Ok(",
        "Err(",
        "Result",
        "local_addr",
        "peer_addr",
        "try_clone",
        "recv_from",
        "send_to",
        "as_bytes",
        "to_socket_addrs",
        "ToSocketAddrs",
        "SocketAddr",
        "Parser",
        "#[",
        "Vec",
        "&str",
        "&[u8]",
        "u16",
        "u64",
        "Mutex<",
        "Arc<",
        "move closure",
        "lines()",
        "String",
        "map_err",
        "ExitCode",
        "incoming()",
        "set_nonblocking",
        "extend_from_slice",
        "strip_suffix",
        "trim()",
        "trim_end_matches",
        "to_uppercase",
        "eq_ignore_ascii_case",
        "from_utf8",
        "Ipv4Addr",
        "IpAddr",
        "AtomicBool",
        "JoinHandle",
        " drop ",
        "drop it",
        "`?`",
        "panic",
        "Cargo.toml",
        "Duration::",
        "todo!",
    ];

    fn rust_words(text: &str) -> Vec<&'static str> {
        RUST_ONLY
            .iter()
            .copied()
            .filter(|w| text.contains(w))
            .collect()
    }

    #[test]
    fn a_python_binary_reads_no_rust_in_any_hint_of_any_check() {
        let mut rust = Vec::new();
        for check in all().into_iter().flat_map(|task| task.checks) {
            let (first, deeper) = check.hints_in(Language::Python);
            for (level, hint) in std::iter::once(first)
                .chain(deeper.iter().copied())
                .enumerate()
            {
                let words = rust_words(hint);
                if !words.is_empty() {
                    rust.push(format!("{} level {}: {words:?}", check.id, level + 1));
                }
            }
        }
        assert!(
            rust.is_empty(),
            "hints a Python student would read in Rust's words (give these checks a Python \
             wording in tasks/pyhints):\n{}",
            rust.join("\n")
        );
    }

    #[test]
    fn each_python_wording_is_for_a_check_that_needs_one_and_has_two_levels() {
        let checks: Vec<_> = all().into_iter().flat_map(|task| task.checks).collect();
        for (key, hints) in [every::EVERY, tcp::TCP, udp_chat::UDP_CHAT]
            .into_iter()
            .flatten()
        {
            let named: Vec<_> = checks
                .iter()
                .filter(|c| c.id == *key || c.id.split_once('.').is_some_and(|(_, n)| n == *key))
                .collect();
            assert!(!named.is_empty(), "{key}: no check has this id or name");
            assert!(
                hints.len() >= 2 && hints.iter().all(|h| !h.is_empty()),
                "{key}"
            );
            // Used: some check of that name takes it (not every one
            // overridden by a wording of its full id)...
            assert!(
                named
                    .iter()
                    .any(|c| c.hints_in(Language::Python).0 == hints[0]),
                "{key}: every check it names has a wording of its own"
            );
            // ...and needed: that check's Rust hints name Rust calls.
            assert!(
                named.iter().any(|c| {
                    let (first, deeper) = c.hints_in(Language::Rust);
                    !rust_words(first).is_empty()
                        || deeper.iter().any(|h| !rust_words(h).is_empty())
                }),
                "{key}: its Rust hints already hold for Python; drop the Python wording"
            );
        }
    }

    /// Every kind of cause. The match has no `_`: a new kind does not
    /// compile until it is listed here, and so is tested below.
    fn every_cause() -> Vec<CauseKind> {
        use CauseKind::*;
        let all = vec![
            NotImplemented,
            DidNotBuild,
            NeverAnnounced,
            ExitedEarly,
            UnreadableAddress,
            AnnouncedPortZero,
            IgnoresPort,
            SandboxLimit,
            KeepsOpenAfterBye,
            GreetingUnended,
            NoHalfClose,
            Exited,
            EndedAfterAnnouncing,
            NoDatagramReply,
            AddsBytes,
            CutsShort,
            TakesTurns,
            KeyboardHoldsExit,
            OneAtATime,
            NoWorkOnTheWire,
            Panicked,
            PrintsPrompt,
            Spins,
            NamesWrongAddress,
            StoppedServing,
            IgnoresMessage,
            AltersMessage,
            SendsNewline,
            BindsServerPort,
            AnswersClientBye,
            CloseAfterByeIsError,
            NoByeAtEof,
            RegistersLate,
        ];
        for kind in &all {
            match kind {
                NotImplemented | DidNotBuild | NeverAnnounced | ExitedEarly | UnreadableAddress
                | AnnouncedPortZero | IgnoresPort | SandboxLimit | KeepsOpenAfterBye
                | GreetingUnended | NoHalfClose | Exited | EndedAfterAnnouncing
                | NoDatagramReply | AddsBytes | CutsShort | TakesTurns | KeyboardHoldsExit
                | OneAtATime | NoWorkOnTheWire | Panicked | PrintsPrompt | Spins
                | NamesWrongAddress | StoppedServing | IgnoresMessage | AltersMessage
                | SendsNewline | BindsServerPort | AnswersClientBye | CloseAfterByeIsError
                | NoByeAtEof | RegistersLate => {}
            }
        }
        all
    }

    #[test]
    fn a_python_binary_reads_no_rust_in_the_hint_of_any_cause() {
        let rust: Vec<String> = every_cause()
            .into_iter()
            .filter_map(|kind| {
                let hint = crate::python::hint(kind).unwrap_or(kind.hint());
                let words = rust_words(hint);
                (!words.is_empty()).then(|| format!("{kind:?}: {words:?}"))
            })
            .collect();
        assert!(
            rust.is_empty(),
            "causes whose hint a Python student would read in Rust's words (give them one in \
             python::hint):\n{}",
            rust.join("\n")
        );
    }

    #[test]
    fn the_rust_wording_stays_what_the_check_says() {
        let task = crate::tasks::by_number(3).unwrap();
        let echo = task
            .checks
            .iter()
            .find(|c| c.id == "task03.server.echo_text")
            .unwrap();
        assert_eq!(echo.hints_in(Language::Rust), (echo.hint, echo.deeper));
        let python = echo.hints_in(Language::Python);
        assert!(python.0.contains("recv()"), "{python:?}");
        assert!(!echo.hint.contains("recv()"), "{}", echo.hint);
    }
}

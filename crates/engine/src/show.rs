//! Showing bytes to a human: the one way every failure message quotes data,
//! and every name or note from a submission reaches a terminal, a page or a
//! spreadsheet.
//!
//! Bytes are shown in double quotes with everything invisible made visible
//! (`\n`, `\r`, `\t`, `\0`, any other control character as its code point,
//! `\u{7}` for a bell), `"` and `\` escaped, invalid UTF-8 as `\xNN`, and
//! long data cut short with its full length, so a missing newline or a stray
//! `\r` is plain to see.
//!
//! Text that came from a submission (a student's folder name, a zip
//! entry, an LMS's full name, a note quoting one) is made [`inert`]: the
//! same escapes, unquoted and uncut, so an escape sequence cannot rewrite
//! the instructor's terminal and a bidi override cannot reorder what is
//! read. A [`cell`] of a spreadsheet is also kept from being a formula.
//! Invariant: what [`inert`] returns holds no character it would escape,
//! so making text inert twice changes nothing.

use std::borrow::Cow;
use std::fmt::Write;

/// How many characters of data a message shows before cutting.
pub const SHOWN: usize = 80;
/// How many characters of a line a program printed a message shows: a
/// whole error message, `(os error 97)` at its end included.
pub const LINE: usize = 240;

/// `data` quoted and escaped, cut after [`SHOWN`] characters.
pub fn bytes(data: &[u8]) -> String {
    bytes_up_to(data, SHOWN)
}

/// `data` quoted and escaped, cut after `max` characters.
pub fn bytes_up_to(data: &[u8], max: usize) -> String {
    let mut out = String::from("\"");
    let mut shown = 0;
    let mut cut = false;
    'chunks: for chunk in data.utf8_chunks() {
        for c in chunk.valid().chars() {
            if shown == max {
                cut = true;
                break 'chunks;
            }
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c => push_visible(&mut out, c),
            }
            shown += 1;
        }
        for b in chunk.invalid() {
            if shown == max {
                cut = true;
                break 'chunks;
            }
            let _ = write!(out, "\\x{b:02x}");
            shown += 1;
        }
    }
    out.push('"');
    if cut {
        let _ = write!(out, "… ({} bytes in all)", data.len());
    }
    out
}

/// Text quoted the same way as [`bytes`].
pub fn text(s: &str) -> String {
    bytes(s.as_bytes())
}

/// A line a program printed, quoted the same way, cut only past [`LINE`]
/// characters.
pub fn line(s: &str) -> String {
    bytes_up_to(s.as_bytes(), LINE)
}

/// Whether `c` is shown escaped: a control character (C0, DEL, C1: ESC
/// starts a terminal's escape sequences, BEL rings it, CR rewrites a line),
/// a Unicode bidi control (U+202E shows `exe.txt` as `txt.exe`), a line or
/// paragraph separator, or a noncharacter XML 1.0 forbids.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{61c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{fffe}'
                | '\u{ffff}'
        )
}

/// `c` onto `out`, escaped when it is [`invisible`].
fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\0' => out.push_str("\\0"),
        c if invisible(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// Text from a submission, made safe to show on one line: every
/// [`invisible`] character escaped as [`bytes`] escapes it, a line break
/// included; everything else (quotes and backslashes too) as it was.
pub fn inert(text: &str) -> Cow<'_, str> {
    if !text.chars().any(invisible) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_visible(&mut out, c);
    }
    Cow::Owned(out)
}

/// Text of several lines (build errors, a check's details) made [`inert`]
/// line by line: its line breaks stay line breaks.
pub fn inert_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && invisible(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.split('\n').map(inert).collect::<Vec<_>>().join("\n"))
}

/// The characters that make a spreadsheet read a cell as a formula
/// (OWASP, "CSV Injection"). OWASP lists tab and carriage return too: no
/// cell starts with either, [`inert`] has escaped them.
const FORMULA_STARTS: [char; 4] = ['=', '+', '-', '@'];

/// A text cell of a CSV file written from outside data (a name, an id, a
/// note): [`inert`], and kept from being a formula by a leading `'`, which
/// spreadsheets take as "this is text" and OWASP recommends. Only a cell
/// that starts with a formula character changes, so an id or login an LMS
/// matches students by stays exactly as it was unless it could run as a
/// formula. Never for a score: a number the grader wrote is no formula,
/// and a `'` would make it text.
pub fn cell(text: &str) -> Cow<'_, str> {
    match inert(text) {
        shown if shown.starts_with(FORMULA_STARTS) => Cow::Owned(format!("'{shown}")),
        shown => shown,
    }
}

/// Where two byte strings first differ, for "differs at byte N" messages.
pub fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .or_else(|| (a.len() != b.len()).then(|| a.len().min(b.len())))
}

/// `n` things, as a sentence says it: `1 time`, `3 times`, `1 byte`;
/// `one` is the singular, and `s` makes the plural.
pub fn count(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// How `got` differs from `wanted`, in words, when it is one of the usual
/// ways text is mangled on its way: spaces at its ends removed, a `\r`
/// left from a `\r\n`, a line ending added.
pub fn mangled(wanted: &str, got: &str) -> Option<&'static str> {
    let ends = [' ', '\t'];
    if got == wanted {
        None
    } else if got == wanted.trim_end_matches(&ends[..]) {
        Some("the spaces at its end are gone (a trim?)")
    } else if got == wanted.trim_start_matches(&ends[..]) {
        Some("the spaces at its start are gone (a trim?)")
    } else if got == wanted.trim_matches(&ends[..]) || got == wanted.trim() {
        Some("the spaces at its ends are gone (a trim?)")
    } else if got.strip_suffix('\r') == Some(wanted) {
        Some("a \\r is left at its end, from a \\r\\n line ending")
    } else if got.strip_suffix('\n').or_else(|| got.strip_suffix("\r\n")) == Some(wanted) {
        Some("a line ending was added")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_manglings_are_named() {
        assert_eq!(mangled("a", "a"), None);
        assert!(mangled("  a b  ", "a b").unwrap().contains("at its ends"));
        assert!(mangled("  a  ", "  a").unwrap().contains("at its end "));
        assert!(mangled("  a  ", "a  ").unwrap().contains("at its start"));
        assert!(mangled("a: ", "a:").unwrap().contains("at its end "));
        assert!(mangled("a", "a\r").unwrap().contains("\\r"));
        assert!(mangled("a", "a\n")
            .unwrap()
            .contains("line ending was added"));
        assert_eq!(mangled("abc", "abd"), None);
    }

    #[test]
    fn counts_and_printed_lines_read_as_sentences() {
        assert_eq!(count(1, "time"), "1 time");
        assert_eq!(count(3, "byte"), "3 bytes");
        assert_eq!(count(0, "datagram"), "0 datagrams");
        let error = "error: could not listen on [::1]:5001: Address family not supported by protocol (os error 97)";
        assert_eq!(line(error), format!("\"{error}\""));
        let long = "y".repeat(LINE + 10);
        assert!(line(&long).ends_with(&format!("… ({} bytes in all)", LINE + 10)));
    }

    #[test]
    fn invisible_characters_become_visible() {
        assert_eq!(bytes(b"hi\r\n\0\x07"), r#""hi\r\n\0\u{7}""#);
        assert_eq!(bytes(b"a\"b\\"), r#""a\"b\\""#);
    }

    #[test]
    fn invalid_utf8_is_shown_as_hex_and_text_as_text() {
        assert_eq!(bytes(b"caf\xc3\xa9 \xff\xfe"), r#""café \xff\xfe""#);
    }

    #[test]
    fn long_data_is_cut_with_its_length() {
        let shown = bytes_up_to(&[b'x'; 100], 3);
        assert_eq!(shown, "\"xxx\"… (100 bytes in all)");
    }

    #[test]
    fn names_from_a_submission_are_made_inert() {
        let evil = "evil\x1b]0;pwned\x07\x1b[2J";
        assert_eq!(inert(evil), r"evil\u{1b}]0;pwned\u{7}\u{1b}[2J");
        assert_eq!(inert("a\rb\nc\u{9b}d\u{7f}"), r"a\rb\nc\u{9b}d\u{7f}");
        // A bidi override would show `gpj.exe` as `exe.jpg`.
        assert_eq!(inert("\u{202e}gpj.exe"), r"\u{202e}gpj.exe");
        // Ordinary names, quotes and backslashes are left as they are.
        for name in ["Zoë Smith", "ana.lima@uni", r#"a "b" \c"#, "José Ñúñez 李"] {
            assert!(matches!(inert(name), Cow::Borrowed(_)), "{name}");
        }
        // Inert text stays as it is: escaping twice changes nothing.
        let once = inert(evil).into_owned();
        assert_eq!(inert(&once), once);
    }

    #[test]
    fn inert_lines_keep_their_line_breaks() {
        assert_eq!(inert_lines("one\x1b[2J\ntwo\r"), "one\\u{1b}[2J\ntwo\\r");
        assert!(matches!(inert_lines("error\n  --> a.rs"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_cell_is_never_a_formula() {
        assert_eq!(cell("=2+3"), "'=2+3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-1"), "'-1");
        // A tab or carriage return first is escaped, so it is no formula.
        assert_eq!(cell("\t=1"), r"\t=1");
        assert_eq!(cell("\r=1"), r"\r=1");
        // An id an LMS matches on is left alone unless it starts a formula.
        for id in ["12345", "ana.lima@uni", "Participant 7", "a=b", "x-1", ""] {
            assert_eq!(cell(id), id);
        }
    }

    #[test]
    fn first_difference_finds_changed_and_missing_bytes() {
        assert_eq!(first_difference(b"abc", b"abc"), None);
        assert_eq!(first_difference(b"abc", b"abd"), Some(2));
        assert_eq!(first_difference(b"abc", b"ab"), Some(2));
    }
}

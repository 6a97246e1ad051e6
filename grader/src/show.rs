//! Showing bytes to a human: the one way every failure message quotes data.
//!
//! Bytes are shown in double quotes with everything invisible made visible
//! (`\n`, `\r`, `\t`, `\0`, any other control character as its code point,
//! `\u{7}` for a bell), `"` and `\` escaped, invalid UTF-8 as `\xNN`, and
//! long data cut short with its full length, so a missing newline or a stray
//! `\r` is plain to see.

use std::fmt::Write;

/// How many characters of data a message shows before cutting.
pub const SHOWN: usize = 80;

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
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\0' => out.push_str("\\0"),
                c if c.is_control() => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
                c => out.push(c),
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

/// Where two byte strings first differ, for "differs at byte N" messages.
pub fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .or_else(|| (a.len() != b.len()).then(|| a.len().min(b.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn first_difference_finds_changed_and_missing_bytes() {
        assert_eq!(first_difference(b"abc", b"abc"), None);
        assert_eq!(first_difference(b"abc", b"abd"), Some(2));
        assert_eq!(first_difference(b"abc", b"ab"), Some(2));
    }
}

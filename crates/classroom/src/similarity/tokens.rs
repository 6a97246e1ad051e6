//! A source file as the tokens a copy keeps: Rust's own lexer
//! (`proc-macro2`, the one `syn` and every derive macro stand on), with
//! what a disguise changes taken out.
//!
//! - Comments and whitespace are gone (the lexer drops them; doc comments,
//!   which it hands back as `#[doc = "…"]`, are dropped here).
//! - Every identifier is one token, `ID`: renaming changes nothing.
//! - Every literal is one token per kind (string, byte string, char, byte,
//!   integer, float): a reworded `println!` changes nothing.
//! - Keywords, punctuation and delimiters are kept as they are.
//!
//! Each token keeps the line it starts on, for the side-by-side view. A
//! file the lexer refuses (an unclosed brace, a stray quote: a student's
//! work in progress) is split into words and punctuation by hand instead,
//! with the same normalisation, never an error.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use std::str::FromStr;

/// One token of a file: what it is after normalisation, and its line
/// (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: u32,
    pub line: u32,
}

/// Rust's keywords (strict, and the 2018 ones): kept as themselves.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while",
];

const IDENT: u32 = 1;
const STRING: u32 = 2;
const BYTE_STRING: u32 = 3;
const CHAR: u32 = 4;
const BYTE: u32 = 5;
const INTEGER: u32 = 6;
const FLOAT: u32 = 7;
/// Delimiters: `(`, `)`, `[`, `]`, `{`, `}`.
const OPEN: u32 = 10;
const CLOSE: u32 = 13;
/// Keywords from here, then punctuation from `PUNCT` (a char's code).
const KEYWORD: u32 = 100;
const PUNCT: u32 = 1000;

fn word(text: &str) -> u32 {
    let text = text.strip_prefix("r#").unwrap_or(text);
    match KEYWORDS.iter().position(|k| *k == text) {
        Some(at) => KEYWORD + at as u32,
        None => IDENT,
    }
}

fn literal(text: &str) -> u32 {
    let first = text.chars().next().unwrap_or('0');
    if text.starts_with("b\"") || text.starts_with("br") || text.starts_with("c\"") {
        BYTE_STRING
    } else if text.starts_with("b'") {
        BYTE
    } else if first == '"' || first == 'r' {
        STRING
    } else if first == '\'' {
        CHAR
    } else if is_float(text) {
        FLOAT
    } else {
        INTEGER
    }
}

fn is_float(number: &str) -> bool {
    let hex = number.starts_with("0x") || number.starts_with("0b") || number.starts_with("0o");
    !hex && (number.contains('.')
        || number.contains(['e', 'E'])
        || number.ends_with("f32")
        || number.ends_with("f64"))
}

fn delimiter(delimiter: Delimiter) -> Option<u32> {
    match delimiter {
        Delimiter::Parenthesis => Some(0),
        Delimiter::Bracket => Some(1),
        Delimiter::Brace => Some(2),
        Delimiter::None => None,
    }
}

/// Deeper nesting than this is split by hand: walking the lexer's groups
/// recurses, and a hostile file of nested brackets must not exhaust the
/// stack.
const DEEPEST: usize = 200;

/// How deep `source`'s brackets nest, strings and comments not told apart.
fn depth(source: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0);
    for c in source.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The tokens of the source file `path` (a task's `src/bin/server.rs`, or
/// `server.py`), in its language: Rust's, or Python's ([`super::python`]),
/// whose kinds never equal Rust's.
pub fn of_file(path: &str, text: &str) -> Vec<Token> {
    if is_python(path) {
        super::python::tokens(text)
    } else {
        tokens(text)
    }
}

/// Whether the source file `path` is Python.
pub fn is_python(path: &str) -> bool {
    path.ends_with(".py")
}

/// The tokens of a Rust source file.
pub fn tokens(source: &str) -> Vec<Token> {
    if depth(source) > DEEPEST {
        return by_hand(source);
    }
    match TokenStream::from_str(source) {
        Ok(stream) => {
            let mut out = Vec::new();
            lexed(stream, &mut out);
            out
        }
        Err(_) => by_hand(source),
    }
}

/// Whether `tree` is a doc comment's `[doc = "…"]` (after its `#`).
fn is_doc(tree: Option<&TokenTree>) -> bool {
    let Some(TokenTree::Group(group)) = tree else {
        return false;
    };
    group.delimiter() == Delimiter::Bracket
        && matches!(group.stream().into_iter().next(), Some(TokenTree::Ident(i)) if i == "doc")
}

fn lexed(stream: TokenStream, out: &mut Vec<Token>) {
    let trees: Vec<TokenTree> = stream.into_iter().collect();
    let mut at = 0;
    while at < trees.len() {
        let line = |span: proc_macro2::Span| span.start().line as u32;
        match &trees[at] {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                // `#[doc …]` or `#![doc …]`: a comment, dropped.
                let inner =
                    matches!(trees.get(at + 1), Some(TokenTree::Punct(b)) if b.as_char() == '!');
                let group = at + 1 + usize::from(inner);
                if is_doc(trees.get(group)) {
                    at = group + 1;
                    continue;
                }
                out.push(Token {
                    kind: PUNCT + '#' as u32,
                    line: line(p.span()),
                });
            }
            TokenTree::Punct(p) => out.push(Token {
                kind: PUNCT + p.as_char() as u32,
                line: line(p.span()),
            }),
            TokenTree::Ident(ident) => out.push(Token {
                kind: word(&ident.to_string()),
                line: line(ident.span()),
            }),
            TokenTree::Literal(lit) => out.push(Token {
                kind: literal(&lit.to_string()),
                line: line(lit.span()),
            }),
            TokenTree::Group(group) => {
                let which = delimiter(group.delimiter());
                if let Some(d) = which {
                    out.push(Token {
                        kind: OPEN + d,
                        line: line(group.span_open()),
                    });
                }
                lexed(group.stream(), out);
                if let Some(d) = which {
                    out.push(Token {
                        kind: CLOSE + d,
                        line: line(group.span_close()),
                    });
                }
            }
        }
        at += 1;
    }
}

/// Words, numbers, quoted text and single punctuation, by hand: for a file
/// Rust's lexer refuses. Line comments are dropped; an unclosed quote or
/// block comment runs to the end of the file.
fn by_hand(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let (mut at, mut line) = (0, 1u32);
    let count_lines =
        |from: usize, to: usize| chars[from..to].iter().filter(|c| **c == '\n').count() as u32;
    while at < chars.len() {
        let c = chars[at];
        let start = at;
        if c == '\n' {
            line += 1;
            at += 1;
            continue;
        }
        if c.is_whitespace() {
            at += 1;
            continue;
        }
        let next = chars.get(at + 1).copied();
        if c == '/' && next == Some('/') {
            while at < chars.len() && chars[at] != '\n' {
                at += 1;
            }
            continue;
        }
        if c == '/' && next == Some('*') {
            at += 2;
            while at < chars.len() && !(chars[at] == '*' && chars.get(at + 1) == Some(&'/')) {
                at += 1;
            }
            at = (at + 2).min(chars.len());
            line += count_lines(start, at);
            continue;
        }
        let kind = if c.is_alphabetic() || c == '_' {
            while at < chars.len() && (chars[at].is_alphanumeric() || chars[at] == '_') {
                at += 1;
            }
            word(&chars[start..at].iter().collect::<String>())
        } else if c.is_ascii_digit() {
            while at < chars.len()
                && (chars[at].is_alphanumeric() || chars[at] == '_' || chars[at] == '.')
            {
                at += 1;
            }
            literal(&chars[start..at].iter().collect::<String>())
        } else if c == '"' {
            at += 1;
            while at < chars.len() && chars[at] != '"' {
                at += if chars[at] == '\\' { 2 } else { 1 };
            }
            at = (at + 1).min(chars.len());
            STRING
        } else {
            at += 1;
            match c {
                '(' => OPEN,
                '[' => OPEN + 1,
                '{' => OPEN + 2,
                ')' => CLOSE,
                ']' => CLOSE + 1,
                '}' => CLOSE + 2,
                _ => PUNCT + c as u32,
            }
        };
        out.push(Token { kind, line });
        line += count_lines(start, at);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<u32> {
        tokens(source).iter().map(|t| t.kind).collect()
    }

    #[test]
    fn names_literal_values_comments_and_layout_do_not_count() {
        let one = "/// Serves.\nfn serve(addr: &str) {\n    // bind\n    println!(\"Listening on {addr}\", 1);\n}\n";
        let two = "fn   run_it(a:&str){println!(\"ready at {a}\",  42);} /* done */";
        assert_eq!(kinds(one), kinds(two));
        assert_ne!(
            kinds(one),
            kinds("fn serve(addr: &str) { println!(\"x\", 1.5); }")
        );
        // `fn` and `let` are themselves, not identifiers.
        assert_ne!(kinds("fn x"), kinds("let x"));
    }

    #[test]
    fn each_token_keeps_its_line() {
        let lines: Vec<u32> = tokens("fn main() {\n    let x = 1;\n}\n")
            .iter()
            .map(|t| t.line)
            .collect();
        assert_eq!(lines, [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3]);
    }

    #[test]
    fn a_file_the_lexer_refuses_is_split_by_hand() {
        let broken = "fn main() {\n    let s = \"open;\n    // comment\n";
        let by_lexer = TokenStream::from_str(broken);
        assert!(by_lexer.is_err());
        let split = tokens(broken);
        assert_eq!(split.first().map(|t| t.kind), Some(KEYWORD + 12));
        assert!(split.iter().any(|t| t.kind == STRING), "{split:?}");
        // The same normalisation: a closed file split by hand lexes alike.
        let fine = "fn main() { let s = 1; } // end";
        assert_eq!(by_hand(fine), tokens(fine));
        // Brackets nested past any program's depth: split by hand, no crash.
        let deep = format!(
            "fn f() {{ {}{} }}",
            "(".repeat(200_000),
            ")".repeat(200_000)
        );
        assert_eq!(tokens(&deep).len(), 6 + 400_000);
    }
}

//! A Python source file as the tokens a copy keeps: tree-sitter's Python
//! grammar (`tree-sitter-python`, the parser editors and GitHub use), with
//! what a disguise changes taken out, as [`super::tokens`] does for Rust.
//!
//! - Comments and whitespace are gone; a block's indentation becomes one
//!   token where it opens and one where it closes, as braces are in Rust.
//! - Every identifier is one token, `ID`: renaming changes nothing.
//! - Every literal is one token per kind (string, integer, float): a
//!   reworded `print` changes nothing. An f-string is one string, whatever
//!   it interpolates.
//! - Keywords, operators and punctuation are kept as they are.
//!
//! Python's kinds are all at [`PYTHON`] and above, and Rust's below: a
//! k-gram of one language never equals one of the other, so Python is
//! compared with Python only. The grammar recovers from errors, so a
//! student's work in progress is tokenised all the same, never an error.

use super::tokens::Token;
use std::cell::RefCell;
use tree_sitter::{Node, Parser};

/// Where Python's token kinds start.
pub const PYTHON: u32 = 1 << 20;
const IDENT: u32 = PYTHON + 1;
const STRING: u32 = PYTHON + 2;
const INTEGER: u32 = PYTHON + 3;
const FLOAT: u32 = PYTHON + 4;
const BLOCK_OPEN: u32 = PYTHON + 5;
const BLOCK_CLOSE: u32 = PYTHON + 6;
/// Every other leaf (a keyword, an operator): its kind in the grammar.
const LEAF: u32 = PYTHON + 100;

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// The tokens of a Python source file.
pub fn tokens(source: &str) -> Vec<Token> {
    PARSER.with(|cell| {
        let mut cell = cell.borrow_mut();
        let parser = cell.get_or_insert_with(|| {
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_python::LANGUAGE.into())
                .expect("the Python grammar fits the tree-sitter it is built with");
            parser
        });
        match parser.parse(source, None) {
            Some(tree) => walk(tree.root_node()),
            None => Vec::new(),
        }
    })
}

/// What a node gives on the way in; whether its children are walked.
fn enter(node: Node, out: &mut Vec<Token>) -> bool {
    let line = node.start_position().row as u32 + 1;
    let mut push = |kind| out.push(Token { kind, line });
    match node.kind() {
        "comment" => false,
        "string" | "concatenated_string" => {
            push(STRING);
            false
        }
        "identifier" => {
            push(IDENT);
            false
        }
        "integer" => {
            push(INTEGER);
            false
        }
        "float" => {
            push(FLOAT);
            false
        }
        "block" => {
            push(BLOCK_OPEN);
            true
        }
        _ if node.child_count() == 0 => {
            // Zero-width nodes (a missing token the parser made up) are
            // not in the text.
            if node.start_byte() < node.end_byte() {
                push(LEAF + u32::from(node.kind_id()));
            }
            false
        }
        _ => true,
    }
}

/// What a node whose children were walked gives on the way out.
fn leave(node: Node, out: &mut Vec<Token>) {
    if node.kind() == "block" {
        let line = node.end_position().row as u32 + 1;
        out.push(Token {
            kind: BLOCK_CLOSE,
            line,
        });
    }
}

/// The tokens of the tree under `root`, in order, walked with a cursor (no
/// recursion: a hostile file's deep nesting takes no stack).
fn walk(root: Node) -> Vec<Token> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    'down: loop {
        let node = cursor.node();
        let entered = enter(node, &mut out);
        if entered && cursor.goto_first_child() {
            continue;
        }
        if entered {
            leave(node, &mut out);
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'down;
            }
            if !cursor.goto_parent() {
                break 'down;
            }
            leave(cursor.node(), &mut out);
        }
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
        let one = "# Serves.\ndef serve(addr):\n    \"\"\"Doc.\"\"\"\n    print(f\"Listening on {addr}\", 1)  # bind\n";
        let two = "def run_it(a):\n  'Another doc.'\n  print('ready at ' + 'x'  '!', 42)\n";
        assert_ne!(kinds(one), kinds(two), "`+` is an operator of its own");
        let two = "def run_it(a):\n  'Another doc.'\n  print('ready at' 'x', 42)\n";
        assert_eq!(kinds(one), kinds(two));
        assert_ne!(kinds(one), kinds("def serve(addr):\n    print('x', 1.5)\n"));
        // Keywords are themselves, not identifiers.
        assert_ne!(kinds("def f(): pass"), kinds("def f(): return"));
        assert!(kinds(one).iter().all(|k| *k >= PYTHON));
    }

    #[test]
    fn a_block_opens_and_closes_where_its_indentation_does() {
        let nested = kinds("if a:\n    b\nc\n");
        let flat = kinds("if a:\n    b\n    c\n");
        assert_ne!(nested, flat);
        let opens = nested.iter().filter(|k| **k == BLOCK_OPEN).count();
        let closes = nested.iter().filter(|k| **k == BLOCK_CLOSE).count();
        assert_eq!((opens, closes), (1, 1));
        let lines: Vec<u32> = tokens("def f():\n    return 1\n")
            .iter()
            .map(|t| t.line)
            .collect();
        assert_eq!(lines.first(), Some(&1));
        assert_eq!(lines.last(), Some(&2));
    }

    #[test]
    fn work_in_progress_and_hostile_nesting_are_tokenised_without_a_crash() {
        let broken = kinds("def main(:\n    s = \"open\n    x = (1,\n");
        assert!(broken.contains(&IDENT), "{broken:?}");
        let deep = format!("x = {}1{}\n", "(".repeat(100_000), ")".repeat(100_000));
        assert!(tokens(&deep).len() > 100_000);
    }
}

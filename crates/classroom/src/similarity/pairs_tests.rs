//! The unit tests of [`super`]: fingerprints, pairs and clusters.

use super::super::File;
use super::*;

fn file(path: &str, text: &str) -> File {
    File {
        path: path.into(),
        text: text.into(),
    }
}

fn source(key: &str, text: &str) -> Source {
    sources_of(key, vec![file("a.rs", text)])
}

fn sources_of(key: &str, files: Vec<File>) -> Source {
    Source {
        key: key.into(),
        tasks: [("t".to_string(), files)].into(),
        ..Source::default()
    }
}

const PYTHON_WORK: &str = "import socket\n\ndef serve(host, port):\n    with socket.create_server((host, port)) as listener:\n        while True:\n            conn, _ = listener.accept()\n            with conn:\n                while True:\n                    data = conn.recv(4096)\n                    if not data:\n                        break\n                    conn.sendall(data)\n";

#[test]
fn python_is_compared_with_python_only_and_its_starter_subtracted() {
    let settings = Settings::default();
    let renamed = PYTHON_WORK.replace("conn", "c").replace("data", "chunk");
    let sources = [
        sources_of("ana", vec![file("src/bin/server.rs", WORK)]),
        sources_of("bo", vec![file("server.py", PYTHON_WORK)]),
        sources_of("cy", vec![file("server.py", &renamed)]),
    ];
    let plain = index_of(&sources, &settings);
    let pairs = plain.pairs("t", &sources, &settings);
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!((pairs[0].a, pairs[0].b, pairs[0].score), (1, 2, 1.0));
    // The same text is no Python starter when it is named as Rust.
    let as_rust = index("t", &sources, &[file("s.rs", PYTHON_WORK)], &settings);
    assert_eq!(as_rust.pairs("t", &sources, &settings).len(), 1);
    let handed_out = index("t", &sources, &[file("server.py", PYTHON_WORK)], &settings);
    assert!(handed_out.pairs("t", &sources, &settings).is_empty());
    assert_eq!(handed_out.count(0), plain.count(0), "Rust's untouched");
}

const WORK: &str = "fn serve(a: &str) -> Result<(), String> {\n    let l = TcpListener::bind(a).map_err(|e| format!(\"{e}\"))?;\n    for s in l.incoming() {\n        let mut s = s.map_err(|e| e.to_string())?;\n        let mut b = [0u8; 512];\n        loop {\n            let n = s.read(&mut b).map_err(|e| e.to_string())?;\n            if n == 0 { break; }\n            s.write_all(&b[..n]).map_err(|e| e.to_string())?;\n        }\n    }\n    Ok(())\n}\n";

#[test]
fn handed_out_code_is_no_ones_and_copies_are_paired_with_their_fragment() {
    let settings = Settings::default();
    let sources = [
        source("ana", WORK),
        source("bo", &WORK.replace('s', "t")),
        source("cy", "fn main() {}"),
    ];
    // As starter code, the work is nobody's: no fingerprints, no pair.
    let index = index("t", &sources, &[file("b.rs", WORK)], &settings);
    assert_eq!((index.count(0), index.count(1)), (0, 0));
    assert!(index.pairs("t", &sources, &settings).is_empty());
    let index = index_of(&sources, &settings);
    let pairs = index.with_fragments(index.pairs("t", &sources, &settings), 0.2);
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    let pair = &pairs[0];
    assert_eq!((pair.a, pair.b, pair.score), (0, 1, 1.0));
    assert_eq!(pair.fragments[0].lines_a, (1, 13), "the whole function");
}

fn index_of(sources: &[Source], settings: &Settings) -> TaskIndex {
    index("t", sources, &[], settings)
}

#[test]
fn code_much_of_the_class_shares_is_left_out() {
    let settings = Settings {
        common_min: 2,
        ..Settings::default()
    };
    let sources: Vec<Source> = (0..3).map(|i| source(&i.to_string(), WORK)).collect();
    let index = index_of(&sources, &settings);
    assert_eq!(index.count(0), 0);
}

#[test]
fn a_pairs_shares_are_of_the_languages_both_sides_have() {
    // The reference holds a task in Rust and in Python; a student who
    // copied its Rust has all of what could be shared, both ways.
    let settings = Settings::default();
    let sources = [
        Source {
            known: true,
            ..sources_of(
                "reference",
                vec![
                    file("src/bin/server.rs", WORK),
                    file("python/server.py", PYTHON_WORK),
                ],
            )
        },
        sources_of("ana", vec![file("src/bin/server.rs", WORK)]),
    ];
    let index = index_of(&sources, &settings);
    assert!(index.count(0) > index.count(1), "the Python counts alone");
    let pairs = index.pairs("t", &sources, &settings);
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!((pairs[0].share_a, pairs[0].share_b), (1.0, 1.0));
    // And over all tasks.
    let analysis = super::super::analyse(Vec::from(sources), &Default::default(), settings);
    assert_eq!(analysis.overall[0].score, 1.0, "{:?}", analysis.overall);
}

#[test]
fn pairs_join_clusters() {
    assert_eq!(clusters(5, &[(0, 3), (3, 4)]), [vec![0, 3, 4]]);
    assert_eq!(clusters(4, &[(1, 2), (0, 3)]), [vec![0, 3], vec![1, 2]]);
    assert!(clusters(3, &[]).is_empty());
}

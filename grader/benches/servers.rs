//! The task 04 reference server against a tokio echo server, side by side
//! in one run, with the grader's own load generator:
//!
//! - 100 clients at once, 64-byte lines: messages per second of each
//!   (the target: task 04 at least 0.8× tokio);
//! - 1000 clients at once: no errors, connect p99 under 100 ms;
//! - 64 KiB lines: no Nagle stalls (p50 round trip well under 40 ms).
//!
//! `cargo bench -p grader`. Both servers are optimised builds in their own
//! processes; tokio is a dev-dependency of the grader, used only here.

use grader::bench::{self, Level, Load, Protocol};
use grader::cargo::Workspace;
use grader::check::Server;
use grader::process::Program;
use grader::time::Deadline;
use std::path::Path;
use std::time::Duration;

fn main() {
    if std::env::args().any(|a| a == "--tokio-server") {
        tokio_server();
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let workspace = Workspace::open(&root).expect("the workspace opens");
    let built = workspace
        .build_release(&["task04_multithreaded"])
        .expect("cargo builds task 04");
    let exe = built
        .executable("task04-server")
        .expect("task04-server was built");
    let ours = Program::from_path(exe);
    let theirs = Program::new(vec![
        std::env::current_exe()
            .expect("the benchmark knows its path")
            .display()
            .to_string(),
        "--tokio-server".into(),
    ]);

    let start = |program: &Program, args: &[&str]| {
        Server::start(
            &program.with_args(args),
            Deadline::after(Duration::from_secs(10)),
        )
        .unwrap_or_else(|o| panic!("{}: {}", program.display(), o.message))
    };
    let task04 = start(&ours, &["--host", "127.0.0.1", "--port", "0"]);
    let tokio = start(&theirs, &[]);
    let load = |conns, messages, size| Load {
        conns,
        messages,
        size,
        limit: Duration::from_secs(60),
    };

    // Warm both up, then alternate, so neither gets a quieter machine.
    for server in [&task04, &tokio] {
        bench::run(server.addr, Protocol::Lines, load(10, 100, 64));
    }
    let mut ours_runs = Vec::new();
    let mut theirs_runs = Vec::new();
    for _ in 0..3 {
        ours_runs.push(bench::run(
            task04.addr,
            Protocol::Lines,
            load(100, 1000, 64),
        ));
        theirs_runs.push(bench::run(tokio.addr, Protocol::Lines, load(100, 1000, 64)));
    }
    let median = |runs: &mut Vec<Level>| {
        runs.sort_by(|a, b| a.messages_per_second().total_cmp(&b.messages_per_second()));
        runs[runs.len() / 2].clone()
    };
    let (ours_100, theirs_100) = (median(&mut ours_runs), median(&mut theirs_runs));
    print!(
        "{}",
        bench::table(
            "task04 reference, 100 clients (median of 3)",
            std::slice::from_ref(&ours_100)
        )
    );
    print!(
        "{}",
        bench::table(
            "tokio echo server, 100 clients (median of 3)",
            std::slice::from_ref(&theirs_100)
        )
    );
    let ratio = ours_100.messages_per_second() / theirs_100.messages_per_second();
    println!("task04 / tokio messages per second at 100 clients: {ratio:.2}×\n");

    let thousand = bench::run(task04.addr, Protocol::Lines, load(1000, 20, 64));
    print!(
        "{}",
        bench::table(
            "task04 reference, 1000 clients",
            std::slice::from_ref(&thousand)
        )
    );
    let connect_p99 = thousand.connect(99.0);
    println!(
        "1000 clients: {} errors, connect p99 {:.1} ms\n",
        thousand.errors,
        connect_p99.as_secs_f64() * 1000.0
    );

    let big = bench::run(task04.addr, Protocol::Lines, load(10, 20, 64 * 1024));
    print!(
        "{}",
        bench::table("task04 reference, 64 KiB lines", std::slice::from_ref(&big))
    );
    println!(
        "64 KiB lines: p50 round trip {:.2} ms\n",
        big.latency(50.0).as_secs_f64() * 1000.0
    );

    let verdicts = [
        (
            "at least 0.8× tokio's messages/s at 100 clients",
            ratio >= 0.8,
        ),
        ("1000 clients with no error", thousand.errors == 0),
        (
            "connect p99 under 100 ms at 1000 clients",
            connect_p99 < Duration::from_millis(100),
        ),
        (
            "no Nagle stalls on 64 KiB lines (p50 under 20 ms)",
            big.latency(50.0) < Duration::from_millis(20),
        ),
    ];
    for (target, met) in verdicts {
        println!("{} {target}", if met { "met:    " } else { "MISSED: " });
    }
}

/// A line echo server in tokio, as small as the task's: a task per client.
#[tokio::main]
async fn tokio_server() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    println!(
        "Listening on {}",
        listener.local_addr().expect("local address")
    );
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let (reader, mut writer) = stream.into_split();
            let mut reader = BufReader::new(reader);
            let mut line = Vec::new();
            loop {
                line.clear();
                match reader.read_until(b'\n', &mut line).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                if writer.write_all(&line).await.is_err() || line.trim_ascii_end() == b"BYE" {
                    break;
                }
            }
        });
    }
}

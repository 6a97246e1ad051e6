//! Task 01 server, correct, that talks a lot: a banner, a `[server]` prefix, `Connection from 127.0.0.1:5000.` with a full stop, and a line per closed connection. It uses `incoming()` instead of `accept()`.

use clap::Parser;
use std::net::TcpListener;
use std::process::ExitCode;

#[derive(Parser)]
#[command(version)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 5001)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    println!("== task 01 server, v{} ==", env!("CARGO_PKG_VERSION"));
    let listener = match TcpListener::bind((args.host.as_str(), args.port)) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot bind {}:{}: {e}", args.host, args.port);
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(local) => println!("[server] Listening on {local}."),
        Err(e) => {
            eprintln!(
                "error: no local address for {}:{}: {e}",
                args.host, args.port
            );
            return ExitCode::FAILURE;
        }
    }
    println!("[server] waiting for clients (Ctrl-C to stop)");
    for (count, incoming) in listener.incoming().enumerate() {
        match incoming.and_then(|stream| stream.peer_addr().map(|peer| (stream, peer))) {
            Ok((stream, peer)) => {
                println!("[server] Connection from {peer}. (client #{})", count + 1);
                drop(stream);
                println!("[server] closed the connection with {peer}");
            }
            Err(e) => eprintln!("error: a connection failed: {e}"),
        }
    }
    ExitCode::SUCCESS
}

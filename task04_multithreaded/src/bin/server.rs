//! Task 04 server: serve many clients at once, one thread each.

use clap::Parser;
use std::process::ExitCode;
use task04_multithreaded::address;

// BEGIN SOLUTION
use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::thread;
use task04_multithreaded::listen;
// END SOLUTION

/// Line echo server that serves every client at the same time.
#[derive(Parser)]
#[command(name = "task04-server", version)]
struct Args {
    /// Interface to listen on (`0.0.0.0` opens the server to the network)
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 lets the OS choose a free one)
    #[arg(long, default_value_t = 5004)]
    port: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match serve(&address(&args.host, args.port)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(addr: &str) -> Result<(), String> {
    // BEGIN SOLUTION
    // STARTER: todo!("listen on {addr} with `listen` from lib.rs; give each client a thread for its lines")
    // `listen` (in lib.rs) is `TcpListener::bind` with the tuning a busy
    // server needs: a longer queue of connections and no Nagle delays.
    let listener = listen(addr).map_err(|e| format!("could not listen on {addr}: {e}"))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("could not read the address of {addr}: {e}"))?;
    println!("Listening on {local}");

    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                println!("Connection from {peer} has been established");
                // A thread per client: this loop goes straight back to
                // `accept` while the new thread blocks on its own client's
                // reads. A slow client holds up only its own thread, and a
                // panic in that thread ends that thread, never the server.
                let spawned = thread::Builder::new().spawn(move || match converse(stream) {
                    Ok(()) => println!("{peer} has disconnected"),
                    Err(e) => eprintln!("error: lost {peer}: {e}"),
                });
                // The OS can refuse a new thread (too many already): that
                // costs this client its connection, not the server its life.
                if let Err(e) = spawned {
                    eprintln!("error: no thread for {peer}: {e}");
                }
            }
            Err(e) => eprintln!("error: could not accept a connection on {local}: {e}"),
        }
    }
    // END SOLUTION
}

// BEGIN SOLUTION
/// Answers each line with its own text until the client says `BYE` or leaves.
fn converse(stream: TcpStream) -> io::Result<()> {
    // A second handle to the same socket: one to write on, the other for
    // the buffered reader.
    let mut writer = stream.try_clone()?;
    // Bytes arrive in pieces that need not match lines; the buffered reader
    // collects them and hands us one whole line at a time.
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        // 0 bytes: the client closed its side without saying BYE.
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);

        // Send the reply as one buffer, so it leaves in one piece.
        let mut reply = text.to_vec();
        reply.push(b'\n');
        writer.write_all(&reply)?;
        if text == b"BYE" {
            // Returning drops both handles and closes this connection only.
            return Ok(());
        }
    }
}
// END SOLUTION

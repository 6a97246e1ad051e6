//! Task 06 server: a chat with one client at a time, both sides typing
//! whenever they like.

use clap::Parser;
use std::process::ExitCode;
use task06_chat::address;

// BEGIN SOLUTION
use std::io::{self, BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
// END SOLUTION

/// Chat server: prints what the client says, sends what you type.
#[derive(Parser)]
#[command(name = "task06-server", version)]
struct Args {
    /// Interface to listen on (`0.0.0.0` opens the server to the network)
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 lets the OS choose a free one)
    #[arg(long, default_value_t = 5006)]
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
    // STARTER: todo!("listen on {addr}; one conversation at a time: print the client's lines while a second thread sends what is typed")
    let listener =
        TcpListener::bind(addr).map_err(|e| format!("could not listen on {addr}: {e}"))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("could not read the address of {addr}: {e}"))?;
    println!("Listening on {local}");

    // The client being talked to, if any: the keyboard thread writes to it
    // while this thread blocks reading from it.
    let current: Arc<Mutex<Option<TcpStream>>> = Arc::new(Mutex::new(None));
    let keyboard = Arc::clone(&current);
    thread::spawn(move || type_to(&keyboard));

    loop {
        // One conversation at a time: while we talk, the next client waits
        // in the listener's backlog, connected but not yet accepted.
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) => {
                eprintln!("error: could not accept a connection on {local}: {e}");
                continue;
            }
        };
        // The keyboard thread gets the client first, then we say so: a
        // line typed once `Connection from` shows must reach this client.
        match stream.try_clone() {
            Ok(writer) => *lock(&current) = Some(writer),
            Err(e) => {
                eprintln!("error: could not use the connection from {peer}: {e}");
                continue;
            }
        }
        println!("Connection from {peer} has been established");
        if let Err(e) = listen_to(stream) {
            eprintln!("error: lost {peer}: {e}");
        }
        // Dropping the keyboard's handle closes the socket for good.
        if let Some(stream) = lock(&current).take() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        println!("Conversation ended with {peer}");
    }
    // END SOLUTION
}

// BEGIN SOLUTION
/// Prints each line the client sends until it says `BYE` or hangs up.
fn listen_to(stream: TcpStream) -> io::Result<()> {
    // `lines()` strips `\n` and `\r\n`, and blocks until a whole line is in.
    for line in BufReader::new(stream).lines() {
        let line = line?;
        println!("Client: {line}");
        if line == "BYE" {
            break;
        }
    }
    // Ending here also covers a read of 0 bytes: the client closed without
    // BYE, or our keyboard thread shut the socket down after sending BYE.
    Ok(())
}

/// The keyboard loop: runs for the server's whole life, sending each typed
/// line to whoever is connected at the moment.
fn type_to(current: &Mutex<Option<TcpStream>>) {
    for line in io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let mut current = lock(current);
        let Some(stream) = current.as_mut() else {
            eprintln!("note: no client is connected; {line:?} was not sent");
            continue;
        };
        if let Err(e) = stream.write_all(format!("{line}\n").as_bytes()) {
            eprintln!("error: could not send {line:?}: {e}");
        }
        if line == "BYE" {
            // Shutting down both directions also wakes the main thread,
            // whose blocked read now returns 0: the conversation is over.
            let _ = stream.shutdown(Shutdown::Both);
            *current = None;
        }
    }
    // The keyboard is gone (Ctrl-D, or the end of a piped file): say BYE to
    // the client, if there is one, and end the whole program, main thread
    // and its blocked accept() or read included.
    if let Some(stream) = lock(current).as_mut() {
        let _ = stream.write_all(b"BYE\n");
        let _ = stream.shutdown(Shutdown::Both);
    }
    std::process::exit(0);
}

/// The lock, even if a thread panicked while holding it: the stream inside
/// is still usable.
fn lock(current: &Mutex<Option<TcpStream>>) -> std::sync::MutexGuard<'_, Option<TcpStream>> {
    current
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
// END SOLUTION

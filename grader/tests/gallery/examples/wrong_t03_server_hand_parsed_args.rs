//! Task 03 server that reads its arguments from `std::env::args()` by hand instead of with clap. Mistake: `--port nope` panics in `parse().unwrap()`, an unknown option is silently skipped, and `--help` and `--version` are not understood: the server starts serving instead.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut host = String::from("127.0.0.1");
    let mut port: u16 = 5003;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--host" => host = args.next().unwrap(),
            "--port" => port = args.next().unwrap().parse().unwrap(),
            _ => {}
        }
    }
    let addr = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let listener = match TcpListener::bind(&addr) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: could not listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(local) => println!("Listening on {local}"),
        Err(e) => {
            eprintln!("error: could not read the address of {addr}: {e}");
            return ExitCode::FAILURE;
        }
    }
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                println!("Connection from {peer}");
                if let Err(e) = echo(stream) {
                    eprintln!("error: lost {peer}: {e}");
                }
            }
            Err(e) => eprintln!("error: accept failed: {e}"),
        }
    }
}

fn echo(mut stream: TcpStream) -> std::io::Result<()> {
    let mut buffer = [0u8; 8192];
    loop {
        let n = stream.read(&mut buffer)?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buffer[..n])?;
    }
}

//! A load generator for the echo servers: many clients at once, every
//! echoed byte checked, throughput and latency per number of clients.
//!
//! Each level connects `conns` clients (one thread each), lets them all
//! start together, and has each send `messages` messages of `size` bytes
//! and wait for each echo before sending the next. Every level is bounded
//! in time; a client that runs out of time counts its unsent messages as
//! errors. Only the address it is given is ever targeted.

mod figures;

pub use figures::{plot, table};

use crate::peer::{self, udp, End};
use crate::time::Deadline;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpStream};
use std::sync::{Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The longest a client waits to be let in.
pub const CONNECT_LIMIT: Duration = Duration::from_secs(5);
/// How long a datagram client waits for one echo before counting the
/// datagram lost.
pub const DATAGRAM_WAIT: Duration = Duration::from_secs(1);

pub use crate::tasks::Echo as Protocol;

/// One level of load.
#[derive(Clone, Copy, Debug)]
pub struct Load {
    pub conns: usize,
    pub messages: usize,
    pub size: usize,
    /// The longest a level may take.
    pub limit: Duration,
}

/// What one level measured.
#[derive(Clone, Debug)]
pub struct Level {
    pub conns: usize,
    pub size: usize,
    pub ok: usize,
    pub errors: usize,
    pub elapsed: Duration,
    /// Round-trip times of the messages echoed correctly, sorted.
    latencies: Vec<Duration>,
    /// Connect times, sorted.
    connects: Vec<Duration>,
    /// The first error seen, to say what went wrong.
    pub first_error: Option<String>,
}

impl Level {
    pub fn messages_per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn megabytes_per_second(&self) -> f64 {
        (self.ok * self.size) as f64 / 1e6 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `p`th percentile (0–100) round trip.
    pub fn latency(&self, p: f64) -> Duration {
        percentile(&self.latencies, p)
    }

    pub fn connect(&self, p: f64) -> Duration {
        percentile(&self.connects, p)
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// What one client did.
#[derive(Default)]
struct Tally {
    ok: usize,
    errors: usize,
    latencies: Vec<Duration>,
    connect: Option<Duration>,
    error: Option<String>,
}

/// Runs one level against the server at `addr`.
pub fn run(addr: SocketAddr, protocol: Protocol, load: Load) -> Level {
    let deadline = Deadline::after(load.limit);
    let ready = Barrier::new(load.conns + 1);
    let tallies = Mutex::new(Vec::with_capacity(load.conns));
    let mut started = Instant::now();
    thread::scope(|scope| {
        let mut spawned = 0;
        for i in 0..load.conns {
            let (ready, tallies) = (&ready, &tallies);
            let client =
                thread::Builder::new()
                    .stack_size(128 * 1024)
                    .spawn_scoped(scope, move || {
                        let tally = client(i, addr, protocol, load, ready, deadline);
                        tallies
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push(tally);
                    });
            if client.is_err() {
                break;
            }
            spawned += 1;
        }
        // Clients that could not be started still count at the gate.
        for _ in spawned..load.conns {
            scope.spawn(|| ready.wait());
        }
        ready.wait();
        started = Instant::now();
    });
    let elapsed = started.elapsed();
    let tallies = tallies.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut level = Level {
        conns: load.conns,
        size: load.size,
        ok: 0,
        errors: load.conns.saturating_sub(tallies.len()) * load.messages,
        elapsed,
        latencies: Vec::new(),
        connects: Vec::new(),
        first_error: None,
    };
    for tally in tallies {
        level.ok += tally.ok;
        level.errors += tally.errors;
        level.latencies.extend(tally.latencies);
        level.connects.extend(tally.connect);
        if level.first_error.is_none() {
            level.first_error = tally.error;
        }
    }
    level.latencies.sort();
    level.connects.sort();
    level
}

/// One client: connect, wait for the others, then talk.
fn client(
    i: usize,
    addr: SocketAddr,
    protocol: Protocol,
    load: Load,
    ready: &Barrier,
    deadline: Deadline,
) -> Tally {
    if protocol == Protocol::Datagrams {
        return datagram_client(i, addr, load, ready, deadline);
    }
    let mut tally = Tally::default();
    let begun = Instant::now();
    // A client the server never lets in (a one-at-a-time server with a
    // full backlog) gives up after CONNECT_LIMIT, so the others can start.
    let connect_by = Deadline::after(CONNECT_LIMIT.min(deadline.remaining().unwrap_or_default()));
    let connected = peer::connect(addr, connect_by);
    tally.connect = Some(begun.elapsed());
    ready.wait();
    let stream = match connected {
        Ok(stream) => stream,
        Err(e) => {
            tally.errors = load.messages;
            tally.error = Some(format!("client {i} could not connect: {e}"));
            return tally;
        }
    };
    let result = match protocol {
        Protocol::Lines => talk_lines(i, stream, load, deadline, &mut tally),
        Protocol::Bytes => talk_bytes(i, stream, load, deadline, &mut tally),
        Protocol::Datagrams => Err(format!("client {i}: datagrams need no connection")),
    };
    if let Err(e) = result {
        tally.errors = load.messages - tally.ok;
        tally.error = Some(e);
    }
    tally
}

/// A message of `size` bytes, different for every client and message.
fn message(i: usize, j: usize, size: usize) -> Vec<u8> {
    let stamp = format!("client {i} message {j} ");
    stamp
        .bytes()
        .chain(std::iter::repeat(b'x'))
        .take(size)
        .collect()
}

fn talk_lines(
    i: usize,
    stream: TcpStream,
    load: Load,
    deadline: Deadline,
    tally: &mut Tally,
) -> Result<(), String> {
    use peer::LineError;
    let mut conn = peer::LineConn::new(stream, load.size * 2 + 16);
    for j in 0..load.messages {
        let line = message(i, j, load.size.saturating_sub(1));
        let sent = Instant::now();
        match conn.exchange(&line, deadline) {
            Ok(_) => {}
            Err(LineError::Unsent(e)) => return Err(format!("client {i}: {e}")),
            Err(LineError::Wrong(_)) => {
                return Err(format!("client {i}: message {j} came back changed"))
            }
            Err(LineError::Timeout(_)) => {
                return Err(format!("client {i}: no echo ({})", End::Timeout.describe()))
            }
            Err(LineError::Closed(got)) => {
                return Err(format!("client {i}: no echo ({})", got.end.describe()))
            }
        }
        tally.latencies.push(sent.elapsed());
        tally.ok += 1;
    }
    let _ = conn.exchange(b"BYE", deadline);
    Ok(())
}

fn talk_bytes(
    i: usize,
    stream: TcpStream,
    load: Load,
    deadline: Deadline,
    tally: &mut Tally,
) -> Result<(), String> {
    for j in 0..load.messages {
        let data = message(i, j, load.size);
        let sent = Instant::now();
        peer::write_all(&stream, &data, deadline).map_err(|e| format!("client {i}: {e}"))?;
        let echo = peer::read_exact(&stream, data.len(), deadline);
        if echo.bytes != data {
            return Err(format!(
                "client {i}: message {j}: {}",
                match echo.end {
                    End::Eof if echo.bytes.len() == data.len() => "came back changed".to_string(),
                    ref end => format!(
                        "only {} of {} bytes came back ({})",
                        echo.bytes.len(),
                        data.len(),
                        end.describe()
                    ),
                }
            ));
        }
        tally.latencies.push(sent.elapsed());
        tally.ok += 1;
    }
    let _ = stream.shutdown(Shutdown::Write);
    let _ = peer::read_to_end(&stream, 1024, deadline);
    Ok(())
}

/// One UDP client: a socket connected to the server (so only its
/// datagrams count), then each message sent and its echo awaited for
/// [`DATAGRAM_WAIT`]. A datagram with no echo is lost: an error, and the
/// client goes on with the next message.
fn datagram_client(
    i: usize,
    addr: SocketAddr,
    load: Load,
    ready: &Barrier,
    deadline: Deadline,
) -> Tally {
    let mut tally = Tally::default();
    let begun = Instant::now();
    let any: IpAddr = if addr.is_ipv4() {
        Ipv4Addr::UNSPECIFIED.into()
    } else {
        Ipv6Addr::UNSPECIFIED.into()
    };
    let bound = udp::bind(any).and_then(|socket| socket.connect(addr).map(|()| socket));
    tally.connect = Some(begun.elapsed());
    ready.wait();
    let socket = match bound {
        Ok(socket) => socket,
        Err(e) => {
            tally.errors = load.messages;
            tally.error = Some(format!("client {i} could not open a UDP socket: {e}"));
            return tally;
        }
    };
    let mine = format!("client {i} message ");
    for j in 0..load.messages {
        let data = message(i, j, load.size);
        let sent = Instant::now();
        let wait = Deadline::after(DATAGRAM_WAIT.min(deadline.remaining().unwrap_or_default()));
        let outcome = socket
            .send(&data)
            .map_err(|e| e.to_string())
            .and_then(|_| loop {
                match udp::receive(&socket, wait) {
                    Ok(Some(echo)) if echo.bytes == data => break Ok(()),
                    // The late echo of a datagram already counted lost.
                    Ok(Some(echo)) if echo.bytes.starts_with(mine.as_bytes()) => {}
                    Ok(Some(_)) => break Err(format!("message {j} came back changed")),
                    Ok(None) => {
                        break Err(format!(
                            "message {j} lost: no echo within {DATAGRAM_WAIT:?}"
                        ))
                    }
                    Err(e) => break Err(e.to_string()),
                }
            });
        match outcome {
            Ok(()) => {
                tally.latencies.push(sent.elapsed());
                tally.ok += 1;
            }
            Err(e) => {
                tally.errors += 1;
                tally.error.get_or_insert(format!("client {i}: {e}"));
            }
        }
    }
    tally
}

/// `grader bench`: builds the chosen tasks' servers (or takes the one at
/// `--addr`), loads each at every level, prints a table per server and
/// draws the chart. The exit code is 1 when any message went wrong.
pub fn load_servers(cli: &crate::cli::Bench) -> anyhow::Result<u8> {
    use crate::output::emit;
    use crate::process::Program;
    use crate::tasks::Task;
    use anyhow::Context;
    use std::io::IsTerminal;
    let protocol = |task: &Task| {
        task.echo.ok_or_else(|| {
            let echoing: Vec<&str> = crate::tasks::all()
                .into_iter()
                .filter(|task| task.echo.is_some())
                .map(|task| task.package)
                .collect();
            anyhow::anyhow!(
                "{} has no echo server to load: bench {}",
                task.package,
                echoing.join(", ")
            )
        })
    };
    let mut names = vec![cli.task.clone()];
    names.extend(cli.compare.iter().cloned());
    let mut tasks: Vec<Task> = Vec::new();
    for name in &names {
        tasks.extend(crate::cli::chosen_tasks(std::slice::from_ref(name))?);
    }
    let root = crate::cargo::Workspace::open(&cli.workspace.resolve()?)?;
    let packages: Vec<&str> = tasks.iter().map(|t| t.package).collect();
    let built = match (&cli.addr, cli.release) {
        (Some(_), _) => Default::default(),
        (None, true) => root.build_release(&packages)?,
        (None, false) => root.build(&packages)?,
    };
    let load = |conns| Load {
        conns,
        messages: cli.messages,
        size: cli.size.max(2),
        limit: Duration::from_secs(cli.limit),
    };
    let show_progress = std::io::stderr().is_terminal();
    let mut results = Vec::new();
    for task in &tasks {
        let protocol = protocol(task)?;
        // The server under load: one given by address, or the task's own,
        // started on a free loopback port and stopped when done.
        let (addr, _server) = match &cli.addr {
            Some(addr) => {
                let addr = std::net::ToSocketAddrs::to_socket_addrs(addr.as_str())
                    .with_context(|| format!("could not resolve {addr}"))?
                    .next()
                    .with_context(|| format!("{addr} resolves to no address"))?;
                (addr, None)
            }
            None => {
                let exe = built
                    .executable(&task.server_bin())
                    .with_context(|| format!("{} did not build", task.server_bin()))?;
                let program =
                    Program::from_path(exe).with_args(&["--host", "127.0.0.1", "--port", "0"]);
                let server =
                    crate::check::Server::start(&program, Deadline::after(Duration::from_secs(10)))
                        .map_err(|o| anyhow::anyhow!("{}: {}", task.server_bin(), o.message))?;
                (server.addr, Some(server))
            }
        };
        let mut levels = Vec::new();
        for &conns in &cli.conns {
            if show_progress {
                eprint!("\r\x1b[2K{}: {conns} clients…", task.package);
            }
            levels.push(run(addr, protocol, load(conns)));
        }
        if show_progress {
            eprint!("\r\x1b[2K");
        }
        emit(
            &format!(
                "{}\n",
                table(&format!("{} at {addr}", task.package), &levels)
            ),
            false,
        )?;
        results.push((task.package, levels));
    }
    if let Some(path) = &cli.plot {
        let series: Vec<(&str, &[Level])> =
            results.iter().map(|(n, l)| (*n, l.as_slice())).collect();
        plot(path, &series)
            .map_err(|e| anyhow::anyhow!("could not draw {}: {e}", path.display()))?;
        emit(&format!("Wrote {}\n", path.display()), false)?;
    }
    let errors: usize = results.iter().flat_map(|(_, l)| l).map(|l| l.errors).sum();
    Ok(if errors == 0 { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_right_sample() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&samples, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&samples, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&samples, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&[], 99.0), Duration::ZERO);
    }

    #[test]
    fn messages_differ_and_have_their_size() {
        assert_eq!(message(3, 7, 40).len(), 40);
        assert_ne!(message(3, 7, 40), message(3, 8, 40));
        assert_eq!(message(0, 0, 4), b"clie");
    }
}

//! Hints, one level at a time.
//!
//! Level 1 is the check's own hint. Level 2, below, is more concrete: the
//! calls and the shape of the fix, still not the code. Level 3 is what the
//! grader saw (expected and actual) and where to read up. A check without
//! an entry here skips to level 3.

/// The second-level hint for the check `id` (`task03.server.echo_1mib`);
/// the checks every task shares are keyed without the task.
pub fn deeper(id: &str) -> Option<&'static str> {
    let name = id.split_once('.').map_or(id, |(_, rest)| rest);
    let specific = match id {
        // Task 01: connect only.
        "task01.server.closes" => Some(
            "The TcpStream that accept() hands you closes the connection when it is dropped, so let it \
             go out of scope at the end of the loop body (or drop it) once the line is printed. Don't \
             keep it alive in a Vec or a variable outside the loop, and don't read from it: the grader \
             sends nothing and waits for your close.",
        ),
        "task01.client.connects" => Some(
            "Once TcpStream::connect has succeeded, ask the stream for peer_addr(), a SocketAddr, print \
             it after `Connected to ` and return normally so the exit status is 0. The SocketAddr's \
             Display already writes an IPv6 address in brackets.",
        ),
        "task01.pair.connect" => Some(
            "The grader starts your server with --port 0, reads the port from its `Listening on` line \
             and runs your client with --host 127.0.0.1 --port <that port>, so both programs must use \
             their arguments, not a fixed 5001. Then your client must print `Connected to …` and exit \
             0 and your server must print `Connection from 127.0.0.1:<port>`: the missing line tells \
             you which side to fix.",
        ),
        // Task 02: the server speaks first.
        "task02.server.greeting_default" => Some(
            "For each accepted client, build the greeting plus \"\\n\" as one buffer (format! it, then \
             as_bytes()), send it with write_all and let the stream drop, so the client's read_to_end \
             ends. Don't read from the client first (the grader sends nothing), and check that the clap \
             default_value is exactly `Thank you for connecting`.",
        ),
        "task02.server.greeting_custom" => Some(
            "Take the --message String from the arguments and write its as_bytes() followed by the \
             newline: a Rust str is already UTF-8. Avoid trim() and writing character by character with \
             `as u8`, which cuts every non-ASCII character down to one byte.",
        ),
        "task02.client.greeting" => Some(
            "Read everything into a Vec<u8> with read_to_end, turn it into text once with \
             String::from_utf8_lossy, remove the line ending with strip_suffix, and println! the rest \
             right after `Received from server: ` (one space after the colon). Then return normally so \
             the exit status is 0.",
        ),
        "task02.client.fragments" => Some(
            "Replace the single read() with read_to_end, or with your own loop that calls read and \
             extend_from_slice until read returns Ok(0). Print once, after the loop: a \
             `Received from server:` line per read is just as wrong.",
        ),
        "task02.client.long_greeting" => Some(
            "Collect into a growable Vec<u8>, not a [u8; 1024] array: read_to_end grows it as needed, \
             or read into a fixed chunk and extend_from_slice each piece onto the Vec. Convert to text \
             only once the server has closed.",
        ),
        "task02.client.keeps_spaces" => Some(
            "trim() and trim_end() remove every kind of whitespace; use strip_suffix('\\n') (keeping \
             the text as it is when it returns None) or trim_end_matches with only the line-ending \
             characters, so the spaces at both ends survive.",
        ),
        "task02.client.crlf" => Some(
            "Strip the '\\n' first and then a '\\r' from what is left (two strip_suffix calls, in that \
             order), or use trim_end_matches with just those two characters. Stripping '\\r' first \
             finds nothing, because the text still ends in '\\n' at that point.",
        ),
        "task02.pair.greeting" => Some(
            "The grader runs your server with a --message that begins and ends with spaces and holds \
             non-ASCII text (ü, —, 你好, 🦀), then your client against the port the server announced. \
             The client must print that text unchanged, so neither side may trim or re-encode it; try \
             it yourself with a quoted message such as `  héllo  `.",
        ),
        // Task 03: echo.
        "task03.server.echo_text" => Some(
            "Loop over read on a byte buffer: a return of Ok(0) means the client half-closed, so return \
             and let the stream drop; any other n means write_all the first n bytes of the buffer. \
             Writing back the whole buffer sends zeros after the data, and staying in the loop after \
             Ok(0) leaves the grader waiting for your close.",
        ),
        "task03.server.echo_utf8" => Some(
            "Keep the data as bytes from read to write_all: no String::from_utf8, from_utf8_lossy, \
             chars() or read_to_string on the way. Decoding each read on its own turns a character \
             split between two reads into U+FFFD replacement characters.",
        ),
        "task03.server.echo_binary" => Some(
            "Use Read::read into a [u8] buffer (or read_to_end into a Vec<u8>) and write that slice \
             back; read_line, lines() and read_to_string all insist on UTF-8 and fail on this data. A \
             NUL byte is ordinary data, not an end marker: stop only when read returns 0.",
        ),
        "task03.server.echo_1mib" => Some(
            "The grader sends 1 MiB while reading the echo, so echo each chunk as it arrives: read into \
             a buffer of a few KiB, write_all exactly the bytes read, and repeat until Ok(0); a plain \
             write() may take only part of a chunk. std::io::copy from the stream to a try_clone of it \
             runs the same loop for you.",
        ),
        "task03.server.echo_pieces" => Some(
            "Don't stop after the first read or at the first '\\n': the pieces come 20 ms apart and \
             each read returns only what has arrived so far. The only normal way out of the loop is \
             read returning Ok(0), which happens after the grader's shutdown(Shutdown::Write).",
        ),
        "task03.server.survives_reset" => Some(
            "Put the per-client read/write loop in its own function returning io::Result and use `?` \
             only inside it. In the accept loop, match that result and eprintln! the error \
             (`Connection reset by peer` or `Broken pipe` are normal here) before going back to \
             accept(); an unwrap(), expect() or `?` in the accept loop itself ends the server.",
        ),
        "task03.client.echo" => Some(
            "Send exactly the message's bytes with write_all, with no newline added (the grader \
             compares byte for byte), then call shutdown(Shutdown::Write) on that same stream, which \
             stays readable. Then read_to_end, print `Received from server: ` and the text, and exit \
             0; dropping the stream or Shutdown::Both would close the reading side as well.",
        ),
        "task03.client.default_message" => Some(
            "The kit's Args struct already declares MESSAGE as a positional field with a \
             default_value: pass args.message on and send it unchanged rather than a text of your \
             own. If you parse arguments yourself, MESSAGE must be optional and default to exactly \
             `Hello, Server!`, comma and exclamation mark included.",
        ),
        "task03.client.echo_pieces" => Some(
            "After the half-close, collect the echo with read_to_end into a Vec<u8> (or loop over \
             read until Ok(0)) and only then print and compare: the echo comes back in four pieces \
             and the server closes after the last. Printing or comparing after the first read sees \
             a fragment.",
        ),
        "task03.client.mismatch" => Some(
            "Compare the received bytes with message.as_bytes() exactly (no trimming) and, when they \
             differ, return an error whose text starts with `echo mismatch`, so the kit's main prints \
             `error: echo mismatch …` to stderr and exits 1. A panic (assert_eq!, unwrap) exits 101 \
             and does not count.",
        ),
        "task03.pair.echo" => Some(
            "Your client's shutdown(Shutdown::Write) is what makes your server's read return 0, and \
             your server dropping the stream after that is what ends your client's read_to_end: if \
             the pair hangs, one of those two steps is missing. The grader's message has spaces in it \
             and must come back in `Received from server: …`, with exit status 0.",
        ),
        // Task 04: many clients at once.
        "task04.server.line_echo" => Some(
            "Wrap the stream in a BufReader (write through a try_clone of it, or through a \
             &TcpStream) and loop over read_line or read_until, answering with write_all after each \
             line rather than at the end. Clear the buffer before every read, since read_line \
             appends; an empty line is answered with a bare newline, and only a read of 0 bytes \
             means the client is gone.",
        ),
        "task04.server.bye" => Some(
            "Strip only the line ending (trim_end_matches with '\\r' and '\\n'), compare with \
             \"BYE\", write_all the reply, then break out of the read loop and return. Every handle \
             to that socket has to go: a try_clone kept somewhere else (a shared list, say) holds \
             the connection open, so drop it too or call shutdown(Shutdown::Both).",
        ),
        "task04.server.idle_client" => Some(
            "The accept loop should only accept, print the connection line and thread::spawn a move \
             closure that owns the stream and runs the per-client loop. Don't join() the JoinHandle \
             there, and don't hold a lock shared by all clients while a thread blocks in read_line: \
             either one puts the second client back in line behind the first.",
        ),
        "task04.server.reverse_order" => Some(
            "Each client's thread should block only in read_line on its own stream. A design where \
             the accept loop, or a single thread, reads from the clients in turn sits waiting on \
             client 1 while client 2 talks; spawn each thread right after accept(), before anything \
             reads.",
        ),
        "task04.server.concurrent_100" => Some(
            "Move each accepted TcpStream into its own thread's closure and let that thread read from \
             and write to that stream only: no shared Vec of streams, no reply to `the latest \
             client`, no global lock held while reading. A thread pool passes only with 100 workers or \
             more, and thread::Builder::spawn returns an error where thread::spawn would panic the \
             accept loop when the OS runs short of threads.",
        ),
        "task04.server.broken_client" => Some(
            "Let the per-client function return io::Result and use `?` inside it; in the thread's \
             closure, match the result and eprintln! the error (a reset shows up as ConnectionReset \
             from read_line or BrokenPipe from write_all). Nothing a client thread does on error may \
             reach the whole process: no std::process::exit, no panic while holding a lock the other \
             threads use.",
        ),
        "task04.server.invalid_utf8" => Some(
            "read_line and lines() return an Err of kind InvalidData for these bytes: treat it like \
             any other error and end that client's thread, or read with read_until(b'\\n') into a \
             Vec<u8>, which doesn't check UTF-8, and echo those bytes back. Either way the error must \
             stay in that one thread, with no unwrap() on it.",
        ),
        "task04.server.thread_per_client" => Some(
            "The grader counts the server's threads with 10 clients connected and again after they \
             leave. thread::spawn one thread per accepted stream, and make that thread's function \
             return on BYE, on Ok(0) and on an error, so the thread ends with its client.",
        ),
        "task04.server.long_line" => Some(
            "BufReader's read_line and read_until keep refilling until they find '\\n', however long \
             the line, so use them instead of a single read into a fixed array or one fill_buf. Send \
             the 64 KiB reply with write_all, because a single write may accept only part of it.",
        ),
        "task04.server.bye_only_own" => Some(
            "After answering BYE, return from that client's function and nothing more: no \
             std::process::exit, no shared `running` flag or channel message that stops the accept \
             loop or the other threads, no shutdown of a socket anyone else uses.",
        ),
        "task04.client.lines" => Some(
            "Read stdin with io::stdin().lock().lines() and make one BufReader around the stream \
             before the loop (a new one per reply can swallow bytes it had buffered); for each line, \
             write_all it plus '\\n', read_line one reply, strip only its line ending and print it. \
             When lines() runs out, do the same for BYE, then read_to_end until the server closes \
             and return normally; the input has trailing spaces, so no trim().",
        ),
        "task04.client.bye_typed" => Some(
            "Test each input line after its reply is printed: if it was `BYE`, break out of the \
             stdin loop instead of asking for another line, because the grader leaves stdin open and \
             the next lines().next() would block for ever. Don't read all of stdin up front \
             (read_to_string waits for an end that never comes); after the break, read_to_end on \
             the connection and exit 0.",
        ),
        "task04.client.slow_replies" => Some(
            "After sending a line, call read_line on the BufReader and let it block until the whole \
             reply is there: no set_read_timeout or set_nonblocking, and no treating an empty or \
             WouldBlock read as `no reply` and moving on. One reply per line sent, printed in order; \
             the grader waits 100 ms before each.",
        ),
        "task04.pair.chat" => Some(
            "The grader gives your client one line and then closes its stdin, so the client must turn \
             end of input into a BYE it sends itself, and your server must answer it and drop every \
             handle to that connection so the client's last read_to_end returns. To reproduce it, \
             type a line and press Ctrl-D rather than typing BYE; whichever side is still running \
             is the one to fix.",
        ),
        _ => None,
    };
    specific.or(match name {
        "server.listening" => Some(
            "Call local_addr() on the listener TcpListener::bind returned, not on the address you \
             asked for, and print its Display form as the first word after `Listening on`: the grader \
             parses that one token as a SocketAddr (`127.0.0.1:40211`, `[::1]:40211`), so `port 40211` \
             or a separate host and port won't do. Print it before the accept loop; Rust's println! \
             flushes at the newline, a program in another language must flush stdout itself.",
        ),
        "server.loopback_default" => Some(
            "Bind exactly the address built from --host and --port (the kit's address() helper \
             builds it) rather than a string of your own such as `0.0.0.0:…` or `[::]:…`, and keep \
             127.0.0.1 as the clap default_value of host. The grader starts the server with no --host \
             at all and then asks the OS which address that port is bound to.",
        ),
        "server.connection_line" => Some(
            "accept() returns a pair, the new TcpStream and the client's SocketAddr: print that \
             SocketAddr (the stream's peer_addr() is the same) right after `Connection from `, not \
             local_addr(), which is the server's own side. Print it as soon as accept() returns, \
             before reading or writing anything, because the grader connects and then only waits for \
             that line.",
        ),
        "server.keeps_accepting" => Some(
            "Make accept() the head of an endless loop (or iterate listener.incoming()) and serve each \
             client in a function returning io::Result, so the loop can match an Err, eprintln! it and \
             carry on. In the loop itself use neither `?` nor unwrap() on accept() or on a client's \
             read or write: both leave serve() or panic, and the grader's next client finds nobody.",
        ),
        "server.releases_sockets" => Some(
            "The grader counts the server's open files before and after 20 clients. Each accepted \
             TcpStream (and every try_clone of it) is a file until its last handle is dropped; \
             shutdown() ends the conversation but does not free the file. Keep no stream past its \
             client's end: no list of clients, no clone left in another thread.",
        ),
        "server.no_close_wait" => Some(
            "CLOSE_WAIT is a connection whose peer has closed while this side has not. When read \
             returns Ok(0), return from the client's function (or break out of its loop) so the \
             stream is dropped; reading again after a 0 only spins.",
        ),
        "server.restarts" => Some(
            "The grader stops the server and binds the same port again at once, while the old \
             connections still wait out TIME_WAIT. std's TcpListener::bind sets SO_REUSEADDR for \
             you; a hand-made socket (socket2, or Python's socket.socket) needs it set before bind.",
        ),
        "client.refused" => Some(
            "TcpStream::connect returns an io::Result: map_err its Err into a message that names the \
             address and includes the io::Error, and return it instead of calling unwrap() or \
             expect(), which panic with exit status 101. The kit's main prints `error: ` and that \
             message to stderr and exits 1; `fn main() -> Result` would print `Error:` with a capital \
             E, which does not count.",
        ),
        "client.ipv6" => Some(
            "The addr your function receives is already written by the kit's address() helper as \
             `[::1]:5001`: give it to TcpStream::connect unchanged. If you build the address \
             yourself, gluing host, colon and port makes `::1:5001`, which does not parse; pass a \
             (&str, u16) tuple instead, and never parse the host as an Ipv4Addr.",
        ),
        "client.localhost" => Some(
            "Give connect() the name itself, in the addr string or a (&str, u16) tuple: it resolves \
             it through ToSocketAddrs and tries each address in turn. Parsing the host into an IpAddr \
             or SocketAddr fails on a name, and keeping only the first result of to_socket_addrs() \
             may pick ::1 while the grader listens on 127.0.0.1 only.",
        ),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::deeper;
    use crate::tasks::all;

    #[test]
    fn every_check_has_a_deeper_hint() {
        let missing: Vec<String> = all()
            .into_iter()
            .flat_map(|task| task.checks)
            .map(|check| check.id)
            .filter(|id| deeper(id).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "checks without a level-2 hint in hints.rs: {missing:?}"
        );
    }

    #[test]
    fn a_deeper_hint_is_not_the_first_one_again() {
        for check in all().into_iter().flat_map(|task| task.checks) {
            let hint = deeper(&check.id).unwrap_or_default();
            assert_ne!(hint, check.hint, "{}", check.id);
        }
    }

    #[test]
    fn an_unknown_check_has_no_deeper_hint() {
        assert_eq!(deeper("task03.server.no_such_check"), None);
        assert_eq!(deeper("nonsense"), None);
    }
}

//! The Python wording of the hints of tasks 05 (UDP) and 06 (chat).

use super::Wording;

pub(super) const UDP_CHAT: &[Wording] = &[
    (
        "task05.server.listening",
        &[
            "After bind(), print `Listening on` and the address sock.getsockname() gives (with --port 0 the OS picks the port), with flush=True.",
            "UDP has no listen(): socket.socket(family, socket.SOCK_DGRAM) and bind() are the whole \
            setup. Print sock.getsockname() as one `host:port` token right after `Listening on ` \
            (IPv6 in brackets), flushed, before the receive loop: the grader reads it to learn where to send.",
        ],
    ),
    (
        "task05.server.loopback_default",
        &[
            "The default for --host is 127.0.0.1; binding \"\" or 0.0.0.0 would take datagrams from the whole network.",
            "Bind (args.host, args.port) exactly, with default=\"127.0.0.1\" in the --host argument, not \
            (\"\", port) or (\"0.0.0.0\", port). The grader starts the server without --host and then \
            tries to bind 127.0.0.2 on the same port, which only a socket bound to every interface prevents.",
        ],
    ),
    (
        "task05.server.datagram_line",
        &[
            "recvfrom() returns the sender's address next to the data: print that, ip:port.",
            "data, peer = sock.recvfrom(65535): print `Datagram from` and peer as `host:port` (e.g. \
            `Datagram from 127.0.0.1:40000: 14 bytes`) for every datagram, flushed. getsockname() is \
            the server's own side, not the sender.",
        ],
    ),
    (
        "task05.server.echo_text",
        &[
            "Reply with sock.sendto(data, peer): exactly the bytes recvfrom() returned, to the address they came from.",
            "Loop on data, peer = sock.recvfrom(65535) and sock.sendto(data, peer). Adding a newline, \
            or decoding the bytes and encoding them again, changes the datagram.",
        ],
    ),
    (
        "task05.server.boundaries",
        &[
            "One recvfrom() is one datagram, and one sendto() makes one datagram: echo each as it came, never joined or split.",
            "The grader sends five datagrams (1, 700, 5, 120 and 33 bytes) without waiting. Each \
            recvfrom() returns exactly one of them, so reply to each with one sendto(). Receiving in \
            small pieces as with TCP cuts each datagram short: the rest of a datagram that does not \
            fit is thrown away, not kept for the next call.",
        ],
    ),
    (
        "task05.server.empty",
        &[
            "A datagram of 0 bytes is a datagram: recvfrom() returning b'' is not an end-of-stream as with TCP.",
            "With UDP there is no connection to close, so data == b'' means only that an empty \
            datagram came: reply to it with sendto(b'', peer) like any other. Don't `continue` or `break` on it.",
        ],
    ),
    (
        "task05.server.echo_max",
        &[
            "Is your receive size big enough for the largest datagram? recvfrom(1024) cuts a datagram to 1024 bytes and throws the rest away.",
            "65 507 bytes is the most one UDP datagram carries over IPv4 (65 535 less 20 bytes of IP \
            header and 8 of UDP header). recvfrom(1024), common in examples, silently cuts it to \
            1024: call recvfrom(65535).",
        ],
    ),
    (
        "task05.server.two_senders",
        &[
            "Reply to the address that came with this datagram, not to one you saved earlier.",
            "Use the peer returned by this very recvfrom() call for its sendto(). Keeping the first \
            sender's address, or connect()ing the server's socket to it, sends every reply to that \
            sender (or drops the others' datagrams).",
        ],
    ),
    (
        "task05.server.many_senders",
        &[
            "One socket serves every sender: keep receiving and replying in one loop, whoever sends.",
            "The 50 datagrams wait in the socket's receive queue until recvfrom() takes them, one per \
            call. A server that waits for something from one sender before the next, or that \
            connects its socket to a sender, leaves the others unanswered.",
        ],
    ),
    (
        "task05.server.survives_gone",
        &[
            "An OSError from recvfrom() or sendto() concerns one datagram: print it and go on receiving.",
            "The grader's first ten senders close their sockets before your replies reach them. An \
            unconnected socket hears nothing of it, but a socket connect()ed to a sender gets the \
            ICMP `port unreachable` back as ConnectionRefusedError at its next call. Don't connect \
            the server's socket, and wrap each call in try/except OSError that prints `error: …` on stderr, then carries on.",
        ],
    ),
    (
        "task05.server.ipv6",
        &[
            "Bind the host --host names, `::1` included: make the socket in the host's family.",
            "socket.socket(socket.AF_INET, ...) cannot bind ::1: take the family from \
            socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0] (or use AF_INET6 for a host \
            with a colon) and bind that address. A reply goes to the IPv6 peer recvfrom() returned, as for IPv4.",
        ],
    ),
    (
        "task05.server.open_files",
        &[
            "One socket serves everyone: no new socket (or file) per datagram or per sender.",
            "The grader counts the server's open files before and after 20 senders. Replying from a \
            new socket per datagram, or keeping one per sender in a dict, adds a file each time; \
            reply with sendto() on the socket you received on.",
        ],
    ),
    (
        "task05.server.port_in_use",
        &[
            "Catch the OSError of bind(): print `error: could not listen on <addr>: <reason>` to stderr and exit with status 1.",
            "The grader holds the UDP port itself and then starts your server on it. Wrap bind() in \
            try/except OSError as e, print f\"error: could not listen on {host}:{port}: {e.strerror}\" \
            with file=sys.stderr and call sys.exit(1); an uncaught exception prints a traceback instead.",
        ],
    ),
    (
        "task05.client.echo",
        &[
            "Send the message's bytes with one sendto() (or send()), then receive one datagram and print it after `Received from server: `.",
            "Make a SOCK_DGRAM socket in the server's family, connect() it to (host, port), \
            send(message.encode()) with no newline added, recv(65535), print `Received from server: ` \
            and the bytes decoded, and exit 0.",
        ],
    ),
    (
        "task05.client.retransmits",
        &[
            "UDP may lose a datagram: wait for the reply at most --timeout-ms, and send the message again when none came.",
            "Call sock.settimeout(timeout_ms / 1000), then loop 1 + retries times: send, recv; \
            socket.timeout (TimeoutError) means no reply in time, so go round again. The grader drops \
            your first datagram and answers the second, which must come after your timeout, not at once.",
        ],
    ),
    (
        "task05.client.ignores_forged",
        &[
            "Anyone can send your socket a datagram: accept a reply only from the address you sent the message to.",
            "connect() the UDP socket to the server's address before sending: the OS then drops \
            datagrams from every other address, and send()/recv() need no address. Or compare the \
            address recvfrom() returns with the server's and go on waiting when they differ. The \
            grader sends a forged reply from another port first.",
        ],
    ),
    (
        "task05.client.mismatch",
        &[
            "Compare the reply with what you sent; if they differ print `error: echo mismatch …` to stderr and exit with status 1.",
            "Compare the bytes received with message.encode() exactly (no strip()) after printing \
            them, and when they differ print a line starting with `error: echo mismatch` with \
            file=sys.stderr and sys.exit(1). An `assert` raises AssertionError: a traceback, not the `error:` line.",
        ],
    ),
    (
        "task05.client.refused",
        &[
            "Every socket call can raise OSError: catch it, print `error: <what> <addr>: <reason>` on stderr and exit 1.",
            "Nothing holds the port, so the OS answers your datagram with ICMP `port unreachable`; on \
            a connect()ed UDP socket the next recv() raises ConnectionRefusedError. Catch it and print \
            an `error:` line naming the address; a client that does not connect hears nothing and \
            must end with its `no reply` line instead.",
        ],
    ),
    (
        "task05.client.ipv6",
        &[
            "Make your socket in the server's family: an AF_INET socket can't send to ::1.",
            "Resolve first with socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM) and make the \
            socket with the family it gives (AF_INET6 for [::1]), before connect and send: sending to \
            ::1 from an AF_INET socket fails with `Address family not supported` or a gaierror.",
        ],
    ),
    (
        "task05.client.localhost",
        &[
            "Let the OS resolve the host: socket.getaddrinfo(host, port), not a parse into an IP address.",
            "Try each address getaddrinfo returns in turn: localhost may come back as ::1 and \
            127.0.0.1, and the grader listens on 127.0.0.1 only. On a connect()ed socket nobody at \
            ::1 shows as ConnectionRefusedError: move on to the next address then.",
        ],
    ),
    (
        "task05.client.timeout_option",
        &[
            "--timeout-ms is a number of milliseconds, at least 1: have argparse refuse 0, and use the value you are given.",
            "Give --timeout-ms a type= function that raises argparse.ArgumentTypeError below 1 (or \
            call parser.error() after parse_args()): argparse then prints its message and exits 2. \
            settimeout(0) would make the socket non-blocking, not patient.",
        ],
    ),
    (
        "task05.client.empty_echo",
        &[
            "A 0-byte datagram is a datagram: recv() returning b'' is the (empty) echo of an empty message, not \"nothing yet\".",
            "With MESSAGE \"\" your client sends a datagram of 0 bytes and the server echoes one of 0 \
            bytes. recv() returns b'' for it: print `Received from server: ` with nothing after it and \
            exit 0. Treating b'' as no reply (continue, or sending again) ends in `no reply`.",
        ],
    ),
    (
        "task05.client.prompt_reply",
        &[
            "Wait for the reply in recv() itself, with settimeout() on the socket: recv() returns the moment a datagram arrives.",
            "sock.settimeout(seconds) makes recv() wait until a datagram arrives or the time is up, \
            whichever comes first. time.sleep() for the timeout and then looking for a reply makes \
            every answer take the whole timeout. The grader answers at once and gives --timeout-ms \
            3000: the line must come within a second.",
        ],
    ),
    (
        "task05.pair.echo",
        &[
            "Run both in two terminals and compare what each prints.",
            "Your server must reply to the address recvfrom() returned, from the same socket it \
            received on: your client (connected to the server's address) drops a reply from any other \
            address or port, and then waits, resends and gives up. The grader's message has spaces in \
            it and must come back in `Received from server: …`, with exit status 0.",
        ],
    ),
    (
        "task06.server.client_lines",
        &[
            "Read the connection line by line and print each line's text after `Client: `, as it arrives.",
            "Loop over conn.makefile(\"r\", encoding=\"utf-8\", newline=\"\") line by line, remove only \
            \"\\n\" and a \"\\r\" before it, and print(f\"Client: {line}\", flush=True) at once. Keep \
            no strip(): the grader sends a line with spaces at both ends.",
        ],
    ),
    (
        "task06.server.typed_lines",
        &[
            "Read the server's own stdin line by line, and send each line with a `\\n` to the client's socket.",
            "`for line in sys.stdin:` gives the typed lines (each with its \"\\n\"); sendall() it on the \
            current client's socket, kept where the keyboard thread can reach it. The grader types a \
            line once the client has spoken and waits for it on the socket.",
        ],
    ),
    (
        "task06.server.conversation_start",
        &[
            "`Connection from` says the conversation has begun: make the client's socket reachable by the keyboard thread before you print it.",
            "Store the accepted socket where the keyboard thread looks (a shared variable guarded by a \
            threading.Lock) first, then print `Connection from <peer>`, then read the socket. \
            Printing first leaves a moment in which the keyboard thread finds nobody connected and \
            drops what was typed. The grader types a line the moment the line appears.",
        ],
    ),
    (
        "task06.server.client_bye",
        &[
            "On a line that is exactly BYE from the client: print it, close the connection, print `Conversation ended`, and go back to accept().",
            "Leave the read loop after printing `Client: BYE`, without sending anything back, and \
            close the socket after taking it out of the shared variable the keyboard thread sends \
            through. Then print a line with `Conversation ended` and return to the accept loop; the \
            grader connects a second client next.",
        ],
    ),
    (
        "task06.server.hangup",
        &[
            "readline() returning an empty string means the client has gone: end the conversation as a BYE would.",
            "When a read returns b'' (or \"\") or raises OSError, the client closed or vanished: leave \
            the read loop, close the socket and clear the shared variable, print `Conversation ended` \
            and accept the next client. Don't end the server, and don't loop on the dead socket.",
        ],
    ),
    (
        "task06.server.typed_bye",
        &[
            "When the line typed is BYE, send it, then close the connection: the thread reading the socket must notice and end the conversation.",
            "After sendall(b\"BYE\\n\"), call conn.shutdown(socket.SHUT_RDWR): that ends the connection \
            and makes the socket-reading thread's blocked recv() return b'', so it ends the \
            conversation and goes back to accept(). close() alone does not wake a recv() blocked in another thread.",
        ],
    ),
    (
        "task06.server.stdin_end",
        &[
            "The end of the server's stdin (Ctrl-D) ends the server: say BYE to the current client, close, and exit with status 0.",
            "When the stdin loop runs out, send `BYE\\n` to the current client if there is one, shut it \
            down, and call os._exit(0): the other thread is blocked in accept() or a recv(), and \
            sys.exit() in a thread ends only that thread. os._exit writes out nothing Python still \
            holds: print with flush=True before it.",
        ],
    ),
    (
        "task06.server.utf8_crlf",
        &[
            "Read whole lines, not single bytes, and remove a `\\r` before the `\\n` before printing or comparing with BYE.",
            "Read lines from makefile(\"rb\") and decode each whole line: decoding every recv(1) on its \
            own mangles characters of more than one byte. Remove \"\\r\\n\" or \"\\n\" and compare the \
            rest with \"BYE\", so `BYE\\r\\n` ends the conversation too.",
        ],
    ),
    (
        "task06.server.bye_exact",
        &[
            "Compare the line, without its line ending, to \"BYE\" exactly: no strip(), no lower().",
            "line.rstrip(\"\\r\\n\") == \"BYE\" is the test. strip(), upper() or lower() make ` BYE`, \
            `BYE ` or `bye` end the conversation; the grader sends them, then types a line and expects it to arrive.",
        ],
    ),
    (
        "task06.server.drops_typed",
        &[
            "A line typed when no client is connected goes nowhere: print a note on stderr and forget it, never keep it for the next client.",
            "In the keyboard loop, when the shared variable holds no socket, print a note on stderr \
            (\"no client: line dropped\") and `continue`. Don't wait for a client, and don't put typed \
            lines in a queue.Queue that a later conversation empties: the grader types a line before \
            anyone connects, then one after `Connection from`, and the client must get only the second.",
        ],
    ),
    (
        "task06.server.write_to_gone",
        &[
            "Sending to a client that has gone fails: catch the OSError, report it with `error:` and go on, in every thread.",
            "The keyboard thread sends while the conversation's thread reads, and the client can \
            vanish between the two: then sendall() raises BrokenPipeError or ConnectionResetError. \
            Catch it (except OSError), print `error: …` on stderr and carry on reading the keyboard; \
            uncaught, it ends the keyboard thread and nothing typed ever reaches a client again.",
        ],
    ),
    (
        "task06.client.connected",
        &[
            "After connecting, print `Connected to ` and sock.getpeername().",
            "sock.getpeername() on the connected socket is the address actually reached \
            (127.0.0.1:5006, or [::1]:5006 with the IPv6 host in brackets), which is what the line \
            names; print it, flushed, before starting the threads.",
        ],
    ),
    (
        "task06.client.sends_typed",
        &[
            "Send every line read from stdin at once, without waiting for the server to answer: in a chat the server may say nothing.",
            "Loop `for line in sys.stdin:` and sendall() each line with its \"\\n\"; no recv() in that \
            loop. Reading the server's lines is another thread's job, so the keyboard loop never waits on the socket.",
        ],
    ),
    (
        "task06.client.prints_at_once",
        &[
            "While the main thread waits for the keyboard, another thread must be reading the socket and printing.",
            "Before the stdin loop, start a threading.Thread(daemon=True) that reads the socket line by \
            line (sock.makefile(\"rb\")) and prints `Server: …` for each, with flush=True. A client that \
            reads the socket only after each typed line prints nothing while the user is silent, \
            which is the hang this task is about.",
        ],
    ),
    (
        "task06.client.server_bye",
        &[
            "The server's BYE ends the client at once, even while the main thread waits for a keystroke: the reading thread has to end the program.",
            "The main thread is blocked reading stdin and nothing can wake it, so the thread that \
            reads the socket must, after printing `Server: BYE` with flush=True, call os._exit(0) \
            (sys.exit() in a thread ends only that thread). Setting a flag that the stdin loop looks at after the \
            next line means the client only ends when the user presses Enter.",
        ],
    ),
    (
        "task06.client.stdin_end",
        &[
            "When stdin ends, do what a typed BYE does: send BYE, then wait for the server to close.",
            "When `for line in sys.stdin:` ends, sendall(b\"BYE\\n\") yourself, then join() the reading \
            thread, which returns once the server closes the connection. The grader sends one more \
            line after your BYE and keeps the connection open for 300 ms before closing.",
        ],
    ),
    (
        "task06.client.no_bye",
        &[
            "If the server closes before anyone said BYE, print `error: the server <addr> closed the connection without BYE` and exit 1.",
            "In the reading thread, a read returning b'' before the client sent BYE is an error: the \
            thread must print the error line to stderr (flushed) and call os._exit(1) itself, since the main \
            thread may be blocked on the keyboard. Keep a flag (a threading.Event) that says whether BYE was sent.",
        ],
    ),
    (
        "task06.client.bye_exact",
        &[
            "Compare each line from the server, without its line ending, to \"BYE\" exactly: no strip(), no lower().",
            "line.rstrip(\"\\r\\n\") == \"BYE\" is the test, in the reading thread and in the keyboard \
            loop alike. strip(), upper() or lower() make `bye`, ` BYE` or `BYE ` end the client; the \
            grader sends them, then more lines, and expects every one printed as `Server: …` while the client goes on.",
        ],
    ),
];

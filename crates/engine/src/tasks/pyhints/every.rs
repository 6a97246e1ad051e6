//! The Python wording of the hints of checks every task has: the rules
//! (command line, signals) and the checks [`super::super::shared`] gives
//! each TCP task's server and client.

use super::Wording;

pub(super) const EVERY: &[Wording] = &[
    (
        "server.version",
        &[
            "`--version` and `-V` are argparse's to answer, if you ask it to: add an argument with action=\"version\".",
            "parser.add_argument(\"-V\", \"--version\", action=\"version\", version=\"task03-server 0.1.0\") \
            (your binary's name and 0.1.0): argparse then prints that one line on stdout and exits 0 \
            before your code runs. A program that reads sys.argv by hand must do all that itself.",
        ],
    ),
    (
        "client.version",
        &[
            "`--version` and `-V` are argparse's to answer, if you ask it to: add an argument with action=\"version\".",
            "parser.add_argument(\"-V\", \"--version\", action=\"version\", version=\"task03-client 0.1.0\") \
            (your binary's name and 0.1.0): argparse then prints that one line on stdout and exits 0 \
            before your code runs. A program that reads sys.argv by hand must do all that itself.",
        ],
    ),
    (
        "server.arguments",
        ARGUMENTS,
    ),
    (
        "client.arguments",
        ARGUMENTS,
    ),
    ("server.stops", STOPS),
    ("client.stops", STOPS),
    (
        "server.listening",
        &[
            "After bind() and listen(), print `Listening on` and the address sock.getsockname() gives (not the port you asked for: with --port 0 the OS picks one), with flush=True.",
            "sock.getsockname() after bind() is the address the OS gave: print it as one token right \
            after `Listening on ` (`127.0.0.1:40211`, and an IPv6 host in brackets, `[::1]:40211`), \
            not `port 40211` nor host and port apart. Print it before the accept loop with \
            print(..., flush=True): through a pipe Python holds its output back until the buffer fills.",
        ],
    ),
    (
        "server.loopback_default",
        &[
            "The default for --host is 127.0.0.1; 0.0.0.0 or \"\" would open the server to the whole network.",
            "Bind (args.host, args.port) exactly, with default=\"127.0.0.1\" in the --host argument, \
            rather than (\"\", port) or (\"0.0.0.0\", port), which mean every interface. The grader \
            starts the server with no --host at all and then asks the OS which address that port is bound to.",
        ],
    ),
    (
        "server.connection_line",
        &[
            "accept() returns the new socket and the client's address: print that address, ip:port.",
            "conn, addr = sock.accept(): addr is the client's (host, port); print it as `host:port` \
            (an IPv6 host in brackets) right after `Connection from `, not sock.getsockname(), which \
            is the server's own side. Print it, flushed, as soon as accept() returns, before any \
            recv() or send(): the grader connects and then only waits for that line.",
        ],
    ),
    (
        "server.keeps_accepting",
        &[
            "Put accept() in a loop, and don't let an error with one client end the loop.",
            "Make `while True:` with accept() at its head the server's main loop, and serve each \
            client in a function whose OSError the loop catches (try/except OSError around the call), \
            prints as an `error:` line on stderr, and moves past. An exception that nothing catches \
            ends the server, and the grader's next client finds nobody.",
        ],
    ),
    (
        "server.hangups",
        &[
            "A client may be gone by the time you accept it: an OSError from getpeername(), recv() or send() concerns that one client. Report it and go back to accept().",
            "The grader connects 20 clients that reset at once and 20 that close at once, the first \
            while your server is stopped, so it accepts a connection that is already dead: \
            getpeername() raises OSError (`Transport endpoint is not connected`) and sendall() raises \
            ConnectionResetError or BrokenPipeError. Use the address accept() returned, and wrap each \
            client's work in try/except OSError that prints the error on stderr and goes back to accept().",
        ],
    ),
    (
        "server.releases_sockets",
        &[
            "Every accepted socket must be closed when its client is done; a list or dict that keeps them all leaks one socket per client.",
            "The grader counts the server's open files before and after 20 clients. Each socket \
            accept() returns (and every makefile() of it) is a file until it is closed: use \
            `with conn:` so it closes however the client's code ends; shutdown() ends the conversation \
            but does not free the file. Keep no socket past its client's end.",
        ],
    ),
    (
        "server.no_close_wait",
        &[
            "recv() returning b'' means the client has gone: stop reading and close the socket.",
            "CLOSE_WAIT is a connection whose peer has closed while this side has not. When recv() \
            returns b'' (or readline() returns an empty string), leave the client's loop and close \
            its socket (`with conn:` does it for you); calling recv() again after b'' only spins.",
        ],
    ),
    (
        "server.restarts",
        &[
            "Set SO_REUSEADDR before binding: sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1).",
            "The grader stops the server and binds the same port again at once, while the old \
            connections still wait out TIME_WAIT. A plain socket.socket() refuses that port with \
            `Address already in use` unless SO_REUSEADDR is set before bind(); \
            socket.create_server() sets it for you.",
        ],
    ),
    (
        "server.port_in_use",
        &[
            "Catch the OSError of bind(): print `error: could not listen on <addr>: <reason>` to stderr and exit with status 1.",
            "Wrap bind() (or socket.create_server) in try/except OSError as e: print \
            f\"error: could not listen on {host}:{port}: {e.strerror}\" with file=sys.stderr and call \
            sys.exit(1). An uncaught exception prints a traceback and exits 1 without the `error:` \
            line. The grader holds the port itself and then starts your server on it: no `Listening on` may appear.",
        ],
    ),
    (
        "client.refused",
        &[
            "Catch the OSError of connect(): print `error: could not connect to <addr>: <reason>` to stderr and exit with status 1.",
            "Wrap socket.create_connection((host, port)) in try/except OSError as e: print \
            f\"error: could not connect to {host}:{port}: {e.strerror}\" with file=sys.stderr and \
            call sys.exit(1). Without it Python prints a traceback instead of the `error:` line.",
        ],
    ),
    (
        "client.ipv6",
        &[
            "Connect to the (host, port) tuple, whatever the host's family; don't make an AF_INET socket for an IPv6 host.",
            "socket.create_connection((host, port)) picks the socket's family from the host, so \
            `::1` works as well as 127.0.0.1. socket.socket() alone makes an IPv4 socket, which \
            cannot reach ::1, and gluing host, colon and port into one string makes `::1:5001`, which is no address.",
        ],
    ),
    (
        "client.localhost",
        &[
            "Let connect resolve the host: pass (host, port) rather than parsing the host as an IP address.",
            "socket.create_connection((host, port)) resolves a name with getaddrinfo and tries each \
            address in turn. ipaddress.ip_address(host) fails on a name, and keeping only the first \
            getaddrinfo() result may pick ::1 while the grader listens on 127.0.0.1 only.",
        ],
    ),
];

const ARGUMENTS: &[&str] = &[
    "Leave the command line to argparse: it answers --help, and it rejects what it does not understand with exit status 2 before your program does anything.",
    "Declare every option with parser.add_argument (\"--host\", and \"--port\" with type=int) and \
    call parser.parse_args() first thing. argparse prints the help for -h and --help and exits 0; \
    for an unknown option or a port that is not a number it prints its message on stderr and exits \
    2, before anything binds or connects. Reading sys.argv by hand with int() raises ValueError (a \
    traceback, exit status 1) on `--port nope`, and silently skips what it does not know.",
];

const STOPS: &[&str] = &[
    "Ctrl-C must end your program whatever it is blocked in: look for a signal handler (the signal module) or an `except KeyboardInterrupt` that only sets a flag or waits for something.",
    "Without a handler of its own a Python program ends on SIGINT (KeyboardInterrupt) and on \
    SIGTERM, which is all the contract asks. A handler that sets a flag the program looks at \
    between two accept()s or recv()s is not enough, nor an `except KeyboardInterrupt` that goes \
    back to the loop; and a thread that is not a daemon (threading.Thread(..., daemon=True)) keeps \
    the program alive after the main thread ends. End the process from the handler (os._exit) \
    after cleanup that takes well under a second.",
];

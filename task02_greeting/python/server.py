"""Task 02 server: greet every client with one line, then hang up."""

import argparse
import socket
import sys


def show(host, port):
    """`host:port` as an address is written, an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listen(host, port):
    """A TCP socket bound to (host, port) and listening."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("make a TCP socket, set SO_REUSEADDR, bind it to (host, port) and listen")
    family, _, _, _, where = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    server = socket.socket(family, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(where)
    server.listen()
    return server
    # END SOLUTION


def serve(server, message):
    """Accept clients for ever; send each `message` and a newline, then close."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("accept in a loop: print `Connection from <peer>`, sendall the message and a newline, close")
    # TCP carries bytes, not messages: the newline is how the client knows
    # where the greeting ends (with the close).
    greeting = (message + "\n").encode()
    while True:
        try:
            conn, peer = server.accept()
        except OSError as e:
            print(f"error: could not accept a connection: {e}", file=sys.stderr, flush=True)
            continue
        peer = show(*peer[:2])
        print(f"Connection from {peer}", flush=True)
        with conn:
            try:
                # send() may take only part of the bytes; sendall() loops.
                conn.sendall(greeting)
            except OSError as e:
                print(f"error: could not greet {peer}: {e}", file=sys.stderr, flush=True)
    # END SOLUTION


def main():
    parser = argparse.ArgumentParser(prog="task02-server", description="Greet every client with one line.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (0.0.0.0 opens the server to the network)")
    parser.add_argument("--port", type=int, default=5002, help="port to listen on (0 lets the OS choose a free one)")
    parser.add_argument("--message", default="Thank you for connecting", help="the greeting")
    parser.add_argument("-V", "--version", action="version", version="task02-server 0.1.0")
    args = parser.parse_args()
    try:
        server = listen(args.host, args.port)
    except OSError as e:
        print(f"error: could not listen on {show(args.host, args.port)}: {e}", file=sys.stderr)
        return 1
    print(f"Listening on {show(*server.getsockname()[:2])}", flush=True)
    serve(server, args.message)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

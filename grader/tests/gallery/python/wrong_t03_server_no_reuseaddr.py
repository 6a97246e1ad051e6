"""Task 03 server, wrong: right but for one line, it never sets SO_REUSEADDR,
so stopped while a client was connected it cannot listen on its port again
until TIME_WAIT ends."""

import argparse
import socket
import sys
import threading


def show(host, port):
    """`host:port` as an address is written, an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listen(host, port):
    """A TCP socket bound to (host, port) and listening."""
    family, _, _, _, where = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    server = socket.socket(family, socket.SOCK_STREAM)
    server.bind(where)
    server.listen()
    return server


def echo(conn, peer):
    """Sends back what the client sends until it half-closes, then closes."""
    total = 0
    try:
        with conn:
            while True:
                # Whatever has arrived, up to 64 KiB: a message may come in
                # many pieces, and each goes back as it is.
                data = conn.recv(65536)
                if not data:
                    break
                conn.sendall(data)
                total += len(data)
        print(f"Echoed {total} bytes to {peer}", flush=True)
    except OSError as e:
        print(f"error: lost {peer}: {e}", file=sys.stderr, flush=True)


def serve(server):
    """Accept clients for ever, each echoed in a thread of its own."""
    while True:
        try:
            conn, peer = server.accept()
        except OSError as e:
            print(f"error: could not accept a connection: {e}", file=sys.stderr, flush=True)
            continue
        peer = show(*peer[:2])
        print(f"Connection from {peer}", flush=True)
        threading.Thread(target=echo, args=(conn, peer), daemon=True).start()


def main():
    parser = argparse.ArgumentParser(prog="task03-server", description="Echo every byte a client sends.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (0.0.0.0 opens the server to the network)")
    parser.add_argument("--port", type=int, default=5003, help="port to listen on (0 lets the OS choose a free one)")
    parser.add_argument("-V", "--version", action="version", version="task03-server 0.1.0")
    args = parser.parse_args()
    try:
        server = listen(args.host, args.port)
    except OSError as e:
        print(f"error: could not listen on {show(args.host, args.port)}: {e}", file=sys.stderr)
        return 1
    print(f"Listening on {show(*server.getsockname()[:2])}", flush=True)
    serve(server)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

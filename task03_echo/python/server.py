"""Task 03 server: send every client back every byte it sends."""

import argparse
import socket
import sys
import threading


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


def echo(conn, peer):
    """Sends back what the client sends until it half-closes, then closes."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("recv() and sendall() back in a loop until recv() returns b'', then close")
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
    # END SOLUTION


def serve(server):
    """Accept clients for ever, each echoed in a thread of its own."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("accept in a loop: print `Connection from <peer>`, then echo() that connection")
    while True:
        try:
            conn, peer = server.accept()
        except OSError as e:
            print(f"error: could not accept a connection: {e}", file=sys.stderr, flush=True)
            continue
        peer = show(*peer[:2])
        print(f"Connection from {peer}", flush=True)
        threading.Thread(target=echo, args=(conn, peer), daemon=True).start()
    # END SOLUTION


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

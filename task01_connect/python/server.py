"""Task 01 server: accept connections and say who connected."""

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
    # Without it, a server started again at once finds its port still held
    # by the connections it closed last (they wait in TIME_WAIT).
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(where)
    server.listen()
    return server
    # END SOLUTION


def serve(server):
    """Accept clients for ever: print where each came from, then hang up."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("accept in a loop: print `Connection from <peer>` and close that connection")
    while True:
        try:
            conn, peer = server.accept()
        except OSError as e:
            # A client that gave up while queued: not a reason to stop.
            print(f"error: could not accept a connection: {e}", file=sys.stderr, flush=True)
            continue
        print(f"Connection from {show(*peer[:2])} has been established", flush=True)
        conn.close()
    # END SOLUTION


def main():
    parser = argparse.ArgumentParser(prog="task01-server", description="Accept TCP connections and report each client.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (0.0.0.0 opens the server to the network)")
    parser.add_argument("--port", type=int, default=5001, help="port to listen on (0 lets the OS choose a free one)")
    parser.add_argument("-V", "--version", action="version", version="task01-server 0.1.0")
    args = parser.parse_args()
    try:
        server = listen(args.host, args.port)
    except OSError as e:
        print(f"error: could not listen on {show(args.host, args.port)}: {e}", file=sys.stderr)
        return 1
    # Through a pipe Python holds output back until its buffer fills:
    # flush=True sends the line now.
    print(f"Listening on {show(*server.getsockname()[:2])}", flush=True)
    serve(server)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

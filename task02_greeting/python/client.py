"""Task 02 client: read the server's greeting to the end and print it."""

import argparse
import socket
import sys


def show(host, port):
    """`host:port` as an address is written, an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def receive_all(conn):
    """Every byte the server sends, until it closes the connection."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("recv() in a loop until it returns b'', and join the pieces")
    # One recv() returns what has arrived so far, which may be a part:
    # only b'' says the server has closed and nothing more will come.
    pieces = []
    while True:
        data = conn.recv(4096)
        if not data:
            return b"".join(pieces)
        pieces.append(data)
    # END SOLUTION


def main():
    parser = argparse.ArgumentParser(prog="task02-client", description="Print a task 02 server's greeting.")
    parser.add_argument("--host", default="127.0.0.1", help="server to connect to")
    parser.add_argument("--port", type=int, default=5002, help="port to connect to")
    parser.add_argument("-V", "--version", action="version", version="task02-client 0.1.0")
    args = parser.parse_args()
    where = show(args.host, args.port)
    try:
        conn = socket.create_connection((args.host, args.port))
    except OSError as e:
        print(f"error: could not connect to {where}: {e}", file=sys.stderr)
        return 1
    try:
        greeting = receive_all(conn)
    except OSError as e:
        print(f"error: lost the connection to {where}: {e}", file=sys.stderr)
        return 1
    conn.close()
    # Only the line ending goes: spaces at either end stay.
    text = greeting.decode("utf-8", "replace").removesuffix("\n").removesuffix("\r")
    print(f"Received from server: {text}", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

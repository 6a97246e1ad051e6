"""Task 01 client: connect to the server and say where we got to."""

import argparse
import socket
import sys


def show(host, port):
    """`host:port` as an address is written, an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def connect(host, port):
    """Connects to (host, port) and prints `Connected to <addr>`, the
    address really reached; returns the exit status."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("connect to (host, port) and print `Connected to ` and the socket's getpeername()")
    try:
        # create_connection tries each address a name such as localhost
        # stands for, until one answers.
        conn = socket.create_connection((host, port))
    except OSError as e:
        print(f"error: could not connect to {show(host, port)}: {e}", file=sys.stderr)
        return 1
    with conn:
        # Not host and port: the address the connection really reached.
        print(f"Connected to {show(*conn.getpeername()[:2])}", flush=True)
    return 0
    # END SOLUTION


def main():
    parser = argparse.ArgumentParser(prog="task01-client", description="Connect to a task 01 server.")
    parser.add_argument("--host", default="127.0.0.1", help="server to connect to")
    parser.add_argument("--port", type=int, default=5001, help="port to connect to")
    parser.add_argument("-V", "--version", action="version", version="task01-client 0.1.0")
    args = parser.parse_args()
    return connect(args.host, args.port)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

"""Task 03 client: send a message, half-close, and check the echo."""

import argparse
import socket
import sys


def show(host, port):
    """`host:port` as an address is written, an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def exchange(conn, message):
    """Sends `message`, says it is complete, and returns the whole echo."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("sendall() the message, shutdown(SHUT_WR), recv() until b''")
    conn.sendall(message)
    # The half-close: the server reads end-of-stream and knows the message
    # is whole, while we can still read the echo.
    conn.shutdown(socket.SHUT_WR)
    pieces = []
    while True:
        data = conn.recv(65536)
        if not data:
            return b"".join(pieces)
        pieces.append(data)
    # END SOLUTION


def main():
    parser = argparse.ArgumentParser(prog="task03-client", description="Send a message to a task 03 server and check its echo.")
    parser.add_argument("--host", default="127.0.0.1", help="server to connect to")
    parser.add_argument("--port", type=int, default=5003, help="port to connect to")
    parser.add_argument("message", nargs="?", default="Hello, Server!", help="what to send")
    parser.add_argument("-V", "--version", action="version", version="task03-client 0.1.0")
    args = parser.parse_args()
    where = show(args.host, args.port)
    message = args.message.encode()
    try:
        conn = socket.create_connection((args.host, args.port))
    except OSError as e:
        print(f"error: could not connect to {where}: {e}", file=sys.stderr)
        return 1
    try:
        echo = exchange(conn, message)
    except OSError as e:
        print(f"error: lost the connection to {where}: {e}", file=sys.stderr)
        return 1
    conn.close()
    print(f"Received from server: {echo.decode('utf-8', 'replace')}", flush=True)
    if echo != message:
        print(f"error: echo mismatch: sent {len(message)} bytes, got {len(echo)} back", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

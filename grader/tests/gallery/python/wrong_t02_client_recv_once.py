"""Task 02 client, wrong: it takes one recv(1024) as the whole greeting; a
greeting that comes in pieces, or is longer, is cut."""

import argparse
import socket
import sys


def address(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def main():
    parser = argparse.ArgumentParser(prog="task02-client")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5002)
    parser.add_argument("-V", "--version", action="version", version="task02-client 0.1.0")
    args = parser.parse_args()
    addr = address(args.host, args.port)

    try:
        sock = socket.create_connection((args.host, args.port))
    except OSError as e:
        print(f"error: could not connect to {addr}: {e}", file=sys.stderr)
        return 1
    chunks = []
    try:
        with sock:
            chunks.append(sock.recv(1024))
    except OSError as e:
        print(f"error: could not read from {addr}: {e}", file=sys.stderr)
        return 1

    text = b"".join(chunks).decode("utf-8", errors="replace")
    if text.endswith("\n"):
        text = text[:-1]
        if text.endswith("\r"):
            text = text[:-1]
    print(f"Received from server: {text}", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

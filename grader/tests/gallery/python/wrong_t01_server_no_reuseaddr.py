"""Task 01 server, wrong: it never sets SO_REUSEADDR, so once it has closed
a connection it cannot listen on the same port again until TIME_WAIT ends."""

import argparse
import socket
import sys


def address(sockaddr):
    host, port = sockaddr[0], sockaddr[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listen(host, port):
    family, kind, proto, _, sockaddr = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    server = socket.socket(family, kind, proto)
    server.bind(sockaddr)
    server.listen(128)
    return server


def main():
    parser = argparse.ArgumentParser(prog="task01-server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("-V", "--version", action="version", version="task01-server 0.1.0")
    args = parser.parse_args()

    try:
        server = listen(args.host, args.port)
    except OSError as e:
        where = f"[{args.host}]:{args.port}" if ":" in args.host else f"{args.host}:{args.port}"
        print(f"error: could not listen on {where}: {e}", file=sys.stderr)
        return 1
    print(f"Listening on {address(server.getsockname())}", flush=True)
    while True:
        try:
            conn, sockaddr = server.accept()
        except OSError as e:
            print(f"error: accept failed: {e}", file=sys.stderr, flush=True)
            continue
        print(f"Connection from {address(sockaddr)} has been established", flush=True)
        conn.close()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

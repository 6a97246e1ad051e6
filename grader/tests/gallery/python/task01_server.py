"""Task 01 server in Python, correct: announce the bound address, then for
each client print where it came from and hang up."""

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
    # Without this a restarted server finds its port held by the TIME_WAIT
    # of the connections it closed, for up to a minute.
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
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

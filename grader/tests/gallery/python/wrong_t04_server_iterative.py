"""Task 04 server, wrong: it serves one client at a time, in the accept loop;
a second client waits until the first has said BYE."""

import argparse
import socket
import sys


def address(sockaddr):
    host, port = sockaddr[0], sockaddr[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listen(host, port):
    family, _, _, _, sockaddr = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    return socket.create_server(sockaddr, family=family, backlog=128)


def converse(conn, peer):
    try:
        with conn, conn.makefile("rb") as lines:
            for line in lines:
                text = line[:-1] if line.endswith(b"\n") else line
                if text.endswith(b"\r"):
                    text = text[:-1]
                conn.sendall(text + b"\n")
                if text == b"BYE":
                    break
        print(f"Connection from {peer} closed", flush=True)
    except OSError as e:
        print(f"error: lost {peer}: {e}", file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser(prog="task04-server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5004)
    parser.add_argument("-V", "--version", action="version", version="task04-server 0.1.0")
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
        peer = address(sockaddr)
        print(f"Connection from {peer}", flush=True)
        converse(conn, peer)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

"""Task 05 server, wrong: recvfrom(1024) cuts every longer datagram to 1024
bytes; UDP drops the rest without a word."""

import argparse
import socket
import sys


def address(sockaddr):
    host, port = sockaddr[0], sockaddr[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def main():
    parser = argparse.ArgumentParser(prog="task05-server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5005)
    parser.add_argument("-V", "--version", action="version", version="task05-server 0.1.0")
    args = parser.parse_args()

    where = f"[{args.host}]:{args.port}" if ":" in args.host else f"{args.host}:{args.port}"
    try:
        family, _, _, _, sockaddr = socket.getaddrinfo(
            args.host, args.port, type=socket.SOCK_DGRAM, flags=socket.AI_PASSIVE
        )[0]
        server = socket.socket(family, socket.SOCK_DGRAM)
        server.bind(sockaddr)
    except OSError as e:
        print(f"error: could not listen on {where}: {e}", file=sys.stderr)
        return 1
    print(f"Listening on {address(server.getsockname())}", flush=True)
    while True:
        try:
            data, sockaddr = server.recvfrom(1024)
        except OSError as e:
            print(f"error: could not receive: {e}", file=sys.stderr, flush=True)
            continue
        peer = address(sockaddr)
        print(f"Datagram from {peer}: {len(data)} bytes", flush=True)
        try:
            server.sendto(data, sockaddr)
        except OSError as e:
            print(f"error: could not reply to {peer}: {e}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

"""Task 03 server, wrong: it binds ('', port) as the handouts' servers do,
which is every interface, whatever --host says: anyone on the network can
reach it, and `--host ::1` is ignored."""

import argparse
import socket
import sys
import threading


def address(sockaddr):
    host, port = sockaddr[0], sockaddr[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listen(host, port):
    return socket.create_server(("", port), backlog=128)


def echo(conn, peer):
    total = 0
    try:
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                conn.sendall(data)
                total += len(data)
        print(f"Echoed {total} bytes to {peer}", flush=True)
    except OSError as e:
        print(f"error: lost {peer}: {e}", file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser(prog="task03-server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5003)
    parser.add_argument("-V", "--version", action="version", version="task03-server 0.1.0")
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
        threading.Thread(target=echo, args=(conn, peer), daemon=True).start()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

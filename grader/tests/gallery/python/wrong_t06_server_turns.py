"""Task 06 server, wrong: strict turn-taking. It reads a line from the client,
then a line from the keyboard, then the client again: neither side can say
two things in a row."""

import argparse
import os
import socket
import sys
import threading

current = None
lock = threading.Lock()


def address(sockaddr):
    host, port = sockaddr[0], sockaddr[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def keyboard():
    global current
    for line in sys.stdin:
        text = line.rstrip("\n")
        with lock:
            if current is None:
                print(f"note: nobody to send {text!r} to", file=sys.stderr, flush=True)
                continue
            try:
                current.sendall((text + "\n").encode())
                if text == "BYE":
                    current.shutdown(socket.SHUT_RDWR)
                    current = None
            except OSError as e:
                print(f"error: could not send: {e}", file=sys.stderr, flush=True)
    with lock:
        if current is not None:
            try:
                current.sendall(b"BYE\n")
                current.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
    sys.stdout.flush()
    os._exit(0)


def converse(conn):
    # One line from the client, then one from the keyboard, and so on.
    with conn.makefile("rb") as lines:
        for line in lines:
            text = line.decode("utf-8", "replace").rstrip("\n").removesuffix("\r")
            print(f"Client: {text}", flush=True)
            if text == "BYE":
                return
            typed = sys.stdin.readline()
            if not typed:
                conn.sendall(b"BYE\n")
                return
            conn.sendall(typed.encode())
            if typed.rstrip("\n") == "BYE":
                return


def main():
    global current
    parser = argparse.ArgumentParser(prog="task06-server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5006)
    parser.add_argument("-V", "--version", action="version", version="task06-server 0.1.0")
    args = parser.parse_args()

    where = f"[{args.host}]:{args.port}" if ":" in args.host else f"{args.host}:{args.port}"
    try:
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        server = socket.create_server((args.host, args.port), family=family)
    except OSError as e:
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
        with lock:
            current = conn
        print(f"Connection from {peer}", flush=True)
        try:
            converse(conn)
        except OSError as e:
            print(f"error: lost {peer}: {e}", file=sys.stderr, flush=True)
        with lock:
            current = None
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        conn.close()
        print(f"Conversation ended with {peer}", flush=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

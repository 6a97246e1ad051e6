"""Task 06 client: chat with the server, both ways at once.

A reading thread prints the server's lines as they come; the main thread
sends each typed line. Neither waits for the other."""

import argparse
import os
import socket
import sys
import threading


def show(host, port):
    """`host:port` as an address is written, an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def connect(host, port):
    """Connects to (host, port) and prints `Connected to <addr>`, the
    address really reached; returns the connection and that address."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("connect to (host, port), print `Connected to ` and the socket's getpeername()")
    conn = socket.create_connection((host, port))
    where = show(*conn.getpeername()[:2])
    print(f"Connected to {where}", flush=True)
    return conn, where
    # END SOLUTION


def print_replies(conn, where, said_bye):
    """Prints each server line; BYE from the server ends the program at
    once. The server's close is the end after our BYE, an error before."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("read the server's lines, print each as `Server: <text>`; after its BYE os._exit(0)")
    try:
        with conn.makefile("rb") as lines:
            for line in lines:
                text = line.decode("utf-8", "replace").removesuffix("\n").removesuffix("\r")
                print(f"Server: {text}", flush=True)
                if text == "BYE":
                    # The main thread may be blocked reading the keyboard:
                    # only os._exit ends the program from here.
                    os._exit(0)
    except OSError as e:
        print(f"error: lost the connection to {where}: {e}", file=sys.stderr, flush=True)
        os._exit(1)
    if not said_bye.is_set():
        print(f"error: the server {where} closed the connection without BYE", file=sys.stderr, flush=True)
        os._exit(1)
    # END SOLUTION


def send_typed(conn, said_bye):
    """Sends each line typed, then BYE (typed, or for the user at the end
    of input)."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("sendall() each stdin line until BYE or the end of input, then send BYE")
    for line in sys.stdin:
        text = line.removesuffix("\n").removesuffix("\r")
        if text == "BYE":
            break
        conn.sendall((text + "\n").encode())
    said_bye.set()
    conn.sendall(b"BYE\n")
    # END SOLUTION


def main():
    parser = argparse.ArgumentParser(prog="task06-client", description="Chat with a task 06 server.")
    parser.add_argument("--host", default="127.0.0.1", help="server to connect to")
    parser.add_argument("--port", type=int, default=5006, help="port to connect to")
    parser.add_argument("-V", "--version", action="version", version="task06-client 0.1.0")
    args = parser.parse_args()
    try:
        conn, where = connect(args.host, args.port)
    except OSError as e:
        print(f"error: could not connect to {show(args.host, args.port)}: {e}", file=sys.stderr)
        return 1
    said_bye = threading.Event()
    reader = threading.Thread(target=print_replies, args=(conn, where, said_bye), daemon=True)
    reader.start()
    try:
        send_typed(conn, said_bye)
    except OSError as e:
        print(f"error: could not send to {where}: {e}", file=sys.stderr, flush=True)
        return 1
    # After our BYE, the server's close is the end.
    reader.join()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

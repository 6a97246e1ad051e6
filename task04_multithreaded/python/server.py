"""Task 04 server: answer the lines of many clients at once, a thread each."""

import argparse
import socket
import sys
import threading


def show(host, port):
    """`host:port` as an address is written, an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listen(host, port):
    """A TCP socket bound to (host, port) and listening."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("make a TCP socket, set SO_REUSEADDR, bind it to (host, port) and listen")
    family, _, _, _, where = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    server = socket.socket(family, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(where)
    # Room in the queue for many clients arriving at once.
    server.listen(128)
    return server
    # END SOLUTION


def converse(conn, peer):
    """Answers each line with its text; `BYE` is answered and ends it."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("read lines (conn.makefile('rb')), sendall() each one's text and a newline; stop after BYE")
    try:
        # makefile() gathers whole lines, however the bytes arrive.
        with conn, conn.makefile("rb") as lines:
            for line in lines:
                text = line.removesuffix(b"\n").removesuffix(b"\r")
                conn.sendall(text + b"\n")
                if text == b"BYE":
                    break
        print(f"Connection from {peer} closed", flush=True)
    except OSError as e:
        print(f"error: lost {peer}: {e}", file=sys.stderr, flush=True)
    # END SOLUTION


def serve(server):
    """Accept clients for ever, each served by a thread of its own."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("accept in a loop: print `Connection from <peer>`, start a threading.Thread running converse()")
    while True:
        try:
            conn, peer = server.accept()
        except OSError as e:
            print(f"error: could not accept a connection: {e}", file=sys.stderr, flush=True)
            continue
        peer = show(*peer[:2])
        print(f"Connection from {peer}", flush=True)
        # The loop is back at accept() at once: a slow client holds up
        # only its own thread.
        threading.Thread(target=converse, args=(conn, peer), daemon=True).start()
    # END SOLUTION


def main():
    parser = argparse.ArgumentParser(prog="task04-server", description="Answer the lines of many clients at once.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (0.0.0.0 opens the server to the network)")
    parser.add_argument("--port", type=int, default=5004, help="port to listen on (0 lets the OS choose a free one)")
    parser.add_argument("-V", "--version", action="version", version="task04-server 0.1.0")
    args = parser.parse_args()
    try:
        server = listen(args.host, args.port)
    except OSError as e:
        print(f"error: could not listen on {show(args.host, args.port)}: {e}", file=sys.stderr)
        return 1
    print(f"Listening on {show(*server.getsockname()[:2])}", flush=True)
    serve(server)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

"""Task 06 server: chat with one client at a time, both ways at once.

The main thread accepts a client and prints its lines; a keyboard thread
sends each typed line to the client of the moment. Neither waits for the
other."""

import argparse
import os
import socket
import sys
import threading

# The client being talked to (None between conversations), shared by the
# two threads: the lock keeps one from changing it under the other.
current = None
lock = threading.Lock()


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
    server.listen()
    return server
    # END SOLUTION


def keyboard():
    """Sends each typed line to the current client; at the end of input,
    says BYE and ends the whole program."""
    global current
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("for each stdin line: sendall() it to the current client (BYE ends that conversation); at the end send BYE and os._exit(0)")
    for line in sys.stdin:
        text = line.removesuffix("\n").removesuffix("\r")
        with lock:
            if current is None:
                print(f"note: no one is connected, {text!r} is dropped", file=sys.stderr, flush=True)
                continue
            try:
                current.sendall((text + "\n").encode())
                if text == "BYE":
                    # Ends the conversation: the main thread's recv() sees
                    # the end and moves on to the next client.
                    current.shutdown(socket.SHUT_RDWR)
                    current = None
            except OSError as e:
                print(f"error: could not send to the client: {e}", file=sys.stderr, flush=True)
    with lock:
        if current is not None:
            try:
                current.sendall(b"BYE\n")
                current.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the client has gone already: nothing to say BYE to
    sys.stdout.flush()
    # The main thread is blocked in accept() or recv(): only os._exit ends
    # the program from here.
    os._exit(0)
    # END SOLUTION


def converse(conn):
    """Prints each line the client sends, until BYE or its close."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("read the client's lines (conn.makefile('rb')), print each as `Client: <text>`, stop after BYE")
    with conn.makefile("rb") as lines:
        for line in lines:
            text = line.decode("utf-8", "replace").removesuffix("\n").removesuffix("\r")
            print(f"Client: {text}", flush=True)
            if text == "BYE":
                return
    # END SOLUTION


def serve(server):
    """Holds one conversation after another, for ever."""
    global current
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("accept in a loop: make the client current, print `Connection from <peer>`, converse(), close, print `Conversation ended`")
    while True:
        try:
            conn, peer = server.accept()
        except OSError as e:
            print(f"error: could not accept a connection: {e}", file=sys.stderr, flush=True)
            continue
        peer = show(*peer[:2])
        # Current first, then the line: what is typed once it shows goes
        # to this client.
        with lock:
            current = conn
        print(f"Connection from {peer}", flush=True)
        try:
            converse(conn)
        except OSError as e:
            print(f"error: lost {peer}: {e}", file=sys.stderr, flush=True)
        with lock:
            current = None
        conn.close()
        print(f"Conversation ended with {peer}", flush=True)
    # END SOLUTION


def main():
    parser = argparse.ArgumentParser(prog="task06-server", description="Chat with one client at a time.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (0.0.0.0 opens the server to the network)")
    parser.add_argument("--port", type=int, default=5006, help="port to listen on (0 lets the OS choose a free one)")
    parser.add_argument("-V", "--version", action="version", version="task06-server 0.1.0")
    args = parser.parse_args()
    try:
        server = listen(args.host, args.port)
    except OSError as e:
        print(f"error: could not listen on {show(args.host, args.port)}: {e}", file=sys.stderr)
        return 1
    print(f"Listening on {show(*server.getsockname()[:2])}", flush=True)
    threading.Thread(target=keyboard, daemon=True).start()
    serve(server)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

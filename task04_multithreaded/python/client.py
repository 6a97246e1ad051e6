"""Task 04 client: send each typed line and print the server's reply."""

import argparse
import socket
import sys


def show(host, port):
    """`host:port` as an address is written, an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def talk(conn, where):
    """Sends each line of stdin (BYE last) and prints each reply; returns
    the exit status."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("for each stdin line (BYE when it ends): sendall() it, read one reply line, print it")
    replies = conn.makefile("rb")
    while True:
        line = sys.stdin.readline()
        # The end of input says BYE for the user.
        text = line.removesuffix("\n").removesuffix("\r") if line else "BYE"
        conn.sendall((text + "\n").encode())
        reply = replies.readline()
        if not reply:
            print(f"error: {where} closed the connection before replying to {text!r}", file=sys.stderr)
            return 1
        reply = reply.removesuffix(b"\n").removesuffix(b"\r")
        print(f"Received from server: {reply.decode('utf-8', 'replace')}", flush=True)
        if text == "BYE":
            break
    # The server closes after its BYE: wait for that.
    while replies.read(65536):
        pass
    return 0
    # END SOLUTION


def main():
    parser = argparse.ArgumentParser(prog="task04-client", description="Send lines to a task 04 server and print its replies.")
    parser.add_argument("--host", default="127.0.0.1", help="server to connect to")
    parser.add_argument("--port", type=int, default=5004, help="port to connect to")
    parser.add_argument("-V", "--version", action="version", version="task04-client 0.1.0")
    args = parser.parse_args()
    where = show(args.host, args.port)
    try:
        conn = socket.create_connection((args.host, args.port))
    except OSError as e:
        print(f"error: could not connect to {where}: {e}", file=sys.stderr)
        return 1
    try:
        status = talk(conn, where)
    except OSError as e:
        print(f"error: lost the connection to {where}: {e}", file=sys.stderr)
        return 1
    conn.close()
    return status


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

"""Task 05 client: send a datagram, wait for the echo, send again if none
comes."""

import argparse
import socket
import sys


def show(host, port):
    """`host:port` as an address is written, an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def at_least_one(text):
    """argparse's type for --timeout-ms: a whole number, 1 or more."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


def ask(family, server, message, timeout, retries):
    """The server's reply to `message`, or None when `retries` + 1 sends
    got none; a refused send raises ConnectionRefusedError."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("connect a UDP socket, settimeout(), then send() and recv(65535) up to retries + 1 times")
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        # A connected UDP socket takes datagrams from the server only, and
        # hears of an ICMP "port unreachable" as ConnectionRefusedError.
        sock.connect(server)
        sock.settimeout(timeout)
        for _ in range(retries + 1):
            sock.send(message)
            try:
                return sock.recv(65535)
            except TimeoutError:
                continue  # lost on the way, or late: send it again
    return None
    # END SOLUTION


def main():
    parser = argparse.ArgumentParser(prog="task05-client", description="Send a datagram to a task 05 server and check its echo.")
    parser.add_argument("--host", default="127.0.0.1", help="server to send to")
    parser.add_argument("--port", type=int, default=5005, help="port to send to")
    parser.add_argument("--timeout-ms", type=at_least_one, default=1000, help="how long to wait for each reply")
    parser.add_argument("--retries", type=int, default=3, help="how many times to send again")
    parser.add_argument("message", nargs="?", default="Hello, Server!", help="what to send")
    parser.add_argument("-V", "--version", action="version", version="task05-client 0.1.0")
    args = parser.parse_args()
    message = args.message.encode()
    where = show(args.host, args.port)
    try:
        found = socket.getaddrinfo(args.host, args.port, type=socket.SOCK_DGRAM)
    except OSError as e:
        print(f"error: could not resolve {where}: {e}", file=sys.stderr)
        return 1
    why = f"could not resolve {where}"
    # A name such as localhost may stand for several addresses: each is
    # tried until one is not refused.
    for family, _, _, _, server in found:
        shown = show(*server[:2])
        try:
            reply = ask(family, server, message, args.timeout_ms / 1000, args.retries)
        except ConnectionRefusedError as e:
            why = f"could not reach {shown}: {e}"
            continue
        except OSError as e:
            print(f"error: could not talk to {shown}: {e}", file=sys.stderr)
            return 1
        if reply is None:
            print(f"error: no reply from {shown} after {args.retries + 1} tries", file=sys.stderr)
            return 1
        print(f"Received from server: {reply.decode('utf-8', 'replace')}", flush=True)
        if reply != message:
            print(f"error: echo mismatch: sent {len(message)} bytes, got {len(reply)} back", file=sys.stderr)
            return 1
        return 0
    print(f"error: {why}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

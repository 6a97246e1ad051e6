"""Task 05 client, wrong: it never sets a timeout, so a lost datagram leaves
it waiting in recvfrom() for ever, never sending again."""

import argparse
import socket
import sys


def positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def address(sockaddr):
    host, port = sockaddr[0], sockaddr[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def ask(family, sockaddr, message, timeout, retries):
    """The reply, or None after every try; raises ConnectionRefusedError."""
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        # connect: only the server's datagrams reach us, and an ICMP "port
        # unreachable" comes back as ConnectionRefusedError.
        sock.connect(sockaddr)
        for _ in range(retries + 1):
            sock.send(message)
            try:
                return sock.recv(65535)
            except socket.timeout:
                continue
    return None


def main():
    parser = argparse.ArgumentParser(prog="task05-client")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5005)
    parser.add_argument("--timeout-ms", type=positive, default=1000)
    parser.add_argument("--retries", type=int, default=3)
    parser.add_argument("message", nargs="?", default="Hello, Server!")
    parser.add_argument("-V", "--version", action="version", version="task05-client 0.1.0")
    args = parser.parse_args()

    message = args.message.encode()
    where = f"[{args.host}]:{args.port}" if ":" in args.host else f"{args.host}:{args.port}"
    try:
        found = socket.getaddrinfo(args.host, args.port, type=socket.SOCK_DGRAM)
    except OSError as e:
        print(f"error: could not resolve {where}: {e}", file=sys.stderr)
        return 1
    failure = f"could not resolve {where}: no address"
    for family, _, _, _, sockaddr in found:
        server = address(sockaddr)
        try:
            reply = ask(family, sockaddr, message, args.timeout_ms / 1000, args.retries)
        except ConnectionRefusedError as e:
            failure = f"could not reach {server}: {e}"
            continue
        except OSError as e:
            print(f"error: could not talk to {server}: {e}", file=sys.stderr)
            return 1
        if reply is None:
            print(f"error: no reply from {server} after {args.retries + 1} tries", file=sys.stderr)
            return 1
        print(f"Received from server: {reply.decode(errors='replace')}", flush=True)
        if reply != message:
            print(f"error: echo mismatch: sent {len(message)} bytes, received {len(reply)}", file=sys.stderr)
            return 1
        return 0
    print(f"error: {failure}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)

"""Task 05 server: send every datagram back to whoever sent it."""

import argparse
import socket
import sys


def show(host, port):
    """`host:port` as an address is written, an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def bind(host, port):
    """A UDP socket bound to (host, port)."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("make a UDP socket (SOCK_DGRAM) and bind it to (host, port)")
    family, _, _, _, where = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
    server = socket.socket(family, socket.SOCK_DGRAM)
    # UDP has no listen(): once bound, datagrams arrive.
    server.bind(where)
    return server
    # END SOLUTION


def serve(server):
    """Echo datagrams for ever, each to its own sender."""
    # BEGIN SOLUTION
    # STARTER: raise NotImplementedError("recvfrom() in a loop: print `Datagram from <peer>`, sendto() the same bytes back to that peer")
    while True:
        try:
            # 65535 holds the largest datagram; a smaller buffer silently
            # drops the rest of a longer one.
            data, peer = server.recvfrom(65535)
        except OSError as e:
            print(f"error: could not receive: {e}", file=sys.stderr, flush=True)
            continue
        shown = show(*peer[:2])
        print(f"Datagram from {shown}: {len(data)} bytes", flush=True)
        try:
            # No connection to answer on: the reply is addressed by hand.
            server.sendto(data, peer)
        except OSError as e:
            print(f"error: could not reply to {shown}: {e}", file=sys.stderr, flush=True)
    # END SOLUTION


def main():
    parser = argparse.ArgumentParser(prog="task05-server", description="Echo UDP datagrams.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (0.0.0.0 opens the server to the network)")
    parser.add_argument("--port", type=int, default=5005, help="port to listen on (0 lets the OS choose a free one)")
    parser.add_argument("-V", "--version", action="version", version="task05-server 0.1.0")
    args = parser.parse_args()
    try:
        server = bind(args.host, args.port)
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

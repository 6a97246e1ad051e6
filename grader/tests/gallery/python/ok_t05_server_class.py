"""Task 05 server in Python, correct and written another way: the socket
kept in a small class, each datagram answered by one sendto to its sender."""

import argparse
import socket
import sys

LARGEST = 65535


class Echoer:
    def __init__(self, host, port):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((host, port))

    def name(self):
        return text_of(self.sock.getsockname())

    def serve(self):
        while True:
            try:
                payload, sender = self.sock.recvfrom(LARGEST)
            except OSError as why:
                print("error: receive failed:", why, file=sys.stderr, flush=True)
                continue
            print("Datagram from %s: %d bytes" % (text_of(sender), len(payload)), flush=True)
            try:
                self.sock.sendto(payload, sender)
            except OSError as why:
                print("error: reply to", text_of(sender), "failed:", why, file=sys.stderr, flush=True)


def text_of(sockaddr):
    if sockaddr[0].count(":"):
        return "[%s]:%d" % (sockaddr[0], sockaddr[1])
    return "%s:%d" % (sockaddr[0], sockaddr[1])


def run():
    cli = argparse.ArgumentParser(prog="task05-server")
    cli.add_argument("--port", type=int, default=5005)
    cli.add_argument("--host", default="127.0.0.1")
    cli.add_argument("-V", "--version", action="version", version="task05-server 0.1.0")
    given = cli.parse_args()
    try:
        echoer = Echoer(given.host, given.port)
    except OSError as why:
        print("error: could not listen on %s: %s" % (text_of((given.host, given.port)), why), file=sys.stderr)
        return 1
    print("Listening on", echoer.name(), flush=True)
    echoer.serve()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(run())
    except KeyboardInterrupt:
        sys.exit(130)

"""Task 03 server in Python, correct and written another way: the standard
library's socketserver, a thread per client, a handler class that echoes
until the client's half-close."""

import argparse
import socket
import socketserver
import sys


def shown(host, port):
    if ":" in host:
        return "[" + host + "]:" + str(port)
    return host + ":" + str(port)


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        who = shown(*self.client_address[:2])
        sys.stdout.write("Connection from " + who + "\n")
        sys.stdout.flush()
        count = 0
        try:
            chunk = self.request.recv(32768)
            while chunk:
                self.request.sendall(chunk)
                count = count + len(chunk)
                chunk = self.request.recv(32768)
        except OSError as problem:
            sys.stderr.write("error: client " + who + " failed: " + str(problem) + "\n")
            sys.stderr.flush()
            return
        sys.stdout.write("Echoed " + str(count) + " bytes to " + who + "\n")
        sys.stdout.flush()


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        sys.stderr.write("error: client " + shown(*client_address[:2]) + " failed\n")


def options():
    p = argparse.ArgumentParser(prog="task03-server", description="Echoes every byte back.")
    p.add_argument("-V", "--version", action="version", version="task03-server 0.1.0")
    p.add_argument("--port", type=int, default=5003, help="port to listen on")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    return p.parse_args()


if __name__ == "__main__":
    opts = options()
    if ":" in opts.host:
        Server.address_family = socket.AF_INET6
    try:
        server = Server((opts.host, opts.port), Echo)
    except OSError as problem:
        sys.stderr.write("error: could not listen on " + shown(opts.host, opts.port) + ": " + str(problem) + "\n")
        sys.exit(1)
    sys.stdout.write("Listening on " + shown(*server.server_address[:2]) + "\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(130)

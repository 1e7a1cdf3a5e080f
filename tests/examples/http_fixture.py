# SPDX-License-Identifier: MIT
"""A small HTTP server for http_get's tests: bodies framed every way, redirects, errors, and
hostile responses. Binds 127.0.0.1 port 0, prints `listening on 127.0.0.1:PORT` (flushed) and
serves until it is killed.

Run: python3 tests/examples/http_fixture.py

Paths (n: a byte count; bodies are pattern(n), see below):
  /length/<n>            Content-Length body
  /chunked/<n>           chunked body: chunks of 1, 2, 3... bytes, mixed-case hex sizes, an
                         extension, and a trailer field
  /close/<n>             HTTP/1.1 body delimited by closing the connection
  /http10/<n>            HTTP/1.0 response, body until close
  /continue              a 100 Continue, then the real response
  /hop/<k>               k redirects (302, absolute path) before a 200 with body "arrived"
  /loop                  redirects to itself for ever
  /rel/x/start           301 to the relative reference ../../length/7
  /abs                   307 to an absolute http://127.0.0.1:PORT/length/9
  /scheme-relative       308 to //127.0.0.1:PORT/length/3
  /query                 303 to ?x=1 (then 200 "query ok")
  /to-https              302 to an https:// URL
  /status/<code>         that status with body "status <code>" (204 and 304: no body)
  /huge-header           a 100 KiB header field (one line)
  /big-head              20 header fields of 4 KiB (80 KiB of head, every line short)
  /long-line             a 10 KiB header line (under the head limit, over the line limit)
  /many-fields           2000 short header fields
  /bad-chunk             a chunk size that is not hex
  /overflow-chunk        a chunk size of 2^96 - 1
  /truncated             Content-Length 100, then 10 bytes and close
  /truncated-chunked     closes in the middle of a chunk
  /garbage               not HTTP at all
  /silent                reads the request and never answers
"""

import re
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def pattern(n):
    """n deterministic bytes that cover every byte value."""
    return bytes((i * 7 + i // 256) & 0xFF for i in range(n))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "netlite-fixture"

    def log_message(self, *args):  # keep stderr for real problems
        pass

    def raw(self, data):
        """Writes bytes as they are and closes the connection afterwards."""
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True

    def simple(self, status, body=b"", fields=()):
        self.send_response(status)
        for name, value in fields:
            self.send_header(name, value)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status not in (204, 304):
            self.wfile.write(body)

    def redirect(self, status, location):
        self.simple(status, b"moved", [("Location", location)])

    def do_GET(self):
        port = self.server.server_address[1]
        path = self.path
        m = re.fullmatch(r"/(length|chunked|close|http10)/(\d+)", path)
        if m:
            kind, body = m.group(1), pattern(int(m.group(2)))
            if kind == "length":
                return self.simple(200, body, [("Content-Type", "application/octet-stream")])
            if kind == "close":
                return self.raw(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body)
            if kind == "http10":
                return self.raw(b"HTTP/1.0 200 OK\r\nServer: old\r\n\r\n" + body)
            out = [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"]
            pos, size = 0, 1
            while pos < len(body):
                piece = body[pos:pos + size]
                hex_size = b"%x" % len(piece) if size % 2 else b"%X" % len(piece)
                ext = b";name=value" if size % 5 == 0 else b""
                out.append(hex_size + ext + b"\r\n" + piece + b"\r\n")
                pos += len(piece)
                size = size + 1 if size < 4096 else size
            out.append(b"0\r\nX-Trailer: done\r\n\r\n")
            return self.raw(b"".join(out))
        m = re.fullmatch(r"/hop/(\d+)", path)
        if m:
            k = int(m.group(1))
            return self.redirect(302, f"/hop/{k - 1}") if k > 0 else self.simple(200, b"arrived")
        m = re.fullmatch(r"/status/(\d{3})", path)
        if m:
            code = int(m.group(1))
            return self.simple(code, b"status %d" % code)
        if path == "/loop":
            return self.redirect(302, "/loop")
        if path == "/rel/x/start":
            return self.redirect(301, "../../length/7")
        if path == "/abs":
            return self.redirect(307, f"http://127.0.0.1:{port}/length/9")
        if path == "/scheme-relative":
            return self.redirect(308, f"//127.0.0.1:{port}/length/3")
        if path == "/query":
            return self.redirect(303, "?x=1")
        if path == "/query?x=1":
            return self.simple(200, b"query ok")
        if path == "/to-https":
            return self.redirect(302, f"https://127.0.0.1:{port}/length/1")
        if path == "/continue":
            return self.raw(b"HTTP/1.1 100 Continue\r\n\r\n"
                            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        if path == "/huge-header":
            return self.raw(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (100 * 1024) +
                            b"\r\nContent-Length: 2\r\n\r\nok")
        if path == "/big-head":
            fields = b"".join(b"X-H%d: " % i + b"c" * 4096 + b"\r\n" for i in range(20))
            return self.raw(b"HTTP/1.1 200 OK\r\n" + fields + b"Content-Length: 2\r\n\r\nok")
        if path == "/long-line":
            return self.raw(b"HTTP/1.1 200 OK\r\nX-Long: " + b"b" * (10 * 1024) +
                            b"\r\nContent-Length: 2\r\n\r\nok")
        if path == "/many-fields":
            fields = b"".join(b"X-F%d: v\r\n" % i for i in range(2000))
            return self.raw(b"HTTP/1.1 200 OK\r\n" + fields + b"Content-Length: 2\r\n\r\nok")
        if path == "/bad-chunk":
            return self.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                            b"zz\r\nhello\r\n0\r\n\r\n")
        if path == "/overflow-chunk":
            return self.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                            b"ffffffffffffffffffffffff\r\nhello\r\n0\r\n\r\n")
        if path == "/truncated":
            return self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
        if path == "/truncated-chunked":
            return self.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                            b"10\r\nonly part")
        if path == "/garbage":
            return self.raw(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
        if path == "/silent":
            self.connection.settimeout(60)
            try:
                self.connection.recv(1)  # returns when the client gives up and closes
            except OSError:
                pass
            self.close_connection = True
            return None
        return self.simple(404, b"no such fixture path")


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a killed fixture must not wait for its handlers

    def server_bind(self):
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        super().server_bind()


def main():
    server = Server(("127.0.0.1", 0), Handler)
    host, port = server.server_address[:2]
    print(f"listening on {host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

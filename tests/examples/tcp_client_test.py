# SPDX-License-Identifier: MIT
"""End-to-end tests of examples/tcp_client, driven through pipes against a python upper-casing
line echo server (the tutorial's server).

Run: python3 tests/examples/tcp_client_test.py --bin-dir <build>/examples
"""

import socket
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the tests

from common import TIMEOUT, Suite, TcpServer, elapsed, free_port, has_ipv6_loopback

suite = Suite(["tcp_client"])
CLIENT = suite.bin["tcp_client"]


class UpperEcho:
    """Answers each received line with the line upper-cased; records what it got."""

    def __init__(self, split_replies=False):
        self.lines = []
        self.split = split_replies

    def __call__(self, conn):
        buf = b""
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                return
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                self.lines.append(line)
                reply = line.upper() + b"\n"
                if self.split:  # in pieces, to be reassembled by the client
                    for i in range(0, len(reply), 3):
                        conn.sendall(reply[i:i + 3])
                else:
                    conn.sendall(reply)


def usage():
    suite.check_usage("tcp_client", [
        [], ["127.0.0.1"], ["127.0.0.1", "70000"], ["127.0.0.1", "abc"], ["127.0.0.1", "0"],
        ["a", "b", "c"], ["--timeout", "0", "127.0.0.1", "80"], ["--timeout", "127.0.0.1", "80"],
        ["--timeout"],
    ])


def prints_each_reply(host="127.0.0.1", split=False):
    if ":" in host and not has_ipv6_loopback():
        print("  (no ::1 on this machine: IPv6 case not run)")
        return
    echo = UpperEcho(split)
    with TcpServer(echo, host) as server:
        code, out, err = suite.run([CLIENT, host, str(server.port)],
                                   input=b"hello\nwith spaces\n\nlast")
        assert code == 0, f"exit {code}: {err!r}"
    assert out == (b"Received from server: HELLO\nReceived from server: WITH SPACES\n"
                   b"Received from server: \nReceived from server: LAST\n"), out
    assert echo.lines == [b"hello", b"with spaces", b"", b"last"], echo.lines


def q_quits():
    echo = UpperEcho()
    with TcpServer(echo) as server:
        code, out, err = suite.run([CLIENT, "127.0.0.1", str(server.port)], input=b"one\nq\ntwo\n")
        assert code == 0, f"exit {code}: {err!r}"
    assert out == b"Received from server: ONE\n", out
    assert echo.lines == [b"one"], echo.lines


def interactive_line_by_line():
    # A line, its reply, then the next line: the client really waits for each reply.
    echo = UpperEcho()
    with TcpServer(echo) as server:
        p = suite.start([CLIENT, "127.0.0.1", str(server.port)])
        for word in ("first", "second", "third"):
            p.write(word + "\n")
            p.out.wait_contains(f"Received from server: {word.upper()}\n")
        p.close_stdin()
        assert p.wait() == 0, p.err.text()


def eof_quits_at_once():
    with TcpServer(UpperEcho()) as server:
        code, out, err = suite.run([CLIENT, "127.0.0.1", str(server.port)], input=b"")
        assert code == 0 and out == b"", (code, out, err)


def server_closing_before_the_reply_fails():
    def close_at_once(conn):
        conn.recv(100)
    with TcpServer(close_at_once) as server:
        code, out, err = suite.run([CLIENT, "127.0.0.1", str(server.port)], input=b"hi\n")
    assert code == 1, f"exit {code}"
    assert err.startswith("tcp_client: receive: "), err
    assert out == b"", out


def silent_server_times_out():
    got = []

    def silent(conn):
        got.append(conn.recv(100))
        conn.recv(100)  # until the client gives up and closes
    with TcpServer(silent) as server:
        (code, _, err), seconds = elapsed(lambda: suite.run(
            [CLIENT, "--timeout", "1", "127.0.0.1", str(server.port)], input=b"anyone?\n"))
    assert code == 1, f"exit {code}: {err!r}"
    assert "timed out" in err.lower(), err
    assert 0.9 <= seconds < 5, f"gave up after {seconds:.2f}s, expected about 1s"


def refused_connection_fails():
    port = free_port()  # nobody listens there: a refused connection is what is tested
    code, out, err = suite.run([CLIENT, "127.0.0.1", str(port)], input=b"x\n")
    assert code == 1, f"exit {code}"
    assert err.startswith(f"tcp_client: connect to 127.0.0.1:{port}: "), err
    assert "refused" in err.lower(), err


suite.case("usage: --help exits 0, bad arguments exit 2", usage)
suite.case("prints each reply as 'Received from server: <reply>'", prints_each_reply)
suite.case("replies arriving in pieces are reassembled", prints_each_reply, "127.0.0.1", True)
suite.case("works on ::1", prints_each_reply, "::1")
suite.case("q quits without sending it", q_quits)
suite.case("waits for each reply before reading the next line", interactive_line_by_line)
suite.case("EOF on stdin quits with status 0", eof_quits_at_once)
suite.case("a server closing before replying is a failure (exit 1)",
           server_closing_before_the_reply_fails)
suite.case("--timeout bounds the wait for a reply", silent_server_times_out)
suite.case("a refused connection is a failure (exit 1)", refused_connection_fails)
suite.finish()

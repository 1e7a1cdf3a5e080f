#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of examples/line_server (and of line_client against it).

Run: python3 tests/examples/line_server_test.py --bin-dir <build>/examples
Prints `ok <case>` / `FAIL <case>: <why>`; exit 0 when all passed, 1 on a failure.
"""

import signal
import socket
import time

from common import Suite, TcpServer, has_ipv6_loopback
from common2 import LineConn, Server

suite = Suite(["line_server", "line_client"])
SERVER, CLIENT = suite.bin["line_server"], suite.bin["line_client"]

# request -> answer, every command kind and every error reason (one connection, in order).
TABLE = [
    ("CALC:3+4", "CALC:7"),
    ("CALC:10-20", "CALC:-10"),
    ("CALC:6*7", "CALC:42"),
    ("CALC:-7/2", "CALC:-3"),
    ("CALC:-7%2", "CALC:-1"),
    ("CALC:-3*-4", "CALC:12"),
    ("CALC:9223372036854775807+0", "CALC:9223372036854775807"),
    ("CALC:-9223372036854775808+0", "CALC:-9223372036854775808"),
    ("PING:hello world", "PONG:hello world"),
    ("PING:", "PONG:"),
    ("CALC:1/0", "ERR:division by zero"),
    ("CALC:1%0", "ERR:division by zero"),
    ("CALC:9223372036854775807+1", "ERR:overflow"),
    ("CALC:-9223372036854775808-1", "ERR:overflow"),
    ("CALC:4611686018427387904*2", "ERR:overflow"),
    ("CALC:-9223372036854775808/-1", "ERR:overflow"),
    ("CALC:-9223372036854775808%-1", "ERR:overflow"),
    ("CALC:99999999999999999999+1", "ERR:overflow"),
    ("CALC:", "ERR:bad number"),
    ("CALC:+", "ERR:bad number"),
    ("CALC:3+", "ERR:bad number"),
    ("CALC:+5+1", "ERR:bad number"),
    ("CALC: 3+4", "ERR:bad number"),
    ("CALC:3+4x", "ERR:bad number"),
    ("CALC:abc", "ERR:bad number"),
    ("CALC:3", "ERR:bad operator"),
    ("CALC:3^4", "ERR:bad operator"),
    ("calc:1+1", "ERR:unknown command"),
    ("HELLO", "ERR:unknown command"),
    ("", "ERR:unknown command"),
    ("PING", "ERR:unknown command"),
    ("CALC:1+1", "CALC:2"),  # still usable after every error above
]


def server(*args):
    return Server(suite, SERVER, ["--bind", "127.0.0.1", *args, "0"])


def usage():
    suite.check_usage("line_server", [
        [], ["70000"], ["abc"], ["-1"], ["0", "1"], ["--bogus", "0"], ["--max-line", "0", "0"],
        ["--max-line", "-1", "0"], ["--max-line", "x", "0"], ["--max-line"],
        ["--line-timeout", "0", "0"], ["--line-timeout", "-1", "0"],
        ["--bind", "not-an-address", "0"],
    ])


def every_command_and_error():
    with server() as s, LineConn(s.addr) as c:
        for request, expected in TABLE:
            c.send_line(request)
            got = c.read_line()
            assert got == expected, f"{request!r}: got {got!r}, want {expected!r}"
        c.send(b"PING:a\0b\xff\n")  # any bytes are echoed
        got = c.read_line()
        assert got == "PONG:a\0b\ufffd", f"binary PING: got {got!r}"


def pipelined_hundred():
    with server() as s, LineConn(s.addr) as c:
        requests = [f"CALC:{i}*{i}" if i % 2 else f"PING:{i}" for i in range(100)]
        c.send("".join(r + "\n" for r in requests))
        answers = c.read_lines(100)
        want = [f"CALC:{i * i}" if i % 2 else f"PONG:{i}" for i in range(100)]
        bad = [i for i in range(100) if answers[i] != want[i]]
        assert not bad, f"answer {bad[0]}: got {answers[bad[0]]!r}, want {want[bad[0]]!r}"


def crlf_and_split_lines():
    with server() as s, LineConn(s.addr) as c:
        c.send(b"CALC:2+2\r\nPING:crlf\r\n")
        assert c.read_lines(2) == ["CALC:4", "PONG:crlf"]
        for piece in (b"PI", b"NG:spl", b"it\r", b"\nCALC:1", b"+1\n"):  # pieces of two lines
            c.send(piece)
        assert c.read_lines(2) == ["PONG:split", "CALC:2"]


def line_too_long_then_normal_line():
    with server("--max-line", "32") as s, LineConn(s.addr) as c:
        at_limit = "PING:" + "y" * 27  # exactly 32 bytes
        c.send_line(at_limit)
        assert c.read_line() == "PONG:" + "y" * 27
        c.send(at_limit.encode() + b"\r\n")  # the CR does not count
        assert c.read_line() == "PONG:" + "y" * 27
        c.send_line(at_limit + "z")  # 33 bytes
        assert c.read_line() == "ERR:line too long"
        c.send(b"PING:" + b"x" * 100 + b"\nPING:after\n")
        assert c.read_lines(2) == ["ERR:line too long", "PONG:after"]
        for _ in range(20):  # a long line in many pieces: one error, nothing of it answered
            c.send(b"CALC:" + b"9" * 500)
        c.send(b"\nCALC:1+2\n")
        got = c.read_lines(2)
        assert got == ["ERR:line too long", "CALC:3"], got


def default_limit_is_1024():
    with server() as s, LineConn(s.addr) as c:
        c.send_line("PING:" + "a" * 1019)
        assert c.read_line() == "PONG:" + "a" * 1019
        c.send_line("PING:" + "a" * 1020)
        assert c.read_line() == "ERR:line too long"


def unfinished_line_dropped_after_line_timeout():
    with server("--line-timeout", "1") as s, LineConn(s.addr) as idle, \
            LineConn(s.addr) as partial, LineConn(s.addr) as trickle:
        start = time.monotonic()
        partial.send("CALC:1+")
        trickle.send("P")
        # A client that keeps trickling bytes of one line is dropped too: the deadline runs
        # from the line's first byte, not from the latest one.
        dropped = False
        for piece in ["I", "N", "G", ":", "x"] * 10:
            trickle.sock.settimeout(0.25)
            try:
                if trickle.sock.recv(1) == b"":
                    dropped = True
                    break
            except socket.timeout:
                pass
            except ConnectionResetError:
                dropped = True
                break
            try:
                trickle.send(piece)
            except (BrokenPipeError, ConnectionResetError):
                dropped = True
                break
        assert dropped, "a trickling client was not dropped"
        assert partial.wait_closed(timeout=10) == [], "dropped client got an answer"
        elapsed = time.monotonic() - start
        assert elapsed >= 0.9, f"dropped after {elapsed:.2f}s, before the 1 s line timeout"
        # A client that sent nothing is not in the middle of a line: still served.
        idle.send_line("PING:still here")
        assert idle.read_line() == "PONG:still here"
        assert s.alive()


def half_close_gets_answers_then_eof():
    with server() as s, LineConn(s.addr) as c:
        c.send(b"PING:x\nCALC:2*3\nPING:unterminated")
        c.sock.shutdown(socket.SHUT_WR)
        got = c.wait_closed(timeout=10)
        assert got == ["PONG:x", "CALC:6"], got


def twenty_concurrent_clients():
    with server() as s:
        clients = [LineConn(s.addr) for _ in range(20)]
        try:
            for i, c in enumerate(clients):  # every client has requests in flight at once
                c.send("".join(f"CALC:{i}*{k}\nPING:{i}-{k}\n" for k in range(25)))
            for i, c in enumerate(clients):
                got = c.read_lines(50)
                want = [a for k in range(25) for a in (f"CALC:{i * k}", f"PONG:{i}-{k}")]
                assert got == want, f"client {i} got wrong answers"
        finally:
            for c in clients:
                c.close()


def stops_on_signal(sig):
    with server() as s, LineConn(s.addr) as c:
        c.send("PING:x\n")
        assert c.read_line() == "PONG:x"
        code = s.stop(sig)
        assert code == 0, f"exit status {code} after {sig.name}"


def ipv6_loopback():
    if not has_ipv6_loopback():
        print("  (no ::1 on this machine: IPv6 case not run)")
        return
    with Server(suite, SERVER, ["--bind", "::1", "0"]) as s, LineConn(s.addr) as c:
        c.send_line("CALC:2-5")
        assert c.read_line() == "CALC:-3"


def client_usage():
    suite.check_usage("line_client", [[], ["127.0.0.1"], ["127.0.0.1", "70000"],
                                      ["127.0.0.1", "abc"], ["127.0.0.1", "0"],
                                      ["--timeout", "0", "127.0.0.1", "1"],
                                      ["--bogus", "x", "1"], ["127.0.0.1", "1", "a\nb"]])


def client_with_arguments():
    with server() as s:
        code, out, err = suite.run([CLIENT, s.addr[0], str(s.addr[1]), "CALC:6*7", "PING:hello",
                                    "CALC:1/0", "CALC:-3*-4"])
        assert code == 0, f"exit {code}: {err!r}"
        assert out == b"CALC:42\nPONG:hello\nERR:division by zero\nCALC:12\n", out


def client_with_stdin():
    with server() as s:
        lines = [f"CALC:{i}+{i}" for i in range(30)] + ["PING:end"]
        code, out, err = suite.run([CLIENT, s.addr[0], str(s.addr[1])],
                                   input=("\n".join(lines) + "\n").encode())
        assert code == 0, f"exit {code}: {err!r}"
        want = "".join(f"CALC:{2 * i}\n" for i in range(30)) + "PONG:end\n"
        assert out == want.encode(), out


def client_reports_early_close():
    def read_a_line_then_close(conn):
        data = b""
        while b"\n" not in data:
            chunk = conn.recv(100)
            if not chunk:
                break
            data += chunk
    with TcpServer(read_a_line_then_close) as peer:
        code, out, err = suite.run([CLIENT, "127.0.0.1", str(peer.port), "PING:x", "PING:y"])
    assert code == 1, f"exit {code}"
    assert err.startswith("line_client: ") and "closed" in err, err
    assert out == b"", out


def client_reports_refused_connection():
    with socket.socket() as taken:  # bound, not listening: connecting is refused
        taken.bind(("127.0.0.1", 0))
        code, _, err = suite.run([CLIENT, "127.0.0.1", str(taken.getsockname()[1]), "PING:x"])
    assert code == 1, f"exit {code}"
    assert err.startswith("line_client: connect"), err


suite.case("usage", usage)
suite.case("every command kind and error reason", every_command_and_error)
suite.case("100 pipelined commands answered in order", pipelined_hundred)
suite.case("CRLF and lines split across writes", crlf_and_split_lines)
suite.case("line too long then a normal line on the same connection",
           line_too_long_then_normal_line)
suite.case("default line limit is 1024 bytes", default_limit_is_1024)
suite.case("unfinished line dropped after --line-timeout 1",
           unfinished_line_dropped_after_line_timeout)
suite.case("half-close gets the answers then EOF", half_close_gets_answers_then_eof)
suite.case("20 concurrent clients", twenty_concurrent_clients)
suite.case("stops cleanly on SIGTERM", stops_on_signal, signal.SIGTERM)
suite.case("stops cleanly on SIGINT", stops_on_signal, signal.SIGINT)
suite.case("serves on ::1", ipv6_loopback)
suite.case("line_client usage", client_usage)
suite.case("line_client with commands as arguments", client_with_arguments)
suite.case("line_client with commands on stdin", client_with_stdin)
suite.case("line_client reports a server that closes early", client_reports_early_close)
suite.case("line_client reports a refused connection", client_reports_refused_connection)
suite.finish()

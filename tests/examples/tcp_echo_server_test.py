#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of examples/tcp_echo_server (with examples/tcp_client when built).

Run: python3 tests/examples/tcp_echo_server_test.py --bin-dir <build>/examples
Prints `ok <case>` / `FAIL <case>: <why>`; exit 0 all passed, 1 on a failure, 77 when
tcp_client is missing (unless NETLITE_REQUIRE_PEERS=1, which makes that a failure); the
python-client cases run either way.
"""

import signal
import socket

from common import Suite, has_ipv6_loopback
from common2 import LineConn, Server, finish, optional_peer

suite = Suite(["tcp_echo_server"])
SERVER = suite.bin["tcp_echo_server"]
CLIENT = optional_peer(suite, "tcp_client")


def server(*args):
    return Server(suite, SERVER, ["--bind", "127.0.0.1", *args, "0"])


def usage():
    suite.check_usage("tcp_echo_server", [
        [], ["70000"], ["abc"], ["-1"], ["0", "1"], ["--bind"], ["--bind", "nope", "0"],
        ["--greeting"], ["--bogus", "0"],
    ])


def upper_cases_each_line():
    with server() as s, LineConn(s.addr) as c:
        c.send_line("hello, world")
        assert c.read_line() == "HELLO, WORLD"
        c.send(b"two\r\nlines 123\n")  # CRLF accepted; the reply ends in LF
        assert c.read_lines(2) == ["TWO", "LINES 123"]
        c.send(b"sp")
        c.send(b"lit\n")
        assert c.read_line() == "SPLIT"
        c.send_line("")
        assert c.read_line() == ""


def many_clients_at_once():
    with server() as s:
        clients = [LineConn(s.addr) for _ in range(20)]
        try:
            for i, c in enumerate(clients):
                c.send("".join(f"client {i} message {k}\n" for k in range(20)))
            for i, c in enumerate(clients):
                assert c.read_lines(20) == [f"CLIENT {i} MESSAGE {k}" for k in range(20)], i
        finally:
            for c in clients:
                c.close()


def greeting_first():
    with server("--greeting", "Welcome to the netlite workshop") as s:
        with LineConn(s.addr) as a, LineConn(s.addr) as b:
            assert a.read_line() == "Welcome to the netlite workshop"
            assert b.read_line() == "Welcome to the netlite workshop"
            b.send_line("abc")
            assert b.read_line() == "ABC"


def half_close_gets_replies_then_eof():
    with server() as s, LineConn(s.addr) as c:
        c.send(b"x\ny\n")
        c.sock.shutdown(socket.SHUT_WR)
        assert c.wait_closed(timeout=10) == ["X", "Y"]


def with_tcp_client():
    if CLIENT is None:
        print("  (tcp_client not built: case not run)")
        return
    with server() as s:
        code, out, err = suite.run([CLIENT, "--timeout", "5", s.addr[0], str(s.addr[1])],
                                   input=b"hello\nnetlite rocks\nq\nnot sent\n")
        assert code == 0, f"tcp_client exit {code}: {err!r}"
        assert out == b"Received from server: HELLO\nReceived from server: NETLITE ROCKS\n", out


def stops_on_signal(sig):
    with server() as s, LineConn(s.addr) as c:
        c.send_line("a")
        assert c.read_line() == "A"
        code = s.stop(sig)
        assert code == 0, f"exit status {code} after {sig.name}"


def ipv6_loopback():
    if not has_ipv6_loopback():
        print("  (no ::1 on this machine: IPv6 case not run)")
        return
    with Server(suite, SERVER, ["--bind", "::1", "0"]) as s, LineConn(s.addr) as c:
        c.send_line("v6")
        assert c.read_line() == "V6"


suite.case("usage", usage)
suite.case("answers each line upper-cased", upper_cases_each_line)
suite.case("20 clients at once", many_clients_at_once)
suite.case("--greeting is sent first to each client", greeting_first)
suite.case("half-close gets the replies then EOF", half_close_gets_replies_then_eof)
suite.case("tcp_client against tcp_echo_server", with_tcp_client)
suite.case("stops cleanly on SIGTERM", stops_on_signal, signal.SIGTERM)
suite.case("stops cleanly on SIGINT", stops_on_signal, signal.SIGINT)
suite.case("serves on ::1", ipv6_loopback)
finish(suite)

# SPDX-License-Identifier: MIT
"""End-to-end tests of examples/tcp_chat: two tcp_chat processes (listen side and connect side)
driven through pipes, and tcp_chat against python peers.

Run: python3 tests/examples/tcp_chat_test.py --bin-dir <build>/examples
"""

import signal
import socket
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the tests

from common import TIMEOUT, Suite, TcpServer, free_port, has_ipv6_loopback, listening_on

suite = Suite(["tcp_chat"])
CHAT = suite.bin["tcp_chat"]


def usage():
    suite.check_usage("tcp_chat", [
        [], ["--listen"], ["--listen", "70000"], ["--listen", "abc"], ["--listen", "1", "2"],
        ["127.0.0.1"], ["127.0.0.1", "0"], ["127.0.0.1", "abc"], ["127.0.0.1", "70000"],
        ["a", "b", "c"], ["--bind", "127.0.0.1", "127.0.0.1", "80"],
    ])


def pair(host="127.0.0.1"):
    listener = suite.start([CHAT, "--bind", host, "--listen", "0"])
    _, port = listening_on(listener.out)
    connector = suite.start([CHAT, host, str(port)])
    listener.err.wait_contains("tcp_chat: connected to ")
    return listener, connector


def both_sides_send_several_lines_in_a_row(host="127.0.0.1"):
    if ":" in host and not has_ipv6_loopback():
        print("  (no ::1 on this machine: IPv6 case not run)")
        return
    a, b = pair(host)
    # Neither side waits for an answer before its next line.
    a.write("a1\na2\na3\n")
    b.write("b1\nb2\nb3\nb4\n")
    b.out.wait_for(lambda d: d == b"a1\na2\na3\n", "a's three lines")
    a.out.wait_for(lambda d: d.endswith(b"b1\nb2\nb3\nb4\n"), "b's four lines")
    a.write("a4\n")
    b.out.wait_contains("a3\na4\n")
    a.close_stdin()
    b.close_stdin()
    assert a.wait() == 0, a.err.text()
    assert b.wait() == 0, b.err.text()


def eof_ends_the_chat_for_both_sides(closer):
    # One side's stdin ends: it half-closes; the other reads EOF (the peer closed) and exits 0,
    # which closes the connection, and then the first side exits 0 too.
    a, b = pair()
    first, other = (a, b) if closer == "listener" else (b, a)
    other.write("before\n")
    first.out.wait_contains("before\n")
    first.write("last words\n")
    first.close_stdin()
    other.out.wait_contains("last words\n")
    assert other.wait() == 0, other.err.text()
    assert "the peer closed the connection" in other.err.text(), other.err.text()
    assert first.wait() == 0, first.err.text()


def eof_half_closes_and_keeps_printing(role):
    # A python peer reads until tcp_chat's EOF (the half-close), then answers and closes:
    # tcp_chat must still print the answer, then exit 0.
    got = []

    def answer_after_eof(conn):
        data = b""
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        got.append(data)
        conn.sendall(b"got %d bytes after your EOF\n" % len(data))

    if role == "connect":
        with TcpServer(answer_after_eof) as server:
            chat = suite.start([CHAT, "127.0.0.1", str(server.port)])
            chat.write("one\ntwo\n")
            chat.close_stdin()
            assert chat.wait() == 0, chat.err.text()
    else:
        chat = suite.start([CHAT, "--bind", "127.0.0.1", "--listen", "0"])
        _, port = listening_on(chat.out)
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as conn:
            chat.write("one\ntwo\n")
            chat.close_stdin()
            answer_after_eof(conn)
        assert chat.wait() == 0, chat.err.text()
    assert got == [b"one\ntwo\n"], got
    assert chat.out.bytes().endswith(b"got 8 bytes after your EOF\n"), chat.out.bytes()


def peer_close_exits_0_with_stdin_still_open():
    def talk_and_close(conn):
        conn.sendall(b"hello from python\n")
        buf = b""
        while not buf.endswith(b"ping\n"):
            buf += conn.recv(100)
    with TcpServer(talk_and_close) as server:
        chat = suite.start([CHAT, "127.0.0.1", str(server.port)])
        chat.out.wait_contains("hello from python\n")
        chat.write("ping\n")
        # The server closes after "ping"; tcp_chat must exit although its stdin stays open.
        assert chat.wait() == 0, chat.err.text()
    assert "the peer closed the connection" in chat.err.text(), chat.err.text()


def listen_side_against_python_client():
    chat = suite.start([CHAT, "--bind", "127.0.0.1", "--listen", "0"])
    _, port = listening_on(chat.out)
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
        chat.write("line one\nline two\n")
        got = b""
        while got != b"line one\nline two\n":
            chunk = s.recv(100)
            assert chunk, f"EOF after {got!r}"
            got += chunk
        s.sendall(b"from python\n")
        chat.out.wait_contains("from python\n")
        chat.close_stdin()
        rest = s.recv(100)
        assert rest == b"", f"expected EOF after stdin closed, got {rest!r}"
    assert chat.wait() == 0, chat.err.text()


def stops_cleanly_on_signal_while_listening(sig):
    chat = suite.start([CHAT, "--bind", "127.0.0.1", "--listen", "0"])
    listening_on(chat.out)
    chat.signal(sig)
    code = chat.wait(5)
    assert code == 0, f"exit {code}; stderr {chat.err.text()!r}"


def refused_connection_fails():
    port = free_port()  # nobody listens there: a refused connection is what is tested
    code, _, err = suite.run([CHAT, "127.0.0.1", str(port)])
    assert code == 1, f"exit {code}"
    assert err.startswith(f"tcp_chat: connect to 127.0.0.1:{port}: "), err


suite.case("usage: --help exits 0, bad arguments exit 2", usage)
suite.case("both sides send several lines in a row", both_sides_send_several_lines_in_a_row)
suite.case("works on ::1", both_sides_send_several_lines_in_a_row, "::1")
suite.case("stdin EOF on the connect side half-closes; it keeps printing",
           eof_half_closes_and_keeps_printing, "connect")
suite.case("stdin EOF on the listen side half-closes; it keeps printing",
           eof_half_closes_and_keeps_printing, "listen")
suite.case("stdin EOF on the listen side ends the chat, both exit 0",
           eof_ends_the_chat_for_both_sides, "listener")
suite.case("stdin EOF on the connect side ends the chat, both exit 0",
           eof_ends_the_chat_for_both_sides, "connector")
suite.case("the peer closing exits 0 while stdin is still open",
           peer_close_exits_0_with_stdin_still_open)
suite.case("--listen serves a python client", listen_side_against_python_client)
suite.case("SIGINT while listening exits 0", stops_cleanly_on_signal_while_listening,
           signal.SIGINT)
suite.case("SIGTERM while listening exits 0", stops_cleanly_on_signal_while_listening,
           signal.SIGTERM)
suite.case("a refused connection is a failure (exit 1)", refused_connection_fails)
suite.finish()

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Abuse suite for examples/line_server (issue 6).

Run: python3 tests/abuse/line_server_abuse_test.py --bin-dir <build>/examples [--case TEXT]
Prints `ok <case>` / `FAIL <case>: <why>` and each case's peak server RSS; exit 0 all passed,
1 on a failure. Each case starts a fresh server, a control client (LineControl) that sends
pipelined CALC/PING rounds and checks every answer exactly and in order throughout, then the
abuse; the control must make progress during and after it, the server must answer or drop the
offender with a clear error, and its peak RSS (VmHWM) must stay under the bound.
"""

import select
import time

from abuse_common import (MIB, LineControl, MemoryWatch, RawConn, Server, Suite, connect,
                          flood_connect_close, process_nofile, raise_nofile, reset_close,
                          stream_without_newline, summary)

suite = Suite(["line_server"])
SERVER = suite.bin["line_server"]
NOFILE = raise_nofile()
results = []


class Scene:
    """A fresh server, its memory watch and a running control client."""

    def __init__(self, label, *args):
        self.label = label
        self.server = Server(suite, SERVER, ["--bind", "127.0.0.1", *args, "0"])
        self.addr = self.server.addr
        self.mem = MemoryWatch(self.server, SERVER)
        self.control = LineControl(self.addr)
        self.control.wait_rounds(3)

    def __enter__(self):
        self.server.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.control.wait_rounds(3)  # still served after the abuse
            rounds = self.control.finish()
            assert self.server.alive(), "server died"
            print(f"    control client: {rounds} rounds of 4 answers, all exact and in order")
            self.mem.check(self.label, results)
        else:
            self.control.stop_event.set()
            self.control.thread.join(timeout=30)
        return self.server.__exit__(exc_type, exc, tb)


def over_long_lines():
    with Scene("line_server over-long lines") as sc, RawConn(sc.addr) as bad:
        for k in range(16):  # 16 lines of 1 MiB between good ones, on one connection
            bad.send(f"PING:before {k}\n".encode() + b"X" * MIB + f"\nPING:after {k}\n".encode())
            got = [bad.read_line() for _ in range(3)]
            want = [f"PONG:before {k}".encode(), b"ERR:line too long", f"PONG:after {k}".encode()]
            assert got == want, f"line {k}: {got!r}"
        bad.send(b"CALC:6*7\n")
        assert bad.read_line() == b"CALC:42", "the connection is not usable after the errors"


def never_ending_line():
    with Scene("line_server a line that never ends (64 MiB, no LF)", "--line-timeout", "2") as sc:
        with RawConn(sc.addr) as bad:
            start = time.monotonic()
            sent = stream_without_newline(bad.sock, 64 * MIB)
            assert sent > 1 * MIB, f"the server took only {sent} bytes"
            got = bad.read_until_closed(timeout=15)
            took = time.monotonic() - start
            assert got == b"ERR:line too long\n", f"offender got {got[:200]!r}"
            assert took >= 1.5, f"dropped after {took:.1f}s, before the 2 s line timeout"
            print(f"    sent {sent / MIB:.0f} MiB without LF; one error line, dropped after "
                  f"{took:.1f}s")


NUL_CASES = [
    (b"PING:a\x00b", b"PONG:a\x00b"),
    (b"PING:\x00\x00\x00", b"PONG:\x00\x00\x00"),
    (b"PING:" + b"\x00" * 1000, b"PONG:" + b"\x00" * 1000),
    (b"CALC:1\x00+2", b"ERR:bad operator"),
    (b"CALC:\x001+2", b"ERR:bad number"),
    (b"CALC:1+2\x00", b"ERR:bad number"),
    (b"\x00PING:x", b"ERR:unknown command"),
    (b"\x00", b"ERR:unknown command"),
]

UTF8_CASES = [
    (b"PING:\xff\xfe", b"PONG:\xff\xfe"),
    (b"PING:\xc0\x80 overlong NUL", b"PONG:\xc0\x80 overlong NUL"),
    (b"PING:\xed\xa0\x80 surrogate", b"PONG:\xed\xa0\x80 surrogate"),
    (b"PING:\xf8\x88\x80\x80\x80 five bytes", b"PONG:\xf8\x88\x80\x80\x80 five bytes"),
    (b"PING:\xe2\x82 truncated", b"PONG:\xe2\x82 truncated"),
    (b"CALC:\xff+1", b"ERR:bad number"),
    (b"\xc3\x28", b"ERR:unknown command"),
    (b"PING:caf\xc3\xa9 valid", b"PONG:caf\xc3\xa9 valid"),
]


def exact_answers(label, cases):
    with Scene(label) as sc, RawConn(sc.addr) as c:
        c.send(b"".join(line + b"\n" for line, _ in cases))  # pipelined
        for line, want in cases:
            got = c.read_line()
            assert got == want, f"{line!r}: got {got!r}, want {want!r}"


def thousand_connections():
    assert NOFILE >= 1100, f"RLIMIT_NOFILE is {NOFILE}"
    with Scene("line_server 1,000 simultaneous connections") as sc:
        assert process_nofile(sc.server.proc.pid) >= 1100, "the server's descriptor limit"
        conns = []
        try:
            for _ in range(1000):
                conns.append(connect(sc.addr))
            for i, s in enumerate(conns):
                s.sendall(f"PING:conn {i}\n".encode())
            for i, s in enumerate(conns):
                data = b""
                while not data.endswith(b"\n"):
                    chunk = s.recv(256)
                    assert chunk, f"connection {i} closed"
                    data += chunk
                assert data == f"PONG:conn {i}\n".encode(), f"connection {i}: {data!r}"
            sc.control.wait_rounds(3)  # served while all 1000 are open
        finally:
            for s in conns:
                s.close()
        print("    1000 connections open at once, each answered exactly")


def connection_flood():
    with Scene("line_server 5,000 connect+close") as sc:
        start = time.monotonic()
        done = flood_connect_close(sc.addr, 5000)
        took = time.monotonic() - start
        assert done == 5000, f"only {done} of 5000 connects succeeded"
        print(f"    5000 connect+close in {took:.1f}s")


def resets_after_sending():
    with Scene("line_server 300 clients reset right after sending") as sc:
        for i in range(300):
            s = connect(sc.addr)
            payload = f"PING:reset {i}\nCALC:1+".encode()  # one line and half of another
            if i % 3 == 0:
                payload += b"Y" * (256 * 1024)  # and a lot more, unread when the RST lands
            s.sendall(payload)
            reset_close(s)
        print("    300 connections reset (SO_LINGER 0) right after sending")


def never_reading_clients():
    with Scene("line_server 20 clients that pipeline requests and never read") as sc:
        socks = [connect(sc.addr, rcvbuf=4096) for _ in range(20)]
        try:
            request = b"PING:" + b"r" * 400 + b"\n"
            block = request * 160  # 64 KiB of requests
            sent = [0] * len(socks)
            for s in socks:
                s.setblocking(False)
            # Send until no socket has taken a byte for 1 s: the server stopped reading them.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and min(sent) < 64 * MIB:
                _, writable, _ = select.select([], socks, [], 1.0)
                if not writable:
                    break
                for s in writable:
                    i = socks.index(s)
                    try:
                        sent[i] += s.send(block)
                    except BlockingIOError:
                        pass
            assert time.monotonic() < deadline, "the server kept reading clients that never read"
            sc.control.wait_rounds(3)  # served while the 20 are stuck
            print(f"    20 non-readers pushed {sum(sent) / MIB:.1f} MiB of requests before the "
                  f"server stopped reading them (max {max(sent) / MIB:.2f} MiB each)")
        finally:
            for s in socks:
                s.close()


suite.case("over-long lines: ERR:line too long, connection stays usable", over_long_lines)
suite.case("a line that never ends: one error, bounded memory, dropped at the line timeout",
           never_ending_line)
suite.case("NUL bytes are answered exactly", exact_answers, "line_server NUL bytes", NUL_CASES)
suite.case("invalid UTF-8 is answered exactly", exact_answers, "line_server invalid UTF-8",
           UTF8_CASES)
suite.case("1,000 simultaneous connections", thousand_connections)
suite.case("a flood of 5,000 connect+close", connection_flood)
suite.case("clients that reset right after sending", resets_after_sending)
suite.case("clients that never read: the server stops reading them", never_reading_clients)
summary(results)
suite.finish()

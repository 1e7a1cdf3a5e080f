#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Abuse suite for examples/select_server, the chat room (issue 6), on every backend.

Run: python3 tests/abuse/select_server_abuse_test.py --bin-dir <build>/examples [--case TEXT]
Prints `ok <case>` / `FAIL <case>: <why>` and each case's peak server RSS; exit 0 all passed,
1 on a failure. Each case starts a fresh server, then a control pair (ChatControl): a talker
sending numbered lines throughout and a listener that must get each of them exactly once and
in order, while also recording join/leave notices and any line relayed from the abusers. The
server must relay or drop each offender with a clear error, keep the room going, and keep its
peak RSS (VmHWM) under the bound.
"""

import socket
import threading
import time

from abuse_common import (MIB, ChatControl, MemoryWatch, RawConn, Server, Suite, connect,
                          endpoint_of, flood_connect_close, process_nofile, raise_nofile,
                          reset_close, stream_without_newline, summary)

suite = Suite(["select_server"])
SERVER = suite.bin["select_server"]
NOFILE = raise_nofile()
BACKENDS = ["select", "poll", "epoll"]
results = []


class Scene:
    """A fresh server on `backend`, its memory watch and a running control pair."""

    def __init__(self, label, backend, *args):
        self.label = f"select_server/{backend} {label}"
        self.server = Server(suite, SERVER,
                             ["--backend", backend, "--bind", "127.0.0.1", *args, "0"])
        self.addr = self.server.addr
        self.mem = MemoryWatch(self.server, SERVER)
        self.control = ChatControl(self.addr)
        self.control.wait_lines(3)

    def __enter__(self):
        self.server.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.control.wait_lines(3)  # the room still relays after the abuse
            lines = self.control.finish()
            assert self.server.alive(), "server died"
            print(f"    control: {lines} lines relayed exactly once, in order")
            self.mem.check(self.label, results)
        else:  # shutdown (not close) wakes the control threads blocked in recv
            self.control.stop_event.set()
            for conn in (self.control.listener, self.control.talker):
                try:
                    conn.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            for t in self.control.threads:
                t.join(timeout=30)
            self.control.listener.close()
            self.control.talker.close()
        return self.server.__exit__(exc_type, exc, tb)


def assert_farewell(got, name, farewell=b"! line too long\n"):
    """The offender's last line is `farewell`; before it, only what the room relayed to it."""
    assert got.endswith(farewell), f"offender got {got[-200:]!r}"
    before = got[:-len(farewell)]
    assert not before or before.endswith(b"\n"), f"farewell glued to {before[-200:]!r}"
    for line in before.split(b"\n")[:-1]:
        relayed = line.startswith((b"[", b"* ")) and not line.startswith(f"[{name}]".encode())
        assert relayed, f"offender got {line[:200]!r} before {farewell!r}"


def over_long_line(backend):
    with Scene("over-long line", backend) as sc, RawConn(sc.addr) as bad:
        sc.control.wait_for(lambda: bad.name in sc.control.joined, "join notice")
        try:  # the server drops it mid-send: the rest of the write may meet the reset
            bad.send(b"fine before\n" + b"X" * MIB + b"\nnever relayed\n")
        except (ConnectionResetError, BrokenPipeError):
            pass
        got = bad.read_until_closed(timeout=15)
        assert_farewell(got, bad.name)
        sc.control.wait_for(lambda: bad.name in sc.control.left, "leave notice")
        relayed = [x for x in sc.control.other if x.startswith(f"[{bad.name}] ".encode())]
        assert relayed == [f"[{bad.name}] fine before".encode()], f"relayed {relayed!r}"


def never_ending_line(backend):
    with Scene("a line that never ends (64 MiB, no LF)", backend) as sc:
        with RawConn(sc.addr) as bad:
            sent = stream_without_newline(bad.sock, 64 * MIB)
            got = bad.read_until_closed(timeout=15)
            assert_farewell(got, bad.name)
            sc.control.wait_for(lambda: bad.name in sc.control.left, "leave notice")
            assert not any(x.startswith(f"[{bad.name}]".encode()) for x in sc.control.other)
            print(f"    the offender got {sent / MIB:.2f} MiB out before it was dropped")


def exact_relay(backend, label, lines):
    with Scene(label, backend) as sc, RawConn(sc.addr) as sender:
        sc.control.wait_for(lambda: sender.name in sc.control.joined, "join notice")
        sender.send(b"".join(x + b"\n" for x in lines))
        prefix = f"[{sender.name}] ".encode()
        want = [prefix + x for x in lines]
        sc.control.wait_for(lambda: len([x for x in sc.control.other if x.startswith(prefix)])
                            >= len(lines), f"{len(lines)} relayed lines")
        got = [x for x in sc.control.other if x.startswith(prefix)]
        assert got == want, f"relayed {got!r}, want {want!r}"


NUL_LINES = [b"a\x00b", b"\x00", b"\x00" * 1000, b"tail\x00", b"[\x00] fake prefix"]
UTF8_LINES = [b"\xff\xfe", b"\xc0\x80 overlong NUL", b"\xed\xa0\x80 surrogate",
              b"\xf8\x88\x80\x80\x80 five bytes", b"\xe2\x82 truncated", b"caf\xc3\xa9 valid"]


def thousand_connections(backend):
    assert NOFILE >= 1100, f"RLIMIT_NOFILE is {NOFILE}"
    with Scene("1,000 simultaneous connections", backend) as sc:
        assert process_nofile(sc.server.proc.pid) >= 1100, "the server's descriptor limit"
        conns = []
        try:
            for _ in range(1000):
                conns.append(connect(sc.addr))
            names = {endpoint_of(s) for s in conns}
            sc.control.wait_for(lambda: names <= set(sc.control.joined), "1000 join notices",
                                timeout=60)
            sc.control.wait_lines(3)  # the room relays while all 1000 are in it
        finally:
            for s in conns:
                s.close()
        sc.control.wait_for(lambda: names <= set(sc.control.left), "1000 leave notices",
                            timeout=60)
        print("    1000 clients joined and left, each announced once")
        assert len(sc.control.joined) == len(set(sc.control.joined)), "a duplicate join"


def connection_flood(backend):
    with Scene("5,000 connect+close", backend) as sc:
        start = time.monotonic()
        done = flood_connect_close(sc.addr, 5000)
        took = time.monotonic() - start
        assert done == 5000, f"only {done} of 5000 connects succeeded"
        sc.control.wait_for(lambda: len(sc.control.left) >= 5000, "5000 leave notices",
                            timeout=60)
        assert len(sc.control.joined) == 5000, f"{len(sc.control.joined)} joins"
        print(f"    5000 connect+close in {took:.1f}s; 5000 joins and leaves announced")


def resets_after_sending(backend):
    with Scene("300 clients reset right after sending", backend) as sc:
        names = []
        for i in range(300):
            s = connect(sc.addr)
            names.append(endpoint_of(s))
            payload = f"hello from reset {i}\nhalf a line".encode()
            if i % 3 == 0:
                payload += b"Y" * (256 * 1024)  # over --max-line: at most an error, never relayed
            s.sendall(payload)
            reset_close(s)
        sc.control.wait_for(lambda: set(names) <= set(sc.control.left), "300 leave notices",
                            timeout=60)
        relayed = [x for x in sc.control.other if b"hello from reset" in x or b"half" in x]
        for x in relayed:  # what got through is whole lines, once each
            sender, _, text = x[1:].partition(b"] ")
            assert sender.decode() in names and text.startswith(b"hello from reset "), x
            assert text == f"hello from reset {names.index(sender.decode())}".encode(), x
        assert len(relayed) == len(set(relayed)), "a line relayed twice"
        print(f"    300 resets; {len(relayed)} of their lines relayed whole before the RST")


def never_reading_clients(backend):
    # 10 clients that never read (SO_RCVBUF 4 KiB) while a loud client floods the room: each
    # silent client's queue reaches --max-queue (default 1 MiB) and it is dropped.
    with Scene("10 clients that never read, default --max-queue", backend) as sc:
        silent = [connect(sc.addr, rcvbuf=4096) for _ in range(10)]
        names = {endpoint_of(s) for s in silent}
        loud = RawConn(sc.addr)
        drain = threading.Thread(target=loud.read_until_closed, kwargs={"timeout": 120,
                                                                         "limit": 1 << 40})
        drain.start()
        try:
            sc.control.wait_for(lambda: loud.name in sc.control.joined, "loud join notice")
            prefix = f"[{loud.name}] ".encode()
            payload = b"p" * 1000
            sent, deadline = 0, time.monotonic() + 60
            while not names <= set(sc.control.left) and time.monotonic() < deadline:
                loud.send(b"".join(b"%d " % (sent + k) + payload + b"\n" for k in range(64)))
                sent += 64
                # keep the listener within 256 lines of the loud client (it must keep up)
                sc.control.wait_for(lambda: sum(1 for x in sc.control.other
                                                if x.startswith(prefix)) >= sent - 256,
                                    "the loud lines to arrive", timeout=30)
                assert sent < 64 * 1024, "silent clients were never dropped"
            assert names <= set(sc.control.left), "not every silent client was dropped"
            loud.send(b"loud end\n")
            sc.control.wait_for(lambda: prefix + b"loud end" in sc.control.other, "loud end")
            got = [x for x in sc.control.other if x.startswith(prefix)]
            want = [prefix + b"%d " % k + payload for k in range(sent)] + [prefix + b"loud end"]
            assert got == want, "the listener missed or reordered loud lines"
            print(f"    10 silent clients dropped after {sent} loud lines of 1 kB "
                  f"({sent / 1024:.1f} MiB); the listener got every one in order")
        finally:
            loud.sock.shutdown(socket.SHUT_RDWR)
            drain.join(timeout=30)
            loud.close()
            for s in silent:
                s.close()


for b in BACKENDS:
    suite.case(f"over-long line: '! line too long', dropped, nothing relayed ({b})",
               over_long_line, b)
    suite.case(f"a line that never ends: dropped at --max-line, bounded memory ({b})",
               never_ending_line, b)
    suite.case(f"NUL bytes are relayed exactly ({b})", exact_relay, b, "NUL bytes", NUL_LINES)
    suite.case(f"invalid UTF-8 is relayed exactly ({b})", exact_relay, b, "invalid UTF-8",
               UTF8_LINES)
    suite.case(f"1,000 simultaneous connections ({b})", thousand_connections, b)
    suite.case(f"a flood of 5,000 connect+close ({b})", connection_flood, b)
    suite.case(f"clients that reset right after sending ({b})", resets_after_sending, b)
    suite.case(f"clients that never read are dropped at --max-queue ({b})",
               never_reading_clients, b)
summary(results)
suite.finish()

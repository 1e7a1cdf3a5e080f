#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of examples/select_server, the selector-based chat room.

Run: python3 tests/examples/select_server_test.py --bin-dir <build>/examples
Prints `ok <case>` / `FAIL <case>: <why>`; exit 0 all passed, 1 on a failure.
Room protocol under test: a client's line reaches every other client as `[<endpoint>] <line>`;
`* <endpoint> joined` / `* <endpoint> left` go to the others; an over-long line gets
`! line too long` and the sender is dropped.
"""

import signal
import socket
import threading
import time

from common import Suite, has_ipv6_loopback
from common2 import LineConn, Server

suite = Suite(["select_server"])
SERVER = suite.bin["select_server"]
BACKENDS = ["select", "poll", "epoll"]


def server(*args):
    return Server(suite, SERVER, ["--bind", "127.0.0.1", *args, "0"])


def join_all(clients):
    """Waits until the server has announced every client: client 0 hears all the others join
    (and each client hears those that joined after it). Returns nothing; fails on anything
    else arriving."""
    for i, c in enumerate(clients):
        for later in clients[i + 1:]:
            got = c.read_line()
            assert got == f"* {later.local()} joined", f"client {i}: {got!r}"


def usage():
    suite.check_usage("select_server", [
        [], ["70000"], ["abc"], ["-1"], ["0", "1"], ["--backend", "bogus", "0"], ["--backend"],
        ["--max-line", "0", "0"], ["--max-line", "-1", "0"], ["--max-line", "x", "0"],
        ["--max-queue", "0", "0"], ["--idle", "0", "0"], ["--idle", "x", "0"],
        ["--bind", "999.1.1.1", "0"], ["--bogus", "0"],
    ])


def fifty_clients(backend):
    count, per_client = 50, 5
    with server("--backend", backend) as s:
        clients = []
        try:
            for _ in range(count):
                clients.append(LineConn(s.addr))
            join_all(clients)
            for i, c in enumerate(clients):
                lines = [f"line {k} from client {i}" for k in range(per_client)]
                if i % 2:  # odd clients write line by line, split in the middle
                    for line in lines:
                        c.send(line[:4])
                        c.send(line[4:] + "\n")
                else:
                    c.send("".join(line + "\n" for line in lines))
            names = [c.local() for c in clients]
            for r, c in enumerate(clients):
                seen = {n: [] for n in names}
                for _ in range(per_client * (count - 1)):
                    line = c.read_line()
                    assert line.startswith("["), f"receiver {r}: unexpected {line!r}"
                    who, _, text = line[1:].partition("] ")
                    assert who in seen and who != names[r], f"receiver {r}: bad sender {line!r}"
                    seen[who].append(text)
                for i, n in enumerate(names):
                    want = [f"line {k} from client {i}" for k in range(per_client)]
                    want = [] if i == r else want
                    assert seen[n] == want, f"receiver {r} from sender {i}: {seen[n]!r}"
            # Nothing more: a marker from client 0 is the next line everywhere else.
            clients[0].send_line("marker")
            for r in range(1, count):
                got = clients[r].read_line()
                assert got == f"[{names[0]}] marker", f"receiver {r}: extra line {got!r}"
        finally:
            for c in clients:
                c.close()
        assert s.alive(), "server died"
        assert s.stop() == 0


def join_and_leave_notices():
    with server() as s, LineConn(s.addr) as a, LineConn(s.addr) as b:
        assert a.read_line() == f"* {b.local()} joined"
        c = LineConn(s.addr)
        c_name = c.local()
        assert a.read_line() == f"* {c_name} joined"
        assert b.read_line() == f"* {c_name} joined"
        c.send_line("hi from c")
        assert a.read_line() == f"[{c_name}] hi from c"
        assert b.read_line() == f"[{c_name}] hi from c"
        c.close()
        assert a.read_line() == f"* {c_name} left"
        assert b.read_line() == f"* {c_name} left"
        b.send(b"crlf line\r\n")
        assert a.read_line() == f"[{b.local()}] crlf line"


def over_long_line_drops_sender(variant):
    with server("--max-line", "64") as s, LineConn(s.addr) as room, LineConn(s.addr) as bad:
        assert room.read_line() == f"* {bad.local()} joined"
        name = bad.local()
        if variant == "terminated":
            bad.send(b"a fine line\n" + b"X" * 65 + b"\nnever relayed\n")
        else:  # no LF at all: the server must not wait for one
            bad.send(b"a fine line\n" + b"X" * 200)
        got = bad.wait_closed(timeout=10)
        assert got == ["! line too long"], f"offender got {got!r}"
        assert room.read_line() == f"[{name}] a fine line"
        assert room.read_line() == f"* {name} left"
        with LineConn(s.addr) as other:  # nothing of the long line leaked before this
            assert room.read_line() == f"* {other.local()} joined"
            at_limit = "Y" * 64
            other.send_line(at_limit)
            assert room.read_line() == f"[{other.local()}] {at_limit}"


def never_reading_client_is_dropped():
    # Writer W floods the room; reader R reads everything; S never reads (small SO_RCVBUF).
    # S's queue must overflow and S be dropped while R keeps receiving every line in order.
    with server("--max-queue", "262144") as s:
        slow = LineConn(s.addr, rcvbuf=4096)
        slow_name = slow.local()
        reader = LineConn(s.addr)
        writer = LineConn(s.addr)
        try:
            assert reader.read_line() == f"* {writer.local()} joined"
            received = []
            progress = threading.Condition()
            slow_left = threading.Event()
            failure = []

            def read_all():
                try:
                    while True:
                        line = reader.read_line()
                        if line == f"* {slow_name} left":
                            slow_left.set()
                            continue
                        with progress:
                            received.append(line)
                            progress.notify_all()
                        if line.endswith("] done"):
                            return
                except Exception as e:  # reported by the main thread
                    failure.append(e)
                    with progress:
                        progress.notify_all()

            t = threading.Thread(target=read_all)
            t.start()
            try:
                payload = "p" * 1000
                sent, batch, deadline = 0, 64, time.monotonic() + 20
                while not slow_left.is_set() and sent < 64 * 1024 and time.monotonic() < deadline:
                    writer.send("".join(f"{sent + k} {payload}\n" for k in range(batch)))
                    sent += batch
                    with progress:  # keep at most two batches in flight towards R
                        moving = progress.wait_for(
                            lambda: failure or len(received) >= sent - 2 * batch, timeout=10)
                    assert not failure, f"reader failed: {failure[0]!r}"
                    assert moving, f"the room stalled: R has {len(received)} of {sent} lines"
                writer.send_line("done")
            finally:
                t.join(timeout=20)
            assert not t.is_alive(), "reader did not get 'done'"
            assert not failure, f"reader failed: {failure[0]!r}"
            assert slow_left.is_set(), f"S not dropped after {sent} lines of 1 kB"
            prefix = f"[{writer.local()}] "
            want = [f"{prefix}{k} {payload}" for k in range(sent)] + [prefix + "done"]
            assert received == want, "the reader missed or reordered lines"
            slow.wait_closed(timeout=10)  # S reads what was queued for it, then the end
        finally:
            for c in (slow, reader, writer):
                c.close()


def idle_clients_time_out():
    with server("--idle", "1") as s, LineConn(s.addr) as idle, LineConn(s.addr) as busy:
        start = time.monotonic()
        assert idle.read_line() == f"* {busy.local()} joined"
        name = idle.local()
        # busy talks every 0.2 s (paced by a receive timeout) and must outlive idle.
        notices = []
        while time.monotonic() - start < 10:
            busy.send_line("still here")
            busy.sock.settimeout(0.2)
            try:
                line = busy.read_line()
                notices.append(line)
                if line == f"* {name} left":
                    break
            except socket.timeout:
                pass
        busy.sock.settimeout(10)
        assert notices and notices[-1] == f"* {name} left", f"busy saw {notices!r}"
        got = idle.wait_closed(timeout=10)
        assert all(x == "[" + busy.local() + "] still here" or x.startswith("!") for x in got), got
        elapsed = time.monotonic() - start
        assert elapsed >= 0.9, f"idle client dropped after {elapsed:.2f}s"
        with LineConn(s.addr) as third:  # busy is still in the room
            assert busy.read_line() == f"* {third.local()} joined"
            third.send_line("hello")
            assert busy.read_line() == f"[{third.local()}] hello"


def stops_on_signal(sig):
    with server() as s, LineConn(s.addr) as a, LineConn(s.addr) as b:
        assert a.read_line() == f"* {b.local()} joined"
        code = s.stop(sig)
        assert code == 0, f"exit status {code} after {sig.name}"


def ipv6_loopback():
    if not has_ipv6_loopback():
        print("  (no ::1 on this machine: IPv6 case not run)")
        return
    with Server(suite, SERVER, ["--bind", "::1", "0"]) as s, LineConn(s.addr) as a, \
            LineConn(s.addr) as b:
        assert a.read_line() == f"* {b.local()} joined"
        b.send_line("v6")
        assert a.read_line() == f"[{b.local()}] v6"


suite.case("usage", usage)
for backend in BACKENDS:
    suite.case(f"50 clients each get every other client's lines once, in order ({backend})",
           fifty_clients, backend)
suite.case("join and leave notices", join_and_leave_notices)
suite.case("over-long line: error line, dropped, nothing leaked", over_long_line_drops_sender,
       "terminated")
suite.case("over-long line without LF: error line, dropped", over_long_line_drops_sender, "open")
suite.case("a client that never reads is dropped and does not stall the room",
       never_reading_client_is_dropped)
suite.case("idle clients time out with --idle 1", idle_clients_time_out)
suite.case("stops cleanly on SIGTERM", stops_on_signal, signal.SIGTERM)
suite.case("stops cleanly on SIGINT", stops_on_signal, signal.SIGINT)
suite.case("chat on ::1", ipv6_loopback)
suite.finish()

# SPDX-License-Identifier: MIT
"""Shared parts of the abuse suites (issue 6): bad clients against line_server and
select_server while a well-behaved control client runs throughout and checks every answer.

On top of tests/examples/common.py (Suite, Proc, listening_on) and common2.py (Server), this
adds: a raised descriptor limit (inherited by the servers this process starts), the server's
memory from /proc/<pid>/status, a bytes-exact line client, the abusive clients, and the two
control clients. Every loop is bounded in count and time; nothing sleeps to synchronise (the
control clients pace themselves with Event.wait, which also ends them at once). Traffic goes
only to 127.0.0.1.
"""

import errno
import os
import resource
import select
import socket
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "examples"))

from common import SKIP_EXIT, Suite  # noqa: E402  (re-exported for the suites)
from common2 import Server  # noqa: E402

__all__ = ["SKIP_EXIT", "Suite", "Server"]

TIMEOUT = 10.0
MIB = 1 << 20
PLAIN_BOUND_MB = 64  # the bound on a server's peak RSS (VmHWM) in a plain build


# ---- descriptors ----

def raise_nofile(wanted=8192):
    """Raises this process's soft RLIMIT_NOFILE towards `wanted` (at most the hard limit).
    Servers started afterwards inherit it. Returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft == resource.RLIM_INFINITY or soft >= target:
        return soft
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def process_nofile(pid):
    """The soft `Max open files` of process `pid`, from /proc/<pid>/limits."""
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max open files"):
                value = line.split()[3]
                return 1 << 62 if value == "unlimited" else int(value)
    raise AssertionError(f"no 'Max open files' in /proc/{pid}/limits")


# ---- memory ----

def memory_kb(pid):
    """{'VmRSS': kB, 'VmHWM': kB} of process `pid`."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(rest.split()[0])
    return out


def sanitizer_of(path):
    """'asan', 'tsan' or None: whether the program was built with a sanitizer (its runtime
    shows in the binary's symbol names, or it links the shared runtime)."""
    with open(path, "rb") as f:
        data = f.read()
    if b"__tsan_init" in data or b"libtsan" in data:
        return "tsan"
    if b"__asan_init" in data or b"libasan" in data:
        return "asan"
    return None


class MemoryWatch:
    """Reads the server's RSS when made and its peak (VmHWM) at `check`; the bound is
    PLAIN_BOUND_MB for a plain build, larger under a sanitizer (its shadow memory and
    quarantine count in the RSS)."""

    BOUND_MB = {None: PLAIN_BOUND_MB, "asan": 512, "tsan": 768}

    def __init__(self, server, path):
        self.pid = server.proc.pid
        self.kind = sanitizer_of(path)
        self.start = memory_kb(self.pid)

    def check(self, label, results):
        now = memory_kb(self.pid)
        peak_mb = now["VmHWM"] / 1024
        start_mb = self.start["VmRSS"] / 1024
        bound = self.BOUND_MB[self.kind]
        build = self.kind or "plain"
        print(f"    memory {label}: peak RSS {peak_mb:.1f} MB (RSS {start_mb:.1f} MB at start, "
              f"{now['VmRSS'] / 1024:.1f} MB at end; {build} build, bound {bound} MB)")
        sys.stdout.flush()
        results.append((label, peak_mb, start_mb, build))
        assert peak_mb < bound, f"peak RSS {peak_mb:.1f} MB over the {bound} MB bound"


# ---- clients ----

def connect(addr, timeout=TIMEOUT, rcvbuf=None, sndbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if rcvbuf is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    if sndbuf is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    try:
        s.connect(addr)
    except BaseException:
        s.close()
        raise
    return s


def endpoint_of(sock):
    host, port = sock.getsockname()[:2]
    return f"{host}:{port}"


def reset_close(sock):
    """Closes with an RST: SO_LINGER on with a zero timeout."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class RawConn:
    """A line client that keeps bytes exactly (no decoding); every wait has a timeout."""

    def __init__(self, addr, timeout=TIMEOUT, rcvbuf=None):
        self.sock = connect(addr, timeout, rcvbuf)
        self.buf = b""
        self.eof = False
        self.name = endpoint_of(self.sock)

    def send(self, data):
        self.sock.sendall(data)

    def read_line(self):
        """The next line without its LF (bytes); EOFError if the peer closes first."""
        while b"\n" not in self.buf:
            if self.eof:
                raise EOFError(f"connection closed; pending {self.buf[:80]!r}")
            chunk = self.sock.recv(65536)
            if not chunk:
                self.eof = True
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line

    def read_until_closed(self, timeout=TIMEOUT, limit=64 * MIB):
        """Everything until EOF or a reset within `timeout` (at most `limit` bytes)."""
        deadline = time.monotonic() + timeout
        data = self.buf
        self.buf = b""
        while not self.eof and len(data) < limit:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"server did not close the connection within {timeout}s")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                chunk = b""
            if not chunk:
                self.eof = True
            data += chunk
        return data

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def stream_without_newline(sock, total, deadline_s=30.0):
    """Sends up to `total` bytes that contain no LF, until the server closes or stops taking
    them for 1 s (its buffers are full: it is not reading). Returns the bytes sent."""
    chunk = b"N" * 65536
    sent = 0
    sock.setblocking(False)
    deadline = time.monotonic() + deadline_s
    try:
        while sent < total and time.monotonic() < deadline:
            _, writable, _ = select.select([], [sock], [], 1.0)
            if not writable:
                break  # the server stopped reading: its buffers and ours are full
            try:
                sent += sock.send(chunk[:min(len(chunk), total - sent)])
            except BlockingIOError:
                continue
            except (ConnectionResetError, BrokenPipeError):
                break
    finally:
        sock.setblocking(True)
    return sent


def flood_connect_close(addr, count, deadline_s=60.0):
    """`count` connect + close cycles (bounded by `deadline_s`); returns how many connected."""
    done = 0
    deadline = time.monotonic() + deadline_s
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        try:
            s = connect(addr, timeout=5.0)
        except OSError as e:
            if e.errno in (errno.ECONNREFUSED, errno.ECONNRESET, errno.ETIMEDOUT):
                continue
            raise
        s.close()
        done += 1
    return done


# ---- control clients ----

class LineControl:
    """A well-behaved line_server client in a thread: rounds of 4 pipelined requests whose
    answers it checks exactly and in order, until stopped (bounded by `max_rounds` and
    `max_seconds`)."""

    def __init__(self, addr, max_rounds=200000, max_seconds=240.0):
        self.conn = RawConn(addr)
        self.stop_event = threading.Event()
        self.rounds = 0
        self.errors = []
        self.max_rounds = max_rounds
        self.deadline = time.monotonic() + max_seconds
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _round(self, i):
        self.conn.send(f"CALC:{i}*7\nPING:control {i}\nCALC:{i}+-3\nPING:\n".encode())
        want = [f"CALC:{i * 7}".encode(), f"PONG:control {i}".encode(),
                f"CALC:{i - 3}".encode(), b"PONG:"]
        got = [self.conn.read_line() for _ in want]
        if got != want:
            raise AssertionError(f"round {i}: got {got!r}, want {want!r}")

    def _run(self):
        try:
            while (not self.stop_event.is_set() and self.rounds < self.max_rounds
                   and time.monotonic() < self.deadline):
                self._round(self.rounds)
                self.rounds += 1
                self.stop_event.wait(0.002)  # pacing, not synchronisation
        except Exception as e:  # reported by finish()
            self.errors.append(f"{type(e).__name__}: {e}")

    def wait_rounds(self, n, timeout=TIMEOUT):
        """Waits (bounded) until at least `n` more rounds completed: proof it is served now."""
        target = self.rounds + n
        deadline = time.monotonic() + timeout
        while self.rounds < target and not self.errors and self.thread.is_alive():
            if time.monotonic() > deadline:
                raise AssertionError(f"control client stalled at round {self.rounds}")
            self.stop_event.wait(0.01)
        assert not self.errors, f"control client: {self.errors[0]}"

    def finish(self):
        """Stops, joins, runs one last round on this thread and checks everything."""
        self.stop_event.set()
        self.thread.join(timeout=3 * TIMEOUT)
        assert not self.thread.is_alive(), "control client thread did not stop"
        assert not self.errors, f"control client: {self.errors[0]}"
        self._round(self.rounds)
        self.rounds += 1
        self.conn.close()
        return self.rounds


class ChatControl:
    """Two well-behaved select_server clients: `talker` sends numbered lines (paced) and
    `listener` must receive exactly those lines, once each, in order; both read everything
    that arrives (join/leave notices, other clients' lines) so that neither queue fills.
    `joined` / `left` record the notices the listener saw."""

    def __init__(self, addr, max_lines=100000, max_seconds=240.0):
        self.listener = RawConn(addr)
        self.talker = RawConn(addr)
        self.prefix = f"[{self.talker.name}] ".encode()
        self.stop_event = threading.Event()
        self.sent = 0
        self.received = []
        self.joined = []
        self.left = []
        self.other = []  # lines relayed from the abusive clients
        self.errors = []
        self.end_seen = threading.Event()
        self.cond = threading.Condition()
        self.max_lines = max_lines
        self.deadline = time.monotonic() + max_seconds
        # The listener joined first, so it hears the talker join; the talker hears nothing of
        # the listener (the listener was there before it).
        first = self.listener.read_line()
        assert first == f"* {self.talker.name} joined".encode(), f"listener got {first!r}"
        self.threads = [threading.Thread(target=self._listen),
                        threading.Thread(target=self._drain_talker),
                        threading.Thread(target=self._talk)]
        for t in self.threads:
            t.start()

    def _talk(self):
        try:
            while (not self.stop_event.is_set() and self.sent < self.max_lines
                   and time.monotonic() < self.deadline):
                self.talker.send(f"control {self.sent}\n".encode())
                self.sent += 1
                self.stop_event.wait(0.002)  # pacing, not synchronisation
            self.talker.send(b"control end\n")
        except Exception as e:
            self.errors.append(f"talker: {type(e).__name__}: {e}")

    def _drain_talker(self):
        try:
            self.talker.read_until_closed(timeout=300.0, limit=1 << 40)
        except Exception as e:
            if not self.stop_event.is_set():
                self.errors.append(f"talker reader: {type(e).__name__}: {e}")

    def _listen(self):
        try:
            while True:
                line = self.listener.read_line()
                if line.startswith(self.prefix):
                    text = line[len(self.prefix):]
                    if text == b"control end":
                        self.end_seen.set()
                        return
                    with self.cond:
                        self.received.append(text)
                        self.cond.notify_all()
                elif line.startswith(b"* ") and line.endswith(b" joined"):
                    with self.cond:
                        self.joined.append(line[2:-7].decode())
                        self.cond.notify_all()
                elif line.startswith(b"* ") and line.endswith(b" left"):
                    with self.cond:
                        self.left.append(line[2:-5].decode())
                        self.cond.notify_all()
                else:  # an abusive client's relayed line: the case checks them
                    with self.cond:
                        self.other.append(line)
                        self.cond.notify_all()
        except Exception as e:
            self.errors.append(f"listener: {type(e).__name__}: {e}")
            self.end_seen.set()

    def wait_for(self, predicate, what, timeout=TIMEOUT):
        with self.cond:
            ok = self.cond.wait_for(lambda: predicate() or self.errors, timeout)
        assert not self.errors, f"control: {self.errors[0]}"
        assert ok, f"control listener: no {what} within {timeout}s"

    def wait_lines(self, n, timeout=TIMEOUT):
        """Waits until `n` more control lines arrived: proof the room still relays."""
        target = len(self.received) + n
        self.wait_for(lambda: len(self.received) >= target, f"{n} more control lines", timeout)

    def finish(self, timeout=30.0):
        """Stops the talker, waits for its end marker, checks every line once and in order."""
        self.stop_event.set()
        self.threads[2].join(timeout=TIMEOUT)
        got_end = self.end_seen.wait(timeout)
        self.threads[0].join(timeout=TIMEOUT)
        self.listener.close()
        self.talker.sock.shutdown(socket.SHUT_RDWR)
        self.threads[1].join(timeout=TIMEOUT)
        self.talker.close()
        assert not any(t.is_alive() for t in self.threads), "a control thread did not stop"
        assert not self.errors, f"control: {self.errors[0]}"
        assert got_end, f"the listener did not get the end marker ({len(self.received)} " \
                        f"of {self.sent} lines)"
        want = [f"control {k}".encode() for k in range(self.sent)]
        if self.received != want:
            missing = len(want) - len(self.received)
            first_bad = next((k for k, (a, b) in enumerate(zip(self.received, want)) if a != b),
                             None)
            raise AssertionError(f"control lines lost, duplicated or reordered: {missing} "
                                 f"missing, first difference at {first_bad}")
        return self.sent


def summary(results):
    """Prints the per-case peak RSS table that docs/reliability.md quotes."""
    if not results:
        return
    print("peak RSS per case:")
    for label, peak, start, build in results:
        print(f"    {peak:7.1f} MB peak  ({start:5.1f} MB at start, {build})  {label}")
    sys.stdout.flush()

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end test of examples/echo_server (python3, standard library only).

Run: python3 tests/examples/echo_server_test.py --bin-dir <build>/examples [--backend B]
 or: python3 tests/examples/echo_server_test.py <path-to-echo_server> [--backend B]
Without --backend every backend the server accepts is tested (select, poll, epoll; those it
rejects as unavailable are skipped). Prints `ok <case>` / `FAIL <case>: <why>`; exit 0 when all
passed, 1 on a failure. Loopback only, port 0, a timeout on every wait; servers are stopped by
pid and always reaped.
"""

import argparse
import os
import random
import select
import signal
import socket
import subprocess
import sys
import threading
import time

TIMEOUT = 10.0
failed = []


def check(cond, why):
    if not cond:
        raise AssertionError(why)


class Server:
    """echo_server started with `args`; `endpoint` is parsed from its `listening on` line."""

    def __init__(self, path, args):
        self.proc = subprocess.Popen([path] + args, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.err = b""
        line = self._read_line(TIMEOUT)
        if not line.startswith("listening on "):
            self.kill()
            raise AssertionError(f"no 'listening on' line: {line!r}; stderr {self.err!r}")
        text = line[len("listening on "):]
        host, _, port = text.rpartition(":")
        self.host = host.strip("[]")
        self.port = int(port)
        self.family = socket.AF_INET6 if ":" in self.host else socket.AF_INET

    def _read_line(self, timeout):
        deadline = time.monotonic() + timeout
        data = b""
        fd = self.proc.stdout.fileno()
        while not data.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return data.decode(errors="replace")
            chunk = os.read(fd, 1)
            if not chunk:
                break
            data += chunk
        return data.decode(errors="replace").rstrip("\n")

    def stop(self, sig=signal.SIGTERM):
        """Signals the server and returns its exit status (killed after TIMEOUT)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            _, self.err = self.proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"server ignored signal {sig} for {TIMEOUT}s")
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        _, err = self.proc.communicate()
        self.err += err or b""

    def tcp(self, timeout=TIMEOUT, small_buffers=False):
        s = socket.socket(self.family, socket.SOCK_STREAM)
        s.settimeout(timeout)
        if small_buffers:  # so the server's buffers, not ours, fill up first
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        s.connect((self.host, self.port))
        return s

    def udp(self, timeout=TIMEOUT):
        s = socket.socket(self.family, socket.SOCK_DGRAM)
        s.settimeout(timeout)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.connect((self.host, self.port))
        return s

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def recv_exact(s, n):
    data = bytearray()
    while len(data) < n:
        chunk = s.recv(min(1 << 16, n - len(data)))
        check(chunk, f"connection closed after {len(data)} of {n} bytes")
        data += chunk
    return bytes(data)


def echo_through(s, payload):
    """Sends `payload` from a thread while reading its echo here (so neither side stalls)."""
    errors = []

    def send():
        try:
            s.sendall(payload)
        except OSError as e:
            errors.append(e)

    t = threading.Thread(target=send)
    t.start()
    try:
        got = recv_exact(s, len(payload))
    finally:
        t.join(TIMEOUT)
    check(not t.is_alive(), "sender thread stuck")
    check(not errors, f"send failed: {errors}")
    return got


def fill_until_blocked(s, data):
    """Sends `data` without reading until a send would block (or all of it went); returns
    what was sent. Bounded by the size of `data` and by TIMEOUT."""
    s.setblocking(False)
    sent = 0
    deadline = time.monotonic() + TIMEOUT
    while sent < len(data) and time.monotonic() < deadline:
        try:
            sent += s.send(data[sent:sent + 65536])
        except BlockingIOError:
            # Wait briefly for room; none within the wait means both directions are full.
            if not select.select([], [s], [], 0.5)[1]:
                break
    return data[:sent]


def run(name, fn, *args):
    try:
        fn(*args)
        print(f"ok {name}")
    except Exception as e:  # noqa: BLE001 - report every failure the same way
        print(f"FAIL {name}: {type(e).__name__}: {e}")
        failed.append(name)
    sys.stdout.flush()


# ---- cases ----

def case_usage(path):
    def call(*args):
        return subprocess.run([path, *args], capture_output=True, timeout=TIMEOUT)

    r = call("--help")
    check(r.returncode == 0 and r.stdout.startswith(b"usage: echo_server") and not r.stderr,
          f"--help: {r}")
    for bad in ([], ["70000"], ["-1"], ["12x"], [""], ["1", "2"], ["--backend", "nope", "0"],
                ["--bind"], ["--bind", "1.2.3", "0"], ["--frobnicate", "0"]):
        r = call(*bad)
        check(r.returncode == 2, f"{bad}: exit {r.returncode}, expected 2")
        check(b"usage: echo_server" in r.stderr and not r.stdout, f"{bad}: output {r}")
    # Runtime failure: the port is taken by a listener here.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        r = call(str(taken.getsockname()[1]))
    check(r.returncode == 1, f"bind on a used port: exit {r.returncode}, expected 1")
    check(r.stderr.startswith(b"echo_server: bind 127.0.0.1:") and b"in use" in r.stderr,
          f"bind failure message: {r.stderr!r}")


def case_tcp(path, backend):
    with Server(path, ["--backend", backend, "0"]) as srv:
        # Several clients at once, interleaved.
        clients = [srv.tcp() for _ in range(8)]
        for round_ in range(5):
            for i, c in enumerate(clients):
                c.sendall(f"client {i} round {round_}\n".encode())
            for i, c in enumerate(clients):
                want = f"client {i} round {round_}\n".encode()
                check(recv_exact(c, len(want)) == want, f"client {i} round {round_}")
        for c in clients:
            c.close()

        # 1 MB through one connection, then EOF from our side: the server echoes everything,
        # then closes.
        payload = random.Random(1).randbytes(1 << 20)
        with srv.tcp() as c:
            check(echo_through(c, payload) == payload, "1 MB echo differs")
            c.shutdown(socket.SHUT_WR)
            check(c.recv(1) == b"", "no EOF after shutdown(SHUT_WR)")

        # A client that sends without reading until its sends would block: by then the server
        # had a partial write and queued the rest. Reading afterwards brings back every byte.
        with srv.tcp(small_buffers=True) as c:
            sent = fill_until_blocked(c, random.Random(4).randbytes(16 << 20))
            check(len(sent) > 0, "nothing could be sent")
            c.setblocking(True)
            c.settimeout(TIMEOUT)
            check(recv_exact(c, len(sent)) == sent, f"{len(sent)} bytes after a stall differ")

        # A client that sends much and never reads does not hold up anybody else; then it
        # resets mid-write (RST, with echo still queued for it) and the server carries on.
        hog = srv.tcp()
        fill_until_blocked(hog, b"h" * (16 << 20))
        with srv.tcp() as c:
            check(echo_through(c, b"still here\n") == b"still here\n", "echo while a hog waits")
        hog.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        hog.close()  # RST
        with srv.tcp() as c:
            data = random.Random(2).randbytes(300000)
            check(echo_through(c, data) == data, "echo after a reset client")
        check(srv.proc.poll() is None, "server exited after a client reset")

        rc = srv.stop(signal.SIGTERM)
        check(rc == 0, f"exit status {rc} after SIGTERM; stderr {srv.err!r}")


def case_udp(path, backend, batch):
    args = ["--backend", backend, "--udp"] + (["--batch"] if batch else []) + ["0"]
    with Server(path, args) as srv:
        rng = random.Random(3)
        with srv.udp() as u:
            # One at a time, sizes up to the largest datagram.
            for size in (0, 1, 100, 1400, 9000, 65507):
                data = rng.randbytes(size)
                u.send(data)
                check(u.recv(65536) == data, f"datagram of {size} bytes")
            # A burst: the batched server takes many per call; every one comes back.
            burst = [f"datagram {i} ".encode() + rng.randbytes(rng.randrange(1, 1000))
                     for i in range(100)]
            for d in burst:
                u.send(d)
            back = [u.recv(65536) for _ in burst]
            check(sorted(back) == sorted(burst), "burst echoes differ")
        # Two clients: each gets its own datagrams back (sender addresses are kept apart).
        with srv.udp() as a, srv.udp() as b:
            a.send(b"from a")
            b.send(b"from b")
            check(a.recv(100) == b"from a" and b.recv(100) == b"from b", "replies crossed")
        rc = srv.stop(signal.SIGINT)
        check(rc == 0, f"exit status {rc} after SIGINT; stderr {srv.err!r}")


def case_ipv6(path):
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        print("SKIPPED ipv6: no ::1 on this machine")
        return
    with Server(path, ["--bind", "::1", "0"]) as srv:
        check(srv.family == socket.AF_INET6, f"listening on {srv.host}")
        with srv.tcp() as c:
            check(echo_through(c, b"over ipv6") == b"over ipv6", "ipv6 echo")
        check(srv.stop() == 0, "exit status after SIGTERM")


def backend_available(path, backend):
    """False when the server rejects the backend as unavailable here (usage error, exit 2)."""
    with socket.socket() as taken:  # the server stops right after parsing: bind fails
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        r = subprocess.run([path, "--backend", backend, str(taken.getsockname()[1])],
                           capture_output=True, timeout=TIMEOUT)
    return not (r.returncode == 2 and b"unavailable" in r.stderr)


def main():
    parser = argparse.ArgumentParser(description="end-to-end test of echo_server")
    parser.add_argument("program", nargs="?", help="path of the echo_server executable")
    parser.add_argument("--bin-dir", help="directory holding echo_server")
    parser.add_argument("--backend", action="append", help="backend to test (repeatable)")
    args = parser.parse_args()
    path = args.program or (args.bin_dir and os.path.join(args.bin_dir, "echo_server"))
    if not path or not os.access(path, os.X_OK):
        print(f"FAIL setup: no echo_server executable at {path!r}")
        return 1
    path = os.path.abspath(path)

    run("usage and errors", case_usage, path)
    for backend in args.backend or ["select", "poll", "epoll"]:
        if not backend_available(path, backend):
            print(f"SKIPPED {backend}: not available on this OS")
            continue
        run(f"tcp echo ({backend})", case_tcp, path, backend)
        run(f"udp echo ({backend})", case_udp, path, backend, False)
        run(f"udp batch echo ({backend})", case_udp, path, backend, True)
    run("tcp echo over ipv6", case_ipv6, path)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

# SPDX-License-Identifier: MIT
"""More helpers for the end-to-end tests of the selector-based servers (tcp_echo_server,
select_server, line_server), on top of common.py's Suite / Proc / listening_on.

Server starts a server example on port 0 and reads its `listening on <endpoint>` line;
LineConn is a python TCP client that speaks in LF-terminated lines; optional_peer and finish
handle a peer program from --bin-dir that a script can do without (exit 77 when it is missing,
a failure under NETLITE_REQUIRE_PEERS=1). Every wait has a timeout; nothing sleeps to
synchronise; only processes started through the Suite are signalled, by pid, and reaped.
"""

import os
import signal
import socket
import subprocess
import sys
import time

from common import SKIP_EXIT, TIMEOUT, listening_on


class Server:
    """A server example started through `suite` with `args` (which end in port 0). `addr` is
    the (host, port) it printed. As a context manager, a failure inside says how the server was
    doing (running or its exit status, and the end of its stderr)."""

    def __init__(self, suite, path, args):
        self.proc = suite.start([path] + list(args), stdin=subprocess.DEVNULL)
        self.addr = listening_on(self.proc.out)

    def stop(self, sig=signal.SIGTERM):
        """Sends `sig` to this server (by pid) and returns its exit status."""
        self.proc.signal(sig)
        return self.proc.wait()

    def alive(self):
        return self.proc.running()

    def stderr(self):
        return self.proc.err.text()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if isinstance(exc, Exception):
            state = "running" if self.alive() else f"exited {self.proc.p.returncode}"
            why = str(exc) if isinstance(exc, AssertionError) else f"{exc_type.__name__}: {exc}"
            note = f"[server {state}; stderr {self.stderr()[-300:]!r}]"
            raise AssertionError(f"{why} {note}") from exc
        return False


class LineConn:
    """A TCP client speaking in LF-terminated lines; every operation has a timeout."""

    def __init__(self, addr, timeout=TIMEOUT, rcvbuf=None):
        family = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        try:
            self.sock.connect(addr)
        except BaseException:
            self.sock.close()
            raise
        self.buf = b""
        self.eof = False

    def local(self):
        """This client's endpoint as the server prints it: `a.b.c.d:port` / `[v6]:port`."""
        host, port = self.sock.getsockname()[:2]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def send_line(self, text):
        self.send((text if isinstance(text, bytes) else text.encode()) + b"\n")

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            self.eof = True
        self.buf += chunk
        return bool(chunk)

    def read_line(self):
        """The next line as str without its LF; EOFError if the peer closes first."""
        while b"\n" not in self.buf:
            if self.eof or not self._fill():
                raise EOFError(f"connection closed; pending {self.buf[:80]!r}")
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode("utf-8", "replace")

    def read_lines(self, n):
        return [self.read_line() for _ in range(n)]

    def wait_closed(self, timeout=TIMEOUT):
        """Reads until the server closes (EOF or reset) within `timeout`; returns the lines
        received meanwhile (an unterminated last fragment is returned as a last item)."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"server did not close the connection within {timeout}s")
            self.sock.settimeout(left)
            try:
                self._fill()
            except (ConnectionResetError, BrokenPipeError):
                self.eof = True
        lines = self.buf.split(b"\n")
        self.buf = b""
        if lines and lines[-1] == b"":
            lines.pop()
        return [x.decode("utf-8", "replace") for x in lines]

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def optional_peer(suite, name):
    """The path of example `name` in --bin-dir, or None. When it is missing, prints
    `SKIPPED: <reason>` (cases needing it then skip themselves and finish() exits 77), or
    under NETLITE_REQUIRE_PEERS=1 records a failure."""
    path = os.path.join(suite.args.bin_dir, name)
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return os.path.abspath(path)
    reason = f"{name} not found in {suite.args.bin_dir}"
    if os.environ.get("NETLITE_REQUIRE_PEERS") == "1":
        print(f"FAIL peer {name}: {reason} (NETLITE_REQUIRE_PEERS=1)")
        suite.failed.append(name)
    else:
        print(f"SKIPPED: {reason}")
        suite.peer_missing = True
    sys.stdout.flush()
    return None


def finish(suite):
    """Exit 1 on any failure, else 77 if an optional peer was missing, else 0."""
    if suite.failed:
        sys.exit(1)
    sys.exit(SKIP_EXIT if getattr(suite, "peer_missing", False) else 0)

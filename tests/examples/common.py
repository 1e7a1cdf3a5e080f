# SPDX-License-Identifier: MIT
"""Helpers for the end-to-end tests of udp_sender, udp_receiver, tcp_client, tcp_chat, netcat
and http_get (python3, standard library only).

A script makes a Suite (parses --bin-dir, checks the programs and peer programs it needs),
runs each case with Suite.case (prints `ok <case>` or `FAIL <case>: <why>`) and ends with
Suite.finish() (exit 0 / 1). A missing peer program makes the whole script print
`SKIPPED: <reason>` and exit 77, or fail when NETLITE_REQUIRE_PEERS=1.

Processes are started with Suite.start (a Proc): their stdout / stderr are drained by reader
threads so a chatty child never blocks, and every wait has a timeout. Nothing sleeps to
synchronise. Every process started here is killed by its pid if still running when its case
ends, and always reaped. Traffic goes only to 127.0.0.1 / ::1.
"""

import argparse
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import traceback

SKIP_EXIT = 77
TIMEOUT = 10.0  # seconds: the default bound of every wait


class Suite:
    def __init__(self, programs, peers=()):
        parser = argparse.ArgumentParser()
        parser.add_argument("--bin-dir", required=True, help="directory of the example programs")
        parser.add_argument("--case", default="", help="run only cases whose name contains this")
        self.args = parser.parse_args()
        self.failed = []
        self.procs = []
        self.bin = {}
        for name in programs:
            path = os.path.join(self.args.bin_dir, name)
            if not (os.path.isfile(path) and os.access(path, os.X_OK)):
                print(f"FAIL {name}: not built: no executable {path}")
                sys.exit(1)
            self.bin[name] = os.path.abspath(path)
        self.peer = {}
        missing = []
        for name, check in peers:
            path = shutil.which(name)
            if path is None or (check is not None and not check(path)):
                missing.append(name)
            else:
                self.peer[name] = path
        if missing:
            reason = "peer program not found or unsuitable: " + ", ".join(missing)
            if os.environ.get("NETLITE_REQUIRE_PEERS") == "1":
                print(f"FAIL peers: {reason} (NETLITE_REQUIRE_PEERS=1)")
                sys.exit(1)
            print(f"SKIPPED: {reason}")
            sys.exit(SKIP_EXIT)

    def case(self, name, fn, *args):
        if self.args.case not in name:
            return
        try:
            fn(*args)
        except Exception as e:  # AssertionError, socket timeouts, anything
            why = str(e) if isinstance(e, AssertionError) else f"{type(e).__name__}: {e}"
            print(f"FAIL {name}: {why}")
            if os.environ.get("NETLITE_TEST_VERBOSE") == "1":
                traceback.print_exc()
            self.failed.append(name)
        else:
            print(f"ok {name}")
        finally:
            for p in self.procs:
                p.kill()
            self.procs = []
        sys.stdout.flush()

    def finish(self):
        sys.exit(1 if self.failed else 0)

    def start(self, argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=None):
        """Starts a process; killed and reaped at the end of the case if still running."""
        proc = Proc(argv, stdin, stdout, env)
        self.procs.append(proc)
        return proc

    def run(self, argv, input=b"", timeout=TIMEOUT):
        """Runs to completion: (returncode, stdout bytes, stderr text)."""
        r = subprocess.run(argv, input=input, capture_output=True, timeout=timeout)
        return r.returncode, r.stdout, r.stderr.decode("utf-8", "replace")

    def check_usage(self, program, bad_arg_lists):
        """--help: usage on stdout, exit 0; each bad list: exit 2, usage on stderr, no stdout."""
        code, out, err = self.run([self.bin[program], "--help"])
        assert code == 0, f"--help exited {code}: {err!r}"
        assert b"usage" in out.lower(), f"--help printed no usage on stdout: {out!r}"
        for bad in bad_arg_lists:
            code, out, err = self.run([self.bin[program]] + bad)
            assert code == 2, f"{bad}: exit {code} (expected 2), stderr {err!r}"
            assert "usage" in err.lower(), f"{bad}: no usage on stderr: {err!r}"
            assert out == b"", f"{bad}: wrote to stdout: {out!r}"


class Stream:
    """Everything a child writes to one pipe, collected by a reader thread."""

    def __init__(self, pipe, name):
        self.pipe = pipe
        self.name = name
        self.data = bytearray()
        self.eof = False
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._drain, daemon=False)
        self.thread.start()

    def _drain(self):
        fd = self.pipe.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            with self.cond:
                if chunk:
                    self.data += chunk
                else:
                    self.eof = True
                self.cond.notify_all()
            if not chunk:
                return

    def bytes(self):
        with self.cond:
            return bytes(self.data)

    def text(self):
        return self.bytes().decode("utf-8", "replace")

    def wait_for(self, predicate, what, timeout=TIMEOUT):
        """Waits until predicate(bytes so far) holds; AssertionError on timeout or EOF."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate(bytes(self.data)):
                left = deadline - time.monotonic()
                if self.eof or left <= 0:
                    why = "EOF" if self.eof else f"{timeout}s"
                    raise AssertionError(f"{self.name}: no {what} before {why}; "
                                         f"got {bytes(self.data)[-300:]!r}")
                self.cond.wait(left)
            return bytes(self.data)

    def wait_size(self, size, timeout=TIMEOUT):
        """Waits until at least `size` bytes arrived (no copies: fine for large outputs)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.data) < size:
                left = deadline - time.monotonic()
                if self.eof or left <= 0:
                    why = "EOF" if self.eof else f"{timeout}s"
                    raise AssertionError(f"{self.name}: {len(self.data)} of {size} bytes "
                                         f"before {why}")
                self.cond.wait(left)

    def wait_contains(self, needle, timeout=TIMEOUT):
        if isinstance(needle, str):
            needle = needle.encode()
        return self.wait_for(lambda d: needle in d, repr(needle), timeout)

    def wait_regex(self, pattern, timeout=TIMEOUT):
        """The first match of `pattern` (bytes regex, multiline) once it appears."""
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern, re.M)
        data = self.wait_for(lambda d: rx.search(d) is not None, f"match for {pattern!r}",
                             timeout)
        return rx.search(data)

    def wait_eof(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not self.eof:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{self.name}: still open after {timeout}s")
                self.cond.wait(left)
        return self.bytes()


class Proc:
    """A child process; stdout and stderr (when piped) are Streams `out` and `err`."""

    def __init__(self, argv, stdin, stdout, env):
        self.argv = argv
        full_env = None
        if env:
            full_env = dict(os.environ)
            full_env.update(env)
        self.p = subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE,
                                  env=full_env)
        name = os.path.basename(argv[0])
        self.out = Stream(self.p.stdout, f"{name} stdout") if stdout == subprocess.PIPE else None
        self.err = Stream(self.p.stderr, f"{name} stderr")

    @property
    def pid(self):
        return self.p.pid

    def write(self, data):
        self.p.stdin.write(data.encode() if isinstance(data, str) else data)
        self.p.stdin.flush()

    def close_stdin(self):
        if self.p.stdin and not self.p.stdin.closed:
            self.p.stdin.close()

    def signal(self, sig):
        if self.p.poll() is None:
            self.p.send_signal(sig)  # by pid, this process only

    def wait(self, timeout=TIMEOUT):
        """The exit status; AssertionError (after killing it) if it runs past `timeout`."""
        try:
            code = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{os.path.basename(self.argv[0])} still running after "
                                 f"{timeout}s; stderr {self.err.text()[-300:]!r}")
        self._join()
        return code

    def running(self):
        return self.p.poll() is None

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()  # SIGKILL to this pid
        self.p.wait(timeout=TIMEOUT)
        self.close_stdin()
        self._join()

    def _join(self):
        for s in (self.out, self.err):
            if s is not None:
                s.thread.join(timeout=TIMEOUT)
                if not s.pipe.closed:
                    s.pipe.close()


def parse_endpoint(text):
    """(host, port) from `a.b.c.d:port` or `[v6]:port`."""
    m = re.fullmatch(r"\[([^\]]+)\]:(\d+)|([^:\[\]]+):(\d+)", text.strip())
    if not m:
        raise AssertionError(f"cannot parse endpoint {text!r}")
    return (m.group(1) or m.group(3)), int(m.group(2) or m.group(4))


def listening_on(stream, timeout=TIMEOUT):
    """(host, port) from the first `listening on <endpoint>` line of `stream`."""
    m = stream.wait_regex(rb"^listening on (\S+)\r?$", timeout)
    host, port = parse_endpoint(m.group(1).decode())
    assert 0 < port < 65536, f"listening on port {port}"
    return host, port


def free_port(kind=socket.SOCK_STREAM, host="127.0.0.1"):
    """A port that was free a moment ago: ONLY for peer programs that cannot bind port 0 and
    report it (socat). Callers retry on EADDRINUSE."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, kind) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def has_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def is_openbsd_nc(path):
    """netcat-openbsd (the tests use -N, -l with port 0 and -v's `Listening on` line)."""
    try:
        r = subprocess.run([path, "-h"], capture_output=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return False
    text = (r.stdout + r.stderr).decode("utf-8", "replace")
    return "OpenBSD" in text and "-N" in text


def nc_listening_port(proc, udp=False, timeout=TIMEOUT):
    """The port from nc -v -n -l's `Listening on 127.0.0.1 PORT` (UDP: `Bound on ...`)."""
    word = b"Bound" if udp else b"Listening"
    m = proc.err.wait_regex(word + rb" on \S+ (\d+)", timeout)
    return int(m.group(1))


class TcpServer:
    """A python TCP server on 127.0.0.1:0 (or ::1) running `handler(conn)` for each accepted
    connection, one at a time, in a thread that is joined by close()."""

    def __init__(self, handler, host="127.0.0.1", connections=1):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(8)
        self.sock.settimeout(TIMEOUT)
        self.port = self.sock.getsockname()[1]
        self.handler = handler
        self.connections = connections
        self.errors = []
        self.thread = threading.Thread(target=self._serve)
        self.thread.start()

    def _serve(self):
        try:
            for _ in range(self.connections):
                conn, _ = self.sock.accept()
                with conn:
                    conn.settimeout(TIMEOUT)
                    self.handler(conn)
        except Exception as e:  # reported by close()
            self.errors.append(f"{type(e).__name__}: {e}")

    def close(self, check=True):
        self.thread.join(timeout=3 * TIMEOUT)
        alive = self.thread.is_alive()
        self.sock.close()
        if check:
            assert not alive, "python server thread did not finish"
            assert not self.errors, f"python server: {self.errors}"

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *rest):
        self.close(check=exc_type is None)


def recv_until_eof(conn):
    data = bytearray()
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            return bytes(data)
        data += chunk


def elapsed(fn):
    """(result, seconds) of fn()."""
    start = time.monotonic()
    result = fn()
    return result, time.monotonic() - start


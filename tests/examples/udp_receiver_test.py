# SPDX-License-Identifier: MIT
"""End-to-end tests of examples/udp_receiver (datagrams sent from python sockets).

Run: python3 tests/examples/udp_receiver_test.py --bin-dir <build>/examples
"""

import signal
import socket
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the tests

from common import TIMEOUT, Suite, has_ipv6_loopback, listening_on

suite = Suite(["udp_receiver"])
RECEIVER = suite.bin["udp_receiver"]


def sender(host="127.0.0.1"):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(TIMEOUT)
    s.bind((host, 0))
    return s


def ep(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def usage():
    suite.check_usage("udp_receiver", [
        [], ["70000"], ["abc"], ["-1"], ["12x"], ["0", "1"], ["--bind"], ["--count"],
        ["--count", "0", "0"], ["--count", "x", "0"], ["--count", "-3", "0"], ["--frobnicate", "0"],
    ])


def prints_listening_line_first():
    r = suite.start([RECEIVER, "--bind", "127.0.0.1", "0"])
    host, port = listening_on(r.out)
    assert host == "127.0.0.1", host
    first = r.out.bytes().split(b"\n")[0]
    assert first == f"listening on 127.0.0.1:{port}".encode(), first


def prints_sender_and_payload_per_datagram():
    r = suite.start([RECEIVER, "--bind", "127.0.0.1", "--count", "3", "0"])
    _, port = listening_on(r.out)
    with sender() as s:
        me = ep(*s.getsockname()[:2])
        for payload in (b"hello", b"two words", b""):
            s.sendto(payload, ("127.0.0.1", port))
        assert r.wait(TIMEOUT) == 0, r.err.text()
    lines = r.out.bytes().decode().split("\n")
    assert lines[1:] == [f"[{me}] hello", f"[{me}] two words", f"[{me}] ", ""], lines


def count_stops_after_n_datagrams():
    r = suite.start([RECEIVER, "--count", "2", "--bind", "127.0.0.1", "0"])
    _, port = listening_on(r.out)
    with sender() as s:
        s.sendto(b"a", ("127.0.0.1", port))
        r.out.wait_contains(b"] a\n")
        assert r.running(), "exited after 1 datagram of 2"
        s.sendto(b"b", ("127.0.0.1", port))
        assert r.wait(TIMEOUT) == 0, r.err.text()
    assert r.out.bytes().count(b"\n") == 3, r.out.bytes()


def binary_payload_is_printed_verbatim():
    payload = bytes(range(1, 256)).replace(b"\n", b"")
    r = suite.start([RECEIVER, "--bind", "127.0.0.1", "--count", "1", "0"])
    _, port = listening_on(r.out)
    with sender() as s:
        s.sendto(payload, ("127.0.0.1", port))
        assert r.wait(TIMEOUT) == 0, r.err.text()
        me = ep(*s.getsockname()[:2])
    assert r.out.bytes().endswith(f"[{me}] ".encode() + payload + b"\n"), r.out.bytes()[-40:]


def largest_datagram_is_received_whole():
    payload = b"x" * 65507
    r = suite.start([RECEIVER, "--bind", "127.0.0.1", "--count", "1", "0"])
    _, port = listening_on(r.out)
    with sender() as s:
        s.sendto(payload, ("127.0.0.1", port))
        assert r.wait(TIMEOUT) == 0, r.err.text()
    assert r.out.bytes().endswith(b"] " + payload + b"\n")


def ipv6_loopback():
    if not has_ipv6_loopback():
        print("  (no ::1 on this machine: IPv6 case not run)")
        return
    r = suite.start([RECEIVER, "--bind", "::1", "--count", "1", "0"])
    host, port = listening_on(r.out)
    assert host == "::1", host
    with sender("::1") as s:
        s.sendto(b"six", ("::1", port))
        assert r.wait(TIMEOUT) == 0, r.err.text()
        me = ep("::1", s.getsockname()[1])
    assert r.out.bytes().endswith(f"[{me}] six\n".encode()), r.out.bytes()


def stops_cleanly_on_signal(sig):
    r = suite.start([RECEIVER, "--bind", "127.0.0.1", "0"])
    listening_on(r.out)
    r.signal(sig)
    code = r.wait(5)
    assert code == 0, f"exit {code} after signal {sig}; stderr {r.err.text()!r}"


def port_in_use_is_a_runtime_failure():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        code, out, err = suite.run([RECEIVER, "--bind", "127.0.0.1", str(s.getsockname()[1])])
    assert code == 1, f"exit {code}"
    assert err.startswith("udp_receiver: bind"), err
    assert out == b"", out


suite.case("usage: --help exits 0, bad arguments exit 2", usage)
suite.case("prints 'listening on <endpoint>' first", prints_listening_line_first)
suite.case("prints [<sender>] <payload> for each datagram", prints_sender_and_payload_per_datagram)
suite.case("--count N exits 0 after N datagrams", count_stops_after_n_datagrams)
suite.case("binary payloads are printed verbatim", binary_payload_is_printed_verbatim)
suite.case("a 65507-byte datagram arrives whole", largest_datagram_is_received_whole)
suite.case("works on ::1", ipv6_loopback)
suite.case("SIGINT stops it with status 0", stops_cleanly_on_signal, signal.SIGINT)
suite.case("SIGTERM stops it with status 0", stops_cleanly_on_signal, signal.SIGTERM)
suite.case("a port in use is a runtime failure (exit 1)", port_in_use_is_a_runtime_failure)
suite.finish()

# SPDX-License-Identifier: MIT
"""End-to-end tests of examples/udp_sender against udp_receiver, socat, `nc -u -l` and python.

Run: python3 tests/examples/udp_sender_test.py --bin-dir <build>/examples
Needs socat and netcat-openbsd (nc); skipped (77) without them unless NETLITE_REQUIRE_PEERS=1.
"""

import select
import socket
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the tests

from common import (TIMEOUT, Suite, free_port, has_ipv6_loopback, is_openbsd_nc, listening_on,
                    nc_listening_port)

suite = Suite(["udp_sender", "udp_receiver"], peers=[("socat", None), ("nc", is_openbsd_nc)])
SENDER = suite.bin["udp_sender"]
RECEIVER = suite.bin["udp_receiver"]


def usage():
    suite.check_usage("udp_sender", [
        [], ["127.0.0.1"], ["127.0.0.1", "70000"], ["127.0.0.1", "abc"], ["127.0.0.1", "0"],
        ["127.0.0.1", "-1"], ["127.0.0.1", "8O"], ["127.0.0.1", ""],
    ])


def receiver_lines(r):
    return r.out.bytes().decode().split("\n")[1:-1]  # without `listening on`, final ""


def to_udp_receiver_from_arguments():
    r = suite.start([RECEIVER, "--bind", "127.0.0.1", "--count", "3", "0"])
    _, port = listening_on(r.out)
    code, out, err = suite.run([SENDER, "127.0.0.1", str(port), "one", "two words", "-three"])
    assert code == 0, f"udp_sender exit {code}: {err!r}"
    assert out == b"" and err == "", (out, err)
    assert r.wait(TIMEOUT) == 0, r.err.text()
    lines = receiver_lines(r)
    assert [x.split("] ", 1)[1] for x in lines] == ["one", "two words", "-three"], lines
    senders = {x.split("] ", 1)[0] for x in lines}
    assert len(senders) == 1 and next(iter(senders)).startswith("[127.0.0.1:"), senders


def to_udp_receiver_from_stdin():
    r = suite.start([RECEIVER, "--bind", "127.0.0.1", "--count", "4", "0"])
    _, port = listening_on(r.out)
    code, _, err = suite.run([SENDER, "127.0.0.1", str(port)], input=b"alpha\nbeta\n\ngamma")
    assert code == 0, f"udp_sender exit {code}: {err!r}"
    assert r.wait(TIMEOUT) == 0, r.err.text()
    assert [x.split("] ", 1)[1] for x in receiver_lines(r)] == ["alpha", "beta", "", "gamma"], \
        receiver_lines(r)


def to_python_socket_on(host):
    if ":" in host and not has_ipv6_loopback():
        print("  (no ::1 on this machine: IPv6 case not run)")
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(TIMEOUT)
        s.bind((host, 0))
        port = s.getsockname()[1]
        code, _, err = suite.run([SENDER, host, str(port), "x" * 60000, "end"])
        assert code == 0, f"udp_sender exit {code}: {err!r}"
        assert s.recv(65536) == b"x" * 60000
        data, peer = s.recvfrom(65536)
        assert data == b"end" and peer[0] == host, (data, peer)


def to_socat():
    for _ in range(5):  # socat cannot bind port 0 and report it: a free port, retried
        port = free_port(socket.SOCK_DGRAM)
        p = suite.start(["socat", "-d", "-d", "-u", f"UDP-RECV:{port},bind=127.0.0.1", "-"])
        m = p.err.wait_regex(rb"starting data transfer loop|Address already in use", TIMEOUT)
        if b"Address already in use" not in m.group(0):
            break
        p.kill()
    else:
        raise AssertionError("socat found no free port in 5 tries")
    code, _, err = suite.run([SENDER, "127.0.0.1", str(port)], input=b"first\nsecond\n")
    assert code == 0, f"udp_sender exit {code}: {err!r}"
    p.out.wait_for(lambda d: d == b"firstsecond", "both datagrams")  # no separators: raw payloads


def to_nc_udp_listener():
    p = suite.start(["nc", "-n", "-v", "-u", "-l", "127.0.0.1", "0"])
    port = nc_listening_port(p, udp=True)
    code, _, err = suite.run([SENDER, "127.0.0.1", str(port), "hello ", "nc"])
    assert code == 0, f"udp_sender exit {code}: {err!r}"
    p.out.wait_for(lambda d: d == b"hello nc", "both datagrams")


def to_localhost_by_name():
    # "localhost" goes through the resolver; it may be 127.0.0.1 or ::1 first.
    hosts = ["127.0.0.1"] + (["::1"] if has_ipv6_loopback() else [])
    socks = []
    try:
        port = None
        for host in hosts:
            s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
            socks.append(s)
            s.settimeout(TIMEOUT)
            s.bind((host, port or 0))
            port = s.getsockname()[1]
        code, _, err = suite.run([SENDER, "localhost", str(port), "by name"])
        assert code == 0, f"udp_sender exit {code}: {err!r}"
        # Whichever family got it, exactly one socket has it.
        ready, _, _ = select.select(socks, [], [], TIMEOUT)
        assert ready, "no datagram on 127.0.0.1 or ::1"
        assert ready[0].recv(100) == b"by name"
    finally:
        for s in socks:
            s.close()


def oversized_message_is_a_runtime_failure():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        code, _, err = suite.run([SENDER, "127.0.0.1", str(s.getsockname()[1]), "y" * 70000])
    assert code == 1, f"exit {code}"
    assert err.startswith("udp_sender: send to 127.0.0.1:"), err


def unknown_host_is_a_runtime_failure():
    code, _, err = suite.run([SENDER, "no-such-host.invalid", "9", "x"], timeout=30)
    assert code == 1, f"exit {code}: {err!r}"
    assert err.startswith("udp_sender: resolve no-such-host.invalid: "), err


suite.case("usage: --help exits 0, bad arguments exit 2", usage)
suite.case("MESSAGE arguments reach udp_receiver --count N", to_udp_receiver_from_arguments)
suite.case("stdin lines reach udp_receiver --count N", to_udp_receiver_from_stdin)
suite.case("datagrams reach a python socket on 127.0.0.1", to_python_socket_on, "127.0.0.1")
suite.case("datagrams reach a python socket on ::1", to_python_socket_on, "::1")
suite.case("datagrams reach socat UDP-RECV", to_socat)
suite.case("datagrams reach nc -u -l", to_nc_udp_listener)
suite.case("a host name is resolved (localhost)", to_localhost_by_name)
suite.case("a datagram over 65507 bytes is a runtime failure", oversized_message_is_a_runtime_failure)
suite.case("an unknown host is a runtime failure", unknown_host_is_a_runtime_failure)
suite.finish()

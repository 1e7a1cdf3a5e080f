# SPDX-License-Identifier: MIT
"""End-to-end tests of examples/netcat against netcat-openbsd (nc), against itself and against
python peers: 10 MB both ways checked by sha256, -z, -u, -w, half-close, usage.

Run: python3 tests/examples/netcat_test.py --bin-dir <build>/examples
Needs netcat-openbsd (nc); skipped (77) without it unless NETLITE_REQUIRE_PEERS=1.
"""

import os
import signal
import socket
import sys
import tempfile
import threading

sys.dont_write_bytecode = True  # no __pycache__ next to the tests

from common import (TIMEOUT, Suite, TcpServer, elapsed, free_port, is_openbsd_nc, listening_on,
                    nc_listening_port, recv_until_eof, sha256, sha256_file)

suite = Suite(["netcat"], peers=[("nc", is_openbsd_nc)])
NETCAT = suite.bin["netcat"]
BULK = 10 * 1024 * 1024
BULK_TIMEOUT = 60
scratch = tempfile.TemporaryDirectory(prefix="netlite_netcat_test_")


def bulk_file(name):
    """A file of BULK random bytes (every byte value, no line structure)."""
    path = os.path.join(scratch.name, name)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(os.urandom(BULK))
    return path


def output(name):
    return open(os.path.join(scratch.name, name), "wb")


def usage():
    suite.check_usage("netcat", [
        [], ["127.0.0.1"], ["127.0.0.1", "70000"], ["127.0.0.1", "abc"], ["127.0.0.1", "0"],
        ["-l"], ["-l", "70000"], ["-l", "127.0.0.1", "-5"], ["-l", "a", "b", "c"],
        ["-w"], ["-w", "0", "127.0.0.1", "80"], ["-w", "x", "127.0.0.1", "80"],
        ["-q", "127.0.0.1", "80"], ["-z", "-u", "127.0.0.1", "80"], ["-z", "-l", "80"],
        ["a", "b", "c"],
    ])


def exchange(make_server, make_client, server_ready, hold_client_stdin=False):
    """10 MB each way between a server and a client; both must exit 0 with every byte.

    hold_client_stdin: the client's stdin ends only after the client has received all the
    server's data. For `nc -l`, which exits as soon as the client's data ends (netcat-openbsd
    quits in listen mode once the network input is done, even with stdin left to send)."""
    a, b = bulk_file("a.bin"), bulk_file("b.bin")
    with open(a, "rb") as a_in, output("to_server") as to_server, open(b, "rb") as b_in, \
            output("to_client") as to_client:
        server = suite.start(make_server(), stdin=a_in, stdout=to_server)
        port = server_ready(server)
        if not hold_client_stdin:
            client = suite.start(make_client(port), stdin=b_in, stdout=to_client)
        else:
            client = suite.start(make_client(port))
            feeder = threading.Thread(target=lambda: client.write(b_in.read()))
            feeder.start()
            try:
                client.out.wait_size(BULK, BULK_TIMEOUT)
            finally:
                feeder.join(BULK_TIMEOUT)
            to_client.write(client.out.bytes())
            client.close_stdin()
        client_code = client.wait(BULK_TIMEOUT)
        server_code = server.wait(BULK_TIMEOUT)
    assert client_code == 0, f"client exit {client_code}: {client.err.text()!r}"
    assert server_code == 0, f"server exit {server_code}: {server.err.text()!r}"
    for got, sent, what in [("to_client", a, "the client's stdout differs from the server's stdin"),
                            ("to_server", b, "the server's stdout differs from the client's stdin")]:
        path = os.path.join(scratch.name, got)
        assert sha256_file(path) == sha256_file(sent), \
            f"{what}: {os.path.getsize(path)} of {BULK} bytes; client stderr " \
            f"{client.err.text()!r}, server stderr {server.err.text()!r}"


def netcat_ready(proc):
    return listening_on(proc.err)[1]


def bulk_netcat_to_nc():
    exchange(lambda: ["nc", "-n", "-v", "-N", "-l", "127.0.0.1", "0"],
             lambda port: [NETCAT, "127.0.0.1", str(port)],
             nc_listening_port, hold_client_stdin=True)


def bulk_nc_to_netcat():
    exchange(lambda: [NETCAT, "-l", "127.0.0.1", "0"],
             lambda port: ["nc", "-N", "127.0.0.1", str(port)],
             netcat_ready)


def bulk_netcat_to_netcat():
    exchange(lambda: [NETCAT, "-l", "127.0.0.1", "0"],
             lambda port: [NETCAT, "127.0.0.1", str(port)],
             netcat_ready)


def listening_line_goes_to_stderr():
    p = suite.start([NETCAT, "-l", "127.0.0.1", "0"])
    host, port = listening_on(p.err)
    assert host == "127.0.0.1"
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
        s.sendall(b"data only")
        s.shutdown(socket.SHUT_WR)
        p.close_stdin()
        assert recv_until_eof(s) == b""
    assert p.wait() == 0, p.err.text()
    assert p.out.bytes() == b"data only", p.out.bytes()


def half_close_then_keeps_reading():
    # The server answers only after netcat's EOF: netcat must half-close, then read the answer.
    def answer_after_eof(conn):
        data = recv_until_eof(conn)
        conn.sendall(b"got %d bytes, sha256 %s" % (len(data), sha256(data).encode()))
    payload = bytes(range(256)) * 1000
    with TcpServer(answer_after_eof) as server:
        code, out, err = suite.run([NETCAT, "127.0.0.1", str(server.port)], input=payload)
    assert code == 0, f"exit {code}: {err!r}"
    assert out == b"got %d bytes, sha256 %s" % (len(payload), sha256(payload).encode()), out


def scan_open_port():
    with TcpServer(lambda conn: None) as server:
        code, out, err = suite.run([NETCAT, "-z", "127.0.0.1", str(server.port)])
    assert code == 0, f"exit {code}: {err!r}"
    assert out == b"", out


def scan_closed_port():
    port = free_port()  # nobody listens there: a refused connection is what is tested
    code, out, err = suite.run([NETCAT, "-z", "-w", "2", "127.0.0.1", str(port)])
    assert code != 0, "exit 0 for a closed port"
    assert code == 1 and "refused" in err.lower(), (code, err)
    assert out == b"", out


def udp_listen_against_nc():
    server = suite.start([NETCAT, "-u", "-w", "2", "-l", "127.0.0.1", "0"])
    _, port = listening_on(server.err)
    client = suite.start(["nc", "-u", "127.0.0.1", str(port)])
    client.write("ping from nc\n")
    server.out.wait_contains("ping from nc\n")
    server.write("pong from netcat\n")  # goes back to nc's address, learned from the datagram
    client.out.wait_contains("pong from netcat\n")
    client.write("second\n")
    server.out.wait_contains("second\n")
    server.close_stdin()
    code, seconds = elapsed(lambda: server.wait(TIMEOUT))  # ends after -w 2 of silence
    assert code == 0, f"exit {code}: {server.err.text()!r}"
    assert seconds < 5, f"{seconds:.1f}s"
    assert server.out.bytes() == b"ping from nc\nsecond\n", server.out.bytes()


def udp_client_against_nc():
    server = suite.start(["nc", "-n", "-v", "-u", "-l", "127.0.0.1", "0"])
    port = nc_listening_port(server, udp=True)
    client = suite.start([NETCAT, "-u", "-w", "2", "127.0.0.1", str(port)])
    client.write("hello nc\n")
    server.out.wait_contains("hello nc\n")
    server.write("hello netcat\n")
    client.out.wait_contains("hello netcat\n")
    client.close_stdin()
    assert client.wait(TIMEOUT) == 0, client.err.text()
    assert client.out.bytes() == b"hello netcat\n", client.out.bytes()


def udp_netcat_to_netcat():
    server = suite.start([NETCAT, "-u", "-l", "127.0.0.1", "0"])
    _, port = listening_on(server.err)
    client = suite.start([NETCAT, "-u", "127.0.0.1", str(port)])
    client.write(b"\x00binary\xff\n")
    server.out.wait_for(lambda d: d == b"\x00binary\xff\n", "the datagram")
    server.write("reply\n")
    client.out.wait_for(lambda d: d == b"reply\n", "the reply")
    server.signal(signal.SIGTERM)  # UDP never ends by itself without -w
    client.signal(signal.SIGTERM)
    server.wait()
    client.wait()


def idle_timeout_on_silent_peer():
    def silent(conn):
        recv_until_eof(conn)  # says nothing; returns once netcat gives up and closes
    with TcpServer(silent) as server:
        p = suite.start([NETCAT, "-w", "1", "127.0.0.1", str(server.port)])  # stdin stays open
        code, seconds = elapsed(lambda: p.wait(TIMEOUT))
    assert code == 0, f"exit {code}: {p.err.text()!r}"
    assert 0.9 <= seconds < 4, f"returned after {seconds:.2f}s with -w 1"


def idle_timer_restarts_with_traffic():
    # Data every 0.4 s (paced by netcat's own output) keeps a -w 1 session alive for longer.
    def talk(conn):
        for i in range(5):
            conn.sendall(b"tick %d\n" % i)
            got = b""
            while not got.endswith(b"ack\n"):
                chunk = conn.recv(100)
                assert chunk, "netcat closed early"
                got += chunk
        recv_until_eof(conn)
    with TcpServer(talk) as server:
        p = suite.start([NETCAT, "-w", "1", "127.0.0.1", str(server.port)])
        for i in range(5):
            p.out.wait_contains(b"tick %d\n" % i)
            p.write("ack\n")
        code = p.wait(TIMEOUT)
    assert code == 0, f"exit {code}: {p.err.text()!r}"


def listen_wait_is_bounded():
    (code, _, err), seconds = elapsed(lambda: suite.run([NETCAT, "-l", "-w", "1", "127.0.0.1",
                                                         "0"]))
    assert code == 1, f"exit {code}: {err!r}"
    assert "timed out" in err.lower(), err
    assert 0.9 <= seconds < 4, f"returned after {seconds:.2f}s with -w 1"


def stops_cleanly_while_listening(sig):
    p = suite.start([NETCAT, "-l", "127.0.0.1", "0"])
    listening_on(p.err)
    p.signal(sig)
    code = p.wait(5)
    assert code == 0, f"exit {code}: {p.err.text()!r}"


def refused_connection_fails():
    port = free_port()  # nobody listens there: a refused connection is what is tested
    code, _, err = suite.run([NETCAT, "127.0.0.1", str(port)])
    assert code == 1, f"exit {code}"
    assert err.startswith(f"netcat: connect to 127.0.0.1:{port}: "), err


suite.case("usage: --help exits 0, bad arguments exit 2", usage)
suite.case("10 MB both ways: netcat -> nc -N -l (sha256)", bulk_netcat_to_nc)
suite.case("10 MB both ways: nc -N -> netcat -l (sha256)", bulk_nc_to_netcat)
suite.case("10 MB both ways: netcat -> netcat -l (sha256)", bulk_netcat_to_netcat)
suite.case("-l prints 'listening on' to stderr; stdout carries only data",
           listening_line_goes_to_stderr)
suite.case("stdin EOF half-closes, then netcat reads until the peer closes",
           half_close_then_keeps_reading)
suite.case("-z on an open port exits 0", scan_open_port)
suite.case("-z on a closed port exits 1", scan_closed_port)
suite.case("-u -l exchanges datagrams with nc -u", udp_listen_against_nc)
suite.case("-u exchanges datagrams with nc -u -l", udp_client_against_nc)
suite.case("-u exchanges datagrams with netcat -u -l", udp_netcat_to_netcat)
suite.case("-w ends a session with a silent peer in time", idle_timeout_on_silent_peer)
suite.case("-w counts idle time, not session time", idle_timer_restarts_with_traffic)
suite.case("-l -w bounds the wait for a peer (exit 1)", listen_wait_is_bounded)
suite.case("SIGINT while listening exits 0", stops_cleanly_while_listening, signal.SIGINT)
suite.case("SIGTERM while listening exits 0", stops_cleanly_while_listening, signal.SIGTERM)
suite.case("a refused connection is a failure (exit 1)", refused_connection_fails)
scratch.cleanup()
suite.finish()

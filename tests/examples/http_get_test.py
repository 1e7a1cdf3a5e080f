# SPDX-License-Identifier: MIT
"""End-to-end tests of examples/http_get against `python3 -m http.server` (a binary file,
checked by sha256) and tests/examples/http_fixture.py (chunked, close-delimited, redirects,
errors, hostile responses).

Run: python3 tests/examples/http_get_test.py --bin-dir <build>/examples
"""

import os
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ next to the tests

from common import TIMEOUT, Suite, elapsed, free_port, has_ipv6_loopback, listening_on, sha256

from http_fixture import pattern

suite = Suite(["http_get"])
GET = suite.bin["http_get"]
FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "http_fixture.py")
scratch = tempfile.TemporaryDirectory(prefix="netlite_http_get_test_")
fixture_port = None


def fixture():
    """The fixture server's port, started once for the whole script."""
    global fixture_port, fixture_proc
    if fixture_port is None or not fixture_proc.running():
        fixture_proc = suite.start([sys.executable, FIXTURE])
        suite.procs.remove(fixture_proc)  # outlives single cases; killed at the end
        fixture_port = listening_on(fixture_proc.out)[1]
    return fixture_port


def get(path, *options, timeout=TIMEOUT):
    """http_get of a fixture path: (returncode, body, stderr)."""
    return suite.run([GET, f"http://127.0.0.1:{fixture()}{path}"] + list(options),
                     timeout=timeout)


def expect_body(path, body):
    code, out, err = get(path)
    assert code == 0, f"{path}: exit {code}: {err!r}"
    assert out == body, f"{path}: {len(out)} bytes, sha256 {sha256(out)}, expected {len(body)}"
    return err


def expect_failure(path, message, *options):
    code, out, err = get(path, *options)
    assert code == 1, f"{path}: exit {code} (expected 1): {err!r}"
    assert message.lower() in err.lower(), f"{path}: {message!r} not in stderr {err!r}"
    return out


def usage():
    suite.check_usage("http_get", [
        [], ["-o"], ["-o", "file"], ["--timeout"], ["--timeout", "0", "http://127.0.0.1/"],
        ["--timeout", "abc", "http://127.0.0.1/"], ["http://127.0.0.1/", "extra"],
        ["--frobnicate", "http://127.0.0.1/"],
    ])


def bad_urls_exit_2():
    for url in ["ftp://127.0.0.1/", "127.0.0.1/path", "http://", "http:///path",
                "http://127.0.0.1:99999/", "http://127.0.0.1:0/", "http://127.0.0.1:/",
                "http://user@127.0.0.1/", "http://[::1/", "http://[not-v6]/", "http://exa mple/",
                "http://127.0.0.1/a b", "http://127.0.0.1/\r\nX: y"]:
        code, out, err = suite.run([GET, url])
        assert code == 2, f"{url!r}: exit {code}: {err!r}"
        assert "usage" in err.lower() and out == b"", (url, err, out)


def https_is_not_supported():
    code, out, err = suite.run([GET, "https://127.0.0.1:1/"])
    assert code == 2, f"exit {code}: {err!r}"
    assert "not supported" in err, err
    assert out == b""


def python_http_server_binary_file(host="127.0.0.1"):
    if ":" in host and not has_ipv6_loopback():
        print("  (no ::1 on this machine: IPv6 case not run)")
        return
    root = os.path.join(scratch.name, "www")
    os.makedirs(root, exist_ok=True)
    data = os.urandom(3 * 1024 * 1024 + 17)
    with open(os.path.join(root, "blob.bin"), "wb") as f:
        f.write(data)
    server = suite.start([sys.executable, "-m", "http.server", "--bind", host, "0",
                          "--directory", root], env={"PYTHONUNBUFFERED": "1"})
    m = server.out.wait_regex(rb"Serving HTTP on \S+ port (\d+)")
    port = int(m.group(1))
    url_host = f"[{host}]" if ":" in host else host
    url = f"http://{url_host}:{port}/blob.bin"
    code, out, err = suite.run([GET, url], timeout=60)
    assert code == 0, f"exit {code}: {err!r}"
    assert sha256(out) == sha256(data), f"{len(out)} bytes, expected {len(data)}"
    assert err.startswith("HTTP/1.0 200 OK\n"), err  # http.server answers HTTP/1.0
    target = os.path.join(scratch.name, "blob.copy")
    code, out, err = suite.run([GET, url, "-o", target, "--timeout", "20"], timeout=60)
    assert code == 0 and out == b"", (code, out, err)
    with open(target, "rb") as f:
        assert sha256(f.read()) == sha256(data), "-o FILE differs from the served file"
    code, out, err = suite.run([GET, f"http://{url_host}:{port}/missing"])
    assert code == 1, f"404 exit {code}: {err!r}"


def content_length_body():
    err = expect_body("/length/100000", pattern(100000))
    assert err.splitlines()[0] == "HTTP/1.1 200 OK", err


def chunked_body():
    expect_body("/chunked/300000", pattern(300000))
    expect_body("/chunked/1", pattern(1))
    expect_body("/chunked/0", b"")


def close_delimited_body():
    expect_body("/close/200000", pattern(200000))
    expect_body("/http10/1000", pattern(1000))


def interim_100_continue_is_skipped():
    expect_body("/continue", b"ok")


def redirects():
    expect_body("/hop/1", b"arrived")
    expect_body("/rel/x/start", pattern(7))
    expect_body("/abs", pattern(9))
    expect_body("/scheme-relative", pattern(3))
    expect_body("/query", b"query ok")


def five_redirects_are_followed():
    err = expect_body("/hop/5", b"arrived")
    assert err.count("HTTP/1.1 302") == 5, err


def six_redirects_fail():
    out = expect_failure("/hop/6", "more than 5 redirects")
    assert out == b"", out


def redirect_loop_fails():
    expect_failure("/loop", "more than 5 redirects")


def redirect_to_https_fails():
    expect_failure("/to-https", "https is not supported")


def status_404_exits_1():
    out = expect_failure("/status/404", "HTTP/1.1 404 Not Found")
    assert out == b"status 404", out  # the error body is still written, like curl


def status_500_exits_1():
    expect_failure("/status/500", "HTTP/1.1 500")


def status_204_has_no_body():
    expect_body("/status/204", b"")


def output_file():
    target = os.path.join(scratch.name, "chunked.out")
    code, out, err = get("/chunked/70000", "-o", target)
    assert code == 0 and out == b"", (code, out, err)
    with open(target, "rb") as f:
        assert f.read() == pattern(70000)


def hostile_responses_fail_cleanly():
    for path, message in [("/huge-header", "too long"), ("/big-head", "too large"),
                          ("/long-line", "too long"),
                          ("/many-fields", "too many"), ("/bad-chunk", "chunk size"),
                          ("/overflow-chunk", "chunk size"), ("/truncated", "closed before"),
                          ("/truncated-chunked", "closed before"), ("/garbage", "status line")]:
        expect_failure(path, message)


def silent_server_times_out():
    (code, _, err), seconds = elapsed(lambda: get("/silent", "--timeout", "1"))
    assert code == 1, f"exit {code}: {err!r}"
    assert "timed out" in err.lower(), err
    assert 0.9 <= seconds < 5, f"gave up after {seconds:.2f}s with --timeout 1"


def refused_connection_fails():
    port = free_port()  # nobody listens there: a refused connection is what is tested
    code, _, err = suite.run([GET, f"http://127.0.0.1:{port}/"])
    assert code == 1, f"exit {code}"
    assert "refused" in err.lower(), err


suite.case("usage: --help exits 0, bad arguments exit 2", usage)
suite.case("a bad URL exits 2", bad_urls_exit_2)
suite.case("https:// is reported as not supported (exit 2)", https_is_not_supported)
suite.case("downloads a binary file from python3 -m http.server (sha256)",
           python_http_server_binary_file)
suite.case("downloads from python3 -m http.server on ::1", python_http_server_binary_file, "::1")
suite.case("reads a Content-Length body; status line on stderr", content_length_body)
suite.case("reads chunked bodies", chunked_body)
suite.case("reads close-delimited bodies (HTTP/1.1 and 1.0)", close_delimited_body)
suite.case("skips an interim 100 Continue", interim_100_continue_is_skipped)
suite.case("follows relative, absolute, scheme-relative and query redirects", redirects)
suite.case("follows 5 redirects", five_redirects_are_followed)
suite.case("6 redirects are an error (exit 1)", six_redirects_fail)
suite.case("a redirect loop is an error (exit 1)", redirect_loop_fails)
suite.case("a redirect to https is an error (exit 1)", redirect_to_https_fails)
suite.case("404 exits 1 (body still written)", status_404_exits_1)
suite.case("500 exits 1", status_500_exits_1)
suite.case("204 has no body, exit 0", status_204_has_no_body)
suite.case("-o FILE receives the body, stdout stays empty", output_file)
suite.case("hostile responses fail with exit 1 and a reason", hostile_responses_fail_cleanly)
suite.case("--timeout bounds a silent server", silent_server_times_out)
suite.case("a refused connection is a failure (exit 1)", refused_connection_fails)
if fixture_port is not None:
    fixture_proc.kill()
scratch.cleanup()
suite.finish()

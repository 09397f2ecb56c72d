#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A hostile or broken S3 server on 127.0.0.1, and presign-guard-cli talking to it.

Anybody on the way to a plain http:// endpoint, or a broken gateway, controls every byte we
parse. The server here (a few threads of this script) answers with XML nested two hundred
thousand deep, error bodies of 300 MB, listings that never end, silence, a byte now and then,
and terminal escape sequences. Every case must end within its limit, with one clear line on
standard error, in bounded memory, and never with a crash. Output is TAP.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import traceback

CLI = os.environ.get("PG_CLI", "presign-guard-cli")
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="HOSTILEKEY", AWS_SECRET_ACCESS_KEY="HOSTILESECRET",
           LC_ALL="C.UTF-8")
ENV.pop("AWS_SESSION_TOKEN", None)
MIB = 1024 * 1024
# AddressSanitizer keeps freed memory in quarantine: its builds get more room.
MEMORY_FACTOR = 4 if "ASAN_OPTIONS" in os.environ else 1


class Server:
    """One listening socket; the bucket name in the request picks the misbehaviour."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]
        self.requests = {}
        self.lock = threading.Lock()
        self.closing = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.closing:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(connection,), daemon=True).start()

    def serve(self, connection):
        try:
            with connection:
                while True:
                    request = b""
                    while b"\r\n\r\n" not in request:
                        chunk = connection.recv(65536)
                        if not chunk:
                            return
                        request += chunk
                    line = request.split(b"\r\n", 1)[0].decode("latin-1")
                    target = line.split(" ")[1]
                    bucket = target.lstrip("/").split("/")[0].split("?")[0]
                    with self.lock:
                        self.requests[bucket] = self.requests.get(bucket, 0) + 1
                    if not getattr(self, "case_" + bucket.replace("-", "_"))(connection, target):
                        return
        except (ConnectionError, OSError):
            return

    def count(self, bucket):
        with self.lock:
            return self.requests.get(bucket, 0)

    @staticmethod
    def answer(connection, status, body, length=None, content_type="application/xml"):
        head = ("HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
                % (status, content_type, len(body) if length is None else length))
        connection.sendall(head.encode() + body)

    # ---- the misbehaviours ------------------------------------------------------------------

    def case_deep_xml(self, connection, target):
        depth = 200000
        body = b"<Error>" + b"<a>" * depth + b"</a>" * depth + b"</Error>"
        self.answer(connection, "403 Forbidden", body)
        return True

    def case_huge_error(self, connection, target):
        # 300 MB announced and sent as fast as it is taken, until the client hangs up.
        size = 300 * MIB
        head = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: %d\r\n\r\n" % size
        connection.sendall(head.encode() + b"<Error><Code>InternalError</Code><Message>")
        block = b"x" * MIB
        sent = 0
        while sent < size:
            connection.sendall(block)
            sent += len(block)
        return False

    def case_huge_listing(self, connection, target):
        size = 300 * MIB
        head = "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size
        connection.sendall(head.encode() + b"<ListBucketResult>")
        block = b"<Contents><Key>k</Key></Contents>" * 30000
        sent = 0
        while sent < size:
            connection.sendall(block)
            sent += len(block)
        return False

    def case_same_token(self, connection, target):
        body = (b"<ListBucketResult><IsTruncated>true</IsTruncated>"
                b"<NextContinuationToken>again</NextContinuationToken>"
                b"<Contents><Key>k</Key><Size>1</Size></Contents></ListBucketResult>")
        self.answer(connection, "200 OK", body)
        return True

    def case_endless_pages(self, connection, target):
        token = ("page-%d" % self.count("endless-pages")).encode()
        body = (b"<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>"
                + token + b"</NextContinuationToken></ListBucketResult>")
        self.answer(connection, "200 OK", body)
        return True

    def case_silent(self, connection, target):
        while not self.closing and connection.recv(1):
            pass
        return False

    def case_silent_default(self, connection, target):
        return self.case_silent(connection, target)

    def case_trickle(self, connection, target):
        body = b"<Error><Code>SlowDown</Code><Message>" + b"." * 10000 + b"</Message></Error>"
        head = "HTTP/1.1 503 Slow Down\r\nContent-Length: %d\r\n\r\n" % len(body)
        connection.sendall(head.encode())
        for byte in body:
            if self.closing:
                break
            connection.sendall(bytes([byte]))
            time.sleep(1)
        return False

    def case_escapes(self, connection, target):
        body = (b"<Error><Code>Access\x1b[2J\x1b]0;owned\x07Denied\r</Code>"
                b"<Message>line one\rbucket: fake\x1b[31m \xe2\x80\xae reversed</Message></Error>")
        self.answer(connection, "400 Bad Request", body)
        return True

    def case_garbage(self, connection, target):
        self.answer(connection, "200 OK", b"\x00\xff<<<not xml at all", content_type="text/plain")
        return True


def run_measured(args, limit):
    """Runs the command line tool: (exit status or -signal, stderr, seconds, peak MiB), the
    peak resident memory of the child as wait4() reports it."""
    started = time.monotonic()
    process = subprocess.Popen([CLI, *args], env=ENV, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    err = b""
    deadline = started + limit + 30
    os.set_blocking(process.stderr.fileno(), False)
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        try:
            chunk = process.stderr.read()
            if chunk:
                err += chunk
        except BlockingIOError:
            pass
        if pid:
            break
        if time.monotonic() > deadline:
            process.kill()
        time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)
    rest = process.stderr.read()
    if rest:
        err += rest
    return (process.returncode, err.decode("utf-8", "replace"), time.monotonic() - started,
            usage.ru_maxrss / 1024)


def ls(server, bucket, *extra):
    return ["ls", "--endpoint", "http://127.0.0.1:%d" % server.port, "--path-style",
            "--bucket", bucket, *extra]


def check_one_line(code, err, seconds, limit, what):
    assert code == 1, ("exit status %d (negative: a signal)" % code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("presign-guard-cli: "), err
    assert seconds < limit, ("took %.1f s, limit %d s" % (seconds, limit), err)
    assert what in err, (what, err)
    print("# %.1f s: %s" % (seconds, lines[0][:150]))


# ---- tests ----------------------------------------------------------------------------------

def test_deep_xml(server):
    code, err, seconds, peak = run_measured(ls(server, "deep-xml"), 10)
    # The document is refused; the answer's status still says what happened.
    check_one_line(code, err, seconds, 10, "Access denied")
    assert peak < 100 * MEMORY_FACTOR, "peak %.0f MiB" % peak


def test_huge_error_body(server):
    code, err, seconds, peak = run_measured(ls(server, "huge-error"), 30)
    check_one_line(code, err, seconds, 30, "larger than")
    assert peak < 100 * MEMORY_FACTOR, "peak %.0f MiB for a 300 MB answer" % peak
    assert server.count("huge-error") == 1, "asked again: %d" % server.count("huge-error")
    print("# peak memory %.0f MiB" % peak)


def test_huge_listing(server):
    code, err, seconds, peak = run_measured(ls(server, "huge-listing"), 30)
    check_one_line(code, err, seconds, 30, "larger than")
    assert peak < 150 * MEMORY_FACTOR, "peak %.0f MiB" % peak


def test_same_token(server):
    code, err, seconds, peak = run_measured(ls(server, "same-token"), 10)
    check_one_line(code, err, seconds, 10, "same part of the listing")
    assert server.count("same-token") == 2, server.count("same-token")


def test_endless_pages(server):
    code, err, seconds, peak = run_measured(ls(server, "endless-pages"), 120)
    check_one_line(code, err, seconds, 120, "more than 1000 pages")
    assert server.count("endless-pages") == 1000, server.count("endless-pages")
    assert peak < 100 * MEMORY_FACTOR, "peak %.0f MiB" % peak


def test_silent(server):
    code, err, seconds, peak = run_measured(ls(server, "silent", "--timeout", "6"), 9)
    check_one_line(code, err, seconds, 9, "did not answer in time")
    assert seconds >= 5.5, seconds


def test_trickle(server):
    code, err, seconds, peak = run_measured(ls(server, "trickle", "--timeout", "6"), 9)
    check_one_line(code, err, seconds, 9, "did not answer in time")


def test_escapes(server):
    code, err, seconds, peak = run_measured(ls(server, "escapes"), 10)
    check_one_line(code, err, seconds, 10, "\\x1b")
    for raw in ("\x1b", "\x07", "\r", "\u202e"):
        assert raw not in err, (raw, err)


def test_garbage(server):
    code, err, seconds, peak = run_measured(ls(server, "garbage"), 10)
    check_one_line(code, err, seconds, 10, "could not be understood")


def test_crafted_links():
    keys = [("reports/../secret.pdf", "reports/../secret.pdf", "yes"),
            ("a/%0Abucket:%20fake", "a/\\x0abucket: fake", "no"),
            ("a/%1B%5B2Jb", "a/\\x1b[2Jb", "no"),
            ("a/%E2%80%AEfdp.exe", "a/\\u202efdp.exe", "no")]
    for raw, shown, dots in keys:
        url = ("https://demo.s3.eu-west-1.amazonaws.com/%s?X-Amz-Algorithm=AWS4-HMAC-SHA256"
               "&X-Amz-Credential=AKIDEXAMPLE%%2F20261128%%2Feu-west-1%%2Fs3%%2Faws4_request"
               "&X-Amz-Date=20261128T100000Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host"
               "&X-Amz-Signature=%s" % (raw, "0" * 64))
        done = subprocess.run([CLI, "inspect", url], env=ENV, capture_output=True, text=True,
                              timeout=30, check=False)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert len(lines) == 14, ("one line per fact", lines)
        assert "key: %s" % shown in lines, (shown, lines)
        assert "dot-segments: %s" % dots in lines, lines
        assert [l for l in lines if l.startswith("bucket:")] == ["bucket: demo"], lines
        assert "\x1b" not in done.stdout and "\u202e" not in done.stdout


def test_bad_command_lines(server):
    """Every field of the command line, filled in badly: one line, exit 1 or 2, never a crash,
    never a request."""
    endpoint = ["--endpoint", "http://127.0.0.1:%d" % server.port, "--path-style"]
    presign = ["presign", *endpoint, "--method", "GET", "--bucket", "demo", "--key", "k"]
    cases = [
        presign + ["--expires", value] for value in
        ("0", "-5", "604801", "abc", "99999999999999999999", "", "1e3", "60 ")
    ] + [
        ["presign", *endpoint, "--method", "GET", "--bucket", bucket, "--key", "k",
         "--expires", "60"] for bucket in ("", "ab", "a b", "a/b", "x" * 256, "bad\nname")
    ] + [
        ["presign", *endpoint, "--method", method, "--bucket", "demo", "--key", "k",
         "--expires", "60"] for method in ("DELETE", "", "get; rm -rf /")
    ] + [
        ["presign", *endpoint, "--method", "GET", "--bucket", "demo", "--key", key,
         "--expires", "60"] for key in ("", "k" * 1025)
    ] + [
        ["presign", "--endpoint", url, "--path-style", "--method", "GET", "--bucket", "demo",
         "--key", "k", "--expires", "60"]
        for url in ("http://h%2Fx", "http://a%0Ab", "http://h:0", "ftp://h", "http://u@h",
                    "http://h/p", "http://h#f", "")
    ] + [
        ["revoke", *endpoint, "--signer-arn", arn, "--bucket", "demo", "--key", "k"]
        for arn in ("", "AKID", "arn:aws", "arn:aws:iam::1:user/a b")
    ] + [
        ["revoke", *endpoint, "--signer-arn", "arn:aws:iam:::user/s", "--bucket", "demo",
         "--key", key] for key in ("", "k" * 1025)
    ] + [
        ["lockdown", "sideways", *endpoint, "--bucket", "demo"],
        ["ls", *endpoint, "--timeout", "-1", "--bucket", "demo"],
        ["inspect", "https://h/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256"],
        ["inspect", "\x1b[2J"],
        ["no-such-command"],
    ]
    before = sum(server.requests.values())
    for args in cases:
        done = subprocess.run([CLI, *args], env=ENV, capture_output=True, text=True,
                              timeout=30, check=False)
        assert done.returncode in (1, 2), (args, done.returncode, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert lines and lines[0].startswith("presign-guard-cli: "), (args, done.stderr)
        assert "\x1b" not in done.stderr, (args, done.stderr)
    assert sum(server.requests.values()) == before, "a bad command line reached the server"
    print("# %d bad command lines, each refused in one line" % len(cases))


def test_silent_default(server, background):
    """The default limits: a silent server is given up on after 90 s, not 4 × 60 s."""
    code, err, seconds, peak = background.result()
    check_one_line(code, err, seconds, 100, "did not answer in time")
    assert seconds >= 85, seconds


class Background:
    def __init__(self, function, *args):
        self.value = None
        self.thread = threading.Thread(target=self.run, args=(function, args), daemon=True)
        self.thread.start()

    def run(self, function, args):
        self.value = function(*args)

    def result(self):
        self.thread.join()
        return self.value


def main():
    server = Server()
    # The longest case runs beside all the others.
    background = Background(run_measured, ls(server, "silent-default"), 100)
    tests = [
        ("deep XML error body", lambda: test_deep_xml(server)),
        ("300 MB error body", lambda: test_huge_error_body(server)),
        ("300 MB listing", lambda: test_huge_listing(server)),
        ("the same continuation token again", lambda: test_same_token(server)),
        ("listing without end", lambda: test_endless_pages(server)),
        ("silence (6 s limit)", lambda: test_silent(server)),
        ("a byte a second (6 s limit)", lambda: test_trickle(server)),
        ("escape sequences in the error", lambda: test_escapes(server)),
        ("garbage", lambda: test_garbage(server)),
        ("crafted links", test_crafted_links),
        ("bad command lines", lambda: test_bad_command_lines(server)),
        ("silence with the default limits", lambda: test_silent_default(server, background)),
    ]
    print("1..%d" % len(tests))
    failures = 0
    for number, (name, test) in enumerate(tests, 1):
        started = time.monotonic()
        try:
            test()
            print("ok %d - %s (%.1f s)" % (number, name, time.monotonic() - started))
        except Exception:
            failures += 1
            print("not ok %d - %s" % (number, name))
            print("# " + traceback.format_exc().replace("\n", "\n# "))
        sys.stdout.flush()
    server.closing = True
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

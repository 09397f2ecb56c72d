#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lock that keeps policy writers apart cannot be held hostage (Ceph RADOS Gateway).

Somebody who may write ".presign-guard/lock" — here the signing key, as a leaked one could —
plants a lock that claims to last until 2100, one of 5 KiB of garbage, an empty one, or rewrites
it every 20 ms. Whatever it is, `lockdown on` must complete within a bound, say which lock it
waited for and whom, and a link of the signer must then answer 403. An ordinary revoke waits no
longer than --timeout and names the lock when it gives up. Output is TAP.
"""

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

import botocore.session
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

CLI = os.environ.get("PG_CLI", "presign-guard-cli")
ENDPOINT = os.environ["PG_TEST_S3_ENDPOINT"]
SIGNER_ARN = "arn:aws:iam:::user/owner:presign"
LOCK = ".presign-guard/lock"
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="OWNERKEY", AWS_SECRET_ACCESS_KEY="OWNERSECRET",
           PG_SIGNER_ACCESS_KEY_ID="PRESIGNKEY", PG_SIGNER_SECRET_ACCESS_KEY="PRESIGNSECRET")
ENV.pop("AWS_SESSION_TOKEN", None)
ENV.pop("G_MESSAGES_DEBUG", None)
COMMON = ["--endpoint", ENDPOINT, "--path-style", "--region", "us-east-1"]
# The lockdown takes a lock over after 12 s of waiting; the proof and the rest take seconds.
LOCKDOWN_BOUND = 45
FAR_FUTURE = 4102444800  # 2100-01-01


def client(key="OWNERKEY", secret="OWNERSECRET"):
    return botocore.session.get_session().create_client(
        "s3", region_name="us-east-1", endpoint_url=ENDPOINT,
        aws_access_key_id=key, aws_secret_access_key=secret,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                      retries={"max_attempts": 1}, connect_timeout=5, read_timeout=10))


def signer_client():
    return client("PRESIGNKEY", "PRESIGNSECRET")


def cli(*args, check=True, timeout=120):
    done = subprocess.run([CLI, *args], env=ENV, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if check and done.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (args[0], done.returncode, done.stderr))
    return done


def cli_s3(command, *args, **kwargs):
    return cli(command, *COMMON, "--signer-arn", SIGNER_ARN, *args, **kwargs)


def new_bucket():
    bucket = "pg-lock-" + uuid.uuid4().hex[:10]
    cli("mb", *COMMON, "--bucket", bucket)
    client().put_object(Bucket=bucket, Key="report.pdf", Body=b"%PDF")
    return bucket


def signer_link(bucket, key="report.pdf"):
    return cli("presign", *COMMON, "--signer", "--method", "GET", "--bucket", bucket,
               "--key", key, "--expires", "900").stdout.strip()


def fetch(url):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", parts.path + "?" + parts.query)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def plant(bucket, body):
    """The signing key writes the lock, as anybody who may write there could."""
    signer_client().put_object(Bucket=bucket, Key=LOCK, Body=body)


def hostage(owner="hostage"):
    return json.dumps({"owner": owner, "host": "leaked-pc", "purpose": "hostage",
                       "expires": FAR_FUTURE}).encode()


def lockdown_through(bucket, what, said):
    """`lockdown on` completes within the bound, says what it waited for, and the signer's
    link is refused afterwards."""
    link = signer_link(bucket)
    assert fetch(link)[0] == 200, "the link must work before"
    started = time.monotonic()
    done = cli_s3("lockdown", "on", "--bucket", bucket, check=False, timeout=LOCKDOWN_BOUND + 30)
    took = time.monotonic() - started
    print("# lockdown on against %s: %.1f s, exit %d" % (what, took, done.returncode))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    assert took < LOCKDOWN_BOUND, ("lockdown on took too long", took)
    assert "CRITICAL" not in done.stderr and "WARNING" not in done.stderr, done.stderr
    # Every wait names the lock object, the bucket and the holder.
    assert LOCK in done.stderr and bucket in done.stderr, done.stderr
    assert said in done.stderr, (said, done.stderr)
    assert "Waiting for it" in done.stderr, done.stderr
    assert fetch(link)[0] == 403, "the signer's link still works after lockdown on"
    # The lock it took over (or went on without) is named in the note at the end.
    assert "note:" in done.stderr and "taken over" in done.stderr, done.stderr
    return took


# ---- scenarios ------------------------------------------------------------------------------

def test_far_future_lock():
    bucket = new_bucket()
    plant(bucket, hostage())
    # An ordinary revoke waits no longer than --timeout, and names the lock and its holder.
    started = time.monotonic()
    done = cli_s3("revoke", "--bucket", bucket, "--key", "report.pdf", "--timeout", "4",
                  check=False, timeout=60)
    took = time.monotonic() - started
    print("# revoke --timeout 4 against a far-future lock: gave up after %.1f s" % took)
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert took < 15, took
    last = done.stderr.strip().splitlines()[-1]
    assert LOCK in last and "leaked-pc (hostage)" in last, last
    assert "Try again in a minute" not in done.stderr, done.stderr
    assert "verified" not in done.stdout

    took = lockdown_through(bucket, "a lock claiming 2100", "leaked-pc (hostage)")
    assert took >= 10, ("the lockdown takes over after a short wait, not at once", took)
    # Ours was given back afterwards, and the hostage's is gone.
    keys = [o["Key"] for o in client().list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert LOCK not in keys, keys


def test_oversized_lock():
    bucket = new_bucket()
    plant(bucket, b"#" * (5 * 1024))
    lockdown_through(bucket, "a 5 KiB lock", "too large")


def test_empty_lock():
    bucket = new_bucket()
    plant(bucket, b"")
    lockdown_through(bucket, "an empty lock", "the lock is empty")


def test_rewritten_lock():
    """A lock written again every 20 ms by the signing key, three rounds."""
    for round_ in range(3):
        bucket = new_bucket()
        plant(bucket, hostage())
        stop = threading.Event()
        writes = [0, 0]

        def rewrite():
            rewriter = signer_client()
            deadline = time.monotonic() + LOCKDOWN_BOUND + 30
            while not stop.is_set() and time.monotonic() < deadline:
                try:
                    rewriter.put_object(Bucket=bucket, Key=LOCK,
                                        Body=hostage("hostage-%d" % writes[0]))
                    writes[0] += 1
                except Exception:  # refused once the lockdown is in place
                    writes[1] += 1
                stop.wait(0.02)

        thread = threading.Thread(target=rewrite, daemon=True)
        thread.start()
        try:
            lockdown_through(bucket, "a lock rewritten every 20 ms (round %d)" % (round_ + 1),
                             "leaked-pc (hostage)")
        finally:
            stop.set()
            thread.join(timeout=30)
        print("# the signing key wrote the lock %d times, %d refused" % tuple(writes))
        assert writes[0] > 20, writes
        assert not thread.is_alive()


TESTS = [
    test_far_future_lock,
    test_oversized_lock,
    test_empty_lock,
    test_rewritten_lock,
]


if __name__ == "__main__":
    sys.exit(tap.run(TESTS))

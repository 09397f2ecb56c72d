#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Who used a link, when, from where, on a real S3 server: the Ceph RADOS Gateway of
s3-server.sh writes its ops log, presign-guard-cli watch reads it and writes each recorded
link's activity into the bucket, presign-guard-cli activity prints it.

Links are recorded with presign --record and used with plain HTTP; botocore (an independent
client) reads what the bucket keeps. Output is TAP.
"""

import csv
import io
import json
import os
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rgw  # noqa: E402
import tap  # noqa: E402

if not rgw.OPS_LOG:
    print("Bail out! PG_TEST_OPS_LOG must name the gateway's ops log (tests/with-s3-server.sh "
          "sets it)")
    sys.exit(1)

STATE = {}
CONTENT = bytes(range(256)) * 256  # 64 KiB


def setup():
    bucket = "pg-activity-" + uuid.uuid4().hex[:10]
    rgw.cli("mb", *rgw.COMMON, "--bucket", bucket)
    STATE["bucket"] = bucket
    for key in ("contract.pdf", "price list.xlsx", "twice.pdf", "restart.pdf", "plain.pdf",
                "limited.pdf"):
        rgw.client().put_object(Bucket=bucket, Key=key, Body=CONTENT)


def link(key):
    """A recorded download link to key, and its id."""
    url = rgw.presign(STATE["bucket"], key, "--record")
    return url, rgw.record_id(url)


def activity(*args, fmt=None):
    extra = ["--format", fmt] if fmt else []
    return rgw.cli("activity", *rgw.COMMON, *args, *extra).stdout


def events(url, count, timeout=20):
    """The link's activity as activity --url prints it (fields of each line), once it holds
    count events; fails with what it holds when they do not come in time."""
    deadline = time.monotonic() + timeout
    while True:
        found = [line.split("\t") for line in activity("--url", url).splitlines()]
        if len(found) >= count or time.monotonic() > deadline:
            assert len(found) == count, (count, found)
            return found
        time.sleep(0.3)


def stored(record):
    return rgw.client().get_object(Bucket=STATE["bucket"],
                                   Key=".presign-guard/activity/%s.json" % record)["Body"].read()


def watcher(*extra):
    return rgw.Watcher(STATE["bucket"], *extra)


def state_file():
    path = tempfile.NamedTemporaryFile(prefix="pg-activity-state-", delete=False).name
    os.unlink(path)
    return path


# ---- scenarios ------------------------------------------------------------------------------

def test_downloads_and_refusal():
    # Link A downloaded three times (one ranged), link B once; A revoked, then tried again.
    a_url, a_id = link("contract.pdf")
    b_url, b_id = link("price list.xlsx")
    started = time.time()
    w = watcher()
    try:
        assert rgw.request("GET", a_url)[0] == 200
        assert rgw.request("GET", a_url, headers={"Range": "bytes=0-99",
                                                  "User-Agent": "Resume/1.0"})[0] == 206
        assert rgw.request("GET", a_url)[0] == 200
        assert rgw.request("GET", b_url)[0] == 200
        revoked = rgw.cli("revoke", *rgw.COMMON, "--url", a_url)
        assert "verified" in revoked.stdout + revoked.stderr, revoked
        assert rgw.request("GET", a_url, headers={"User-Agent": "Tried/2.0"})[0] == 403
        assert len(w.gather("download %s " % a_id, 3)) == 3, w.seen
        w.expect("refused %s " % a_id)
    finally:
        w.stop()

    # The revocation's proof tried the link itself: shown as our check, not as a partner's try.
    a = events(a_url, 5)
    assert [e[1] for e in a] == ["download", "download", "download", "check", "refused"], a
    assert [e[2] for e in a] == ["200", "206", "200", "403", "403"], a
    assert a[4][3] == "AccessDenied" and a[4][6] == "Tried/2.0", a[4]
    assert a[1][5] == "100" and a[1][6] == "Resume/1.0", a[1]
    assert a[0][5] == str(len(CONTENT)), a[0]
    for e in a:
        assert e[4] == "127.0.0.1", e
        when = time.mktime(time.strptime(e[0], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        assert started - 5 <= when <= time.time() + 5, (e, started)
    b = events(b_url, 1)
    assert b[0][1:3] == ["download", "200"], b
    # By its id too.
    assert activity("--bucket", STATE["bucket"], "--link", b_id).splitlines() \
        == activity("--url", b_url).splitlines()

    # The CSV export: a header, then the same fields as the lines.
    rows = list(csv.reader(io.StringIO(activity("--url", a_url, fmt="csv"), newline="")))
    assert rows[0] == ["time", "kind", "status", "error", "address", "bytes", "user_agent"], rows
    assert rows[1:] == a, rows
    # JSON: the document the bucket keeps.
    document = json.loads(activity("--url", a_url, fmt="json"))
    assert document["format"] == "presign-guard activity 1" and len(document["events"]) == 5

    # Private: no signature, no key, no credential in what the bucket keeps.
    kept = stored(a_id).decode()
    for secret in ("X-Amz-Signature", "X-Amz-Credential", "OWNERSECRET", "PRESIGNSECRET",
                   "PRESIGNKEY", a_url.split("X-Amz-Signature=")[1][:16]):
        assert secret not in kept, secret
    rgw.cli("unrevoke", *rgw.COMMON, "--url", a_url)


def test_two_watchers_record_once():
    url, record = link("twice.pdf")
    first = watcher("--state", state_file())
    second = watcher("--state", state_file())
    try:
        for _ in range(3):
            assert rgw.request("GET", url)[0] == 200
        assert len(first.gather("download %s " % record, 3)) == 3, first.seen
        assert len(second.gather("download %s " % record, 3)) == 3, second.seen
    finally:
        first.stop()
        second.stop()
    found = events(url, 3)
    time.sleep(1)
    ids = [e["id"] for e in json.loads(stored(record))["events"]]
    assert len(ids) == 3 == len(set(ids)) and len(events(url, 3)) == 3, (ids, found)


def test_restart_misses_nothing_twice_nothing():
    url, record = link("restart.pdf")
    state = state_file()
    first = watcher("--state", state)
    try:
        assert rgw.request("GET", url)[0] == 200
        assert rgw.request("GET", url)[0] == 200
        assert len(first.gather("download %s " % record, 2)) == 2, first.seen
    finally:
        first.stop()
    # Used while nobody watches: the next watcher reads on from where the last one stopped.
    assert rgw.request("GET", url, headers={"User-Agent": "While-stopped"})[0] == 200
    second = watcher("--state", state)
    try:
        line = second.expect("download %s " % record)
        time.sleep(2)
    finally:
        seen = second.stop()
    assert len([s for s in seen if s.startswith("download %s " % record)]) == 1, (line, seen)
    found = events(url, 3)
    assert found[-1][6] == "While-stopped", found
    third = watcher("--state", state)
    time.sleep(2)
    seen = third.stop()
    assert not any(s.startswith("download %s " % record) for s in seen), seen
    assert len(events(url, 3)) == 3
    os.unlink(state)


def test_uses_limit():
    # Closes after two whole downloads: one at once, one resumed in two pieces (it counts once);
    # the third is refused within the grace and a few seconds.
    url = rgw.presign(STATE["bucket"], "limited.pdf", "--arm", "download", "--uses", "2",
                      "--grace", "1")
    record = rgw.record_id(url)
    w = watcher()
    try:
        assert rgw.request("GET", url)[0] == 200
        assert rgw.request("GET", url, headers={"Range": "bytes=0-99"})[0] == 206
        # One and a piece: not used up, it still works a while later.
        time.sleep(3)
        assert not any(line.startswith("used %s" % record) for line in w.drain()), w.seen
        assert rgw.request("GET", url, headers={"Range": "bytes=100-"})[0] == 206
        used = time.monotonic()
        w.expect("used %s " % record)
        w.expect("closed %s " % record, timeout=20)
        status = rgw.request("GET", url)[0]
        closed_after = time.monotonic() - used
    finally:
        w.stop()
    assert status == 403 and closed_after < 1 + 5, (status, closed_after)
    kept = json.loads(rgw.client().get_object(
        Bucket=STATE["bucket"], Key=".presign-guard/links/%s.json" % record)["Body"].read())
    assert (kept["uses"], kept["downloads"], kept["size"]) == (2, 2, len(CONTENT)), kept
    # Out of range, or without --arm download: refused in words.
    assert rgw.cli("presign", *rgw.COMMON, "--signer", "--method", "GET", "--bucket",
                   STATE["bucket"], "--key", "limited.pdf", "--arm", "download", "--uses", "101",
                   check=False).returncode == 2
    assert rgw.cli("presign", *rgw.COMMON, "--signer", "--method", "GET", "--bucket",
                   STATE["bucket"], "--key", "limited.pdf", "--uses", "2",
                   check=False).returncode == 2


def test_unrecorded_and_unused():
    # A link nobody recorded has no activity and says so; a recorded link not used yet is
    # empty, and says so.
    plain = rgw.presign(STATE["bucket"], "plain.pdf")
    done = rgw.cli("activity", *rgw.COMMON, "--url", plain, check=False)
    assert done.returncode == 1 and "No record in the bucket describes this link" in done.stderr, \
        done
    url, _ = link("plain.pdf")
    done = rgw.cli("activity", *rgw.COMMON, "--url", url)
    assert done.stdout == "" and "No request made with this link was seen yet" in done.stderr, done
    # Wrong use of the command: said, status 2.
    assert rgw.cli("activity", *rgw.COMMON, check=False).returncode == 2
    assert rgw.cli("activity", *rgw.COMMON, "--url", url, "--format", "xml",
                   check=False).returncode == 2


TESTS = [
    test_downloads_and_refusal,
    test_two_watchers_record_once,
    test_restart_misses_nothing_twice_nothing,
    test_uses_limit,
    test_unrecorded_and_unused,
]


if __name__ == "__main__":
    sys.exit(tap.run(TESTS, setup))

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Links that close themselves after use, on a real S3 server: the Ceph RADOS Gateway of
s3-server.sh writes its ops log (PG_TEST_OPS_LOG), and presign-guard-cli watch reads it.

Links are armed with presign --arm; the watcher runs as the always-on service would; plain
HTTP uses the links; botocore (an independent client) makes console-style requests and reads
the records. Output is TAP.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

import botocore.session

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lines  # noqa: E402
import tap  # noqa: E402

from rgw import CLI, COMMON, ENDPOINT, ENV, SIGNER_ARN, cli, client, request  # noqa: E402

if "PG_TEST_OPS_LOG" not in os.environ:
    print("Bail out! PG_TEST_OPS_LOG must name the gateway's ops log (tests/with-s3-server.sh "
          "sets it)")
    sys.exit(1)
OPS_LOG = os.environ["PG_TEST_OPS_LOG"]
STATE = {}


def presign(key, *extra, method="GET", expires="900"):
    done = cli("presign", *COMMON, "--signer", "--method", method, "--bucket", STATE["bucket"],
               "--key", key, "--expires", expires, *extra)
    return done.stdout.strip().splitlines()[-1]


def record_of(url, bucket=None):
    looked = cli("inspect", url, *COMMON, "--look-up").stdout
    link_id = [line.split(": ", 1)[1] for line in looked.splitlines()
               if line.startswith("record: ")][0]
    body = client().get_object(Bucket=bucket or STATE["bucket"],
                               Key=".presign-guard/links/%s.json" % link_id)["Body"].read()
    return json.loads(body)


class Watcher(lines.Lines):
    """presign-guard-cli watch in the background, its lines read as they come."""

    def __init__(self, *extra):
        super().__init__([CLI, "watch", *COMMON, "--bucket", STATE["bucket"], "--ops-log",
                          OPS_LOG, *extra], ENV)
        self.expect("watching ")

    def stop(self):
        code, seen = super().stop()
        # Stopped cleanly: its last word, and nothing from a sanitizer.
        assert code == 0 and seen and seen[-1] == "stopped", (code, seen)
        return seen


def setup():
    bucket = "pg-watch-" + uuid.uuid4().hex[:10]
    cli("mb", *COMMON, "--bucket", bucket)
    STATE["bucket"] = bucket
    for key in ("report.pdf", "契約書 +100%.pdf", "other.pdf"):
        client().put_object(Bucket=bucket, Key=key, Body=("content of " + key).encode())


# ---- scenarios ------------------------------------------------------------------------------

def test_download_closes_after_grace():
    grace = 1
    url = presign("契約書 +100%.pdf", "--arm", "download", "--grace", str(grace))
    other = presign("other.pdf")
    record = record_of(url)
    assert (record["armed"], record["grace"]) == ("download", grace), record
    watcher = Watcher()
    try:
        assert request("GET", url)[0] == 200
        used = time.monotonic()
        watcher.expect("used %s " % record["id"])
        line = watcher.expect("closed %s " % record["id"])
        closed = time.monotonic() - used
        assert line.endswith(" verified"), line
        status, body = request("GET", url)
        assert status == 403 and b"AccessDenied" in body, (status, body)
        assert closed <= grace + 2, "closed %.1f s after its use" % closed
        print("# closed %.2f s after the download (grace %d s)" % (closed, grace))
        assert request("GET", other)[0] == 200
    finally:
        watcher.stop()
    record = record_of(url)
    assert record["used_by"] == "127.0.0.1" and record.get("closed_at"), record
    listed = [line for line in cli("links", *COMMON, "--bucket", STATE["bucket"]).stdout
              .splitlines() if line.startswith(record["id"])]
    assert listed[0].split("\t")[-1].startswith("closed ") and listed[0].endswith(
        "after use by 127.0.0.1"), listed


def test_armed_while_watching():
    # Armed after the watcher read the records, then used at once (and a revocation by hand
    # just before, whose proof is a presigned request of the signer too): seen all the same.
    watcher = Watcher()
    try:
        client().put_object(Bucket=STATE["bucket"], Key="late.pdf", Body=b"late")
        cli("revoke", *COMMON, "--bucket", STATE["bucket"], "--key", "other.pdf")
        url = presign("late.pdf", "--arm", "download", "--grace", "0")
        record_id = record_of(url)["id"]
        assert request("GET", url)[0] == 200
        used = time.monotonic()
        watcher.expect("closed %s " % record_id, timeout=10)
        assert time.monotonic() - used <= 0 + 2 + 1, time.monotonic() - used
        assert request("GET", url)[0] == 403
        # Alive, it says so in the bucket (the app reads it) ...
        beat = heartbeat()
        assert beat["format"] == "presign-guard watcher 1" and not beat["stopped"], beat
    finally:
        watcher.stop()
    # ... and its last word, once stopped, is that nobody watches.
    assert heartbeat()["stopped"] is True
    cli("unrevoke", *COMMON, "--bucket", STATE["bucket"], "--key", "other.pdf")


def heartbeat():
    return json.loads(client().get_object(Bucket=STATE["bucket"],
                                          Key=".presign-guard/watcher.json")["Body"].read())


def test_upload_closes_after_upload():
    key = "incoming/%s/invoice.pdf" % uuid.uuid4().hex[:6]
    url = presign(key, "--arm", "upload", "--if-none-match", method="PUT")
    watcher = Watcher("--poll", "--poll-interval", "1")
    try:
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        connection.request("PUT", parts.path + "?" + parts.query, body=b"%PDF partner",
                           headers={"If-None-Match": "*"})
        assert connection.getresponse().status == 200
        connection.close()
        started = time.monotonic()
        watcher.expect("used ")
        watcher.expect("closed ")
        took = time.monotonic() - started
        assert took <= 1 + 2, "closed %.1f s after the upload" % took
    finally:
        watcher.stop()
    assert client().get_object(Bucket=STATE["bucket"], Key=key)["Body"].read() == b"%PDF partner"
    # Closed: the link cannot be used again, even to a fresh key name it was signed for.
    client().delete_object(Bucket=STATE["bucket"], Key=key)
    status, _ = request("PUT", url, body=b"again")
    assert status == 403, status


def post(port, body, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/", body=body, headers=headers or {})
        return connection.getresponse().status
    finally:
        connection.close()


def test_upload_seen_by_notification():
    # Ceph's "Object Created" notification to an HTTP endpoint is the only source (no ops log,
    # no polling): the partner's upload closes its link at once. Forged notifications (of a
    # file that is not there, garbage, too big) close nothing and do not stop the watcher.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    key = "incoming/%s/notified order.pdf" % uuid.uuid4().hex[:6]
    forged_key = "incoming/%s/never sent.pdf" % uuid.uuid4().hex[:6]
    # A bucket of its own: its notification configuration stays with it.
    bucket = "pg-notified-" + uuid.uuid4().hex[:10]
    cli("mb", *COMMON, "--bucket", bucket)
    url, forged_url = [cli("presign", *COMMON, "--signer", "--method", "PUT", "--bucket", bucket,
                           "--key", k, "--expires", "900", "--arm", "upload").stdout.strip()
                       .splitlines()[-1] for k in (key, forged_key)]
    forged_id = record_of(forged_url, bucket)["id"]
    sns = botocore.session.get_session().create_client(
        "sns", region_name="us-east-1", endpoint_url=ENDPOINT, aws_access_key_id="OWNERKEY",
        aws_secret_access_key="OWNERSECRET")
    topic = sns.create_topic(Name="pg-watch-%d" % port, Attributes={
        "push-endpoint": "http://127.0.0.1:%d/" % port, "persistent": "false"})["TopicArn"]
    watcher = lines.Lines([CLI, "watch", *COMMON, "--bucket", bucket,
                           "--notifications", "127.0.0.1:%d" % port], ENV)
    try:
        watcher.expect("watching ")
        client().put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration={"TopicConfigurations": [
                {"Id": "presign-guard", "TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}]})
        forged = {"Records": [{"eventName": "ObjectCreated:Put", "eventSource": "ceph:s3",
                               "s3": {"bucket": {"name": bucket},
                                      "object": {"key": forged_key}}}]}
        assert post(port, json.dumps(forged)) == 200
        assert post(port, b"\x00garbage{") == 200
        # Refused from its headers; its body is thrown away as it comes, never kept.
        assert post(port, b"x" * (8 * 1024 * 1024)) == 413
        status, _ = request("PUT", url, body=b"%PDF order")
        started = time.monotonic()
        assert status == 200, status
        watcher.expect("closed ", timeout=10)
        took = time.monotonic() - started
        assert took <= 2, "closed %.1f s after the upload" % took
        print("# closed %.2f s after the upload, told by a notification" % took)
        assert request("PUT", url, body=b"again")[0] == 403
        time.sleep(1)
        assert not any(forged_id in line for line in watcher.drain()), watcher.seen
    finally:
        sns.delete_topic(TopicArn=topic)
        code, seen = watcher.stop()
    assert code == 0 and seen[-1] == "stopped", (code, seen)
    assert record_of(forged_url, bucket).get("used_at") is None


def test_only_the_links_own_request_closes_it():
    # Two links of the signer to one file, signed in the same second (the same key, file and
    # X-Amz-Date; another lifetime, so another signature): the other link's download is not a
    # use of the armed one — only a request with the armed link's own signature closes it.
    # A file of its own: closing the armed link closes every signer link to it.
    client().put_object(Bucket=STATE["bucket"], Key="twins.pdf", Body=b"content of twins")
    signed = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    armed = presign("twins.pdf", "--arm", "download", "--grace", "0", "--time", signed)
    twin = presign("twins.pdf", "--time", signed, expires="901")
    record = record_of(armed)
    assert record.get("digest"), record
    watcher = Watcher()
    try:
        assert request("GET", twin)[0] == 200
        # The twin's request is read (a marker request after it is seen first).
        client().put_object(Bucket=STATE["bucket"], Key="marker.pdf", Body=b"marker")
        marker = presign("marker.pdf", "--arm", "download", "--grace", "0")
        assert request("GET", marker)[0] == 200
        watcher.expect("closed %s " % record_of(marker)["id"], timeout=20)
        assert not any(line.startswith(("used %s" % record["id"], "closed %s" % record["id"]))
                       for line in watcher.drain()), watcher.seen
        assert record_of(armed).get("used_at") is None
        assert request("GET", twin)[0] == 200
        assert request("GET", armed)[0] == 200
        watcher.expect("used %s " % record["id"], timeout=20)
        watcher.expect("closed %s " % record["id"], timeout=20)
        assert request("GET", armed)[0] == 403
    finally:
        watcher.stop()


def test_unreadable_ops_log_refused():
    # A wrong path would watch nothing, silently: refused, in words.
    done = cli("watch", *COMMON, "--bucket", STATE["bucket"], "--ops-log",
               "/nonexistent/ops.log", check=False)
    assert done.returncode != 0 and "/nonexistent/ops.log" in done.stderr \
        and "could not be read" in done.stderr, (done.returncode, done.stderr)


def test_wrong_configuration_is_not_retried():
    # As the systemd unit runs it: a configuration that cannot work exits 2, which the unit
    # does not restart on (RestartPreventExitStatus=2), and says what to give.
    without_arn = [arg for arg in COMMON if arg not in ("--signer-arn", SIGNER_ARN)]
    done = cli("watch", *without_arn, "--bucket", STATE["bucket"], "--ops-log", OPS_LOG,
               check=False)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "--signer-arn" in done.stderr and "arn:aws:iam:::user/OWNER:SUBUSER" in done.stderr \
        and ".)." not in done.stderr, done.stderr
    no_keys = subprocess.run([CLI, "watch", *COMMON, "--bucket", STATE["bucket"], "--ops-log",
                              OPS_LOG], capture_output=True, text=True, timeout=60, check=False,
                             env={k: v for k, v in ENV.items() if not k.startswith("AWS_")})
    assert no_keys.returncode == 2, (no_keys.returncode, no_keys.stderr)
    # A server out of reach is not a wrong configuration: it may come back (status 1).
    unreachable = cli("watch", "--endpoint", "http://127.0.0.1:9", "--path-style", "--region",
                      "us-east-1", "--timeout", "5", "--bucket", STATE["bucket"], "--ops-log",
                      OPS_LOG, check=False)
    assert unreachable.returncode == 1, (unreachable.returncode, unreachable.stderr)


def test_restart_between_use_and_close():
    url = presign("report.pdf", "--arm", "download", "--grace", "4")
    record_id = record_of(url)["id"]
    state = tempfile.NamedTemporaryFile(prefix="pg-watch-state-", delete=False).name
    os.unlink(state)
    first = Watcher("--state", state)
    try:
        assert request("GET", url)[0] == 200
        first.expect("used %s " % record_id)
    finally:
        seen = first.stop()
    assert not any(line.startswith("closed") for line in seen), seen
    assert request("GET", url)[0] == 200, "closed before its grace was over"
    # The next watcher goes on: the use is in the record, the place in the log in the state.
    second = Watcher("--state", state)
    try:
        second.expect("closed %s " % record_id, timeout=20)
        time.sleep(2)
    finally:
        seen = second.stop()
    closings = [line for line in first.seen + seen if line.startswith("closed")]
    assert len(closings) == 1, closings
    assert not any(line.startswith("used") for line in seen), seen
    assert request("GET", url)[0] == 403
    policy = json.loads(client().get_bucket_policy(Bucket=STATE["bucket"])["Policy"])
    resources = [r for s in policy["Statement"] for r in s["Resource"]
                 if r.endswith("/report.pdf")]
    assert len(resources) == 1, policy
    os.unlink(state)


def test_console_and_other_signers_ignored():
    key = "契約書 +100%.pdf"
    client().put_object(Bucket=STATE["bucket"], Key="fresh.pdf", Body=b"fresh")
    url = presign("fresh.pdf", "--arm", "download", "--grace", "0")
    record_id = record_of(url)["id"]
    watcher = Watcher()
    try:
        # A console download (signed in headers) by the signer, a link of the manager's key, and
        # a link of the signer signed at another time: none is this link.
        signer = client("PRESIGNKEY", "PRESIGNSECRET")
        assert signer.get_object(Bucket=STATE["bucket"], Key="fresh.pdf")["Body"].read() == b"fresh"
        manager_link = cli("presign", *COMMON, "--method", "GET", "--bucket", STATE["bucket"],
                           "--key", "fresh.pdf", "--expires", "900").stdout.strip()
        assert request("GET", manager_link)[0] == 200
        time.sleep(1.1)
        sibling = presign("fresh.pdf")
        assert request("GET", sibling)[0] == 200
        time.sleep(3)
        assert not any(line.startswith("used") for line in watcher.drain())
        assert request("GET", url)[0] == 200
        watcher.expect("closed %s " % record_id)
    finally:
        watcher.stop()
    del key



def logged_requests(start):
    """The ops log from start on as Python's JSON reader splits it: (place, bucket, method,
    status) of each request, and how many lines held more than one."""
    # Bytes as latin-1: a character per byte, so places are the file's.
    data = open(OPS_LOG, "rb").read()[start:].decode("latin-1")
    decoder = json.JSONDecoder()
    found, batches, index, on_line = [], 0, 0, 0
    while index < len(data):
        if data[index] != "{":
            on_line = 0 if data[index] == "\n" else on_line
            index += 1
            continue
        try:
            logged, end = decoder.raw_decode(data, index)
        except ValueError:
            break
        on_line += 1
        batches += on_line == 2
        found.append((start + index, logged.get("bucket"), logged.get("uri", "").split(" ")[0],
                      int(logged.get("http_status", 0))))
        index = end
    return found, batches


def test_every_logged_request_read():
    # Ceph writes the requests it logs in batches, one JSON object right after another on one
    # line; most often under load. Every request the gateway logged is read, as Python splits
    # the log: none lost in a batch (a lost one could have been a link's use).
    url = presign("other.pdf")
    start = os.path.getsize(OPS_LOG)

    def load():
        for _ in range(30):
            request("GET", url)

    for _ in range(5):
        workers = [threading.Thread(target=load) for _ in range(6)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        # The gateway writes its log a moment after it answers.
        size, deadline = -1, time.monotonic() + 10
        while size != os.path.getsize(OPS_LOG) and time.monotonic() < deadline:
            size = os.path.getsize(OPS_LOG)
            time.sleep(0.5)
        logged, batches = logged_requests(start)
        if batches > 0:
            break
    assert batches > 0, "the gateway wrote no two requests on one line in 5 rounds of 180"

    done = subprocess.run([os.environ["PG_OPS_LOG_EVENTS"], OPS_LOG, str(start)],
                          capture_output=True, text=True, timeout=60, check=True)
    read = [(int(place), bucket, method, int(status))
            for place, bucket, method, status in (line.split(" ") for line in
                                                  done.stdout.splitlines())]
    ours = [entry for entry in logged if entry[1] == STATE["bucket"]]
    assert [entry for entry in read if entry[1] == STATE["bucket"]] == ours, \
        (len(read), len(ours), sorted(set(ours) - set(read))[:3])
    print("# %d requests read, %d lines of several" % (len(ours), batches))

TESTS = [
    test_download_closes_after_grace,
    test_armed_while_watching,
    test_upload_closes_after_upload,
    test_upload_seen_by_notification,
    test_only_the_links_own_request_closes_it,
    test_unreadable_ops_log_refused,
    test_wrong_configuration_is_not_retried,
    test_restart_between_use_and_close,
    test_console_and_other_signers_ignored,
    test_every_logged_request_read,
]


if __name__ == "__main__":
    sys.exit(tap.run(TESTS, setup))

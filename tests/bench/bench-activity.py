#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark "activity", on the local gateway writing its ops log.

1. From a download through a recorded link to its event readable in the bucket (the link's
   activity, read with botocore every 20 ms), with presign-guard-cli watch reading the ops log;
   against the watcher's closing of an armed link (grace 0: from the GET to "closed, verified")
   in the same run, the latency the activity should stay within. 15 rounds each; median and
   worst, and the ratio of the medians.
2. The watcher's CPU time and peak memory for 100,000 logged requests (one in a hundred made with
   one of ten recorded links, the rest another bucket's), appended to a log it follows; against
   Python's own JSON reader going through the same lines in the same run."""

import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import rgw  # noqa: E402

ROUNDS = 15
REQUESTS = 100000
LINKS = 10


def activity_events(bucket, record):
    try:
        body = rgw.client().get_object(
            Bucket=bucket, Key=".presign-guard/activity/%s.json" % record)["Body"].read()
    except rgw.client().exceptions.NoSuchKey:
        return 0
    return len(json.loads(body)["events"])


def latency(bucket):
    readable, closing = [], []
    watcher = rgw.Watcher(bucket)
    s3 = rgw.client()
    try:
        for i in range(ROUNDS):
            key = "activity-%d-%s.pdf" % (i, uuid.uuid4().hex[:4])
            s3.put_object(Bucket=bucket, Key=key, Body=b"x")
            url = rgw.presign(bucket, key, "--record")
            record = rgw.record_id(url)
            # The watcher reads the log once a second: the GET at any moment of that second.
            time.sleep(random.random())
            started = time.monotonic()
            assert rgw.request("GET", url)[0] == 200
            while True:
                try:
                    body = s3.get_object(Bucket=bucket, Key=".presign-guard/activity/%s.json"
                                         % record)["Body"].read()
                    if json.loads(body)["events"]:
                        break
                except s3.exceptions.NoSuchKey:
                    pass
                assert time.monotonic() - started < 30, "no activity in 30 s"
                time.sleep(0.02)
            readable.append(time.monotonic() - started)

            armed = rgw.presign(bucket, key, "--arm", "download", "--grace", "0")
            armed_id = rgw.record_id(armed)
            time.sleep(random.random())
            started = time.monotonic()
            assert rgw.request("GET", armed)[0] == 200
            watcher.expect("closed %s " % armed_id)
            closing.append(time.monotonic() - started)
    finally:
        watcher.stop()
    return readable, closing


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_kib(pid):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def logged_line(bucket, url, when):
    path, query = url.split("/", 3)[3].split("?", 1)
    return json.dumps({
        "bucket": bucket, "time": when, "time_local": when, "remote_addr": "203.0.113.7",
        "user": "owner", "operation": "get_obj",
        "uri": "GET /%s?%s?%s HTTP/1.1" % (path, query, query), "http_status": "200",
        "error_code": "", "bytes_sent": 1, "bytes_received": 0, "object_size": 1,
        "total_time": 1, "user_agent": "bench/1.0", "referrer": "",
        "trans_id": "tx" + uuid.uuid4().hex, "authentication_type": "Local",
        "access_key_id": "PRESIGNKEY", "subuser": "presign", "temp_url": False,
    }, separators=(",", ":"))


def load(bucket):
    s3 = rgw.client()
    urls, records = [], []
    for i in range(LINKS):
        key = "load-%d.pdf" % i
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
        urls.append(rgw.presign(bucket, key, "--record"))
        records.append(rgw.record_id(urls[-1]))
    when = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
    other = logged_line("another-bucket", urls[0].replace("/" + bucket + "/", "/another-bucket/"),
                        when)
    lines = []
    for i in range(REQUESTS):
        lines.append(logged_line(bucket, urls[i // 100 % LINKS], when) if i % 100 == 0
                     else other)
    text = "\n".join(lines) + "\n"

    directory = tempfile.mkdtemp(prefix="pg-bench-activity-")
    log = os.path.join(directory, "ops.log")
    open(log, "w").close()
    watcher = rgw.lines.Lines([rgw.CLI, "watch", *rgw.COMMON, "--bucket", bucket, "--ops-log",
                               log, "--state", os.path.join(directory, "state")], rgw.ENV)
    try:
        watcher.expect("watching ")
        before = cpu_seconds(watcher.process.pid)
        started = time.monotonic()
        with open(log, "a") as appended:
            appended.write(text)
        recorded = watcher.gather("download ", REQUESTS // 100, timeout=300)
        assert len(recorded) == REQUESTS // 100, len(recorded)
        deadline = time.monotonic() + 60
        while sum(activity_events(bucket, r) for r in records) < REQUESTS // 100:
            assert time.monotonic() < deadline, "activity not written in 60 s"
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        cpu = cpu_seconds(watcher.process.pid) - before
        peak = peak_kib(watcher.process.pid)
    finally:
        code, _ = watcher.stop()
    assert code == 0

    # The reference: Python's JSON reader through the same lines.
    started = time.process_time()
    for line in text.splitlines():
        json.loads(line)
    reference = time.process_time() - started
    os.unlink(log)
    return cpu, peak, elapsed, reference


def main():
    bucket = "pg-bench-activity-" + uuid.uuid4().hex[:8]
    rgw.cli("mb", *rgw.COMMON, "--bucket", bucket)

    readable, closing = latency(bucket)
    print("a download through a recorded link to its event readable in the bucket (watch, ops "
          "log):")
    print("  median %.0f ms, worst %.0f ms" % (statistics.median(readable) * 1000,
                                               max(readable) * 1000))
    print("reference, the watcher's closing of an armed link (GET to verified, grace 0):")
    print("  median %.0f ms, worst %.0f ms" % (statistics.median(closing) * 1000,
                                               max(closing) * 1000))
    print("ratio of the medians: %.2f×" % (statistics.median(readable)
                                           / statistics.median(closing)))

    cpu, peak, elapsed, reference = load(bucket)
    print("the watcher through %d logged requests (%d of %d recorded links, written into "
          "their activity):" % (REQUESTS, REQUESTS // 100, LINKS))
    print("  CPU %.2f s, peak memory %.1f MiB, %.1f s until all was written" % (
        cpu, peak / 1024, elapsed))
    print("reference, Python's JSON reader through the same lines: CPU %.2f s" % reference)
    print("ratio: %.2f×" % (cpu / reference))
    return 0


if __name__ == "__main__":
    sys.exit(main())

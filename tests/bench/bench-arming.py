#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark "arming": from the GET through an armed link (grace 0) to its verified revocation
by presign-guard-cli watch reading the local gateway's ops log, against revoking a link by
hand (presign-guard-cli revoke, to "verified") in the same run. 15 rounds each; median and
worst printed, and the ratio of the medians."""

import importlib.util
import os
import random
import statistics
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = importlib.util.spec_from_file_location("watch", os.path.join(HERE, "..", "test-rgw-watch.py"))
WATCH = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(WATCH)

ROUNDS = 15


def main():
    WATCH.setup()
    bucket = WATCH.STATE["bucket"]
    armed, by_hand = [], []
    watcher = WATCH.Watcher()
    try:
        for i in range(ROUNDS):
            key = "arming-%d-%s.pdf" % (i, uuid.uuid4().hex[:4])
            WATCH.client().put_object(Bucket=bucket, Key=key, Body=b"x")
            url = WATCH.presign(key, "--arm", "download", "--grace", "0")
            record_id = WATCH.record_of(url)["id"]
            # The watcher reads the log once a second: the GET at a random moment of that
            # second, not at the same one each round (the rounds would keep one phase).
            time.sleep(random.random())
            started = time.monotonic()
            assert WATCH.request("GET", url)[0] == 200
            watcher.expect("closed %s " % record_id)
            armed.append(time.monotonic() - started)

            other = "by-hand-%d-%s.pdf" % (i, uuid.uuid4().hex[:4])
            WATCH.client().put_object(Bucket=bucket, Key=other, Body=b"x")
            started = time.monotonic()
            done = WATCH.cli("revoke", *WATCH.COMMON, "--bucket", bucket, "--key", other)
            assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
            by_hand.append(time.monotonic() - started)
    finally:
        watcher.stop()

    print("GET through an armed link to its verified revocation (watch, ops log, grace 0):")
    print("  median %.0f ms, worst %.0f ms" % (statistics.median(armed) * 1000, max(armed) * 1000))
    print("reference, revoke by hand to verified (presign-guard-cli revoke):")
    print("  median %.0f ms, worst %.0f ms" % (statistics.median(by_hand) * 1000,
                                               max(by_hand) * 1000))
    print("ratio of the medians: %.2f×" % (statistics.median(armed) / statistics.median(by_hand)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Links that close themselves after use, on a real S3 server, when the ops log moves under the
watcher: the Ceph RADOS Gateway of s3-server.sh writes its ops log (PG_TEST_OPS_LOG), and the
log is rotated right after a link's use (renamed, a new file made), before the gateway has
written the use, or just after. The gateway goes on writing to the file it has open; the
watcher must read the use there all the same, every time, and close the link.

Uses test-rgw-watch.py's helpers. Output is TAP."""

import os
import sys
import time
import uuid
from importlib.util import module_from_spec, spec_from_file_location

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tap  # noqa: E402

SPEC = spec_from_file_location("rgw_watch", os.path.join(HERE, "test-rgw-watch.py"))
RGW = module_from_spec(SPEC)
SPEC.loader.exec_module(RGW)

TRIALS = 4


def rotate(path):
    """As logrotate does without copytruncate: renamed, and an empty file in its place."""
    os.rename(path, path + ".rotated")
    open(path, "w").close()


def unrotate(path):
    """The gateway still writes to the renamed file (no SIGHUP here): it gets its name back, for
    the tests that read the log after this one."""
    os.replace(path + ".rotated", path)


def test_rotation_right_after_use():
    keys = ["rotated-%d-%s.pdf" % (i, uuid.uuid4().hex[:6]) for i in range(TRIALS)]
    for key in keys:
        RGW.client().put_object(Bucket=RGW.STATE["bucket"], Key=key, Body=b"rotated")
    urls = [RGW.presign(key, "--arm", "download", "--grace", "0") for key in keys]
    ids = [RGW.record_of(url)["id"] for url in urls]
    watcher = RGW.Watcher()
    try:
        for trial, (url, record_id) in enumerate(zip(urls, ids)):
            assert RGW.request("GET", url)[0] == 200
            used = time.monotonic()
            # Rotated at once (the gateway may not even have written the use yet), or a moment
            # later (it has): both ways, in turns.
            if trial % 2:
                time.sleep(0.3)
            rotate(RGW.OPS_LOG)
            try:
                watcher.expect("closed %s " % record_id, timeout=15)
                print("# trial %d: closed %.2f s after the use" % (trial,
                                                                   time.monotonic() - used))
                assert RGW.request("GET", url)[0] == 403
            finally:
                unrotate(RGW.OPS_LOG)
            # The watcher follows the log under its name again before the next trial.
            time.sleep(2.5)
    finally:
        watcher.stop()


TESTS = [
    test_rotation_right_after_use,
]


if __name__ == "__main__":
    sys.exit(tap.run(TESTS, RGW.setup))

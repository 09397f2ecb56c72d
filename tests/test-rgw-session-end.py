#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A link signed in a session of its own dies when its session ends, even while its URL says
it is still valid (Ceph RADOS Gateway with STS, PG_TEST_STS_ENDPOINT).

The shortest session STS grants is 900 s, so this test waits about 16 minutes: CI runs it
alongside its other lanes, not in the README's test command. The link is signed 300 s ahead
(--time), so its URL stays valid for 300 s after its session has ended: a 403 then can only come
from the session. A link made at the end shows the gateway still serves links. Output is TAP.
"""

import datetime
import importlib.util
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = importlib.util.spec_from_file_location("per_link", os.path.join(HERE, "test-rgw-per-link.py"))
per_link = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(per_link)

SESSION_SECONDS = 900
AHEAD = 300


def main():
    print("1..1")
    per_link.setup()
    per_link.test_setup_signer_role()
    started = time.time()
    signing_time = datetime.datetime.fromtimestamp(started + AHEAD, datetime.timezone.utc)
    url = per_link.per_link(per_link.STATE["bucket"], "contract.pdf", str(SESSION_SECONDS),
                            "--time", signing_time.strftime("%Y%m%dT%H%M%SZ"))
    url = url.stdout.strip().splitlines()[-1]
    failures = []
    if per_link.fetch(url)[0] != 200:
        failures.append("the link did not work at first: %r" % (per_link.fetch(url),))

    # Its URL is valid until started + AHEAD + SESSION_SECONDS; its session ends at
    # started + SESSION_SECONDS.
    time.sleep(max(0, started + SESSION_SECONDS + 30 - time.time()))
    late = time.time() - started
    status, body = per_link.fetch(url)
    if late >= AHEAD + SESSION_SECONDS - 30:
        failures.append("checked too late (%.0f s) to tell the session from the URL" % late)
    if status != 403:
        failures.append("%.0f s after signing, past its session, the link answered %d %r"
                        % (late, status, body[:200]))
    fresh = per_link.per_link(per_link.STATE["bucket"], "contract.pdf").stdout.strip()
    if per_link.fetch(fresh.splitlines()[-1])[0] != 200:
        failures.append("a new link did not work")

    if failures:
        print("not ok 1 - link ends with its session")
        for failure in failures:
            print("# " + failure)
        return 1
    print("ok 1 - link ends with its session (%d %s after %.0f s)"
          % (status, per_link.error_code(body), late))
    return 0


if __name__ == "__main__":
    sys.exit(main())

# SPDX-License-Identifier: GPL-3.0-or-later
"""TAP output for the Python tests: scenarios run one after the other, or checks reported."""

import sys
import time
import traceback


def run(tests, setup=None):
    """Runs each scenario (a function that raises when it fails); returns the exit status."""
    print("1..%d" % len(tests))
    sys.stdout.flush()
    if setup is not None:
        setup()
    failures = 0
    for number, test in enumerate(tests, 1):
        started = time.monotonic()
        try:
            test()
            print("ok %d - %s (%.1f s)" % (number, test.__name__, time.monotonic() - started))
        except Exception:
            failures += 1
            print("not ok %d - %s" % (number, test.__name__))
            print("# " + traceback.format_exc().replace("\n", "\n# "))
        sys.stdout.flush()
    return 1 if failures else 0


def report(checks):
    """Prints (name, ok, detail) checks; returns the exit status."""
    print("1..%d" % len(checks))
    for number, (name, ok, detail) in enumerate(checks, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", number, name))
        if not ok:
            print("# " + detail.replace("\n", "\n# "))
    return 0 if all(ok for _, ok, _ in checks) else 1

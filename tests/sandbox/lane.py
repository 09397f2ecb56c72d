#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers of the Flatpak sandbox lane (test-flatpak-sandbox.sh).

  lane.py swap MANIFEST OUT QRENCODE_TARBALL
      the manifest with the stand-in runtime and SDK (org.debian.Platform/Sdk 12), and the
      qrencode source taken from Debian's tarball (next to OUT) instead of its upstream URL;
  lane.py compare MANIFEST SWAPPED
      exits 1 unless the two differ only there: id, command, finish-args, cleanup and every
      module's build options are the same;
  lane.py signed-lists OPS_LOG FROM_LINE SINCE BUCKET ACCESS_KEY_ID
      how many listings of BUCKET signed with ACCESS_KEY_ID the gateway answered 200, in its ops
      log from line FROM_LINE (1-based) on, made at SINCE (seconds since the epoch) or later:
      the gateway may write a request's line a little after it answered.
"""

import datetime
import hashlib
import json
import os
import sys

RUNTIME = {"runtime": "org.debian.Platform", "sdk": "org.debian.Sdk", "runtime-version": "12"}


def swap(manifest, out, tarball):
    with open(manifest) as source:
        document = json.load(source)
    document.update(RUNTIME)
    for module in document["modules"]:
        for source in module.get("sources", []):
            if source.get("type") == "archive" and "qrencode" in source.get("url", ""):
                del source["url"]
                source["path"] = tarball
                with open(os.path.join(os.path.dirname(out), tarball), "rb") as data:
                    source["sha256"] = hashlib.sha256(data.read()).hexdigest()
    with open(out, "w") as target:
        json.dump(document, target, indent=2)


def compare(manifest, swapped):
    with open(manifest) as a, open(swapped) as b:
        published, built = json.load(a), json.load(b)
    for key in ("id", "command", "finish-args", "cleanup"):
        if published.get(key) != built.get(key):
            print("# %s differs" % key)
            return 1
    if len(published["modules"]) != len(built["modules"]):
        print("# the modules differ")
        return 1
    for x, y in zip(published["modules"], built["modules"]):
        if {k: v for k, v in x.items() if k != "sources"} != \
           {k: v for k, v in y.items() if k != "sources"}:
            print("# module %s differs beyond its sources" % x.get("name"))
            return 1
    rest = {k: v for k, v in built.items() if k not in RUNTIME and k != "modules"}
    if rest != {k: v for k, v in published.items() if k not in RUNTIME and k != "modules"}:
        print("# other keys differ")
        return 1
    return 0


def requests(path, first_line):
    """Every request the gateway logged from FIRST_LINE on (a batch may share a line)."""
    decoder = json.JSONDecoder()
    with open(path, errors="replace") as log:
        for number, line in enumerate(log, 1):
            if number < first_line:
                continue
            at = 0
            while True:
                at = line.find("{", at)
                if at < 0:
                    break
                try:
                    entry, end = decoder.raw_decode(line, at)
                except ValueError:
                    at += 1
                    continue
                yield entry
                at = end


def made_at(entry):
    try:
        when = datetime.datetime.strptime(entry.get("time", ""), "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return 0
    return when.replace(tzinfo=datetime.timezone.utc).timestamp()


def signed_lists(path, first_line, since, bucket, key_id):
    count = 0
    for entry in requests(path, first_line):
        uri = entry.get("uri", "")
        if entry.get("bucket") == bucket and entry.get("access_key_id") == key_id \
                and uri.startswith("GET /%s" % bucket) and "list-type" in uri \
                and str(entry.get("http_status")) == "200" and made_at(entry) >= since:
            count += 1
    print(count)
    return 0


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "swap":
        swap(*args)
        sys.exit(0)
    if command == "compare":
        sys.exit(compare(*args))
    if command == "signed-lists":
        sys.exit(signed_lists(args[0], int(args[1]), float(args[2]), args[3], args[4]))
    sys.exit("unknown command %s" % command)

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Differential test: presign-guard-cli against botocore's presigner.

For a few hundred generated inputs (awkward keys, several regions, path-style and
virtual-hosted, custom endpoints, session tokens, GET/PUT/HEAD, signed upload headers, download
file names) both must produce the same scheme, host, path and query parameters — signature
included, since the signing time is fixed. Output is TAP; a failing case prints its inputs.
"""

import argparse
import datetime
import os
import random
import subprocess
import sys
import types
import urllib.parse

try:
    import botocore.auth
    import botocore.session
    from botocore.config import Config
except ImportError:
    print("Bail out! botocore (Debian: python3-botocore) is required for this test")
    sys.exit(1)

CLI = os.environ.get("PG_CLI", "presign-guard-cli")

REGIONS = ["us-east-1", "eu-west-1", "ap-northeast-1", "us-west-2", "sa-east-1", "eu-central-2"]
BUCKETS = ["examplebucket", "my-bucket-01", "a1b", "x" * 63, "s3-data", "with.dots.bucket",
           "Legacy_Bucket"]
ENDPOINTS = [None, None, None, "http://127.0.0.1:7480", "https://s3.example.com:8443",
             "https://storage.example.net"]
PIECES = ["report", "a b", "日本語", "データ", "é", "ü", "😀", "+", "%", "~", "*", "'", "(", ")",
          "!", "&", "=", "?", "//", "/", " ", "%20", "a+b", ".", "..", "-", "_", ";", ":", "@",
          ",", "$", "#", "[", "]", "{", "}", "^", "`", "|", "\\", "\"", "<", ">", "\u00a0",
          "Ω", "\u3000"]
CONTENT_TYPES = ["text/plain", "application/pdf", "text/html; charset=utf-8",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
# An upload is never signed as a page (the CLI refuses: see test-presign.c).
UPLOAD_CONTENT_TYPES = [t for t in CONTENT_TYPES if not t.startswith("text/html")] \
    + ["application/octet-stream"]
FILENAMES = ["report.pdf", "見積書 2026.xlsx", "a \"quoted\" name.txt", "back\\slash.txt",
             "résumé.docx", "plain-name"]


def make_key(rng):
    shape = rng.random()
    if shape < 0.05:
        return ("k/" * 500)[:1000]                     # a 1,000-byte key
    if shape < 0.08:
        return "日" * 333                               # 999 bytes of UTF-8
    key = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8)))
    if rng.random() < 0.15:
        key += "/"                                     # a "folder"
    if rng.random() < 0.05:
        key = "/" + key                                # a leading slash is part of the key
    return key


def content_disposition(name):
    """RFC 6266 attachment value with an RFC 5987 filename* for anything not plain ASCII."""
    fallback = "".join(c if 0x20 <= ord(c) < 0x7f and c not in "\"\\" else "_" for c in name)
    value = 'attachment; filename="%s"' % fallback
    if fallback != name:
        value += "; filename*=UTF-8''" + urllib.parse.quote(name, safe="")
    return value


def make_case(rng, index):
    endpoint = rng.choice(ENDPOINTS)
    method = rng.choice(["GET", "GET", "PUT", "PUT", "HEAD"])
    case = {
        "index": index,
        "method": method,
        "region": "us-east-1" if endpoint and rng.random() < 0.7 else rng.choice(REGIONS),
        "bucket": rng.choice(BUCKETS),
        "key": make_key(rng),
        "endpoint": endpoint,
        "path_style": rng.random() < 0.4,
        "token": ("FQoGZXIvYXdzE" + "".join(rng.choice("abcXYZ019+/=") for _ in range(40))
                  if rng.random() < 0.3 else None),
        "expires": rng.choice([1, 60, 3600, 86400, 604800, rng.randint(1, 604800)]),
        "time": datetime.datetime(2026, 1, 1) + datetime.timedelta(
            seconds=rng.randint(0, 365 * 86400)),
        "content_type": None,
        "if_none_match": False,
        "filename": None,
    }
    if method == "PUT":
        case["if_none_match"] = rng.random() < 0.5
        if rng.random() < 0.4:
            case["content_type"] = rng.choice(UPLOAD_CONTENT_TYPES)
    elif method == "GET":
        if rng.random() < 0.3:
            case["filename"] = rng.choice(FILENAMES)
        if rng.random() < 0.2:
            case["content_type"] = rng.choice(CONTENT_TYPES)
    return case


def dns_safe(bucket):
    return (3 <= len(bucket) <= 63 and bucket[0].isalnum() and bucket[-1].isalnum()
            and all(c.islower() or c.isdigit() or c == "-" for c in bucket))


def freeze_botocore_clock(moment):
    """Makes botocore sign at a fixed time (newer releases ask get_current_datetime(), older
    ones datetime.datetime.utcnow())."""
    if hasattr(botocore.auth, "get_current_datetime"):
        botocore.auth.get_current_datetime = lambda *args, **kwargs: moment
    else:
        class FixedDatetime(datetime.datetime):
            @classmethod
            def utcnow(cls):
                return moment
        botocore.auth.datetime = types.SimpleNamespace(
            datetime=FixedDatetime, timedelta=datetime.timedelta, timezone=datetime.timezone)


def add_if_none_match(request, **kwargs):
    request.headers["If-None-Match"] = "*"


# Releases before 1.31 (Debian 12 has 1.29) address virtual-hosted buckets of every region at the
# global s3.amazonaws.com; newer ones use the regional name, as we do. With an old botocore the
# regional endpoint is given explicitly, so only scheme, path and query are compared for real.
OLD_BOTOCORE = tuple(int(part) for part in botocore.__version__.split(".")[:2]) < (1, 31)


def botocore_url(session, case):
    host_is_ip = case["endpoint"] is not None and "127.0.0.1" in case["endpoint"]
    virtual = not case["path_style"] and dns_safe(case["bucket"]) and not host_is_ip
    endpoint = case["endpoint"]
    if endpoint is None and OLD_BOTOCORE and virtual and case["region"] != "us-east-1":
        endpoint = "https://s3.%s.amazonaws.com" % case["region"]
    client = session.create_client(
        "s3", region_name=case["region"], endpoint_url=endpoint,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        aws_session_token=case["token"],
        config=Config(signature_version="s3v4",
                      s3={"addressing_style": "virtual" if virtual else "path"}))
    params = {"Bucket": case["bucket"], "Key": case["key"]}
    operation = {"GET": "get_object", "PUT": "put_object", "HEAD": "head_object"}[case["method"]]
    if case["method"] == "PUT":
        if case["content_type"]:
            params["ContentType"] = case["content_type"]
        if case["if_none_match"]:
            shape = client.meta.service_model.operation_model("PutObject").input_shape
            if "IfNoneMatch" in shape.members:
                params["IfNoneMatch"] = "*"
            else:  # botocore before 1.35 does not know the parameter: add the header itself
                client.meta.events.register("before-sign.s3.PutObject", add_if_none_match)
    elif case["method"] == "GET":
        if case["filename"]:
            params["ResponseContentDisposition"] = content_disposition(case["filename"])
        if case["content_type"]:
            params["ResponseContentType"] = case["content_type"]

    freeze_botocore_clock(case["time"])
    return client.generate_presigned_url(operation, Params=params, ExpiresIn=case["expires"])


def our_url(case):
    args = [CLI, "presign", "--method", case["method"], "--bucket", case["bucket"],
            "--key", case["key"], "--region", case["region"],
            "--expires", str(case["expires"]),
            "--time", case["time"].strftime("%Y%m%dT%H%M%SZ")]
    if case["endpoint"]:
        args += ["--endpoint", case["endpoint"]]
    if case["path_style"]:
        args.append("--path-style")
    if case["if_none_match"]:
        args.append("--if-none-match")
    if case["content_type"]:
        args += ["--content-type", case["content_type"]]
    if case["filename"]:
        args += ["--filename", case["filename"]]
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
               AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    env.pop("AWS_SESSION_TOKEN", None)
    if case["token"]:
        env["AWS_SESSION_TOKEN"] = case["token"]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError("exit %d: %s" % (done.returncode, done.stderr.strip()))
    lines = done.stdout.splitlines()
    if len(lines) != 1:
        raise RuntimeError("expected one line on stdout, got %r" % done.stdout)
    return lines[0]


def split(url):
    parts = urllib.parse.urlsplit(url)
    query = sorted(tuple(pair.split("=", 1)) for pair in parts.query.split("&"))
    # Our links write "." and ".." path segments as %2E and %2E%2E, so that no browser or proxy
    # resolves them away; botocore leaves them as they are. Both are the same key to S3, and the
    # signature (compared exactly) is made over the plain dots in both.
    path = "/".join({"%2E": ".", "%2E%2E": ".."}.get(segment, segment)
                    for segment in parts.path.split("/"))
    return parts.scheme, parts.netloc, path, query


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=600)
    parser.add_argument("--seed", type=int, default=20261128)
    options = parser.parse_args()

    rng = random.Random(options.seed)
    cases = [make_case(rng, i) for i in range(options.cases)]
    session = botocore.session.get_session()

    print("1..%d" % len(cases))
    print("# botocore %s%s" % (botocore.__version__, " (old: regional host given to it)"
                                if OLD_BOTOCORE else ""))
    failures = 0
    for case in cases:
        try:
            ours = our_url(case)
            theirs = botocore_url(session, case)
            ok = split(ours) == split(theirs)
            detail = "" if ok else "\n  ours:     %s\n  botocore: %s" % (ours, theirs)
        except Exception as error:  # a crash is a failure with its inputs, not a stop
            ok, detail = False, "\n  error: %s" % error
        summary = "%s %s/%r region=%s endpoint=%s path_style=%s" % (
            case["method"], case["bucket"], case["key"][:40], case["region"], case["endpoint"],
            case["path_style"])
        if ok:
            print("ok %d - %s" % (case["index"] + 1, summary))
        else:
            failures += 1
            print("not ok %d - %s" % (case["index"] + 1, summary))
            shown = dict(case, time=case["time"].strftime("%Y%m%dT%H%M%SZ"))
            print("# inputs: %r%s" % (shown, detail.replace("\n", "\n# ")))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

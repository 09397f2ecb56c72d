#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Our presigned URLs against a real S3 server that verifies signatures (Ceph RADOS Gateway).

The gateway is the one in PG_TEST_S3_ENDPOINT (see with-s3-server.sh), with the test identities
of s3-server.sh. Buckets and objects are set up with botocore as an independent client; every
link under test comes from presign-guard-cli. Output is TAP.
"""

import datetime
import http.client
import os
import subprocess
import sys
import traceback
import urllib.parse
import uuid

import botocore.session
from botocore.config import Config

CLI = os.environ.get("PG_CLI", "presign-guard-cli")
ENDPOINT = os.environ["PG_TEST_S3_ENDPOINT"]
OWNER = ("OWNERKEY", "OWNERSECRET")
SIGNER = ("PRESIGNKEY", "PRESIGNSECRET")
BUCKET = "pg-presign-" + uuid.uuid4().hex[:12]


def s3_client():
    session = botocore.session.get_session()
    return session.create_client(
        "s3", region_name="us-east-1", endpoint_url=ENDPOINT,
        aws_access_key_id=OWNER[0], aws_secret_access_key=OWNER[1],
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))


def presign(method, key, expires=300, identity=OWNER, extra=()):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=identity[0], AWS_SECRET_ACCESS_KEY=identity[1])
    env.pop("AWS_SESSION_TOKEN", None)
    done = subprocess.run(
        [CLI, "presign", "--endpoint", ENDPOINT, "--path-style", "--region", "us-east-1",
         "--method", method, "--bucket", BUCKET, "--key", key, "--expires", str(expires),
         *extra],
        env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, "presign failed: %s" % done.stderr
    return done.stdout.strip()


def fetch(method, url, body=None, headers=None):
    """One HTTP request, exactly as given: no header is added but Host and Content-Length."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, parts.path + "?" + parts.query, body=body,
                           headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def s3_error_code(body):
    text = body.decode("utf-8", "replace")
    start = text.find("<Code>")
    return text[start + 6:text.find("</Code>")] if start >= 0 else ""


def get_object(key):
    return s3_client().get_object(Bucket=BUCKET, Key=key)["Body"].read()


def test_get_link_downloads():
    s3_client().put_object(Bucket=BUCKET, Key="hello.txt", Body=b"hello, partner\n")
    status, body, _ = fetch("GET", presign("GET", "hello.txt"))
    assert status == 200, status
    assert body == b"hello, partner\n", body


def test_awkward_keys():
    for key in ["a b/c d.txt", "日本語/見積書 (最終).xlsx", "plus+and%percent~*'()!.txt",
                "amp&eq=q?.txt", "dir//double/", "é" * 300]:
        s3_client().put_object(Bucket=BUCKET, Key=key, Body=key.encode())
        status, body, _ = fetch("GET", presign("GET", key))
        assert status == 200, (key, status, body[:200])
        assert body == key.encode(), key


def test_head_link():
    status, _, headers = fetch("HEAD", presign("HEAD", "hello.txt"))
    assert status == 200, status
    assert headers.get("Content-Length") == "15", headers


def test_put_link_uploads():
    status, body, _ = fetch("PUT", presign("PUT", "incoming/upload.bin"), body=b"\x00\x01data")
    assert status == 200, (status, body)
    assert get_object("incoming/upload.bin") == b"\x00\x01data"


def test_signer_subuser_link():
    status, body, _ = fetch("GET", presign("GET", "hello.txt", identity=SIGNER))
    assert status == 200, (status, body)


def test_download_filename():
    url = presign("GET", "hello.txt", extra=["--filename", "挨拶 hello.txt"])
    status, _, headers = fetch("GET", url)
    assert status == 200, status
    assert headers.get("Content-Disposition") == (
        "attachment; filename=\"__ hello.txt\"; "
        "filename*=UTF-8''%E6%8C%A8%E6%8B%B6%20hello.txt"), headers


def test_tampered_signature_refused():
    url = presign("GET", "hello.txt")
    last = url[-1]
    tampered = url[:-1] + ("0" if last != "0" else "1")
    status, body, _ = fetch("GET", tampered)
    assert status == 403, status
    assert s3_error_code(body) == "SignatureDoesNotMatch", body


def test_wrong_secret_refused():
    status, body, _ = fetch("GET", presign("GET", "hello.txt", identity=("OWNERKEY", "WRONG")))
    assert status == 403, status
    assert s3_error_code(body) == "SignatureDoesNotMatch", body


def test_swapped_key_refused():
    url = presign("GET", "hello.txt").replace("/hello.txt?", "/incoming/upload.bin?")
    status, body, _ = fetch("GET", url)
    assert status == 403, status


def test_expired_link_refused():
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=120)
    url = presign("GET", "hello.txt", expires=60, extra=["--time", past.strftime("%Y%m%dT%H%M%SZ")])
    status, body, _ = fetch("GET", url)
    assert status == 403, status
    assert s3_error_code(body) == "AccessDenied", body


def test_signed_content_type_enforced():
    url = presign("PUT", "incoming/typed.pdf", extra=["--content-type", "application/pdf"])
    status, _, _ = fetch("PUT", url, body=b"x", headers={"Content-Type": "text/plain"})
    assert status == 403, status
    status, body, _ = fetch("PUT", url, body=b"%PDF", headers={"Content-Type": "application/pdf"})
    assert status == 200, (status, body)
    assert s3_client().head_object(Bucket=BUCKET, Key="incoming/typed.pdf")["ContentType"] \
        == "application/pdf"


def test_strict_single_use_upload():
    url = presign("PUT", "incoming/once.txt", extra=["--if-none-match"])
    status, body, _ = fetch("PUT", url, body=b"first")
    assert status == 403, ("a PUT without If-None-Match must be refused", status, body)
    status, body, _ = fetch("PUT", url, body=b"first", headers={"If-None-Match": "*"})
    assert status == 200, (status, body)
    status, body, _ = fetch("PUT", url, body=b"second", headers={"If-None-Match": "*"})
    assert status == 412, (status, body)
    assert s3_error_code(body) == "PreconditionFailed", body
    assert get_object("incoming/once.txt") == b"first"


TESTS = [
    test_get_link_downloads,
    test_awkward_keys,
    test_head_link,
    test_put_link_uploads,
    test_signer_subuser_link,
    test_download_filename,
    test_tampered_signature_refused,
    test_wrong_secret_refused,
    test_swapped_key_refused,
    test_expired_link_refused,
    test_signed_content_type_enforced,
    test_strict_single_use_upload,
]


def main():
    print("1..%d" % len(TESTS))
    print("# server %s, bucket %s" % (ENDPOINT, BUCKET))
    s3_client().create_bucket(Bucket=BUCKET)
    failures = 0
    for number, test in enumerate(TESTS, 1):
        try:
            test()
            print("ok %d - %s" % (number, test.__name__))
        except Exception:
            failures += 1
            print("not ok %d - %s" % (number, test.__name__))
            print("# " + traceback.format_exc().replace("\n", "\n# "))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

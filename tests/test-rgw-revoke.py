#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Revocation on a real S3 server that enforces bucket policies (Ceph RADOS Gateway).

Identities of s3-server.sh: "owner" manages the bucket (AWS_*), its subuser "owner:presign"
signs links (PG_SIGNER_*), "alice" is somebody else. Every operation goes through
presign-guard-cli; botocore (an independent client) sets up buckets, plants foreign policy
statements and checks what is stored. Output is TAP.
"""

import datetime
import hashlib
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
import uuid

import botocore.session
from botocore.config import Config

CLI = os.environ.get("PG_CLI", "presign-guard-cli")
ENDPOINT = os.environ["PG_TEST_S3_ENDPOINT"]
SIGNER_ARN = "arn:aws:iam:::user/owner:presign"
ALICE_ARN = "arn:aws:iam:::user/alice"
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="OWNERKEY", AWS_SECRET_ACCESS_KEY="OWNERSECRET",
           PG_SIGNER_ACCESS_KEY_ID="PRESIGNKEY", PG_SIGNER_SECRET_ACCESS_KEY="PRESIGNSECRET")
ENV.pop("AWS_SESSION_TOKEN", None)
COMMON = ["--endpoint", ENDPOINT, "--path-style", "--region", "us-east-1"]


def client(key="OWNERKEY", secret="OWNERSECRET"):
    return botocore.session.get_session().create_client(
        "s3", region_name="us-east-1", endpoint_url=ENDPOINT,
        aws_access_key_id=key, aws_secret_access_key=secret,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                      retries={"max_attempts": 1}))


def cli(*args, env=None, check=True):
    done = subprocess.run([CLI, *args], env=env or ENV, capture_output=True, text=True,
                          timeout=120, check=False)
    if check and done.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (args[0], done.returncode, done.stderr))
    return done


def cli_s3(command, *args, **kwargs):
    return cli(command, *COMMON, "--signer-arn", SIGNER_ARN, *args, **kwargs)


def new_bucket():
    bucket = "pg-revoke-" + uuid.uuid4().hex[:10]
    cli("mb", *COMMON, "--bucket", bucket)
    return bucket


def put(bucket, key, body=b"content"):
    client().put_object(Bucket=bucket, Key=key, Body=body)


def signer_link(bucket, key, method="GET", extra=()):
    return cli("presign", *COMMON, "--signer", "--method", method, "--bucket", bucket,
               "--key", key, "--expires", "900", *extra).stdout.strip()


def fetch(method, url, body=None, headers=None):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, parts.path + "?" + parts.query, body=body,
                           headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def stored_policy(bucket):
    try:
        return json.loads(client().get_bucket_policy(Bucket=bucket)["Policy"])
    except client().exceptions.from_code("NoSuchBucketPolicy"):
        return None


def statements(policy):
    if policy is None:
        return []
    found = policy["Statement"]
    return found if isinstance(found, list) else [found]


def ours(policy):
    return [s for s in statements(policy) if str(s.get("Sid", "")).startswith("PresignGuard")]


def alice_statement(bucket):
    return {"Sid": "AliceMayRead", "Effect": "Allow", "Principal": {"AWS": [ALICE_ARN]},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/shared/*" % bucket}


def assert_foreign_kept(bucket, foreign):
    now = [s for s in statements(stored_policy(bucket)) if s.get("Sid") == foreign["Sid"]]
    assert now == [foreign], ("foreign statement changed", now)


# ---- scenarios ------------------------------------------------------------------------------

def test_revoke_kills_one_link_only():
    bucket = new_bucket()
    for key in ("report.pdf", "sibling.pdf"):
        put(bucket, key)
    link, sibling = signer_link(bucket, "report.pdf"), signer_link(bucket, "sibling.pdf")
    assert fetch("GET", link)[0] == 200
    started = time.monotonic()
    done = cli_s3("revoke", "--bucket", bucket, "--key", "report.pdf")
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    deadline = started + 5
    while fetch("GET", link)[0] != 403:
        assert time.monotonic() < deadline, "the revoked link still works after 5 s"
        time.sleep(0.2)
    print("# revoked and refused within %.2f s" % (time.monotonic() - started))
    assert fetch("GET", sibling)[0] == 200, "a link to another object must keep working"
    # The manager's own (header-signed) requests are not affected.
    assert client().get_object(Bucket=bucket, Key="report.pdf")["Body"].read() == b"content"


def test_unrevoke_restores():
    bucket = new_bucket()
    put(bucket, "a.txt")
    link = signer_link(bucket, "a.txt")
    cli_s3("revoke", "--bucket", bucket, "--key", "a.txt")
    assert fetch("GET", link)[0] == 403
    done = cli_s3("unrevoke", "--bucket", bucket, "--key", "a.txt")
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    assert fetch("GET", link)[0] == 200
    assert stored_policy(bucket) is None, "an empty policy is deleted, not written"


def test_upload_link_revoked():
    bucket = new_bucket()
    link = signer_link(bucket, "incoming/one.bin", "PUT")
    done = cli_s3("revoke", "--bucket", bucket, "--key", "incoming/one.bin", "--action", "put")
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    assert fetch("PUT", link, body=b"late")[0] == 403
    listed = client().list_objects_v2(Bucket=bucket).get("Contents", [])
    assert listed == [], ("the proof must not leave objects behind", listed)


def test_awkward_keys():
    bucket = new_bucket()
    for key in ("a b/c d.txt", "日本語/見積書 (最終).xlsx", "plus+and%percent.txt"):
        put(bucket, key)
        link = signer_link(bucket, key)
        cli_s3("revoke", "--bucket", bucket, "--key", key)
        assert fetch("GET", link)[0] == 403, key
    put(bucket, "other.txt")
    assert fetch("GET", signer_link(bucket, "other.txt"))[0] == 200


def test_foreign_statement_survives_everything():
    bucket = new_bucket()
    put(bucket, "shared/doc.txt", b"for alice")
    put(bucket, "secret.txt")
    foreign = alice_statement(bucket)
    client().put_bucket_policy(Bucket=bucket, Policy=json.dumps(
        {"Version": "2012-10-17", "Id": "keep", "Statement": [foreign]}))
    alice = client("ALICEKEY", "ALICESECRET")
    operations = [
        ("revoke", "--bucket", bucket, "--key", "secret.txt"),
        ("revoke", "--bucket", bucket, "--key", "secret.txt", "--action", "put"),
        ("lockdown", "on", "--bucket", bucket),
        ("lockdown", "off", "--bucket", bucket),
        ("unrevoke", "--bucket", bucket, "--key", "secret.txt"),
        ("policy", "prune", "--bucket", bucket),
        ("unrevoke", "--bucket", bucket, "--key", "secret.txt", "--action", "put"),
    ]
    for operation in operations:
        cli_s3(*operation)
        assert_foreign_kept(bucket, foreign)
        assert stored_policy(bucket).get("Id") == "keep"
        assert alice.get_object(Bucket=bucket, Key="shared/doc.txt")["Body"].read() == b"for alice"
    assert ours(stored_policy(bucket)) == [], ours(stored_policy(bucket))


def test_lockdown_signer():
    bucket = new_bucket()
    put(bucket, "one.txt")
    put(bucket, "two.txt")
    links = [signer_link(bucket, "one.txt"), signer_link(bucket, "two.txt")]
    upload = signer_link(bucket, "incoming/x", "PUT")
    done = cli_s3("lockdown", "on", "--bucket", bucket)
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    assert [fetch("GET", link)[0] for link in links] == [403, 403]
    assert fetch("PUT", upload, body=b"x")[0] == 403
    assert client().get_object(Bucket=bucket, Key="one.txt")["Body"].read() == b"content"
    cli_s3("lockdown", "off", "--bucket", bucket)
    assert [fetch("GET", link)[0] for link in links] == [200, 200]


def test_prune_removes_only_old():
    bucket = new_bucket()
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d")
    recent = (datetime.datetime.now(datetime.timezone.utc)
              - datetime.timedelta(days=3)).strftime("%Y%m%d")

    def dated(sid, key):
        statement = {"Sid": sid, "Effect": "Deny", "Principal": {"AWS": [SIGNER_ARN]},
                     "Action": "s3:PutObject" if "Put" in sid else "s3:GetObject",
                     "Resource": ["arn:aws:s3:::%s/%s" % (bucket, key)]}
        if "Query" in sid:
            statement["Condition"] = {"StringEquals": {"s3:authType": "REST-QUERY-STRING"}}
        return statement

    foreign = alice_statement(bucket)
    policy = {"Version": "2012-10-17", "Statement": [
        dated("PresignGuardRevokedGet20200101", "old"),
        foreign,
        dated("PresignGuardRevokedGet" + recent, "recent"),
        dated("PresignGuardRevokedGet" + today, "today"),
        dated("PresignGuardRevokedPutQuery20250101", "older"),
    ]}
    client().put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    cli_s3("policy", "prune", "--bucket", bucket)
    sids = [s.get("Sid") for s in statements(stored_policy(bucket))]
    assert sids == ["AliceMayRead", "PresignGuardRevokedGet" + recent,
                    "PresignGuardRevokedGet" + today], sids


def test_too_large_refused_unchanged():
    bucket = new_bucket()
    put(bucket, "k")
    filler = {"Sid": "BigForeign", "Effect": "Allow", "Principal": {"AWS": [ALICE_ARN]},
              "Action": "s3:GetObject", "Resource": []}
    document = ""
    while len(document) < 19400:
        filler["Resource"].append("arn:aws:s3:::%s/f/%04d-%s"
                                  % (bucket, len(filler["Resource"]), "x" * 80))
        document = json.dumps({"Version": "2012-10-17", "Statement": [filler]},
                              separators=(",", ":"))
    assert 19000 < len(document) < 20480, len(document)
    client().put_bucket_policy(Bucket=bucket, Policy=document)
    before = stored_policy(bucket)
    done = cli_s3("revoke", "--bucket", bucket, "--key", "k" * 900, check=False)
    assert done.returncode == 1, done
    assert done.stderr.startswith("presign-guard-cli: ") and "20480" in done.stderr, done.stderr
    assert stored_policy(bucket) == before, "a refused change must leave the policy unchanged"


def test_clear_errors():
    bucket = new_bucket()
    wrong = dict(ENV, AWS_SECRET_ACCESS_KEY="WRONGSECRET")
    done = cli_s3("revoke", "--bucket", bucket, "--key", "k", env=wrong, check=False)
    assert done.returncode == 1 and "secret key does not match" in done.stderr, done.stderr
    done = cli_s3("revoke", "--bucket", "pg-no-such-bucket-here", "--key", "k", check=False)
    assert done.returncode == 1 and "does not exist" in done.stderr, done.stderr
    done = cli("revoke", "--endpoint", "http://127.0.0.1:9", "--path-style", "--signer-arn",
               SIGNER_ARN, "--bucket", bucket, "--key", "k", check=False)
    assert done.returncode == 1 and "Cannot reach the server" in done.stderr, done.stderr
    unknown = dict(ENV, AWS_ACCESS_KEY_ID="NOSUCHKEY")
    done = cli_s3("ls", "--bucket", bucket, env=unknown, check=False)
    assert done.returncode == 1 and "does not know the access key" in done.stderr, done.stderr
    for result in (done,):
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_same_identity_refused_here():
    bucket = new_bucket()
    same = {k: v for k, v in ENV.items() if not k.startswith("PG_SIGNER_")}
    done = cli("revoke", *COMMON, "--signer-arn", "arn:aws:iam:::user/owner", "--bucket", bucket,
               "--key", "k", env=same, check=False)
    assert done.returncode == 1 and "separate signing key" in done.stderr, done.stderr
    assert stored_policy(bucket) is None


def test_lockdown_any_is_aws_only():
    bucket = new_bucket()
    done = cli_s3("lockdown", "on", "--mode", "any", "--bucket", bucket, check=False)
    assert done.returncode == 1 and "Amazon S3 only" in done.stderr, done.stderr
    assert stored_policy(bucket) is None


def test_signer_identity_needed_here():
    bucket = new_bucket()
    done = cli("revoke", *COMMON, "--bucket", bucket, "--key", "k", check=False)
    assert done.returncode == 1 and "--signer-arn" in done.stderr, done.stderr


def test_multipart_upload_and_listing():
    bucket = new_bucket()
    with tempfile.NamedTemporaryFile() as handle:
        data = os.urandom(12 * 1024 * 1024 + 12345)
        handle.write(data)
        handle.flush()
        cli("upload", handle.name, *COMMON, "--bucket", bucket, "--key", "big/file.bin",
            "--multipart-threshold", str(5 * 1024 * 1024))
    stored = client().get_object(Bucket=bucket, Key="big/file.bin")
    assert hashlib.sha256(stored["Body"].read()).digest() == hashlib.sha256(data).digest()
    # ETag of a multipart object ends in "-<parts>".
    assert stored["ETag"].strip('"').endswith("-3"), stored["ETag"]
    for i in range(3):
        put(bucket, "dir/f%d" % i)
    listing = cli("ls", *COMMON, "--bucket", bucket, "--prefix", "dir/").stdout.splitlines()
    assert [line.split("\t")[2] for line in listing] == ["dir/f0", "dir/f1", "dir/f2"], listing
    top = cli("ls", *COMMON, "--bucket", bucket, "--delimiter", "/").stdout.splitlines()
    assert [line.split("\t")[2] for line in top] == ["big/", "dir/"], top


def test_share_again_under_new_key():
    bucket = new_bucket()
    put(bucket, "contract.pdf", b"v1")
    link = signer_link(bucket, "contract.pdf")
    cli_s3("revoke", "--bucket", bucket, "--key", "contract.pdf")
    cli("cp", *COMMON, "--bucket", bucket, "--key", "contract.pdf", "--to", "contract-2.pdf")
    fresh = signer_link(bucket, "contract-2.pdf")
    assert fetch("GET", link)[0] == 403, "the leaked link stays dead"
    assert fetch("GET", fresh) == (200, b"v1"), "the copy is shared afresh"
    cli("rm", *COMMON, "--bucket", bucket, "--key", "contract-2.pdf")
    assert fetch("GET", fresh)[0] == 404
    done = cli("rm", *COMMON, "--bucket", "pg-no-such-bucket-here", "--key", "x", check=False)
    assert done.returncode == 1 and "does not exist" in done.stderr, done.stderr


TESTS = [
    test_share_again_under_new_key,
    test_revoke_kills_one_link_only,
    test_unrevoke_restores,
    test_upload_link_revoked,
    test_awkward_keys,
    test_foreign_statement_survives_everything,
    test_lockdown_signer,
    test_prune_removes_only_old,
    test_too_large_refused_unchanged,
    test_clear_errors,
    test_same_identity_refused_here,
    test_lockdown_any_is_aws_only,
    test_signer_identity_needed_here,
    test_multipart_upload_and_listing,
]


def main():
    print("1..%d" % len(TESTS))
    failures = 0
    for number, test in enumerate(TESTS, 1):
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


if __name__ == "__main__":
    sys.exit(main())

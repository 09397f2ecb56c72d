#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Revocation on a real S3 server that enforces bucket policies (Ceph RADOS Gateway).

Identities of s3-server.sh: "owner" manages the bucket (AWS_*), its subuser "owner:presign"
signs links (PG_SIGNER_*), "alice" is somebody else. Every operation goes through
presign-guard-cli; botocore (an independent client) sets up buckets, plants foreign policy
statements and checks what is stored. Output is TAP.
"""

import concurrent.futures
import datetime
import hashlib
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

import botocore.session
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

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


def test_revoke_by_url():
    """A pasted link is revoked as what it is; a link of another key changes nothing."""
    bucket = new_bucket()
    put(bucket, "report.pdf")
    link = signer_link(bucket, "report.pdf")
    done = cli_s3("revoke", "--url", link)
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    assert "revoked %s/report.pdf (get)" % bucket in done.stdout, done.stdout
    assert "Every link of the signing key" in done.stderr, done.stderr
    assert fetch("GET", link)[0] == 403
    assert cli_s3("unrevoke", "--url", link).stdout.strip().splitlines()[-1] == "verified"
    assert fetch("GET", link)[0] == 200

    before = stored_policy(bucket)
    managers = cli("presign", *COMMON, "--method", "GET", "--bucket", bucket, "--key",
                   "report.pdf", "--expires", "900").stdout.strip()
    done = cli_s3("revoke", "--url", managers, check=False)
    assert done.returncode == 1 and "not with the signing key" in done.stderr, done.stderr
    assert stored_policy(bucket) == before


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
    # "." and ".." segments are part of a key in S3: uploaded, linked (browsers and curl would
    # resolve them: the link writes them encoded), listed and revoked as they are.
    keys = ("a b/c d.txt", "日本語/見積書 (最終).xlsx", "plus+and%percent.txt",
            "reports/../secret.pdf", "a/./b.txt", "../up.txt")
    with tempfile.NamedTemporaryFile() as handle:
        handle.write(b"awkward")
        handle.flush()
        for key in keys:
            cli("upload", handle.name, *COMMON, "--bucket", bucket, "--key", key)
    for key in keys:
        link = signer_link(bucket, key)
        assert fetch("GET", link) == (200, b"awkward"), (key, link)
        done = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", link],
                              capture_output=True, text=True, check=False)
        assert done.stdout == "200", ("curl", key, done.stdout)
        cli_s3("revoke", "--bucket", bucket, "--key", key)
        assert fetch("GET", link)[0] == 403, key
    listed = sorted(o["Key"] for o in client().list_objects_v2(Bucket=bucket)["Contents"])
    assert listed == sorted(keys), listed
    put(bucket, "other.txt")
    assert fetch("GET", signer_link(bucket, "other.txt"))[0] == 200


def test_wildcard_keys_refused_here():
    """This server reads * and ? in a policy Resource as wildcards: never a silent over-revoke."""
    bucket = new_bucket()
    put(bucket, "report*.pdf")
    put(bucket, "report-2026.pdf")
    sibling = signer_link(bucket, "report-2026.pdf")
    done = cli_s3("revoke", "--bucket", bucket, "--key", "report*.pdf", check=False)
    assert done.returncode == 1 and "wildcards" in done.stderr, done.stderr
    assert "verified" not in done.stdout
    assert stored_policy(bucket) is None
    assert fetch("GET", sibling)[0] == 200


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


# ---- truthful revocation: concurrency, proofs, ownership, input -----------------------------

def revoked_resources(bucket, action="s3:GetObject"):
    found = set()
    for statement in ours(stored_policy(bucket)):
        if statement.get("Action") == action:
            resources = statement["Resource"]
            found.update([resources] if isinstance(resources, str) else resources)
    return found


def spawn(command, *args, env=None):
    return subprocess.Popen([CLI, command, *COMMON, "--signer-arn", SIGNER_ARN, *args],
                            env=env or ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def verified(process):
    out, err = process.communicate(timeout=180)
    lines = out.strip().splitlines()
    return bool(lines) and lines[-1] == "verified", out, err


def test_concurrent_revokes_lose_nothing():
    bucket = new_bucket()
    keys = ["file-%d.txt" % i for i in range(50)]
    for key in keys:
        put(bucket, key)
    links = {key: signer_link(bucket, key) for key in keys}
    claimed = 0
    for round_number in range(10):
        batch = keys[round_number * 5:round_number * 5 + 5]
        processes = [(key, spawn("revoke", "--bucket", bucket, "--key", key)) for key in batch]
        for key, process in processes:
            ok, out, err = verified(process)
            assert ok, ("a revoke did not verify", key, out, err)
            claimed += 1
            assert fetch("GET", links[key])[0] == 403, ("verified, yet the link works", key)
        stored = revoked_resources(bucket)
        lost = [k for k in keys[:round_number * 5 + 5]
                if "arn:aws:s3:::%s/%s" % (bucket, k) not in stored]
        assert lost == [], ("revocations lost from the policy", lost)
    print("# 10 rounds of 5 concurrent revokes: %d verified, 0 lost" % claimed)


def test_lockdown_races_revokes():
    bucket = new_bucket()
    put(bucket, "any.txt")
    probe_link = signer_link(bucket, "any.txt")
    for round_number in range(10):
        keys = ["r%d-%d.txt" % (round_number, i) for i in range(3)]
        for key in keys:
            put(bucket, key)
        processes = [spawn("lockdown", "on", "--bucket", bucket)]
        processes += [spawn("revoke", "--bucket", bucket, "--key", key) for key in keys]
        results = [verified(process) for process in processes]
        assert all(ok for ok, _, _ in results), results
        sids = [s.get("Sid") for s in ours(stored_policy(bucket))]
        assert "PresignGuardLockdownSigner" in sids, ("the lockdown was lost", sids)
        stored = revoked_resources(bucket)
        for key in keys:
            assert "arn:aws:s3:::%s/%s" % (bucket, key) in stored, ("lost", key)
        assert fetch("GET", probe_link)[0] == 403
        cli_s3("lockdown", "off", "--bucket", bucket)
        assert fetch("GET", probe_link)[0] == 200


def test_wrong_signer_secret_claims_nothing():
    bucket = new_bucket()
    put(bucket, "k.txt")
    foreign = alice_statement(bucket)
    client().put_bucket_policy(Bucket=bucket, Policy=json.dumps(
        {"Version": "2012-10-17", "Statement": [foreign]}))
    before = stored_policy(bucket)
    wrong = dict(ENV, PG_SIGNER_SECRET_ACCESS_KEY="NOTTHESECRET")
    for arguments in (("revoke", "--bucket", bucket, "--key", "k.txt"),
                      ("revoke", "--bucket", bucket, "--key", "k.txt", "--action", "put"),
                      ("lockdown", "on", "--bucket", bucket)):
        started = time.monotonic()
        done = cli_s3(*arguments, env=wrong, check=False)
        assert done.returncode == 1, done
        assert "verified" not in done.stdout, done.stdout
        assert "secret key does not match" in done.stderr, done.stderr
        assert "Nothing was changed" in done.stderr, done.stderr
        assert stored_policy(bucket) == before, "nothing may be written"
        assert time.monotonic() - started < 10
    assert fetch("GET", signer_link(bucket, "k.txt"))[0] == 200


def test_wrong_signer_arn_claims_nothing():
    bucket = new_bucket()
    put(bucket, "k.txt")
    link = signer_link(bucket, "k.txt")
    done = cli("revoke", *COMMON, "--signer-arn", ALICE_ARN, "--verify-timeout", "3",
               "--bucket", bucket, "--key", "k.txt", check=False)
    assert done.returncode == 1, done
    assert "verified" not in done.stdout.split(), done.stdout
    assert ALICE_ARN in done.stderr and "ARN" in done.stderr, done.stderr
    assert fetch("GET", link)[0] == 200


LOOKALIKES = [
    # an Allow, another bucket, another action, a wildcard principal, a foreign condition, a
    # query-only Sid without its condition, an extra member, lockdowns that allow or cover less
    lambda b, d: {"Sid": "PresignGuardRevokedGet" + d, "Effect": "Allow",
                  "Principal": {"AWS": [ALICE_ARN]}, "Action": "s3:GetObject",
                  "Resource": ["arn:aws:s3:::%s/open.txt" % b]},
    lambda b, d: {"Sid": "PresignGuardRevokedGet" + d, "Effect": "Deny",
                  "Principal": {"AWS": [SIGNER_ARN]}, "Action": "s3:GetObject",
                  "Resource": ["arn:aws:s3:::some-other-bucket/theirs"]},
    lambda b, d: {"Sid": "PresignGuardRevokedPut" + d, "Effect": "Deny",
                  "Principal": {"AWS": [SIGNER_ARN]}, "Action": "s3:DeleteObject",
                  "Resource": ["arn:aws:s3:::%s/theirs" % b]},
    lambda b, d: {"Sid": "PresignGuardRevokedGet" + d, "Effect": "Deny", "Principal": "*",
                  "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::%s/theirs" % b]},
    lambda b, d: {"Sid": "PresignGuardRevokedGet" + d, "Effect": "Deny",
                  "Principal": {"AWS": [SIGNER_ARN]}, "Action": "s3:GetObject",
                  "Resource": ["arn:aws:s3:::%s/theirs" % b],
                  "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
    lambda b, d: {"Sid": "PresignGuardRevokedGetQuery" + d, "Effect": "Deny",
                  "Principal": {"AWS": [SIGNER_ARN]}, "Action": "s3:GetObject",
                  "Resource": ["arn:aws:s3:::%s/theirs" % b]},
    lambda b, d: {"Sid": "PresignGuardLockdownSigner", "Effect": "Allow",
                  "Principal": {"AWS": [ALICE_ARN]}, "Action": ["s3:GetObject", "s3:PutObject"],
                  "Resource": "arn:aws:s3:::%s/*" % b},
    lambda b, d: {"Sid": "PresignGuardLockdownSigner", "Effect": "Deny",
                  "Principal": {"AWS": [SIGNER_ARN]}, "Action": ["s3:GetObject", "s3:PutObject"],
                  "Resource": "arn:aws:s3:::%s/public/*" % b},
]


def lookalikes_survive(bucket, planted):
    client().put_bucket_policy(Bucket=bucket, Policy=json.dumps(
        {"Version": "2012-10-17", "Statement": planted}))
    for operation in (("revoke", "--bucket", bucket, "--key", "k"),
                      ("revoke", "--bucket", bucket, "--key", "up", "--action", "put"),
                      ("lockdown", "on", "--bucket", bucket),
                      ("lockdown", "off", "--bucket", bucket),
                      ("unrevoke", "--bucket", bucket, "--key", "k"),
                      ("unrevoke", "--bucket", bucket, "--key", "up", "--action", "put"),
                      ("policy", "prune", "--bucket", bucket)):
        cli_s3(*operation)
        assert [s for s in statements(stored_policy(bucket)) if s in planted] == planted, \
            ("a lookalike changed", operation, stored_policy(bucket))
    assert statements(stored_policy(bucket)) == planted


def test_lookalikes_survive_everything():
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d")
    groups = []
    for date in (today, "20200101"):
        # Sids are unique within a policy: lookalikes of one Sid go into different buckets.
        pending = list(LOOKALIKES)
        while pending:
            group, seen = [], set()
            for make in list(pending):
                sid = make("x", date)["Sid"]
                if sid not in seen:
                    seen.add(sid)
                    group.append(make)
                    pending.remove(make)
            groups.append((date, group))
    buckets = [new_bucket() for _ in groups]
    for bucket in buckets:
        put(bucket, "k")
    planted = [[make(bucket, date) for make in group]
               for (date, group), bucket in zip(groups, buckets)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(buckets)) as pool:
        for future in [pool.submit(lookalikes_survive, b, p) for b, p in zip(buckets, planted)]:
            future.result()
    print("# %d lookalikes in %d buckets kept through 7 operations each"
          % (sum(len(p) for p in planted), len(planted)))


def test_invalid_input_changes_nothing():
    bucket = new_bucket()
    foreign = alice_statement(bucket)
    client().put_bucket_policy(Bucket=bucket, Policy=json.dumps(
        {"Version": "2012-10-17", "Statement": [foreign]}))
    before = stored_policy(bucket)
    for arguments in (("--bucket", bucket, "--key", ""),
                      ("--bucket", bucket, "--key", "k" * 1025),
                      ("--bucket", "Not A Bucket!", "--key", "k")):
        done = cli_s3("revoke", *arguments, check=False)
        assert done.returncode != 0, done
        assert "verified" not in done.stdout, done.stdout
        assert done.stderr.startswith("presign-guard-cli: "), done.stderr
        assert stored_policy(bucket) == before, arguments
    done = cli("revoke", *COMMON, "--signer-arn", "not-an-arn", "--bucket", bucket, "--key", "k",
               check=False)
    assert done.returncode == 1 and "ARN" in done.stderr, done.stderr
    assert stored_policy(bucket) == before
    keys = [o["Key"] for o in client().list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == [], ("nothing may be written, not even the lease", keys)


def test_stale_lease_taken_over():
    bucket = new_bucket()
    put(bucket, "k.txt")
    put(bucket, "k2.txt")
    # A lease whose holder died long ago, and one that is about to run out.
    client().put_object(Bucket=bucket, Key=".presign-guard/lock", Body=json.dumps(
        {"owner": "dead", "host": "gone", "purpose": "revoke", "expires": 1}).encode())
    done = cli_s3("revoke", "--bucket", bucket, "--key", "k.txt")
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    expires = int(time.time()) + 3
    client().put_object(Bucket=bucket, Key=".presign-guard/lock", Body=json.dumps(
        {"owner": "busy", "host": "elsewhere", "purpose": "revoke", "expires": expires}).encode())
    started = time.monotonic()
    done = cli_s3("revoke", "--bucket", bucket, "--key", "k2.txt")
    waited = time.monotonic() - started
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    assert waited > 1.5, ("a lease that had not run out was taken", waited)
    keys = [o["Key"] for o in client().list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == ["k.txt", "k2.txt"], ("the lease is released", keys)


def test_lease_not_writable_falls_back():
    bucket = new_bucket()
    put(bucket, "k.txt")
    link = signer_link(bucket, "k.txt")
    # The managing key may not write the lease object: a foreign statement says so.
    deny = {"Sid": "NoLockHere", "Effect": "Deny", "Principal": {"AWS": ["arn:aws:iam:::user/owner"]},
            "Action": "s3:PutObject", "Resource": "arn:aws:s3:::%s/.presign-guard/*" % bucket}
    client().put_bucket_policy(Bucket=bucket, Policy=json.dumps(
        {"Version": "2012-10-17", "Statement": [deny]}))
    done = cli_s3("revoke", "--bucket", bucket, "--key", "k.txt")
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    assert "note:" in done.stderr and ".presign-guard/lock" in done.stderr, done.stderr
    assert fetch("GET", link)[0] == 403
    assert [s for s in statements(stored_policy(bucket)) if s.get("Sid") == "NoLockHere"] == [deny]


TESTS = [
    test_share_again_under_new_key,
    test_revoke_kills_one_link_only,
    test_unrevoke_restores,
    test_revoke_by_url,
    test_upload_link_revoked,
    test_awkward_keys,
    test_wildcard_keys_refused_here,
    test_foreign_statement_survives_everything,
    test_lockdown_signer,
    test_prune_removes_only_old,
    test_too_large_refused_unchanged,
    test_clear_errors,
    test_same_identity_refused_here,
    test_lockdown_any_is_aws_only,
    test_signer_identity_needed_here,
    test_multipart_upload_and_listing,
    test_concurrent_revokes_lose_nothing,
    test_lockdown_races_revokes,
    test_wrong_signer_secret_claims_nothing,
    test_wrong_signer_arn_claims_nothing,
    test_lookalikes_survive_everything,
    test_invalid_input_changes_nothing,
    test_stale_lease_taken_over,
    test_lease_not_writable_falls_back,
]


if __name__ == "__main__":
    sys.exit(tap.run(TESTS))

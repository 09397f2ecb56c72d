#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Who may write what, and room for the emergency stop, on a real S3 server with STS (Ceph RADOS
Gateway, PG_S3_STS=1): the signing key and the signing role's sessions may not write our folder;
a bucket policy filled with revocations still takes the lockdown; hundreds of revoked session
links fit. Identities as in test-rgw-per-link.py. Output is TAP.
"""

import http.client
import json
import os
import re
import subprocess
import sys
import urllib.parse
import uuid

import botocore.session
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

CLI = os.environ.get("PG_CLI", "presign-guard-cli")
ENDPOINT = os.environ["PG_TEST_STS_ENDPOINT"]
SIGNER_ARN = "arn:aws:iam:::user/owner:presign"
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="OWNERKEY", AWS_SECRET_ACCESS_KEY="OWNERSECRET",
           PG_SIGNER_ACCESS_KEY_ID="PRESIGNKEY", PG_SIGNER_SECRET_ACCESS_KEY="PRESIGNSECRET")
ENV.pop("AWS_SESSION_TOKEN", None)
COMMON = ["--endpoint", ENDPOINT, "--path-style", "--region", "us-east-1"]
MAX_BYTES, ROOM = 20480, 1024
STATE = {}


def client(key="OWNERKEY", secret="OWNERSECRET", token=None, service="s3"):
    return botocore.session.get_session().create_client(
        service, region_name="us-east-1", endpoint_url=ENDPOINT, aws_access_key_id=key,
        aws_secret_access_key=secret, aws_session_token=token,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                      retries={"max_attempts": 1}))


def cli(*args, check=True):
    done = subprocess.run([CLI, *args], env=ENV, capture_output=True, text=True, timeout=120,
                          check=False)
    if check and done.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (args[0], done.returncode, done.stderr))
    return done


def last_line(done):
    return done.stdout.strip().splitlines()[-1]


def fetch(url):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", parts.path + "?" + parts.query)
        return connection.getresponse().status
    finally:
        connection.close()


def code_of(call):
    try:
        call()
        return 200
    except client().exceptions.ClientError as error:
        return error.response["Error"]["Code"]


def stored_policy(bucket):
    return json.loads(client().get_bucket_policy(Bucket=bucket)["Policy"])


def per_link(key):
    return last_line(cli("presign", *COMMON, "--per-link", "--role-arn", STATE["role"],
                         "--method", "GET", "--bucket", STATE["bucket"], "--key", key,
                         "--expires", "3600"))


def signer_link(key):
    return last_line(cli("presign", *COMMON, "--signer", "--method", "GET", "--bucket",
                         STATE["bucket"], "--key", key, "--expires", "900"))


def session_name(url):
    looked = cli("inspect", url, *COMMON, "--look-up").stdout
    return re.search(r"session: \S+/([^/\s]+)", looked).group(1)


# ---- scenarios ------------------------------------------------------------------------------

def test_signers_may_not_write_our_folder():
    bucket = "pg-trust-" + uuid.uuid4().hex[:10]
    cli("mb", *COMMON, "--bucket", bucket)
    STATE["bucket"] = bucket
    for key in ("a.txt", "b.txt"):
        client().put_object(Bucket=bucket, Key=key, Body=b"content")
    STATE["role"] = last_line(cli("setup", "signer-role", *COMMON, "--signer-arn", SIGNER_ARN,
                                  "--bucket", bucket, "--role-name",
                                  "pg-trust-" + uuid.uuid4().hex[:6]))
    # The first write of ours names the signer in the standing statement.
    assert last_line(cli("revoke", *COMMON, "--signer-arn", SIGNER_ARN, "--bucket", bucket,
                         "--key", "a.txt")) == "verified"
    shown = cli("policy", "show", *COMMON, "--bucket", bucket).stdout
    assert "PresignGuardSignersMayNotWrite" in shown, shown

    signer = client("PRESIGNKEY", "PRESIGNSECRET")
    role = client("PRESIGNKEY", "PRESIGNSECRET", service="sts").assume_role(
        RoleArn=STATE["role"], RoleSessionName="pg-trust-probe", DurationSeconds=900)
    credentials = role["Credentials"]
    session = client(credentials["AccessKeyId"], credentials["SecretAccessKey"],
                     credentials["SessionToken"])
    for name, who in (("signing key", signer), ("role session", session)):
        for key in (".presign-guard/lock", ".presign-guard/links/forged.json"):
            put = code_of(lambda: who.put_object(Bucket=bucket, Key=key, Body=b"{}"))
            delete = code_of(lambda: who.delete_object(Bucket=bucket, Key=key))
            assert (put, delete) == ("AccessDenied", "AccessDenied"), (name, key, put, delete)
    # Who used which link is the managing key's to read: a role session may not.
    client().put_object(Bucket=bucket, Key=".presign-guard/activity/x.json", Body=b"{}")
    assert code_of(lambda: session.get_object(Bucket=bucket,
                                              Key=".presign-guard/activity/x.json")) \
        == "AccessDenied"
    assert code_of(lambda: session.get_object(Bucket=bucket, Key="b.txt")) == 200
    # Elsewhere the signing key still may (its links are what it is for).
    assert code_of(lambda: signer.put_object(Bucket=bucket, Key="in/x", Body=b"x")) == 200
    # The lease of the managing key still works: another revoke goes through.
    assert last_line(cli("revoke", *COMMON, "--signer-arn", SIGNER_ARN, "--bucket", bucket,
                         "--key", "b.txt")) == "verified"
    print("# signing key and role session: 403 on PUT and DELETE under .presign-guard/")


def test_full_policy_still_takes_the_lockdown():
    bucket = STATE["bucket"]
    policy = stored_policy(bucket)
    revoked = [s for s in policy["Statement"] if s["Sid"].startswith("PresignGuardRevokedGet")]
    assert len(revoked) == 1, policy
    # Filled as revokes would fill it (our statement, our marker), a few bytes short of the room.
    n = 0
    while len(json.dumps(policy, separators=(",", ":"))) < MAX_BYTES - ROOM - 40:
        revoked[0]["Resource"].append("arn:aws:s3:::%s/f/%05d" % (bucket, n))
        n += 1
    client().put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy, separators=(",", ":")))
    before = stored_policy(bucket)
    done = cli("revoke", *COMMON, "--signer-arn", SIGNER_ARN, "--bucket", bucket, "--key",
               "k" * 200, check=False)
    assert done.returncode == 1 and "lockdown" in done.stderr, done.stderr
    assert stored_policy(bucket) == before, "a refused revoke must leave the policy unchanged"

    plain = signer_link("b.txt")
    session = per_link("b.txt")
    assert fetch(session) == 200
    done = cli("lockdown", "on", *COMMON, "--signer-arn", SIGNER_ARN, "--bucket", bucket,
               "--role-arn", STATE["role"])
    assert last_line(done) == "verified", done.stdout + done.stderr
    assert (fetch(plain), fetch(session)) == (403, 403)
    size = len(client().get_bucket_policy(Bucket=bucket)["Policy"])
    assert size <= MAX_BYTES, size
    print("# %d revoked files filled the policy; lockdown with the role fits: %d bytes"
          % (n + 2, size))
    assert last_line(cli("lockdown", "off", *COMMON, "--signer-arn", SIGNER_ARN, "--bucket",
                         bucket)) == "verified"


def test_500_revoked_session_links_fit():
    # The signing role may read this bucket only: its policy starts afresh.
    bucket = STATE["bucket"]
    client().delete_bucket_policy(Bucket=bucket)
    client().put_object(Bucket=bucket, Key="c.txt", Body=b"content")
    links = [per_link("c.txt") for _ in range(3)]
    assert [fetch(link) for link in links] == [200, 200, 200]
    # Revoked through the CLI: one merged statement of our format.
    done = cli("revoke", *COMMON, "--url", links[0])
    assert last_line(done) == "verified", done.stdout + done.stderr
    policy = stored_policy(bucket)
    merged = [s for s in policy["Statement"]
              if s["Sid"].startswith("PresignGuardRevokedSessionsUntil")]
    assert len(merged) == 1, policy
    patterns = merged[0]["Condition"]["StringLike"]["aws:userid"]
    # 500 more sessions join it, the second link's among them; the third stays out.
    second = session_name(links[1])
    patterns.append("*:%s*" % second[:16])
    while len(patterns) < 501:
        patterns.append("*:pg-%s*" % str(uuid.uuid4())[:13])
    document = json.dumps(policy, separators=(",", ":"))
    client().put_bucket_policy(Bucket=bucket, Policy=document)
    assert len(document) <= MAX_BYTES - ROOM, len(document)
    assert [fetch(link) for link in links] == [403, 403, 200]
    # Another revoke through the CLI joins the same statement, and fits.
    done = cli("revoke", *COMMON, "--url", links[2])
    assert last_line(done) == "verified", done.stdout + done.stderr
    assert fetch(links[2]) == 403
    size = len(client().get_bucket_policy(Bucket=bucket)["Policy"])
    print("# 502 revoked session links in %d bytes (%.1f a link)" % (size, size / 502))



def test_mb_says_what_is_there():
    # Ceph answers a second creation of one's own bucket with 200: mb looks first.
    bucket = STATE["bucket"]
    again = cli("mb", *COMMON, "--bucket", bucket)
    assert again.stdout == "already exists %s\n" % bucket, again.stdout
    # Somebody else's bucket: refused, in words, and nothing changes.
    theirs = subprocess.run([CLI, "mb", *COMMON, "--bucket", bucket], capture_output=True,
                            text=True, timeout=60, check=False,
                            env=dict(ENV, AWS_ACCESS_KEY_ID="ALICEKEY",
                                     AWS_SECRET_ACCESS_KEY="ALICESECRET"))
    assert theirs.returncode == 1, theirs.stdout + theirs.stderr
    assert "taken by somebody else" in theirs.stderr, theirs.stderr
    assert theirs.stdout == "", theirs.stdout
    fresh = "pg-trust-" + uuid.uuid4().hex[:10]
    assert cli("mb", *COMMON, "--bucket", fresh).stdout == "created %s\n" % fresh
    print("# mb: created, already exists (yours), taken (somebody else's)")



def test_signing_key_is_the_admins_on_ceph():
    # setup signer-user makes an IAM user on AWS; Ceph's IAM makes no users: said, with the
    # administrator's command, and nothing is printed as a key.
    done = cli("setup", "signer-user", *COMMON, "--bucket", STATE["bucket"], check=False)
    assert done.returncode == 1 and done.stdout == "", done.stdout + done.stderr
    assert "radosgw-admin subuser create" in done.stderr, done.stderr
    printed = cli("setup", "signer-user", *COMMON, "--bucket", STATE["bucket"], "--print").stdout
    permissions = json.loads(printed.splitlines()[1])
    assert permissions["Statement"][2] == {
        "Effect": "Deny", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::%s/.presign-guard/activity/*" % STATE["bucket"]}, printed
    assert permissions["Statement"][3]["Action"] == "sts:GetFederationToken", printed


if __name__ == "__main__":
    sys.exit(tap.run([test_signers_may_not_write_our_folder,
                      test_full_policy_still_takes_the_lockdown,
                      test_500_revoked_session_links_fit,
                      test_mb_says_what_is_there,
                      test_signing_key_is_the_admins_on_ceph]))

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Links revoked one by one, on a real S3 server with STS (Ceph RADOS Gateway, PG_S3_STS=1).

Identities of s3-server.sh: "owner" manages the bucket and may create roles (AWS_*), its
subuser "owner:presign" signs links (PG_SIGNER_*). Every operation goes through
presign-guard-cli; botocore (an independent client) puts files and reads what is stored; plain
HTTP fetches the links. Output is TAP.
"""

import http.client
import json
import os
import subprocess
import sys
import time
import urllib.parse
import uuid

import botocore.session
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lines  # noqa: E402
import tap  # noqa: E402

CLI = os.environ.get("PG_CLI", "presign-guard-cli")
ENDPOINT = os.environ["PG_TEST_STS_ENDPOINT"]
SIGNER_ARN = "arn:aws:iam:::user/owner:presign"
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="OWNERKEY", AWS_SECRET_ACCESS_KEY="OWNERSECRET",
           PG_SIGNER_ACCESS_KEY_ID="PRESIGNKEY", PG_SIGNER_SECRET_ACCESS_KEY="PRESIGNSECRET")
ENV.pop("AWS_SESSION_TOKEN", None)
COMMON = ["--endpoint", ENDPOINT, "--path-style", "--region", "us-east-1"]
STATE = {}


def client():
    return botocore.session.get_session().create_client(
        "s3", region_name="us-east-1", endpoint_url=ENDPOINT,
        aws_access_key_id="OWNERKEY", aws_secret_access_key="OWNERSECRET",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                      retries={"max_attempts": 1}))


def cli(*args, check=True):
    done = subprocess.run([CLI, *args], env=ENV, capture_output=True, text=True, timeout=120,
                          check=False)
    if check and done.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (args[0], done.returncode, done.stderr))
    return done


def fetch(url):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", parts.path + "?" + parts.query)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def error_code(body):
    text = body.decode("utf-8", "replace")
    start = text.find("<Code>")
    return text[start + 6:text.find("</Code>")] if start >= 0 else text[:80]


def per_link(bucket, key, expires="3600", *extra, check=True):
    return cli("presign", *COMMON, "--per-link", "--role-arn", STATE["role"], "--method", "GET",
               "--bucket", bucket, "--key", key, "--expires", expires, *extra, check=check)


def setup():
    bucket = "pg-per-link-" + uuid.uuid4().hex[:10]
    cli("mb", *COMMON, "--bucket", bucket)
    STATE["bucket"] = bucket
    for key in ("contract.pdf", "契約書 +100%.pdf"):
        client().put_object(Bucket=bucket, Key=key, Body=("content of " + key).encode())


# ---- scenarios ------------------------------------------------------------------------------

def test_setup_signer_role():
    done = cli("setup", "signer-role", *COMMON, "--signer-arn", SIGNER_ARN,
               "--bucket", STATE["bucket"], "--role-name", "pg-links-" + uuid.uuid4().hex[:6])
    role = done.stdout.strip().splitlines()[-1]
    assert role.startswith("arn:aws:iam:::role/pg-links-"), done.stdout
    STATE["role"] = role
    # Made again: the same role, not an error.
    again = cli("setup", "signer-role", *COMMON, "--signer-arn", SIGNER_ARN,
                "--bucket", STATE["bucket"], "--role-name", role.rsplit("/", 1)[1])
    assert again.stdout.strip() == role, again.stdout
    printed = cli("setup", "signer-role", *COMMON, "--signer-arn", SIGNER_ARN,
                  "--bucket", STATE["bucket"], "--print").stdout
    trust, permissions = [json.loads(line) for line in printed.splitlines()
                          if line.startswith("{")]
    assert trust["Statement"][0]["Principal"]["AWS"] == [SIGNER_ARN], trust
    assert permissions["Statement"][0]["Resource"] == [
        "arn:aws:s3:::%s/*" % STATE["bucket"]], permissions
    assert " " not in printed.splitlines()[1], "Ceph's IAM refuses JSON with spaces"



def test_check_proves_the_role():
    # Test Connection with the role: a session of it, revoked alone, must stop its link.
    done = cli("check", *COMMON, "--bucket", STATE["bucket"], "--signer-arn", SIGNER_ARN,
               "--role-arn", STATE["role"], check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "\nok      role     Links signed one by one work" in done.stdout, done.stdout
    # A role the signing key may not assume: said, and the check fails.
    wrong = cli("check", *COMMON, "--bucket", STATE["bucket"], "--signer-arn", SIGNER_ARN,
                "--role-arn", STATE["role"] + "-nope", check=False)
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    assert "\nfailed  role     The signing key cannot start a session of the signing role" \
        in wrong.stdout, wrong.stdout
    # Nothing of the test is left: no test file, the policy as it was.
    listed = cli("ls", *COMMON, "--bucket", STATE["bucket"], "--prefix", ".presign-guard/",
                 check=False).stdout
    assert "check-" not in listed, listed


def test_revoke_one_of_two_links():
    bucket = STATE["bucket"]
    a = per_link(bucket, "contract.pdf")
    b = per_link(bucket, "contract.pdf")
    url_a, url_b = a.stdout.strip().splitlines()[-1], b.stdout.strip().splitlines()[-1]
    assert "X-Amz-Security-Token=" in url_a and url_a != url_b
    assert "Only this link can be revoked" in a.stderr, a.stderr
    assert fetch(url_a) == (200, b"content of contract.pdf")
    assert fetch(url_b)[0] == 200
    STATE["links"] = (url_a, url_b)
    # inspect stays offline unless asked; --look-up names the link's session.
    offline = cli("inspect", url_a).stdout
    assert "session-token: yes" in offline and "session:" not in offline.replace(
        "session-token", ""), offline
    looked = cli("inspect", url_a, *COMMON, "--look-up").stdout
    assert "precision: session" in looked, looked
    assert "session: arn:aws:sts:::assumed-role/" in looked, looked

    started = time.monotonic()
    done = cli("revoke", *COMMON, "--url", url_a)
    took = time.monotonic() - started
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    assert "Only this link is revoked" in done.stderr, done.stderr
    status, body = fetch(url_a)
    assert (status, error_code(body)) == (403, "AccessDenied"), (status, body)
    assert fetch(url_b) == (200, b"content of contract.pdf")
    print("# revoke --url to verified in %.2f s" % took)

    done = cli("unrevoke", *COMMON, "--url", url_a)
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    assert fetch(url_a)[0] == 200
    assert fetch(url_b)[0] == 200


def test_awkward_key():
    url = per_link(STATE["bucket"], "契約書 +100%.pdf").stdout.strip().splitlines()[-1]
    other = per_link(STATE["bucket"], "契約書 +100%.pdf").stdout.strip().splitlines()[-1]
    assert fetch(url)[0] == 200
    cli("revoke", *COMMON, "--url", url)
    assert fetch(url)[0] == 403
    assert fetch(other)[0] == 200


def test_records_hold_no_secret():
    listed = cli("links", *COMMON, "--bucket", STATE["bucket"]).stdout.strip().splitlines()
    assert len(listed) >= 4, listed
    s3 = client()
    keys = [o["Key"] for o in s3.list_objects_v2(
        Bucket=STATE["bucket"], Prefix=".presign-guard/links/").get("Contents", [])]
    assert len(keys) == len(listed), (keys, listed)
    url_a = STATE["links"][0]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url_a).query)
    signature = query["X-Amz-Signature"][0]
    token = query["X-Amz-Security-Token"][0]
    for key in keys:
        text = s3.get_object(Bucket=STATE["bucket"], Key=key)["Body"].read().decode()
        record = json.loads(text)
        assert record["precision"] == "session" and record["session_name"].startswith("pg-")
        for secret in ("PRESIGNSECRET", "OWNERSECRET", signature, token, "X-Amz-Signature",
                       "SecretAccessKey", "SessionToken"):
            assert secret not in text, (secret, key)


def test_too_long_refused():
    # Beyond a role's 12 hours a session of its own is a federated one, which Ceph does not
    # give: refused with the way out.
    done = per_link(STATE["bucket"], "contract.pdf", "43201", check=False)
    assert done.returncode == 1 and done.stdout == "", done
    assert "federated session" in done.stderr and "private copy" in done.stderr, done.stderr
    done = per_link(STATE["bucket"], "contract.pdf", "129601", check=False)
    assert done.returncode == 2 and done.stdout == "", done
    assert "36 hours" in done.stderr and "--private-copy" in done.stderr, done.stderr


def private_copy(key, expires="172800"):
    done = cli("presign", *COMMON, "--private-copy", "--method", "GET", "--bucket",
               STATE["bucket"], "--key", key, "--expires", expires)
    return done.stdout.strip().splitlines()[-1]


def test_private_copy_revoked_alone():
    s3 = client()
    # A rule of the bucket's owner, which must survive ours being added.
    s3.put_bucket_lifecycle_configuration(Bucket=STATE["bucket"], LifecycleConfiguration={
        "Rules": [{"ID": "owner-logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
                   "Expiration": {"Days": 30}}]})
    key = "契約書 +100%.pdf"
    copy_a = private_copy(key)                       # two days: longer than any session
    copy_b = private_copy(key)
    plain = cli("presign", *COMMON, "--signer", "--method", "GET", "--bucket", STATE["bucket"],
                "--key", key, "--expires", "900").stdout.strip()
    session = per_link(STATE["bucket"], key).stdout.strip().splitlines()[-1]
    assert "/.presign-guard/copies/" in copy_a and copy_a.split("?")[0] != copy_b.split("?")[0]
    status, body = fetch(copy_a)
    assert (status, body) == (200, ("content of " + key).encode()), (status, body)
    assert fetch(plain)[0] == 200, fetch(plain)

    done = cli("revoke", *COMMON, "--signer-arn", SIGNER_ARN, "--url", copy_a)
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    assert "private copy" in done.stderr, done.stderr
    assert "Every link" not in done.stderr, done.stderr
    status, body = fetch(copy_a)
    assert status == 403 and error_code(body) == "AccessDenied", (status, body)
    # The original, the other copy and the session's link live on.
    statuses = [fetch(url) for url in (copy_b, plain, session)]
    assert [s[0] for s in statuses] == [200, 200, 200], statuses
    done = cli("unrevoke", *COMMON, "--signer-arn", SIGNER_ARN, "--url", copy_a)
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    assert fetch(copy_a)[0] == 200

    rules = s3.get_bucket_lifecycle_configuration(Bucket=STATE["bucket"])["Rules"]
    by_id = {rule["ID"]: rule for rule in rules}
    assert set(by_id) == {"owner-logs", "presign-guard-copies"}, rules
    assert by_id["owner-logs"]["Expiration"]["Days"] == 30
    ours = by_id["presign-guard-copies"]
    assert ours["Expiration"]["Days"] == 8 and ours["Status"] == "Enabled", ours
    assert ours["Filter"]["Prefix"] == ".presign-guard/copies/", ours

    # The copy's record: the file shared, the copy, no secret.
    records = cli("links", *COMMON, "--bucket", STATE["bucket"]).stdout
    copy_key = urllib.parse.unquote(copy_a.split("?")[0].split("/" + STATE["bucket"] + "/")[1])
    assert copy_key in records, records
    link_id = copy_key.split("/")[2]
    text = s3.get_object(Bucket=STATE["bucket"],
                         Key=".presign-guard/links/%s.json" % link_id)["Body"].read().decode()
    record = json.loads(text)
    assert (record["precision"], record["key"], record["copy_key"]) == ("copy", key, copy_key)
    looked = cli("inspect", copy_a, *COMMON, "--look-up").stdout
    assert "precision: copy" in looked and ("copy-of: " + key) in looked, looked
    signature = urllib.parse.parse_qs(urllib.parse.urlsplit(copy_a).query)["X-Amz-Signature"][0]
    for secret in ("PRESIGNSECRET", "OWNERSECRET", signature, "X-Amz-Signature"):
        assert secret not in text, secret

    # Removing the link deletes its copy (the link dies) and its record.
    done = cli("links", *COMMON, "--bucket", STATE["bucket"], "--remove", link_id)
    assert fetch(copy_a)[0] in (403, 404), fetch(copy_a)
    listed = s3.list_objects_v2(Bucket=STATE["bucket"], Prefix=".presign-guard/")
    keys = [item["Key"] for item in listed.get("Contents", [])]
    assert copy_key not in keys and ".presign-guard/links/%s.json" % link_id not in keys, keys
    assert fetch(copy_b)[0] == 200


def test_private_copy_of_missing_file():
    done = cli("presign", *COMMON, "--private-copy", "--method", "GET", "--bucket",
               STATE["bucket"], "--key", "not there.pdf", "--expires", "3600", check=False)
    assert done.returncode == 1 and done.stdout == "", done
    assert "not there.pdf" in done.stderr, done.stderr


def test_plain_link_falls_back_to_object():
    plain = cli("presign", *COMMON, "--signer", "--method", "GET", "--bucket", STATE["bucket"],
                "--key", "contract.pdf", "--expires", "900").stdout.strip()
    session = per_link(STATE["bucket"], "contract.pdf").stdout.strip().splitlines()[-1]
    done = cli("revoke", *COMMON, "--signer-arn", SIGNER_ARN, "--url", plain)
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    assert "Every link of the signing key to this file" in done.stderr, done.stderr
    assert fetch(plain)[0] == 403
    # A session is another principal: the signer's Deny does not reach it.
    assert fetch(session)[0] == 200
    cli("unrevoke", *COMMON, "--signer-arn", SIGNER_ARN, "--url", plain)
    assert fetch(plain)[0] == 200


def test_lockdown_blocks_sessions_too():
    url = per_link(STATE["bucket"], "contract.pdf").stdout.strip().splitlines()[-1]
    plain = cli("presign", *COMMON, "--signer", "--method", "GET", "--bucket", STATE["bucket"],
                "--key", "contract.pdf", "--expires", "900").stdout.strip()
    # The signer alone: a session is another principal, and keeps working.
    done = cli("lockdown", "on", *COMMON, "--signer-arn", SIGNER_ARN, "--bucket", STATE["bucket"])
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    assert (fetch(plain)[0], fetch(url)[0]) == (403, 200)
    # With the signing role: both, each proven; one statement names both.
    done = cli("lockdown", "on", *COMMON, "--signer-arn", SIGNER_ARN, "--bucket", STATE["bucket"],
               "--role-arn", STATE["role"])
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    assert (fetch(plain)[0], fetch(url)[0]) == (403, 403)
    policy = json.loads(client().get_bucket_policy(Bucket=STATE["bucket"])["Policy"])
    lockdowns = [s for s in policy["Statement"] if s["Sid"].startswith("PresignGuardLockdown")]
    assert len(lockdowns) == 1, lockdowns
    assert sorted(lockdowns[0]["Principal"]["AWS"]) == sorted([SIGNER_ARN, STATE["role"]])
    done = cli("lockdown", "off", *COMMON, "--signer-arn", SIGNER_ARN, "--bucket",
               STATE["bucket"])
    assert done.stdout.strip().splitlines()[-1] == "verified", done.stdout
    assert (fetch(plain)[0], fetch(url)[0]) == (200, 200)


def test_armed_links_close_alone():
    # Armed links revoked alone: the watcher closes a session's link and a private copy's link
    # after their first GET, each alone; a sibling session link to the same file keeps working.
    ops_log = os.environ.get("PG_TEST_OPS_LOG")
    assert ops_log, "PG_TEST_OPS_LOG must name the gateway's ops log"
    session = per_link(STATE["bucket"], "contract.pdf", "3600", "--arm", "download",
                       "--grace", "0").stdout.strip().splitlines()[-1]
    copy = cli("presign", *COMMON, "--private-copy", "--method", "GET", "--bucket",
               STATE["bucket"], "--key", "contract.pdf", "--expires", "172800", "--arm",
               "download", "--grace", "0").stdout.strip().splitlines()[-1]
    sibling = per_link(STATE["bucket"], "contract.pdf").stdout.strip().splitlines()[-1]
    watcher = lines.Lines([CLI, "watch", *COMMON, "--signer-arn", SIGNER_ARN, "--bucket",
                           STATE["bucket"], "--ops-log", ops_log], ENV)
    try:
        watcher.expect("watching ")
        assert fetch(session)[0] == 200 and fetch(copy)[0] == 200
        closed = watcher.gather("closed ", 2, timeout=60)
        assert len(closed) == 2, watcher.seen
    finally:
        code, seen = watcher.stop()
    assert code == 0 and seen and seen[-1] == "stopped", (code, seen)
    assert fetch(session)[0] == 403 and fetch(copy)[0] == 403
    assert fetch(sibling)[0] == 200


def test_untrusted_key_refused():
    env_backup = dict(ENV)
    ENV["PG_SIGNER_ACCESS_KEY_ID"], ENV["PG_SIGNER_SECRET_ACCESS_KEY"] = "ALICEKEY", "ALICESECRET"
    try:
        done = per_link(STATE["bucket"], "contract.pdf", check=False)
    finally:
        ENV.clear()
        ENV.update(env_backup)
    assert done.returncode == 1 and done.stdout == "", done
    assert "may not start a session" in done.stderr, done.stderr


TESTS = [
    test_setup_signer_role,
    test_check_proves_the_role,
    test_revoke_one_of_two_links,
    test_awkward_key,
    test_records_hold_no_secret,
    test_too_long_refused,
    test_private_copy_revoked_alone,
    test_private_copy_of_missing_file,
    test_plain_link_falls_back_to_object,
    test_lockdown_blocks_sessions_too,
    test_armed_links_close_alone,
    test_untrusted_key_refused,
]


if __name__ == "__main__":
    sys.exit(tap.run(TESTS, setup))

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Records in the bucket's own folder do not steer revocation or deletion (Ceph RGW with STS).

A link's record (.presign-guard/links/<id>.json) is read back from the bucket, so whoever could
write there could edit it. These scenarios edit records the way an attacker would and check that
revoke --url acts on what the pasted link itself says: "verified" only when that very link then
answers 403, a record that disagrees is named and not used, and links --remove deletes nothing
outside the link's own place in our folder. Identities as in s3-server.sh; botocore (with the
managing key) plants the forged records and reads what is left. Output is TAP.
"""

import http.client
import json
import os
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
RECORDS = ".presign-guard/links/"
STATE = {}


def client():
    return botocore.session.get_session().create_client(
        "s3", region_name="us-east-1", endpoint_url=ENDPOINT,
        aws_access_key_id="OWNERKEY", aws_secret_access_key="OWNERSECRET",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                      retries={"max_attempts": 1}))


def cli(*args, check=True):
    done = subprocess.run([CLI, *args], env=ENV, capture_output=True, text=True, timeout=180,
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


def last_line(done):
    return done.stdout.strip().splitlines()[-1]


def per_link(key):
    return last_line(cli("presign", *COMMON, "--per-link", "--role-arn", STATE["role"],
                         "--method", "GET", "--bucket", STATE["bucket"], "--key", key,
                         "--expires", "3600"))


def signer_link(key):
    return last_line(cli("presign", *COMMON, "--signer", "--method", "GET", "--bucket",
                         STATE["bucket"], "--key", key, "--expires", "900"))


def records():
    """Every record of the bucket, by id."""
    s3 = client()
    found = {}
    listed = s3.list_objects_v2(Bucket=STATE["bucket"], Prefix=RECORDS)
    for item in listed.get("Contents", []):
        body = s3.get_object(Bucket=STATE["bucket"], Key=item["Key"])["Body"].read()
        record = json.loads(body)
        found[record["id"]] = record
    return found


def record_of(url):
    """The record whose access key signed @url (a session link's own)."""
    key_id = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["X-Amz-Credential"][0]
    key_id = key_id.split("/")[0]
    matches = [r for r in records().values() if r.get("access_key_id") == key_id]
    assert len(matches) == 1, matches
    return matches[0]


def plant(record, name=None):
    """Writes @record as a record object (as a writer of our folder could)."""
    client().put_object(Bucket=STATE["bucket"], Key=RECORDS + (name or record["id"]) + ".json",
                        Body=json.dumps(record).encode())


def refused(done):
    return done.returncode != 0 and "verified" not in done.stdout


def setup():
    bucket = "pg-records-" + uuid.uuid4().hex[:10]
    cli("mb", *COMMON, "--bucket", bucket)
    STATE["bucket"] = bucket
    for key in ("contract.pdf", "important.txt", "other.pdf"):
        client().put_object(Bucket=bucket, Key=key, Body=("content of " + key).encode())
    done = cli("setup", "signer-role", *COMMON, "--signer-arn", SIGNER_ARN, "--bucket", bucket,
               "--role-name", "pg-records-" + uuid.uuid4().hex[:6])
    STATE["role"] = last_line(done)


# ---- scenarios ------------------------------------------------------------------------------

def test_record_naming_another_file_is_not_used():
    """A session link's record edited to name another file: refused, named, nothing revoked."""
    url = per_link("contract.pdf")
    record = record_of(url)
    record["key"] = "other.pdf"
    plant(record)
    done = cli("revoke", *COMMON, "--signer-arn", SIGNER_ARN, "--url", url, check=False)
    assert refused(done), done
    assert record["id"] in done.stderr and "other.pdf" in done.stderr, done.stderr
    assert fetch(url)[0] == 200
    assert fetch(signer_link("other.pdf"))[0] == 200


def test_record_naming_another_session_is_not_used():
    """A record pointing at an innocent link's session: refused; the innocent link works."""
    url = per_link("contract.pdf")
    innocent = per_link("contract.pdf")
    record, other = record_of(url), record_of(innocent)
    record["session_arn"] = other["session_arn"]
    plant(record)
    done = cli("revoke", *COMMON, "--signer-arn", SIGNER_ARN, "--url", url, check=False)
    assert refused(done), done
    assert other["session_arn"] in done.stderr, done.stderr
    assert fetch(innocent)[0] == 200
    # Nor is the innocent link's revocation lifted through it.
    cli("revoke", *COMMON, "--signer-arn", SIGNER_ARN, "--url", innocent)
    assert fetch(innocent)[0] == 403
    done = cli("unrevoke", *COMMON, "--signer-arn", SIGNER_ARN, "--url", url, check=False)
    assert refused(done), done
    assert fetch(innocent)[0] == 403


def test_forged_plain_record_for_a_session_link():
    """A session link described as a plain link: refused (it would revoke the signer's file)."""
    url = per_link("contract.pdf")
    record = record_of(url)
    for field in ("session_arn", "session_name", "role_arn"):
        record.pop(field, None)
    record["precision"] = "object"
    plant(record)
    done = cli("revoke", *COMMON, "--signer-arn", SIGNER_ARN, "--url", url, check=False)
    assert refused(done), done
    assert "session of its own" in done.stderr, done.stderr
    assert fetch(signer_link("contract.pdf"))[0] == 200


def test_whole_record_replaced_proves_the_pasted_link():
    """A record rewritten whole, under the innocent link's id and session: its fingerprint (a
    hash of the innocent link's signature) names it as another link's, so it is not used and
    nothing is revoked. Without a fingerprint (as records from before them), it agrees in every
    point it can be checked on: the revocation goes to that session, and trying the pasted link
    itself shows it still works — so the command never says "verified"."""
    url = per_link("other.pdf")
    innocent = per_link("other.pdf")
    mine, other = record_of(url), record_of(innocent)
    forged = dict(other, access_key_id=mine["access_key_id"])
    plant(forged, name=mine["id"])
    client().delete_object(Bucket=STATE["bucket"], Key=RECORDS + other["id"] + ".json")
    done = cli("revoke", *COMMON, "--signer-arn", SIGNER_ARN, "--url", url, check=False)
    assert refused(done), done
    assert "fingerprint" in done.stderr and other["id"] in done.stderr, done.stderr
    assert fetch(url)[0] == 200 and fetch(innocent)[0] == 200

    forged.pop("digest")
    plant(forged, name=mine["id"])
    done = cli("revoke", *COMMON, "--signer-arn", SIGNER_ARN, "--url", url, check=False)
    assert refused(done), done
    assert "still works" in done.stderr, done.stderr
    assert fetch(url)[0] == 200


def test_copy_record_for_a_plain_link_says_the_truth():
    """A plain link given a forged "private copy" record: the URL decides, and the command says
    that every link of the signer to the file goes; the pasted link answers 403 after
    "verified"."""
    url = signer_link("important.txt")
    key_id = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["X-Amz-Credential"][0]
    forged = {"format": "presign-guard link 1", "id": uuid.uuid4().hex, "bucket": STATE["bucket"],
              "key": "important.txt", "action": "get", "precision": "copy",
              "copy_key": "important.txt", "access_key_id": key_id.split("/")[0],
              "created": "2026-01-01T00:00:00Z", "expires": "2100-01-01T00:00:00Z"}
    plant(forged)
    done = cli("revoke", *COMMON, "--signer-arn", SIGNER_ARN, "--url", url)
    assert "verified" in done.stdout, done
    assert "Every link of the signing key to this file" in done.stderr, done.stderr
    assert "private copy" not in done.stderr, done.stderr
    assert fetch(url)[0] == 403
    cli("unrevoke", *COMMON, "--signer-arn", SIGNER_ARN, "--url", url)
    assert fetch(url)[0] == 200


def test_recorded_plain_link_is_found_by_its_fingerprint():
    """presign --record: a plain link is recorded with its fingerprint and its index entry, as
    the app records its links; links lists it, and revoke --url finds it through the index and
    proves that very link closed."""
    client().put_object(Bucket=STATE["bucket"], Key="recorded.pdf", Body=b"recorded")
    done = cli("presign", *COMMON, "--signer", "--record", "--method", "GET", "--bucket",
               STATE["bucket"], "--key", "recorded.pdf", "--expires", "900")
    url = last_line(done)
    assert "Recorded as link" in done.stderr, done.stderr
    assert fetch(url)[0] == 200
    found = [r for r in records().values() if r.get("key") == "recorded.pdf"]
    assert len(found) == 1 and found[0].get("digest"), found
    index = client().get_object(Bucket=STATE["bucket"],
                                Key=".presign-guard/index/" + found[0]["digest"])
    assert index["Body"].read().decode().strip() == found[0]["id"]
    listed = cli("links", *COMMON, "--bucket", STATE["bucket"])
    assert found[0]["id"] in listed.stdout, listed.stdout
    done = cli("revoke", *COMMON, "--signer-arn", SIGNER_ARN, "--url", url)
    assert "verified" in done.stdout, done
    assert fetch(url)[0] == 403
    cli("unrevoke", *COMMON, "--signer-arn", SIGNER_ARN, "--url", url)
    assert fetch(url)[0] == 200


def test_remove_stays_in_our_folder():
    """links --remove with records naming a file of the bucket, a file of another bucket, and a
    path out of the copies folder: nothing is deleted."""
    other_bucket = "pg-records-other-" + uuid.uuid4().hex[:6]
    cli("mb", *COMMON, "--bucket", other_bucket)
    client().put_object(Bucket=other_bucket, Key="prod/db.sql", Body=b"keep")
    forged = [
        {"id": uuid.uuid4().hex, "bucket": STATE["bucket"], "copy_key": "important.txt"},
        {"id": uuid.uuid4().hex, "bucket": other_bucket, "copy_key": "prod/db.sql"},
        {"id": uuid.uuid4().hex, "bucket": STATE["bucket"],
         "copy_key": ".presign-guard/copies/x/../../important.txt"},
    ]
    for fields in forged:
        record = dict(fields, format="presign-guard link 1", key="important.txt", action="get",
                      precision="copy", access_key_id="PRESIGNKEY", created="2026-01-01T00:00:00Z",
                      expires="2100-01-01T00:00:00Z")
        plant(record)
        done = cli("links", *COMMON, "--bucket", STATE["bucket"], "--remove", record["id"],
                   check=False)
        assert done.returncode != 0 and "nothing was deleted" in done.stderr, done
    s3 = client()
    assert s3.get_object(Bucket=STATE["bucket"], Key="important.txt")["Body"].read() \
        == b"content of important.txt"
    assert s3.get_object(Bucket=other_bucket, Key="prod/db.sql")["Body"].read() == b"keep"


def test_uploads_never_target_our_folder():
    """Upload links and pages cannot be made into our folder, nor (here, where "*" is a
    wildcard in a policy) into a folder they could not be revoked from alone."""
    for args in (["presign", "--signer", "--method", "PUT", "--key", ".presign-guard/links/x.json"],
                 ["presign", "--method", "PUT", "--key", ".presign-guard/lock"],
                 ["upload-page", "--folder", ".presign-guard/pages", "--files", "1"]):
        done = cli(args[0], *COMMON, "--bucket", STATE["bucket"], *args[1:], "--expires", "900",
                   check=False)
        assert done.returncode != 0 and ".presign-guard/" in done.stderr, done
        assert "X-Amz-Signature" not in done.stdout, done
    done = cli("upload-page", *COMMON, "--bucket", STATE["bucket"], "--folder", "in*coming",
               "--files", "1", "--expires", "900", check=False)
    assert done.returncode != 0 and "wildcards" in done.stderr, done
    listed = client().list_objects_v2(Bucket=STATE["bucket"], Prefix=".presign-guard/pages/")
    assert listed.get("KeyCount", 0) == 0, listed


TESTS = [
    test_record_naming_another_file_is_not_used,
    test_record_naming_another_session_is_not_used,
    test_forged_plain_record_for_a_session_link,
    test_whole_record_replaced_proves_the_pasted_link,
    test_copy_record_for_a_plain_link_says_the_truth,
    test_recorded_plain_link_is_found_by_its_fingerprint,
    test_remove_stays_in_our_folder,
    test_uploads_never_target_our_folder,
]


if __name__ == "__main__":
    sys.exit(tap.run(TESTS, setup))

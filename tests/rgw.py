# SPDX-License-Identifier: GPL-3.0-or-later
"""What the tests against the local Ceph RADOS Gateway (tests/with-s3-server.sh) share: the
command line with the gateway's test keys, botocore as an independent client, plain HTTP for
links, and a watcher in the background."""

import http.client
import os
import subprocess
import sys
import urllib.parse

import botocore.session
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lines  # noqa: E402

CLI = os.environ.get("PG_CLI", "presign-guard-cli")
ENDPOINT = os.environ.get("PG_TEST_S3_ENDPOINT", "")
OPS_LOG = os.environ.get("PG_TEST_OPS_LOG", "")
SIGNER_ARN = "arn:aws:iam:::user/owner:presign"
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="OWNERKEY", AWS_SECRET_ACCESS_KEY="OWNERSECRET",
           PG_SIGNER_ACCESS_KEY_ID="PRESIGNKEY", PG_SIGNER_SECRET_ACCESS_KEY="PRESIGNSECRET")
ENV.pop("AWS_SESSION_TOKEN", None)
COMMON = ["--endpoint", ENDPOINT, "--path-style", "--region", "us-east-1",
          "--signer-arn", SIGNER_ARN]


def client(key="OWNERKEY", secret="OWNERSECRET"):
    return botocore.session.get_session().create_client(
        "s3", region_name="us-east-1", endpoint_url=ENDPOINT,
        aws_access_key_id=key, aws_secret_access_key=secret,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                      retries={"max_attempts": 1}))


def cli(*args, check=True):
    done = subprocess.run([CLI, *args], env=ENV, capture_output=True, text=True, timeout=120,
                          check=False)
    if check and done.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (args[0], done.returncode, done.stderr))
    return done


def request(method, url, body=None, headers=None):
    """(status, body) of a plain HTTP request with a link."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, parts.path + "?" + parts.query, body=body,
                           headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def presign(bucket, key, *extra, method="GET", expires="900"):
    done = cli("presign", *COMMON, "--signer", "--method", method, "--bucket", bucket,
               "--key", key, "--expires", expires, *extra)
    return done.stdout.strip().splitlines()[-1]


def record_id(url):
    looked = cli("inspect", url, *COMMON, "--look-up").stdout
    return [line.split(": ", 1)[1] for line in looked.splitlines()
            if line.startswith("record: ")][0]


class Watcher(lines.Lines):
    """presign-guard-cli watch on the gateway's ops log, its lines read as they come."""

    def __init__(self, bucket, *extra):
        super().__init__([CLI, "watch", *COMMON, "--bucket", bucket, "--ops-log", OPS_LOG,
                          *extra], ENV)
        self.expect("watching ")

    def stop(self):
        code, seen = super().stop()
        # Stopped cleanly: its last word, and nothing from a sanitizer.
        assert code == 0 and seen and seen[-1] == "stopped", (code, seen)
        return seen

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""AWS control-plane paths the local Ceph gateway cannot serve, against moto (an AWS double):
STS GetCallerIdentity tells the signer's ARN, and that ARN is what a revocation writes into the
bucket policy; IAM makes the signing role as AWS would, and links signed in a session of it
carry AWS's session principal. moto stores bucket policies but does not enforce them, so the proof is expected to
fail here (honestly reported, exit 1) — enforcement is tested on Ceph RGW. The moto server is
started on a free loopback port and stopped by PID. Output is TAP."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import traceback

import boto3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

CLI = os.environ.get("PG_CLI", "presign-guard-cli")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_moto():
    moto = shutil.which("moto_server")
    if moto is None:
        print("Bail out! moto_server is not installed")
        sys.exit(1)
    port = free_port()
    process = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, "http://127.0.0.1:%d" % port
        except OSError:
            time.sleep(0.2)
    process.kill()
    print("Bail out! moto_server did not start")
    sys.exit(1)


def stop_moto(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def main():
    process, endpoint = start_moto()
    checks = []
    try:
        aws = dict(region_name="us-east-1", endpoint_url=endpoint,
                   aws_access_key_id="AKIAMANAGER", aws_secret_access_key="manager-secret")
        iam = boto3.client("iam", **aws)
        iam.create_user(UserName="presign-signer")
        key = iam.create_access_key(UserName="presign-signer")["AccessKey"]
        signer_arn = boto3.client(
            "sts", region_name="us-east-1", endpoint_url=endpoint,
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"]).get_caller_identity()["Arn"]
        manager_arn = boto3.client("sts", **aws).get_caller_identity()["Arn"]
        env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIAMANAGER",
                   AWS_SECRET_ACCESS_KEY="manager-secret",
                   PG_SIGNER_ACCESS_KEY_ID=key["AccessKeyId"],
                   PG_SIGNER_SECRET_ACCESS_KEY=key["SecretAccessKey"])
        env.pop("AWS_SESSION_TOKEN", None)
        common = ["--endpoint", endpoint, "--path-style", "--region", "us-east-1"]

        done = subprocess.run([CLI, "identity", *common], env=env, capture_output=True,
                              text=True, check=False)
        checks.append(("identity names both keys as STS does",
                       done.returncode == 0
                       and done.stdout == "manager: %s\nsigner: %s\n" % (manager_arn, signer_arn),
                       done.stdout + done.stderr))

        s3 = boto3.client("s3", **aws)
        s3.create_bucket(Bucket="moto-bucket")
        s3.put_object(Bucket="moto-bucket", Key="report.pdf", Body=b"x")
        done = subprocess.run([CLI, "revoke", *common, "--bucket", "moto-bucket", "--key",
                               "report.pdf", "--verify-timeout", "1"],
                              env=env, capture_output=True, text=True, check=False)
        checks.append(("without an enforcing server the proof fails, and says so",
                       done.returncode == 1 and "still worked" in done.stderr
                       and "verified" not in done.stdout.split(), done.stdout + done.stderr))
        # A refusal that does not hold is taken back: it names the signer STS reported, and
        # leaves the bucket policy as it was (none).
        try:
            left = s3.get_bucket_policy(Bucket="moto-bucket")["Policy"]
        except s3.exceptions.ClientError as error:
            left = error.response["Error"]["Code"]
        checks.append(("the revocation names the signer STS reported, and is taken back",
                       signer_arn in done.stderr and "taken back" in done.stderr
                       and left == "NoSuchBucketPolicy", done.stderr + str(left)))

        # The signing key made by the managing key (setup signer-user): an IAM user with an
        # inline policy for the bucket, and a new access key that works, printed once.
        done = subprocess.run([CLI, "setup", "signer-user", *common, "--bucket", "moto-bucket",
                               "--user-name", "pg-made-signer"],
                              env=env, capture_output=True, text=True, check=False)
        lines = done.stdout.splitlines()
        made = {}
        if done.returncode == 0 and len(lines) == 3:
            made = dict(line.split("=", 1) for line in lines[1:])
        user = iam.get_user(UserName="pg-made-signer")["User"]
        policy = iam.get_user_policy(UserName="pg-made-signer",
                                     PolicyName="presign-guard-signer")["PolicyDocument"]
        if isinstance(policy, str):
            policy = json.loads(policy)
        keys = iam.list_access_keys(UserName="pg-made-signer")["AccessKeyMetadata"]
        made_arn = ""
        if made:
            made_arn = boto3.client(
                "sts", region_name="us-east-1", endpoint_url=endpoint,
                aws_access_key_id=made["PG_SIGNER_ACCESS_KEY_ID"],
                aws_secret_access_key=made["PG_SIGNER_SECRET_ACCESS_KEY"]
            ).get_caller_identity()["Arn"]
        checks.append(("setup signer-user makes the signing key: a user, its policy, a key",
                       done.returncode == 0 and lines and lines[0] == user["Arn"]
                       and made_arn == user["Arn"]
                       and [k["AccessKeyId"] for k in keys] == [made.get("PG_SIGNER_ACCESS_KEY_ID")]
                       and policy["Statement"][0]["Resource"] == ["arn:aws:s3:::moto-bucket/*"]
                       and policy["Statement"][1]["Effect"] == "Deny"
                       # who used which link is the managing key's to read
                       and policy["Statement"][2] == {
                           "Effect": "Deny", "Action": "s3:GetObject",
                           "Resource": "arn:aws:s3:::moto-bucket/.presign-guard/activity/*"}
                       and policy["Statement"][3]["Action"] == "sts:GetFederationToken",
                       done.stdout.replace(made.get("PG_SIGNER_SECRET_ACCESS_KEY", "-"), "…")
                       + done.stderr + json.dumps(policy)))
        # Again: the same user, a second key of its own.
        again = subprocess.run([CLI, "setup", "signer-user", *common, "--bucket", "moto-bucket",
                                "--user-name", "pg-made-signer"],
                               env=env, capture_output=True, text=True, check=False)
        keys = iam.list_access_keys(UserName="pg-made-signer")["AccessKeyMetadata"]
        checks.append(("setup signer-user again keeps the user and adds a key",
                       again.returncode == 0 and again.stdout.splitlines()[0] == user["Arn"]
                       and len(keys) == 2, again.stderr))

        # The signing role, as on AWS: IAM CreateRole and PutRolePolicy, then a link signed in a
        # session of its own (STS AssumeRole with the signer's key) and its record.
        done = subprocess.run([CLI, "setup", "signer-role", *common, "--bucket", "moto-bucket"],
                              env=env, capture_output=True, text=True, check=False)
        role_arn = done.stdout.strip()
        role = iam.get_role(RoleName="presign-guard-links")["Role"]
        trust = role["AssumeRolePolicyDocument"]
        if isinstance(trust, str):
            trust = json.loads(trust)
        permissions = iam.get_role_policy(RoleName="presign-guard-links",
                                          PolicyName="presign-guard-links")["PolicyDocument"]
        if isinstance(permissions, str):
            permissions = json.loads(permissions)
        checks.append(("setup signer-role makes a role the signer alone may assume",
                       done.returncode == 0 and role_arn == role["Arn"]
                       and role["MaxSessionDuration"] == 43200
                       and trust["Statement"][0]["Principal"] == {"AWS": [signer_arn]}
                       and trust["Statement"][0]["Action"] == ["sts:AssumeRole"]
                       and permissions["Statement"][0]["Resource"] == ["arn:aws:s3:::moto-bucket/*"]
                       and permissions["Statement"][0]["Action"] == ["s3:GetObject",
                                                                     "s3:PutObject"]
                       and permissions["Statement"][2]["Resource"]
                       == "arn:aws:s3:::moto-bucket/.presign-guard/activity/*",
                       done.stdout + done.stderr + json.dumps(role, default=str)))

        done = subprocess.run([CLI, "presign", *common, "--per-link", "--role-arn", role_arn,
                               "--method", "GET", "--bucket", "moto-bucket", "--key",
                               "report.pdf", "--expires", "3600"],
                              env=env, capture_output=True, text=True, check=False)
        records = s3.list_objects_v2(Bucket="moto-bucket",
                                     Prefix=".presign-guard/links/").get("Contents", [])
        record = json.loads(s3.get_object(Bucket="moto-bucket", Key=records[0]["Key"])["Body"]
                            .read()) if records else {}
        checks.append(("a per-link link is signed in a session of the role, and recorded",
                       done.returncode == 0
                       and "X-Amz-Security-Token=" in done.stdout.strip().splitlines()[-1]
                       and record.get("precision") == "session"
                       and record.get("session_arn", "").startswith("arn:aws:sts::")
                       and record.get("session_arn", "").endswith("/" + record.get("session_name", "?"))
                       and ":assumed-role/presign-guard-links/pg-" in record.get("session_arn", ""),
                       done.stdout + done.stderr + json.dumps(record)))

        # Longer than a role's session (a day): a federated session of the signer's own key
        # (STS GetFederationToken), allowed that one file, and revoked by its principal.
        done = subprocess.run([CLI, "presign", *common, "--per-link", "--role-arn", role_arn,
                               "--method", "GET", "--bucket", "moto-bucket", "--key",
                               "report.pdf", "--expires", "86400"],
                              env=env, capture_output=True, text=True, check=False)
        url = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
        federated = [json.loads(s3.get_object(Bucket="moto-bucket", Key=item["Key"])["Body"].read())
                     for item in s3.list_objects_v2(Bucket="moto-bucket",
                                                    Prefix=".presign-guard/links/")["Contents"]]
        federated = [r for r in federated if ":federated-user/" in r.get("session_arn", "")]
        record = federated[0] if len(federated) == 1 else {}
        checks.append(("a day-long per-link link is signed in a federated session, and recorded",
                       done.returncode == 0 and "X-Amz-Security-Token=" in url
                       and "X-Amz-Expires=86400" in url
                       and record.get("precision") == "session" and "role_arn" not in record
                       and record.get("session_arn", "").endswith(
                           ":federated-user/" + record.get("session_name", "?"))
                       and len(record.get("session_name", "")) <= 32,
                       done.stdout + done.stderr + json.dumps(federated)))

        # Revoking it starts a federated session of the same name (the same principal, checked)
        # and denies that; moto refuses the proof's request before anything is written (it
        # does not know the session's keys for S3), which is reported, never "verified".
        done = subprocess.run([CLI, "revoke", *common, "--url", url, "--verify-timeout", "1"],
                              env=env, capture_output=True, text=True, check=False)
        checks.append(("revoke --url finds the federated session by the URL, and claims nothing",
                       done.returncode == 1 and "verified" not in done.stdout.split()
                       and ("session of its own (%s)" % record.get("session_arn")) in done.stderr,
                       done.stdout + done.stderr))
    except Exception:
        checks.append(("moto scenario ran", False, traceback.format_exc()))
    finally:
        stop_moto(process)

    return tap.report(checks)


if __name__ == "__main__":
    sys.exit(main())

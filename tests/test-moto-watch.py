#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWS path of links that close themselves, against moto (an AWS double), and the template
that builds it (data/cloud/presign-guard-watch.yaml).

The template lints clean (cfn-lint). Its EventBridge rules, taken from the template itself,
route CloudTrail-shaped data events and an S3 "Object Created" event into an SQS queue on moto:
our presigned GET and the upload arrive, a request signed in headers does not. presign-guard-cli
watch --sqs-queue drains the queue: the armed links are marked used in their records, the
revocations are written into the bucket policy (moto stores it but does not enforce it, so the
proof cannot pass and the watcher says so: the document is checked instead), another key's
request is ignored, and the handled messages are deleted. Output is TAP."""

import json
import os
import shutil
import subprocess
import sys
import time
import traceback
import urllib.parse

import boto3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lines  # noqa: E402
import tap  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "..", "data", "cloud", "presign-guard-watch.yaml")
CLI = os.environ.get("PG_CLI", "presign-guard-cli")
BUCKET = "moto-watch"

from importlib.util import module_from_spec, spec_from_file_location  # noqa: E402

SPEC = spec_from_file_location("moto_sts", os.path.join(HERE, "test-moto-sts.py"))
MOTO = module_from_spec(SPEC)
SPEC.loader.exec_module(MOTO)


def resolve(node, bucket):
    """The template's value with its only parameter filled in."""
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] == "BucketName":
            return bucket
        return {k: resolve(v, bucket) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, bucket) for v in node]
    return node


def cloudtrail_event(key, access_key_id, amz_date, method="QueryString", error=None):
    detail = {
            "eventVersion": "1.08",
            "eventSource": "s3.amazonaws.com",
            "eventName": "GetObject",
            "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "sourceIPAddress": "203.0.113.7",
            "userIdentity": {"type": "IAMUser", "accessKeyId": access_key_id},
            "requestParameters": {"bucketName": BUCKET, "key": key, "X-Amz-Date": amz_date,
                                  "X-Amz-Expires": "900", "Host": "s3.amazonaws.com"},
            "additionalEventData": {"AuthenticationMethod": method,
                                    "SignatureVersion": "SigV4"},
            "userAgent": "Mozilla/5.0 (tried)" if error else "curl/7.88.1",
            "eventCategory": "Data",
    }
    # A refused request: CloudTrail records it with S3's error code.
    if error is not None:
        detail.update(errorCode=error, errorMessage="Access Denied")
    return {"Source": "aws.s3", "DetailType": "AWS API Call via CloudTrail",
            "Detail": json.dumps(detail)}


def main():
    checks = []
    lint = shutil.which("cfn-lint")
    if lint is None:
        print("Bail out! cfn-lint is not installed")
        return 1
    done = subprocess.run([lint, TEMPLATE], capture_output=True, text=True, check=False)
    checks.append(("the template lints clean", done.returncode == 0, done.stdout + done.stderr))

    from cfnlint.decode import decode
    template, problems = decode(TEMPLATE)
    resources = template["Resources"]

    process, endpoint = MOTO.start_moto()
    watcher = None
    try:
        aws = dict(region_name="us-east-1", endpoint_url=endpoint,
                   aws_access_key_id="AKIAMANAGER", aws_secret_access_key="manager-secret")
        iam = boto3.client("iam", **aws)
        iam.create_user(UserName="presign-signer")
        key = iam.create_access_key(UserName="presign-signer")["AccessKey"]
        env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIAMANAGER",
                   AWS_SECRET_ACCESS_KEY="manager-secret",
                   PG_SIGNER_ACCESS_KEY_ID=key["AccessKeyId"],
                   PG_SIGNER_SECRET_ACCESS_KEY=key["SecretAccessKey"])
        env.pop("AWS_SESSION_TOKEN", None)
        common = ["--endpoint", endpoint, "--path-style", "--region", "us-east-1"]
        s3 = boto3.client("s3", **aws)
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="report.pdf", Body=b"x")

        sqs = boto3.client("sqs", **aws)
        queue_url = sqs.create_queue(QueueName="presign-guard-watch")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        events = boto3.client("events", **aws)
        for name in ("DownloadRule", "UploadRule"):
            pattern = resolve(resources[name]["Properties"]["EventPattern"], BUCKET)
            events.put_rule(Name=name, EventPattern=json.dumps(pattern))
            events.put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": queue_arn}])
        # The mail rules, each into a queue of its own instead of the topic: which mail an
        # event makes.
        mails = {}
        for name in ("MailRule", "TriedMailRule"):
            url = sqs.create_queue(QueueName="mail-" + name)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
                "Attributes"]["QueueArn"]
            pattern = resolve(resources[name]["Properties"]["EventPattern"], BUCKET)
            events.put_rule(Name=name, EventPattern=json.dumps(pattern))
            events.put_targets(Rule=name, Targets=[{"Id": "mail", "Arn": arn}])
            mails[name] = url

        def presign(*args):
            done = subprocess.run([CLI, "presign", *common, "--signer", "--bucket", BUCKET,
                                   "--expires", "900", *args], env=env, capture_output=True,
                                  text=True, check=False)
            assert done.returncode == 0, done.stderr
            return done.stdout.strip()

        download = presign("--method", "GET", "--key", "report.pdf", "--arm", "download",
                           "--grace", "0")
        upload = presign("--method", "PUT", "--key", "incoming/invoice.pdf", "--if-none-match",
                         "--arm", "upload")
        amz_date = urllib.parse.parse_qs(urllib.parse.urlsplit(download).query)["X-Amz-Date"][0]
        entries = [
            cloudtrail_event("report.pdf", key["AccessKeyId"], amz_date),
            cloudtrail_event("report.pdf", key["AccessKeyId"], amz_date, "AuthHeader"),
            cloudtrail_event("report.pdf", "AKIAOTHER", amz_date),
            cloudtrail_event("report.pdf", key["AccessKeyId"], amz_date, error="AccessDenied"),
            {"Source": "aws.s3", "DetailType": "Object Created",
             "Detail": json.dumps({"bucket": {"name": BUCKET},
                                   "object": {"key": "incoming/invoice.pdf", "size": 12},
                                   "source-ip-address": "198.51.100.4"})},
        ]
        events.put_events(Entries=entries)
        waiting = int(sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
                "ApproximateNumberOfMessages"])
        checks.append(("the template's rules route our GET, its refused try and the upload, not "
                       "a header-signed GET", waiting == 4, "%d messages in the queue" % waiting))
        mailed = {name: int(sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
                "ApproximateNumberOfMessages"]) for name, url in mails.items()}
        # Served: our GET and the other key's (the mail names the signer); refused: one.
        checks.append(("a served GET mails \"used\", a refused one \"tried\"",
                       mailed == {"MailRule": 2, "TriedMailRule": 1}, repr(mailed)))

        watcher = lines.Lines([CLI, "watch", *common, "--bucket", BUCKET, "--sqs-queue",
                               queue_url, "--verify-timeout", "1"], env)
        watcher.gather("not closed", 2, timeout=30)
        seen = list(watcher.seen)
        used = [l for l in seen if l.startswith("used ")]
        checks.append(("the watcher marks both armed links used, from their events",
                       len(used) == 2 and any("/report.pdf by 203.0.113.7" in l for l in used)
                       and any("/incoming/invoice.pdf by 198.51.100.4" in l for l in used),
                       "\n".join(seen)))
        checks.append(("without an enforcing server no closing is claimed",
                       not any(l.startswith("closed ") for l in seen)
                       and sum(l.startswith("not closed") for l in seen) >= 2,
                       "\n".join(seen)))

        # Revocations that do not hold are taken back: the policy is left as it was (none).
        try:
            left = s3.get_bucket_policy(Bucket=BUCKET)["Policy"]
        except s3.exceptions.ClientError as error:
            left = error.response["Error"]["Code"]
        checks.append(("revocations that cannot be proven are taken back",
                       left == "NoSuchBucketPolicy"
                       and sum("taken back" in l for l in seen) >= 2,
                       "%s\n%s" % (left, "\n".join(seen))))

        # What the watcher recorded: the download and the refused try, with address and agent.
        deadline = time.monotonic() + 15
        while True:
            done = subprocess.run([CLI, "activity", *common, "--url", download], env=env,
                                  capture_output=True, text=True, check=False)
            if len(done.stdout.splitlines()) >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        kinds = sorted((line.split("\t")[1], line.split("\t")[3], line.split("\t")[4])
                       for line in done.stdout.splitlines())
        checks.append(("watch --sqs-queue records the download and the refused try",
                       done.returncode == 0
                       and kinds == [("download", "", "203.0.113.7"),
                                     ("refused", "AccessDenied", "203.0.113.7")],
                       done.stdout + done.stderr + "\n".join(watcher.drain())))

        code, seen = watcher.stop()
        left = sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages",
                                                "ApproximateNumberOfMessagesNotVisible"])[
                "Attributes"]
        checks.append(("stopped cleanly, the handled messages deleted",
                       code == 0 and seen[-1] == "stopped"
                       and left == {"ApproximateNumberOfMessages": "0",
                                    "ApproximateNumberOfMessagesNotVisible": "0"},
                       "%d %r %r" % (code, seen, left)))
    except Exception:
        checks.append(("moto scenario ran", False, traceback.format_exc()))
    finally:
        if watcher is not None and watcher.process.poll() is None:
            watcher.process.kill()
        MOTO.stop_moto(process)

    return tap.report(checks)


if __name__ == "__main__":
    sys.exit(main())

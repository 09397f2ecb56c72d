#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference for bench-presign: presigns N URLs with botocore, ROUNDS times, and prints the best
rate (URLs/s)."""

import sys
import time

import botocore.session
from botocore.config import Config


def main():
    count = int(sys.argv[1])
    rounds = int(sys.argv[2])
    client = botocore.session.get_session().create_client(
        "s3", region_name="eu-west-1", aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        config=Config(signature_version="s3v4", s3={"addressing_style": "virtual"}))
    client.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "warm"})
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for i in range(count):
            client.generate_presigned_url(
                "get_object",
                Params={"Bucket": "examplebucket", "Key": "reports/%d/日本語 a+b.pdf" % i},
                ExpiresIn=3600)
        best = max(best, count / (time.perf_counter() - start))
    print("%.1f" % best)


if __name__ == "__main__":
    main()

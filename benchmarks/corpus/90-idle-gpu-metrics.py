#!/usr/bin/env python3
"""Publish GPU utilisation and memory as CloudWatch metrics every minute, for instances that
the CloudWatch agent cannot read the GPU of. Started in the background by the lifecycle
configuration; exits quietly on instances without nvidia-smi."""

import json
import shutil
import subprocess
import sys
import time

NAMESPACE = "NotebookInstances/GPU"
INTERVAL = 60


def read_gpus() -> list:
    out = subprocess.run(
        ["nvidia-smi", "--query-gpu=index,utilization.gpu,memory.used,memory.total",
         "--format=csv,noheader,nounits"], capture_output=True, text=True, timeout=30)
    gpus = []
    for line in out.stdout.strip().splitlines():
        index, util, used, total = (v.strip() for v in line.split(","))
        gpus.append({"index": index, "util": float(util), "used": float(used), "total": float(total)})
    return gpus


def main() -> int:
    if shutil.which("nvidia-smi") is None:
        print("no GPU on this instance")
        return 0
    import boto3

    meta = json.load(open("/opt/ml/metadata/resource-metadata.json"))
    region = meta["ResourceArn"].split(":")[3]
    name = meta["ResourceName"]
    cloudwatch = boto3.client("cloudwatch", region_name=region)
    while True:
        data = []
        for gpu in read_gpus():
            dimensions = [{"Name": "NotebookInstanceName", "Value": name},
                          {"Name": "GPU", "Value": gpu["index"]}]
            data.append({"MetricName": "GPUUtilization", "Dimensions": dimensions,
                         "Value": gpu["util"], "Unit": "Percent"})
            data.append({"MetricName": "GPUMemoryUsed", "Dimensions": dimensions,
                         "Value": 100 * gpu["used"] / gpu["total"], "Unit": "Percent"})
        if data:
            cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=data)
        time.sleep(INTERVAL)


if __name__ == "__main__":
    sys.exit(main())

#!/bin/bash
# Ship Jupyter's and our own logs, and memory and disk metrics, to CloudWatch with the
# CloudWatch agent. The agent is installed from the package repository when missing.
set -euo pipefail
. lib/common.sh

NAME=$(instance_name)
CONFIG=/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json

if [ ! -x /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl ]; then
  install_packages amazon-cloudwatch-agent || {
    warn "the CloudWatch agent is not available; no metrics"
    exit 0
  }
fi

mkdir -p "$(dirname "$CONFIG")"
cat >"$CONFIG" <<JSON
{
  "agent": {
    "metrics_collection_interval": 60,
    "run_as_user": "root",
    "logfile": "/opt/aws/amazon-cloudwatch-agent/logs/amazon-cloudwatch-agent.log"
  },
  "metrics": {
    "namespace": "NotebookInstances",
    "append_dimensions": {
      "NotebookInstanceName": "$NAME"
    },
    "metrics_collected": {
      "mem": {
        "measurement": ["mem_used_percent", "mem_available"]
      },
      "disk": {
        "measurement": ["used_percent", "inodes_free"],
        "resources": ["/", "/home/ec2-user/SageMaker"],
        "ignore_file_system_types": ["sysfs", "devtmpfs", "tmpfs", "overlay"]
      },
      "nvidia_gpu": {
        "measurement": ["utilization_gpu", "memory_used", "memory_total"]
      }
    }
  },
  "logs": {
    "logs_collected": {
      "files": {
        "collect_list": [
          {
            "file_path": "/var/log/autostop.log",
            "log_group_name": "/notebooks/autostop",
            "log_stream_name": "$NAME",
            "timezone": "UTC"
          },
          {
            "file_path": "/var/log/jupyter-extensions.log",
            "log_group_name": "/notebooks/extensions",
            "log_stream_name": "$NAME",
            "timezone": "UTC"
          },
          {
            "file_path": "/home/ec2-user/SageMaker/.lifecycle/logs/latest-on-start/*.log",
            "log_group_name": "/notebooks/lifecycle",
            "log_stream_name": "$NAME",
            "timezone": "UTC"
          }
        ]
      }
    }
  }
}
JSON

# The GPU section makes the agent fail on instances without a GPU: drop it there.
if ! have nvidia-smi; then
  python3 - "$CONFIG" <<'PY'
import json, sys
path = sys.argv[1]
with open(path) as f:
    config = json.load(f)
config["metrics"]["metrics_collected"].pop("nvidia_gpu", None)
with open(path, "w") as f:
    json.dump(config, f, indent=2)
PY
fi

/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c "file:$CONFIG"
log "CloudWatch agent running with $CONFIG"

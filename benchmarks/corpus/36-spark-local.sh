#!/bin/bash
# PySpark in local mode on notebook instances: enough driver memory for the instance size,
# scratch space on the ML storage volume, and the S3A connector set up for the instance role.
set -euo pipefail
. lib/common.sh

SPARK_CONF_DIR=/etc/spark/conf
SCRATCH=$PERSISTENT/.spark-scratch
MEM_KB=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
DRIVER_GB=$(( MEM_KB * 6 / 10 / 1024 / 1024 ))
[ "$DRIVER_GB" -ge 1 ] || DRIVER_GB=1

mkdir -p "$SPARK_CONF_DIR"
install -d -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" "$SCRATCH"

cat >"$SPARK_CONF_DIR/spark-defaults.conf" <<CONF
spark.master                                  local[*]
spark.driver.memory                           ${DRIVER_GB}g
spark.driver.maxResultSize                    2g
spark.local.dir                               $SCRATCH
spark.sql.shuffle.partitions                  $(( $(nproc) * 4 ))
spark.sql.adaptive.enabled                    true
spark.serializer                              org.apache.spark.serializer.KryoSerializer
spark.hadoop.fs.s3a.aws.credentials.provider  com.amazonaws.auth.InstanceProfileCredentialsProvider
spark.hadoop.fs.s3a.fast.upload               true
spark.hadoop.fs.s3a.connection.maximum        100
spark.hadoop.fs.s3a.endpoint.region           $(instance_region)
spark.ui.showConsoleProgress                  false
CONF

cat >/etc/profile.d/spark.sh <<PROFILE
export SPARK_CONF_DIR=$SPARK_CONF_DIR
export PYSPARK_PYTHON=python3
export SPARK_LOCAL_DIRS=$SCRATCH
PROFILE
chmod 644 /etc/profile.d/spark.sh "$SPARK_CONF_DIR/spark-defaults.conf"
log "spark: driver ${DRIVER_GB}g, scratch in $SCRATCH"

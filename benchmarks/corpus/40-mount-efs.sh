#!/bin/bash
# Mount the team's shared EFS file system at ~/SageMaker/shared. Notebook instances in our
# private subnets reach it through the mount targets; the security group allows NFS from the
# notebook security group.
set -euo pipefail
. lib/common.sh

EFS_ID=${EFS_ID:-fs-0123456789abcdef0}
REGION=$(instance_region)
MOUNT_POINT=$PERSISTENT/shared
OPTIONS=nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport,_netdev

if mountpoint -q "$MOUNT_POINT"; then
  log "$MOUNT_POINT is already mounted"
  exit 0
fi

if ! have mount.nfs4; then
  install_packages nfs-utils
fi

mkdir -p "$MOUNT_POINT"
target="$EFS_ID.efs.$REGION.amazonaws.com:/"
if retry 3 timeout 30 mount -t nfs4 -o "$OPTIONS" "$target" "$MOUNT_POINT"; then
  chown "$NOTEBOOK_USER:$NOTEBOOK_USER" "$MOUNT_POINT"
  log "mounted $target at $MOUNT_POINT"
else
  rmdir "$MOUNT_POINT" 2>/dev/null || true
  warn "could not mount $target; the shared folder is not available"
fi

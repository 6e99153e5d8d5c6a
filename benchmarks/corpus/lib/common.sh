#!/bin/bash
# Helpers shared by the on-start scripts. Source it; do not run it.
#
#   . lib/common.sh
#   log "something happened"
#   retry 5 curl -fsS https://example.com
#   as_user pip install --user foo

NOTEBOOK_USER=${NOTEBOOK_USER:-ec2-user}
NOTEBOOK_HOME=/home/$NOTEBOOK_USER
PERSISTENT=$NOTEBOOK_HOME/SageMaker

log() {
  printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${LCC_STEP:-$(basename "$0")}" "$*"
}

warn() {
  log "WARNING: $*" >&2
}

die() {
  log "ERROR: $*" >&2
  exit 1
}

have() {
  command -v "$1" >/dev/null 2>&1
}

# retry N command...: run the command up to N times, sleeping 2, 4, 8... seconds in between.
retry() {
  local attempts=$1 n=1 delay=2
  shift
  until "$@"; do
    if [ "$n" -ge "$attempts" ]; then
      warn "giving up after $n attempts: $*"
      return 1
    fi
    warn "attempt $n of $attempts failed: $*; retrying in ${delay}s"
    sleep "$delay"
    n=$((n + 1))
    delay=$((delay * 2))
  done
}

# as_user command...: run a command as the notebook user with its login environment.
as_user() {
  sudo -u "$NOTEBOOK_USER" -i -- "$@"
}

# The package manager of this platform: dnf on Amazon Linux 2023, yum on Amazon Linux 2.
pkg_manager() {
  if have dnf; then
    echo dnf
  elif have yum; then
    echo yum
  else
    return 1
  fi
}

# install_packages name...: install system packages that are not there yet.
install_packages() {
  local pm missing=() p
  pm=$(pkg_manager) || die "no package manager found"
  for p in "$@"; do
    rpm -q "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "packages already installed: $*"
    return 0
  fi
  log "installing with $pm: ${missing[*]}"
  retry 3 "$pm" install -y -q "${missing[@]}"
}

# The region this notebook instance runs in, from its resource metadata.
instance_region() {
  python3 -c 'import json; print(json.load(open("/opt/ml/metadata/resource-metadata.json"))["ResourceArn"].split(":")[3])'
}

instance_name() {
  python3 -c 'import json; print(json.load(open("/opt/ml/metadata/resource-metadata.json"))["ResourceName"])'
}

# write_if_changed FILE: replace FILE with stdin only when the content differs; prints whether
# it changed, so callers restart services only when needed.
write_if_changed() {
  local file=$1 tmp
  tmp=$(mktemp "$file.XXXXXX")
  cat >"$tmp"
  if [ -f "$file" ] && cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
    echo unchanged
  else
    chmod 644 "$tmp"
    mv -f "$tmp" "$file"
    echo changed
  fi
}

#!/usr/bin/env python3
"""Install the deploy key for our Git server from Secrets Manager into ~ec2-user/.ssh.

The secret holds a JSON object: {"private_key": "...", "known_hosts": "...", "host": "..."}.
Runs as root with the instance role; writes files owned by ec2-user with mode 600.
"""

import json
import os
import pwd
import sys

SECRET_ID = os.environ.get("GIT_DEPLOY_KEY_SECRET", "notebooks/git-deploy-key")
USER = "ec2-user"


def main() -> int:
    try:
        import boto3
    except ImportError:
        print("boto3 is not available to this python; skipped", file=sys.stderr)
        return 0
    region = json.load(open("/opt/ml/metadata/resource-metadata.json"))["ResourceArn"].split(":")[3]
    client = boto3.client("secretsmanager", region_name=region)
    try:
        secret = json.loads(client.get_secret_value(SecretId=SECRET_ID)["SecretString"])
    except client.exceptions.ResourceNotFoundException:
        print(f"secret {SECRET_ID} not found; skipped")
        return 0

    user = pwd.getpwnam(USER)
    ssh_dir = os.path.join(user.pw_dir, ".ssh")
    os.makedirs(ssh_dir, mode=0o700, exist_ok=True)
    os.chown(ssh_dir, user.pw_uid, user.pw_gid)

    files = {
        "id_ed25519_git": secret["private_key"].strip() + "\n",
        "known_hosts": secret.get("known_hosts", "").strip() + "\n",
        "config": (
            f"Host {secret['host']}\n"
            f"  IdentityFile ~/.ssh/id_ed25519_git\n"
            f"  IdentitiesOnly yes\n"
            f"  StrictHostKeyChecking yes\n"
        ),
    }
    for name, content in files.items():
        path = os.path.join(ssh_dir, name)
        fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(content)
        os.chown(path + ".tmp", user.pw_uid, user.pw_gid)
        os.replace(path + ".tmp", path)
    print(f"deploy key for {secret['host']} installed in {ssh_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

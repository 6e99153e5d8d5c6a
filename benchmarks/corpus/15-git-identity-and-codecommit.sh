#!/bin/bash
# git for the notebook user: identity, sensible defaults, and the CodeCommit credential helper
# so that `git clone codecommit::...` and https clones of our repositories work with the
# instance role, without keys.
set -euo pipefail
. lib/common.sh

GIT_NAME=${GIT_NAME:-Data Science Team}
GIT_EMAIL=${GIT_EMAIL:-data-science@example.com}

if ! have git; then
  install_packages git
fi

as_user git config --global user.name "$GIT_NAME"
as_user git config --global user.email "$GIT_EMAIL"
as_user git config --global init.defaultBranch main
as_user git config --global pull.rebase false
as_user git config --global core.editor "nano"
as_user git config --global credential.helper '!aws codecommit credential-helper $@'
as_user git config --global credential.UseHttpPath true

# Notebooks produce huge diffs; nbdime renders them readably when it is installed.
if as_user bash -c 'command -v nbdime' >/dev/null 2>&1; then
  as_user nbdime config-git --enable --global
  log "nbdime enabled for git diff and merge"
fi

# git-remote-codecommit lets `git clone codecommit::region://repo` work.
if ! as_user python3 -c 'import git_remote_codecommit' 2>/dev/null; then
  as_user python3 -m pip install --user --quiet git-remote-codecommit || warn "git-remote-codecommit not installed"
fi
log "git configured for $GIT_NAME <$GIT_EMAIL>"

#!/bin/bash
# The notebook user's dotfiles live on the persistent volume (~/SageMaker/.dotfiles) and are
# linked into the home folder at every start, since the home folder itself is reset.
# Files present in the home folder but not in .dotfiles are left alone.
set -euo pipefail
. lib/common.sh

DOTFILES=$PERSISTENT/.dotfiles
FILES=(.bashrc.d .vimrc .tmux.conf .gitignore_global .inputrc .config/htop .aws/config .ipython/profile_default/startup)

install -d -o "$NOTEBOOK_USER" -g "$NOTEBOOK_USER" -m 700 "$DOTFILES"
linked=0
for f in "${FILES[@]}"; do
  src=$DOTFILES/$f
  dest=$NOTEBOOK_HOME/$f
  [ -e "$src" ] || continue
  mkdir -p "$(dirname "$dest")"
  chown "$NOTEBOOK_USER:$NOTEBOOK_USER" "$(dirname "$dest")"
  if [ -e "$dest" ] && [ ! -L "$dest" ]; then
    mv "$dest" "$dest.orig-$(date +%Y%m%d)"
  fi
  ln -sfn "$src" "$dest"
  chown -h "$NOTEBOOK_USER:$NOTEBOOK_USER" "$dest"
  linked=$((linked + 1))
done

# ~/.bashrc.d/*.sh are sourced by ~/.bashrc: add the loop once.
if ! grep -q 'bashrc.d' "$NOTEBOOK_HOME/.bashrc" 2>/dev/null; then
  cat >>"$NOTEBOOK_HOME/.bashrc" <<'RC'

# Personal settings kept on the persistent volume (see the lifecycle configuration).
for f in ~/.bashrc.d/*.sh; do
  [ -r "$f" ] && . "$f"
done
unset f
RC
  chown "$NOTEBOOK_USER:$NOTEBOOK_USER" "$NOTEBOOK_HOME/.bashrc"
fi
log "linked $linked dotfile(s) from $DOTFILES"

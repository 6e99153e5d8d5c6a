#!/bin/bash
# Recipe persist-home-folders: keep folders of ec2-user's home (reset at every start) on the
# persistent volume, linked from the home. Runs as ec2-user: everything it touches is that
# user's own, so nothing planted on the volume can make it write anywhere else.
#
#   first start   ~/F moves to KEPT/F (copied, then renamed into place, then removed from the
#                 home), and ~/F becomes a symlink to KEPT/F
#   later starts  ~/F is linked again. If something made a new ~/F meanwhile, it is removed
#                 when KEPT/F holds all of it, the same; otherwise KEPT/F wins and ~/F is saved
#                 aside as KEPT/F.saved-<UTC time>. Nothing is deleted that is not in KEPT/F.
#
# Options (step env): OPT_PERSISTENT_DIR (KEPT), OPT_FOLDER_COUNT and OPT_FOLDER_PATH_<i>
# (relative to the home).
set -eu
stamp=$(date -u +%Y%m%dT%H%M%SZ)

exists() { [ -e "$1" ] || [ -L "$1" ]; }

real_dir() { [ -d "$1" ] && [ ! -L "$1" ]; }

# same_entry A B: whether A and B are the same link, the same file content or both folders
# (sockets, FIFOs: never the same).
same_entry() {
  if [ -L "$1" ]; then
    [ -L "$2" ] && [ "$(readlink "$1")" = "$(readlink "$2")" ]
  elif [ -d "$1" ]; then
    real_dir "$2"
  else
    [ -f "$1" ] && [ -f "$2" ] && [ ! -L "$2" ] && [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ]
  fi
}

# redundant HOME_DIR KEPT_DIR: whether KEPT_DIR holds every entry below HOME_DIR, the same.
redundant() {
  local entry
  while IFS= read -r -d '' entry; do
    same_entry "$1/$entry" "$2/$entry" || return
  done < <(find "$1" -mindepth 1 -printf '%P\0')
}

# secure_ssh DIR: ssh refuses keys others can read: folders 700, public keys 644, the rest 600.
# (DIR/: the folder a symlink DIR points to, as chmod would.)
secure_ssh() {
  find "$1/" -type d -exec chmod 700 {} + -o -type f -name '*.pub' -exec chmod 644 {} + \
    -o -type f -exec chmod 600 {} + || echo "$1: could not set the modes (files of another owner?)"
}

# set_aside PATH KEPT: move PATH to KEPT.saved-<time>, on the persistent volume (KEPT wins).
set_aside() {
  local aside=$2.saved-$stamp
  ! exists "$aside" || aside+=.$$
  mv "$1" "$aside"
  echo "$1: saved aside as $aside ($2 differs and is kept)"
  [ "${2##*/}" != .ssh ] || [ ! -d "$aside" ] || secure_ssh "$aside"
}

mkdir -p "$OPT_PERSISTENT_DIR"
for ((i = 0; i < OPT_FOLDER_COUNT; i++)); do
  rel=OPT_FOLDER_PATH_$i
  home=$HOME/${!rel} kept=$OPT_PERSISTENT_DIR/${!rel}
  if [ -L "$home" ] && [ "$(readlink "$home")" = "$kept" ] && [ -d "$kept" ]; then
    echo "$home: already linked to $kept"
  elif exists "$kept" && [ ! -d "$kept" ]; then
    echo "$home: left alone, $kept is not a folder"
    continue
  elif ! exists "$kept"; then
    mkdir -p "${kept%/*}"
    if real_dir "$home"; then
      cp -a "$home" "$kept.partial-$stamp"
      mv "$kept.partial-$stamp" "$kept"
      rm -rf "$home"
      echo "$home: moved to $kept"
    else
      ! exists "$home" || set_aside "$home" "$kept"
      mkdir "$kept"
      echo "$home: created $kept"
    fi
  else
    if real_dir "$home" && redundant "$home" "$kept"; then
      rm -rf "$home"
    elif exists "$home"; then
      set_aside "$home" "$kept"
    fi
    echo "$home: linked to $kept again"
  fi
  if [ ! -L "$home" ]; then
    mkdir -p "${home%/*}"
    ln -s "$kept" "$home"
  fi
  [ "${kept##*/}" != .ssh ] || secure_ssh "$kept"
done

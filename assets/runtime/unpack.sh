#!/bin/bash
# lcc-constructs unpacking program: what the loader runs once the payload is checked, with
# bash -e reading this program from an unnamed regular file as its standard input, so that each
# `f` line of the archive copies its file's bytes from right there (lcc_constructs/bundle/_archive.py).
# It unpacks the bundle into <unpack dir>/<kind> (root's; nothing in it writable by anyone
# else; lcc/ readable by root alone but for what the notebook user runs) and hands over to the
# runner (on Studio: the folder is sagemaker-user's, in /tmp). lcc_constructs.bundle fills in the @@...@@ values and puts the archive in place of
# @@ARCHIVE@@.
# shellcheck disable=SC2164 # bash -e: a failing cd ends the program
# The service's PATH holds a relative "bin", which bash resolves against the current folder;
# Studio's is not known (@@PATH@@: limits.NOTEBOOK_PATH, or STUDIO_PATH with conda's first).
export PATH=@@PATH@@
umask 022
u=@@UNPACK_DIR@@ k=@@KIND@@
trap 'echo "lcc-constructs[$k]: ERROR: cannot unpack into $u, no step ran";exit @@FAIL@@' EXIT
# The folder is root's alone until the archive has set every mode (lcc/runner.sh holds root
# steps' variables: a program of the notebook user's must not open it while it is still 644).
rm -rf "$u/.$k"
# shellcheck disable=SC2174 # -m for the last folder only: the point
mkdir -pm 700 "$u/.$k"
cd "$u/.$k"
@@ARCHIVE@@
cd /
chmod 755 "$u/.$k"
rm -rf "${u:?}/$k"
mv "$u/.$k" "$u/$k"
exec bash "$u/$k/lcc/runner.sh"

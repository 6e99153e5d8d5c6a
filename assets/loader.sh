#!/bin/bash
# lcc-constructs loader: the plain-text outside of every lifecycle script the library builds,
# the only part that is not compressed (docs/on-the-instance.md, "The chain").
# python3 (Amazon Linux 2023's, always there: ../shared/NOTEBOOK-INSTANCE.md) reads its program
# from the first here-document and the payload from the second (its standard input), turns the
# payload back into bytes, checks their sha256 before anything of them runs, decompresses them
# into an unnamed temporary file (O_TMPFILE: nobody can plant or open it by name) and becomes
# bash -e reading that file as its standard input: the unpacking program
# (assets/runtime/unpack.sh), whose archive copies each file's bytes from right there.
# -I: no PYTHON* variables, no user site, no current folder on sys.path. signal(13, 0): SIGPIPE
# back to its default before the exec: python ignores it, and bash and every step would inherit
# that (`while :; do echo; done | head` would never end).
# lcc_constructs.bundle fills in the @@...@@ values: @@DEFS@@ with the modules and lines the
# codec's pieces (assets/codecs, assets/payload) need before the check, @@DECODE@@ and @@DECOMPRESS@@ with
# their expressions, @@FAIL@@ with 1 when a step is required, else 0.
python3 -I /dev/fd/3 3<<'P' <<'E'
import sys,os,hashlib,tempfile,signal@@DEFS@@
try:
 d=@@DECODE@@
 assert hashlib.sha256(d).hexdigest()=="@@SHA256@@"
 d=@@DECOMPRESS@@
except Exception:print("lcc-constructs: ERROR: the payload cannot be used, no step ran");sys.exit(@@FAIL@@)
signal.signal(13,0);f=tempfile.TemporaryFile();f.write(d);f.seek(0);os.dup2(f.fileno(),0);os.execv("/bin/bash",("bash","-es"))
P
@@PAYLOAD@@
E

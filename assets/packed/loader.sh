#!/bin/bash
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

"""Recipe jupyter-settings: admin defaults for JupyterLab and Code Editor, merged into their
settings files at every start. Runs as the notebook user (sagemaker-user on Studio, ec2-user on
a notebook instance).

JupyterLab: <prefix>/share/jupyter/lab/settings/overrides.json of the server's environment
(OPT_PREFIX, or the first of PREFIXES holding share/jupyter/lab): our settings of each plugin
replace those keys, every other plugin and key stays. Code Editor (Studio):
~/sagemaker-code-editor-server-data/data/Machine/settings.json, our keys replace those keys.
A file that is not a JSON object is left as it is and the step fails. A file already holding
our settings is not written again. Only the server's environment is written through sudo when
the user cannot write there (nothing in the home).

Options (step env): OPT_LAB and OPT_CODE_EDITOR (JSON objects, or empty), OPT_PREFIX.
"""
import json
import os
import subprocess
import sys
import tempfile

PREFIXES = ["/opt/conda", "/home/ec2-user/anaconda3/envs/JupyterSystemEnv"]
CODE_EDITOR = "~/sagemaker-code-editor-server-data/data/Machine/settings.json"


def merged(path, ours, per_plugin):
    try:
        with open(path) as f:
            data = json.load(f)
    except FileNotFoundError:
        data = {}
    except ValueError as e:
        sys.exit(f"failed: {path} is not JSON ({e}); left as it is")
    if not isinstance(data, dict):
        sys.exit(f"failed: {path} holds no JSON object; left as it is")
    new = dict(data)
    for key, value in ours.items():
        old = new.get(key)
        new[key] = {**old, **value} if per_plugin and isinstance(old, dict) else value
    return data, new


def write(path, ours, per_plugin, sudo=False):
    data, new = merged(path, ours, per_plugin)
    if new == data:
        print(f"unchanged: {path}")
        return
    folder = os.path.dirname(path)
    text = json.dumps(new, indent=2) + "\n"
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".settings-")
    except PermissionError:
        if not sudo:
            sys.exit(f"failed: cannot write in {folder}")
        # Not ours (an image whose environment is root's): through sudo, as on Studio.
        fd, tmp = tempfile.mkstemp()
        with os.fdopen(fd, "w") as f:
            f.write(text)
        try:
            subprocess.run(["sudo", "-n", "install", "-D", "-m", "644", tmp, path], check=True)
        finally:
            os.unlink(tmp)
    else:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    print(f"set {', '.join(sorted(ours))} in {path}")


lab = os.environ["OPT_LAB"]
if lab:
    found = [p for p in ([os.environ["OPT_PREFIX"]] if os.environ["OPT_PREFIX"] else PREFIXES)
             if os.path.isdir(f"{p}/share/jupyter/lab")]
    if found:
        write(f"{found[0]}/share/jupyter/lab/settings/overrides.json", json.loads(lab), True, True)
    else:
        print(f"skipped JupyterLab: no share/jupyter/lab in {os.environ['OPT_PREFIX'] or PREFIXES}")
code = os.environ["OPT_CODE_EDITOR"]
if code:
    write(os.path.expanduser(CODE_EDITOR), json.loads(code), False)

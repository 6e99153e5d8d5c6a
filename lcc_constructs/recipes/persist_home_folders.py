"""The persist-home-folders recipe (docs/recipes/persist-home-folders.md)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from ..bundle import OnPlatform, RunAs, Scripts, Step
from ..limits import PERSISTENT_DIR, STUDIO_HOME
from ._common import Options, recipe_call, recipe_scripts, step_timeout, table_env, table_rows

NAME = "persist-home-folders"
#: The script its step runs: how ``lcc pull`` finds a use of it among the steps.
SCRIPT = f"{NAME}.sh"
#: Studio refuses it: the whole home persists there.
ON_STUDIO = OnPlatform("studio", f"the whole home ({STUDIO_HOME}) persists on Studio: its folders need no "
                       "keeping. Fix: leave persist-home-folders out of the Studio build")


#: Files, not folders, in ec2-user's home (the shells', SageMaker's .condarc, tools' settings and
#: keys): listed, each was moved aside and replaced by a link to an empty folder at every start
#: (a .bashrc that is a folder breaks every login shell). A list of the usual ones, not a proof
#: that other names are folders.
HOME_FILES = frozenset({
    ".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".bash_history", ".profile", ".zshrc",
    ".zprofile", ".zshenv", ".zsh_history", ".inputrc", ".condarc", ".gitconfig", ".git-credentials",
    ".netrc", ".npmrc", ".pypirc", ".vimrc", ".viminfo", ".python_history", ".lesshst", ".wget-hsts",
    ".Xauthority", ".tmux.conf", ".screenrc", ".selected_editor", ".ssh/authorized_keys", ".ssh/config",
    ".ssh/known_hosts", ".ssh/id_rsa", ".ssh/id_ecdsa", ".ssh/id_ed25519", ".aws/config", ".aws/credentials",
    ".config/pip/pip.conf", ".docker/config.json", ".kube/config",
})


def _home_folder(o: Options, folder: str) -> str:
    path = PurePosixPath(folder)
    if (not folder or path.is_absolute() or ".." in path.parts or path.as_posix() in (".", "")
            or path.parts[0] == "SageMaker" or "\n" in folder or "\0" in folder):
        o.problem("folders", folder, "must list folders relative to /home/ec2-user, such as '.ssh' or "
                  "'.local/share/jupyter' (not absolute, no '..', not SageMaker)")
    elif any(p.as_posix() in HOME_FILES for p in (path, *path.parents)):
        o.problem("folders", folder, "is a file in ec2-user's home, not a folder: it would be moved aside "
                  "and replaced by a link to an empty folder at every start. Fix: list folders only (for "
                  "git settings use the git-config recipe; keep other files in a listed folder, e.g. "
                  "~/.config)")
    return path.as_posix()


def persist_home_folders(
    *,
    name: str = NAME,
    folders: Sequence[str] = (".config", ".ssh"),
    persistent_dir: str = f"{PERSISTENT_DIR}/.persistent-home",
    timeout_seconds: float = 120,
) -> Scripts:
    """Folders of ec2-user's home kept on the persistent volume, linked from the home.

    The home is reset at every start. On the first start, each folder's content moves to
    ``persistent_dir`` and the home gets a symlink to it; on later starts, the symlink is made
    again. If something created the folder in the home meanwhile, it is removed when the
    persistent copy holds all of it, the same; otherwise the persistent copy wins and the home's
    copy is saved aside as ``<persistent_dir>/<folder>.saved-<UTC time>`` (logged): nothing is
    lost.
    Runs as ec2-user, who owns everything it creates. A ``.ssh`` folder gets mode 700 (its
    sub-folders too), its files 600 and its ``*.pub`` files 644. A Studio build refuses it: the
    whole home persists there.

    :param folders: folders relative to /home/ec2-user (default ``.config`` and ``.ssh``).
    :param persistent_dir: where they are kept (default
        ``/home/ec2-user/SageMaker/.persistent-home``).
    :param timeout_seconds: the step's time limit (default 120).
    """
    call = recipe_call(NAME, persist_home_folders, locals())
    o = Options(NAME, name)
    clean = [_home_folder(o, f) for f in o.strings("folders", folders, None, "folders")]
    if not clean and not o.problems:
        o.problem("folders", folders, "must be a non-empty list of folder names")
    for a in clean:
        for b in clean:
            if a != b and PurePosixPath(b).is_relative_to(a):
                o.problem("folders", list(folders), f"lists {b!r} inside {a!r}: keep only {a!r}")
    if len(set(clean)) != len(clean):
        o.problem("folders", list(folders), "lists a folder twice")
    env = {"OPT_PERSISTENT_DIR": o.persistent_path("persistent_dir", persistent_dir),
           **table_env("OPT_FOLDER", ["PATH"], [[f] for f in clean])}
    timeout = o.seconds("timeout_seconds", timeout_seconds)
    o.done()
    step = Step(name=name, script=SCRIPT, run_as=RunAs.NOTEBOOK_USER, timeout_seconds=timeout, env=env)
    return recipe_scripts(NAME, [step], call=call, folders=[env["OPT_PERSISTENT_DIR"]],
                          on_platform=ON_STUDIO)


def options_of(steps: Sequence[Step]) -> dict[str, Any]:
    """The options of the use of this recipe whose step begins ``steps`` (read back from a bundle)."""
    step = steps[0]
    return {"name": step.name, "folders": [row[0] for row in table_rows(step.env, "OPT_FOLDER", ["PATH"])],
            "persistent_dir": step.env["OPT_PERSISTENT_DIR"], "timeout_seconds": step_timeout(step)}

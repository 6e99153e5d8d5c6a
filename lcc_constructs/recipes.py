"""Built-in recipes (see :mod:`lcc_constructs.recipe_registry` for how they are found by name).

Each function returns the :class:`~lcc_constructs.steps.Scripts` of one recipe, ready to combine
with your own: ``on_start=[recipes.stop_ssm_agent(), Scripts.from_folder("scripts")]``. The
scripts are in ``assets/recipes/<recipe>/``; the options reach them as step environment
variables. Every recipe works on notebook-al2023-v1, can run twice with the
same result as once, never deletes user data, and never fails the instance start: when a tool
it needs is missing, its log says what it skipped and why.

Invalid options raise :class:`~lcc_constructs.errors.BundleError` (a ``ValueError``) naming the
recipe, the option, the value and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

from .autostop import autostop
from .errors import BundleError
from .limits import ENV_NAME_PATTERN, PERSISTENT_DIR, SAFE_PATH_PATTERN
from .recipe_registry import recipe_scripts, register
from .steps import RunAs, Scripts, Step

__all__ = [
    "autostop",
    "environment_variables",
    "git_config",
    "package_index",
    "persist_conda_envs",
    "persist_home_folders",
    "persistent_bin",
    "stop_ssm_agent",
]

#: Variables a profile script must not set: login shells (and the runner's own steps) depend on
#: them, and values are taken literally (``PATH=/x:$PATH`` cannot be expressed); bash's
#: read-only ones would make the profile script fail.
RESERVED_VARIABLES = frozenset({"PATH", "HOME", "USER", "LOGNAME", "SHELL", "PWD", "OLDPWD",
                                "SHLVL", "IFS", "UID", "EUID", "PPID", "SHELLOPTS", "BASHOPTS",
                                "BASH_VERSINFO"})

_URL = re.compile(r"^(https?|file)://[^\s'\"\\]+$")
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
_CHANNEL = re.compile(r"^[^\s'\"\\]+$")
_BINARY_NAME = re.compile(r"^[A-Za-z0-9_+][A-Za-z0-9._+-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# section.key or section.subsection.key; git allows any subsection text but a newline.
_GIT_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9-]*(\.[^\n\0]+)?\.[A-Za-z][A-Za-z0-9-]*$")


def _error(recipe: str, option: str, value: object, fix: str) -> BundleError:
    return BundleError(f"recipe {recipe!r}: {option}={value!r} {fix}")


def _table(prefix: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> dict[str, str]:
    """Rows of values for a recipe script: ``<prefix>_COUNT`` and ``<prefix>_<column>_<i>``.

    The runner hands any value to the step unchanged (newlines included), and the script reads
    row ``i`` by indirect expansion."""
    env = {f"{prefix}_COUNT": str(len(rows))}
    for i, row in enumerate(rows):
        env.update({f"{prefix}_{column}_{i}": value for column, value in zip(columns, row, strict=True)})
    return env


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _check_timeout(recipe: str, option: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 1:
        raise _error(recipe, option, value, "must be a number of seconds, at least 1")
    return float(value)


def _check_text(recipe: str, option: str, value: str) -> str:
    if not isinstance(value, str) or "\0" in value:
        raise _error(recipe, option, value, "must be a string without NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _error(recipe, option, value, "must be valid Unicode (no lone surrogates)") from None
    return value


def _check_list(recipe: str, option: str, values: Sequence[str], pattern: re.Pattern[str] | None,
                what: str) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise _error(recipe, option, values, f"must be a list of {what}, not a single string")
    for value in values:
        if not isinstance(value, str) or pattern and not pattern.match(value):
            raise _error(recipe, option, values, f"holds {value!r}, which is not {what}")
    return list(values)


def _check_mapping(recipe: str, option: str, value: Mapping[str, str] | None) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _error(recipe, option, value, "must be a table of names to strings")
    for key, item in value.items():
        if not isinstance(key, str):
            raise _error(recipe, option, value, f"has the key {key!r}, which is not a string")
        _check_text(recipe, f"{option}[{key!r}]", item)
    return dict(value)


def _single_step(recipe: str, name: str, run_as: RunAs, timeout_seconds: float,
                 env: Mapping[str, str], libs: Sequence[str] = ()) -> Scripts:
    """The usual recipe: one foreground step running ``<recipe>.sh``, with the helper files
    ``libs`` (assets/recipes/lib)."""
    timeout = _check_timeout(recipe, "timeout_seconds", timeout_seconds)
    step = Step(name, f"{recipe}.sh", run_as=run_as, timeout_seconds=timeout, env=env)
    return recipe_scripts(recipe, [step], libs=libs)


def _persistent_path(recipe: str, option: str, value: str) -> str:
    """An absolute folder strictly inside the persistent volume, in plain characters."""
    path = PurePosixPath(value) if isinstance(value, str) else None
    if (path is None or not SAFE_PATH_PATTERN.match(value) or ".." in path.parts
            or not path.is_relative_to(PERSISTENT_DIR) or path == PurePosixPath(PERSISTENT_DIR)):
        raise _error(recipe, option, value,
                     f"must be a folder inside the persistent volume {PERSISTENT_DIR} (an absolute "
                     f"path of letters, digits and _ . / -), e.g. '{PERSISTENT_DIR}/.bin'")
    return path.as_posix()


@register("persist-conda-envs")
def persist_conda_envs(
    *,
    name: str = "persist-conda-envs",
    envs_dir: str = f"{PERSISTENT_DIR}/.conda/envs",
    register_kernels: bool = True,
    restart_jupyter: bool = True,
    timeout_seconds: float = 120,
) -> Scripts:
    """Conda environments on the persistent volume, registered as Jupyter kernels at every start.

    ec2-user's conda looks for environments in ``envs_dir`` first and in its default folder
    after that (``conda config --prepend envs_dirs`` edits ``/home/ec2-user/.condarc`` in place,
    keeping what SageMaker keeps there), so ``conda create -n NAME`` puts new environments on
    the persistent volume and they survive restarts. At every start, each environment in
    ``envs_dir`` that has ``ipykernel`` is registered as a kernel of ec2-user (kernel
    ``conda-env-<name>``, shown as ``<name> (persistent)``, in ``~/.local/share/jupyter``); one
    without ipykernel is skipped with a log line. Jupyter is restarted without waiting
    (``systemctl --no-block restart jupyter-server``) only when the kernel list changed.
    Runs as root only for that restart; conda, Python and the files run and belong to ec2-user.

    :param envs_dir: where new environments go (default ``/home/ec2-user/SageMaker/.conda/envs``);
        created, owned by ec2-user, if missing.
    :param register_kernels: register the environments as Jupyter kernels (default True).
    :param restart_jupyter: restart Jupyter when the kernel list changed (default True).
    :param timeout_seconds: the step's time limit (default 120).
    """
    recipe = "persist-conda-envs"
    env = {
        "OPT_ENVS_DIR": _persistent_path(recipe, "envs_dir", envs_dir),
        "OPT_REGISTER_KERNELS": _flag(register_kernels),
        "OPT_RESTART_JUPYTER": _flag(restart_jupyter),
    }
    return _single_step(recipe, name, RunAs.ROOT, timeout_seconds, env, libs=["conda", "systemd"])


@register("stop-ssm-agent")
def stop_ssm_agent(
    *,
    name: str = "stop-ssm-agent",
    uninstall: bool = False,
    timeout_seconds: float = 60,
    uninstall_timeout_seconds: float = 900,
) -> Scripts:
    """Stop the SSM agent and disable it (systemd), as root.

    When ``amazon-ssm-agent`` runs, it is stopped and disabled; when it is absent, stopped or
    there is no systemd, the log says so and the step succeeds. The root volume is reset at
    every start, so this happens at every start (the agent runs until the script reaches it).

    :param uninstall: also remove the ``amazon-ssm-agent`` package with dnf, in a background
        step ``<name>-uninstall`` because removal is slow (default False).
    :param timeout_seconds: the stop step's time limit (default 60).
    :param uninstall_timeout_seconds: the background removal's time limit (default 900).
    """
    recipe = "stop-ssm-agent"
    timeout = _check_timeout(recipe, "timeout_seconds", timeout_seconds)
    uninstall_timeout = _check_timeout(recipe, "uninstall_timeout_seconds", uninstall_timeout_seconds)
    steps = [Step(name, f"{recipe}.sh", timeout_seconds=timeout)]
    if not uninstall:
        return recipe_scripts(recipe, steps, leave_out=["uninstall.sh"], libs=["systemd"])
    steps.append(Step(f"{name}-uninstall", "uninstall.sh", timeout_seconds=uninstall_timeout,
                      background=True))
    return recipe_scripts(recipe, steps, libs=["systemd"])


def _home_folder(recipe: str, folder: str) -> str:
    path = PurePosixPath(folder) if isinstance(folder, str) else None
    if (path is None or not folder or path.is_absolute() or ".." in path.parts
            or path.as_posix() in (".", "") or path.parts[0] == "SageMaker"
            or "\n" in folder or "\0" in folder):
        raise _error(recipe, "folders", folder,
                     "must list folders relative to /home/ec2-user, such as '.ssh' or "
                     "'.local/share/jupyter' (not absolute, no '..', not SageMaker)")
    return path.as_posix()


@register("persist-home-folders")
def persist_home_folders(
    *,
    name: str = "persist-home-folders",
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
    sub-folders too), its files 600 and its ``*.pub`` files 644.

    :param folders: folders relative to /home/ec2-user (default ``.config`` and ``.ssh``).
    :param persistent_dir: where they are kept (default
        ``/home/ec2-user/SageMaker/.persistent-home``).
    :param timeout_seconds: the step's time limit (default 120).
    """
    recipe = "persist-home-folders"
    clean = [_home_folder(recipe, f) for f in _check_list(recipe, "folders", folders, None, "folders")]
    if not clean:
        raise _error(recipe, "folders", folders, "must be a non-empty list of folder names")
    for a in clean:
        for b in clean:
            if a != b and PurePosixPath(b).is_relative_to(a):
                raise _error(recipe, "folders", list(folders),
                             f"lists {b!r} inside {a!r}: keep only {a!r}")
    if len(set(clean)) != len(clean):
        raise _error(recipe, "folders", list(folders), "lists a folder twice")
    env = {"OPT_PERSISTENT_DIR": _persistent_path(recipe, "persistent_dir", persistent_dir),
           **_table("OPT_FOLDER", ["PATH"], [[f] for f in clean])}
    return _single_step(recipe, name, RunAs.NOTEBOOK_USER, timeout_seconds, env, libs=["files"])


@register("persistent-bin")
def persistent_bin(
    *,
    name: str = "persistent-bin",
    folder: str = f"{PERSISTENT_DIR}/.bin",
    binaries: Mapping[str, str] | None = None,
    sha256: Mapping[str, str] | None = None,
    download_timeout_seconds: float = 60,
    timeout_seconds: float = 180,
) -> Scripts:
    """A persistent folder for programs, first on ec2-user's PATH.

    ``folder`` is created (owned by ec2-user) and put first on ec2-user's ``PATH`` in login
    shells and Jupyter terminals by ``/etc/profile.d/lcc-<name>.sh`` (mode 644); other users,
    root included, do not get it, as root must never run what the notebook user can write.
    Programs named in ``binaries`` are downloaded (as ec2-user, with curl) only when the folder
    lacks them, checked against ``sha256`` when given, and made executable (755); a failed
    download or a wrong checksum is logged and leaves nothing behind, and the start goes on.

    :param folder: the folder (default ``/home/ec2-user/SageMaker/.bin``).
    :param binaries: file name -> URL (``https://``, ``http://`` or ``file://``) of programs to
        install once (default none).
    :param sha256: file name -> expected SHA-256 (hex) of the download, for any of ``binaries``.
    :param download_timeout_seconds: time limit of each download attempt (default 60).
    :param timeout_seconds: the step's time limit (default 180).
    """
    recipe = "persistent-bin"
    urls = _check_mapping(recipe, "binaries", binaries)
    sums = _check_mapping(recipe, "sha256", sha256)
    for file_name, url in urls.items():
        if not _BINARY_NAME.match(file_name):
            raise _error(recipe, "binaries", file_name,
                         "is not a plain file name (letters, digits and _ . + -)")
        if not _URL.match(url):
            raise _error(recipe, f"binaries[{file_name!r}]", url,
                         "must be an https://, http:// or file:// URL without spaces or quotes")
    for file_name, digest in sums.items():
        if file_name not in urls:
            raise _error(recipe, "sha256", file_name, "names no program of binaries")
        if not _SHA256.match(digest):
            raise _error(recipe, f"sha256[{file_name!r}]", digest,
                         "must be 64 lowercase hexadecimal digits")
    env = {
        "OPT_BIN_DIR": _persistent_path(recipe, "folder", folder),
        "OPT_DOWNLOAD_TIMEOUT": str(round(_check_timeout(recipe, "download_timeout_seconds",
                                                         download_timeout_seconds))),
        **_table("OPT_BINARY", ["NAME", "URL", "SHA256"],
                 [[n, u, sums.get(n, "")] for n, u in sorted(urls.items())]),
    }
    return _single_step(recipe, name, RunAs.ROOT, timeout_seconds, env, libs=["files", "quote"])


@register("environment-variables")
def environment_variables(
    *,
    variables: Mapping[str, str],
    name: str = "environment-variables",
    jupyter: bool = True,
    timeout_seconds: float = 30,
) -> Scripts:
    """Environment variables for every user's login shells and for Jupyter's kernels.

    ``/etc/profile.d/lcc-<name>.sh`` (root, mode 644) exports them, each value single-quoted so
    that it arrives exactly as given (spaces, quotes, ``$``, backslashes, newlines). Kernels do
    not read profile scripts: they inherit the environment of the Jupyter server, which systemd
    starts. So, with ``jupyter``, the values also go to ``/etc/lcc-constructs/<name>.env``
    (systemd's EnvironmentFile format, mode 644), which the drop-in
    ``/etc/systemd/system/jupyter-server.service.d/lcc-<name>.conf`` adds to the
    ``jupyter-server`` unit, and Jupyter is restarted without waiting when either file changed.
    Anyone on the instance can read the values (they are in the template, too): no secrets.

    :param variables: name -> value (required, at least one).
    :param jupyter: also for Jupyter and its kernels (default True).
    :param timeout_seconds: the step's time limit (default 30).
    """
    recipe = "environment-variables"
    values = _check_mapping(recipe, "variables", variables)
    if not values:
        raise _error(recipe, "variables", variables, "needs at least one variable")
    for key in values:
        if not ENV_NAME_PATTERN.match(key):
            raise _error(recipe, "variables", key, "is not a variable name (letters, digits, _)")
        if key in RESERVED_VARIABLES:
            raise _error(recipe, "variables", key,
                         "is set by login shells themselves (or read-only in bash); for PATH "
                         "use the persistent-bin recipe")
    env = {"OPT_JUPYTER": _flag(jupyter),
           **_table("OPT_VAR", ["NAME", "VALUE"], sorted(values.items()))}
    return _single_step(recipe, name, RunAs.ROOT, timeout_seconds, env,
                        libs=["files", "quote", "systemd"])


@register("package-index")
def package_index(
    *,
    name: str = "package-index",
    index_url: str | None = None,
    extra_index_urls: Sequence[str] = (),
    trusted_hosts: Sequence[str] = (),
    conda_channels: Sequence[str] = (),
    timeout_seconds: float = 60,
) -> Scripts:
    """pip (and conda) of ec2-user install from a private package index.

    Sets ``index-url``, ``extra-index-url`` and ``trusted-host`` in the ``[global]`` section of
    ``/home/ec2-user/.config/pip/pip.conf`` (mode 600: URLs may hold credentials), replacing
    earlier values of those keys and keeping every other line of the file. Runs as ec2-user.
    Only the options you give are set.

    :param index_url: replaces PyPI as pip's index (default: left as it is).
    :param extra_index_urls: indexes pip searches besides the main one.
    :param trusted_hosts: hosts pip may reach without valid HTTPS (``host`` or ``host:port``).
    :param conda_channels: conda channels put first, in this order, in the ``channels`` list of
        ``/home/ec2-user/.condarc`` (``conda config --prepend``); skipped with a log line when
        there is no conda.
    :param timeout_seconds: the step's time limit (default 60).
    """
    recipe = "package-index"
    if index_url is not None and (not isinstance(index_url, str) or not _URL.match(index_url)):
        raise _error(recipe, "index_url", index_url,
                     "must be an https://, http:// or file:// URL without spaces or quotes")
    extra = _check_list(recipe, "extra_index_urls", extra_index_urls, _URL, "a URL")
    hosts = _check_list(recipe, "trusted_hosts", trusted_hosts, _HOST, "a host name")
    channels = _check_list(recipe, "conda_channels", conda_channels, _CHANNEL,
                           "a channel name or URL without spaces or quotes")
    if index_url is None and not (extra or hosts or channels):
        raise _error(recipe, "index_url", index_url,
                     "and every other option are empty: give at least one")
    env = {"OPT_INDEX_URL": index_url or "", "OPT_EXTRA_INDEX_URLS": " ".join(extra),
           "OPT_TRUSTED_HOSTS": " ".join(hosts), "OPT_CONDA_CHANNELS": " ".join(channels)}
    return _single_step(recipe, name, RunAs.NOTEBOOK_USER, timeout_seconds, env, libs=["conda", "files"])


@register("git-config")
def git_config(
    *,
    name: str = "git-config",
    user_name: str | None = None,
    user_email: str | None = None,
    settings: Mapping[str, str] | None = None,
    timeout_seconds: float = 30,
) -> Scripts:
    """Git identity and settings of ec2-user (``git config --global``, in ``~/.gitconfig``).

    Runs as ec2-user; each key gets exactly the value given (``--replace-all``). Skipped with a
    log line when git is not installed.

    :param user_name: ``user.name``.
    :param user_email: ``user.email``.
    :param settings: any other keys, e.g. ``{"init.defaultBranch": "main", "pull.rebase": "true"}``.
    :param timeout_seconds: the step's time limit (default 30).
    """
    recipe = "git-config"
    values = _check_mapping(recipe, "settings", settings)
    for option, key, value in (("user_name", "user.name", user_name),
                               ("user_email", "user.email", user_email)):
        if value is not None:
            values[key] = _check_text(recipe, option, value)
    if not values:
        raise _error(recipe, "settings", settings, "and user_name, user_email are empty: give one")
    for key in values:
        if not _GIT_KEY.match(key):
            raise _error(recipe, "settings", key,
                         "is not a git key (section.name or section.subsection.name)")
    env = _table("OPT_GIT", ["KEY", "VALUE"], sorted(values.items()))
    return _single_step(recipe, name, RunAs.NOTEBOOK_USER, timeout_seconds, env)

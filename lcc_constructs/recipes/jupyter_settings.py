"""The jupyter-settings recipe (docs/recipes/jupyter-settings.md)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from ..bundle import OnPlatform, RunAs, Scripts, Step
from ..limits import SAFE_PATH_PATTERN
from ._common import Options, recipe_call, recipe_scripts, step_timeout

NAME = "jupyter-settings"
#: The script its step runs: how ``lcc pull`` finds a use of it among the steps.
SCRIPT = f"{NAME}.py"
#: A JupyterLab settings plugin id: ``package:plugin``, the package maybe ``@scope/name``.
_PLUGIN = re.compile(r"^(@[A-Za-z0-9_.-]+/)?[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$")
#: Why a notebook instance refuses Code Editor settings.
NOTEBOOK_INSTANCE = ("a notebook instance has no Code Editor (code_editor settings are for Studio's "
                     "Code Editor spaces). Fix: leave code_editor out of the notebook instance's "
                     "configuration")


def _json_problem(value: Any) -> str | None:
    """Why ``value`` is not plain JSON that a manifest can hold too (objects with string keys,
    lists, strings, finite numbers, booleans; no null, which TOML has not), or None."""
    if value is None:
        return "null (None) cannot be written in lifecycle.toml: leave the setting out"
    if isinstance(value, (bool, str, int)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{value!r} is not a JSON number"
    if isinstance(value, (list, tuple)):
        return next((p for p in map(_json_problem, value) if p), None)
    if isinstance(value, Mapping):
        bad = [k for k in value if not isinstance(k, str)]
        if bad:
            return f"the key {bad[0]!r} is not a string"
        return next((p for p in map(_json_problem, value.values()) if p), None)
    return f"{value!r} ({type(value).__name__}) is not a JSON value"


def _encoded(value: Mapping[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def jupyter_settings(
    *,
    name: str = NAME,
    jupyterlab: Mapping[str, Mapping[str, Any]] | None = None,
    code_editor: Mapping[str, Any] | None = None,
    server_prefix: str | None = None,
    timeout_seconds: float = 30,
) -> Scripts:
    """Admin defaults for JupyterLab's and Code Editor's settings, merged in at every start.

    JupyterLab: ``overrides.json`` in ``share/jupyter/lab/settings`` of the server's
    environment (``/opt/conda`` on Studio's SageMaker Distribution, ``JupyterSystemEnv`` on a
    notebook instance), which a start resets: defaults a user's own settings still override.
    Code Editor (Studio only): the machine settings of the space,
    ``~/sagemaker-code-editor-server-data/data/Machine/settings.json``. Each file keeps every
    key it had but those given; one that is not a JSON object is left as it is and the step
    fails. Runs as the notebook user (sagemaker-user on Studio; ec2-user on a notebook
    instance, where code_editor settings are refused at build).

    :param jupyterlab: settings by plugin, e.g.
        ``{"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}``.
    :param code_editor: settings by name, e.g. ``{"editor.fontSize": 14}``.
    :param server_prefix: the environment JupyterLab runs from (an absolute path). Default: the
        first of ``/opt/conda`` and ``/home/ec2-user/anaconda3/envs/JupyterSystemEnv`` that holds
        ``share/jupyter/lab``.
    :param timeout_seconds: the step's time limit (default 30).
    """
    call = recipe_call(NAME, jupyter_settings, locals())
    o = Options(NAME, name)
    lab: dict[str, Any] = {}
    if jupyterlab is not None:
        if not isinstance(jupyterlab, Mapping):
            o.problem("jupyterlab", jupyterlab, "must be a table of plugin ids to tables of settings")
        else:
            for plugin, settings in jupyterlab.items():
                if not isinstance(plugin, str) or not _PLUGIN.fullmatch(plugin):
                    o.problem("jupyterlab", plugin, "is not a JupyterLab plugin id (package:plugin, e.g. "
                              "'@jupyterlab/apputils-extension:themes')")
                elif not isinstance(settings, Mapping) or not settings:
                    o.problem(f"jupyterlab[{plugin!r}]", settings, "must be a non-empty table of settings")
                else:
                    why = _json_problem(settings)
                    if why:
                        o.problem(f"jupyterlab[{plugin!r}]", settings, f"must be JSON: {why}")
                    lab[plugin] = dict(settings)
    code: dict[str, Any] = {}
    if code_editor is not None:
        if not isinstance(code_editor, Mapping):
            o.problem("code_editor", code_editor, "must be a table of setting names to values")
        else:
            why = _json_problem(code_editor)
            if why:
                o.problem("code_editor", code_editor, f"must be JSON: {why}")
            elif "" in code_editor:
                o.problem("code_editor", code_editor, "has an empty setting name")
            code = dict(code_editor)
    if not lab and not code and not o.problems:
        o.problem("jupyterlab", jupyterlab, "and code_editor are empty: give settings for one")
    prefix = ""
    if server_prefix is not None:
        path = PurePosixPath(server_prefix) if isinstance(server_prefix, str) else None
        if (path is None or not SAFE_PATH_PATTERN.fullmatch(str(server_prefix)) or not path.is_absolute()
                or ".." in path.parts or path == PurePosixPath("/")):
            o.problem("server_prefix", server_prefix, "must be an absolute folder (letters, digits and "
                      "_ . / -), e.g. '/opt/conda'")
        else:
            prefix = path.as_posix()
    timeout = o.seconds("timeout_seconds", timeout_seconds)
    o.done()
    env = {"OPT_LAB": _encoded(lab) if lab else "", "OPT_CODE_EDITOR": _encoded(code) if code else "",
           "OPT_PREFIX": prefix}
    step = Step(name=name, script=SCRIPT, run_as=RunAs.NOTEBOOK_USER, timeout_seconds=timeout, env=env)
    return recipe_scripts(NAME, [step], call=call, on_platform=OnPlatform(
        "notebook-instance", NOTEBOOK_INSTANCE) if code else None)


def options_of(steps: Sequence[Step]) -> dict[str, Any]:
    """The options of the use of this recipe whose step begins ``steps`` (read back from a bundle)."""
    step = steps[0]
    return {"name": step.name, "jupyterlab": json.loads(step.env["OPT_LAB"] or "null"),
            "code_editor": json.loads(step.env["OPT_CODE_EDITOR"] or "null"),
            "server_prefix": step.env["OPT_PREFIX"] or None, "timeout_seconds": step_timeout(step)}

"""The persist-conda-envs recipe (docs/recipes/persist-conda-envs.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..bundle import OnPlatform, RunAs, Scripts, Step
from ..limits import PERSISTENT_DIR
from ._common import Options, recipe_call, recipe_scripts, step_timeout

NAME = "persist-conda-envs"
#: The script its step runs: how ``lcc pull`` finds a use of it among the steps.
SCRIPT = f"{NAME}.sh"
#: On Studio its studio.sh runs (packed only there), which runs the same script for sagemaker-user.
ON_STUDIO = OnPlatform("studio", "on Studio it is the space user's (sagemaker-user's), with Studio's conda "
                       "and the folder in the home", script="studio.sh")


def persist_conda_envs(
    *,
    name: str = NAME,
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
    ``conda-env-<name>``, shown as ``<name> (persistent)``, in ``~/.local/share/jupyter``); for
    one without it, ipykernel's message is logged. Each call of conda or an environment's
    Python, which ec2-user can replace, has 10 s. Jupyter is restarted without waiting
    (``systemctl --no-block restart jupyter-server``) only when the kernel list changed.
    Runs as root only for that restart; conda, Python and the files run and belong to ec2-user.
    On Studio they are sagemaker-user's, with Studio's conda, ``envs_dir``'s part below the
    persistent volume going below its home (``~/.conda/envs`` by default), and no restart.

    :param envs_dir: where new environments go (default ``/home/ec2-user/SageMaker/.conda/envs``);
        created, owned by ec2-user, if missing.
    :param register_kernels: register the environments as Jupyter kernels (default True).
    :param restart_jupyter: restart Jupyter when the kernel list changed (default True).
    :param timeout_seconds: the step's time limit (default 120).
    """
    call = recipe_call(NAME, persist_conda_envs, locals())
    o = Options(NAME, name)
    env = {
        "OPT_ENVS_DIR": o.persistent_path("envs_dir", envs_dir),
        "OPT_REGISTER_KERNELS": o.flag("register_kernels", register_kernels),
        "OPT_RESTART_JUPYTER": o.flag("restart_jupyter", restart_jupyter),
    }
    timeout = o.seconds("timeout_seconds", timeout_seconds)
    o.done()
    step = Step(name=name, script=SCRIPT, run_as=RunAs.ROOT, timeout_seconds=timeout, env=env)
    return recipe_scripts(NAME, [step], call=call, shared_lib=True, on_platform=ON_STUDIO,
                          folders=[env["OPT_ENVS_DIR"]])


def options_of(steps: Sequence[Step]) -> dict[str, Any]:
    """The options of the use of this recipe whose step begins ``steps`` (read back from a bundle)."""
    step = steps[0]
    return {"name": step.name, "envs_dir": step.env["OPT_ENVS_DIR"],
            "register_kernels": step.env["OPT_REGISTER_KERNELS"] == "1",
            "restart_jupyter": step.env["OPT_RESTART_JUPYTER"] == "1", "timeout_seconds": step_timeout(step)}

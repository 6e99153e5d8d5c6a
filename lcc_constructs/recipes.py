"""Built-in recipes (see :mod:`lcc_constructs.recipe_registry` for how they are found by name).

Each function returns the :class:`~lcc_constructs.steps.Scripts` of one recipe, ready to combine
with your own: ``on_start=[recipes.stop_ssm_agent(), Scripts.from_folder("scripts")]``.
"""

from __future__ import annotations

from .recipe_registry import recipe_scripts, register
from .steps import Scripts, Step

__all__ = ["stop_ssm_agent"]


@register("stop-ssm-agent")
def stop_ssm_agent(*, name: str = "stop-ssm-agent") -> Scripts:
    """Stop the SSM agent for this boot when it runs (placeholder until the recipes issue)."""
    return recipe_scripts("stop-ssm-agent", [Step(name, "stop-ssm-agent.sh", timeout_seconds=30)])

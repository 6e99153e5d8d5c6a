"""docs/versions.md says what pyproject.toml declares, and the pipeline example's floor as its
docstring does."""

from __future__ import annotations

import re
import sys

from .conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PAGE = ROOT / "docs" / "versions.md"


def rows() -> dict[str, str]:
    """The page's table rows by their first cell's name, with the rest of the row."""
    found = {}
    for line in PAGE.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0] not in ("what", "example") and not set(cells[0]) <= {"-"}:
            found[cells[0].strip("`")] = " | ".join(cells[1:])
    return found


def declared() -> dict[str, str]:
    """pyproject.toml's requirements by name (runtime and the minify extra), and Python's."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    found = {"Python": project["requires-python"]}
    for requirement in project["dependencies"] + project["optional-dependencies"]["minify"]:
        m = re.match(r"([A-Za-z0-9_.-]+)\s*([^;]*)", requirement)
        assert m, requirement
        found[m[1]] = m[2].strip()
    return found


def test_the_page_states_the_ranges_of_pyproject() -> None:
    page = rows()
    for name, spec in declared().items():
        assert name in page, f"docs/versions.md has no row for {name}"
        stated = page[name].split(" | ")[0]
        assert f"`{spec}`" in stated, f"{name}: pyproject.toml says {spec}, the page {stated}"


def test_the_page_and_the_pipeline_example_state_the_same_floor() -> None:
    docstring = (ROOT / "examples" / "pipeline.py").read_text().split('"""')[1]
    floor = re.search(r"aws-cdk-lib (\d+\.\d+\.\d+) or newer", docstring)
    assert floor, "examples/pipeline.py's docstring names no aws-cdk-lib floor"
    assert f"`aws-cdk-lib>={floor[1]}`" in rows()["examples/pipeline.py"]
    lowest = declared()["aws-cdk-lib"].split(",")[0].removeprefix(">=")
    assert tuple(map(int, floor[1].split("."))) > tuple(map(int, lowest.split(".")))


def test_the_pinned_cdk_cli_is_the_one_the_page_names() -> None:
    import json

    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["aws-cdk"]
    assert f"pins {pinned}" in rows()["the AWS CDK CLI"]

"""Every example in the README and docs/ runs (docs/development.md, "Examples in the docs").

Fenced blocks are examples by their language:
- ``python``: run, each block in a fresh namespace that already holds what the docs use without
  defining (``app``, ``stack``, ``vpc``, ``key``, ``notebook_role``, ``uri``, ``YQ_SHA256``), in
  a folder with ``scripts/hello.sh``; a block may also be a whole program (its ``app.synth()``
  writes to a temporary cloud assembly).
- ``toml``: a ``lifecycle.toml``; it is built with a file for each ``script`` it names.
- ``bash``: run with ``bash -e`` in that folder (``lcc`` from this checkout's virtualenv).
- ``console`` (commands that need the network, an AWS account or the whole development set-up:
  install, publish, deploy), ``text`` and ``json`` (layouts, signatures, output): not run.
Any other language, or none, fails this test, so that no example goes untested by accident.
docs/service-commands.md and the guides that talk to the service run against moto's server:
tests/test_service_docs.py and tests/test_guides.py run their examples.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lcc_constructs.sandbox import availability

from .conftest import ROOT, require

RUN = {"python", "toml", "bash"}
NOT_RUN = {"console", "text", "json"}
#: Pages whose examples run against moto's server, by tests/test_service_docs.py and
#: tests/test_guides.py.
TESTED_ELSEWHERE = {"docs/service-commands.md", "docs/migrating.md", "docs/debugging-a-failed-start.md",
                    "docs/updating-a-running-notebook.md", "docs/upgrading.md"}

FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```", re.S | re.M)


def pages() -> list[Path]:
    found = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [p for p in found if p.relative_to(ROOT).as_posix() not in TESTED_ELSEWHERE]


def blocks(page: Path) -> list[tuple[str, str, int]]:
    """(language, code, line) of each fenced block of ``page``."""
    text = page.read_text()
    return [(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1) for m in FENCE.finditer(text)]


PRELUDE = textwrap.dedent("""
    import os
    import aws_cdk as cdk
    from aws_cdk import Duration, aws_ec2 as ec2, aws_iam as iam, aws_kms as kms
    from lcc_constructs import *
    from lcc_constructs import recipes

    app = cdk.App(outdir=os.environ["CDK_OUTDIR"])
    stack = cdk.Stack(app, "Docs")
    vpc = ec2.Vpc(stack, "DocsVpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    key = kms.Key(stack, "DocsKey")
    notebook_role = iam.Role(stack, "DocsRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    uri = "https://mlflow.example.com"
    YQ_SHA256 = "0" * 64
""")

#: Runs each python block in its own namespace, all in one process (jsii starts once); prints
#: the failures, by page.
RUNNER = textwrap.dedent("""
    import json, os, sys, traceback
    prelude, pages = json.load(sys.stdin)
    failed = {}
    for page, blocks in pages.items():
        for line, code in blocks:
            os.environ["CDK_OUTDIR"] = os.path.join(os.getcwd(), "cdk.out", page, str(line))
            namespace = {"__name__": "__main__"}
            try:
                exec(compile(prelude, "<prelude>", "exec"), namespace)
                exec(compile(code, f"<{page}, block at line {line}>", "exec"), namespace)
            except BaseException:
                failed.setdefault(page, []).append(traceback.format_exc())
    print(json.dumps(failed))
""")


def make_workdir(folder: Path) -> Path:
    (folder / "scripts").mkdir()
    (folder / "scripts" / "hello.sh").write_text("#!/bin/bash\necho hello\n")
    return folder


@pytest.fixture(scope="module")
def python_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the python blocks run: a block's cloud assembly is ``cdk.out/<page>/<line>``."""
    return make_workdir(tmp_path_factory.mktemp("docs"))


@pytest.fixture(scope="module")
def python_failures(python_workdir: Path) -> dict[str, list[str]]:
    """Every page's python blocks, run once for the module."""
    code = {page_id(p): [(line, c) for lang, c, line in blocks(p) if lang == "python"]
            for p in pages_with("python")}
    proc = subprocess.run([sys.executable, "-c", RUNNER], input=json.dumps([PRELUDE, code]),
                          cwd=python_workdir, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(proc.stdout.splitlines()[-1]))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return make_workdir(tmp_path)


def page_id(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("page", pages(), ids=page_id)
def test_every_block_has_a_known_language(page: Path) -> None:
    unknown = [(line, lang) for lang, _, line in blocks(page) if lang not in RUN | NOT_RUN]
    assert not unknown, f"{page_id(page)}: blocks of unknown language (line, language): {unknown}"


def pages_with(language: str) -> list[Path]:
    return [p for p in pages() if any(b[0] == language for b in blocks(p))]


@pytest.mark.parametrize("page", pages_with("python"), ids=page_id)
def test_python_examples_run(page: Path, python_failures: dict[str, list[str]]) -> None:
    failed = python_failures.get(page_id(page), [])
    assert not failed, f"{page_id(page)}:\n" + "\n".join(failed)


def test_the_readme_first_example_is_a_short_working_app(
    python_workdir: Path, python_failures: dict[str, list[str]]
) -> None:
    """The README's first python block (run above with the others) is at most 12 lines and
    synthesizes a notebook, its lifecycle configuration and autostop's policy."""
    line, code = next((line, c) for lang, c, line in blocks(ROOT / "README.md") if lang == "python")
    assert len(code.strip().splitlines()) <= 12
    assert not python_failures.get("README.md"), python_failures["README.md"]
    template_file = python_workdir / "cdk.out" / "README.md" / str(line) / "Notebooks.template.json"
    template = json.loads(template_file.read_text())
    types = sorted(r["Type"] for r in template["Resources"].values())
    assert types.count("AWS::SageMaker::NotebookInstance") == 1
    assert types.count("AWS::SageMaker::NotebookInstanceLifecycleConfig") == 1
    assert "AWS::IAM::ManagedPolicy" in types  # autostop's grant


@pytest.mark.parametrize("page", pages_with("toml"), ids=page_id)
def test_manifest_examples_build(page: Path, workdir: Path) -> None:
    from lcc_constructs import Scripts, build

    for n, (_, code, line) in enumerate(b for b in blocks(page) if b[0] == "toml"):
        folder = workdir / f"manifest{n}"
        folder.mkdir()
        (folder / "lifecycle.toml").write_text(code)
        for script in re.findall(r'^script\s*=\s*"([^"]+)"', code, re.M):
            (folder / script).parent.mkdir(parents=True, exist_ok=True)
            (folder / script).write_text("#!/usr/bin/env python3\nprint(1)\n" if script.endswith(".py")
                                         else "#!/bin/bash\necho step\n")
        try:
            build(Scripts.from_folder(folder))
        except Exception as e:  # noqa: BLE001 - the message names the block
            pytest.fail(f"{page_id(page)}: toml block at line {line}: {e}")


@pytest.mark.parametrize("page", pages_with("bash"), ids=page_id)
def test_shell_examples_run(page: Path, workdir: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(ROOT)}
    for _, code, line in (b for b in blocks(page) if b[0] == "bash"):
        if "lcc simulate" in code:
            require(availability() is None, f"sandbox unavailable: {availability()}")
        proc = subprocess.run(["bash", "-e", "-c", code], cwd=workdir, capture_output=True, text=True,
                              env=env, timeout=300)
        assert proc.returncode == 0, f"{page_id(page)}: bash block at line {line}:\n{proc.stderr}"


def anchors(page: Path) -> set[str]:
    """The anchors GitHub makes of a page's headings."""
    found = set()
    for heading in re.findall(r"^#+ (.+)$", page.read_text(), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


@pytest.mark.parametrize("page", [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))], ids=page_id)
def test_every_relative_link_leads_somewhere(page: Path) -> None:
    text = re.sub(r"`[^`\n]*`", "", FENCE.sub("", page.read_text()))
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists() or (anchor and dest.suffix == ".md" and anchor not in anchors(dest)):
            broken.append(target)
    assert not broken, f"{page_id(page)}: {broken}"


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else None]


def test_the_readme_states_what_cdk_nag_reports_on_its_first_example(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The findings the README lists under its first example are exactly those cdk-nag's
    AwsSolutions pack reports on it, all on the notebook instance."""
    from cdk_nag import AwsSolutionsChecks

    section = readme_section("First example")
    stated = re.findall(r"^- `(AwsSolutions-\w+)`", section, re.M)
    assert stated, "the README's first example lists no cdk-nag finding"
    code = next(c for lang, c, _ in blocks(ROOT / "README.md") if lang == "python")
    make_workdir(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CDK_OUTDIR", str(tmp_path / "cdk.out"))
    namespace: dict[str, object] = {"__name__": "readme"}
    # Checked before synth (cdk-nag annotates the tree); the rest of the block runs as written.
    exec(compile(code.replace("app.synth()", ""), "<README.md, first example>", "exec"), namespace)
    report = AwsSolutionsChecks().validate_scope(namespace["stack"])
    found = sorted(v.rule_name for v in report.violations)
    assert found == sorted(stated), f"cdk-nag reports {found}, the README says {stated}"
    paths = {r.construct_path for v in report.violations for r in v.violating_resources}
    assert paths == {"Notebooks/Notebook/Resource"}

"""The package's shape: layers whose imports point one way, no import cycle, aws_cdk only in
the CDK layer, and every package saying what it offers (``__all__``)."""

from __future__ import annotations

import ast
import functools
import importlib
from pathlib import Path

import pytest

import lcc_constructs

PACKAGE = Path(lcc_constructs.__file__).resolve().parent

#: The layers, lowest first: a module may import its own layer and those below it.
LAYERS = {
    "errors": 0, "limits": 0, "printable": 0,
    "bundle": 1,
    "recipes": 2,
    "readback": 3,
    "cdk": 4, "sandbox": 4, "service": 4, "cli": 5,
    "__init__": 6, "__main__": 6,
}

#: The one import pointing up: a manifest names recipes, so Scripts.from_folder reaches the
#: built-in recipes at call time (lcc_constructs/bundle/steps.py, _builtin_recipes).
UPWARD = {("bundle.steps", "recipes")}


def modules() -> dict[str, Path]:
    return {p.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", "."): p
            for p in PACKAGE.rglob("*.py")}


def layer(module: str) -> int:
    return LAYERS[module.removesuffix(".__init__").split(".")[0]]


def imports(path: Path, module: str, top_level_only: bool) -> set[str]:
    """The package's modules ``module`` imports (relative or absolute), as dotted names."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    package = module.rsplit(".", 1)[0] if "." in module and not module.endswith("__init__") else \
        module.removesuffix(".__init__") if module.endswith("__init__") else ""
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[:len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
                names = [f"{target}.{a.name}" if target else a.name for a in node.names]
                found |= {n for n in [target, *names] if n and n.split(".")[0] in LAYERS}
            elif node.module and node.module.startswith("lcc_constructs"):
                found.add(node.module.removeprefix("lcc_constructs").lstrip("."))
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix("lcc_constructs.") for a in node.names
                      if a.name.startswith("lcc_constructs.")}
    return {f for f in found if f and f.replace(".", "/") + ".py" in _files() or
            f.replace(".", "/") + "/__init__.py" in _files()}


@functools.cache
def _files() -> frozenset[str]:
    """The package's Python files (relative paths), walked once."""
    return frozenset(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py"))


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for module, path in modules().items():
        for target in imports(path, module, top_level_only=False):
            edge = (module, target.split(".")[0])
            if layer(target) > layer(module) and edge not in UPWARD and (module, target) not in UPWARD:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_no_module_reaches_into_another_packages_private_modules() -> None:
    # A package's ``_`` modules are its own: another package uses what it offers by name.
    wrong = []
    for module, path in modules().items():
        own = module.split(".")[0]
        for target in imports(path, module, top_level_only=False):
            parts = target.split(".")
            if parts[0] != own and any(p.startswith("_") and p != "__init__" for p in parts[1:]):
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_the_way_back_has_no_aws() -> None:
    # The readback layer reads what the service layer fetched; boto3 stays in the service layer.
    for path in (PACKAGE / "readback").glob("*.py"):
        assert not {n for n in imported_names(path) if n.split(".")[0] in ("boto3", "botocore")}, path


def test_the_upward_import_is_only_at_call_time() -> None:
    for module, target in UPWARD:
        path = modules()[module]
        assert not any(t.split(".")[0] == target for t in imports(path, module, top_level_only=True))


def test_no_import_cycle() -> None:
    graph = {m: {t for t in imports(p, m, top_level_only=True)} for m, p in modules().items()}
    names = set(graph)

    def resolve(target: str) -> str | None:
        return target if target in names else f"{target}.__init__" if f"{target}.__init__" in names else None

    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in graph[node]:
            t = resolve(target)
            if t is None or t == node:
                continue
            assert state.get(t) != 1, " -> ".join([*trail, node, t])
            if t not in state:
                visit(t, [*trail, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def imported_names(path: Path) -> set[str]:
    """Every module name an import statement of ``path`` names (at any depth)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_only_the_cdk_layer_imports_aws_cdk() -> None:
    for module, path in modules().items():
        cdk = {n for n in imported_names(path) if n.split(".")[0] in ("aws_cdk", "jsii", "constructs")}
        assert not cdk or module.startswith("cdk."), (module, cdk)
    assert any("aws_cdk" in imported_names(p) for p in (PACKAGE / "cdk").glob("*.py"))


@pytest.mark.parametrize("package", ["lcc_constructs", "lcc_constructs.bundle", "lcc_constructs.recipes",
                                     "lcc_constructs.cdk", "lcc_constructs.sandbox",
                                     "lcc_constructs.service", "lcc_constructs.readback"])
def test_every_package_says_what_it_offers(package: str) -> None:
    mod = importlib.import_module(package)
    assert isinstance(getattr(mod, "__all__", None), list)
    for name in mod.__all__:
        assert hasattr(mod, name), name
    # Whatever the package defines itself with a public name is offered; the rest is private.
    tree = ast.parse(Path(mod.__file__ or "").read_text())
    defined = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined |= {t.id for t in targets if isinstance(t, ast.Name)}
    assert {n for n in defined if not n.startswith("_")} - set(mod.__all__) == set()


def test_every_import_in_the_docs_works() -> None:
    pages = [PACKAGE.parent / "README.md", *(PACKAGE.parent / "docs").rglob("*.md")]
    for line in (line for page in pages for line in page.read_text().splitlines()):
        line = line.strip()
        if line.startswith("from lcc_constructs") and " import " in line:
            module, names = line.removeprefix("from ").split(" import ", 1)
            mod = importlib.import_module(module)
            for name in names.strip("() ").split(","):
                name = name.split(" as ")[0].strip()
                if name:
                    assert hasattr(mod, name), f"{module}.{name}"


# --- names and paths are checked whole ------------------------------------------------------------

#: Calls that look at the start of a text only: with a pattern ending in $, which also matches
#: before a final newline, "a\n" passes a check of "a" (a step named "a\n" reached the runner).
PREFIX_CALLS = ("match", "search")

def has_end_anchor(pattern: str) -> bool:
    """Whether a regular expression holds a ``$`` that is an anchor: not escaped, not in a
    character class."""
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            # A ] first in the class (after an optional ^) is one of its characters.
            i += 2 if pattern[i + 1:i + 2] == "^" else 1
            if pattern[i:i + 1] == "]":
                i += 1
            continue
        elif ch == "$":
            return True
        i += 1
    return False


@pytest.mark.parametrize(("pattern", "anchored"), [
    (r"^a$", True), (r"a|b$", True), (r"^a\$", False), (r"[$]", False), (r"[^$]+", False),
    (r"[]$]", False), (r"[^]$]x", False), (r"a\\$", True), (r'([\\"$`])', False), (r"a\Z", False),
])
def test_has_end_anchor(pattern: str, anchored: bool) -> None:
    assert has_end_anchor(pattern) is anchored


def module_patterns(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level ``NAME = re.compile(<first argument>, ...)``: the first argument by name."""
    found = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Call) and ast.unparse(node.value.func) == "re.compile"
                and node.value.args):
            found[node.targets[0].id] = node.value.args[0]
    return found


def pattern_of(module: str, tree: ast.Module, name: str) -> ast.expr | None:
    """The pattern a name stands for in ``module``: its own, or one it imports by name."""
    own = module_patterns(tree)
    if name in own:
        return own[name]
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == name for a in node.names):
            real = next(a.name for a in node.names if (a.asname or a.name) == name)
            package = module.split(".")[:-1]
            base = package[:len(package) - (node.level - 1)] if node.level else []
            source = ".".join([*base, *(node.module.split(".") if node.module else [])])
            path = modules().get(source) or modules().get(f"{source}.__init__")
            if path is not None:
                return pattern_of(source, ast.parse(path.read_text()), real)
    return None


def prefix_calls(module: str, tree: ast.Module) -> list[str]:
    """Each ``.match(``/``.search(`` call of ``module`` whose pattern has (or may have) a ``$``
    anchor: on ``re`` with such a pattern, on a module-level pattern with one, or on anything
    this test cannot see the pattern of."""
    wrong = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in PREFIX_CALLS):
            continue
        receiver = ast.unparse(node.func.value)
        if receiver == "re":
            pattern = node.args[0] if node.args else None
        elif isinstance(node.func.value, ast.Name):
            pattern = pattern_of(module, tree, receiver)
        else:
            pattern = None
        text = pattern.value if isinstance(pattern, ast.Constant) and isinstance(pattern.value, str) else None
        if text is None or has_end_anchor(text):
            wrong.append(f"{module}:{node.lineno}: {ast.unparse(node)}")
    return wrong


def test_no_check_matches_only_the_start_of_a_text() -> None:
    # fullmatch, always: re.match(r"^[a-z]+$", "a\n") matches.
    wrong = [call for module, path in sorted(modules().items())
             for call in prefix_calls(module, ast.parse(path.read_text()))]
    assert wrong == [], "use fullmatch (a $ also matches before a final newline):\n" + "\n".join(wrong)


@pytest.mark.parametrize(("source", "found"), [
    ('import re\nP = re.compile(r"^[a-z]+$")\nP.match(x)\n', True),
    ('import re\nP = re.compile(r"^[a-z]+$")\nP.fullmatch(x)\n', False),
    ('import re\nre.match(r"^[a-z]+$", x)\n', True),
    ('import re\nre.search(r"[a-z]+$", x)\n', True),
    ('import re\nP = re.compile(r"[a-z]+\\n")\nP.match(x, 3)\n', False),
    ('def f(pattern):\n    return pattern.match(x)\n', True),
    ('from ..limits import STEP_NAME_PATTERN\nSTEP_NAME_PATTERN.match(x)\n', True),
    ('from ..limits import STEP_NAME_PATTERN as P\nP.match(x)\n', True),
])
def test_the_prefix_call_finder_finds_them(source: str, found: bool) -> None:
    assert bool(prefix_calls("bundle.example", ast.parse(source))) is found

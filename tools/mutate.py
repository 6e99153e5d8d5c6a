#!/usr/bin/env python3
"""The mutation check: do the tests fail when the code is wrong?

Each mutation of ``tools/mutations.toml`` is a small, plausible bug: one text of one file
replaced by another. For each, a scratch copy of the tracked files is made (the working tree is
never touched), the bug is planted there (an asset under ``assets/`` is then packed again with
``tools/pack_assets.py``, since the bundler reads only ``assets/packed/``), and only the tests the
mutation names are run there, with ``CI=true`` so that a missing component fails instead of
skipping. A mutation is *killed* when a test fails (or the tests hang past the mutation's
timeout), *survived* when every test passes, and an *error* when it could not be planted or
judged (its text is not found exactly once, it does not change what is packed, pytest could not
run, or a test was skipped). First, a baseline run of all those tests on an unmutated copy must
pass: a test that fails anyway kills nothing. docs/mutation-check.md says when to run it and how
to add a mutation.

    python tools/mutate.py                  # every mutation (./dev mutate)
    python tools/mutate.py --only ID [ID..] # some of them
    python tools/mutate.py --list           # check the data file and list the mutations
    python tools/mutate.py --markdown       # the final table as Markdown (for the docs)

Exit status: 0 when every mutation was planted and killed, 1 when one survived or could not be
judged, 2 when the data file is wrong or the baseline fails.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tools" / "mutations.toml"
#: The tests' cache for mutation runs (it keeps the kernel environment the conda recipe's tests
#: build once), apart from the cache of the regular test runs.
CACHE = ROOT / ".pytest_cache" / "lcc-mutate"
ASSETS, PACKED = "assets/", "assets/packed/"
#: Seconds a mutation's tests may take before the mutation counts as killed (they hang).
DEFAULT_TIMEOUT = 600
FIELDS = {"id", "file", "old", "new", "tests", "why"}
OPTIONAL = {"timeout"}


class DataError(Exception):
    """The data file is wrong; the message lists every problem."""


@dataclass(frozen=True)
class Mutation:
    id: str
    #: The file planted into, relative to the repository (a source, never under assets/packed/).
    file: str
    #: The text replaced (it must occur exactly once in the file) and what replaces it.
    old: str
    new: str
    #: pytest node ids (files, or file::test) that must fail with the bug planted.
    tests: tuple[str, ...]
    why: str
    timeout: float = DEFAULT_TIMEOUT


@dataclass(frozen=True)
class Outcome:
    mutation: Mutation
    #: killed, survived or error.
    status: str
    seconds: float
    #: The failing test, or why the mutation survived or could not be judged.
    detail: str


# --- the data file -------------------------------------------------------------------------

def load(path: Path = DATA) -> list[Mutation]:
    """The mutations of a data file, in its order (:class:`DataError` if one is malformed)."""
    with path.open("rb") as f:
        entries = tomllib.load(f).get("mutation", [])
    problems, mutations = [], []
    for i, entry in enumerate(entries, start=1):
        where = f"mutation {i} ({entry.get('id', 'no id')})"
        missing, unknown = FIELDS - entry.keys(), entry.keys() - FIELDS - OPTIONAL
        if missing or unknown:
            problems.append(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
            continue
        tests = entry["tests"]
        if not (isinstance(tests, list) and tests and all(isinstance(t, str) for t in tests)):
            problems.append(f"{where}: tests must be a non-empty list of pytest node ids")
            continue
        mutations.append(Mutation(entry["id"], entry["file"], entry["old"], entry["new"], tuple(tests),
                                  entry["why"], float(entry.get("timeout", DEFAULT_TIMEOUT))))
    if problems:
        raise DataError("\n".join(problems))
    return mutations


def _test_exists(root: Path, node: str) -> bool:
    """Whether a pytest node id names a test file of ``root``, and its functions or classes."""
    file, *names = node.split("::")
    path = root / file
    if not (path.is_file() and file.startswith("tests/") and file.endswith(".py")):
        return False
    text = path.read_text()
    return all(re.search(rf"^\s*(def|class) {re.escape(n.split('[')[0])}\b", text, re.MULTILINE)
               for n in names)


def problems(mutations: Sequence[Mutation], root: Path = ROOT) -> list[str]:
    """What keeps the mutations from being planted and run in ``root``: duplicate ids, a file
    that is missing or packed, an ``old`` text not found exactly once, a mutation that changes
    nothing, a test that does not exist."""
    found = []
    ids = [m.id for m in mutations]
    found += [f"id {i!r} is used {ids.count(i)} times" for i in sorted(set(ids)) if ids.count(i) > 1]
    for m in mutations:
        path = root / m.file
        if m.file.startswith(PACKED):
            found.append(f"{m.id}: {m.file} is packed: plant into its source in assets/ instead")
        elif not path.is_file():
            found.append(f"{m.id}: no file {m.file}")
        elif (n := path.read_text().count(m.old)) != 1:
            found.append(f"{m.id}: the old text occurs {n} times in {m.file}, not once")
        if m.old == m.new:
            found.append(f"{m.id}: old and new are the same")
        found += [f"{m.id}: no test {t}" for t in m.tests if not _test_exists(root, t)]
    return found


# --- planting ------------------------------------------------------------------------------

def copy_tree(dest: Path, root: Path = ROOT) -> Path:
    """The tracked files of ``root`` as they are in its working tree, copied into ``dest``
    (plus a link to its node_modules, for the tests that run the CDK CLI)."""
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True,
                            check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = root / rel
        if src.exists() or src.is_symlink():  # a tracked file deleted in the working tree: skip
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel, follow_symlinks=False)
    if (root / "node_modules").is_dir():
        (dest / "node_modules").symlink_to(root / "node_modules")
    return dest


def plant(m: Mutation, tree: Path) -> str | None:
    """Plant ``m`` into the copy ``tree`` (and pack the assets again if it is one); None, or
    why it could not be planted."""
    path = tree / m.file
    text = path.read_text()
    if text.count(m.old) != 1:
        return f"the old text occurs {text.count(m.old)} times in {m.file}, not once"
    path.write_text(text.replace(m.old, m.new))
    if not m.file.startswith(ASSETS):
        return None
    packed = tree / PACKED / m.file[len(ASSETS):]
    before = packed.read_bytes() if packed.is_file() else None
    proc = subprocess.run([sys.executable, "tools/pack_assets.py"], cwd=tree, capture_output=True, text=True)
    if proc.returncode != 0:
        return f"tools/pack_assets.py fails on it: {(proc.stderr or proc.stdout).strip()[-300:]}"
    if packed.is_file() and packed.read_bytes() == before:
        return f"it changes nothing in {PACKED}{m.file[len(ASSETS):]} (only a comment?)"
    return None


# --- running the tests ---------------------------------------------------------------------

def pytest_command(tests: Iterable[str], workers: int = 0) -> list[str]:
    """pytest on ``tests``, stopping at the first failure, with the mutation runs' own cache."""
    return [sys.executable, "-m", "pytest", "-x", "-q", "-rfEs", "-n", str(workers),
            "-o", f"cache_dir={CACHE}", *tests]


def run_tests(tree: Path, tests: Sequence[str], timeout: float, workers: int = 0
              ) -> tuple[int | None, str]:
    """Run ``tests`` in the copy ``tree`` (its own code first on the path, CI=true): pytest's
    exit status (None when it ran past ``timeout`` and was killed) and its output."""
    env = {**os.environ, "PYTHONPATH": str(tree), "CI": "true", "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen(pytest_command(tests, workers), cwd=tree, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, errors="replace", start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # pytest and all it started (servers, sandboxes)
        out, _ = proc.communicate()
        return None, out


def judge(code: int | None, output: str, timeout: float) -> tuple[str, str]:
    """A mutation's status and detail from its test run: a failure kills it; a skip means a
    test did not run, which judges nothing."""
    lines = output.strip().splitlines()
    failed = next((ln for ln in lines if ln.startswith(("FAILED", "ERROR"))), "")
    skipped = re.search(r"(\d+) skipped", lines[-1] if lines else "")
    if code is None:
        return "killed", f"the tests hang (killed after {timeout:g}s)"
    if code == 1 and failed:
        return "killed", failed[:200]
    if code == 0 and skipped:
        why = next((ln for ln in lines if ln.startswith("SKIPPED")), "")
        return "error", f"{skipped.group(1)} test(s) skipped: {why}"
    if code == 0:
        return "survived", lines[-1] if lines else "every test passed"
    return "error", f"pytest exit status {code}: {' | '.join(lines[-3:])[:300]}"


def check(m: Mutation) -> Outcome:
    """Plant ``m`` into a fresh copy of the tree and run its tests there."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"lcc-mutate-{m.id}-") as tmp:
        tree = copy_tree(Path(tmp))
        why_not = plant(m, tree)
        if why_not:
            return Outcome(m, "error", time.monotonic() - start, f"not planted: {why_not}")
        code, output = run_tests(tree, m.tests, m.timeout)
    status, detail = judge(code, output, m.timeout)
    return Outcome(m, status, time.monotonic() - start, detail)


def baseline(mutations: Sequence[Mutation], workers: int) -> str | None:
    """Run every test the mutations name on an unmutated copy: None when all pass, else the
    end of pytest's output."""
    tests = sorted({t for m in mutations for t in m.tests})
    files = {t for t in tests if "::" not in t}
    tests = [t for t in tests if t in files or t.split("::")[0] not in files]
    with tempfile.TemporaryDirectory(prefix="lcc-mutate-baseline-") as tmp:
        code, output = run_tests(copy_tree(Path(tmp)), tests, DEFAULT_TIMEOUT * 2, workers)
    status, detail = judge(code, output, DEFAULT_TIMEOUT * 2)
    return None if status == "survived" else f"{detail}\n{output[-3000:]}"


def run_all(mutations: Sequence[Mutation], jobs: int, report: Callable[[int, Outcome], Any]) -> list[Outcome]:
    """Check the mutations, ``jobs`` at a time, calling ``report`` as each ends; their outcomes
    in the data file's order."""
    done: dict[str, Outcome] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for future in as_completed([pool.submit(check, m) for m in mutations]):
            outcome = future.result()
            done[outcome.mutation.id] = outcome
            report(len(done), outcome)
    return [done[m.id] for m in mutations]


# --- the report ----------------------------------------------------------------------------

def score(outcomes: Sequence[Outcome]) -> str:
    killed = sum(o.status == "killed" for o in outcomes)
    survived = sum(o.status == "survived" for o in outcomes)
    errors = len(outcomes) - killed - survived
    pct = 100 * killed / len(outcomes) if outcomes else 0
    return f"{killed}/{len(outcomes)} killed ({pct:.0f}%), {survived} survived, {errors} error(s)"


def caught_by(o: Outcome) -> str:
    """The test that failed with ``o``'s bug planted (pytest's node id), if one did."""
    if o.status != "killed" or not o.detail.startswith(("FAILED ", "ERROR ")):
        return o.detail if o.status == "killed" else ""
    return "`" + o.detail.split(" ", 1)[1].split(" - ", 1)[0].removeprefix("tests/") + "`"


def table(outcomes: Sequence[Outcome], markdown: bool = False) -> str:
    """id, status and seconds of each mutation; then what survived or erred, and why."""
    width = max((len(o.mutation.id) for o in outcomes), default=2)
    if markdown:
        rows = ["| mutation | result | seconds | caught by |", "|---|---|---:|---|"]
        rows += [f"| `{o.mutation.id}` | {o.status} | {o.seconds:.0f} | {caught_by(o)} |" for o in outcomes]
    else:
        rows = [f"{'mutation':<{width}}  {'result':<8}  seconds"]
        rows += [f"{o.mutation.id:<{width}}  {o.status:<8}  {o.seconds:7.1f}" for o in outcomes]
    rows += [f"\n{o.mutation.id} {o.status}: {o.detail}\n  ({o.mutation.file}: {o.mutation.why})"
             for o in outcomes if o.status != "killed"]
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="ID", help="check only these mutations")
    parser.add_argument("--list", action="store_true", help="check the data file and list the mutations")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="mutations checked at once (default: 2, or 1 on one core)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run without mutation")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--data", type=Path, default=DATA, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        mutations = load(args.data)
    except DataError as e:
        print(f"{args.data}:\n{e}", file=sys.stderr)
        return 2
    wrong = problems(mutations) + [f"no mutation {i!r}" for i in args.only or []
                                   if i not in {m.id for m in mutations}]
    if wrong:
        print(f"{args.data}:\n" + "\n".join(wrong), file=sys.stderr)
        return 2
    mutations = [m for m in mutations if not args.only or m.id in args.only]
    if args.list:
        for m in mutations:
            print(f"{m.id:<40} {m.file}\n    {m.why}")
        return 0
    start = time.monotonic()
    if not args.no_baseline:
        print(f"baseline: the tests of {len(mutations)} mutation(s), unmutated", flush=True)
        failure = baseline(mutations, args.jobs)
        if failure:
            print(f"the tests fail without any mutation, so they would kill everything:\n{failure}",
                  file=sys.stderr)
            return 2
        print(f"baseline passed in {time.monotonic() - start:.0f}s", flush=True)
    print(f"checking {len(mutations)} mutation(s), {args.jobs} at a time", flush=True)

    def progress(n: int, o: Outcome) -> None:
        print(f"[{n:>3}/{len(mutations)}] {o.status:<8} {o.seconds:6.1f}s  {o.mutation.id}\n"
              f"          {o.detail[:150]}", flush=True)

    outcomes = run_all(mutations, args.jobs, progress)
    minutes, seconds = divmod(round(time.monotonic() - start), 60)
    print(f"\n{table(outcomes, args.markdown)}\n\nscore: {score(outcomes)}; "
          f"run time {minutes}m{seconds:02d}s")
    return 0 if all(o.status == "killed" for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())

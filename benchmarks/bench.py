#!/usr/bin/env python3
"""Capacity and speed of lcc-constructs against the hand-made method; prints one table.

Run it with ``./dev bench`` (which sets up the virtualenv, the CDK CLI and sudo first). Every
number is measured in this run; speeds are also given as ratios against a baseline measured in
the same run, so that they mean something on another machine. Nothing here is a test: targets
are printed beside the numbers, not asserted.

- capacity at the limit: the largest part of the corpus in benchmarks/corpus (lib/ and the
  first N steps, in name order) that fits one OnStart script, for the hand-made method
  (benchmarks/handmade.py), ours and ours with minify=True; and raw script bytes per final
  ``Content`` character for the whole corpus as one bundle.
- fixed cost: the characters of a one-step script, alone and with autostop.
- synth: ``cdk synth`` of examples/app.py against benchmarks/baseline_app.py (the same app with
  a hand-written L1 lifecycle configuration), best of a few runs each.
- bootstrap: the at-limit script from its start to the unpacked bundle (loader, decode, sha256
  check, decompress, unpack), in the notebook-instance sandbox (stopped where the unpacking
  program would start the runner), against the hand-made script's decode and untar.
- build: building the at-limit bundle in Python, against the hand-made tar|gzip|base64.
- refusal: refusing a folder that cannot fit, against one build with a single codec.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import handmade  # noqa: E402

from lcc_constructs import BuildOptions, RenderedScript, Scripts, recipes  # noqa: E402
from lcc_constructs.bundle.render import render, render_loader  # noqa: E402
from lcc_constructs.limits import CONTENT_LIMIT_CHARS  # noqa: E402
from lcc_constructs.readback._script import parse_loader  # noqa: E402

CORPUS = HERE / "corpus"


@dataclass
class Row:
    name: str
    ours: str
    baseline: str
    ratio: str
    target: str


def steps_of(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix in (".sh", ".py"))


def prefix_folder(k: int, dest: Path) -> Path:
    """lib/ and the first k steps of the corpus, copied to dest."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(CORPUS / "lib", dest / "lib")
    for name in steps_of(CORPUS)[:k]:
        shutil.copy2(CORPUS / name, dest / name)
    return dest


def raw_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def ours(folder: Path, minify: bool = False) -> RenderedScript:
    options = BuildOptions(minify=True) if minify else BuildOptions()
    return render(Scripts.from_folder(folder), options)


def handmade_chars(folder: Path) -> int:
    return len(handmade.content(handmade.script(folder, steps_of(folder))))


def largest_prefix(chars: Callable[[Path], int], work: Path) -> tuple[int, int]:
    """(steps, raw bytes) of the largest corpus prefix whose script fits the limit."""
    best = (0, 0)
    for k in range(1, len(steps_of(CORPUS)) + 1):
        folder = prefix_folder(k, work / f"prefix-{k}")
        if chars(folder) > CONTENT_LIMIT_CHARS:
            break
        best = (k, raw_bytes(folder))
    return best


def best_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def refusal_seconds(work: Path, runs: int) -> tuple[float, float]:
    """Best time to refuse a folder that cannot fit (4 MB of random bytes): choosing among all
    codecs (ours, which gives up on codecs that cannot win), and with one codec forced (the
    time of one build)."""
    from lcc_constructs import ValidationError, build

    folder = work / "oversize"
    folder.mkdir()
    (folder / "a.sh").write_text("echo a\n")
    (folder / "blob.bin").write_bytes(os.urandom(4 << 20))
    scripts = Scripts.from_folder(folder)

    def refuse(options: BuildOptions) -> Callable[[], None]:
        def attempt() -> None:
            try:
                build(scripts, options)
            except ValidationError:
                return
            raise AssertionError("a 4 MB random folder fitted")
        return attempt

    return (best_time(refuse(BuildOptions()), runs),
            best_time(refuse(BuildOptions(codec="deflate+base85")), runs))


def synth_seconds(apps: list[str], out: Path, runs: int) -> list[float]:
    """Best time of ``cdk synth`` for each app; the runs alternate between the apps, so that
    the load of a shared machine weighs on both alike."""
    cdk = ROOT / "node_modules" / ".bin" / "cdk"
    times: list[list[float]] = [[] for _ in apps]
    for _ in range(runs):
        for i, app in enumerate(apps):
            t0 = time.perf_counter()
            subprocess.run([str(cdk), "synth", "--quiet", "--app", app, "--output", str(out / str(i))],
                           cwd=ROOT, check=True, capture_output=True)
            times[i].append(time.perf_counter() - t0)
    return [min(t) for t in times]


#: Instrumentation for the timed scripts (bash 5 here): the clock at the top, and at the end.
_T0 = "#!/bin/bash\nexport LCC_BENCH_T0=$EPOCHREALTIME\n"
_T1 = 'echo "lcc-bench $LCC_BENCH_T0 $EPOCHREALTIME"'


def instrumented(script_text: str) -> str:
    """The rendered script with the clock read at its top and printed where the unpacking
    program would start the runner (which it then does not): the payload re-encoded around the
    changed program, with its own sha256."""
    codec, payload, _, fail = parse_loader(script_text)
    program = codec.compressor.decompress(codec.encoding.decode(payload))
    runner = b'exec bash "$u/$k/lcc/runner.sh"'
    assert program.count(runner) == 1
    blob = codec.compressor.compress(program.replace(runner, f"trap - EXIT;{_T1}".encode()))
    text = codec.encoding.encode(blob)
    text = render_loader(codec, sha256=hashlib.sha256(codec.encoding.decode(text)).hexdigest(),
                         fail_code=fail, payload_text=text)
    return text.replace("#!/bin/bash\n", _T0, 1)


def bootstrap_seconds(script_text: str, work: Path, runs: int) -> float:
    """Median time from the script's start to its unpacked bundle, in the sandbox."""
    script = work / "bootstrap-bench.sh"
    script.write_text(instrumented(script_text))
    return _median_marked(script, runs)


def handmade_unpack_seconds(folder: Path, work: Path, runs: int) -> float:
    text = handmade.script(folder, []).replace("#!/bin/bash\n", _T0, 1) + _T1 + "\n"
    script = work / "handmade-bench.sh"
    script.write_text(text)
    return _median_marked(script, runs)


def _median_marked(script: Path, runs: int) -> float:
    from lcc_constructs.sandbox import simulate

    script.chmod(0o755)
    result = simulate(script, runs=runs)
    times = []
    for run in result.runs:
        m = re.search(r"lcc-bench (\S+) (\S+)", run.output)
        if not m:
            raise RuntimeError(f"no timing in the output: {run.output[-2000:]}")
        times.append(float(m.group(2)) - float(m.group(1)))
    return statistics.median(times)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    bash = subprocess.run(["bash", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, {bash.replace('GNU bash, version ', 'bash ')}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (default 5)")
    parser.add_argument("--skip-synth", action="store_true", help="leave out the cdk synth timing")
    args = parser.parse_args()

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="lcc-bench-") as tmp:
        work = Path(tmp)
        steps_hand, bytes_hand = largest_prefix(handmade_chars, work)
        steps_ours, bytes_ours = largest_prefix(lambda f: ours(f).report.encoded_chars, work)
        rows.append(Row("capacity at the limit: corpus bytes in one OnStart (steps)",
                        f"{bytes_ours} ({steps_ours})", f"{bytes_hand} ({steps_hand})",
                        f"{bytes_ours / bytes_hand:.2f}x", ">= 1.2x"))
        try:
            min_steps, min_bytes = largest_prefix(lambda f: ours(f, True).report.encoded_chars, work)
            rows.append(Row("  the same with minify=True", f"{min_bytes} ({min_steps})",
                            f"{bytes_hand} ({steps_hand})", f"{min_bytes / bytes_hand:.2f}x", ">= 1.8x"))
        except Exception as e:  # noqa: BLE001 - the extra may be missing: say so in the table
            rows.append(Row("  the same with minify=True", f"n/a ({e})", "", "", ">= 1.8x"))

        raw = raw_bytes(CORPUS)
        hand_rate = raw / handmade_chars(CORPUS)
        our_rate = raw / ours(CORPUS).report.encoded_chars
        rows.append(Row(f"whole corpus ({len(steps_of(CORPUS))} scripts, {raw} bytes): bytes per character",
                        f"{our_rate:.3f}", f"{hand_rate:.3f}", f"{our_rate / hand_rate:.2f}x", ""))

        one_line = work / "one-line"
        one_line.mkdir()
        (one_line / "a.sh").write_text("#!/bin/bash\necho hi\n")
        fixed = ours(one_line).report.encoded_chars
        rows.append(Row("fixed cost: one 'echo hi' step (characters)", str(fixed),
                        str(handmade_chars(one_line)), "", "<= 2000"))
        with_autostop = render(Scripts.from_folder(one_line) + recipes.autostop()).report.encoded_chars
        rows.append(Row("  the same with autostop (characters)", str(with_autostop), "", "", "<= 4800"))

        at_limit = prefix_folder(steps_ours, work / "at-limit")
        rendered = ours(at_limit)
        build_ours = best_time(lambda: ours(at_limit), args.runs)
        build_hand = best_time(lambda: handmade.content(handmade.script(at_limit, steps_of(at_limit))),
                               args.runs)
        rows.append(Row(f"build of the at-limit bundle ({rendered.report.encoded_chars} chars, "
                        f"{rendered.report.codec}) (s)", f"{build_ours:.3f}", f"{build_hand:.3f}",
                        f"{build_ours / build_hand:.1f}x", "<= 0.5 s"))

        refuse_ours, refuse_one = refusal_seconds(work, args.runs)
        rows.append(Row("refusing a 4 MB incompressible folder, all codecs vs one codec (s)",
                        f"{refuse_ours:.2f}", f"{refuse_one:.2f}", f"{refuse_ours / refuse_one:.1f}x",
                        "about 1x"))

        from lcc_constructs.sandbox import availability

        reason = availability()
        if reason is None:
            boot = bootstrap_seconds(rendered.text, work, args.runs)
            boot_hand = handmade_unpack_seconds(at_limit, work, args.runs)
            rows.append(Row("bootstrap at the limit: decode, verify, unpack (s)", f"{boot:.3f}",
                            f"{boot_hand:.3f}", f"{boot / boot_hand:.1f}x", "<= 0.3 s"))
        else:
            rows.append(Row("bootstrap at the limit (s)", f"n/a: {reason}", "", "", "<= 0.3 s"))

        if not args.skip_synth:
            apps = [f"{sys.executable} examples/app.py", f"{sys.executable} benchmarks/baseline_app.py"]
            ours_synth, base_synth = synth_seconds(apps, work / "synth", args.runs)
            rows.append(Row("cdk synth of the example app, best run (s)", f"{ours_synth:.2f}",
                            f"{base_synth:.2f}", f"{ours_synth / base_synth:.2f}x", "<= 1.15x"))

    print(f"machine: {machine()}")
    widths = [max(len(getattr(r, f)) for r in rows + [Row('', 'ours', 'hand-made', 'ratio', 'target')])
              for f in ("name", "ours", "baseline", "ratio", "target")]
    header = Row("benchmark", "ours", "hand-made", "ratio", "target")
    for r in [header] + rows:
        cells = [getattr(r, f).ljust(w) for f, w in zip(("name", "ours", "baseline", "ratio", "target"),
                                                          widths, strict=True)]
        print("| " + " | ".join(cells) + " |")
        if r is header:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return 0


if __name__ == "__main__":
    sys.exit(main())

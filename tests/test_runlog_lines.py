"""What ``lcc logs`` reads of a log (docs/service-commands.md, "lcc logs"): every kind of line
the runner and the loader write, a run that has no final status line yet, and --since's times,
with and without a zone."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest

from lcc_constructs.readback import RunLog
from lcc_constructs.service import since_millis

K = "2026-11-03T08:00:0{}Z lcc-constructs[on-start]: "
#: A run cut by the service at 5 minutes: each way a step ends, and no final status line.
LINES = [
    K.format(1) + "step a: start as root, limit 239.90s (budget)",
    "[a] fine",
    K.format(1) + "step a: ok ",
    K.format(2) + "step b: start as ec2-user, limit 30.00s (step timeout)",
    K.format(3) + 'step b: failed "exit code 3"',
    K.format(3) + "step c: start as root, limit 2.00s (step timeout)",
    K.format(5) + 'step c: timed_out "killed after 2.00s (step timeout)"',
    K.format(6) + 'step d: skipped "budget spent: 0.00s left"',
    K.format(6) + 'step e: skipped "c failed"',
    K.format(6) + "step f: start as ec2-user, limit 200.00s (budget)",
]


def read(lines: list[str]) -> RunLog:
    log = RunLog()
    for line in lines:
        assert log.add(line + "\n") is None
    return log


def test_every_way_a_step_ends_is_read_from_its_line() -> None:
    log = read(LINES)
    (run,) = log.runs
    assert log.unfinished is run and run.done is None
    assert [(s.name, s.user, s.status, s.reason) for s in run.final_steps] == [
        ("a", "root", "ok", ""),
        ("b", "ec2-user", "failed", "exit code 3"),
        ("c", "root", "timed_out", "killed after 2.00s (step timeout)"),
        ("d", "", "skipped", "budget spent: 0.00s left"),
        ("e", "", "skipped", "c failed"),
        ("f", "ec2-user", "running", ""),
    ]
    assert run.format()[0] == "run without a final status line: still running, or stopped by the service"
    assert [row.split()[:3] for row in run.format()[2:]] == [
        ["a", "root", "ok"], ["b", "ec2-user", "failed"], ["c", "root", "timed_out"],
        ["d", "skipped", "budget"], ["e", "skipped", "c"], ["f", "ec2-user", "running"]]


def test_the_loaders_and_the_unpacking_programs_errors_are_the_runs() -> None:
    # The loader's line has no kind (it is written before the bundle says which script it is).
    log = read(["lcc-constructs: ERROR: the payload cannot be used, no step ran",
                "lcc-constructs[on-start]: ERROR: cannot unpack into /startup, no step ran",
                "lcc-constructs-like: ERROR: not ours"])
    assert [r.errors for r in log.runs] == [["the payload cannot be used, no step ran",
                                             "cannot unpack into /startup, no step ran"]]
    assert log.runs[0].format()[1:3] == ["  ERROR: the payload cannot be used, no step ran",
                                         "  ERROR: cannot unpack into /startup, no step ran"]


@pytest.fixture
def far_from_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process in a time zone 5½ hours from UTC (a POSIX TZ: no zone database needed)."""
    monkeypatch.setenv("TZ", "XST-5:30")
    time.tzset()
    assert time.localtime(0).tm_hour == 5
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("far_from_utc")
def test_since_a_time_without_a_zone_is_utc_and_one_with_a_zone_is_that_zones() -> None:
    utc = int(dt.datetime(2026, 11, 3, 8, tzinfo=dt.timezone.utc).timestamp() * 1000)
    assert since_millis("2026-11-03T08:00:00Z") == utc
    assert since_millis("2026-11-03T08:00:00") == utc
    assert since_millis("2026-11-03T08:00:00+00:00") == utc
    assert since_millis("2026-11-03T10:00:00+02:00") == utc
    assert since_millis("2026-11-03T08:00:00.250Z") == utc + 250


def test_since_a_duration_back_from_now() -> None:
    now = 1_800_000_000.0
    assert [since_millis(d, now) for d in ("30s", "15m", "2h", "1d", "0s")] == [
        int((now - s) * 1000) for s in (30, 900, 7200, 86400, 0)]
    for bad in ("1w", "-1h", "h", "1.5h"):
        with pytest.raises(ValueError):
            since_millis(bad, now)

"""The notebook-instance sandbox itself: what it isolates and what it reports."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lcc_constructs import sandbox
from lcc_constructs.sandbox import SandboxUnavailable, simulate


def script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "on-start.sh"
    path.write_text("#!/bin/bash\n" + body)
    return path


@pytest.mark.sandbox
@pytest.mark.usefixtures("sandbox")
class TestSandbox:
    def test_the_host_is_untouched(self, tmp_path: Path) -> None:
        marker = Path(f"/etc/lcc-sandbox-test-{os.getpid()}")
        doomed = Path(f"/etc/lcc-sandbox-doomed-{os.getpid()}")
        doomed.write_text("still here\n")
        try:
            s = script(tmp_path, f"echo changed > {marker}\nrm {doomed}\nmkdir -p /startup/x "
                                 "/etc/systemd/system/x.d\n")
            result = simulate(s, keep=tmp_path / "keep", volume=tmp_path / "volume")
            assert result.last.exit_code == 0
            assert not marker.exists() and not Path("/startup/x").exists()
            assert doomed.read_text() == "still here\n"
            assert (tmp_path / "keep" / str(marker).lstrip("/")).read_text() == "changed\n"
        finally:
            doomed.unlink()

    def test_the_instance_environment(self, tmp_path: Path) -> None:
        s = script(tmp_path, 'echo "uid=$(id -u) cwd=$PWD path=$PATH file=$0"\n'
                             "id ec2-user; stat -c '%U %a' /home/ec2-user/SageMaker\n")
        out = simulate(s).last.output
        assert "uid=0 cwd=/ path=/sbin:bin:/usr/sbin:/usr/bin file=/tmp/" in out
        assert "(ec2-user)" in out
        assert "ec2-user 755" in out

    def test_the_volume_persists_across_simulations(self, tmp_path: Path) -> None:
        s = script(tmp_path, "n=$(cat /home/ec2-user/SageMaker/n 2>/dev/null || echo 0)\n"
                             "echo $((n + 1)) > /home/ec2-user/SageMaker/n\n"
                             "ls /etc/only-this-boot 2>/dev/null; echo etc > /etc/only-this-boot\n")
        volume = tmp_path / "volume"
        simulate(s, volume=volume)
        second = simulate(s, volume=volume)
        assert (volume / "n").read_text() == "2\n"
        assert "only-this-boot" not in second.last.output  # / was fresh again

    def test_a_failing_exit_is_reported(self, tmp_path: Path) -> None:
        run = simulate(script(tmp_path, "echo bad; exit 7\n")).last
        assert run.would_fail and run.exit_code == 7
        assert run.failure_reason == "the script exited with status 7"

    def test_the_time_limit(self, tmp_path: Path) -> None:
        run = simulate(script(tmp_path, "sleep 60\n"), limit_seconds=2).last
        assert run.timed_out and run.would_fail
        assert 2 <= run.duration_seconds < 10
        assert run.failure_reason == "the script ran past the time limit"

    def test_output_held_open_by_a_leftover_process(self, tmp_path: Path) -> None:
        # The service waits for the script's output to close, not only for its exit.
        run = simulate(script(tmp_path, "sleep 30 &\necho exiting\n"), limit_seconds=3).last
        assert run.exit_code == 0
        assert run.exited_after is not None and run.exited_after < 2
        assert run.output_held_open and run.would_fail
        assert "kept its stdout/stderr open" in (run.failure_reason or "")

    def test_detached_process_does_not_hold_the_output(self, tmp_path: Path) -> None:
        run = simulate(script(tmp_path, "setsid sleep 30 </dev/null >/dev/null 2>&1 &\n"),
                       limit_seconds=5, wait_background_seconds=0).last
        assert not run.would_fail and run.duration_seconds < 3

    def test_hidden_paths_are_gone_inside_only(self, tmp_path: Path) -> None:
        hidden = Path(f"/etc/lcc-sandbox-hidden-{os.getpid()}")
        (hidden / "sub").mkdir(parents=True)
        try:
            s = script(tmp_path, f"ls -d {hidden} /usr/bin/xz 2>&1; command -v xz || echo no xz\n")
            out = simulate(s, hide=[str(hidden), "/usr/bin/xz", "/no/such/path"]).last.output
            assert "no xz" in out and "No such file" in out and str(hidden) in out
            assert (hidden / "sub").is_dir() and Path("/usr/bin/xz").exists()
        finally:
            (hidden / "sub").rmdir()
            hidden.rmdir()

    def test_hide_wants_absolute_paths(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="must be an absolute path"):
            simulate(script(tmp_path, "true\n"), hide=["usr/bin/xz"])

    def test_extra_environment(self, tmp_path: Path) -> None:
        out = simulate(script(tmp_path, 'echo "[$PATH] [$LCC_X]"\n'), env={"LCC_X": "a b"}).last.output
        assert out == "[/sbin:bin:/usr/sbin:/usr/bin] [a b]\n"

    def test_binds_are_read_only_views_of_host_folders(self, tmp_path: Path) -> None:
        shared = tmp_path / "shared"
        shared.mkdir()
        (shared / "lib.txt").write_text("from the host\n")
        s = script(tmp_path, "cat /opt/shared/lib.txt\n"
                             "{ echo x > /opt/shared/new; } 2>/dev/null && echo WRITABLE || echo READ-ONLY\n")
        out = simulate(s, binds={"/opt/shared": shared}).last.output
        assert out.splitlines() == ["from the host", "READ-ONLY"]
        assert sorted(p.name for p in shared.iterdir()) == ["lib.txt"]

    def test_extra_files_are_placed(self, tmp_path: Path) -> None:
        meta = tmp_path / "meta.json"
        meta.write_text('{"ResourceName": "nb"}')
        s = script(tmp_path, "cat /opt/ml/metadata/resource-metadata.json\n")
        out = simulate(s, files={"/opt/ml/metadata/resource-metadata.json": meta}).last.output
        assert '"ResourceName": "nb"' in out


def test_unavailable_without_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)
    with pytest.raises(SandboxUnavailable, match="needs root"):
        simulate(script(tmp_path, "true\n"))


def test_unavailable_off_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox.sys, "platform", "darwin")
    assert "needs Linux" in (sandbox.availability() or "")


def test_unavailable_without_sudo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 0)
    real_which = sandbox.shutil.which
    monkeypatch.setattr(sandbox.shutil, "which", lambda t: None if t == "sudo" else real_which(t))
    assert "install sudo" in (sandbox.availability() or "")

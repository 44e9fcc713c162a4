"""Warm kernels (kernel/warm.py): after one launch, a spare process imports torch and waits;
the next launch like it becomes that process and answers at once, in its own working
directory and environment, and is a kernel like any other (interrupts, shutdown). A spare
is not used for another environment or after the code changed, and ends with its launcher."""
import json
import os
import threading
import time

import pytest

pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")

from tests.kernel_support import (KERNEL_NAME, execute, installed_kernelspec,  # noqa: E402
                                  of_type, stdout, value)

from klongtorch.kernel import install, warm  # noqa: E402


def _wait(predicate, seconds=60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _spares():
    with warm.SPARES.lock:
        return [s for s in warm.SPARES.by_key.values() if s.alive()]


@pytest.fixture
def warm_kernels(monkeypatch):
    """Spares on, started 0.1 s after a launch; every spare gone afterwards."""
    monkeypatch.setenv("KLONGTORCH_WARM", "1")
    monkeypatch.setattr(warm, "SPARE_AFTER", 0.1)
    monkeypatch.setattr(warm, "quiet", lambda: True)    # other tests keep the cores busy
    with installed_kernelspec():
        try:
            yield
        finally:
            with warm.SPARES.lock:
                spares, warm.SPARES.by_key = list(warm.SPARES.by_key.values()), {}
            for s in spares:
                s.discard()
                s.process.wait(timeout=60)


def _start(**kw):
    from jupyter_client import KernelManager
    km = KernelManager(kernel_name=KERNEL_NAME)
    km.start_kernel(**kw)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    return km, kc


def _stop(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def test_the_kernelspec_names_the_warm_provisioner_where_it_is_registered(monkeypatch):
    assert install._provisioner_registered()        # pip registered it (setup.cfg)
    spec = install.kernel_json(warm=True)
    assert spec["metadata"]["kernel_provisioner"] == {"provisioner_name": install.PROVISIONER}
    assert "kernel_provisioner" not in install.kernel_json()["metadata"]
    monkeypatch.setattr(install, "_provisioner_registered", lambda: False)
    assert "kernel_provisioner" not in install.kernel_json(warm=True)["metadata"]


def test_only_this_environments_spec_is_warm_unless_asked(tmp_path):
    """A Jupyter of another environment hides a spec whose provisioner it lacks, so --user
    and system-wide specs start cold unless --warm; --sys-prefix ones are warm."""
    import sys
    assert install.warm_by_default(sys.prefix)
    assert not install.warm_by_default(None) and not install.warm_by_default(str(tmp_path))

    def installed(*args):
        assert install.main(["--prefix", str(tmp_path), *args]) == 0
        spec = tmp_path / "share" / "jupyter" / "kernels" / install.NAME / "kernel.json"
        return "kernel_provisioner" in json.loads(spec.read_text())["metadata"]
    assert not installed()
    assert installed("--warm")
    assert not installed("--no-warm")


@pytest.mark.parametrize("cmd, want", [
    (["py", "-m", "klongtorch.kernel", "-f", "c.json"],
     (["py", "-m", "klongtorch.kernel", "spare"], ["-f", "c.json"])),
    (["py", "-Xfrozen_modules=off", "-m", "klongtorch.kernel", "-f", "c.json"],
     (["py", "-Xfrozen_modules=off", "-m", "klongtorch.kernel", "spare"], ["-f", "c.json"])),
    (["py", "-m", "ipykernel_launcher", "-f", "c.json"], None),
    (["klongtorch.kernel", "-f", "c.json"], None),
])
def test_a_spare_is_made_only_for_the_klong_kernels_command(cmd, want):
    assert warm.spare_command(cmd) == want


def test_the_next_launch_becomes_the_spare(warm_kernels, tmp_path):
    km1, kc1 = _start()
    try:
        assert value(kc1, "+/!10") == "45"
        assert _wait(lambda: len(_spares()) == 1), "no spare started"
        (spare,) = _spares()
        env = dict(os.environ, JPY_SESSION_NAME="warm-test.ipynb")
        started = time.monotonic()
        km2, kc2 = _start(cwd=str(tmp_path), env=env)
        try:
            assert km2.provisioner.pid == spare.process.pid        # the spare became it
            assert value(kc2, "+/1.0*!1000000") == "499999500000.0"
            first_answer = time.monotonic() - started
            assert os.path.realpath(os.readlink(f"/proc/{km2.provisioner.pid}/cwd")) == \
                os.path.realpath(tmp_path)
            _, out = execute(kc2, '.sys("echo $JPY_SESSION_NAME $JPY_PARENT_PID; pwd")')
            assert stdout(out).split() == ["warm-test.ipynb", str(os.getpid()),
                                           os.path.realpath(tmp_path)]
            # a kernel like any other: an interrupt stops a runaway loop
            threading.Timer(1.0, km2.interrupt_kernel).start()
            reply, _ = execute(kc2, "{x=x}{x+1}:~0", timeout=60)
            assert reply["evalue"] == "kg: error: interrupted"
            assert value(kc2, "1+2") == "3"
            print(f"warm kernel: launch to first answer {first_answer:.2f} s")
            # and its successor's spare is on its way
            assert _wait(lambda: len(_spares()) == 1 and _spares()[0] is not spare)
        finally:
            _stop(km2, kc2)
        assert not km2.is_alive()
    finally:
        _stop(km1, kc1)


def test_a_spare_serves_only_its_own_environment(warm_kernels):
    """Another environment starts cold, and its kind of spare takes the old one's place."""
    km1, kc1 = _start()
    try:
        assert _wait(lambda: len(_spares()) == 1)
        (spare,) = _spares()
        km2, kc2 = _start(env=dict(os.environ, KLONGTORCH_DTYPE="float32"))
        try:
            assert km2.provisioner.pid != spare.process.pid
            # then a spare of the new kind replaces it (one at a time)
            assert spare.process.wait(timeout=60) == 0
            assert _wait(lambda: len(_spares()) == 1 and _spares()[0] is not spare)
            reply, out = execute(kc2, "1.5")
            assert reply["status"] == "ok" and of_type(out, "execute_result")
        finally:
            _stop(km2, kc2)
    finally:
        _stop(km1, kc1)


def test_a_spare_from_before_an_edit_is_not_used(warm_kernels, monkeypatch):
    km1, kc1 = _start()
    try:
        assert _wait(lambda: len(_spares()) == 1)
        (spare,) = _spares()
        stamp = spare.stamp
        monkeypatch.setattr(warm, "fingerprint", lambda: stamp + 1)
        km2, kc2 = _start()
        try:
            assert km2.provisioner.pid != spare.process.pid
            assert spare.process.wait(timeout=60) == 0      # told to go, it went
            assert value(kc2, "2*3") == "6"
        finally:
            _stop(km2, kc2)
    finally:
        _stop(km1, kc1)


def test_a_spare_ends_when_its_launcher_goes(warm_kernels, tmp_path):
    """End of input, as when the process that started it exits: the spare exits, 0."""
    spare_cmd, _ = warm.spare_command(install.kernel_json(warm=True)["argv"])
    spare = warm.Spare(spare_cmd, {"env": dict(os.environ), "cwd": str(tmp_path)})
    assert spare.alive()
    spare.discard()
    assert spare.process.wait(timeout=60) == 0


def test_a_spare_nobody_asks_for_goes_after_its_lifetime(warm_kernels, tmp_path):
    spare_cmd, _ = warm.spare_command(install.kernel_json(warm=True)["argv"])
    env = dict(os.environ, KLONGTORCH_WARM_LIFETIME="2")
    spare = warm.Spare(spare_cmd, {"env": env, "cwd": str(tmp_path)})
    assert spare.process.wait(timeout=60) == 0      # imports, waits 2 s, exits
    assert not spare.hand_over(["-f", "nowhere.json"], {"env": env})


def test_a_spare_waits_for_a_quiet_moment(monkeypatch):
    """No spare while every core is busy; the first quiet look starts it, and after
    KLONGTORCH_WARM_WAIT seconds of busy machine it starts anyway."""
    made, looks = [], []
    monkeypatch.setattr(warm, "Spare", lambda cmd, kwargs: made.append(cmd) or object())
    monkeypatch.setattr(warm, "quiet", lambda: looks.append(1) or len(looks) > 2)
    spares = warm.Spares()
    spares._replenish(["py", "spare"], {"env": {"KLONGTORCH_WARM_WAIT": "60"}})
    assert len(looks) == 3 and made == [["py", "spare"]]
    monkeypatch.setattr(warm, "quiet", lambda: False)
    started = time.monotonic()
    warm.Spares()._replenish(["py", "spare"], {"env": {"KLONGTORCH_WARM_WAIT": "1"}})
    assert 1 <= time.monotonic() - started < 5 and len(made) == 2


@pytest.mark.parametrize("idle_cores, want", [(0.0, False), (0.5, False), (1.0, True)])
def test_quiet_means_nearly_a_core_idle(monkeypatch, idle_cores, want):
    """quiet() reads /proc/stat twice: nearly a whole core idle between them is quiet."""
    cores = os.cpu_count() or 1
    idle_cores = min(idle_cores, cores)
    times = iter([(0, 0), (int(1000 * idle_cores / cores), 1000)])
    monkeypatch.setattr(warm, "_cpu_times", lambda: next(times))
    assert warm.quiet(window=0) is want


def test_one_spare_at_a_time(monkeypatch):
    """A launch of another kind replaces the spare: one whose environment changes with
    every launch never piles up spares (250 MB each)."""
    class Fake:
        def __init__(self, cmd, kwargs):
            self.gone = False

        def alive(self):
            return not self.gone

        def discard(self):
            self.gone = True
    monkeypatch.setattr(warm, "Spare", Fake)
    monkeypatch.setattr(warm, "quiet", lambda: True)
    spares = warm.Spares()
    spares._replenish(["py", "spare"], {"env": {"A": "1"}})
    (first,) = spares.by_key.values()
    spares._replenish(["py", "spare"], {"env": {"A": "1"}})        # the same kind: kept
    assert list(spares.by_key.values()) == [first] and not first.gone
    spares._replenish(["py", "spare"], {"env": {"A": "2"}})
    (second,) = spares.by_key.values()
    assert second is not first and first.gone

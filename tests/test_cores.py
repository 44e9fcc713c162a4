"""The thread count (klongtorch/runtime/cores.py): torch gets the cores other processes leave,
and a count the user chose is never changed."""
import os
import subprocess
import sys

import pytest
import torch

from klongtorch.runtime import cores

LINUX = sys.platform.startswith("linux") and os.path.exists("/proc/loadavg")


def test_idle_cores_counts_only_other_processes():
    assert cores.idle_cores(cpus=2, running=1, ours=1) == 2       # quiet
    assert cores.idle_cores(cpus=2, running=2, ours=1) == 1       # one neighbour
    assert cores.idle_cores(cpus=2, running=4, ours=1) == 1       # never none
    assert cores.idle_cores(cpus=2, running=2, ours=2) == 2       # our own worker spinning
    assert cores.idle_cores(cpus=16, running=5, ours=1) == 12


# The probes run in fresh processes: the count is per process, and a test must not leave
# this one (which other tests time) on one thread.
PROBE = """
import subprocess, sys, time, torch
from klongtorch import Klong
from klongtorch.runtime import cores
full = torch.get_num_threads()      # torch's own count, before klongtorch looked at the load
k = Klong(device="cpu")
cpus = len(cores.os.sched_getaffinity(0))
def settle(enough=None, rounds=4):
    # the count after rounds of WINDOW samples each (a neighbour counts after WINDOW), or
    # as soon as it is enough: a loaded CI machine may schedule the sampler late
    for _ in range(rounds):
        time.sleep(cores.SAMPLE_EVERY * cores.WINDOW)
        k("1")
        if enough is not None and torch.get_num_threads() <= enough:
            break
    return torch.get_num_threads()
quiet = settle()
hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
try:
    time.sleep(0.3)
    loaded = settle(enough=max(1, cpus - 2), rounds=20)
finally:
    for h in hogs:
        h.kill()
print(full, quiet, loaded, cpus)
"""


def fresh(src, **env):
    """What src prints in a fresh process, whose environment has no thread count of its
    own unless env gives one."""
    e = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "KLONGTORCH_THREADS")}
    e.update(env)
    done = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True,
                          env=e, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def probe(**env):
    return [int(w) for w in fresh(PROBE, **env)]


@pytest.mark.skipif(not LINUX, reason="the count comes from Linux's /proc")
def test_busy_neighbours_take_cores_from_torch():
    full, quiet, loaded, cpus = probe()
    seen = f"threads: {full} at start, {quiet} quiet, {loaded} loaded; {cpus} cpus"
    # two busy neighbours leave at most cpus-2 cores (one at least), whatever else runs here
    assert loaded <= max(1, cpus - 2) and loaded <= full, seen
    assert quiet <= full, seen


@pytest.mark.skipif(not LINUX, reason="the count comes from Linux's /proc")
def test_the_users_choice_wins():
    full, quiet, loaded, _ = probe(OMP_NUM_THREADS="2")
    assert quiet == loaded == full == 2
    full, quiet, loaded, _ = probe(KLONGTORCH_THREADS="fixed")
    assert quiet == loaded == full


def test_set_num_threads_by_anyone_else_stops_adapting():
    # the user asks for more threads than there are cores (a count klongtorch never chooses,
    # so the two cannot coincide); then the sampler is made to advise yet another
    src = ("import time, torch\nfrom klongtorch import Klong\n"
           "from klongtorch.runtime import cores\n"
           "k = Klong(device='cpu')\nmine = len(cores.os.sched_getaffinity(0)) + 1\n"
           "torch.set_num_threads(mine)\n"
           "cores._S.full = cores._S.cpus = 99\ntime.sleep(3 * cores.SAMPLE_EVERY)\nk('1')\n"
           "print(cores._S.fd is None, torch.get_num_threads() == mine)")
    assert fresh(src) == ["True", "True"]


def test_adapt_gives_torch_the_samplers_advice_and_nothing_else(monkeypatch):
    calls = []
    monkeypatch.setattr(cores.torch, "set_num_threads", calls.append)
    monkeypatch.setattr(cores._S, "fd", -1)           # as if started
    monkeypatch.setattr(cores._S, "asleep", False)
    n = torch.get_num_threads()
    monkeypatch.setattr(cores._S, "chosen", n)
    monkeypatch.setattr(cores._S, "advice", n)
    cores.adapt()
    assert calls == []                                 # nothing changed: no call
    monkeypatch.setattr(cores._S, "advice", n + 1)
    monkeypatch.setattr(cores.torch, "get_num_threads", lambda: n)
    cores.adapt()
    assert calls == [n + 1] and cores._S.chosen == n + 1


def test_the_sampler_counts_a_neighbour_only_when_it_stays(monkeypatch):
    """A process runnable in one sample is passing by; in WINDOW samples in a row, it is a
    neighbour."""
    readings = iter([0, 1, 0, 1, 1, 1, 0])
    advice = []
    monkeypatch.setattr(cores._S, "fd", -1)
    monkeypatch.setattr(cores._S, "full", 2)
    monkeypatch.setattr(cores._S, "cpus", 2)
    monkeypatch.setattr(cores._S, "entries", 0)
    monkeypatch.setattr(cores.time, "sleep", lambda s: advice.append(cores._S.advice))

    def others():
        try:
            return next(readings)
        except StopIteration:
            cores._S.fd = None                        # ends the sampler's loop
            return 0
    monkeypatch.setattr(cores, "_others", others)
    cores._sample()
    assert advice[:7] == [2, 2, 2, 2, 2, 1, 2]

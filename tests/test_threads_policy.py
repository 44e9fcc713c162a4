"""The thread policy (klongtorch/runtime/threads.py): set before torch loads, and never over a
choice of the user's."""
import os
import subprocess
import sys

from klongtorch.runtime import threads

PROBE = ("import os, sys\n{first}\n"
         "print(os.environ.get('GOMP_SPINCOUNT'), os.environ.get('OMP_WAIT_POLICY'))")


def run(first, **env):
    e = {k: v for k, v in os.environ.items() if k not in threads._USERS}
    e.update(env)
    done = subprocess.run([sys.executable, "-c", PROBE.format(first=first)],
                          capture_output=True, text=True, env=e, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_importing_klongtorch_sets_the_policy_before_torch_loads():
    want = threads.POLICY.get("GOMP_SPINCOUNT", "None")
    assert run("import klongtorch; import torch") == [want, threads.POLICY.get("OMP_WAIT_POLICY", "None")]


def test_a_wait_policy_of_the_users_wins():
    assert run("import klongtorch", OMP_WAIT_POLICY="ACTIVE") == ["None", "ACTIVE"]
    assert run("import klongtorch", GOMP_SPINCOUNT="5") == ["5", "None"]


def test_policy_adds_nothing_where_the_user_chose():
    assert threads.policy({"KMP_BLOCKTIME": "0"}) == {}
    assert threads.policy({}) == threads.POLICY and threads.POLICY


def test_apply_says_whether_it_came_in_time():
    env = {}
    # torch is loaded in this test process: the variables are set, too late to matter here
    assert threads.apply(env) is ("torch" not in sys.modules)
    assert env == threads.POLICY

"""Programs written the way KlongPy users write them run unchanged through the CLI.

The programs in tests/klongpy_style/ were written for this suite in KlongPy's style: torch
functions bound with .bkf, Python helpers loaded by file path ("layers.py", "./sgd.py")
from beside the script, a module whose klongpy_exports decides what Klong sees, a plain
Python optimizer object, and ∇ with the nilad-and-variable rule. Each is run as a user
would, `python -m klongtorch program.kg` from another folder, and its printed values are
checked against the same mathematics done here in Python.
"""
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "klongpy_style"


def run(program, cwd):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE.parent) + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run([sys.executable, "-m", "klongtorch", str(PROGRAMS / program)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    assert done.returncode == 0 and "error" not in done.stdout + done.stderr, \
        done.stdout + done.stderr
    return [value(line) for line in done.stdout.splitlines()]


def value(line):
    """A printed Klong number or (nested) list of numbers as Python data."""
    return json.loads(re.sub(r"(?<=[\d\]])\s+(?=[\[\d-])", ",", line.strip()))


def near(got, want, tol):
    if isinstance(want, list):
        return len(got) == len(want) and all(near(g, w, tol) for g, w in zip(got, want))
    return abs(got - want) <= tol


def test_gradients_program(tmp_path):
    exact, numeric, by_rule, matrix, tanhs = run("gradients.kg", tmp_path)
    e1 = math.exp(1.0)
    assert near(exact, e1 * (math.sin(1.0) + math.cos(1.0)), 1e-12)   # .bkf keeps gradients
    assert near(numeric, 6.0, 1e-4) and near(by_rule, 6.0, 1e-12)     # w∇{w^2} is not 0
    assert near(matrix, [[0.0, 1.0], [2.0, 3.0]], 1e-4)               # A∇{+/+/A*B} is B
    assert near(tanhs, [1.0, 1 - math.tanh(0.5) ** 2], 1e-12)


def test_training_program(tmp_path):
    dense, nexports, width, w = run("training.kg", tmp_path)
    W, x = [[1.0, -1.0], [0.5, 2.0]], [1.0, 2.0]
    assert near(dense, [max(0.0, sum(a * b for a, b in zip(row, x))) for row in W], 1e-12)
    assert nexports == 3 and width == 4           # what klongpy_exports names, and only that
    assert near(w, 2 + 3 * 0.8 ** 30, 1e-9)       # 30 steps of w-0.1*2(w-2) from 5


def test_exports_decide_what_is_bound(monkeypatch):
    from klongtorch import Klong, KlongError
    monkeypatch.chdir(PROGRAMS)
    k = Klong()
    k('.py("layers.py")')
    assert "dense" in k and "width" in k
    for hidden in ("secret", "torch", "activations"):
        assert hidden not in k
    # a name asked for by .pyf is found outside the exports too, as in KlongPy
    assert k('.pyf("layers.py";"secret");secret') == "not exported"
    with pytest.raises(KlongError, match="has no name 'nothing'"):
        k('.pyf("layers.py";"nothing")')

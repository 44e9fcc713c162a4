"""The example scripts in examples/: each runs through the klongtorch command, exactly as a
user runs it (`python -m klongtorch examples/NAME.kg` from the repository root), exits with 0,
writes nothing to stderr and prints results that are checked here: a minimum found, a fit
that matches the least-squares formula, a network that learned XOR, Python optimizers
imported with .pyf.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "examples"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.kg"))
NUMBER = r"(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)"


def run_example(name, cwd=REPO_ROOT, klongpath=None, tmp_path=None):
    """Run one example through the CLI; the CompletedProcess (text mode)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("KLONGTORCH_TRACEBACK", None)
    env.pop("KLONGPATH", None)
    if klongpath:
        env["KLONGPATH"] = klongpath
    if tmp_path is not None:                  # a plot would land here, never in the repo
        env["KLONGTORCH_PLOT_DIR"] = str(tmp_path)
    script = name if cwd == EXAMPLES else f"examples/{name}"
    return subprocess.run([sys.executable, "-m", "klongtorch", script], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=180)


def ran(proc):
    """The output of a run that must have succeeded quietly."""
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == "", proc.stderr
    return proc.stdout


def numbers(pattern, text):
    m = re.search(pattern, text)
    assert m, f"{pattern!r} not in:\n{text}"
    return [float(g) for g in m.groups()]


def test_there_are_examples():
    assert {"gradient-descent.kg", "linear-regression.kg", "neural-network.kg",
            "python-optimizers.kg"} <= set(SCRIPTS)


@pytest.mark.parametrize("name", [s for s in SCRIPTS if s != "python-optimizers.kg"])
def test_every_example_runs_from_the_repository_root(name, tmp_path):
    out = ran(run_example(name, tmp_path=tmp_path))
    assert out.strip()
    assert not list(tmp_path.iterdir())       # no plots written by a command-line example


def test_gradient_descent_finds_the_minimum(tmp_path):
    out = ran(run_example("gradient-descent.kg", tmp_path=tmp_path))
    lines = out.splitlines()
    assert lines[0].startswith("step   0  p = [0.0000 0.0000]  f(p) = 19.0000")
    x, y, f = numbers(r"after 100 steps: p = \[" + NUMBER + " " + NUMBER + r"\]  f\(p\) = "
                      + NUMBER, out)
    assert abs(x - 3) < 1e-2 and abs(y + 1) < 1e-3
    assert 0 <= f < 1e-5
    # f falls from one printed step to the next (shown with four decimals)
    fs = [float(v) for v in re.findall(r"step +\d+  p = .*  f\(p\) = " + NUMBER, out)]
    assert len(fs) == 5 and fs == sorted(fs, reverse=True) and fs[0] > fs[1]


def test_linear_regression_matches_least_squares(tmp_path):
    out = ran(run_example("linear-regression.kg", tmp_path=tmp_path))
    first, last, steps = numbers(r"loss: " + NUMBER + " at the start, " + NUMBER + " after "
                                 + NUMBER + " steps", out)
    assert steps == 2000 and last < 0.01 < first
    w, b = numbers(r"gradient descent: w = " + NUMBER + "  b = " + NUMBER, out)
    ws, bs = numbers(r"least squares:    w = " + NUMBER + "  b = " + NUMBER, out)
    assert abs(w - ws) <= 1e-3 and abs(b - bs) <= 1e-3
    assert abs(w - 2) < 0.1 and abs(b - 1) < 0.1        # the line the data came from


def test_neural_network_learns_xor(tmp_path):
    out = ran(run_example("neural-network.kg", tmp_path=tmp_path))
    losses = [float(v) for v in re.findall(r"loss " + NUMBER, out)]
    assert len(losses) == 7 and losses[0] > 0.5 and losses[-1] < 0.01
    assert re.search(r"targets: +0 +1 +1 +0\n", out)
    preds = numbers(r"predictions: " + " ".join([NUMBER] * 4), out)
    assert [round(p) for p in preds] == [0, 1, 1, 0]
    assert numbers(r"accuracy: " + NUMBER, out) == [1.0]


def check_python_optimizers(out):
    (sgd,) = numbers(r"SGD: +w = " + NUMBER, out)
    (momentum,) = numbers(r"SGD\+momentum: +w = " + NUMBER, out)
    w, b, loss = numbers(r"Adam: +w = " + NUMBER + "  b = " + NUMBER + "  loss = " + NUMBER,
                         out)
    assert abs(sgd) < 1e-3                      # the specification's 10.0 -> close to 0
    assert abs(momentum) < 1e-2
    assert abs(w - 2) < 1e-3 and abs(b - 1) < 1e-3 and loss < 1e-6


def test_python_optimizers_from_the_examples_folder(tmp_path):
    """The specification's route: .pyf("optimizers";"SGDOptimizer") finds optimizers.py in
    the current directory."""
    check_python_optimizers(ran(run_example("python-optimizers.kg", cwd=EXAMPLES,
                                            tmp_path=tmp_path)))


def test_python_optimizers_through_klongpath(tmp_path):
    check_python_optimizers(ran(run_example("python-optimizers.kg", klongpath="examples",
                                            tmp_path=tmp_path)))


def test_python_optimizers_beside_the_script(tmp_path):
    """Run from the repository root, with nothing on KLONGPATH: the script's own folder is
    searched, so optimizers.py is found beside python-optimizers.kg."""
    check_python_optimizers(ran(run_example("python-optimizers.kg", klongpath=str(tmp_path),
                                            tmp_path=tmp_path)))


def test_python_module_not_found_is_a_klong_error(tmp_path):
    script = tmp_path / "lonely.kg"
    script.write_text('.pyf("optimizers";"SGDOptimizer")\n')
    proc = subprocess.run([sys.executable, "-m", "klongtorch", str(script)], cwd=tmp_path,
                          env=dict(os.environ, KLONGPATH=str(tmp_path),
                                   PYTHONPATH=str(REPO_ROOT)), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1
    assert "kg: error: .pyf" in proc.stderr and "Traceback" not in proc.stderr

"""python -m klongtorch.selfcheck: the device check users run after installing a torch build
(issue 22, item 7). It runs here on the CPU, as users run it; its language sample's answers
are kg's own when kg is beside the repository; a wrong answer fails the run; and a device
this machine lacks is a clear message and exit status 2, not a traceback."""
import os
import subprocess
import sys
import time

import pytest
import torch

from conftest import REPO_ROOT, SHARED_KLONG
from klongtorch import selfcheck
from klongtorch.autograd.compile import cxx


def selfcheck_run(*args):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    return subprocess.run([sys.executable, "-m", "klongtorch.selfcheck", *args],
                          capture_output=True, text=True, env=env, timeout=300)


def test_selfcheck_passes_on_the_cpu_and_says_what_it_ran():
    start = time.perf_counter()
    done = selfcheck_run("--device", "cpu")
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert f"torch {torch.__version__}" in out and "klongtorch 0.1.0" in out
    assert "device: cpu" in out
    # a row: the check's name in 20 columns, its result, its time, what it found
    rows = {name: line for name, _ in selfcheck.CHECKS for line in out.splitlines()
            if line.startswith(name + " ")}
    assert len(rows) == len(selfcheck.CHECKS), out
    for name, line in rows.items():
        # inductor may only be skipped for want of a C++ compiler, and says so
        expected = "skip" if name == "compile (inductor)" and not cxx() else "pass"
        assert line[20:].split()[0] == expected, line
    assert "x," in rows["idioms"] and "dot 64x64" in rows["idioms"]   # the ratios printed
    assert "5 of 5 checks passed" in out
    assert seconds < 180, f"the self-check took {seconds:.0f} s; it promises under 3 minutes"


@pytest.mark.parametrize("device", ["cuda", "mps"])
def test_a_device_this_machine_lacks_is_a_clear_message_and_status_2(device):
    if device == "cuda" and torch.cuda.is_available() or \
            device == "mps" and torch.backends.mps.is_available():
        pytest.skip(f"this machine has {device}")
    done = selfcheck_run("--device", device)
    assert done.returncode == 2
    assert done.stderr.strip().startswith(f"kg: error: device: {device} is not available: ")
    assert "Traceback" not in done.stdout + done.stderr
    assert "torch " in done.stdout               # the versions still say what torch sees


def test_a_wrong_answer_fails_its_check_and_the_run(tmp_path, monkeypatch, capsys):
    cases = tmp_path / "cases.txt"
    cases.write_text(':" one right, one wrong, one error expected in vain\n'
                     "+/1+!10\t55\n2*3+4\t20\n1+2\tkg: error: plus: type error\n")
    monkeypatch.setattr(selfcheck, "CASES_FILE", str(cases))
    assert selfcheck.main(["--device", "cpu", "--only", "language,autograd"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "2*3+4 gave 14, kg: 20" in out and "1+2 gave 3 (no error)" in out
    assert "1 of 2 checks passed" in out and "FAILED: language" in out


def test_the_language_sample_answers_what_kg_answers():
    if not SHARED_KLONG.exists():
        pytest.skip(f"needs the Klong distribution at {SHARED_KLONG}")
    from differential.runner import find_kg
    kg = find_kg(SHARED_KLONG / "build-kg")
    if kg is None:
        pytest.skip(f"{SHARED_KLONG / 'build-kg'} did not build kg")
    cases = selfcheck.read_cases()
    assert len(cases) >= 80
    for source, answer in cases:
        done = subprocess.run([str(kg), "-n", "-e", source], capture_output=True, timeout=30)
        said = (done.stdout + done.stderr).decode("utf-8", "replace").strip()
        # kg's answer in its readable form; an error by the start of its message
        assert said.startswith(answer) if answer.startswith("kg: error:") else said == answer, \
            (source, answer, said)


def test_an_unknown_check_name_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        selfcheck.main(["--device", "cpu", "--only", "lang,nonsense"])
    assert stop.value.code == 2
    assert "no check named nonsense; the checks: language, autograd" in capsys.readouterr().err

"""The package check (.ci/check_package.py, run by .ci/run) installs the wheel into a fresh
environment that must see the packages of the Python running the check. In a virtualenv,
`venv --system-site-packages` showed the *base* interpreter's packages instead, so torch was
missing there and `bash .ci/run` failed in a fresh virtualenv (issue 22). These tests run
the check's environment builder from inside a throwaway virtualenv whose only package is a
marker module: the environment must see the marker and not the base's packages. No wheel is
built, so this takes a second; the whole check runs at the end of .ci/run."""
import importlib.util
import os
import subprocess
import sys

from conftest import REPO_ROOT

CHECK = REPO_ROOT / ".ci" / "check_package.py"
MARKER = "klongtorch_ci_marker"


def python(exe, code, *args):
    """Run code in the interpreter exe without PYTHONPATH: what it prints, stripped."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([str(exe), "-c", code, *map(str, args)], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def purelib(exe):
    return python(exe, "import sysconfig; print(sysconfig.get_path('purelib'))")


def write_marker(where, exe):
    with open(os.path.join(purelib(exe), MARKER + ".py"), "w") as f:
        f.write(f"WHERE = {where!r}\n")


def test_the_package_environment_sees_the_running_virtualenvs_packages(tmp_path):
    # a virtualenv like a user's: its own site-packages, not the base's; the marker there
    outer = tmp_path / "outer"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(outer)], check=True)
    outer_python = outer / "bin" / "python"
    write_marker("outer", outer_python)

    # the check's environment, made from inside that virtualenv
    inner = tmp_path / "inner"
    made = python(outer_python,
                  "import importlib.util, sys\n"
                  "spec = importlib.util.spec_from_file_location('check', sys.argv[1])\n"
                  "check = importlib.util.module_from_spec(spec)\n"
                  "spec.loader.exec_module(check)\n"
                  "print(check.environment(sys.argv[2]))", CHECK, inner)
    assert made == str(inner / "bin" / "python")

    probe = (f"import importlib.util, {MARKER} as m\n"
             "print(m.WHERE, importlib.util.find_spec('pytest') is not None)")
    # it sees the virtualenv's marker, and not pytest, which the Python running this test has
    # but the virtualenv has not (the old --system-site-packages environment saw the base
    # interpreter's packages, pytest among them here, and no marker)
    assert importlib.util.find_spec("pytest") is not None
    assert python(made, probe) == "outer False"
    # what is installed into the environment itself (the wheel) comes first
    write_marker("inner", made)
    assert python(made, probe) == "inner False"

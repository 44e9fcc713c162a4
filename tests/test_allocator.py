"""glibc malloc's thresholds (klongtorch/allocator.py): pinned by the CLI and the kernel,
which own their processes, only on request (%klong_tune) under the magic. Each check runs in
a fresh process, since the setting is process-wide."""
import os
import subprocess
import sys

import pytest

from klongtorch import allocator

glibc = pytest.mark.skipif(allocator._libc() is None, reason="not Linux with glibc malloc")


def run_python(code, **env):
    e = {k: v for k, v in os.environ.items() if k != "KLONGTORCH_MALLOC"}
    e.update(env)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


CLI = ("from klongtorch import allocator, cli; cli.main(['-e', '1+1']); "
       "print(allocator.tuned())")


@glibc
def test_the_cli_pins_the_thresholds():
    assert run_python(CLI) == "True"


@glibc
def test_an_environment_variable_keeps_the_defaults():
    assert run_python(CLI, KLONGTORCH_MALLOC="default") == "False"


@glibc
def test_the_kernel_launch_pins_them_before_ipykernel_starts():
    code = ("import sys; from klongtorch.kernel import __main__ as m\n"
            "class Stop(Exception): pass\n"
            "import ipykernel.kernelapp as ka\n"
            "def launch_instance(*a, **k):\n"
            "    from klongtorch import allocator; print(allocator.tuned()); raise Stop\n"
            "ka.IPKernelApp.launch_instance = launch_instance\n"
            "try: m.launch([])\n"
            "except Stop: pass\n")
    assert run_python(code) == "True"


@glibc
def test_the_magic_changes_nothing_until_asked():
    pytest.importorskip("IPython")
    code = ("from IPython.testing.globalipapp import start_ipython\n"
            "from klongtorch import allocator\n"
            "ip = start_ipython(); ip.run_line_magic('load_ext', 'klongtorch')\n"
            "ip.run_cell('%klong 1+1')\n"
            "before = allocator.tuned()\n"
            "ip.run_line_magic('klong_tune', '')\n"
            "print(before, allocator.tuned())\n")
    assert run_python(code) == "False True"


def test_tune_says_what_it_did():
    text = allocator.tune()
    if allocator._libc() is None:
        assert text == ""
    else:
        assert "mmap threshold 32 MiB" in text and allocator.tuned()

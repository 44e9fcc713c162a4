"""glibc malloc's thresholds (klongtorch/runtime/allocator.py): pinned by the CLI and the kernel at
start, by the API and the magic with the first interpreter, unless KLONGTORCH_MALLOC=default. Each check runs in
a fresh process, since the setting is process-wide."""
import os
import subprocess
import sys

import pytest

from klongtorch.runtime import allocator

glibc = pytest.mark.skipif(allocator._libc() is None, reason="not Linux with glibc malloc")


def run_python(code, **env):
    e = {k: v for k, v in os.environ.items() if k != "KLONGTORCH_MALLOC"}
    e.update(env)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


CLI = ("from klongtorch.runtime import allocator; from klongtorch.shell import cli; cli.main(['-e', '1+1']); "
       "print(allocator.tuned())")


@glibc
def test_the_cli_pins_the_thresholds():
    assert run_python(CLI) == "True"


@glibc
def test_an_environment_variable_keeps_the_defaults():
    assert run_python(CLI, KLONGTORCH_MALLOC="default") == "False"


def at_kernel_start(expr, imports=""):
    """Code that runs the kernel's launch up to the moment ipykernel would start, prints
    expr there (after imports, a line of Python run first), and stops."""
    return (f"{imports}\nfrom klongtorch.kernel import __main__ as m\n"
            "class Stop(Exception): pass\n"
            "import ipykernel.kernelapp as ka\n"
            "def launch_instance(*a, **k):\n"
            f"    print({expr}); raise Stop\n"
            "ka.IPKernelApp.launch_instance = launch_instance\n"
            "try: m.launch([])\n"
            "except Stop: pass\n")


@glibc
def test_the_kernel_launch_pins_them_before_ipykernel_starts():
    code = at_kernel_start("allocator.tuned()", "from klongtorch.runtime import allocator")
    assert run_python(code) == "True"


@glibc
def test_the_api_pins_them_with_the_first_interpreter():
    code = ("from klongtorch import Klong; from klongtorch.runtime import allocator; before = allocator.tuned(); Klong()\n"
            "print(before, allocator.tuned())\n")
    assert run_python(code) == "False True"
    assert run_python(code, KLONGTORCH_MALLOC="default") == "False False"


@glibc
def test_the_magic_pins_them_and_klong_tune_forces_them():
    pytest.importorskip("IPython")
    code = ("from IPython.testing.globalipapp import start_ipython\n"
            "from klongtorch.runtime import allocator\n"
            "ip = start_ipython(); ip.run_line_magic('load_ext', 'klongtorch')\n"
            "ip.run_cell('%klong 1+1')\n"
            "before = allocator.tuned()\n"
            "ip.run_line_magic('klong_tune', '')\n"
            "print(before, allocator.tuned())\n")
    assert run_python(code) == "True True"
    assert run_python(code, KLONGTORCH_MALLOC="default") == "False True"


def test_tune_says_what_it_did():
    text = allocator.tune()
    if allocator._libc() is None:
        assert text == ""
    else:
        assert "every block from the heap" in text and allocator.tuned()


@glibc
def test_big_blocks_stay_in_the_heap_until_released():
    # 300 MB freed under a live 16 MB block (made after it, so above it in the heap):
    # glibc's defaults would unmap it at once; tuned, it stays for the next block, and
    # release() gives it back when past its limit
    code = ("from klongtorch.runtime import allocator; allocator.tune(); import torch\n"
            "def rss(): return int(open('/proc/self/status').read()"
            ".split('VmRSS:')[1].split()[0]) >> 10\n"
            "x = torch.ones(75_000_000); keep = torch.ones(4_000_000); before = rss(); del x\n"
            "kept = rss(); released = allocator.release(above=100 << 20)\n"
            "print(before - kept < 50, released, kept - rss() > 200)\n")
    assert run_python(code) == "True True True"


@glibc
def test_release_does_nothing_unless_tuned():
    code = ("from klongtorch.runtime import allocator; import torch\n"
            "x = torch.ones(75_000_000); del x; print(allocator.release(above=0))\n")
    assert run_python(code) == "False"


def test_settle_looks_at_the_heap_at_most_every_so_often(monkeypatch):
    looks = []
    monkeypatch.setattr(allocator, "release", lambda: looks.append(1) or False)
    monkeypatch.setattr(allocator._settle, "next", 0.0)
    allocator.settle(now=lambda: 10.0)
    allocator.settle(now=lambda: 10.0 + allocator.SETTLE_EVERY / 2)     # too soon: no look
    assert looks == [1]
    allocator.settle(now=lambda: 10.0 + allocator.SETTLE_EVERY)
    assert looks == [1, 1]

"""The cyclic collector around start-up (klongtorch/runtime/collector.py): off while the
kernel, its spare and the CLI import torch, then on again with start-up's objects frozen.
The API and the magic, in the user's process, leave it alone. Each process-wide check runs
in a fresh process."""
import gc

from test_allocator import at_kernel_start, run_python

from klongtorch.runtime import collector


def test_pause_then_settle_turns_it_back_on_and_freezes():
    code = ("import gc; from klongtorch.runtime import collector\n"
            "collector.pause(); off = not gc.isenabled()\n"
            "made = [[] for _ in range(1000)]\n"
            "collector.settle(); print(off, gc.isenabled(), gc.get_freeze_count() >= 1000)\n")
    assert run_python(code) == "True True True"


def test_settle_keeps_a_collector_that_was_already_off():
    code = ("import gc; from klongtorch.runtime import collector\n"
            "gc.disable(); collector.pause(); collector.settle(); print(gc.isenabled())\n")
    assert run_python(code) == "False"


def test_the_cli_settles_after_building_the_interpreter():
    """While the CLI builds its interpreter the collector is off, and after it the
    collector is on with torch's objects frozen."""
    code = ("import gc; from klongtorch.shell import cli\n"
            "seen = []\n"
            "real = cli.settled\n"
            "def settled(*a, **k):\n"
            "    seen.append(gc.isenabled()); return real(*a, **k)\n"
            "cli.settled = settled\n"
            "cli.main(['-e', '1+1'])\n"
            "print(seen[0], gc.isenabled(), gc.get_freeze_count() > 50000)\n")
    assert run_python(code) == "False True True"


def test_the_kernel_build_settles_what_the_launch_paused():
    code = ("import gc; from klongtorch.runtime import collector\n"
            "from klongtorch.kernel import startup\n"
            "collector.pause()\n"
            "k, problem = startup.Build().wait()\n"
            "print(gc.isenabled(), gc.get_freeze_count() > 50000, k('1+1'))\n")
    assert run_python(code) == "True True 2"


def test_the_kernel_launch_pauses_it_before_ipykernel_starts():
    assert run_python(at_kernel_start("gc.isenabled()", "import gc")) == "False"


def test_the_api_leaves_the_collector_alone():
    code = ("import gc; from klongtorch import Klong; k = Klong(); k('+/!10')\n"
            "print(gc.isenabled(), gc.get_freeze_count())\n")
    assert run_python(code) == "True 0"


def test_this_process_is_untouched_by_importing_it():
    assert gc.isenabled()
    assert collector._paused is False

"""Two interpreters in two threads stay apart: each gets its own device and dtype.

The device and real dtype that new tensors get are per thread (values.Context), so two
Klong() objects running at once, one float32 and one float64, never see each other's.
"""
import ast
import subprocess
import sys
import textwrap
import threading

import pytest
import torch

from klongtorch import Klong

ROUNDS = 400
# programs whose results carry the interpreter's real dtype: arithmetic, enumerate,
# reshape, a function, a reduction, a gradient
PROGRAMS = ("(!50)%3", "2.5*!40", "[2 3]:^1.5+!6", "{x%7}'!30", "+/0.5*!100",
            "{x^2}:>3.0", "s::{+/x^2};s:>1.0+!5")


def worker(k, want, results, start):
    start.wait()
    wrong = []
    for i in range(ROUNDS):
        for p in PROGRAMS:
            v = k(p)
            if isinstance(v, torch.Tensor) and v.is_floating_point():
                if v.dtype is not want:
                    wrong.append((p, v.dtype))
    results[want] = wrong


def run_pair(a, b):
    results, start = {}, threading.Barrier(2)
    threads = [threading.Thread(target=worker, args=(k, k.dtype, results, start))
               for k in (a, b)]
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)         # switch threads often: every window is visited
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    return results


def test_two_interpreters_in_two_threads_keep_their_dtypes():
    a = Klong(device="cpu", dtype="float32")
    b = Klong(device="cpu", dtype="float64")
    results = run_pair(a, b)
    assert results == {torch.float32: [], torch.float64: []}
    # and each still gives the same answers as a fresh interpreter would
    assert a("0.5*!4").dtype is torch.float32 and b("0.5*!4").dtype is torch.float64
    assert b("{x^2}:>3.0") == pytest.approx(6.0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cpu_and_cuda_interpreters_in_two_threads():
    a = Klong(device="cpu")
    b = Klong(device="cuda")
    found = {}

    def use(k):
        found[k.device.type] = {k("2.5*!40").device.type for _ in range(200)}
    threads = [threading.Thread(target=use, args=(k,)) for k in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert found == {"cpu": {"cpu"}, "cuda": {"cuda"}}


def test_process_settings_are_made_by_the_first_interpreter():
    """The recursion limit and integer digit limit Klong needs are set by the first
    interpreter, not before (importing klongtorch changes neither), and stay (a fresh
    process: this one has made interpreters already)."""
    program = textwrap.dedent("""
        import gc, sys
        import klongtorch
        from klongtorch import Klong
        before = sys.getrecursionlimit(), sys.get_int_max_str_digits()
        k = Klong()
        during = sys.getrecursionlimit(), sys.get_int_max_str_digits()
        deep = k("f::{:[x;1+f(x-1);0]};f(3000)")       # deep recursion works
        digits = k("#$2^20000")                          # more digits than Python allows
        del k
        gc.collect()
        after = sys.getrecursionlimit(), sys.get_int_max_str_digits()
        print(repr((before, during, deep, digits, after)))
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    before, during, deep, digits, after = ast.literal_eval(done.stdout)
    assert during[0] >= 20000 and during[1] == 0 and (deep, digits) == (3000, 6021)
    assert after == during and before[0] < 20000 and before[1] > 0


def test_python_s_own_handler_is_replaced_by_one_that_acts_the_same():
    """Where the process has Python's SIGINT handler, klongtorch's takes its place for good
    (swapping them cost two system calls a call); outside Klong it raises KeyboardInterrupt
    just as Python's does."""
    program = textwrap.dedent("""
        import os, signal, time
        from klongtorch import Klong
        from klongtorch.runtime import interrupts
        k = Klong()
        k("1+1")
        print(signal.getsignal(signal.SIGINT) is interrupts.handler)
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
            print("not interrupted")
        except KeyboardInterrupt:
            print("KeyboardInterrupt")
        print(k("2+2"))
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.split() == ["True", "KeyboardInterrupt", "4"], done.stderr


def test_a_users_sigint_handler_is_back_after_a_call():
    """The deferring SIGINT handler is Klong's only while Klong runs (main thread)."""
    import signal

    from klongtorch.runtime import interrupts
    seen = []

    def mine(signum, frame):
        seen.append(signum)
    before = signal.signal(signal.SIGINT, mine)
    try:
        k = Klong()
        # a Python function called from Klong sees the deferring handler in place
        k["look"] = lambda x: int(signal.getsignal(signal.SIGINT) is interrupts.handler)
        assert k("look(0)") == 1
        assert signal.getsignal(signal.SIGINT) is mine
        with pytest.raises(Exception):
            k('1+"x"')
        assert signal.getsignal(signal.SIGINT) is mine
    finally:
        signal.signal(signal.SIGINT, before)

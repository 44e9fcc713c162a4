"""Differentiation leaves the globals as it found them: after a Klong error, and after an
interrupt at any moment (issue 13, item 1).

Every differentiation path rebinds globals while it runs: :> and ∇ and ∂ with a variable or
a symbol list, .jacobian/.hessian/.jvp with a symbol, the dual-number fast path, and an
optimizer's step. The deterministic half checks each bad form; the randomized half sends
SIGINT from a timer thread at random moments, thousands of times, and checks after each
that no global changed (the same object, no gradient, no dual number) and that the
optimizer's step happened entirely or not at all.
"""
import ctypes
import random
import signal
import sys
import threading
import time

import pytest
import torch

from klongtorch import Klong, KlongError
from klongtorch.runtime import interrupts
from klongtorch.autograd import derivatives
from klongtorch.value.dual import Dual


def snapshot(k):
    return dict(k.globals)


def changed(k, before):
    """The names whose binding is not the very object it was before."""
    now = k.globals
    return sorted(n for n in set(before) | set(now)
                  if n not in now or n not in before or now[n] is not before[n])


def clean(v):
    """No gradient and no dual number inside a value."""
    if type(v) is torch.Tensor:
        return not v.requires_grad
    if type(v) is list:
        return all(clean(e) for e in v)
    return type(v) is not Dual


SETUP = 'w::1.0;b::[1.0 2.0];s::"abc";n::3;loss::{(w^2)+(+/b^2)};lb::{+/b^3}'


@pytest.mark.parametrize("bad", [
    "loss:>[w s]", "loss:>[w zz]", "loss:>[zz w]", "loss:>[w n s]", "loss:>s",
    "loss:>zz", "[w s]∇loss", "[w zz]∇loss", "s∇loss", "[w s]∂loss", "[b zz]∂loss",
    ".jacobian(loss;[:w :s])", ".hessian(lb;:zz)", ".hessian(lb;[:b :w])", ".jvp(lb;:s;1.0)",
    ".jvp(lb;:b;[1.0])", ".gradcheck(loss;:s)", "{x*[1 2]}:>w", "{x*b}:>[w b]", "loss:>3",
    "3∇loss", "3∂loss", ".jacobian(loss;3)",
    "{.sgd(:s;0.1)}0", "{.adam([w zz];0.1)}0",
])
def test_a_failed_differentiation_changes_no_global(bad):
    k = Klong()
    k(SETUP)
    before = snapshot(k)
    with pytest.raises(KlongError):
        k(bad)
    assert changed(k, before) == []
    assert all(clean(v) for v in k.globals.values())
    assert derivatives._Depth.running == 0


def test_a_failed_optimizer_step_keeps_its_state():
    k = Klong()
    k("w::[3.0 4.0];loss::{+/w^2};opt::.adam(:w;0.1);opt(loss);bad::{+/w*[1 2 3]}")
    before = snapshot(k)
    steps = k["opt"].steps
    with pytest.raises(KlongError):
        k("opt(bad)")
    assert changed(k, before) == [] and k["opt"].steps == steps
    assert k("opt(loss)") > 0 and k["opt"].steps == steps + 1


@pytest.mark.parametrize("form", ["loss:>3", "3∇loss", "3∂loss", ".jacobian(loss;3)",
                                  ".hessian(loss;3)", ".jvp(loss;3;1)", ".gradcheck(loss;3)",
                                  "f::{w^2};f:>3.0", "{w^2}:>3"])
def test_a_nilad_given_a_constant_point_is_an_error_not_a_zero(form):
    k = Klong()
    k("w::3.0;loss::{w^2}")
    with pytest.raises(KlongError, match="a nilad needs a variable name or a symbol list"):
        k(form)


@pytest.mark.parametrize("form, expected", [
    ("loss:>w", 6.0), ("w∇loss", 6.0), ("w∂loss", 6.0), (".jacobian(loss;:w)", 6.0),
    (".hessian(loss;:w)", 2.0), (".jvp(loss;:w;1.0)", 6.0), ("loss:>[w]", [6.0]),
    ("[w]∇loss", [6.0]), ("{x;3.0}:>w", 0.0), ("w∇{x;3.0}", 0.0), (".jacobian({x;3.0};w)", 0.0),
])
def test_the_nilad_and_variable_rule_holds_on_every_path(form, expected):
    k = Klong()
    got = k("w::3.0;loss::{w^2};" + form)
    assert torch.allclose(torch.as_tensor(got, dtype=torch.float64),
                          torch.tensor(expected, dtype=torch.float64), atol=1e-4)
    assert k["w"] == 3.0 and type(k["w"]) is float


def test_numeric_gradient_of_a_matrix_global():
    k = Klong()
    got = k("A::[2 2]:^!4;B::A;A∇{+/+/A*B}")
    assert torch.allclose(got, k["B"].to(got.dtype), atol=1e-4)


# -- randomized interrupts ---------------------------------------------------------------------

class Interrupter:
    """SIGINT at a chosen moment, from a POSIX timer: the kernel sends it, so it lands on
    time even while the main thread holds the GIL (a Python timer thread would have to
    wait for the GIL, and its signals would mostly land after the work)."""

    class _Sigevent(ctypes.Structure):
        _fields_ = [("value", ctypes.c_void_p), ("signo", ctypes.c_int),
                    ("notify", ctypes.c_int), ("pad", ctypes.c_int * 12)]

    class _Spec(ctypes.Structure):
        _fields_ = [("interval_s", ctypes.c_long), ("interval_ns", ctypes.c_long),
                    ("value_s", ctypes.c_long), ("value_ns", ctypes.c_long)]

    def __init__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        ev = self._Sigevent(None, signal.SIGINT, 0)          # SIGEV_SIGNAL
        self.timer = ctypes.c_void_p()
        if self.libc.timer_create(1, ctypes.byref(ev), ctypes.byref(self.timer)):  # MONOTONIC
            raise OSError(ctypes.get_errno(), "timer_create")

    def fire_after(self, delay):
        ns = max(1, int(delay * 1e9))
        spec = self._Spec(0, 0, ns // 1_000_000_000, ns % 1_000_000_000)
        self.libc.timer_settime(self.timer, 0, ctypes.byref(spec), None)

    def _left(self):
        spec = self._Spec()
        self.libc.timer_gettime(self.timer, ctypes.byref(spec))
        return spec.value_s or spec.value_ns

    @interrupts.guard
    def drain(self, stopped):
        """Wait until the signal has been sent and handled, so that none lands later; one
        handled here only waits (a critical section) and is then forgotten."""
        interrupts.enter()
        try:
            deadline = time.monotonic() + 5
            while self._left() or not (stopped or interrupts.pending()):
                assert time.monotonic() < deadline, "the signal was lost"
                time.sleep(0.0001)
            interrupts.clear()
        finally:
            interrupts.leave()

    def close(self):
        self.libc.timer_delete(self.timer)


PROGRAMS = [
    # (setup, the expression interrupted, the globals it may assign)
    ("w::[1.0 2.0 3.0];b::2.0;loss::{(+/w^2)+b^3}", "loss:>[w b]", ()),
    ("w::2.0;b::3.0;loss::{(w^2)*b}", "{loss:>[w b]}'!20", ()),      # dual numbers
    ("w::2.0;loss::{w^3}", "{loss:>w}'!20", ()),
    ("w::[1.0 2.0 3.0];loss::{+/w^2}", "w∇loss", ()),
    ("w::[1.0 2.0];b::[3.0 4.0];f::{w*b}", "[w b]∂f", ()),
    ("w::[1.0 2.0];loss::{+/w^3}", ".hessian(loss;:w),.jvp(loss;:w;[1.0 0.0])", ()),
    ("w::[1.0 2.0];b::1.0;loss::{+/(w*b)^2};opt::.adam([w b];0.01)", "{opt(loss)}'!5",
     ("w", "b")),
]


@pytest.mark.skipif(not sys.platform.startswith("linux") or
                    threading.current_thread() is not threading.main_thread(),
                    reason="POSIX timers as Linux has them; signals reach the main thread only")
@pytest.mark.parametrize("setup, expr, assigns", PROGRAMS)
def test_random_interrupts_change_no_global(setup, expr, assigns, no_gc_callbacks):
    k = Klong()
    k(setup)
    def span():
        k(expr)                               # compiled and warmed
        t0 = time.perf_counter()
        for _ in range(3):
            k(expr)
        return (time.perf_counter() - t0) / 3
    # a few milliseconds of work, so that most signals land inside it
    expr = "{" + expr + "}'!" + str(max(1, round(0.004 / span())))
    span = span()
    rng = random.Random(12)
    trials = 300                              # 7 programs: 2,100 interrupts in all
    stopped = 0
    fire = Interrupter()
    # a process started in the background may ignore SIGINT, and then interrupts.installed()
    # leaves it so: the test gives the process Python's usual handler for its duration
    outer = signal.getsignal(signal.SIGINT)
    if outer in (signal.SIG_IGN, signal.SIG_DFL, None):
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with interrupts.installed():
            for _ in range(trials):
                before = snapshot(k)
                opt = k.globals.get("opt")
                steps = opt.steps if opt is not None else None
                stop = False
                try:
                    fire.fire_after(rng.uniform(0, span * 1.1))
                    k(expr)
                except KeyboardInterrupt:
                    stop = True
                fire.drain(stop)
                stopped += stop
                moved = changed(k, before)
                assert set(moved) <= set(assigns), f"{moved} changed (stopped: {stop})"
                assert all(clean(v) for v in k.globals.values()), "a gradient or a dual was left"
                assert derivatives._Depth.running == 0, "the differentiation count was left raised"
                if opt is not None:
                    # each step happened entirely or not at all
                    assert all(k.globals[n] is w for n, w in zip(opt.names, opt.written))
                    assert (opt.steps == steps) == (moved == [])
    finally:
        fire.close()
        if outer is not None:
            signal.signal(signal.SIGINT, outer)
    # the interrupts did land inside the work (most do; a loaded machine can stretch it)
    assert stopped >= trials // 20, f"only {stopped} of {trials} interrupts stopped the work"


def test_an_optimizer_takes_a_nilad_loss_only():
    k = Klong()
    k("w::3.0;opt::.sgd(:w;0.1)")
    with pytest.raises(KlongError, match="the loss must be a nilad"):
        k("opt({x^2})")
    assert k["w"] == 3.0 and k["opt"].steps == 0


def test_an_interrupt_waits_for_torch_to_load_forward_mode(monkeypatch):
    """torch loads its forward-mode decompositions at the first make_dual, parsing Python
    source with `ast`; an interrupt in that parse corrupted CPython's AST state, and every
    later .jvp failed. The load runs in a critical section: a SIGINT that arrives during it
    waits until it is done, then stops the .jvp, and the next .jvp works."""
    import os
    finished = []

    def load():                                 # torch calls it at every make_dual
        if finished:
            return
        os.kill(os.getpid(), signal.SIGINT)     # arrives now, in the middle of the load
        for _ in range(1000):
            time.sleep(0)                       # bytecodes, where Python runs handlers
        finished.append(True)
    monkeypatch.setattr(derivatives._ForwardMode, "loaded", False)
    monkeypatch.setattr(derivatives.forward_ad, "_maybe_load_decompositions", load)
    k = Klong()
    with interrupts.installed():
        with pytest.raises(KeyboardInterrupt):
            k(".jvp({x^2};[1 2];[1 0])")
    assert finished == [True]                   # the load ran to its end
    assert derivatives._ForwardMode.loaded
    assert k(".jvp({x^2};[1 2];[1 0])").tolist() == [2.0, 0.0]

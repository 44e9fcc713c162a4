"""Interrupts at random moments never change a global the program did not assign.

A timer thread sends this process SIGINT while Klong runs a loop that rebinds globals
dynamically (function locals), nests such functions, and differentiates. Each interrupt
must stop the program, and afterwards every global must be what it was: no local's value
left behind, no name dropped, no gradient leaf in place of a number. Python delivers the
signal between any two bytecodes, so a few thousand interrupts at random delays reach the
restore code (`finally` blocks, setup before `try`) as well as the loop body.
"""
import os
import random
import signal
import threading

import pytest
import torch

from klongtorch import Klong
from klongtorch.values import ctx

PROGRAMS = {
    # the program: g rebinds the global a while it runs
    "locals": ("a::7;g::{[a];a::x;a*2}", "{1}{g(x);x+1}:~0"),
    # locals inside locals, and a function that fails and is caught by nothing: its
    # error would stop the loop, so it only runs when x is odd... never (x is even)
    "nested": ("a::7;b::8;h::{[a b];a::x;b::{[a];a::x+1;a}(x);a+b}", "{1}{h(x);x+2}:~0"),
    # the same name as a local in a function that calls another that reads it
    "dynamic": ("a::7;r::{a};f::{[a];a::x;r()}", "{1}{f(x);x+1}:~0"),
}
GRADIENT = ("w::1.0;loss::{w^2}", "{1}{loss:>w;x+1}:~0")

ROUNDS = int(os.environ.get("KLONGTORCH_STORM_ROUNDS", "500"))    # per program


def snapshot(k):
    """What the globals are: name -> (type, shown value, requires_grad)."""
    from klongtorch.display import show
    out = {}
    for name, v in k.globals.items():
        grad = isinstance(v, torch.Tensor) and v.requires_grad
        try:
            text = show(v)
        except Exception:
            text = repr(v)
        out[name] = (type(v).__name__, text, grad)
    return out


class Storm:
    """Sends one SIGINT after a random delay; another (and a note of it) whenever the last
    did not stop the program within `patience` seconds: an interrupt that was lost."""

    def __init__(self, delay, patience=20.0):
        self.delay, self.patience = delay, patience
        self.stopped = threading.Event()
        self.lost = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        self.stopped.wait(self.delay)
        if self.stopped.is_set():
            return
        os.kill(os.getpid(), signal.SIGINT)
        while not self.stopped.wait(self.patience):
            self.lost += 1
            os.kill(os.getpid(), signal.SIGINT)


def settle(s):
    """Stop the sender; an interrupt it sent just before being stopped may still arrive."""
    while True:
        try:
            s.stopped.set()
            s.thread.join()
            return
        except KeyboardInterrupt:
            pass


def storm(k, loop, rounds, seed):
    """Interrupt `loop` rounds times; returns how many interrupts were lost."""
    rng = random.Random(seed)
    lost = 0
    for _ in range(rounds):
        s = Storm(rng.uniform(0.0, 0.004))
        try:
            s.thread.start()
            k(loop)         # runs until interrupted
        except KeyboardInterrupt:
            pass
        settle(s)
        lost += s.lost
    return lost


@pytest.fixture
def sigint_kept():
    """The test's SIGINT handler must be the same afterwards; where it was Python's own,
    klongtorch's may stand in for it for good (see interrupts.begin)."""
    from klongtorch import interrupts
    before = signal.getsignal(signal.SIGINT)
    yield
    after = signal.getsignal(signal.SIGINT)
    assert after is before or (before is signal.default_int_handler and
                               after is interrupts.handler)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_random_interrupts_change_no_global(name, sigint_kept, no_gc_callbacks):
    setup, loop = PROGRAMS[name]
    k = Klong(device="cpu", dtype="float32")
    k(setup)
    before = snapshot(k)
    lost = storm(k, loop, ROUNDS, seed=hash(name) & 0xffff)
    after = snapshot(k)
    changed = {n: (before.get(n), after.get(n)) for n in set(before) | set(after)
               if before.get(n) != after.get(n)}
    assert changed == {}
    assert lost == 0                        # every interrupt stopped the program
    # the interpreter's device and dtype did not leak out of it
    assert (ctx.device, ctx.real) == (torch.device("cpu"), torch.float64)
    # and it still works
    assert k("g::{[a];a::x;a*2};g(21)") == 42 and k("a") == 7


def test_random_interrupts_leave_no_gradient_leaf(sigint_kept, no_gc_callbacks):
    setup, loop = GRADIENT
    k = Klong(device="cpu")
    k(setup)
    before = snapshot(k)
    lost = storm(k, loop, ROUNDS // 2, seed=7)
    after = snapshot(k)
    w = k["w"]
    assert not (isinstance(w, torch.Tensor) and w.requires_grad)
    assert {n for n in before if before[n] != after.get(n)} == set()
    assert lost == 0

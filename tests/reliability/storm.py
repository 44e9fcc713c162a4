"""Real SIGINTs at random moments into every kind of work Klong does, and what they may leave.

A timer thread sends this process SIGINT (os.kill, as Control-C does) after a random delay
while the interpreter runs a loop that never ends by itself. Afterwards the state must be
what a run that was never interrupted leaves: every global the work does not assign is
unchanged (same type, value and no gradient attached), the thread's device and dtype are the
defaults again, torch's and Python's random states are untouched, no gradient is being
recorded, and the interpreter still works.

    python -m tests.reliability.storm 10000          # 10,000 interrupts over all kinds
    python -m tests.reliability.storm 600 locals     # one kind

The suite runs a few dozen per kind (tests/reliability/test_interrupt_storm.py).
"""
import gc
import os
import random
import signal
import sys
import threading
import time

import torch

# name: (setup, the work (an endless loop), globals the work itself assigns)
KINDS = {
    "locals": ("a::7;g::{[a];a::x;a*2}", "{1}{g(x);x+1}:~0", ()),
    "nested locals": ("a::7;b::8;h::{[a b];a::x;b::{[a];a::x+1;a}(x);a+b}",
                      "{1}{h(x);x+2}:~0", ()),
    "dynamic scope": ("a::7;r::{a};f::{[a];a::x;r()}", "{1}{f(x);x+1}:~0", ()),
    "recursion with locals": ("a::7;fib::{[a];a::x;:[a<2;a;fib(a-1)+fib(a-2)]}",
                              "{1}{fib(12);x+1}:~0", ()),
    "pure recursion": ("a::7;fib::{:[x<2;x;fib(x-1)+fib(x-2)]}",      # its twin (pure.py)
                       "{1}{fib(12);fib'!12;x+1}:~0", ()),
    "gradient of a nilad": ("w::1.0;loss::{w^2}", "{1}{loss:>w;x+1}:~0", ()),
    "gradient of two globals": ("w::[1.0 2.0 3.0];b::2.0;loss::{(+/w^2)+b^3}",
                                "{1}{loss:>[w b];x+1}:~0", ()),
    "dual numbers": ("w::2.0;b::3.0;loss::{(w^2)*b}", "{1}{{loss:>[w b]}'!5;x+1}:~0", ()),
    "numeric gradient": ("w::[1.0 2.0 3.0];loss::{+/w^2}", "{1}{w∇loss;x+1}:~0", ()),
    "jacobian": ("w::[1.0 2.0];b::[3.0 4.0];f::{w*b}", "{1}{[w b]∂f;x+1}:~0", ()),
    "hessian and jvp": ("w::[1.0 2.0];loss::{+/w^3}",
                        "{1}{.hessian(loss;:w),.jvp(loss;:w;[1.0 0.0]);x+1}:~0", ()),
    "optimizer": ("w::[1.0 2.0];b::1.0;loss::{+/(w*b)^2};opt::.adam([w b];0.01)",
                  "{1}{opt(loss);x+1}:~0", ("w", "b")),
    "lifted each": ("v::!1000;c::3", "{1}{{:[x>c;x*x;0-x]}'v;x+1}:~0", ()),
    "lifted gradient": ("v::1.0*!200", "{1}{{{x^3}:>x}'v;x+1}:~0", ()),
    "inline loops": ("a::7", "{1}{{x<200}{x+1}:~0;50{x*2}:*1;x+1}:~0", ()),
    "fold over a lambda": ("a::7;s::{[a];a::y;x+a}", "{1}{s/!300;x+1}:~0", ()),
    "amend loop": ("v::!100", "{1}{v::v:=x,x!100;x+1}:~0", ("v",)),
    "module": ("a::7", "{1}{.module(:m);q::x;.module(0);x+1}:~0", ("q",)),
}


def snapshot(k):
    """name -> (type, shown value, requires_grad) for every global."""
    from klongtorch.value.text import show
    out = {}
    for name, v in k.globals.items():
        grad = isinstance(v, torch.Tensor) and v.requires_grad
        try:
            text = show(v)
        except Exception:
            text = repr(v)
        out[name] = (type(v).__name__, text, grad)
    return out


def world():
    """What no Klong program here may change: device, dtype, random states, grad mode."""
    from klongtorch.value.values import ctx
    return (ctx.device, ctx.real, ctx.lift, torch.is_grad_enabled(),
            torch.get_rng_state().sum().item(), random.getstate()[1][:8])


class Sender:
    """One SIGINT after a random delay from a timer thread; another (and a note of it)
    whenever the last did not stop the work within `patience` seconds: a lost interrupt."""

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

    def settle(self):
        """Stop sending; an interrupt sent just before may still arrive, and is dropped."""
        while True:
            try:
                self.stopped.set()
                self.thread.join()
                return
            except KeyboardInterrupt:
                pass


def storm(kind, rounds, seed, max_delay=0.004):
    """Interrupt `kind`'s work `rounds` times. Returns (problems, lost interrupts): each
    problem says what changed after which round."""
    from klongtorch import Klong
    setup, work, assigns = KINDS[kind]
    k = Klong(device="cpu", dtype="float32")    # not the defaults: a leak would show
    k(setup)
    before, outside = snapshot(k), world()
    rng = random.Random(seed)
    random_state = random.getstate()
    problems, lost = [], 0
    for i in range(rounds):
        s = Sender(rng.uniform(0.0, max_delay))
        try:
            s.thread.start()
            k(work)
        except KeyboardInterrupt:
            pass
        s.settle()
        lost += s.lost
        random.setstate(random_state)       # our own delays drew from the same generator
        after = snapshot(k)
        moved = {n for n in set(before) | set(after) if before.get(n) != after.get(n)}
        moved -= set(assigns)
        if k.module is not None:
            moved.add(".module left open")
        if moved or world() != outside:
            problems.append(f"round {i}: {sorted(moved)} changed, world {world()} "
                            f"(was {outside})")
            k = Klong(device="cpu", dtype="float32")
            k(setup)
    # and the interpreter still works
    if k("{[a];a::x;a*2}(21)") != 42:
        problems.append("the interpreter no longer works")
    return problems, lost


def no_gc_callbacks():
    """A KeyboardInterrupt raised inside a gc callback (hypothesis installs one) is
    swallowed by Python, lost to any program: the storm runs without them."""
    saved = gc.callbacks[:]
    gc.callbacks.clear()
    return saved


def main(argv):
    total = int(argv[0]) if argv else 10000
    kinds = argv[1:] or list(KINDS)
    per = max(1, total // len(kinds))
    saved = no_gc_callbacks()
    bad = 0
    try:
        for n, kind in enumerate(kinds):
            t0 = time.perf_counter()
            problems, lost = storm(kind, per, seed=n)
            bad += len(problems) + lost
            print(f"{kind:24s} {per:6d} interrupts  {len(problems)} leaks  {lost} lost  "
                  f"{time.perf_counter() - t0:5.1f} s", flush=True)
            for p in problems[:5]:
                print("    " + p)
    finally:
        gc.callbacks[:] = saved
    print(f"{per * len(kinds)} interrupts in all, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Interrupts at random moments never change what the work does not change.

A timer thread sends this process real SIGINTs while Klong runs each of the kinds of work
in tests/reliability/storm.py (function locals, recursion, gradients, duals, Jacobians,
optimizers, lifted adverbs, inline loops, modules...). Each interrupt must stop the work,
and afterwards every global the work does not assign, the thread's device and dtype, and the
random states must be what they were. Python delivers the signal between any two bytecodes,
so a few dozen interrupts per kind at random delays reach the restore code (`finally`
blocks, setup before `try`) as well as the loop bodies; `python -m tests.reliability.storm
10000` runs ten thousand.
"""
import os
import signal

import pytest

from tests.reliability import storm

ROUNDS = int(os.environ.get("KLONGTORCH_STORM_ROUNDS", "40"))     # per kind


@pytest.fixture
def sigint_kept():
    """The test's SIGINT handler must be the same afterwards; where it was Python's own,
    klongtorch's may stand in for it for good (see interrupts.begin)."""
    from klongtorch.runtime import interrupts
    before = signal.getsignal(signal.SIGINT)
    yield
    after = signal.getsignal(signal.SIGINT)
    assert after is before or (before is signal.default_int_handler and
                               after is interrupts.handler)


@pytest.mark.parametrize("kind", list(storm.KINDS))
def test_random_interrupts_change_nothing_the_work_does_not(kind, sigint_kept, no_gc_callbacks):
    problems, lost = storm.storm(kind, ROUNDS, seed=sorted(storm.KINDS).index(kind))
    assert problems == []
    assert lost == 0                        # every interrupt stopped the work

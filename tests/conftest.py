"""Shared pytest configuration for the klongtorch test suite."""
import contextlib
import os
from pathlib import Path

import pytest

# No warm spare kernels (kernel/warm.py) for the kernels the tests start: a spare importing
# torch in the background would load the machine under tests that time things.
# tests/test_kernel_warm.py turns them on for itself.
os.environ.setdefault("KLONGTORCH_WARM", "0")

#: The repository root (the folder holding setup.cfg).
REPO_ROOT = Path(__file__).resolve().parents[1]

#: The reference Klong material lives beside the repository, in ../shared/klong.
SHARED_KLONG = REPO_ROOT.parent / "shared" / "klong"

#: The reference test suite of the original Klong implementation.
REFERENCE_SUITE = SHARED_KLONG / "test.kg"


@pytest.fixture
def klong():
    """A fresh interpreter for one test."""
    from klongtorch import Klong

    return Klong()


@pytest.fixture
def no_gc_callbacks():
    """Python code that gc runs (gc.callbacks: hypothesis registers one once it is imported)
    swallows a KeyboardInterrupt raised in it ("Exception ignored in ..."), so a signal that
    lands there is lost to every program, Klong or not. Tests that count every random
    interrupt run without such callbacks."""
    import gc
    saved = gc.callbacks[:]
    gc.callbacks.clear()
    try:
        yield
    finally:
        gc.callbacks[:] = saved


@contextlib.contextmanager
def interrupting(first=0.3, every=0.3):
    """SIGINT to this process after `first` seconds, and again every `every` seconds until
    the block ends: a test of an endless loop must not hang on one interrupt that landed
    where Python drops it (a gc callback: see no_gc_callbacks)."""
    import signal
    import threading
    done = threading.Event()

    def send():
        wait = first
        while not done.wait(wait):
            os.kill(os.getpid(), signal.SIGINT)
            wait = every
    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()

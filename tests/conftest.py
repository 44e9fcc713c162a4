"""Shared pytest configuration for the klongtorch test suite."""
from pathlib import Path

import pytest

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

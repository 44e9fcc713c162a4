"""The author's library (../shared/klong/kg/lib) under klongtorch and under kg.

Every module loads as shipped, with KLONGPATH pointing there, and the calls in
tests/library/calls/<module>.kg (several for each documented function) give kg's results:
the same text, or the same up to float printing (see tests/library/runner.py for the exact
rule). Each module must agree on at least 97% of its calls, or on all but one; the
disagreements are listed in the failure message. Skips cleanly without ../shared or kg.
"""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "library"))
import runner  # noqa: E402

pytestmark = pytest.mark.skipif(not runner.LIB.is_dir(), reason="../shared/klong/kg/lib is missing")

MODULES = [p.stem for p in sorted(runner.CALLS.glob("*.kg"))]
AGREEMENT = 0.97


@pytest.fixture(scope="module")
def kg():
    path = runner.find_kg() if runner.LIB.is_dir() else None
    if path is None:
        pytest.skip("kg is not available (../shared/klong/build-kg)")
    return path


def test_every_module_has_calls():
    shipped = {p.stem for p in runner.LIB.glob("*.kg")}
    assert shipped <= set(MODULES), f"modules without calls: {sorted(shipped - set(MODULES))}"


@pytest.mark.parametrize("name", sorted(p.stem for p in runner.LIB.glob("*.kg"))
                         if runner.LIB.is_dir() else [])
def test_module_loads_as_shipped(name, tmp_path, monkeypatch):
    from klongtorch import Klong
    monkeypatch.setenv("KLONGPATH", str(runner.LIB))
    monkeypatch.chdir(tmp_path)
    k = Klong()
    if name == "eigenv":
        k('.l("help")')           # eigenv calls help.add, as kg needs help.kg first too
    k(f'.l("{name}")')            # raises a KlongError if it does not load


@pytest.mark.parametrize("name", MODULES)
def test_module_agrees_with_kg(name, kg):
    module = runner.modules([name])[0]
    outcome = runner.compare(kg, module)
    n = len(outcome.calls)
    assert n >= 5, "too few calls"
    needed = min(n - 1, int(AGREEMENT * n + 0.999))
    assert outcome.agreed >= needed, runner.report(outcome)

"""Run lifting cases both ways and compare: value, type, dtype, shape and error text."""
import math

import torch

from klongtorch import Klong, KlongError
from klongtorch.engine import lift
from klongtorch.value.values import Tensor

from .generator import SETUP, cases

# a real ^, .exp or :> may differ in the last bits (torch's vector kernels against C's
# pow and exp, a batched reverse pass against dual numbers): see klongtorch/engine/lift.py
RTOL, ATOL = 1e-9, 1e-12


def interpreters():
    lifted, looped = Klong(lift=True), Klong(lift=False)
    lifted.lift_min = 1             # lift even one element: the edge cases are the point
    for k in (lifted, looped):
        k(SETUP)
    return lifted, looped


def outcome(k, text):
    try:
        return "value", k(text)
    except KlongError as e:
        return "error", (str(e), e.pos)


def same(a, b, approx):
    if type(a) is not type(b):
        return False
    if type(a) is Tensor:
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if not a.dtype.is_floating_point:
            return torch.equal(a, b)
        if not torch.equal(torch.isnan(a), torch.isnan(b)):
            return False
        if torch.equal(torch.nan_to_num(a), torch.nan_to_num(b)):
            return True
        return approx and bool(torch.isclose(a, b, RTOL, ATOL, equal_nan=True).all()) and \
            torch.equal(torch.isinf(a), torch.isinf(b))
    if type(a) is list:
        return len(a) == len(b) and all(same(x, y, approx) for x, y in zip(a, b))
    if type(a) is float:
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b or (approx and math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL))
    return a == b


def compare(n, seed):
    """(differences, lifted count, gave-way count) over n generated cases."""
    lifted, looped = interpreters()
    before = dict(lift.counts)
    diffs = []
    for text, approx in cases(n, seed):
        (ka, a), (kb, b) = outcome(lifted, text), outcome(looped, text)
        if ka != kb or not (same(a, b, approx) if ka == "value" else a == b):
            diffs.append((text, (ka, a), (kb, b)))
    return (diffs, lift.counts["lifted"] - before["lifted"],
            lift.counts["gave way"] - before["gave way"])

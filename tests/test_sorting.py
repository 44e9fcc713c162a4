"""sorting.argsort, the packed-key stable sort behind < and > on the CPU: the order it gives
is torch's stable order, element for element, and where it cannot tell it says so."""
import numpy as np
import pytest
import torch

from klongtorch import Klong
from klongtorch.verbs import sorting
from klongtorch.verbs.reorder import FAST_SORT

RNG = np.random.default_rng(7)
N = 20_000

ORDERED = {     # arrays whose order the keys give exactly
    "uniform reals": RNG.random(N),
    "normal reals": RNG.standard_normal(N),
    "many ties": np.round(RNG.random(N), 2),
    "signed zeros and infinities": np.array([0.0, -0.0, 1.0, -1.0, 0.0, -np.inf, np.inf] * 500),
    "subnormals": RNG.random(N) * 1e-310,
    "huge": RNG.standard_normal(N) * 1e300,
    "float32": RNG.standard_normal(N).astype(np.float32),
    "float32 ties": np.round(RNG.standard_normal(N), 1).astype(np.float32),
    "small ints": RNG.integers(-1000, 1000, N),
    "wide ints": RNG.integers(-2 ** 40, 2 ** 40, N),
    "one value": np.full(N, 3.5),
    "sorted": np.arange(N, dtype=np.float64),
    "reversed": np.arange(N, 0, -1),
    "two elements": np.array([2.0, 1.0]),
    # float64 neighbours closer than the index's bits: runs sorted again (sorting._mend)
    "reals one ulp apart": 1 + np.arange(N) * 2.220446049250313e-16,
    "close reals shuffled": RNG.permutation(1 + np.arange(N) * 2.220446049250313e-16 * 7),
    "close reals with ties": RNG.permutation(np.repeat(1 + np.arange(N // 4) *
                                                       2.220446049250313e-16, 4)),
    "close reals in runs": RNG.permutation(np.concatenate(
        [np.float64(v) + np.arange(3) * 2.220446049250313e-16 * v for v in range(1, N // 3)])),
}

UNTOLD = {      # arrays where the keys cannot give the order: None
    "a nan": np.append(RNG.random(N), np.nan),
    "a negative nan": np.append(-np.abs(np.float64(np.nan)) * np.ones(1), RNG.random(N)),
    "a float32 nan": np.append(RNG.random(N).astype(np.float32), np.float32("nan")),
    "ints spanning 2^63": np.array([-2 ** 62, 2 ** 62 - 1] * (N // 2)),
    "int32": RNG.integers(0, 9, N).astype(np.int32),
}


@pytest.mark.parametrize("name", ORDERED)
def test_the_keys_give_the_stable_order(name):
    a = ORDERED[name]
    order = sorting.argsort(a)
    want = torch.argsort(torch.from_numpy(a.copy()), stable=True).numpy()
    assert order is not None and order.dtype == np.int64
    assert np.array_equal(order, want)


@pytest.mark.parametrize("name", UNTOLD)
def test_where_the_keys_cannot_tell_they_say_so(name):
    assert sorting.argsort(UNTOLD[name]) is None


def test_uniform_reals_whose_keys_collide_keep_the_fast_path():
    """Among 100K uniform reals two share their top 35 mantissa bits about one time in
    twenty; their order is mended, not refused (refused, the grade took torch's stable
    sort, 8x slower). Seeds where it happens, checked here to happen."""
    collided = 0
    for seed in (26, 37, 108, 0, 1):
        a = np.random.default_rng(seed).random(100_000)
        shift = np.uint64((a.size - 1).bit_length())
        keys = sorting._real_keys(a, shift, (np.uint64(1) << shift) - np.uint64(1))
        high = np.sort(keys) >> shift
        collided += bool((high[1:] == high[:-1]).any())
        assert np.array_equal(sorting.argsort(a), np.argsort(a, kind="stable"))
    assert collided >= 3


@pytest.mark.parametrize("name", list(ORDERED) + list(UNTOLD))
def test_grade_answers_as_torchs_stable_sort(name):
    """<a and >a through Klong, on whichever path: the stable order, and a nan last."""
    a = {**ORDERED, **UNTOLD}[name]
    k = Klong(device="cpu")
    k["a"] = torch.from_numpy(a.copy())
    up = torch.argsort(torch.from_numpy(a.copy()), stable=True)
    assert torch.equal(k("<a"), up)
    assert torch.equal(k(">a"), torch.flip(up, (0,)))


def test_grade_of_a_tensor_changed_in_place_from_python():
    """The int range is measured, not read from the tensor's cached bound: a tensor changed
    in place after Klong made it still grades right."""
    k = Klong(device="cpu")
    x = k("!5000")
    x[0] = 2 ** 61
    x[1] = -(2 ** 61)
    k["x"] = x
    assert k("<x").tolist()[:2] == [1, 2] and k("<x").tolist()[-1] == 0


def test_short_vectors_take_torchs_sort():
    assert FAST_SORT > 2
    k = Klong(device="cpu")
    assert k("<[3.0 1.0 2.0 1.0]").tolist() == [1, 3, 2, 0]

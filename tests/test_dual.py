"""The dual-number fast path of :> gives exactly what the torch path gives, and gives way
to torch, with the globals as they were, whenever it meets something it does not cover."""
import math
import random

import pytest
import torch

from klongtorch import Klong, KlongError
from klongtorch.autograd.derivatives import gradient

SCALAR_FUNCTIONS = [
    "{x^2}", "{x^3}", "{((3*x^4)-(2*x^2))+x}", "{%x}", "{-x}", "{1%x}", "{x%3}", "{2^x}",
    "{x^x}", "{x^0.5}", "{(x*x)-x%2}", "{.sin(x)}", "{.cos(x)*.exp(x)}", "{.tan(x)}",
    "{.tanh(x)}", "{.sqrt(x)}", "{.log(x)}", "{.sigmoid(x)}", "{.relu(x)}", "{.abs(x)}",
    "{x|2}", "{x&2}", "{x|x*x}", "{:[x>1;x^2;x^3]}", "{{x*x}(x+1)}", "{{x*y}(x;x)}",
    "{[a];a::x*2;a*a}", "{+/x,x*x}", "{*/x,x,x}",
]
POINTS = [0.5, 1.7, 3.0]


def torch_gradient(k, f, x):
    """The torch path: :>'s implementation called without a fast-path site."""
    with k.active():
        return gradient(k(f), x)


@pytest.fixture(scope="module")
def k():
    return Klong(device="cpu")


@pytest.mark.parametrize("f", SCALAR_FUNCTIONS)
@pytest.mark.parametrize("x", POINTS)
def test_dual_and_torch_paths_agree(k, f, x):
    fast = k(f"{f}:>{x}")
    slow = torch_gradient(k, f, x)
    assert type(fast) is float
    assert math.isclose(fast, float(slow), rel_tol=1e-12, abs_tol=1e-12), (fast, slow)


def test_training_loop_uses_duals_and_trains(k):
    w = k("w::10.0;loss::{w^2};lr::0.1;{w::w-(lr*loss:>w)}'!50;w")
    assert w == pytest.approx(10 * 0.8 ** 50, rel=1e-12)
    assert type(w) is float


def test_two_parameters_by_duals(k):
    g = k("w::2.0;b::3.0;loss::{(w^2)+(b*w)+b^3};loss:>[w b]")
    assert torch.allclose(g, torch.tensor([2 * 2 + 3, 2 + 27], dtype=torch.float64))


def test_a_vector_makes_the_dual_path_give_way(k):
    assert k("{+/x*[1.0 2.0 3.0]}:>2.0") == 6.0


def test_giving_way_restores_globals(k):
    # the dual path runs n::n+1, then meets a vector and gives way; torch runs the body
    # again from the restored globals, so n counts one call
    assert k("n::0;f::{n::n+1;+/x*[1.0 2.0]};f:>1.0") == 3.0
    assert k("n") == 1


def test_display_inside_the_function_shows_the_number(k, capsys):
    k("{.p(x);x*x}:>3.0")
    assert capsys.readouterr().out == "3.0\n"


def test_errors_are_the_torch_path_errors(k):
    assert k("{x;1}:>2.0") == 0.0       # an integer constant: the true zero, either way
    with pytest.raises(KlongError, match="must return a scalar"):
        k("{x*[1 2]}:>1.0")


def test_nested_derivatives_go_through_torch(k):
    assert k("g::{{x^3}:>x};g:>2.0") == pytest.approx(12.0)
    assert k("h::{g:>x};h:>2.0") == pytest.approx(6.0)


def test_float32_interpreter_uses_torch(k):
    k32 = Klong(device="cpu", dtype="float32")
    g = k32("{x^2}:>3.0")
    assert g == pytest.approx(6.0)


def test_scalar_gradients_do_not_call_torch_autograd(monkeypatch):
    k = Klong(device="cpu")

    def refuse(*args, **kwargs):
        raise AssertionError("torch.autograd.grad was called")
    monkeypatch.setattr(torch.autograd, "grad", refuse)
    assert k("{(x^3)+.sin(x)}:>2.0") == pytest.approx(12 + math.cos(2.0))
    assert k("w::1.0;loss::{(w-3)^2};{w::w-(0.1*loss:>w)}'!10;w") == pytest.approx(
        3 - 2 * 0.8 ** 10)


def test_python_and_system_functions_as_the_differentiated_function(k):
    """f itself may be a Python function or a system function, not only a lambda."""
    k('.pyf("torch";"tanh")')
    assert k("tanh:>1.0") == pytest.approx(1 - math.tanh(1.0) ** 2)
    assert k(".sin:>1.0") == pytest.approx(math.cos(1.0))


ATOMS = ["x", "2", "0.5", "(-x)", ".sin(x)", ".exp(x)", "(x*x)", ".sqrt(x)", ".tanh(x)", "(%x)",
         "(x|1)", "(x&2)", "(_x)", "(#x)", "(x!3)", ":[x>1;x;2*x]", "(+/x,x)", "(*/x,2)",
         "({x*y}(x;3))", "(x:%2)", "(.abs(x))", "(.log(x))", "(x=x)"]


def _outcome(run):
    try:
        return float(run()), None
    except KlongError as e:
        return None, e.message


def test_random_scalar_functions_agree_with_torch(k):
    """Seeded random compositions, inside and outside the dual tables: the same derivative,
    or the same error, by either path."""
    rng = random.Random(7)
    for _ in range(300):
        src = rng.choice(ATOMS)
        for _ in range(rng.randint(1, 3)):
            src = f"({src}){rng.choice('+-*%^|&')}{rng.choice(ATOMS)}"
        x = rng.choice([0.5, 1.3, 2.0, 3.7])
        fast, fast_error = _outcome(lambda: k(f"{{{src}}}:>{x}"))
        slow, slow_error = _outcome(lambda: torch_gradient(k, f"{{{src}}}", x))
        assert (fast_error is None) == (slow_error is None), (src, x, fast_error, slow_error)
        if fast_error is None:
            assert fast == slow or (math.isnan(fast) and math.isnan(slow)) or \
                math.isclose(fast, slow, rel_tol=1e-9, abs_tol=1e-9), (src, x, fast, slow)

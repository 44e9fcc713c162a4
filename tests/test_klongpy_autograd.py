"""KlongPy's autograd tests (its tests/test_autograd_parametrized.py, torch back end), in
Klong form, pass on klongtorch.

Each KlongPy test is one row: the Klong it runs (its setup and the expression it checks) and
what KlongPy asserts of the result, with KlongPy's tolerances (1e-5 for exact gradients,
0.02 for ∇, numeric, which KlongPy computes in float32). Tests that call KlongPy's Python
internals (numeric_grad, torch_autograd, backend.gradcheck) are written as the Klong that
does the same. Of its 49 tests, the six that check that the numpy back end refuses
(.compile, .export, .compilex, .cmodes, .gradcheck, torch_autograd there) have no
counterpart, klongtorch having only the torch back end; the other 43 are here.
"""
import math
import os

import pytest
import torch

from klongtorch import Klong, KlongError
from klongtorch.autograd.compile import cxx

EXACT, NUMERIC = 1e-5, 0.02


def value(v):
    if isinstance(v, torch.Tensor):
        return v.detach().double().tolist() if v.dim() else float(v)
    if isinstance(v, list):
        return [value(e) for e in v]
    return v


def close(got, want, tol):
    got = value(got)
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and \
            all(close(g, w, tol) for g, w in zip(got, want))
    return abs(got - want) <= tol


# (KlongPy test, Klong, expected, tolerance)
CASES = [
    ("square_derivative", "{x^2}:>3.0", 6.0, EXACT),
    ("cubic_derivative", "{x^3}:>2.0", 12.0, EXACT),
    ("linear_derivative", "{3*x}:>5.0", 3.0, EXACT),
    ("polynomial_derivative", "{(x^3)+(2*x^2)+x}:>2.0", 21.0, 0.1),
    ("sum_of_squares_gradient", "{+/x^2}:>[1.0 2.0 3.0]", [2.0, 4.0, 6.0], EXACT),
    ("named_function", "sq::{x^2};sq:>4.0", 8.0, EXACT),
    ("nabla_scalar", '.bkf("sin");g::∇{sin(x)+x*x};g(3.14)', 2 * 3.14 + math.cos(3.14), EXACT),
    ("nabla_array", "x::˙!5;loss::{+/x*x};x ∇ loss", [0.0, 2.0, 4.0, 6.0, 8.0], NUMERIC),
    ("two_params", "w::2.0;b::3.0;loss::{(w^2)+(b^2)};loss:>[w b]", [4.0, 6.0], EXACT),
    ("three_params", "a::1.0;b::2.0;c::3.0;loss::{(a^2)+(b^2)+(c^2)};loss:>[a b c]",
     [2.0, 4.0, 6.0], EXACT),
    ("element_wise_squared", "f::{x^2};[1 2]∂f", [[2.0, 0.0], [0.0, 4.0]], EXACT),
    ("scalar_function_jacobian", "f::{+/x^2};[1 2 3]∂f", [2.0, 4.0, 6.0], EXACT),
    ("system_function_syntax", "h::{x^2};.jacobian(h;[1 2])", [[2.0, 0.0], [0.0, 4.0]], EXACT),
    ("exact_gradients", "w::2.0;b::3.0;loss::{(w^2)+(b^2)};loss:>[w b]", [4.0, 6.0], 0.0),
    ("grad_of_fn_with_kgsym", "f::{+/x^2};f:>[1.0 2.0 3.0]", [2.0, 4.0, 6.0], EXACT),
    ("grad_of_fn_with_kgfn", "f::{+/x^2};{+/x^2}:>[1.0 2.0 3.0]", [2.0, 4.0, 6.0], EXACT),
    ("matrix_grad", "A::˙[2 2]:^!4;B::[2 2]:^!4;(A ∇ {+/(+/ (A*B)) })",
     [[0.0, 1.0], [2.0, 3.0]], NUMERIC),
    ("array_still_works", "wts::[0.25 0.25 0.25 0.25];{+/x^2}:>wts", [0.5] * 4, EXACT),
    ("numeric_array_not_multiparam", "{+/x^2}:>[1 2 3]", [2.0, 4.0, 6.0], EXACT),
    ("partial_operator_different_point", "g::{x^2};[3 4]∂g", [[6.0, 0.0], [0.0, 8.0]], EXACT),
    ("multi_param_jacobian", "w::[1.0 2.0];b::[3.0 4.0];f::{w^2};[w b]∂f",
     [[[2.0, 0.0], [0.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]]], EXACT),
    ("torch_autograd_with_tensor", "{+/x^2}:>[1.0 2.0 3.0]", [2.0, 4.0, 6.0], EXACT),
    ("gradcheck_basic_scalar", "f::{x^2};.gradcheck(f;3.0)", 1, 0),
    ("gradcheck_vector_input", "g::{+/x^2};.gradcheck(g;[1.0 2.0 3.0])", 1, 0),
    ("gradcheck_polynomial", "p::{(x^3)+(2*x^2)+x};.gradcheck(p;2.0)", 1, 0),
    ("gradcheck_backend_direct", ".gradcheck({+/x^2};[1.0 2.0 3.0])", 1, 0),
    ("compilex_eager_backend", 'f::{x^2};cf::.compilex(f;3.0;:{["backend" "eager"]});cf(5.0)',
     25.0, EXACT),
    # KlongPy's numpy-back-end tests of numeric_grad and grad_of_fn, as ∇ does the same
    ("numeric_grad_scalar_function", "[3.0]∇{(x@0)^2}", [6.0], 1e-3),
    ("custom_epsilon", "[3.0]∇{(x@0)^2}", [6.0], 1e-5),
    ("numeric_grad_multidimensional", "[1.0 2.0 3.0]∇{+/x^2}", [2.0, 4.0, 6.0], 1e-3),
    ("numeric_grad_2d_array", "[[1.0 2.0] [3.0 4.0]]∇{+/,/x^2}", [[2.0, 4.0], [6.0, 8.0]], 1e-3),
    ("grad_of_fn_with_callable", '.pyf("numpy";"sum");[1.0 2.0 3.0]∇{sum(x^2)}',
     [2.0, 4.0, 6.0], 1e-3),
]


@pytest.fixture
def k():
    return Klong()


@pytest.mark.parametrize("name, code, want, tol", CASES, ids=[c[0] for c in CASES])
def test_klongpy_autograd_case(k, name, code, want, tol):
    assert close(k(code), want, tol)


@pytest.mark.parametrize("name, left, right", [
    ("scalar_equivalence", "3.0 ∇ {x^2}", "{x^2}:>3.0"),
    ("array_equivalence", "x::[1.0 2.0 3.0];f::{+/x^2};x ∇ f", "f:>x"),
    ("matrix_equivalence", "M::˙[2 3]:^!6;f::{+/,/x*x};M ∇ f", "f:>M"),
])
def test_nabla_agrees_with_autograd(k, name, left, right):
    assert close(k(left), value(k(right)), NUMERIC)


@pytest.mark.parametrize("code", ["f::{x^2};f:>[1 2 3]", "{x^2}:>[1.0 2.0 3.0]"])
def test_non_scalar_loss_is_an_error(k, code):
    # non_scalar_loss_error, torch_autograd_non_scalar_output
    with pytest.raises(KlongError, match="scalar"):
        k(code)


def test_linear_regression_gradients(k):
    g = value(k("w::1.0;b::0.0;X::[1 2 3];Y::[3 5 7];loss::{(+/((w*X)+b-Y)^2)%3};loss:>[w b]"))
    assert g[0] < 0 and g[1] < 0


def test_cmodes(k):
    # cmodes_returns_dict, cmodes_has_expected_modes, cmodes_has_expected_backends
    info = k(".cmodes()")
    assert {"modes", "backends", "recommendations"} <= set(info)
    assert {"default", "reduce-overhead", "max-autotune"} <= set(info["modes"])
    # klongpy lists inductor always; klongtorch where it can run (a C++ compiler here)
    assert "eager" in info["backends"] and ("inductor" in info["backends"]) == bool(cxx())


@pytest.mark.skipif(not cxx(), reason="inductor needs a C++ compiler")
def test_compile_basic(k):
    assert close(k("f::{x^2};cf::.compile(f;3.0);cf(5.0)"), 25.0, EXACT)


def test_export_with_path(k, tmp_path):
    path = tmp_path / "model.pt2"
    info = k(f'f::{{x^2}};.export(f;3.0;"{path}")')
    assert "compiled_fn" in info and os.path.exists(info["export_path"])


def test_gradient_function_and_track_are_monads_only(k):
    assert k("∇{x^2}").arity == 1
    assert close(k("g::∇{+/x^3};g([1.0 2.0])"), [3.0, 12.0], 1e-6)
    assert close(k("w::3.0;loss::{w^2};g::∇loss;g(:w)"), 6.0, 1e-6)   # nilad: a global
    assert k("˙3") == 3 and k('˙"abc"') == "abc"
    with pytest.raises(KlongError, match="˙ has no dyadic form"):
        k("1˙2")
    with pytest.raises(KlongError, match=r"∇: type error: not a function: 1"):
        k("∇1")
    with pytest.raises(KlongError, match="can only differentiate with respect to numbers"):
        k('g::∇{x};g("a")')

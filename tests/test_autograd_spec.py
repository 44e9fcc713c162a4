"""The examples of the differentiation specification (torch-backend-and-autograd.md),
checked against the values it states, plus closed forms for nested and forward mode."""
import os

import pytest
import torch

from klongtorch import Klong, KlongError


@pytest.fixture
def k():
    return Klong(device="cpu")


def close(value, expected, tol=1e-9):
    t = torch.as_tensor(value, dtype=torch.float64)
    return torch.allclose(t, torch.as_tensor(expected, dtype=torch.float64), atol=tol, rtol=tol)


@pytest.mark.parametrize("program, expected", [
    ("f::{x^2};f:>3", 6.0),
    ("f::{x^3};f:>2", 12.0),
    ("p::{((3*x^4)-(2*x^2))+x};p:>1", 9.0),
    ("g::{+/x^2};g:>[1.0 2.0 3.0]", [2.0, 4.0, 6.0]),
    ("f::{x^2};x::5.0;lr::0.1;x::x-(lr*f:>x);x", 4.0),
    ("w::2.0;b::3.0;loss::{(w^2)+(b^2)};loss:>[w b]", [4.0, 6.0]),
    ("f::{x^2};[1 2]∂f", [[2.0, 0.0], [0.0, 4.0]]),
    ("f::{x^2};.jacobian(f;[1 2])", [[2.0, 0.0], [0.0, 4.0]]),
    ("f::{x^2};.gradcheck(f;3.0)", 1),
    ("g::{+/x^2};.gradcheck(g;[1.0 2.0 3.0])", 1),
])
def test_specification_examples(k, program, expected):
    assert close(k(program), expected)


def test_mse_gradients_for_two_parameters(k):
    grads = k("w::1.0;b::0.0;X::[1 2 3];Y::[3 5 7];loss::{(+/((w*X)+b-Y)^2)%3};loss:>[w b]")
    # d/dw = 2/3*sum((wX+b-Y)X) = 2/3*(-2-6-12) ; d/db = 2/3*sum(wX+b-Y) = 2/3*(-2-3-4)
    assert close(grads, [2 / 3 * -20, 2 / 3 * -9])


def test_nilad_training_loop_drives_w_to_zero(k):
    w = k("w::10.0;loss::{w^2};lr::0.1;{w::w-(lr*loss:>w)}'!50;w")
    assert abs(w) < 1e-3 and abs(w - 10 * 0.8 ** 50) < 1e-9


def test_numeric_gradient_matches(k):
    assert abs(k("f::{x^2};3∇f") - 6.0) < 1e-6


def test_multi_parameter_jacobians(k):
    j = k("w::[1.0 2.0];b::[3.0 4.0];f::{w^2};[w b]∂f")
    assert close(j[0], [[2.0, 0.0], [0.0, 4.0]]) and close(j[1], [[0.0, 0.0], [0.0, 0.0]])


def test_higher_derivatives_by_nesting(k):
    assert close(k("f::{x^3};g::{f:>x};g:>2.0"), 12.0)      # 6x
    assert close(k("h::{g:>x};h:>2.0"), 6.0)                # 6


def test_hessian_and_forward_mode(k):
    assert close(k(".hessian({+/x^3};[1 2])"), [[6.0, 0.0], [0.0, 12.0]])
    assert close(k(".jvp({x^2};[1 2];[1 0])"), [2.0, 0.0])


def test_gradients_flow_through_builtin_math(k):
    assert close(k("{.sin(x)}:>0.5"), torch.cos(torch.tensor(0.5, dtype=torch.float64)))
    assert close(k("{+/.exp(x)}:>[0 1]"), [1.0, torch.e])


def test_integer_point_is_promoted_to_real(k):
    g = k("{+/x^2}:>[1 2]")
    assert g.dtype == torch.float64


def test_non_scalar_loss_is_a_klong_error(k):
    with pytest.raises(KlongError, match="scalar"):
        k("{x}:>[1 2]")
    with pytest.raises(KlongError, match="number"):
        k('{x;"a"}:>1')


def test_klong_function_differentiable_from_python(k):
    f = k("{+/x^3}")
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    f(t).backward()
    assert close(t.grad, [3.0, 12.0])


# -- the specification's optimizer section: built in, and the .pyf route ----------------------

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples")


@pytest.fixture
def kx(monkeypatch):
    """An interpreter that finds examples/optimizers.py, as if copied into the project."""
    monkeypatch.setenv("KLONGPATH", EXAMPLES)
    return Klong(device="cpu")


def test_manual_gradient_descent_example(k):
    assert abs(k("w::10.0;loss::{w^2};lr::0.1;{w::w-(lr*loss:>w)}'!50;w")) < 1e-3


def test_custom_sgd_optimizer_class_through_pyf(kx):
    w = kx('.pyf("optimizers";"SGDOptimizer");w::10.0;loss::{w^2};'
           'opt::SGDOptimizer(klong;["w"];:{["lr" 0.1]});{opt(loss)}\'!50;w')
    assert abs(w - 10 * 0.8 ** 50) < 1e-9


def test_custom_sgd_with_momentum_example(kx):
    kx('.pyf("optimizers";"SGDOptimizer");w::10.0;loss::{w^2}')
    w = kx('opt::SGDOptimizer(klong;["w"];:{["lr" 0.01 "momentum" 0.9]});{opt(loss)}\'!300;w')
    assert abs(w) < 1e-3


def test_custom_adam_training_loop_example(kx):
    wb = kx('.pyf("optimizers";"AdamOptimizer");w::1.0;b::0.0;X::[1 2 3];Y::[3 5 7];'
            'loss::{(+/((w*X)+b-Y)^2)%3};opt::AdamOptimizer(klong;["w" "b"];:{["lr" 0.1]});'
            "{opt(loss)}'!500;w,b")
    assert close(wb, [2.0, 1.0], tol=1e-2)


@pytest.mark.parametrize("make", [".sgd(:w;:{[:lr 0.1] [:momentum 0.9]})", ".adam(:w;0.5)",
                                  ".sgd(:w;0.1)", ".rmsprop(:w;0.1)", ".adamw(:w;0.5)",
                                  ".adagrad(:w;2.0)"])
def test_builtin_optimizers_train_in_two_lines(k, make):
    w = k(f"w::10.0;loss::{{w^2}};opt::{make};{{opt(loss)}}'!300;w")
    assert abs(w) < 0.05


# -- compilation -------------------------------------------------------------------------------

def test_compile_example(k):
    assert k("f::{x^2};cf::.compilex(f;3.0;:{[\"backend\" \"aot_eager\"]});cf(5.0)") == 25.0


def test_export_example(k, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    info = k('f::{(x^3)+(2*x^2)+x};info::.export(f;2.0;"model.pt2");info')
    assert "aten" in k('info?"graph"')
    module = torch.export.load(str(tmp_path / info["export_path"])).module()
    assert close(module(torch.tensor(3.0, dtype=torch.float64)), 48.0)


@pytest.mark.parametrize("opts", ['["mode" "reduce-overhead"]', '["backend" "eager"]'])
def test_compilex_examples(k, opts):
    assert k(f'f::{{x^2}};cf::.compilex(f;3.0;:{{{opts}}});cf(4.0)') == 16.0


def test_cmodes_example(k):
    for key in ("modes", "backends", "recommendations"):
        assert k(f'info::.cmodes();info?"{key}"')


# -- devices and Python ------------------------------------------------------------------------

def test_operations_return_torch_tensors_on_the_device():
    k = Klong()
    result = k("2*1+!1000000")
    assert isinstance(result, torch.Tensor) and result.device.type == k.device.type
    assert int(result[-1]) == 2 * 1000000


def test_default_device_is_the_best_available():
    expected = "cuda" if torch.cuda.is_available() else (
        "mps" if torch.backends.mps.is_available() else "cpu")
    assert Klong().device.type == expected


def test_gradient_comes_back_on_the_point_device(k):
    g = k("{+/x^2}:>[1.0 2.0]")
    assert g.device.type == "cpu" and g.dtype == torch.float64


def test_option_tuples_may_hold_several_pairs(k):
    """The specification writes :{["lr" 0.01 "momentum" 0.9]}: two entries in one tuple."""
    d = k(':{["lr" 0.01 "momentum" 0.9]}')
    assert dict(d) == {"lr": 0.01, "momentum": 0.9}
    with pytest.raises(KlongError, match=r"\[key value\] tuple"):
        k(':{["lr" 0.01 "momentum"]}')

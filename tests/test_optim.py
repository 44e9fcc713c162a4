"""The built-in optimizers (.sgd .adam .adamw .rmsprop .adagrad), against torch.optim."""
import pytest
import torch

from klongtorch import Klong, KlongError


@pytest.fixture
def k():
    return Klong(device="cpu")


def torch_reference(cls, steps, **options):
    """The same problem trained with torch directly: w, b fitting y = 2x + 1."""
    w = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    y = torch.tensor([3.0, 5.0, 7.0], dtype=torch.float64)
    opt = cls([w, b], **options)
    for _ in range(steps):
        opt.zero_grad()
        loss = (((w * x) + b - y) ** 2).sum() / 3
        loss.backward()
        opt.step()
    return [w.item(), b.item()]


@pytest.mark.parametrize("make,cls,options", [
    (".sgd([w b];:{[:lr 0.05] [:momentum 0.9]})", torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    (".adam([w b];0.1)", torch.optim.Adam, {"lr": 0.1}),
    (".adam([w b];:{[:lr 0.1] [:beta1 0.8] [:beta2 0.99]})", torch.optim.Adam,
     {"lr": 0.1, "betas": (0.8, 0.99)}),
    (".adamw([w b];:{[:lr 0.1] [:weightdecay 0.1]})", torch.optim.AdamW,
     {"lr": 0.1, "weight_decay": 0.1}),
    (".rmsprop([w b];0.01)", torch.optim.RMSprop, {"lr": 0.01}),
    (".adagrad([w b];:{[\"lr\" 0.5] [\"weight_decay\" 0.01]})", torch.optim.Adagrad,
     {"lr": 0.5, "weight_decay": 0.01}),
])
def test_same_trajectory_as_torch_optim(k, make, cls, options):
    k("w::1.0;b::0.0;X::[1 2 3];Y::[3 5 7];loss::{(+/((w*X)+b-Y)^2)%3}")
    k(f"opt::{make};{{opt(loss)}}'!200")
    expected = torch_reference(cls, 200, **options)
    assert k("w") == pytest.approx(expected[0], abs=1e-9)
    assert k("b") == pytest.approx(expected[1], abs=1e-9)


def test_step_returns_the_loss_before_the_step_and_globals_stay_plain(k):
    k("w::3.0;loss::{w^2};opt::.sgd(:w;0.25)")
    assert k("opt(loss)") == 9.0
    assert k("w") == 1.5 and type(k("w")) is float


def test_vector_parameters_and_reassignment_between_steps(k):
    k("w::[1.0 2.0];loss::{+/w^2};opt::.sgd(:w;0.5)")
    k("opt(loss)")
    assert torch.equal(k("w"), torch.zeros(2, dtype=torch.float64))
    assert not k("w").requires_grad
    k("w::[4.0 4.0];opt(loss)")            # the optimizer picks up the new value
    assert torch.equal(k("w"), torch.zeros(2, dtype=torch.float64))


@pytest.mark.parametrize("program,message", [
    (".sgd(3;0.1)", "symbol or a list of symbols"),
    (".sgd(:nope;0.1)", "undefined: nope"),
    (".sgd(:w;:{[:speed 1]})", "unknown option"),
    (".sgd(:w;\"fast\")", "learning rate or a dictionary"),
    ("opt::.sgd(:w;0.1);opt({x})", "loss must be a nilad"),
    ("opt::.sgd(:w;0.1);w::[1.0 2.0];opt({+/w})", "changed shape"),
    (".adam(:w;-1.0)", "value error"),
])
def test_optimizer_mistakes_are_klong_errors(k, program, message):
    k("w::1.0")
    with pytest.raises(KlongError, match=message):
        k(program)


def test_optimizer_help_is_its_docstring(k):
    from klongtorch.shell import help as helptable
    assert "Adam" in helptable.help_text(".adam", k)

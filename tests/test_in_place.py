"""Temporaries overwritten (pervade.with_number's fresh form, codegen._fresh): where the
compiler knows that the operand of a dyad with a literal number is a tensor nothing else
holds (the !n of 1+!n, the 1+!n of 2*1+!n), a big one takes the result in its own memory.
What must hold: the same answers, to the bit, as a new tensor gives; no value a name, a
definition, a call or autograd can still see is ever changed; and the capture for .compile
records the operations as written."""
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from klongtorch import Klong, KlongError
from klongtorch.engine.primitives import VERBS
from klongtorch.value.text import show
from klongtorch.verbs import pervade

N = pervade.IN_PLACE_MIN + 3            # big enough to be overwritten


@pytest.fixture
def k():
    return Klong(device="cpu")


def _answer(fn, *args):
    try:
        v = fn(*args)
    except KlongError as e:
        return "error", str(e).split(":")[:3]
    return show(v), getattr(v, "dtype", type(v))


def _operands():
    """Big tensors of every kind a form meets: int64 (bounded, and near int64's bound, which
    must go exact), reals of two widths, other ints, 2-d."""
    return [torch.arange(N), torch.arange(N, dtype=torch.float64) / 7,
            torch.arange(N, dtype=torch.float32) - 5, torch.arange(N) + 2 ** 62,
            torch.arange(N, dtype=torch.int32), torch.arange(2 * N).reshape(2, N),
            torch.arange(N) - N // 2]


@pytest.mark.parametrize("sym", ["+", "-", "*"])
@pytest.mark.parametrize("n", [1, -3, 0, 2.5, -0.5, 2 ** 53 + 1, 2 ** 62, 2 ** 70])
@pytest.mark.parametrize("left", [True, False])
def test_the_fresh_form_answers_as_dyadic_and_overwrites_only_what_it_may(k, sym, n, left):
    verb = VERBS[sym]
    fresh = pervade.with_number(verb.dyad, verb.atomic, n, left, fresh=True)
    with k.active():
        for x in _operands():
            kept = x.clone()
            a, b = (n, kept) if left else (kept, n)
            want = _answer(pervade.dyadic, verb.dyad, verb.atomic, a, b)
            got = _answer(fresh, x)
            assert got == want, (sym, n, left, kept.dtype)
            if got[0] == "error" or type(fresh(kept.clone())) is not torch.Tensor:
                continue
            probe = kept.clone()
            assert (fresh(probe) is probe) == _may_overwrite(verb.atomic, n, left, kept), \
                (sym, n, left, kept.dtype)


def _may_overwrite(facts, n, left, x):
    """When the fresh form overwrites x: the number second or a commutative verb, and x
    real with a float or small int, or int64 with a small int whose result's bound stays
    in int64's safe range."""
    small = type(n) is int and abs(n) < 2 ** 53     # an int a real holds exactly
    if left and not facts.commutative:
        return False
    if x.dtype.is_floating_point:
        return small or type(n) is float
    return x.dtype is torch.int64 and small and \
        facts.bound_op(pervade.bound(x), abs(n)) <= pervade.LIMIT


def test_the_fresh_form_keeps_small_tensors_and_the_bound():
    plus = pervade.with_number(VERBS["+"].dyad, VERBS["+"].atomic, 5, False, fresh=True)
    small = torch.arange(10)
    assert plus(small) is not small and small.tolist() == list(range(10))
    big = torch.arange(N)
    big._kb = N - 1
    assert plus(big) is big and big._kb == N + 4 and big[0] == 5


@pytest.mark.parametrize("why", ["grad", "view", "dispatch mode", "function mode"])
def test_what_autograd_a_view_or_a_torch_mode_sees_is_never_overwritten(why):
    plus = pervade.with_number(VERBS["+"].dyad, VERBS["+"].atomic, 1.0, True, fresh=True)
    base = torch.arange(N + 1, dtype=torch.float64)
    x = {"grad": base.clone().requires_grad_(True), "view": base[1:]}.get(why, base.clone())
    before = x.detach().clone()

    class Watch(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            return func(*args, **(kwargs or {}))

    if why == "dispatch mode":
        with Watch():
            r = plus(x)
    elif why == "function mode":
        with torch.device("cpu"):
            r = plus(x)
    else:
        r = plus(x)
    assert r is not x and torch.equal(x.detach(), before)
    assert torch.equal(r.detach(), before + 1)
    if why == "view":
        assert torch.equal(base, torch.arange(N + 1, dtype=torch.float64))


# -- through Klong: what the compiler lets overwrite ------------------------------------------

def _form_names(k, src):
    k(src)
    return {getattr(v, "__name__", "") for code in k._compiled[src]
            for v in code.__globals__.values()}


def test_the_compiler_overwrites_only_fresh_temporaries(k):
    assert "number_form_in_place" in _form_names(k, f"1+!{N}")
    assert "number_form_in_place" in _form_names(k, f"a::!{N};2*a+1")    # a+1 is fresh
    assert "number_form_in_place" not in _form_names(k, f"a::!{N};1+a")
    assert "number_form_in_place" not in _form_names(k, f"1+b::!{N}")
    assert "number_form_in_place" not in _form_names(k, f"f::{{x}};1+f(!{N})")


@pytest.mark.parametrize("src, name", [
    (f"a::!{N};b::1+a;2*a+1", "a"),             # a name's value, and a dyad's over it
    (f"b::1+a::!{N}", "a"),                     # a definition's value
    (f"a::!{N};f::{{x}};b::1+f(a)", "a"),       # a call that returns its argument
    (f"a::!{N};g::{{2*x+1}};b::g(a)", "a"),     # an argument inside a function
    (f"a::!{N};b::1+:[1;a;0]", "a"),            # a conditional's value
    (f"a::1.0*!{N};b::{{x*2}}'a", "a"),         # each
    (f"a::1.0*!{N};b::(2*a)+1", "a"),
])
def test_no_name_sees_its_value_change(k, src, name):
    k(src)
    k(src)                                      # twice: a compiled statement runs again
    want = torch.arange(N) if "1.0" not in src else torch.arange(N, dtype=torch.float64)
    assert torch.equal(k(name), want), src


def test_a_statement_run_again_starts_from_a_fresh_arange(k):
    """No constant is folded and then overwritten: each run makes its !n anew."""
    f = k(f"f::{{2*1+!{N}}}")
    first, second = f(), f()
    assert first is not second
    assert torch.equal(first, second) and torch.equal(first, 2 * (torch.arange(N) + 1))
    assert k(f"+/1+!{N}") == k(f"+/1+!{N}") == N * (N + 1) // 2


def test_gradients_through_a_fresh_temporary_are_right(k):
    """Under differentiation the temporaries carry the gradient and are not overwritten;
    beside it, a fresh one that carries none may be."""
    g = k(f"{{+/(x+1)*3}}:>1.0*!{N}")
    assert torch.equal(g, torch.full((N,), 3.0, dtype=torch.float64))
    g = k(f"{{+/x*1+!{N}}}:>1.0*!{N}")
    assert torch.equal(g, 1 + torch.arange(N, dtype=torch.float64))
    j = k(f"{{2*x+1}}:>2.0")
    assert j == 2.0


def test_compile_captures_the_operations_as_written(k):
    k(f"f::{{2*1+x}};cf::.compile(f;1.0*!{N})")
    x = torch.arange(N, dtype=torch.float64)
    assert torch.equal(k["cf"](x), 2 * (x + 1))
    assert torch.equal(x, torch.arange(N, dtype=torch.float64))


def test_an_overflowing_fresh_temporary_goes_exact(k):
    assert k(f"*/(4611686018427387904)+!{N}") == k(f"*/4611686018427387904+!{N}")
    big = k(f"(4611686018427387904)+!{N}")
    assert big[-1] == 2 ** 62 + N - 1 if type(big) is torch.Tensor else big[-1] == 2 ** 62 + N - 1

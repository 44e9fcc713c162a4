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


# -- two values, one of them fresh (pervade.into_fresh) -----------------------------------------

def _pairs():
    """(fresh, other) operand pairs: equal real tensors (overwritable), and every way one
    differs (dtype, width, shape, ints, a gradient, a view, small, lists)."""
    real = torch.arange(N, dtype=torch.float64) / 3
    return [
        (real.clone(), real * 2),
        (real.clone().float(), real.float() + 1),
        (real.clone(), torch.arange(N)),                        # int other: promoted
        (torch.arange(N), real.clone()),
        (torch.arange(N), torch.arange(N) * 5),                 # ints: dyadic's bounds
        (real.clone(), real.float()),                           # widths differ
        (torch.arange(2 * N, dtype=torch.float64).reshape(2, N), real[:2].clone()),
        (real.clone(), torch.tensor(2.5, dtype=torch.float64)),  # 0-d other
        (real.clone(), (real * 1).requires_grad_(True)),
        (real[:100].clone(), real[:100] + 1),                   # small
    ]


def _into_allowed(t, o):
    return (t.dtype.is_floating_point and o.dtype is t.dtype and o.shape == t.shape and
            t.numel() >= N - 3 and not o.requires_grad)


@pytest.mark.parametrize("sym", ["+", "-", "*"])
@pytest.mark.parametrize("fresh_left", [True, False])
def test_into_fresh_answers_as_dyadic_and_overwrites_only_what_it_may(k, sym, fresh_left):
    verb = VERBS[sym]
    form = pervade.into_fresh(verb.dyad, verb.atomic, fresh_left)
    with k.active():
        for t, o in _pairs():
            a, b = (t, o) if fresh_left else (o, t)
            want = _answer(pervade.dyadic, verb.dyad, verb.atomic, a.clone(), b)
            kept, other = t.clone(), o.detach().clone()
            r = form(*((t, o) if fresh_left else (o, t)))
            got = (show(r), getattr(r, "dtype", type(r)))
            assert got == want, (sym, fresh_left, t.dtype, o.dtype, tuple(o.shape))
            assert (r is t) == _into_allowed(kept, o), (sym, fresh_left, t.dtype, o.dtype)
            assert torch.equal(o.detach(), other)               # the other one never


@pytest.mark.parametrize("src, want", [
    ("(i+i)+r+r", 3.0), ("(r*3)-i*2", -0.5), ("(i*3)*r+0", 1.5), ("(i+i)+i+i", 4),
    ('(i+i)+s,""', None),
])
def test_two_fresh_numbers_are_added_as_the_verb_adds_them(k, src, want):
    """The compiler's test for numbers takes two ints or two floats; an int and a float go
    to the form, which must give the verb's Python number, not a tensor of it."""
    k('i::1;r::0.5;s::"a"')
    if want is None:
        with pytest.raises(KlongError):
            k(src)
        return
    got = k(src)
    assert type(got) is type(want) and got == want


def test_into_fresh_leaves_a_view_and_a_watched_tensor_alone():
    plus = pervade.into_fresh(VERBS["+"].dyad, VERBS["+"].atomic, True)
    base = torch.arange(N + 1, dtype=torch.float64)
    other = torch.ones(N, dtype=torch.float64)
    view = base[1:]
    assert plus(view, other) is not view
    assert torch.equal(base, torch.arange(N + 1, dtype=torch.float64))
    fresh = torch.zeros(N, dtype=torch.float64)
    with torch.device("cpu"):                                   # a torch function mode
        assert plus(fresh, other) is not fresh
    assert plus(fresh, other) is fresh and torch.equal(fresh, other)


def test_the_compiler_overwrites_a_fresh_one_of_two_values(k):
    k(f"a::1.0*!{N};b::2.0*!{N};f::{{x}}")
    assert "arrays_into" in _form_names(k, "(a*2)+b")
    assert "arrays_into" in _form_names(k, "a-0.01*b")
    assert "arrays_into" not in _form_names(k, "a+b")
    assert "arrays_into" not in _form_names(k, "f(a)+b")


@pytest.mark.parametrize("src", [
    "c::(a*2)+b", "c::a-0.01*b", "c::(a*b)-(b*a)", "c::f(a)+a*2",
    "c::{(x*2)+y}(a;b)", "c::{x-0.5*x}'a", "c::+/(a*a)-b", "c::(a+b)*a+b",
])
def test_two_values_one_fresh_no_name_sees_its_value_change(k, src, monkeypatch):
    k(f"a::1.0*!{N};b::2.0*!{N};f::{{x}}")
    k(src)
    k(src)
    assert torch.equal(k("a"), torch.arange(N, dtype=torch.float64)), src
    assert torch.equal(k("b"), 2.0 * torch.arange(N, dtype=torch.float64)), src
    got = k("c")
    monkeypatch.setattr(pervade, "IN_PLACE_MIN", 1 << 62)     # nothing overwritten
    want = Klong(device="cpu")(f"a::1.0*!{N};b::2.0*!{N};f::{{x}};{src};c")
    assert type(got) is type(want), src
    assert torch.equal(got, want) if type(got) is torch.Tensor else got == want, src


def test_a_gradient_step_through_fresh_values(k):
    k(f"w::1.0*!{N};g::{{+/(x*2)+x*x}}:>w")
    assert torch.equal(k("g"), 2 + 2 * torch.arange(N, dtype=torch.float64))
    k("w::w-0.5*g")
    assert torch.equal(k("w"), torch.arange(N, dtype=torch.float64) -
                       0.5 * (2 + 2 * torch.arange(N, dtype=torch.float64)))

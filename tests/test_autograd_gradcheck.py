"""Differentiable through the whole language: every verb and adverb, checked in float64.

One row per form: an id named after the verb or adverb, a Klong function with a scalar value,
and a point. For each row the autograd gradient (f:>x) must

  - pass .gradcheck (torch.autograd.gradcheck against finite differences, in float64);
  - match the central-difference gradient x∇f;
  - be non-trivial: not all zeros, and the point's shape.

The last check is what catches a broken graph: a stray .item() or .tolist() inside a verb
gives a zero gradient that gradcheck alone can accept, since the numeric side is then taken
through the same cut. The same table then runs through forward mode (.jvp against the
Jacobian) and second order (.hessian against differences of the gradient).

Then: nested, Hessian and forward-mode results against closed forms; the Klong errors for
derivatives that do not exist; and the dtype and device gradients come back on.

Decisions recorded here:
  - An integer-valued function has no gradient: :> raises a type error saying so. x is always
    real inside :>, so an integer result came from grade, a comparison, # or a string.
  - A real-valued step (floor, :%, a branch on x) has derivative 0 almost everywhere, and :>
    gives 0.0 there, as torch does; it is not an error.
  - Gradients keep the point's floating dtype and device (a float32 point gives a float32
    gradient); integer points are promoted to the interpreter's real dtype, float64 by default.
    x∇f and .gradcheck work in float64 whatever the point.
"""
import pytest
import torch

from klongtorch import Klong, KlongError

V = "[1.0 2.0 3.0]"
V4 = "[0.5 -1.5 2.0 3.0]"
M = "[[1.0 2.0] [3.0 4.0]]"
M23 = "[[1.0 -2.0 3.0] [0.5 1.5 -1.0]]"

# (id, Klong function returning a number, point)
FORMS = [
    # -- atomic dyads and monads ---------------------------------------------------------
    ("plus", "{+/x+x*x}", V),
    ("minus", "{+/(x*x)-x}", V),
    ("minus-scalar-left", "{+/2.0-x^3}", V),
    ("times", "{+/x*x}", V),
    ("times-matrix", "{+/+/x*x}", M),
    ("times-matrix-vector", "{+/+/x*[2.0 3.0]}", M),
    ("divide", "{+/1%x}", V),
    ("divide-both", "{+/x%1+x*x}", V),
    ("divide-scalar", "{x%3}", "2.0"),
    ("power", "{+/x^3}", V),
    ("power-exponent", "{+/2^x}", V),
    ("power-both", "{+/x^x}", V),
    ("max", "{+/x|2.5}", V),
    ("max-both", "{+/x|(2.5-x)}", V4),
    ("min", "{+/x&2.5}", V),
    ("min-both", "{+/x&|x}", V4),
    ("negate", "{+/(-x)*x}", V),
    ("negate-scalar", "{-x^2}", "1.5"),
    ("reciprocal", "{+/%x}", V),
    ("reciprocal-scalar", "{%x}", "2.0"),
    ("floor", "{+/x*_x}", "[1.5 2.5 -0.5]"),
    ("magnitude", "{#x^3}", "(-2.0)"),
    ("less-mask", "{+/(x<2.5)*x^2}", V),
    ("more-mask", "{+/(x>1.5)*x^2}", V),
    ("equal-mask", "{+/(x=x)*x^2}", V),
    ("not-mask", "{+/(~x>1.5)*x^2}", V),
    # -- structural verbs ----------------------------------------------------------------
    ("index", "{(x*x)@1}", V),
    ("index-list", "{+/(x*x)@[2 0 0]}", V),
    ("index-row", "{+/(x*x)@1}", M),
    ("index-matrix-of-indices", "{+/+/(x^2)@[[0 1] [2 2]]}", V),
    ("index-in-depth", "{(x*x):@[1 0]}", M),
    ("index-in-depth-row", "{+/(x^3):@,1}", M),
    ("apply", "{{x*y^2}@x}", "[2.0 3.0]"),
    ("apply-monad", "{{+/x^2}@,x}", V),            # as kg: @ spreads a list over the arguments
    ("apply-in-depth", "{{x*y}:@x}", "[2.0 3.0]"),
    ("take", "{+/(2#x)^2}", V),
    ("take-negative", "{+/((-2)#x)^2}", V),
    ("take-cycle", "{+/(5#x)^2}", V),
    ("take-rows", "{+/+/(1#x)^2}", M),
    ("take-one", "{+/3#,x^2}", "1.5"),
    ("drop", "{+/(1_x)^2}", V),
    ("drop-negative", "{+/((-1)_x)^2}", V),
    ("drop-rows", "{+/+/(1_x)^3}", M),
    ("reshape", "{+/+/([2 2]:^x)^2}", V4),
    ("reshape-cycle", "{+/+/([2 3]:^x)^2}", V4),
    ("reshape-rows", "{+/+/(3:^x)^3}", M),
    ("reshape-half", "{+/+/([-1 2]:^x)^2}", V4),
    ("join", "{+/(x,x*x)^2}", V),
    ("join-atom-right", "{+/(x,(*x))^2}", V),
    ("join-atom-left", "{+/((*x),x)^2}", V),
    ("join-atoms", "{+/(x,x*x)^2}", "2.0"),
    ("join-rows", "{+/+/(x,x^2)^2}", M),
    ("rotate", "{+/x*1:+x}", V),
    ("rotate-negative", "{+/x*(-1):+x^2}", V),
    ("rotate-rows", "{+/+/x*1:+x}", M),
    ("transpose", "{+/+/x*+x}", M),
    ("transpose-rect", "{+/+/(+x)*(+x)^2}", M23),
    ("amend", "{+/(x:=((*x)^2),1)*x}", V),
    ("amend-constant", "{+/(x:=0.0,1)^2}", V),
    ("amend-into-constant", "{+/([0.0 0.0 0.0]:=x,1)^2}", "2.0"),
    ("amend-many", "{+/(x:=((x@2)^2),0,1)*x}", V),
    ("amend-row", "{+/+/(x:=(,(x@0)^2),1)^2}", M),
    ("amend-atom-into-matrix", "{l::x:=((x:@[1 1])^2),1;(+/(l@0)^2)+l@1}", M),
    ("amend-general-list", "{l::(,x),,\"ab\";*l:=(x^3),0}", "2.0"),
    ("amend-in-depth", "{+/+/(x:-((x:@[0 0])^3),[1 1])^2}", M),
    ("amend-in-depth-list", "{l::(,,x),,\"ab\";*(l:-(x^3),[0 0])@0}", "2.0"),
    ("reverse", "{+/x*|x}", V),
    ("reverse-rows", "{+/+/x*|x^2}", M),
    ("first", "{(*x)^3}", V),
    ("first-row", "{+/(*x)^3}", M),
    ("first-atom", "{*x^3}", "2.0"),
    ("list", "{+/(,x)^2}", "2.0"),
    ("list-vector", "{+/+/(,x)^2}", "[1.0 2.0]"),
    ("range", "{+/(?x,|x)^2}", V),
    ("range-rows", "{+/+/(?x,x)^3}", M),
    ("cut", "{+/(*2:_x)^2}", V),
    ("split", "{+/{+/x^2}'2:#x}", V4),
    ("grade-up-sort", "{+/(x@<x)*1+!#x}", "[3.0 1.0 2.0]"),
    ("grade-down-sort", "{+/(x@>x)*1+!#x}", "[3.0 1.0 2.0]"),
    ("find-as-index", "{+/(x@*[1 2 3]?2)*x}", V),
    ("where-as-index", "{+/x@&[1 0 2]}", V),
    ("size-as-count", "{(#x)*+/x^2}", V),
    # -- adverbs -------------------------------------------------------------------------
    ("over-plus", "{+/x*x}", V),
    ("over-plus-rows", "{+/+/x*x}", M),
    ("over-times", "{*/x}", V),
    ("over-max", "{|/x^2}", "[1.0 5.0 3.0]"),
    ("over-min", "{&/x^2}", "[4.0 2.0 3.0]"),
    ("over-minus", "{-/x^2}", V),
    ("over-divide", "{%/x}", V),
    ("over-join", "{+/(,/x)^2}", M),
    ("over-lambda", "{{x+y*y}/x}", V),
    ("over-lambda-rows", "{+/{x*y}/x}", M),
    ("over-neutral", "{1+/x*x}", V),
    ("over-neutral-times", "{2*/x}", V),
    ("over-neutral-lambda", "{1.0{x*y}/x}", V),
    ("over-neutral-join", "{+/(0.5,/x)^2}", V),
    ("scan-plus", "{+/(+\\x)^2}", V),
    ("scan-times", "{+/*\\x}", V),
    ("scan-max", "{+/(|\\x)*x}", "[1.0 5.0 3.0]"),
    ("scan-min", "{+/(&\\x)*x}", "[4.0 2.0 3.0]"),
    ("scan-plus-rows", "{+/+/(+\\x)^2}", M),
    ("scan-lambda", "{+/{x*y}\\x}", V),
    ("scan-neutral", "{+/1.0{x*y}\\x}", V),
    ("scan-neutral-plus", "{+/(1+\\x)^2}", V),
    ("each", "{+/{x^2}'x}", V),
    ("each-verb", "{+/-'x*x}", V),
    ("each-rows", "{+/{+/x^2}'x}", M),
    ("each-atom", "{{x^3}'x}", "2.0"),
    ("each-2", "{+/x{x*y}'|x}", V),
    ("each-2-atom", "{+/x{x*y^2}'[1 2 3]}", "1.5"),
    ("each-left", "{+/+/x{x*y}:\\x}", V),
    ("each-right", "{+/+/x{x-y^2}:/x}", V),
    ("each-pair", "{+/{x*y}:'x}", V),
    ("each-pair-verb", "{+/(-:'x)^2}", V),
    ("iterate", "{3{x*x}:*x}", "1.1"),
    ("iterate-vector", "{+/3{x*1.5+x}:*x}", "[1.0 2.0]"),
    ("scan-iterate", "{+/3{x*x}\\*x}", "1.1"),
    ("while", "{{x<100}{x*x}:~x}", "1.5"),
    ("scan-while", "{+/{x<100}{x*x}\\~x}", "1.5"),
    ("converge", "{s::x;{(x+s%x)%2}:~1.0}", "2.0"),
    ("converge-halving", "{{:[x>1;x%2;x]}:~x}", "3.0"),
    ("scan-converge", "{s::x;+/{(x+s%x)%2}\\~1.0}", "2.0"),
    # -- functions, control flow -----------------------------------------------------------
    ("conditional", "{:[x>0;x^2;-x^3]}", "2.0"),
    ("conditional-else", "{:[x>0;x^2;-x^3]}", "(-2.0)"),
    ("conditional-chain", "{:[x<0;x:|x<1;x^2;x^3]}", "0.5"),
    ("conditional-match", "{:[x~x;+/x^2;0]}", V),
    ("locals", "{[a b];a::x*x;b::a+x;+/a*b}", V),
    ("function-call", "{h::{x^3};+/h(x)}", V),
    ("function-dyad", "{h::{x*y^2};+/h(x;|x)}", V),
    ("projection-left", "{h::{x*y^2};+/h(2.0;)'x}", V),
    ("projection-right", "{h::{x*y^2};p::h(;3.0);+/p(x)}", V),
    ("projection-each", "{h::{x*y};+/h(;2.0)'x*x}", V),
    ("recursion", "{r::{:[x<0.5;x;x*r(x-1)]};r(x)}", "3.2"),
    ("dynamic-scope", "{s::x;h::{s*y};+/h(0;x)}", V),
    ("global-read", "{+/x*W}", V),
    ("dictionary", "{d:::{[1 2]};d,1,x*x;(d?1)*x}", "2.0"),
    # -- general lists -------------------------------------------------------------------
    ("each-join-list", "{+/,/{x,x^2}'x}", V),
    ("ragged-each", "{+/{+/x^2}'(,1#x),(,2#x),,x}", V),
    ("ragged-join", "{+/(,/{x^2}'(,1#x),(,2#x),,x)^2}", V),
    ("ragged-each-right", "{+/,/x{(1+!x)*y}:/[1 2]}", "2.0"),
    ("each-joined-scalars", "{+/{x*x}'[1.0],x,(2*x)}", "1.5"),
    ("mixed-with-string", "{l::x,\"ab\",x^2;(*l)*l@2}", "1.5"),
    ("list-of-scalars", "{+/{x*2}'[1.0 2.0],(x^2),x}", "1.5"),
    ("matrix-from-each", "{+/+/{x*|x}'x}", M23),
    # -- built-in math -------------------------------------------------------------------
    ("math", "{+/.sin(x)*.exp(x)}", V),
    ("dot", "{.dot(x;x)}", V),
    ("dot-matrix", "{+/.dot(x;[1.0 -1.0])}", M),
]


@pytest.fixture(scope="module")
def k():
    kk = Klong(device="cpu")
    kk("W::[0.5 -1.0 2.0]")
    return kk


def f64(v):
    return torch.as_tensor(v, dtype=torch.float64)


def _ids(rows):
    return [pytest.param(f, x, id=name) for name, f, x in rows]


def test_ids_are_unique():
    names = [r[0] for r in FORMS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("f, x", _ids(FORMS))
def test_gradient_matches_numeric(k, f, x):
    assert k(f".gradcheck({f};{x})") == 1
    exact = f64(k(f"{f}:>{x}"))
    numeric = f64(k(f"{x}∇{f}"))
    point = f64(k(x))
    assert exact.shape == point.shape
    assert torch.allclose(exact, numeric, rtol=1e-5, atol=1e-5), (exact, numeric)
    assert bool((exact != 0).any()), "a zero gradient: the graph was cut"


@pytest.mark.parametrize("f, x", _ids(FORMS))
def test_forward_mode_matches_reverse(k, f, x):
    """.jvp through the same forms: the directional derivative is the gradient dotted with v
    (forward mode wraps tensors, so a .item() hidden in a verb shows here as a zero)."""
    point = f64(k(x))
    v = torch.linspace(1.0, 0.5, point.numel(), dtype=torch.float64).reshape(point.shape)
    k["Vt"] = v
    k["Pt"] = point
    d = f64(k(f".jvp({f};Pt;Vt)"))
    g = f64(k(f"{f}:>Pt"))
    assert torch.allclose(d, (g * v).sum(), rtol=1e-7, atol=1e-9)


SECOND_ORDER = ["times", "divide-both", "power-both", "index-list", "take-cycle", "reshape-cycle",
                "join", "rotate", "transpose", "amend", "amend-in-depth", "reverse", "range",
                "over-times", "over-lambda", "scan-plus", "scan-times", "each", "each-2",
                "each-left", "each-right", "each-pair", "iterate-vector", "locals",
                "projection-left", "ragged-join", "matrix-from-each", "grade-up-sort"]


@pytest.mark.parametrize("f, x", _ids([r for r in FORMS if r[0] in SECOND_ORDER]))
def test_hessian_matches_differences_of_the_gradient(k, f, x):
    point = f64(k(x))
    hess = f64(k(f".hessian({f};{x})"))
    n = point.numel()
    h = 1e-5
    cols = []
    for i in range(n):
        e = torch.zeros(n, dtype=torch.float64)
        e[i] = h
        k["Pt"] = (point.reshape(-1) + e).reshape(point.shape)
        up = f64(k(f"{f}:>Pt")).reshape(-1)
        k["Pt"] = (point.reshape(-1) - e).reshape(point.shape)
        dn = f64(k(f"{f}:>Pt")).reshape(-1)
        cols.append((up - dn) / (2 * h))
    assert torch.allclose(hess.reshape(n, n), torch.stack(cols, 1), rtol=1e-4, atol=1e-4)
    # nested reverse mode agrees with the Hessian: the gradient of the gradient's sum
    k["Pt"] = point
    k(f"Ft::{f}")
    nested = f64(k("{+/,/Ft:>x}:>Pt")).reshape(-1)
    assert torch.allclose(nested, hess.reshape(n, n).sum(0), rtol=1e-7, atol=1e-9)


# -- closed forms: nested, Hessian, forward mode ---------------------------------------------

def close(value, expected, tol=1e-9):
    return torch.allclose(f64(value), f64(expected), rtol=tol, atol=tol)


@pytest.mark.parametrize("x", [2.0, 0.5, -1.5])
def test_second_derivative_by_nesting(k, x):
    k(f"Xt::{x}")
    assert close(k("f3::{x^3};g3::{f3:>x};g3:>Xt"), 6 * x)
    assert close(k("fs::{.sin(x)};gs::{fs:>x};gs:>Xt"), -torch.sin(torch.tensor(x, dtype=torch.float64)))


@pytest.mark.parametrize("x", [2.0, 1.5, -0.5])
def test_third_derivative_of_x4_is_24x(k, x):
    k(f"Xt::{x}")
    assert close(k("f4::{x^4};g4::{f4:>x};h4::{g4:>x};h4:>Xt"), 24 * x)


def test_second_derivative_through_adverbs(k):
    # d2/dx2 of sum_i (x*i)^3 over i=1..3 is 6x*(1+8+27)
    assert close(k("fa::{+/{(x*y)^3}(x;)'[1.0 2.0 3.0]};ga::{fa:>x};ga:>2.0"), 6 * 2.0 * 36)
    assert close(k("fb::{3{x*x}:*x};gb::{fb:>x};gb:>1.1"), 56 * 1.1 ** 6)   # x^8 -> 56x^6


def test_hessian_of_sum_of_cubes(k):
    assert close(k(".hessian({+/x^3};[1.0 2.0 -3.0])"), torch.diag(f64([6.0, 12.0, -18.0])))
    assert close(k(".hessian({+/{x^3}'x};[1.0 2.0])"), [[6.0, 0.0], [0.0, 12.0]])


@pytest.mark.parametrize("a", [[[2.0, 1.0], [0.0, 3.0]], [[1.0, -2.0, 0.5], [0.0, 4.0, 1.0], [3.0, 1.0, 2.0]]])
def test_hessian_of_quadratic_forms(k, a):
    A = f64(a)
    k["At"] = A
    n = A.shape[0]
    point = "[" + " ".join(str(float(i + 1)) for i in range(n)) + "]"
    assert close(k(f".hessian({{+/x*+/At*x}};{point})"), A + A.T)         # x'Ax, in Klong verbs
    assert close(k(f".hessian({{.dot(x;.dot(At;x))}};{point})"), A + A.T)


def test_hessian_of_rosenbrock(k):
    h = k(".hessian({((1-x@0)^2)+100*((x@1)-(x@0)^2)^2};[1.5 -0.5])")
    x, y = 1.5, -0.5
    assert close(h, [[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200.0]])


JVPS = [  # function, point, direction, J·v by hand
    ("{x^2}", [1.0, 2.0, 3.0], [1.0, 0.5, 0.25], lambda x, v: 2 * x * v),
    ("{+\\x}", [1.0, 2.0, 3.0], [1.0, 0.5, 0.25], lambda x, v: torch.cumsum(v, 0)),
    ("{*\\x}", [1.0, 2.0, 3.0], [1.0, 0.5, 0.25],
     lambda x, v: torch.stack([v[0], v[0] * x[1] + x[0] * v[1],
                               (v[0] * x[1] + x[0] * v[1]) * x[2] + x[0] * x[1] * v[2]])),
    ("{|x}", [1.0, 2.0, 3.0], [1.0, 0.5, 0.25], lambda x, v: torch.flip(v, (0,))),
    ("{x*1:+x}", [1.0, 2.0, 3.0], [1.0, 0.5, 0.25],
     lambda x, v: v * torch.roll(x, 1) + x * torch.roll(v, 1)),
    ("{.sin(x)}", [0.1, 0.2], [2.0, -1.0], lambda x, v: torch.cos(x) * v),
    ("{+/x^2}", [1.0, 2.0, 3.0], [1.0, 0.5, 0.25], lambda x, v: 2 * (x * v).sum()),
    ("{{x*x}'x}", [1.0, -2.0], [0.5, 3.0], lambda x, v: 2 * x * v),
    ("{[2 2]:^x}", [1.0, 2.0, 3.0, 4.0], [1.0, 0.0, -1.0, 2.0], lambda x, v: v.reshape(2, 2)),
    ("{x:=((*x)^2),2}", [3.0, 1.0, 2.0], [1.0, 2.0, 4.0],
     lambda x, v: torch.stack([v[0], v[1], 2 * x[0] * v[0]])),
    ("{?x,x}", [3.0, 1.0], [1.0, 2.0], lambda x, v: v),
    ("{*x}", [3.0, 1.0], [1.0, 2.0], lambda x, v: v[0]),
    ("{x@[1 1 0]}", [3.0, 1.0], [1.0, 2.0], lambda x, v: v[[1, 1, 0]]),
    ("{(2#x),1_x}", [3.0, 1.0, 2.0], [1.0, 2.0, 4.0], lambda x, v: torch.cat([v[:2], v[1:]])),
    ("{+x}", [[1.0, 2.0], [3.0, 4.0]], [[1.0, 0.0], [2.0, 3.0]], lambda x, v: v.T),
    ("{x{x*y}'|x}", [1.0, 2.0, 3.0], [1.0, 0.5, 0.25],
     lambda x, v: v * torch.flip(x, (0,)) + x * torch.flip(v, (0,))),
    ("{3{x*x}:*x}", [1.1], [2.0], lambda x, v: 8 * x ** 7 * v),
]


@pytest.mark.parametrize("f, x, v, expected", JVPS, ids=[r[0] for r in JVPS])
def test_jvp_against_jacobian_times_v_by_hand(k, f, x, v, expected):
    k["Xt"], k["Vt"] = f64(x), f64(v)
    assert close(k(f".jvp({f};Xt;Vt)"), expected(f64(x), f64(v)))


def test_parameter_gradients_through_adverbs(k):
    """loss:>[w b] for a nilad loss built from each and reductions, checked by hand."""
    g = k("w::[1.0 2.0 3.0];b::0.5;X::[[1 2 3] [4 5 6]];Y::[1 2];"
          "loss::{+/(({+/(x*w)+b}'X)-Y)^2};loss:>[w b]")
    # predictions 15.5 and 33.5, residuals 14.5 and 31.5
    assert close(g[0], [2 * (14.5 * 1 + 31.5 * 4), 2 * (14.5 * 2 + 31.5 * 5), 2 * (14.5 * 3 + 31.5 * 6)])
    assert close(g[1], 2 * 3 * (14.5 + 31.5))
    w = k("w::[5.0 -3.0];lw::{+/{x^2}'w};{w::w-(0.1*lw:>w)}'!50;w")
    assert close(w, [5.0 * 0.8 ** 50, -3.0 * 0.8 ** 50])


def test_torch_func_transforms_from_python(k):
    """A Klong function is a Python callable for torch.func too: grad, hessian and vmap wrap
    its tensors, which the verbs must keep as tensors."""
    t = f64([2.0, 3.0, 4.0])
    assert close(torch.func.grad(k("{(*x)*+/{x^2}'1_x}"))(t), [25.0, 12.0, 16.0])
    assert close(torch.func.hessian(k("{+/(x*1:+x)^2}"))(f64([1.0, 2.0, 3.0])),
                 [[26.0, 8.0, 12.0], [8.0, 20.0, 24.0], [12.0, 24.0, 10.0]])
    assert close(torch.func.vmap(k("{+/x^2}"))(torch.ones(3, 2, dtype=torch.float64)), [2.0, 2.0, 2.0])


# -- derivatives that do not exist --------------------------------------------------------------

@pytest.mark.parametrize("program, words", [
    ("{x^2}:>[1 2]", "must return a scalar"),
    ("{x}:>[1.0 2.0]", "must return a scalar"),
    (".hessian({x^2};[1.0 2.0])", "must return a scalar"),
    ("{$x}:>2.0", "must return a number"),
    ('{x,"a"}:>2.0', "must return a number"),
    ("{x;:foo}:>2.0", "must return a number"),
    ('{x}:>"abc"', "with respect to numbers"),
    ('{x}:>[1 "a"]', "with respect to numbers"),
    ("{+/x}:>[[1 2] [3]]", "with respect to numbers"),
    ("2.0∇{$x}", "must return a number"),
    (".jvp({+/x};[1.0 2.0];[1.0])", "must match"),
])
def test_undefined_derivatives_are_klong_errors(k, program, words):
    with pytest.raises(KlongError) as info:
        k(program)
    message = str(info.value)
    assert message.startswith("kg: error:") and words in message
    assert "Traceback" not in message


def test_steps_have_zero_derivative_not_an_error(k):
    """Steps are differentiable almost everywhere, with derivative 0: floors, and the
    integers that comparisons, counts, grades and constants give."""
    assert k("{_x}:>2.5") == 0.0
    for program, zeros in [("{#$x}:>2.0", 0.0), ("{x>1}:>2.0", 0.0), ("{x;3}:>2.0", 0.0),
                           ("{#x}:>[1.0 2.0]", [0.0, 0.0]),
                           ("{+/<x}:>[3.0 1.0 2.0]", [0.0, 0.0, 0.0]),
                           ("{+/>x}:>[3.0 1.0 2.0]", [0.0, 0.0, 0.0]),
                           ("2.0∇{x;3}", 0.0)]:
        g = k(program)
        assert g.tolist() == zeros if isinstance(g, torch.Tensor) else g == zeros, program
    with pytest.raises(KlongError, match="integer-divide: type error"):   # as in kg: reals
        k("{x:%2}:>2.5")                                                    # have no :%
    assert k("{:[x>0;1.0;0.0]}:>2.5") == 0.0
    assert close(k("{+/(<x)*x}:>[3.0 1.0 2.0]"), [1.0, 2.0, 0.0])   # grade as a constant weight


def test_amend_keeps_klong_semantics(k):
    """The tensor path of := is for values that fit a's rows; others make a general list."""
    assert k("([[1 2] [3 4]]:=0,1)~[[1 2] 0]") == 1
    assert k("([[1 2] [3 4]]:=(,[9 9]),1)~[[1 2] [9 9]]") == 1
    assert k("([1 2 3]:=0.5,1)~[1 0.5 3]") == 1                 # a real value joined to ints
    assert k("([[1 2] [3 4]]:-0.5,[1 1])~[[1 2] [3 0.5]]") == 1


# -- dtype and device ---------------------------------------------------------------------------

def test_default_dtype_is_float64(k):
    for program in ("{x^2}:>3", "{+/x^2}:>[1 2]", "{+/x^2}:>[1.0 2.0]", ".hessian({+/x^3};[1 2])",
                    ".jvp({x^2};[1 2];[1 0])", ".jacobian({x^2};[1 2])", "[1 2]∇{+/x^2}"):
        assert f64(k(program)).dtype == torch.float64
        v = k(program)
        assert not isinstance(v, torch.Tensor) or v.dtype == torch.float64


def test_float32_point_keeps_its_dtype(k):
    k["P32"] = torch.tensor([1.0, 2.0], dtype=torch.float32)
    for program in ("{+/x^2}:>P32", "{+/x*2.5}:>P32", "{+/{x^2}'x}:>P32", ".jacobian({x^2};P32)",
                    ".hessian({+/x^3};P32)", ".jvp({x^2};P32;[1.0 0.0])"):
        assert k(program).dtype == torch.float32, program
    assert close(k("{+/x^2}:>P32"), [2.0, 4.0])
    assert k("P32∇{+/x^2}").dtype == torch.float64         # numeric: float64 by design
    assert k(".gradcheck({+/x^3};P32)") == 1                 # checked in float64


def test_parameter_gradients_keep_the_globals_dtype(k):
    k["w32"] = torch.tensor([1.0, -2.0], dtype=torch.float32)
    g = k("lw::{+/{x^2}'w32};lw:>w32")
    assert g.dtype == torch.float32 and close(g, [2.0, -4.0])


def test_point_python_list_and_scalar(k):
    assert k("{x^3}:>2") == 12.0
    assert close(k("{+/x^3}:>[1 2.5]"), [3.0, 18.75])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_gradient_on_the_points_device():
    kc = Klong(device="cuda")
    kc["P"] = torch.tensor([1.0, 2.0], dtype=torch.float64, device="cuda")
    for program in ("{+/x^2}:>P", "{+/{x^2}'x}:>P", "{+/(x:=((*x)^2),1)*x}:>P", "{+/(2#x),|x}:>P"):
        g = kc(program)
        assert g.device.type == "cuda" and g.dtype == torch.float64, program

"""Differentiation: :> (exact, reverse mode), ∇ (numeric), ∂ and .jacobian, and friends.

    f:>x        gradient of the scalar function f at x, through torch.autograd
    f:>[w b]    gradients with respect to the globals w and b (f usually a nilad)
    loss:>w     for a nilad loss and a variable w: the gradient with respect to global w,
                which is what makes {w::w-(lr*loss:>w)}'!50 train
    x∇f         central differences in float64
    x∂f         the Jacobian of f at x; [w b]∂f gives one Jacobian per global

Gradients are taken with create_graph=True when an outer differentiation is running, so
nested :> gives higher derivatives. Points are promoted to the interpreter's real dtype.
"""
from contextlib import contextmanager

import torch

from . import dual
from .dual import Dual, NotScalar
from .errors import KlongError, err
from .functions import SysFunc, to_callable
from .parser import Var
from .values import Symbol, Tensor, ctx, mklist, scalar


def _leaf(v, name):
    """A differentiable copy of a numeric value."""
    t = type(v)
    if t is Tensor:
        if not v.dtype.is_floating_point:
            v = v.to(ctx.real)
        if v.requires_grad:
            return v              # nested: keep the outer graph
        return v.detach().clone().requires_grad_(True)
    if t is int or t is float:
        return torch.tensor(float(v), dtype=ctx.real, device=ctx.device, requires_grad=True)
    if t is list:
        try:
            return _leaf(torch.tensor(v, dtype=ctx.real, device=ctx.device), name)
        except (TypeError, ValueError, RuntimeError):
            pass
    raise err(name, "type", text="can only differentiate with respect to numbers or numeric arrays")


def _scalar_output(y, name):
    if name == ":>" and (type(y) is int or type(y) is Tensor and not y.dtype.is_floating_point):
        # x is always real here, so an integer result came from a step such as grade,
        # a comparison, # or a string round trip: nothing a derivative can pass through
        raise err(name, "type", text="the function returns an integer, which has no derivative "
                                     "(grade < >, comparisons, # and string operations give integers)")
    if type(y) in (int, float):
        return torch.tensor(float(y), dtype=ctx.real, device=ctx.device)
    if type(y) is not Tensor:
        raise err(name, "type", text="the function must return a number")
    if y.numel() != 1:
        raise err(name, "shape", text=f"the function must return a scalar, not shape {list(y.shape)}")
    return y.reshape(())


class _Depth:
    """How many differentiations are evaluating their function right now. Inside one, a
    gradient must keep its own graph (create_graph) so the outer one can differentiate it:
    that is what makes {f:>x}:>x a second derivative. Outside, it is detached and cheap."""
    running = 0


@contextmanager
def _differentiating():
    _Depth.running += 1
    try:
        yield
    finally:
        _Depth.running -= 1


def _nested(xs):
    return _Depth.running > 0 or any(x.grad_fn is not None for x in xs)


def _grad(y, xs, name, nested):
    if not y.requires_grad:
        return [torch.zeros_like(x) for x in xs]
    gs = torch.autograd.grad(y, xs, create_graph=nested, allow_unused=True)
    return [torch.zeros_like(x) if g is None else g for x, g in zip(xs, gs)]


def _out(g):
    return scalar(g) if g.dim() == 0 else g


class FastPath:
    """One :> call site's use of dual numbers (see klongtorch.dual): on until the dual
    path has had to give way to torch once there."""
    __slots__ = ("on", "interp")

    def __init__(self, interp):
        self.on = True
        self.interp = interp


def _dual_ready(site, points):
    return (site is not None and site.on and _Depth.running == 0 and ctx.real is torch.float64
            and all(type(p) is float or type(p) is int for p in points))


def _by_duals(site, run):
    """run() on duals, or None when the dual path gave way (globals restored)."""
    g = site.interp.globals
    saved = dict(g)
    try:
        return run()
    except (NotScalar, KlongError):
        g.clear()
        g.update(saved)
        site.on = False
        return None


def gradient(f, x, name=":>", site=None):
    """f:>x  Gradient
    The exact gradient of the scalar-valued function f at x, by torch autograd (at a
    single real, by dual numbers: the same derivative, faster). With a list of symbols,
    [w b], the gradients of the nilad f with respect to those globals; for a nilad and a
    variable, loss:>w, the gradient with respect to the global w.
    Examples: {x^2}:>3 --> 6.0    {+/x^2}:>[1 2 3] --> [2.0 4.0 6.0]"""
    f = to_callable(f, name)
    if _dual_ready(site, (x,)):
        d = _by_duals(site, lambda: dual.value(f.call1(Dual(float(x), 1.0))))
        if d is not None:
            return d
    x0 = _leaf(x, name)
    nested = _nested([x0])
    with _differentiating():
        y = _scalar_output(f.call1(x0), name)
    return _out(_grad(y, [x0], name, nested)[0])


def _symbols(v):
    if type(v) is Symbol:
        return [v]
    if type(v) is list and v and all(type(e) is Symbol for e in v):
        return v
    return None


def _with_params(interp, names, body):
    """Run body(leaves) with globals rebound to differentiable leaves; restore afterwards."""
    g = interp.globals
    saved = {}
    leaves = []
    for n in names:
        if n not in g:
            raise KlongError(f"kg: error: :>: undefined: {n}")
        saved[n] = g[n]
        leaf = _leaf(g[n], ":>")
        g[n] = leaf
        leaves.append(leaf)
    try:
        return body(leaves)
    finally:
        g.update(saved)


def _dual_gradients(interp, f, names):
    """(value, gradients) of f by one dual pass per global."""
    g = interp.globals
    values = [g[n] for n in names]
    grads = []
    y = None
    try:
        for n, v in zip(names, values):
            g[n] = Dual(float(v), 1.0)
            y = f.call(()) if f.arity == 0 else f.call1(g[n])
            grads.append(dual.value(y))
            g[n] = v
    finally:
        for n, v in zip(names, values):
            g[n] = v
    return (y.v if type(y) is Dual else y), grads


def value_and_gradients(interp, f, names, site=None):
    """(f's value, [its gradient with respect to each global in names]): what :>[w b]
    computes, for Python code such as an optimizer written by the user."""
    f = to_callable(f, ":>")
    g = interp.globals
    if site is not None and all(n in g for n in names) and \
            _dual_ready(site, [g[n] for n in names]):
        out = _by_duals(site, lambda: _dual_gradients(interp, f, names))
        if out is not None:
            return out

    def body(leaves):
        nested = _nested(leaves)
        with _differentiating():
            y = _scalar_output(f.call(()) if f.arity == 0 else f.call1(leaves[0]), ":>")
        return _out(y if nested else y.detach()), [_out(g) for g in _grad(y, leaves, ":>", nested)]
    return _with_params(interp, names, body)


def param_gradients(interp, f, names, single=False, site=None):
    """Gradients of f with respect to the globals named in names (one, if single)."""
    grads = value_and_gradients(interp, f, names, site)[1]
    return grads[0] if single else mklist(grads)


def numeric_gradient(x, f, name="∇"):
    """x∇f  Numeric-Gradient
    The gradient of f at x by central differences in float64 (error about 1e-8).
    Example: 3∇{x^2} --> 6.000000000..."""
    f = to_callable(f, name)
    base = _leaf(x, name).detach().to(torch.float64)
    flat = base.reshape(-1)
    h = 1e-6
    out = torch.empty_like(flat)
    for i in range(flat.numel()):
        e = torch.zeros_like(flat)
        e[i] = h * max(1.0, abs(float(flat[i])))
        up = _scalar_output(f.call1((flat + e).reshape(base.shape).to(ctx.real)), name)
        dn = _scalar_output(f.call1((flat - e).reshape(base.shape).to(ctx.real)), name)
        out[i] = (up.double() - dn.double()) / (2 * e[i])
    return _out(out.reshape(base.shape))


def jacobian(f, x, name=".jacobian"):
    """.jacobian(f;x)  Jacobian
    The Jacobian matrix of f at x: J[i;j] is the derivative of output i by input j.
    Example: .jacobian({x^2};[1 2]) --> [[2.0 0.0] [0.0 4.0]]"""
    f = to_callable(f, name)
    x0 = _leaf(x, name).detach()

    def fn(t):
        y = f.call1(t)
        return y if type(y) is Tensor else torch.tensor(float(y), dtype=ctx.real)
    with _differentiating():
        return _out(torch.autograd.functional.jacobian(fn, x0))


def hessian(f, x):
    """.hessian(f;x)  Hessian
    The matrix of second derivatives of the scalar function f at x.
    Example: .hessian({+/x^3};[1 2]) --> [[6.0 0.0] [0.0 12.0]]"""
    f = to_callable(f, ".hessian")
    x0 = _leaf(x, ".hessian").detach()
    with _differentiating():
        return _out(torch.autograd.functional.hessian(
            lambda t: _scalar_output(f.call1(t), ".hessian"), x0))


def jvp(f, x, v):
    """.jvp(f;x;v)  Jacobian-Vector-Product
    The forward-mode directional derivative of f at x along v (J·v), without building J.
    Example: .jvp({x^2};[1 2];[1 0]) --> [2.0 0.0]"""
    f = to_callable(f, ".jvp")
    x0 = _leaf(x, ".jvp").detach()
    v0 = _leaf(v, ".jvp").detach().to(x0.dtype)
    if v0.shape != x0.shape:
        raise err(".jvp", "length", text=f"the direction v has shape {list(v0.shape)}, "
                                         f"the point x {list(x0.shape)}: they must match")

    def fn(t):
        y = f.call1(t)
        return y if type(y) is Tensor else torch.tensor(float(y), dtype=ctx.real)
    with _differentiating():
        return _out(torch.func.jvp(fn, (x0,), (v0,))[1])


def gradcheck(f, x):
    """.gradcheck(f;x)  Gradient-Check
    1 if the autograd gradient of f at x agrees with a numeric one (torch.autograd.gradcheck,
    in float64), else 0.
    Example: .gradcheck({x^2};3.0) --> 1"""
    f = to_callable(f, ".gradcheck")
    x0 = _leaf(x, ".gradcheck").detach().to(torch.float64).requires_grad_(True)

    def fn(t):
        y = f.call1(t)
        return y if type(y) is Tensor else torch.tensor(float(y), dtype=torch.float64)
    saved = ctx.real
    ctx.real = torch.float64
    try:
        with _differentiating():
            return int(torch.autograd.gradcheck(fn, (x0,), raise_exception=False))
    finally:
        ctx.real = saved


# -- compiling the dyads -----------------------------------------------------------------------

def compile_grad(compiler, node, scope):
    """f:>x, with the nilad-and-variable rule: loss:>w differentiates with respect to w."""
    left = compiler.expr(node.left, scope)
    right = compiler.expr(node.right, scope)
    interp = compiler.interp
    var = compiler.resolve(node.right.name, scope) if type(node.right) is Var else None

    site = FastPath(interp)

    def ev(a):
        fv = to_callable(left(a), ":>")
        if var is not None and fv.arity == 0:
            return param_gradients(interp, fv, [var], single=True, site=site)
        xv = right(a)
        names = _symbols(xv)
        if names is not None:
            return param_gradients(interp, fv, [n.name for n in names], site=site)
        return gradient(fv, xv, site=site)
    return compiler.guard(ev, node.verb.pos, ":>")


def compile_jacobian(compiler, node, scope):
    """x∂f, and [w b]∂f for the Jacobians with respect to globals."""
    left = compiler.expr(node.left, scope)
    right = compiler.expr(node.right, scope)
    interp = compiler.interp

    def ev(a):
        fv = to_callable(right(a), "∂")
        xv = left(a)
        names = _symbols(xv)
        if names is None:
            return jacobian(fv, xv, "∂")
        out = []
        for n in names:
            def at(t, n=n.name):
                saved = interp.globals[n]
                interp.globals[n] = t
                try:
                    return fv.call(()) if fv.arity == 0 else fv.call1(t)
                finally:
                    interp.globals[n] = saved
            out.append(jacobian(_PyCallable(at), interp.globals[n.name], "∂"))
        return mklist(out)
    return compiler.guard(ev, node.verb.pos, "∂")


def compile_numeric(compiler, node, scope):
    left = compiler.expr(node.left, scope)
    right = compiler.expr(node.right, scope)
    return compiler.guard(lambda a: numeric_gradient(left(a), right(a)), node.verb.pos, "∇")


class _PyCallable:
    arity = 1

    def __init__(self, fn):
        self.call1 = fn


# -- built-in differentiable math --------------------------------------------------------------

def _unary(name, op, doc):
    def fn(x):
        if type(x) in (int, float):
            return scalar(op(torch.tensor(float(x), dtype=ctx.real, device=ctx.device)))
        if type(x) is Tensor:
            return _out(op(x if x.dtype.is_floating_point else x.to(ctx.real)))
        if type(x) is list:
            return mklist([fn(e) for e in x])
        if type(x) is Dual:
            return dual.monad(name, x)
        raise err(name, "type", x)
    fn.__doc__ = doc
    return fn


MATH = {
    ".exp": (torch.exp, ".exp(x)  Exponential\n    e to the power x, element-wise and differentiable."),
    ".log": (torch.log, ".log(x)  Logarithm\n    The natural logarithm of x, element-wise."),
    ".sin": (torch.sin, ".sin(x)  Sine\n    The sine of x (radians), element-wise."),
    ".cos": (torch.cos, ".cos(x)  Cosine\n    The cosine of x (radians), element-wise."),
    ".tan": (torch.tan, ".tan(x)  Tangent\n    The tangent of x (radians), element-wise."),
    ".tanh": (torch.tanh, ".tanh(x)  Hyperbolic-Tangent\n    tanh(x), element-wise."),
    ".sqrt": (torch.sqrt, ".sqrt(x)  Square-Root\n    The square root of x, element-wise."),
    ".abs": (torch.abs, ".abs(x)  Absolute-Value\n    |x| as a number (unlike #, which also counts lists)."),
    ".sigmoid": (torch.sigmoid, ".sigmoid(x)  Sigmoid\n    1%1+.exp(-x), element-wise."),
    ".relu": (torch.relu, ".relu(x)  ReLU\n    x|0, element-wise."),
    ".softmax": (lambda t: torch.softmax(t, -1), ".softmax(x)  Softmax\n    .exp(x)%+/.exp(x) along the last axis."),
}


def dot(a, b):
    """.dot(a;b)  Dot-Product
    The matrix (or vector) product of a and b, as torch.matmul: vector.vector is a number,
    matrix.vector a vector, matrix.matrix a matrix.
    Example: .dot([1 2];[3 4]) --> 11"""
    ta = a if type(a) is Tensor else torch.tensor(a, device=ctx.device)
    tb = b if type(b) is Tensor else torch.tensor(b, device=ctx.device)
    if ta.dtype != tb.dtype:
        ta, tb = ta.to(ctx.real), tb.to(ctx.real)
    try:
        return _out(torch.matmul(ta, tb))
    except RuntimeError as e:
        raise err(".dot", "length", text=str(e).split("\n")[0]) from None


def install(interp):
    c = interp.compiler
    c.special[":>"] = compile_grad
    c.special["∂"] = compile_jacobian
    c.special["∇"] = compile_numeric
    g = interp.globals
    for name, (op, doc) in MATH.items():
        g[name] = SysFunc(name, 1, _unary(name, op, doc), interp)
    for name, fn, arity in ((".jacobian", jacobian, 2), (".hessian", hessian, 2), (".jvp", jvp, 3),
                            (".gradcheck", gradcheck, 2), (".dot", dot, 2)):
        g[name] = SysFunc(name, arity, fn, interp)


# help.py shows the docstring of the function that compiles an operator as its help
compile_grad.__doc__ = gradient.__doc__
compile_numeric.__doc__ = numeric_gradient.__doc__
compile_jacobian.__doc__ = """x∂f  Jacobian
    The Jacobian matrix of f at x: J[i;j] is the derivative of output i by input j, as
    .jacobian(f;x). With a list of symbols, [w b]∂f gives one Jacobian per global.
    Example: [1 2]∂{x^2} --> [[2.0 0.0] [0.0 4.0]]"""

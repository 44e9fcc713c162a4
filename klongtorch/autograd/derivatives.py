"""Differentiation: :> (exact, reverse mode), ∇ (numeric), ∂ and .jacobian, and friends.

    f:>x        gradient of the scalar function f at x, through torch.autograd
    f:>[w b]    gradients with respect to the globals w and b (f usually a nilad)
    loss:>w     for a nilad loss and a variable w: the gradient with respect to global w,
                which is what makes {w::w-(lr*loss:>w)}'!50 train
    x∇f         central differences in float64
    x∂f         the Jacobian of f at x; [w b]∂f gives one Jacobian per global

Gradients are taken with create_graph=True when an outer differentiation is running, so
nested :> gives higher derivatives. Points are promoted to the interpreter's real dtype.

The nilad-and-variable rule holds for every operator: a nilad ignores its argument, so it
is differentiated with respect to globals, named by a variable (loss:>w, w∇loss, w∂loss)
or a symbol list ([w b]); a nilad given a plain value is an error, never a silent zero.
Globals rebound for a differentiation are put back by _rebound, which neither an error nor
an interrupt can cut short (see klongtorch.runtime.interrupts).
"""
import threading

import torch
from torch.autograd import forward_ad

from klongtorch.runtime import interrupts
from klongtorch.value import dual
from klongtorch.value.dual import Dual, NotScalar
from klongtorch.value.errors import KlongError, err, undefined
from klongtorch.value.functions import SysFunc, brief, to_callable
from klongtorch.value.values import Symbol, Tensor, ctx, mklist, scalar


def _leaf(v, name):
    """A differentiable stand-in for a numeric value. A tensor's shares its memory: Klong
    never writes into a value, and torch refuses an in-place write into a leaf that needs
    a gradient, so no copy is needed (a copy cost a third of {+/x^2}:>x at 1M elements,
    and 80 MB more memory at 10M). The optimizers, which do write, copy for themselves."""
    t = type(v)
    if t is Tensor:
        if not v.dtype.is_floating_point:
            v = v.to(ctx.real)
        if v.requires_grad:
            return v              # nested: keep the outer graph
        return v.detach().requires_grad_(True)
    if t is int or t is float:
        return torch.tensor(float(v), dtype=ctx.real, device=ctx.device, requires_grad=True)
    if t is list:
        try:
            return _leaf(torch.tensor(v, dtype=ctx.real, device=ctx.device), name)
        except (TypeError, ValueError, RuntimeError):
            pass
    raise err(name, "type", text="can only differentiate with respect to numbers or numeric arrays")


def _scalar_output(y, name):
    # An integer result is piecewise constant in x (a constant, a comparison, a count, a
    # floor): its derivative is the true zero, as it is for a real constant.
    if type(y) is Tensor and not y.dtype.is_floating_point and y.dtype is not torch.bool:
        y = y.to(ctx.real)
    if type(y) in (int, float):
        return torch.tensor(float(y), dtype=ctx.real, device=ctx.device)
    if type(y) is not Tensor:
        raise err(name, "type", text="the function must return a number")
    if y.numel() != 1:
        raise err(name, "shape", text=f"the function must return a scalar, not shape {list(y.shape)}")
    # a 0-d result as it is: a reshape would add a node that the backward pass walks too
    return y if y.dim() == 0 else y.reshape(())


class _Depth(threading.local):
    """How many differentiations are evaluating their function right now, in this thread.
    Inside one, a gradient must keep its own graph (create_graph) so the outer one can
    differentiate it: that is what makes {f:>x}:>x a second derivative. Outside, it is
    detached and cheap."""
    running = 0


_Depth = _Depth()


@interrupts.guard
def _differentiating(fn, *args):
    """fn(*args) counted as a running differentiation. The count is kept in a guarded
    frame: an interrupt cannot leave it raised, which would make every later gradient
    build graphs it never frees."""
    _Depth.running += 1
    try:
        interrupts.check()
        return fn(*args)
    finally:
        _Depth.running -= 1
        interrupts.check()


_MISSING = object()


@interrupts.guard
def _rebound(g, bindings, fn, *args):
    """fn(*args) with the globals g rebound as the dict bindings says, and put back after,
    whatever happens. An interrupt landing in this frame (the rebinding, the restore) waits
    until the globals are whole again; one inside fn stops fn."""
    saved = []
    for n in bindings:              # a loop, not a comprehension: that is one more frame
        saved.append((n, g.get(n, _MISSING)))
    try:
        g.update(bindings)
        interrupts.check()
        return fn(*args)
    finally:
        for n, v in saved:
            if v is _MISSING:
                g.pop(n, None)
            else:
                g[n] = v
        interrupts.check()


# _nested, _grad and _dual_ready loop plainly rather than through generators: a gradient of
# {+/x^2} at 10K elements takes some 35 µs, and the generators were 5% of it


def _nested(xs):
    if _Depth.running > 0:
        return True
    for x in xs:
        if x.grad_fn is not None:
            return True
    return False


def _grad(y, xs, name, nested):
    if not y.requires_grad:
        return [torch.zeros_like(x) for x in xs]
    gs = torch.autograd.grad(y, xs, create_graph=nested, allow_unused=True)
    return [torch.zeros_like(x) if g is None else g for x, g in zip(xs, gs)]


def _out(g):
    return scalar(g) if g.dim() == 0 else g


class FastPath:
    """One :> call site's use of dual numbers (see klongtorch.value.dual): on until the dual
    path has had to give way to torch once there."""
    __slots__ = ("on", "interp")

    def __init__(self, interp):
        self.on = True
        self.interp = interp


def _dual_ready(site, points):
    # the points' types first: a tensor, the common case, is then one test
    for p in points:
        if type(p) is not float and type(p) is not int:
            return False
    return (site is not None and site.on and _Depth.running == 0
            and ctx.real is torch.float64)


def _by_duals(site, run):
    """run() on duals, or None when the dual path gave way (globals restored)."""
    g = site.interp.globals
    return _dual_attempt(site, g, dict(g), run)


@interrupts.guard
def _dual_attempt(site, g, saved, run):
    """The body of _by_duals, in a guarded frame: the globals are put back whole, whether
    the dual path gives way or an interrupt stops it."""
    try:
        interrupts.check()
        return run()
    except (NotScalar, KlongError):
        g.clear()
        g.update(saved)
        site.on = False
        return None
    except BaseException:
        # an interrupt: no dual the function assigned may stay behind in a global
        g.clear()
        g.update(saved)
        raise
    finally:
        interrupts.check()


def _nilad_error(name, x):
    use = {":>": "loss:>w or loss:>[w b]", "∇": "w∇loss or [w b]∇loss",
           "∂": "w∂loss or [w b]∂loss"}.get(name, f"{name}(loss;:w)")
    return err(name, "type", text=f"the function is a nilad, so it ignores the point "
                                  f"{brief(x)}: a nilad needs a variable name or a symbol "
                                  f"list to differentiate with respect to ({use})")


def gradient(f, x, name=":>", site=None):
    """f:>x  Gradient
    The exact gradient of the scalar-valued function f at x, by torch autograd (at a
    single real, by dual numbers: the same derivative, faster). With a list of symbols,
    [w b], the gradients of the nilad f with respect to those globals; for a nilad and a
    variable, loss:>w, the gradient with respect to the global w. A nilad given a value,
    {w^2}:>3, is an error: it would ignore the 3.
    Examples: {x^2}:>3 --> 6.0    {+/x^2}:>[1 2 3] --> [2.0 4.0 6.0]"""
    f = to_callable(f, name)
    if f.arity == 0:
        raise _nilad_error(name, x)
    if _dual_ready(site, (x,)):
        d = _by_duals(site, lambda: dual.value(f.call1(Dual(float(x), 1.0))))
        if d is not None:
            return d
    x0 = _leaf(x, name)
    nested = _nested((x0,))
    y = _scalar_output(_differentiating(f.call1, x0), name)
    return _out(_grad(y, (x0,), name, nested)[0])


def _symbols(v):
    if type(v) is Symbol:
        return [v]
    if type(v) is list and v and all(type(e) is Symbol for e in v):
        return v
    return None


def _globals_named(interp, names, name):
    """The values of the globals names, each checked to be defined."""
    g = interp.globals
    for n in names:
        if n not in g:
            raise KlongError(f"kg: error: {name}: undefined: {n}")
    return [g[n] for n in names]


def _with_params(interp, names, body):
    """body(leaves) with the globals rebound to differentiable leaves; restored afterwards.
    Every leaf is made before any global changes, so a bad name changes nothing."""
    leaves = [_leaf(v, ":>") for v in _globals_named(interp, names, ":>")]
    return _rebound(interp.globals, dict(zip(names, leaves)), body, leaves)


def _dual_gradients(interp, f, names):
    """(value, gradients) of f by one dual pass per global."""
    g = interp.globals
    values = [g[n] for n in names]
    grads = []
    y = None
    for n, v in zip(names, values):
        d = Dual(float(v), 1.0)
        y = _rebound(g, {n: d}, f.call, ()) if f.arity == 0 else _rebound(g, {n: d}, f.call1, d)
        grads.append(dual.value(y))
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
        y = _differentiating(f.call, ()) if f.arity == 0 else _differentiating(f.call1, leaves[0])
        y = _scalar_output(y, ":>")
        return _out(y if nested else y.detach()), [_out(g) for g in _grad(y, leaves, ":>", nested)]
    return _with_params(interp, names, body)


def param_gradients(interp, f, names, single=False, site=None):
    """Gradients of f with respect to the globals named in names (one, if single)."""
    grads = value_and_gradients(interp, f, names, site)[1]
    return grads[0] if single else mklist(grads)


# -- points: a value, or globals named by a variable or symbols --------------------------------

def _at_global(interp, f, n):
    """f as a function of the global n: t -> f's value with n bound to t."""
    g = interp.globals
    if f.arity == 0:
        return lambda t: _rebound(g, {n: t}, f.call, ())
    return lambda t: _rebound(g, {n: t}, f.call1, t)


def _points(interp, f, x, var, name):
    """What to differentiate, by the nilad-and-variable rule: (fn, point) pairs and
    whether the answer is one result (a value or a variable) or a list (symbols)."""
    if var is not None and f.arity == 0:
        return [(_at_global(interp, f, var), _globals_named(interp, [var], name)[0])], True
    names = _symbols(x)
    if names is not None:
        names = [s.name for s in names]
        values = _globals_named(interp, names, name)
        return [(_at_global(interp, f, n), v) for n, v in zip(names, values)], type(x) is Symbol
    if f.arity == 0:
        raise _nilad_error(name, x)
    return [(f.call1, x)], True


def _each_point(interp, f, x, var, name, method):
    """method(fn, point, name) at x itself, or, for a nilad, at each global that x names
    (which needs an interpreter to find them in); one result, or a list of them."""
    if interp is None:
        if f.arity == 0:
            raise _nilad_error(name, x)
        return method(f.call1, x, name)
    pairs, single = _points(interp, f, x, var, name)
    out = [method(fn, p, name) for fn, p in pairs]
    return out[0] if single else mklist(out)


def _one_point(interp, f, x, name):
    """For .hessian, .jvp and .gradcheck: (fn, point) for the value x, or for one global
    named by a symbol (only with an interpreter to find it in)."""
    if interp is None:
        if f.arity == 0:
            raise _nilad_error(name, x)
        return f.call1, x
    pairs, single = _points(interp, f, x, None, name)
    if not single:
        raise err(name, "type", text="differentiate with respect to one global at a time (:w)")
    return pairs[0]


def _point(flat, base):
    """Where f is evaluated: a real for a scalar, as f(2.0) would be called in Klong (a 0-d
    tensor would make 1,x a real pair, and a dictionary key 1.0), else a tensor."""
    if base.dim() == 0:
        return flat.item() if ctx.real is torch.float64 else float(flat.to(ctx.real).item())
    return flat.reshape(base.shape).to(ctx.real)


def _numeric(fn, x, name):
    base = _leaf(x, name).detach().to(torch.float64)
    flat = base.reshape(-1)
    h = 1e-6
    out = torch.empty_like(flat)
    for i in range(flat.numel()):
        e = torch.zeros_like(flat)
        e[i] = h * max(1.0, abs(float(flat[i])))
        up = _scalar_output(fn(_point(flat + e, base)), name)
        dn = _scalar_output(fn(_point(flat - e, base)), name)
        out[i] = (up.double() - dn.double()) / (2 * e[i])
    return _out(out.reshape(base.shape))


def numeric_gradient(x, f, name="∇", interp=None, var=None):
    """x∇f  Numeric-Gradient
    The gradient of f at x by central differences in float64 (error about 1e-8). For a
    nilad, x names the globals, as for :> (w∇loss, [w b]∇loss).
    Example: 3∇{x^2} --> 6.000000000..."""
    return _each_point(interp, to_callable(f, name), x, var, name, _numeric)


def gradient_function(f):
    """∇f  Gradient-Function
    The function that gives f's gradient, by central differences as x∇f: (∇f)(x) is x∇f.
    As in KlongPy, where ∇ of one operand makes the gradient function.
    Example: g::∇{x^3};g(2) --> 12.000000000..."""
    fn = to_callable(f, "∇")
    interp = getattr(fn, "interp", None)

    def grad_at(x):
        return numeric_gradient(x, fn, "∇", interp)
    grad_at.__doc__ = gradient_function.__doc__
    return SysFunc("∇", 1, grad_at, interp)


def track(a):
    """˙a  Track
    a itself. KlongPy marks the values it will differentiate with ˙ (x::˙!5); klongtorch
    needs no mark, since :> ∇ and ∂ take any numeric value, so ˙ only lets such programs run.
    Example: ˙[1 2 3] --> [1 2 3]"""
    return a


def _tensor_result(fn):
    def at(t):
        y = fn(t)
        # a constant's value, on the device of the point (the Jacobian pairs the two)
        return y if type(y) is Tensor else torch.tensor(float(y), dtype=ctx.real,
                                                        device=t.device)
    return at


def _jacobian(fn, x, name):
    x0 = _leaf(x, name).detach()
    return _out(_differentiating(torch.autograd.functional.jacobian, _tensor_result(fn), x0))


def jacobian(f, x, name=".jacobian", interp=None, var=None):
    """.jacobian(f;x)  Jacobian
    The Jacobian matrix of f at x: J[i;j] is the derivative of output i by input j. For a
    nilad, x is a symbol or a list of them: .jacobian(f;:w), one Jacobian per global.
    Example: .jacobian({x^2};[1 2]) --> [[2.0 0.0] [0.0 4.0]]"""
    return _each_point(interp, to_callable(f, name), x, var, name, _jacobian)


def hessian(f, x, interp=None):
    """.hessian(f;x)  Hessian
    The matrix of second derivatives of the scalar function f at x (for a nilad, x is
    the symbol of a global, .hessian(loss;:w)).
    Example: .hessian({+/x^3};[1 2]) --> [[6.0 0.0] [0.0 12.0]]"""
    f = to_callable(f, ".hessian")
    fn, x = _one_point(interp, f, x, ".hessian")
    x0 = _leaf(x, ".hessian").detach()
    return _out(_differentiating(torch.autograd.functional.hessian,
                                 lambda t: _scalar_output(fn(t), ".hessian"), x0))


def jvp(f, x, v, interp=None):
    """.jvp(f;x;v)  Jacobian-Vector-Product
    The forward-mode directional derivative of f at x along v (J·v), without building J
    (for a nilad, x is the symbol of a global, .jvp(f;:w;v)).
    Example: .jvp({x^2};[1 2];[1 0]) --> [2.0 0.0]"""
    f = to_callable(f, ".jvp")
    fn, x = _one_point(interp, f, x, ".jvp")
    x0 = _leaf(x, ".jvp").detach()
    v0 = _leaf(v, ".jvp").detach().to(x0.dtype)
    if v0.shape != x0.shape:
        raise err(".jvp", "length", text=f"the direction v has shape {list(v0.shape)}, "
                                         f"the point x {list(x0.shape)}: they must match")
    return _out(_differentiating(_forward, _tensor_result(fn), x0, v0))


class _ForwardMode:
    """Whether torch's forward-mode decompositions are loaded (_load_forward_mode)."""
    loaded = False


def _load_forward_mode():
    """Load what torch loads at its first make_dual, in a critical section. That first call
    imports torch's forward-mode decompositions, compiling them with TorchScript, which
    parses Python source with `ast`: an interrupt landing in that parse left CPython's
    AST state inconsistent, and every later .jvp in the process failed with a SystemError
    (the interrupt storm found it, when .jvp was the first forward-mode work a process did)."""
    if _ForwardMode.loaded:
        return
    load = getattr(forward_ad, "_maybe_load_decompositions", None)   # private to torch
    with interrupts.critical:
        if load is not None:
            load()
        _ForwardMode.loaded = True


@interrupts.guard
def _forward(fn, x0, v0):
    """J·v by forward-mode dual tensors. torch keeps the dual level in global state, so
    entering and leaving it are critical: an interrupt in between would leave a level
    open for ever (torch.func.jvp has that flaw, so it is not used); fn stays interruptible."""
    _load_forward_mode()
    interrupts.enter()
    forward_ad.enter_dual_level()
    try:
        interrupts.leave()
        # the point also requires grad, which keeps every step's value a tensor (Klong
        # makes 0-d tensors that carry no gradient plain numbers, which would drop v)
        y = fn(forward_ad.make_dual(x0.detach().requires_grad_(True), v0))
        tangent = forward_ad.unpack_dual(y).tangent
        return torch.zeros_like(y).detach() if tangent is None else tangent.detach().clone()
    finally:
        interrupts.enter()
        forward_ad.exit_dual_level()
        interrupts.leave()


def gradcheck(f, x, interp=None):
    """.gradcheck(f;x)  Gradient-Check
    1 if the autograd gradient of f at x agrees with a numeric one (torch.autograd.gradcheck,
    in float64), else 0 (for a nilad, x is the symbol of a global, .gradcheck(loss;:w)).
    Example: .gradcheck({x^2};3.0) --> 1"""
    f = to_callable(f, ".gradcheck")
    at, x = _one_point(interp, f, x, ".gradcheck")
    x0 = _leaf(x, ".gradcheck").detach().to(torch.float64).requires_grad_(True)

    def fn(t):
        y = at(t)
        return y if type(y) is Tensor else torch.tensor(float(y), dtype=torch.float64,
                                                        device=t.device)
    def check():
        return int(torch.autograd.gradcheck(fn, (x0,), raise_exception=False))
    return _in_float64(lambda: _differentiating(check))


@interrupts.guard
def _in_float64(fn):
    saved = ctx.real, ctx.key
    try:
        ctx.real, ctx.key = torch.float64, None     # not any interpreter's settings now
        interrupts.check()
        return fn()
    finally:
        ctx.real, ctx.key = saved
        interrupts.check()


# -- the dyads, as the compiler calls them ---------------------------------------------------

class DyadForm:
    """How the compiler calls one differentiating dyad: run(interp, left, right, var,
    site). var_side is the operand that may name a global (the nilad-and-variable rule):
    when it is written as a variable, var is that global's name. lazy: that operand is then
    not evaluated by the compiled code, only looked up by run if it needs it (loss:>w never
    reads w when loss is a nilad). Each call site gets its own dual-number FastPath. The
    help text is the docstring of the function it runs."""

    def __init__(self, run, var_side, lazy):
        self.run, self.var_side, self.lazy = run, var_side, lazy
        self.__doc__ = run.__doc__

    def new_site(self, interp):
        return FastPath(interp)


def _global(interp, name):
    try:
        return interp.globals[name]
    except KeyError:
        raise undefined(name) from None


def grad_dyad(interp, f, x, var, site):
    fv = to_callable(f, ":>")
    if var is not None:
        if fv.arity == 0:
            return param_gradients(interp, fv, [var], single=True, site=site)
        x = _global(interp, var)
    names = _symbols(x)
    if names is not None:
        return param_gradients(interp, fv, [n.name for n in names], site=site)
    return gradient(fv, x, site=site)


def jacobian_dyad(interp, x, f, var, site):
    """x∂f  Jacobian
    The Jacobian matrix of f at x: J[i;j] is the derivative of output i by input j, as
    .jacobian(f;x). With a list of symbols, [w b]∂f gives one Jacobian per global.
    Example: [1 2]∂{x^2} --> [[2.0 0.0] [0.0 4.0]]"""
    return jacobian(f, x, "∂", interp, var)


def numeric_dyad(interp, x, f, var, site):
    return numeric_gradient(x, f, "∇", interp, var)


grad_dyad.__doc__ = gradient.__doc__
numeric_dyad.__doc__ = numeric_gradient.__doc__

DYADS = {":>": DyadForm(grad_dyad, "right", lazy=True),
         "∂": DyadForm(jacobian_dyad, "left", lazy=False),
         "∇": DyadForm(numeric_dyad, "left", lazy=False)}


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
    interp.compiler.special.update(DYADS)
    g = interp.globals
    for name, (op, doc) in MATH.items():
        g[name] = SysFunc(name, 1, _unary(name, op, doc), interp)
    for name, fn, arity in ((".jacobian", lambda f, x: jacobian(f, x, interp=interp), 2),
                            (".hessian", lambda f, x: hessian(f, x, interp), 2),
                            (".jvp", lambda f, x, v: jvp(f, x, v, interp), 3),
                            (".gradcheck", lambda f, x: gradcheck(f, x, interp), 2),
                            (".dot", dot, 2)):
        fn.__doc__ = fn.__doc__ or globals()[name[1:]].__doc__
        g[name] = SysFunc(name, arity, fn, interp)

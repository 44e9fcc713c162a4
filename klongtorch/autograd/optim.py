"""Built-in optimizers: train Klong globals in one or two lines.

    opt::.adam([w b];0.01)               the globals to train, then a learning rate...
    opt::.sgd(:w;:{[:lr 0.1] [:momentum 0.9]})     ...or a dictionary of options
    {opt(loss)}'!500                     each call is one step on the nilad loss; it returns
                                         the loss before the step

An optimizer is a Klong monad wrapping one of torch.optim's optimizers. At each step it
rebinds the globals to differentiable leaves, evaluates the loss, back-propagates, steps, and
writes the new values back into the globals as plain (gradient-free) values. A global that
the user reassigns between steps is picked up at the next one; the optimizer's state (momenta,
Adam's moments) is kept.
"""
import torch

from klongtorch.autograd.derivatives import _leaf, _rebound, _scalar_output
from klongtorch.display import progress
from klongtorch.runtime import interrupts
from klongtorch.value.errors import err
from klongtorch.value.functions import Function, SysFunc, to_callable
from klongtorch.value.values import Dict, Symbol, Tensor, items_of, scalar, value_of_key

# name -> (torch class, the options it takes, help). Options are spelled as in torch, except
# Adam's betas, which Klong passes as beta1 and beta2.
OPTIMIZERS = {
    ".sgd": (torch.optim.SGD, ("lr", "momentum", "dampening", "weight_decay", "nesterov"),
             """.sgd(p;o)  SGD-Optimizer
    Stochastic gradient descent for the globals p (a symbol, or a list of them: [w b]).
    o is the learning rate, or a dictionary of options: lr, momentum, dampening,
    weightdecay, nesterov (torch's spelling, weight_decay, works in strings too). The
    result is a monad: opt(loss) takes one step on the nilad loss and returns the loss.
    Example: w::10.0;loss::{w^2};opt::.sgd(:w;:{[:lr 0.1] [:momentum 0.9]});{opt(loss)}'!100"""),
    ".adam": (torch.optim.Adam, ("lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"),
              """.adam(p;o)  Adam-Optimizer
    Adam for the globals p (a symbol or a list of symbols). o is the learning rate, or a
    dictionary of options: lr, beta1, beta2, eps, weightdecay, amsgrad. opt(loss) takes
    one step on the nilad loss and returns the loss.
    Example: opt::.adam([w b];0.01);{opt(loss)}'!500"""),
    ".adamw": (torch.optim.AdamW, ("lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"),
               """.adamw(p;o)  AdamW-Optimizer
    Adam with decoupled weight decay, for the globals p; options as .adam's.
    Example: opt::.adamw([w b];:{[:lr 0.01] [:weightdecay 0.01]})"""),
    ".rmsprop": (torch.optim.RMSprop, ("lr", "alpha", "eps", "weight_decay", "momentum"),
                 """.rmsprop(p;o)  RMSprop-Optimizer
    RMSprop for the globals p; o is the learning rate or a dictionary of options: lr,
    alpha, eps, weightdecay, momentum.
    Example: opt::.rmsprop(:w;0.01)"""),
    ".adagrad": (torch.optim.Adagrad, ("lr", "lr_decay", "weight_decay", "eps"),
                 """.adagrad(p;o)  Adagrad-Optimizer
    Adagrad for the globals p; o is the learning rate or a dictionary of options: lr,
    lrdecay, weightdecay, eps.
    Example: opt::.adagrad(:w;0.5)"""),
}


def _names(p, who):
    items = [p] if type(p) in (Symbol, str) else items_of(p) if type(p) is list else None
    if not items or not all(type(e) in (Symbol, str) for e in items):
        raise err(who, "type", text="the parameters are a symbol or a list of symbols, e.g. [w b]")
    return [e.name if type(e) is Symbol else e for e in items]


def _options(o, allowed, who):
    if type(o) in (int, float):
        return {"lr": float(o)}
    if type(o) is not Dict:
        raise err(who, "type", text="the options are a learning rate or a dictionary, :{[:lr 0.1]}")
    out = {}
    for k, v in o.items():
        name = _option_name(value_of_key(k), allowed, who)
        out[name] = _option_number(v, name, who)
    return _torch_options(out)


def _option_name(k, allowed, who):
    """torch's name of the option that the key k names."""
    name = k.name if type(k) is Symbol else k if type(k) is str else None
    # Klong symbols have no underscore, so :weightdecay names torch's weight_decay
    name = {a.replace("_", ""): a for a in allowed}.get(name.replace("_", "") if name else name)
    if name is None:
        raise err(who, "index", text=f"unknown option {k!r}; known: {' '.join(a.replace('_', '') for a in allowed)}")
    return name


def _option_number(v, name, who):
    if type(v) is Tensor and v.dim() == 0:
        v = v.item()
    if type(v) not in (int, float):
        raise err(who, "type", text=f"option {name} must be a number")
    return v


def _torch_options(out):
    """The options as torch takes them: Adam's beta1 and beta2 as betas, flags as bools."""
    if "beta1" in out or "beta2" in out:
        out["betas"] = (out.pop("beta1", 0.9), out.pop("beta2", 0.999))
    for flag in ("nesterov", "amsgrad"):
        if flag in out:
            out[flag] = bool(out[flag])
    return out


class Optimizer(Function):
    """A torch optimizer over some Klong globals; calling it with a loss takes one step."""
    __slots__ = ("name", "interp", "names", "leaves", "written", "torch_opt", "steps")
    arity = 1

    def __init__(self, name, interp, names, cls, options):
        self.name = name
        self.interp = interp
        self.names = names
        g = interp.globals
        for n in names:
            if n not in g:
                raise err(name, "value", text=f"undefined: {n}")
        self.leaves = [_leaf(g[n], name).detach().clone().requires_grad_(True) for n in names]
        self.written = [g[n] for n in names]
        try:
            self.torch_opt = cls(self.leaves, **options)
        except (ValueError, TypeError) as e:
            raise err(name, "value", text=str(e)) from None
        self.steps = 0

    def _sync(self):
        """Take in any value the user assigned to a parameter since the last step."""
        g = self.interp.globals
        for i, n in enumerate(self.names):
            v = g.get(n)
            if v is not self.written[i]:
                new = _leaf(v, self.name).detach()
                if new.shape != self.leaves[i].shape:
                    raise err(self.name, "length",
                              text=f"{n} changed shape from {list(self.leaves[i].shape)} "
                                   f"to {list(new.shape)}; make a new optimizer")
                with torch.no_grad():
                    self.leaves[i].copy_(new)

    def call(self, args):
        if len(args) != 1:
            raise self.arity_error(len(args))
        loss = to_callable(args[0], self.name)
        if loss.arity != 0:
            raise err(self.name, "type", text="the loss must be a nilad, {...} over the globals "
                                              + " ".join(self.names))
        self._sync()
        g = self.interp.globals
        y = _scalar_output(_rebound(g, dict(zip(self.names, self.leaves)), loss.call, ()),
                           self.name)
        # Up to here only the leaves' .grad changed, and zero_grad clears that: an error or
        # an interrupt leaves the globals and the optimizer's state as they were
        self.torch_opt.zero_grad(set_to_none=True)
        if y.requires_grad:
            y.backward()
        self._commit(y.requires_grad)
        y = y.detach()
        if progress.tracking:           # the training loop's progress shows the loss
            progress.latest = y
        return scalar(y)

    @interrupts.guard
    def _commit(self, step):
        """The step and the new values of the globals, as one critical section: an
        interrupt waits for it (torch's step is Python code, so the guard alone would not
        cover it)."""
        interrupts.enter()
        try:
            if step:
                self.torch_opt.step()
            self.steps += 1
            g = self.interp.globals
            for i, (n, leaf) in enumerate(zip(self.names, self.leaves)):
                new = leaf.detach().clone()
                new = scalar(new) if new.dim() == 0 else new
                g[n] = self.written[i] = new
        finally:
            interrupts.leave()

    @property
    def klong_name(self):
        return "monad"


def install(interp):
    for name, (cls, allowed, doc) in OPTIMIZERS.items():
        def make(p, o, name=name, cls=cls, allowed=allowed):
            return Optimizer(name, interp, _names(p, name), cls, _options(o, allowed, name))
        make.__doc__ = doc
        interp.globals[name] = SysFunc(name, 2, make, interp)


__all__ = ["OPTIMIZERS", "Optimizer", "install"]

"""Python interop: bring Python modules, names and objects into Klong.

    .py("mymodel")                 every public name of mymodel.py (its __all__, if it has one)
    .pyf("torch";["exp" "tanh"])   just these names; one name may be a string on its own
    .pya(obj;"attr")               an attribute of a Python object (a module, a tensor, ...)
    .pyc(f;args;kwargs)            call a Python callable with a list of positional arguments
                                   and a dictionary of keyword arguments; f may also be
                                   an object and a method name: obj,,"method"

Modules are looked up beside the running script, in the current directory and on
KLONGPATH before sys.path, so a script's own helper modules sit beside it. Python callables receive Klong values as tensors,
numbers, strings, lists and dicts, and their tensor results come back unchanged, so autograd
flows through them. An object with no Klong form (a module, an optimizer) is kept as it is:
it prints as its str() shows it and can be passed back to Python.

For programs written for KlongPy: .bkf("exp") binds torch's function of that name; .py and
.pyf also take a file path ("lstm.py", "./optimizers.py", a package folder), imported under
its base name with its folder on sys.path while it loads; and a module's klongpy_exports
dictionary, when it has one, decides what .py binds.

The global `klong` holds the interpreter itself, for Python code that needs it, such as the
optimizer classes in examples/optimizers.py: `opt::SGDOptimizer(klong;["w"];:{["lr" 0.1]})`.
As in KlongPy, a function (or a class, by its __init__) imported with .py or .pyf whose
first parameter is named `klong` is given the interpreter there without being asked:
SGDOptimizer(["w"];:{["lr" 0.1]}) is the same call, and its arity leaves `klong` out. What
it receives is the interpreter seen through KlongPy's API (klongpy_compat.KlongInterpreter:
klong.call, klong._context, and every attribute of the interpreter itself); while a file
loads, `import klongpy` gives that API, so helpers written for KlongPy run unchanged.
"""
import importlib
import importlib.util
import inspect
import os
import sys

import torch

from klongtorch.ext import background
from klongtorch.ext.klongpy_compat import NAMES as KLONGPY_NAMES
from klongtorch.ext.klongpy_compat import as_klongpy, view
from klongtorch.runtime import interrupts
from klongtorch.value import pickling
from klongtorch.value.convert import PyFunc, klong_value, python_arity, to_python
from klongtorch.value.errors import KlongError, err
from klongtorch.value.functions import SysFunc, brief
from klongtorch.value.values import Dict, Tensor, ctx, items_of, scalar


def _klong_name(name):
    """Whether name can be a Klong variable (letters and digits, a letter first)."""
    return name.isidentifier() and name.isascii() and "_" not in name


def _search_dirs(script_dir):
    return [d for d in [script_dir, "."] + os.environ.get("KLONGPATH", ".:lib").split(":") if d]


def _module_path(name, script_dir):
    """The file or package folder a module name written as a path names ("lstm.py",
    "./optimizers.py", "lib/nets"), or None for a dotted module name such as "numpy"."""
    if not (name.endswith(".py") or "/" in name or os.sep in name):
        return None
    dirs = [""] if os.path.isabs(name) else _search_dirs(script_dir)
    for d in dirs:
        path = os.path.abspath(os.path.join(d, name))
        if os.path.isfile(path) or os.path.isfile(os.path.join(path, "__init__.py")):
            return path
    return ""


def _import_path(path, who, given):
    """Import a Python file (or a package folder) as KlongPy does: under its base name,
    its folder first on sys.path while it loads, so that it can import its neighbours.
    It runs again at each .py, so an edited file is picked up."""
    if path.endswith("__init__.py"):
        path = os.path.dirname(path)
    package = os.path.isdir(path)
    init = os.path.join(path, "__init__.py") if package else path
    name = os.path.splitext(os.path.basename(path.rstrip(os.sep)))[0]
    spec = importlib.util.spec_from_file_location(
        name, init, submodule_search_locations=[path] if package else None)
    if spec is None or not name.isidentifier():
        raise err(who, "import", text=f"{given}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    folder = os.path.dirname(path)
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    old = sys.modules.get(name)
    sys.modules[name] = module
    try:
        with as_klongpy():              # a helper written for KlongPy imports klongpy
            spec.loader.exec_module(module)
    except BaseException as e:
        if old is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = old
        if isinstance(e, (KlongError, KeyboardInterrupt)):
            raise
        if isinstance(e, ImportError):
            raise err(who, "import", text=f"{given}: {e}") from None
        raise err(who, "python", text=f"{given}: {type(e).__name__}: {e}") from None
    finally:
        if added and folder in sys.path:
            sys.path.remove(folder)
    return module


def _import(name, who, script_dir=None):
    path = _module_path(name, script_dir)
    if path == "":
        raise err(who, "import", text=f"{name}: no such Python file or package folder")
    if path is not None:
        return _import_path(path, who, name)
    if name.split(".")[0] == "klongpy" and name not in KLONGPY_NAMES:
        raise err(who, "import", text=f"{name}: a part of KlongPy that klongtorch does not "
                                      f"have (it has KlongPy's core Python API: "
                                      f"{', '.join(KLONGPY_NAMES)})")
    if name.startswith("."):
        raise err(who, "import", text=f"{name}: relative module names have no package here; "
                                      f"give a file path such as \"./{name.lstrip('.')}.py\"")
    dirs = _search_dirs(script_dir)
    added = [os.path.abspath(d) for d in dirs if os.path.abspath(d) not in sys.path]
    sys.path[:0] = added
    try:
        with as_klongpy():
            return importlib.import_module(name)
    except ImportError as e:
        raise err(who, "import", text=f"{name}: {e}") from None
    except Exception as e:          # the module itself failed while loading
        raise err(who, "python", text=f"{name}: {type(e).__name__}: {e}") from None
    finally:
        _unimport(added)


@interrupts.guard
def _unimport(added):
    """Take the folders added for an import off sys.path again (an interrupt waits)."""
    interrupts.enter()
    for d in added:
        if d in sys.path:
            sys.path.remove(d)
    interrupts.leave()


def _string(v, who):
    if type(v) is not str:
        raise err(who, "type", text=f"a module or attribute name must be a string, not {brief(v)}")
    return v


def _bind(interp, name, value, who):
    if not _klong_name(name):
        raise err(who, "name", text=f"{name!r} is not a Klong name (letters and digits only); "
                                    f"use .pya(module;{name!r}) instead")
    interp.globals[name] = _imported(value, interp)


def _imported(value, interp):
    """A name that .py or .pyf imports, as Klong sees it."""
    return klong_value(_passing_klong(_for_klong(value), interp), interp)


_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _after_klong(value):
    """The parameters after the first when a Python function's first parameter (a class's,
    after self) is named klong; None when it is not, or the callable has no signature."""
    if not callable(value) or hasattr(value, "call1"):
        return None
    try:
        params = list(inspect.signature(value).parameters.values())
    except (TypeError, ValueError):
        return None
    if not params or params[0].name != "klong" or params[0].kind not in _POSITIONAL:
        return None
    return params[1:]


def _passing_klong(value, interp):
    """value, given the interpreter as its first argument when its first parameter is named
    klong (KlongPy's convention). A call that already passes it, f(klong;...) as
    klongtorch's own examples do, is left as it is, so both spellings work."""
    rest = _after_klong(value)
    if rest is None:
        return value
    if any(p.kind == p.VAR_POSITIONAL for p in rest):
        arity = 1
    else:
        arity = min(3, sum(p.kind in _POSITIONAL and p.default is p.empty for p in rest))

    def call(*args):
        if args and args[0] is interp:
            return value(*args)
        return value(view(interp), *args)
    call.__name__ = getattr(value, "__name__", "python")
    call.__doc__ = value.__doc__
    return PyFunc(call, arity=arity, name=call.__name__, interp=interp)


def _exports(mod):
    """A module's klongpy_exports dictionary (name -> value), which decides what KlongPy
    binds from it, or None."""
    exports = getattr(mod, "klongpy_exports", None)
    if exports is None:
        return None
    if not isinstance(exports, dict) or not all(type(n) is str for n in exports):
        raise err(".py", "type", text=f"{getattr(mod, '__name__', 'the module')}.klongpy_exports "
                                      "must be a dictionary from names to values")
    return exports


def _for_klong(value):
    """torch's own functions take tensors only, so numbers and numeric lists from Klong are
    made tensors on the way in (integers int64, reals the interpreter's real dtype)."""
    if not callable(value) or isinstance(value, type) or \
            not (getattr(value, "__module__", None) or "").startswith("torch"):
        return value

    def call(*args):
        out = torch_call(value, [_tensor(a) for a in args], {})
        # a 0-d result is a Klong atom, a plain number, unless it carries a gradient
        return scalar(out) if type(out) is Tensor and out.dim() == 0 else out
    call.__name__ = getattr(value, "__name__", "torch")
    call.__doc__ = value.__doc__
    return PyFunc(call, arity=python_arity(value), name=call.__name__)


def torch_call(fn, args, kwargs):
    """fn(*args, **kwargs) for a torch function, its reals in the interpreter's dtype.
    torch makes reals from integers (exp(1), linspace(0;1), rand(3)) in float32, its
    default, so such a call is made again: on reals of the interpreter's dtype, or, for a
    function that makes a tensor, with that dtype asked for."""
    out = fn(*args, **kwargs)
    if type(out) is not Tensor or not out.is_floating_point() or out.dtype == ctx.real or \
            "dtype" in kwargs or \
            any(type(a) is Tensor and a.is_floating_point() for a in args):
        return out
    head = (getattr(fn, "__doc__", None) or "").strip().split("\n", 1)[0]
    try:
        if "dtype" in head:
            return fn(*args, dtype=ctx.real, **kwargs)
        if any(type(a) is Tensor for a in args):
            return fn(*[a.to(ctx.real) if type(a) is Tensor else a for a in args], **kwargs)
    except (TypeError, ValueError, RuntimeError):
        pass                        # the second form is not for this function: keep the first
    return out


def _tensor(v):
    t = type(v)
    if t is int:
        return torch.tensor(v, device=ctx.device)
    if t is float:
        return torch.tensor(v, dtype=ctx.real, device=ctx.device)
    if t is list:
        try:
            return torch.tensor(v, device=ctx.device)
        except (TypeError, ValueError, RuntimeError):
            return v
    return v


class Python:
    """The system functions; each docstring is its help text."""

    def __init__(self, interp):
        self.interp = interp

    def py(self, module):
        """.py(m)  Python-Import
        Import the Python module named m and define each of its public names (its __all__,
        or the names not starting with _) as a Klong global. Names that are not Klong names
        are skipped. Returns the module. Modules beside the script and on KLONGPATH are found.
        Example: .py("math");sqrt(2.0) --> 1.4142135623730951"""
        name = _string(module, ".py")
        mod = _import(name, ".py", self.interp.script_dir)
        exports = _exports(mod)
        if exports is not None:
            for n, v in exports.items():
                if _klong_name(n):      # as below: a name Klong cannot spell is skipped
                    _bind(self.interp, n, v, ".py")
            return mod
        names = getattr(mod, "__all__", None)
        if names is None:
            names = [n for n in vars(mod) if not n.startswith("_")]
        for n in names:
            if _klong_name(n) and hasattr(mod, n):
                self.interp.globals[n] = _imported(getattr(mod, n), self.interp)
        return mod

    def pyf(self, module, names):
        """.pyf(m;names)  Python-From-Import
        Import the names (a string, or a list of strings) from the Python module m as
        Klong globals. Python functions become Klong functions of their arity; tensors
        pass through them, so gradients flow.
        Example: .pyf("torch";["exp" "tanh"]);tanh(0.5) --> 0.46211715726..."""
        mod = _import(_string(module, ".pyf"), ".pyf", self.interp.script_dir)
        exports = _exports(mod) or {}
        wanted = [names] if type(names) is str else items_of(names)
        for n in wanted:
            n = _string(n, ".pyf")
            if n in exports:
                _bind(self.interp, n, exports[n], ".pyf")
                continue
            if not hasattr(mod, n):
                raise err(".pyf", "import", text=f"{module} has no name {n!r}")
            _bind(self.interp, n, getattr(mod, n), ".pyf")
        return len(wanted)

    def bkf(self, names):
        """.bkf(names)  Backend-Function
        Bind torch's functions of these names (a string, or a list of strings) as Klong
        globals, as KlongPy's .bkf does for its back end. They work on the interpreter's
        device and real dtype and keep gradients, so {exp(x)}:>0.0 is 1.0.
        Example: .bkf(["exp" "tanh"]);exp(1) --> 2.718281828459045"""
        wanted = [names] if type(names) is str else items_of(names) if type(names) is list else None
        if not wanted or not all(type(n) is str for n in wanted):
            raise err(".bkf", "type", text="the names are a string or a list of strings, "
                                           "[\"exp\" \"sin\"]")
        for n in wanted:
            fn = getattr(torch, n, None)
            if not callable(fn) or isinstance(fn, type) or n.startswith("_"):
                raise err(".bkf", "index", text=f"torch has no function named {n!r}")
            _bind(self.interp, n, fn, ".bkf")
        return len(wanted)

    def pya(self, obj, attr):
        """.pya(o;a)  Python-Attribute
        The attribute named a of the Python object o: a module's function, a tensor's
        shape, an object's field.
        Example: .pya(.py("math");"pi") --> 3.141592653589793"""
        name = _string(attr, ".pya")
        try:
            # a callable object (a module, an exported program) came in as a PyFunc
            return klong_value(getattr(obj.fn if isinstance(obj, PyFunc) else obj, name), self.interp)
        except AttributeError:
            raise err(".pya", "index", text=f"{type(obj).__name__} has no attribute {name!r}") from None

    def pyc(self, fn, args, kwargs):
        """.pyc(f;args;kw)  Python-Call
        Call the Python callable f with the list of positional arguments args and the
        dictionary of keyword arguments kw (:{} for none). f may be a pair of an object and
        a method's name, o,,"name".
        Example: .pyc(.pya(.py("torch");"linspace");[0 1];:{["steps" 3]}) --> [0.0 0.5 1.0]"""
        if type(fn) is list and len(fn) == 2 and type(fn[1]) is str:
            fn = self.pya(fn[0], fn[1])
        target = fn.fn if isinstance(fn, PyFunc) else fn
        if not callable(target):
            raise err(".pyc", "type", text=f"not callable: {brief(fn)}")
        if type(kwargs) is not Dict:
            raise err(".pyc", "type", text="keyword arguments must be a dictionary, :{} for none")
        positional = [python_arg(a) for a in ([] if args == [] else items_of(args))]
        keywords = {str(k): python_arg(v) for k, v in to_python(kwargs).items()}
        try:
            if (getattr(target, "__module__", None) or "").startswith("torch"):
                return klong_value(torch_call(target, positional, keywords), self.interp)
            return klong_value(target(*positional, **keywords), self.interp)
        except (KlongError, KeyboardInterrupt):
            raise
        except Exception as e:
            raise err(".pyc", "python", text=f"{type(e).__name__}: {e}") from None


def python_arg(v):
    """A Klong value as Python code expects it: tensors stay tensors, dictionaries become
    dicts, symbols strings."""
    return v if type(v) is Tensor else to_python(v)


ARITIES = {"py": 1, "pyf": 2, "pya": 2, "pyc": 3, "bkf": 1}


def install(interp):
    funcs = Python(interp)
    for name, arity in ARITIES.items():
        interp.globals["." + name] = SysFunc("." + name, arity, getattr(funcs, name), interp)
    interp.globals["klong"] = interp
    background.install(interp)
    pickling.remember(interp)


__all__ = ["install", "klong_value", "python_arg"]

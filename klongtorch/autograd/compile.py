"""Compilation: a Klong function captured as a graph of torch operations, then compiled.

    cf::.compile(f;x)             capture f at the example x, compile with torch.compile
    cf::.compilex(f;x;opts)       the same with options: :{["mode" "max-autotune"]}
    info::.export(f;x;"f.pt2")    save a torch.export program; a dict with compiled_fn,
                                  export_path and graph
    .graph(f;x)                   the captured graph as text, without compiling
    .cmodes()                     what this machine supports

Capture runs the interpreter once on the example under torch's dispatch tracer
(make_fx): every torch operation the interpreter performs is recorded, and nothing else, so
the graph holds aten operations and no interpreter steps. The example's floating inputs
require grad while tracing, which keeps the interpreter on its graph-preserving paths (no
tensor is turned into a Python number). `.export` then hands that graph to non-strict
torch.export, which sees plain aten calls.

Capture fails where the function's control flow depends on the data (a conditional on x,
a while loop, an index computed from values). Then the result falls back to running the
interpreter, and says so once on stderr, unless the options ask for "fallback" "error" or
"fullgraph" 1. A captured graph is checked against the interpreter on the example: a graph
that disagrees (a value baked in by a branch) is not used either.

Compiling does not pay everywhere: a compiled call has a fixed cost of its own (torch.compile's
guards and wrapper, some 20 µs), and inductor's CPU code for a reduction runs on one thread
where eager torch spreads each operation over all of them, so below about 100K elements the
interpreter can be faster (measured on two cores: 0.22 ms compiled against 0.19 eager for
the notebook's activation function at 100K). So for each size class of the arguments (a
power of two of their elements) the first calls time both, alternately, and the faster one
serves that size from then on (Chooser); `.compile` says so when the interpreter wins at
the example's size, for an example of NOTE_FROM elements or more. The answers are the same
either way (the graph was checked against the interpreter).

Graphs are captured for the shapes, dtypes and device of the arguments: a call with new
shapes captures again (cached). With "dynamic" 1, torch.compile makes shape-generic code,
and a graph captured at other shapes is used for new ones when it computes what the
interpreter does there (checked once per shape), so most functions compile once.
"""
import html
import importlib.util
import re
import shutil
import sys
import time

import torch

from klongtorch.display import progress
from klongtorch.value.errors import KlongError, err
from klongtorch.value.functions import Function, SysFunc, to_callable
from klongtorch.value.values import UNDEF, Dict, Tensor, ctx, mklist, scalar, value_of_key

MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")
BACKENDS = ("inductor", "eager", "aot_eager", "cudagraphs")
OPTIONS = ("mode", "backend", "fullgraph", "dynamic", "fallback", "choose")
FALLBACKS = ("interpret", "error")

NO_CXX = ("the inductor backend needs a C++ compiler (g++ or clang++) and none was found: "
          "install one (apt install g++; xcode-select --install on macOS; or set CXX), or "
          'use .compilex(f;x;:{["backend" "eager"]})')


class CaptureError(Exception):
    """The function could not be captured as a graph; the message says why."""


# -- what this machine has -------------------------------------------------------------------

def cxx():
    """The C++ compiler inductor would use, or None."""
    try:
        # optional: a private module of torch's, which a build may lack or move
        from torch._inductor.cpp_builder import get_cpp_compiler
        found = get_cpp_compiler()
    except Exception:
        return None
    return shutil.which(found) or None


def _has_triton():
    """Whether triton, which inductor needs to generate GPU code, is installed."""
    return importlib.util.find_spec("triton") is not None


def cmodes():
    """.cmodes()  Compile-Modes
    What this machine supports for .compilex: a dictionary with "modes" (every torch
    compile mode; reduce-overhead and max-autotune add CUDA graphs on a GPU and skip them
    elsewhere), "backends" (the ones that can run here), "device", "cxx" (the C++
    compiler, "" if none), "cuda", and "recommendations", a dictionary of situation ->
    options.
    Example: (.cmodes())?"modes" --> ["default" "reduce-overhead" "max-autotune" ...]"""
    compiler = cxx()
    device = ctx.device.type
    cuda = torch.cuda.is_available()
    backends = ["eager", "aot_eager"]
    gpu_inductor = device == "cuda" and _has_triton()
    if (device == "cpu" and compiler) or gpu_inductor:
        backends.insert(0, "inductor")
    if cuda:
        backends.append("cudagraphs")
    best = "inductor" if "inductor" in backends else "eager"
    recommendations = Dict({
        "development": Dict({"backend": "eager"}),
        "training": Dict({"backend": "aot_eager" if best == "eager" else best}),
        "inference": Dict({"backend": best, "mode": "max-autotune" if best == "inductor" else "default"}),
        "small inputs": Dict({"backend": best, "mode": "reduce-overhead" if cuda else "default"}),
    })
    return Dict({
        "modes": mklist(list(MODES)),
        "backends": mklist(backends),
        "device": str(ctx.device),
        "cxx": compiler or "",
        "cuda": int(cuda),
        "recommendations": recommendations,
    })


# -- capture ---------------------------------------------------------------------------------

def _tensor_arg(v, who):
    """An argument as the tensor the graph takes."""
    t = type(v)
    if t is Tensor:
        return v                  # not detached: compiled graphs are differentiable too
    if t is float:
        return torch.tensor(v, dtype=ctx.real, device=ctx.device)
    if t is int:
        return torch.tensor(v, device=ctx.device)
    if t is list:
        try:
            return torch.tensor(v, device=ctx.device)
        except (TypeError, ValueError, RuntimeError):
            pass
    raise err(who, "type", text="compiled functions take numbers and numeric arrays")


def _signature(tensors):
    return tuple((tuple(t.shape), t.dtype, t.device) for t in tensors)


def _data_dependent(e):
    """Whether an exception from tracing means the control flow depends on the data."""
    text = str(e)
    return "get value out of a tracing tensor" in text or "data-dependent" in text


def capture(fn, tensors, who):
    """fn traced at tensors as a torch.fx GraphModule of aten operations."""
    # start-up: torch.fx's tracing machinery, which only .compile needs
    from torch.fx.experimental.proxy_tensor import make_fx

    def run(*args):
        return fn.call(args) if fn.arity != 1 else fn.call1(args[0])

    # floating inputs require grad while tracing, so that the interpreter keeps tensors as
    # tensors where it would otherwise hand out Python numbers (see values.scalar)
    examples = [t.detach().clone().requires_grad_(t.dtype.is_floating_point) for t in tensors]
    try:
        gm = make_fx(run, tracing_mode="real")(*examples)
    except KlongError as e:
        cause = e.__cause__ or e
        if _data_dependent(cause):
            raise CaptureError("its control flow depends on the values of its arguments "
                               "(a conditional, a loop or an index computed from them)") from None
        raise
    except RecursionError:
        raise
    except Exception as e:
        if _data_dependent(e):
            raise CaptureError("its control flow depends on the values of its arguments") from None
        raise CaptureError(f"{type(e).__name__}: {str(e).splitlines()[0]}") from None
    _strip_detaches(gm)
    return gm


NO_OPS = (torch.ops.aten.detach.default, torch.ops.aten.alias.default)


def _strip_detaches(gm):
    """Tidy a fresh capture: drop the detach steps that tracing with requires_grad inputs
    records (no-ops in the captured function), and fold the work done on constants alone
    (a literal 2 made a tensor, then cast to float64) into one constant each. The graph
    then reads as the computation, and does not redo the casts on every call."""
    _drop_no_ops(gm.graph)
    _fold_constants(gm)
    gm.graph.eliminate_dead_code()
    _drop_unused_buffers(gm)
    gm.recompile()


def _drop_no_ops(g):
    for node in list(g.nodes):
        if node.op == "call_function" and node.target in NO_OPS:
            node.replace_all_uses_with(node.args[0])
            g.erase_node(node)


def _is_constant(node, constant):
    """Whether node depends on constants only: a buffer, or an operation on such nodes."""
    inputs = node.all_input_nodes
    return node.op == "get_attr" or (node.op == "call_function" and bool(inputs)
                                     and all(i in constant for i in inputs))


def _fold_constants(gm):
    """Each operation on constants that a non-constant node uses becomes one buffer,
    computed now (the operations before it are left to dead-code elimination)."""
    g = gm.graph
    constant = set()
    folded = 0
    for node in list(g.nodes):
        if _is_constant(node, constant):
            constant.add(node)
            continue
        for i in node.all_input_nodes:
            if i in constant and i.op == "call_function":
                name = f"_const{folded}"
                folded += 1
                gm.register_buffer(name, _evaluate(gm, i))
                with g.inserting_before(i):
                    attr = g.get_attr(name)
                i.replace_all_uses_with(attr)
                constant.add(attr)


def _drop_unused_buffers(gm):
    used = {n.target for n in gm.graph.nodes if n.op == "get_attr"}
    for name in [n for n in gm._buffers if n not in used]:
        del gm._buffers[name]


def _evaluate(gm, node):
    """The value of a node that depends on constants only."""
    def value(n):
        if n.op == "get_attr":
            return getattr(gm, n.target)
        args = torch.fx.node.map_arg(n.args, value)
        kwargs = torch.fx.node.map_arg(n.kwargs, value)
        return n.target(*args, **kwargs)
    with torch.no_grad():
        return value(node).detach()


def graph_text(gm):
    """A GraphModule's code, the torch operations one per line, without the statements
    that free temporaries (`;  t = None`)."""
    lines = []
    for line in gm.code.split("\n"):
        line = re.sub(r";\s+[\w\s=]+= None$", "", line.rstrip())
        if line.strip():
            lines.append(line)
    return "\n".join(lines)


def aten_ops(gm):
    """The operations a graph calls, in order (for tests and summaries)."""
    return [n.target for n in gm.graph.nodes if n.op == "call_function"]


# -- the compiled function -----------------------------------------------------------------------

def _klong_result(out):
    if type(out) is Tensor:
        return scalar(out) if out.dim() == 0 else out
    if isinstance(out, (list, tuple)):
        return mklist([_klong_result(o) for o in out])
    return out


COMPILED, INTERPRETED = "compiled", "interpreted"
TRIALS = 3                  # timed calls of each way per size class before choosing
NOTE_FROM = 1000            # elements of the example from which .compile says it


class Chooser:
    """Which way serves each size class: the compiled graph or the interpreter, whichever
    was faster in TRIALS timed calls of each, taken alternately so that a busy moment of
    the machine falls on both."""
    __slots__ = ("chosen", "times")

    def __init__(self):
        self.chosen = {}        # size class -> COMPILED | INTERPRETED
        self.times = {}         # size class -> ([compiled seconds], [interpreted seconds])

    def way(self, size):
        """The way to run a call of this size class, and whether to time it."""
        chosen = self.chosen.get(size)
        if chosen is not None:
            return chosen, False
        compiled, interpreted = self.times.setdefault(size, ([], []))
        return (COMPILED if len(compiled) <= len(interpreted) else INTERPRETED), True

    def record(self, size, way, seconds):
        """Note a timed call; True when this call settled the size class's way."""
        compiled, interpreted = self.times[size]
        (compiled if way == COMPILED else interpreted).append(seconds)
        if len(interpreted) < TRIALS or len(compiled) < TRIALS:
            return False
        faster = sorted(compiled)[TRIALS // 2] <= sorted(interpreted)[TRIALS // 2]
        self.chosen[size] = COMPILED if faster else INTERPRETED
        return True

    def medians(self, size):
        return tuple(sorted(ts)[len(ts) // 2] for ts in self.times.get(size, ([0], [0])))


_CUDA_GRAPH_MODES = ("reduce-overhead", "max-autotune")


def _cloned(out):
    if type(out) is Tensor:
        return out.clone()
    if isinstance(out, (list, tuple)):
        return type(out)(_cloned(o) for o in out)
    return out


def _synchronizer(tensors):
    """A function that waits for the device of tensors to finish its queued work (CUDA and
    MPS run behind Python), or does nothing on the CPU."""
    devices = {t.device for t in tensors}
    # each GPU the tensors are on, which need not be the current one (cuda:1)
    cuda = [d for d in devices if d.type == "cuda"]
    if cuda:
        return lambda: [torch.cuda.synchronize(d) for d in cuda]
    if any(d.type == "mps" for d in devices):
        return torch.mps.synchronize
    return lambda: None


def _size_class(tensors):
    return sum(t.numel() for t in tensors).bit_length()


class Compiled(Function):
    """A Klong function captured as a torch graph and compiled (see the module doc)."""
    __slots__ = ("fn", "arity", "name", "interp", "options", "graphs", "fallback_reason",
                 "warned", "compile_seconds", "chooser")

    def __init__(self, fn, interp, options, name=".compile"):
        self.fn = fn
        self.arity = fn.arity
        self.name = name
        self.interp = interp
        self.options = options
        self.graphs = {}                  # signature -> (GraphModule, compiled callable)
        self.fallback_reason = None
        self.warned = False
        self.compile_seconds = 0.0
        self.chooser = Chooser()

    # the first capture happens at .compile time, so that errors show there; the example's
    # size is timed both ways then too, so that .compile can say where compiling does not pay
    def prepare(self, args):
        tensors = [_tensor_arg(a, self.name) for a in args]
        entry = self._entry(tensors, args)
        if entry is not None and self.options.get("choose", 1):
            size = _size_class(tensors)
            while size not in self.chooser.chosen:
                self._run(entry, tensors, args)
            n = sum(t.numel() for t in tensors)
            # said of arrays only: that a scalar function is faster uncompiled is no news
            if self.chooser.chosen[size] == INTERPRETED and n >= NOTE_FROM:
                compiled, interpreted = self.chooser.medians(size)
                sys.stderr.write(
                    f"kg: note: {self.name}: at {n} elements the interpreter is faster "
                    f"({interpreted * 1e3:.3g} ms a call against {compiled * 1e3:.3g} ms "
                    "compiled), so calls of this size run interpreted; compiling pays on "
                    "larger arrays\n")
        return self

    def _run(self, entry, tensors, args):
        """One call, the compiled way or the interpreter's, as the chooser says."""
        if not self.options.get("choose", 1):
            return self._compiled(entry, tensors)
        size = _size_class(tensors)
        way, timed = self.chooser.way(size)
        if not timed:
            if way == COMPILED:
                return self._compiled(entry, tensors)
            return self.fn.call(tuple(args))
        sync = _synchronizer(tensors)     # a GPU runs behind Python: time the work, not
        sync()                             # the launches
        start = time.perf_counter()
        out = self._compiled(entry, tensors) if way == COMPILED else \
            self.fn.call(tuple(args))
        sync()
        self.chooser.record(size, way, time.perf_counter() - start)
        return out

    def _compiled(self, entry, tensors):
        """The compiled graph's answer. In the modes that replay CUDA graphs, torch reuses
        an answer's memory in the next call: a Klong value must outlive that, so it is
        copied out."""
        out = entry[1](*tensors)
        if self.options.get("mode") in _CUDA_GRAPH_MODES and \
                any(t.device.type == "cuda" for t in tensors):
            out = _cloned(out)
        return _klong_result(out)

    def _entry(self, tensors, args):
        sig = _signature(tensors)
        entry = self.graphs.get(sig)
        if entry is None:
            entry = self._reuse(tensors, args) if self.options.get("dynamic") else None
            if entry is None:
                entry = self._build(tensors, args)
            self.graphs[sig] = entry
        return entry

    def _reuse(self, tensors, args):
        """With "dynamic" 1, a graph captured at other shapes serves new ones when it
        computes what the interpreter does there: most graphs (elementwise work, reductions)
        do not depend on the sizes, and torch.compile(dynamic=True) made shape-generic code
        for them, so nothing is captured or compiled again."""
        entries = list({id(e): e for e in self.graphs.values() if e is not None}.values())
        if not entries:
            return None
        want = _interpret(self.fn, args)
        for entry in entries:
            try:
                if _close(entry[0](*tensors), want):
                    return entry
            except Exception:           # a size baked into the graph (a reshape, a take)
                continue
        return None

    def _build(self, tensors, args):
        start = time.perf_counter()
        try:
            gm = capture(self.fn, tensors, self.name)
            _check_same(gm, self.fn, tensors, args)
        except CaptureError as e:
            return self._fall_back(str(e))
        compiled = compile_graph(gm, self.options, self.name)
        try:
            # compile now: a missing compiler shows here; it takes seconds, so say so
            with progress.stage(f"{self.name}: compiling with torch.compile"):
                compiled(*tensors)
        except KlongError:
            raise
        except Exception as e:
            raise _compile_error(e, self.name) from None
        self.compile_seconds += time.perf_counter() - start
        return gm, compiled

    def _fall_back(self, reason):
        if self.options.get("fallback") == "error" or self.options.get("fullgraph"):
            raise err(self.name, "capture", text=f"cannot capture the function: {reason}")
        self.fallback_reason = reason
        if not self.warned:
            self.warned = True
            sys.stderr.write(f"kg: warning: {self.name}: running uncompiled: {reason}\n")
        return None

    def call(self, args):
        if len(args) != self.arity:
            raise self.arity_error(len(args))
        tensors = [_tensor_arg(a, self.name) for a in args]
        entry = self._entry(tensors, args)
        if entry is None:
            return self.fn.call(tuple(args))
        return self._run(entry, tensors, args)

    def call1(self, x):
        return self.call((x,))

    @property
    def captured(self):
        """The distinct graphs captured so far (with "dynamic" 1, shapes may share one)."""
        entries = {id(e): e for e in self.graphs.values() if e is not None}
        return [gm for gm, _ in entries.values()]

    def graph(self):
        gms = self.captured
        if not gms:
            return f"(not captured: {self.fallback_reason})"
        return graph_text(gms[-1])

    def _repr_mimebundle_(self, include=None, exclude=None):
        opts = " ".join(f"{k}={v}" for k, v in self.options.items()) or "default options"
        if self.captured:
            head = (f"compiled {self.fn.klong_name}, {len(aten_ops(self.captured[-1]))} torch "
                    f"operations, {opts}, in {self.compile_seconds:.1f} s")
        else:
            head = f"uncompiled {self.fn.klong_name}: {self.fallback_reason}"
        body = self.graph() if self.captured else ""
        return {"text/html": f"<div><b>{html.escape(head)}</b><pre>{html.escape(body)}</pre></div>"}


def _interpret(fn, args):
    return fn.call(tuple(args)) if fn.arity != 1 else fn.call1(args[0])


def _check_same(gm, fn, tensors, args):
    """A captured graph must compute what the interpreter computes on the example."""
    want = _interpret(fn, args)
    got = gm(*tensors)
    if not _close(got, want):
        raise CaptureError("the captured graph does not reproduce the function "
                           "(its result depends on values, not only on operations)")


def _close(got, want):
    if type(want) in (int, float):
        want = torch.tensor(want)
    if type(want) is Tensor:
        if type(got) is not Tensor or got.shape != want.shape:
            return False
        return bool(torch.allclose(got.detach().cpu().double(), want.detach().cpu().double(),
                                   rtol=1e-6, atol=1e-9, equal_nan=True))
    if isinstance(got, (list, tuple)) and type(want) is list:
        return len(got) == len(want) and all(_close(g, w) for g, w in zip(got, want))
    return False


def compile_graph(gm, options, who):
    backend = options.get("backend", "inductor")
    kwargs = {"backend": backend, "fullgraph": bool(options.get("fullgraph", 0))}
    if "mode" in options and backend == "inductor":
        kwargs["mode"] = options["mode"]
    if "dynamic" in options:
        kwargs["dynamic"] = bool(options["dynamic"])
    if backend == "inductor" and ctx.device.type == "cpu" and cxx() is None:
        raise err(who, "compile", text=NO_CXX)
    try:
        return torch.compile(gm, **kwargs)
    except Exception as e:
        raise _compile_error(e, who) from None


def _compile_error(e, who):
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    if "C++ compiler" in text or "InvalidCxxCompiler" in type(e).__name__:
        return err(who, "compile", text=NO_CXX)
    return err(who, "compile", text=f"{type(e).__name__}: {text}")


# -- options ----------------------------------------------------------------------------------

def _options(v, who):
    if v is UNDEF or v == [] or v == "":
        return {}
    if type(v) is not Dict:
        raise err(who, "type", text='options are a dictionary, e.g. :{["mode" "max-autotune"]}')
    out = {}
    for k, x in v.items():
        k = value_of_key(k)
        name = getattr(k, "name", k)
        if name not in OPTIONS:
            raise err(who, "index", text=f"unknown option {name!r}; known: {' '.join(OPTIONS)}")
        if type(x) is Tensor and x.dim() == 0:
            x = x.item()
        out[name] = getattr(x, "name", x)
    checks = {"mode": MODES, "backend": BACKENDS, "fallback": FALLBACKS}
    for name, allowed in checks.items():
        if name in out and out[name] not in allowed:
            raise err(who, "value", text=f"{name} must be one of: {' '.join(allowed)}")
    for flag in ("fullgraph", "dynamic", "choose"):
        if flag in out and out[flag] not in (0, 1):
            raise err(who, "value", text=f"{flag} must be 0 or 1")
    return out


def _args(x, arity):
    """The example argument(s): x itself for a monad, the elements of x for a dyad or triad."""
    if arity <= 1:
        return [x] if arity == 1 else []
    if type(x) is list and len(x) == arity:
        return list(x)
    if type(x) is Tensor and x.dim() > 0 and x.shape[0] == arity:
        return list(x.unbind(0))
    raise err(".compile", "length", text=f"a {arity}-argument function needs a list of {arity} "
                                         "example arguments")


# -- the system functions -------------------------------------------------------------------

def compile_fn(f, x):
    """.compile(f;x)  Compile
    Capture the function f, run at the example argument x, as a graph of torch
    operations, and compile it with torch.compile (inductor). The result is a function
    that runs the graph, with no interpreter steps; a dyad takes a list of two examples.
    If f's control flow depends on its data, the result runs f uncompiled and says so.
    Where the interpreter is faster (small arrays), calls of that size run interpreted, and
    .compile says so when that is the example's size.
    Example: cf::.compile({(x^3)+(2*x^2)+x};2.0);cf(3.0) --> 48.0"""
    return compilex(f, x, Dict())


def compilex(f, x, options):
    """.compilex(f;x;o)  Compile-With-Options
    .compile with a dictionary of options: "mode" (default, reduce-overhead,
    max-autotune), "backend" (inductor, eager, aot_eager, cudagraphs), "fullgraph" 1 (fail
    instead of falling back), "dynamic" 1 (shape-generic code) or 0, "fallback"
    ("interpret", the default, or "error"), and "choose" 0 (always run the compiled code;
    by default each size runs whichever of compiled and interpreted was faster in its first
    calls). .cmodes() tells what this machine supports.
    Example: cf::.compilex({x^2};3.0;:{["backend" "eager"]});cf(5.0) --> 25.0"""
    fn = to_callable(f, ".compilex")
    opts = _options(options, ".compilex")
    interp = getattr(fn, "interp", None)
    return Compiled(fn, interp, opts).prepare(_args(x, fn.arity))


def graph(f, x):
    """.graph(f;x)  Graph
    The torch operations the function f performs at the example x, as text: what
    .compile captures and compiles.
    Example: .p(.graph({+/x^2};[1.0 2.0]))"""
    fn = to_callable(f, ".graph")
    tensors = [_tensor_arg(a, ".graph") for a in _args(x, fn.arity)]
    try:
        return graph_text(capture(fn, tensors, ".graph"))
    except CaptureError as e:
        raise err(".graph", "capture", text=f"cannot capture the function: {e}") from None


def export(f, x, path):
    """.export(f;x;p)  Export
    Capture f at the example x and save it as a torch.export program in the file p (a
    .pt2, which torch.export.load(p).module() runs). Returns a dictionary: "compiled_fn"
    (the compiled function), "export_path" and "graph" (the exported graph as text).
    Example: info::.export({(x^3)+(2*x^2)+x};2.0;"poly.pt2");.p(info?"graph")"""
    fn = to_callable(f, ".export")
    if type(path) is not str:
        raise err(".export", "type", text="the path must be a string")
    args = _args(x, fn.arity)
    tensors = [_tensor_arg(a, ".export") for a in args]
    try:
        gm = capture(fn, tensors, ".export")
        _check_same(gm, fn, tensors, args)
    except CaptureError as e:
        raise err(".export", "capture", text=f"cannot capture the function: {e}") from None
    try:
        program = torch.export.export(gm, tuple(tensors), strict=False)
    except Exception as e:
        raise err(".export", "export", text=f"{type(e).__name__}: {str(e).splitlines()[0]}") from None
    try:
        torch.export.save(program, path)
    except (OSError, RuntimeError) as e:     # torch reports a missing directory as RuntimeError
        raise err(".export", "io", text=f"{path}: {getattr(e, 'strerror', None) or e}") from None
    backend = "inductor" if (ctx.device.type != "cpu" or cxx()) else "eager"
    # compiled when first called: exporting needs no C++ compiler, and costs no compile time
    compiled = Compiled(fn, getattr(fn, "interp", None), {"backend": backend})
    return Dict({"compiled_fn": compiled, "export_path": path,
                 "graph": graph_text(program.graph_module), "backend": backend})


SYSTEM = {".compile": (compile_fn, 2), ".compilex": (compilex, 3), ".export": (export, 3),
          ".graph": (graph, 2), ".cmodes": (cmodes, 0)}


def install(interp):
    for name, (fn, arity) in SYSTEM.items():
        interp.globals[name] = SysFunc(name, arity, fn, interp)


__all__ = ["Compiled", "capture", "cmodes", "cxx", "graph_text", "aten_ops", "install"]

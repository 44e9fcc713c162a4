"""The Interpreter: owns the globals, the I/O channels, the device and the real dtype.

    k = Klong()                 # device: "cpu" | "cuda" | "mps" | None (best available)
    k("f::{x^2}; f(3)")         # the value of the last expression: 9
    k["w"] = torch.ones(3)      # set a global (Python values are converted)
    k["w"]                      # read a global

The kernel, the magic and the CLI are thin shells over this class.
"""
import os
import sys
from contextlib import contextmanager

import torch

from . import devices
from .compiler import Compiler
from .convert import from_python
from .errors import KlongError, KlongExit
from .parser import Parser
from .system import install
from .values import ctx

RECURSION_LIMIT = 20000
COMPILED_CACHE = 256        # programs whose compiled code is kept, by source text
OUT_OF_MEMORY = "kg: error: out of memory (a value grew without bound?)"
STACK_OVERFLOW = "kg: error: stack overflow: recursion too deep"


def best_device():
    """The best device this machine has: cuda, then mps, then cpu."""
    return devices.best()


def contained(run):
    """run(), with Python running out of stack or memory turned into Klong errors. The error
    is raised after the except block, once the failed computation's frames, and the values
    that exhausted memory, have been let go: building it cannot then fail in turn."""
    failure = None
    try:
        return run()
    except RecursionError:
        failure = STACK_OVERFLOW
    except MemoryError:
        failure = OUT_OF_MEMORY
    raise KlongError(failure)


DTYPES = {None: None, "float64": torch.float64, "float32": torch.float32,
          "double": torch.float64, "float": torch.float32,
          torch.float64: torch.float64, torch.float32: torch.float32}


class Klong:
    """A Klong interpreter on torch."""

    def __init__(self, device=None, dtype=None):
        # checked now, so that a device this machine lacks fails here, not in the first array
        self.device = devices.resolve(device)
        if dtype not in DTYPES:
            raise KlongError(f"kg: error: dtype: {dtype} is not a real dtype "
                             "(use float32 or float64)")
        # MPS has no float64: reals are float32 there unless the user insists otherwise
        default = torch.float32 if self.device.type == "mps" else torch.float64
        self.dtype = DTYPES[dtype] or default
        self.globals = {}
        self.module = None
        self.parser = None            # the parser of the program running now (for .comment)
        self.script_dir = None        # the running script's folder, where .py looks first
        self._compiled = {}           # source text -> compiled statements (see run)
        self.compiler = Compiler(self)
        with self.active():
            install(self)
        self.from_channel = self.globals[".cin"]
        self.to_channel = self.globals[".cout"]
        from . import extensions
        extensions.install(self)
        if sys.getrecursionlimit() < RECURSION_LIMIT:
            sys.setrecursionlimit(RECURSION_LIMIT)
        # Klong integers have no limit, so neither may reading or writing their digits
        if hasattr(sys, "set_int_max_str_digits"):
            sys.set_int_max_str_digits(0)

    @contextmanager
    def active(self):
        """Make this interpreter's device and dtype the ones new tensors get."""
        saved = ctx.device, ctx.real
        ctx.device, ctx.real = self.device, self.dtype
        try:
            yield
        finally:
            ctx.device, ctx.real = saved

    # -- evaluation ----------------------------------------------------------------------

    def __call__(self, source):
        """Evaluate a Klong program; return the value of its last expression."""
        with self.active():
            return self.run(source)

    def run(self, source, filename=None):
        """Parse, compile and run source one statement at a time (each statement is compiled
        after the previous one ran: .module and .comment change what follows them)."""
        cached = self._compiled.get(source) if self.module is None else None
        if cached is not None:
            return self._run_compiled(cached)
        parser = Parser(source)
        outer, self.parser = self.parser, parser
        codes = []
        cacheable = self.module is None

        def statements():
            nonlocal cacheable
            value = None
            while True:
                node = parser.next_statement()
                if node is None:
                    return value
                code = self.compiler.compile(node, source)
                codes.append(code)
                value = code(())
                cacheable = cacheable and self.module is None and not parser.skipped
        try:
            value = contained(statements)
        finally:
            self.parser = outer
            self.compiler.source = outer.text if outer else ""
        if cacheable:
            # Running the same text again (a loop in Python, a benchmark) skips the front end.
            if len(self._compiled) >= COMPILED_CACHE:
                self._compiled.pop(next(iter(self._compiled)))
            self._compiled[source] = codes
        return [] if value is None else value

    def _run_compiled(self, codes):
        def statements():
            value = None
            for code in codes:
                value = code(())
            return value
        value = contained(statements)
        return [] if value is None else value

    def call_function(self, fn, args):
        """Call a Klong function from Python with Python values."""
        with self.active():
            return contained(lambda: fn.call(tuple(from_python(a) for a in args)))

    def gradients(self, loss, names):
        """(loss value, [gradient per global]) for a Klong nilad loss and global names:
        the Python side of loss:>[w b], for optimizers written in Python."""
        from .autograd import value_and_gradients
        if isinstance(loss, str):
            loss = self.globals[loss]
        with self.active():
            return value_and_gradients(self, loss, [str(n) for n in names])

    def __getitem__(self, name):
        try:
            return self.globals[name]
        except KeyError:
            raise KeyError(name) from None

    def __setitem__(self, name, value):
        with self.active():
            self.globals[name] = from_python(value, interp=self)

    def __contains__(self, name):
        return name in self.globals

    # -- files ---------------------------------------------------------------------------

    def find_file(self, name):
        """Resolve a .l argument through KLONGPATH, as the reference describes."""
        candidates = [name, name + ".kg"]
        if name.startswith(("/", ".")):
            dirs = [""]
        else:
            dirs = os.environ.get("KLONGPATH", ".:lib").split(":")
        for d in dirs:
            for c in candidates:
                path = os.path.join(d, c) if d else c
                if os.path.isfile(path):
                    return path
        raise KlongError(f"kg: error: .l: file not found: {name}")

    def reset_channels(self):
        """Back to .cin and .cout, as interactive mode does after each evaluation."""
        self.from_channel = self.globals[".cin"]
        self.to_channel = self.globals[".cout"]


__all__ = ["Klong", "KlongError", "KlongExit", "best_device"]

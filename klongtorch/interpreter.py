"""The Interpreter: owns the globals, the I/O channels, the device and the real dtype.

    k = Klong()                 # device: "cpu" | "cuda" | "mps" | None (best available)
    k("f::{x^2}; f(3)")         # the value of the last expression: 9
    k["w"] = torch.ones(3)      # set a global (Python values are converted)
    k["w"]                      # read a global

The kernel, the magic and the CLI are thin shells over this class.
"""
import os
import sys
import threading
import weakref

import torch

from klongtorch.autograd import compile, derivatives, optim
from klongtorch.autograd.derivatives import value_and_gradients
from klongtorch.display import plots
from klongtorch.engine.compiler import Compiler
from klongtorch.ext import channels, interop
from klongtorch.ext.system import install
from klongtorch.parse.parser import Parser
from klongtorch.runtime import allocator, cores, interrupts
from klongtorch.value import devices
from klongtorch.value.convert import from_python
from klongtorch.value.errors import OUT_OF_MEMORY, STACK_OVERFLOW, KlongError, KlongExit
from klongtorch.value.values import EOF, ctx
from klongtorch.verbs import dialect

# what every interpreter has besides kg's system functions (system.py): each module's
# install(interp) binds its own system functions
EXTENSIONS = (derivatives, compile, dialect, interop, optim, plots)

RECURSION_LIMIT = 20000
COMPILED_CACHE = 256        # programs whose compiled code is kept, by source text
# ... of at most this many statements: a script is run once, and keeping each of its
# statements (and through them every function it defined, redefined ones too) made the
# heap grow with the script, and Python's cycle collector scan it again and again (KlongPy's
# gen_fn.kg, 23,642 definitions: 0.9 s of its 2.4 s)
CACHED_STATEMENTS = 256


class _Process:
    """The process-wide settings Klong needs: a deep recursion limit, and no limit on the
    digits of integers read or written. The first interpreter sets them, and they stay.
    They were once set and put back around every call, which cost 0.4-0.9 µs a call (a
    third of what k("1+!1000") costs beyond torch); putting them back when the last
    interpreter is collected needs a finalizer, and a Control-C that lands in a finalizer
    is swallowed by Python, lost to the loop it meant to stop."""
    __slots__ = ("lock", "done")

    def __init__(self):
        self.lock = threading.Lock()
        self.done = False


_Settings = _Process()


def own_process(S=_Settings):
    """Set the recursion limit and integer digits Klong needs, for good (once per process:
    the first Klong(), the CLI and the kernel at start)."""
    with S.lock:
        if S.done:
            return
        if sys.getrecursionlimit() < RECURSION_LIMIT:
            sys.setrecursionlimit(RECURSION_LIMIT)
        if hasattr(sys, "set_int_max_str_digits"):
            sys.set_int_max_str_digits(0)
        S.done = True


def _enter(k):
    """Make interpreter k's settings the thread's (device and dtype of new tensors, lifting,
    the dialect) and install the SIGINT handler (interrupts.begin). Returns what _leave
    needs. Guarded, with _leave: an interrupt cannot split them.

    Entering is part of what every k(...) costs beyond torch, so it writes only what
    differs: the interpreter's settings are one tuple (Klong._key, remade when one of them
    is set), and one interpreter called again and again finds that same tuple in the
    thread's context and changes nothing there."""
    signal = interrupts.begin()
    c = ctx
    key = k._key
    if c.key is key:
        return signal, None
    device, real, lift, lift_min, klongpy = key
    if c.device is device and c.real is real and c.lift is lift and \
            c.lift_min == lift_min and c.klongpy is klongpy:
        c.key = key                 # the same settings: only mark them as ours
        return signal, None
    saved = c.key, c.device, c.real, c.lift, c.lift_min, c.klongpy
    c.key = key
    c.device, c.real, c.lift, c.lift_min, c.klongpy = key
    return signal, saved


def _leave(entered):
    """Undo _enter: the thread's settings as they were, the SIGINT handler put back."""
    signal, saved = entered
    if saved is not None:
        c = ctx
        c.key, c.device, c.real, c.lift, c.lift_min, c.klongpy = saved
    interrupts.end(signal)


interrupts.guard(_enter)
interrupts.guard(_leave)


class _Active:
    """`with k.active():` _enter and _leave around a block (Klong.__call__ writes them out,
    to spare every call an object and two method calls)."""
    __slots__ = ("k", "entered")

    def __init__(self, k):
        self.k = k

    # guarded too, as _enter and _leave are: between _enter's return and the block, and
    # between the block and _leave, an interrupt must wait
    @interrupts.guard
    def __enter__(self):
        cores.adapt()
        self.entered = _enter(self.k)
        return self

    @interrupts.guard
    def __exit__(self, *exc):
        _leave(self.entered)
        return False


class _Setting:
    """An interpreter setting that new tensors and verbs read from the thread's context
    (values.Context): setting it remakes the interpreter's key, so that the next entry
    (_Active) writes the context afresh."""
    __slots__ = ("name",)

    def __set_name__(self, owner, name):
        self.name = "_" + name

    def __get__(self, k, owner=None):
        return self if k is None else getattr(k, self.name)

    def __set__(self, k, value):
        object.__setattr__(k, self.name, value)
        k._key = tuple(getattr(k, "_" + f, None) for f in _SETTINGS)


_SETTINGS = ("device", "dtype", "lift", "lift_min", "klongpy")     # ctx's order


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

    # what _Active puts in the thread's context: device and dtype of new tensors, lifting,
    # and the KlongPy dialect
    device, dtype, lift, lift_min, klongpy = (_Setting() for _ in _SETTINGS)

    def __init__(self, device=None, dtype=None, lift=True, klongpy=False):
        # checked now, so that a device this machine lacks fails here, not in the first array
        self.device = devices.resolve(device)
        if dtype not in DTYPES:
            raise KlongError(f"kg: error: dtype: {dtype} is not a real dtype "
                             "(use float32 or float64)")
        # MPS has no float64: reals are float32 there, and asking for float64 is an error now
        # rather than in every real operation
        default = torch.float32 if self.device.type == "mps" else torch.float64
        self.dtype = DTYPES[dtype] or default
        if self.device.type == "mps" and self.dtype is torch.float64:
            raise KlongError("kg: error: dtype: MPS has no float64 (use float32)")
        # lift=False runs every adverb element by element (klongtorch.engine.lift): the same
        # answers, for comparing; lift_min is the length from which lifting is tried
        self.lift = bool(lift)
        self.lift_min = type(ctx).lift_min
        self.klongpy = bool(klongpy)  # the KlongPy dialect (klongtorch.verbs.dialect); .klongpy(1)
        self.globals = {}
        self.module = None
        self.parser = None            # the parser of the program running now (for .comment)
        self.script_dir = None        # the running script's folder, where .py looks first
        self._compiled = {}           # source text -> compiled statements (see run)
        self.compiler = Compiler(self)
        own_process()
        # malloc pinned for big arrays (allocator.py), as the CLI and the kernel do at start:
        # without it, 1+!10000000 took 40.8 ms instead of 4.3 in half of fresh processes.
        # Once per process; KLONGTORCH_MALLOC=default opts out
        allocator.tune()
        # torch's threads: the cores no other process is using (cores.py), once per process
        cores.start()
        self._outputs = weakref.WeakSet()   # the output channels opened here (flush_channels)
        with self.active():
            install(self)                 # also sets self.cin, self.cout, self.cerr
        self.from_channel = self.cin
        self.to_channel = self.cout
        for extension in EXTENSIONS:
            extension.install(self)

    def active(self):
        """`with k.active():` code that runs Klong: this interpreter's device and dtype for
        new tensors, the recursion limit and integer digits Klong needs, and the SIGINT
        handler that keeps interrupts out of critical sections (see _Active)."""
        return _Active(self)

    # -- evaluation ----------------------------------------------------------------------

    def __call__(self, source):
        """Evaluate a Klong program; return the value of its last expression."""
        # with self.active(): self.run(source), written out: this is every call's fixed cost,
        # and a cached program goes straight to its compiled statements
        cores.adapt()
        entered = _enter(self)
        try:
            interrupts.check()          # an interrupt that came while entering
            codes = self._compiled.get(source) if self.module is None else None
            return self.run(source) if codes is None else self._run_compiled(codes)
        finally:
            _leave(entered)

    def run(self, source, filename=None):
        """Parse, compile and run source one line at a time (each line is parsed and compiled
        whole, as kg does, after the previous one ran: .comment changes what follows it)."""
        cached = self._compiled.get(source) if self.module is None else None
        if cached is not None:
            return self._run_compiled(cached)
        parser = Parser(source)
        outer, self.parser = self.parser, parser
        module = self.module
        codes = []
        cacheable = self.module is None

        def statements():
            nonlocal cacheable
            value = None
            while True:
                nodes = parser.next_line()      # a line whole, as kg: no half-run lines
                if nodes is None:
                    return value
                for code in self.compiler.line(nodes, source):
                    if cacheable:
                        codes.append(code)
                    value = code()
                    cacheable = cacheable and self.module is None and not parser.skipped \
                        and len(codes) <= CACHED_STATEMENTS
                    if not cacheable and codes:
                        codes.clear()
        done = False
        try:
            value = contained(statements)
            done = True
        finally:
            self._unwind(outer, module, done)
        if cacheable:
            # Running the same text again (a loop in Python, a benchmark) skips the front end.
            if len(self._compiled) >= COMPILED_CACHE:
                self._compiled.pop(next(iter(self._compiled)))
            self._compiled[source] = codes
        return EOF if value is None else value      # an empty program: :eof, as in kg

    @interrupts.guard
    def _unwind(self, outer, module, done):
        """After a program: the program around it gets its parser back. A program that
        failed (an error, an interrupt, in a .l file or a cell) also closes the module it
        opened: one left open would capture every definition that follows."""
        interrupts.enter()
        self.parser = outer
        self.compiler.source = outer.text if outer else ""
        if not done:
            self.module = module
        interrupts.leave()

    def _run_compiled(self, codes):
        # contained(), written out: this runs on every call of a cached program
        failure = value = None
        try:
            for code in codes:
                value = code()
        except RecursionError:
            failure = STACK_OVERFLOW
        except MemoryError:
            failure = OUT_OF_MEMORY
        if failure:
            raise KlongError(failure)
        return EOF if value is None else value      # an empty program: :eof, as in kg

    def call_function(self, fn, args):
        """Call a Klong function from Python with Python values."""
        with self.active():
            return contained(lambda: fn.call(tuple(from_python(a) for a in args)))

    def gradients(self, loss, names):
        """(loss value, [gradient per global]) for a Klong nilad loss and global names:
        the Python side of loss:>[w b], for optimizers written in Python."""
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

    def __delitem__(self, name):
        """del k["name"] forgets a global; KeyError when there is none."""
        try:
            del self.globals[name]
        except KeyError:
            raise KeyError(name) from None

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

    @interrupts.guard
    def reset_channels(self):
        """Back to .cin and .cout, as interactive mode does after each evaluation (guarded:
        an interrupt cannot leave one of the two redirected)."""
        if self.from_channel is self.cin and self.to_channel is self.cout:
            return                  # the usual case, with nothing to guard
        interrupts.enter()
        self.from_channel = self.cin
        self.to_channel = self.cout
        interrupts.leave()

    def opened(self, channel):
        """Note an output channel opened by this interpreter (for flush_channels)."""
        if channel.mode == "out":
            self._outputs.add(channel)
        return channel

    def flush_channels(self, who=".fl"):
        """Flush every output channel this interpreter opened, and standard output: at .x,
        at exit, at a reset, as kg does. An error of one (a full disk) does not stop the
        others; the first is raised as a Klong error afterwards, naming who flushed."""
        failure = channels.flush_each(list(self._outputs) + [self.cout, self.cerr], who)
        if failure:
            raise KlongError(failure)

    def close(self):
        """Flush and close the files this interpreter opened (a reset, a kernel shutdown).
        The interpreter can still run; .cin, .cout and .cerr stay open."""
        outputs, self._outputs = list(self._outputs), weakref.WeakSet()
        self.reset_channels()
        failure = channels.close_each(outputs)
        if failure:
            raise KlongError(failure)


__all__ = ["Klong", "KlongError", "KlongExit", "best_device"]

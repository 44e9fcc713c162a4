"""Work that finishes later: .async and .timer, as KlongPy has them.

The rule that keeps them safe: Klong code runs on the interpreter's own thread, never on two
threads at once (the globals are one table, bound and restored by every call; see
functions.Lambda). So only Python runs in the background:

    .async(f;cb)    a Python function f runs in a background thread; when it is done, cb is
                    called with its result on the interpreter's thread. A Klong function f
                    (Klong code) is not moved off that thread: it runs there later, as in
                    KlongPy, whose event loop runs it after the program.
    .timer(n;s;f)   f is called every s seconds on the interpreter's thread.

Both happen when the interpreter rests: at the end of a script (the klongtorch command waits
there until every .async call has finished and its callback has run, running due timers
meanwhile) and at the REPL's prompt, after each input. A Klong program is never cut in
the middle of a statement by one. Python code that calls a Klong function from a thread of
its own (a thread pool's callback) runs it in that thread, as KlongPy does; such calls
are serialized with each other, and the program should wait in Python (pool.join) while
they run.
"""
import heapq
import itertools
import queue
import threading
import time

from klongtorch.value.convert import PyFunc, klong_value
from klongtorch.value.errors import err
from klongtorch.value.functions import SysFunc, brief, to_callable
from klongtorch.value.values import truth


class Pending:
    """One interpreter's work in progress: results waiting for their callbacks (a queue
    that background threads fill), how many .async calls are still running, and timers."""

    def __init__(self):
        self.done = queue.Queue()
        self.running = 0
        self.lock = threading.Lock()
        self.timers = []            # heap of (due, order, Timer)
        self.order = itertools.count()
        self.threads = []           # the background threads started, joined at the end


def pending(interp):
    p = getattr(interp, "_pending", None)
    if p is None:
        p = interp._pending = Pending()
    return p


# Klong functions called from Python threads of their own take turns (see the docstring).
CALLS_FROM_THREADS = threading.RLock()


def call_from_python(interp, fn, args):
    """fn(*args) for Python code, from whichever thread it runs in."""
    if threading.current_thread() is threading.main_thread():
        return interp.call_function(fn, args)
    with CALLS_FROM_THREADS:
        return interp.call_function(fn, args)


class AsyncCall(PyFunc):
    """What .async returns: a function of f's arity that starts f and returns 1 at once."""
    __slots__ = ("target", "callback", "owner")

    def __init__(self, interp, target, callback):
        self.target, self.callback, self.owner = target, callback, interp
        arity = target.arity
        super().__init__(self.start, arity=arity, name=f"async:{target.name or 'function'}",
                         interp=interp)
        self.most = 3           # as in KlongPy: arguments beyond f's arity are dropped

    def start(self, *args):
        args = args[:self.target.arity]
        p = pending(self.owner)
        with p.lock:
            p.running += 1
        if type(self.target) is PyFunc:
            worker = threading.Thread(target=self._work, args=(p, args), daemon=True,
                                      name=self.name)
            p.threads = [t for t in p.threads if t.is_alive()] + [worker]
            worker.start()
        else:               # Klong code stays on the interpreter's thread: it runs later
            p.done.put(lambda: self.callback.call1(self.target.call(args)))
            with p.lock:
                p.running -= 1
        return 1

    def _work(self, p, args):
        try:
            out = self.target.fn(*args)
            p.done.put(lambda: self.callback.call1(klong_value(out, self.owner)))
        except BaseException as e:
            failure = err(self.target.name, "python", text=f"{type(e).__name__}: {e}")
            p.done.put(lambda: _raise(failure))
        finally:
            with p.lock:
                p.running -= 1
            p.done.put(None)        # wakes a waiting rest()

    @property
    def source(self):
        return f"<async {self.target.name}>"


def _raise(e):
    raise e


class Timer:
    """A timer made by .timer: prints as timer:name:interval, as in KlongPy."""

    def __init__(self, name, interval, fn):
        self.name, self.interval, self.fn, self.live = name, interval, fn, True

    def __str__(self):
        return f"timer:{self.name}:{self.interval:g}"

    __repr__ = __str__


def rest(interp, wait=False):
    """Run what is waiting for the interpreter's thread: the callbacks of finished .async
    calls and the timers that are due. wait: until no .async call is running any more
    (the end of a script), running timers meanwhile."""
    p = getattr(interp, "_pending", None)
    if p is None:
        return
    with interp.active():
        _rest(p, wait)


def _rest(p, wait):
    while True:
        with p.lock:
            busy = p.running
        if busy or not wait:        # a script that ends with no .async work stops its timers
            _due_timers(p)
        try:
            job = p.done.get_nowait()
        except queue.Empty:
            if not wait or not busy:
                if wait:
                    _join(p)
                return
            job = _next(p)
        if job is not None:
            job()


def _join(p):
    """Wait for the background threads to end: one still unwinding when the process exits
    can abort it (C++ frames of torch's unwound by a thread killed at shutdown)."""
    for t in p.threads:
        t.join()
    p.threads = []


def _next(p):
    """The next finished job, waiting no longer than until the next timer is due."""
    timeout = max(0.0, p.timers[0][0] - time.monotonic()) if p.timers else None
    try:
        return p.done.get(timeout=timeout)
    except queue.Empty:
        return None


def _due_timers(p):
    now = time.monotonic()
    while p.timers and p.timers[0][0] <= now:
        _, _, timer = heapq.heappop(p.timers)
        if not timer.live:
            continue
        again = truth(timer.fn.call(()) if timer.fn.arity == 0 else timer.fn.call1(timer))
        if again and timer.live:
            heapq.heappush(p.timers, (now + timer.interval, next(p.order), timer))
        else:
            timer.live = False


class Background:
    """The system functions; each docstring is its help text."""

    def __init__(self, interp):
        self.interp = interp

    def async_(self, f, cb):
        """.async(f;cb)  Async-Function-Wrapper
        A function of f's arity (more arguments are dropped, as in KlongPy) that starts f
        with its arguments and returns 1 at once; when f is done, cb is called with its
        result. A Python function f runs in a background thread; cb, like all Klong code,
        runs on the interpreter's thread when it rests: at the end of a script (which
        waits for it) or at the REPL's prompt.
        Example: .pyf("math";"factorial");a::.async(factorial;{.p(x)});a(20)"""
        target = to_callable(f, ".async")
        callback = to_callable(cb, ".async")
        if callback.arity not in (0, 1):
            raise err(".async", "arity", text=f"the callback takes the result, one argument, "
                                              f"not {callback.arity}: {brief(cb)}")
        return AsyncCall(self.interp, target, callback)

    def timer(self, name, interval, f):
        """.timer(n;s;f)  Create-Timer
        A timer named n that calls the function f every s seconds (0: as soon as the
        interpreter rests) for as long as f returns a true value; 0 stops it. f is a nilad,
        or a monad given the timer. Timers run on the interpreter's thread when it rests:
        at the REPL's prompt, and at the end of a script while .async work is still running.
        .timerc stops one. Example: th::.timer("tick";1;{.p("tick");1})"""
        if type(interval) not in (int, float) or interval < 0:
            raise err(".timer", "type", text=f"the interval is a number of seconds, 0 or more, "
                                             f"not {brief(interval)}")
        fn = to_callable(f, ".timer")
        if fn.arity > 1:
            raise err(".timer", "arity", text="the timer's function is a nilad or a monad")
        p = pending(self.interp)
        t = Timer(name if type(name) is str else brief(name), float(interval), fn)
        heapq.heappush(p.timers, (time.monotonic() + t.interval, next(p.order), t))
        return t

    def timerc(self, t):
        """.timerc(t)  Cancel-Timer
        Stop the timer t made by .timer: 1 if it was running, 0 if it had stopped already
        or t is not a timer."""
        if not isinstance(t, Timer) or not t.live:
            return 0
        t.live = False
        return 1


SYSTEM = {".async": ("async_", 2), ".timer": ("timer", 3), ".timerc": ("timerc", 1)}


def install(interp):
    fns = Background(interp)
    for name, (method, arity) in SYSTEM.items():
        interp.globals[name] = SysFunc(name, arity, getattr(fns, method), interp)

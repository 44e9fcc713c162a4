"""Progress of long work: a cell still running after SHOW_AFTER seconds shows how far its
outermost counted loop has got (done/total, rate, time left), updating one display in place.

The shells say where progress goes; the interpreter's counted loops (adverbs.py) report:

    with progress.watched(display):       # the kernel, the magic, the CLI (on a terminal)
        k(code)

    if progress.watching:                 # a counted loop's one test
        with progress.loop(items, len(items), "each") as items:
            return [call(e) for e in items]
    return [call(e) for e in items]

    with progress.stage(".compile: compiling"):    # work with no count (compile.py)
        ...

A display is an object with show(report), which gets a Report at most every EVERY seconds,
and close(), called when the watched code ends. show is called from a sampling thread (and,
for stages and a loop's last report, from the thread running the code), never two at once.

Cost: nothing per iteration. The tracked loop runs over a plain iterator, and a sampling
thread reads how far it has got (operator.length_hint: what is left of it) four times a
second. Outside `watched`, and inside a loop already tracked, a loop pays one module
attribute test: `watching` is false there, so nested loops are never tracked.
"""
import html
import operator
import threading
import time
from contextlib import contextmanager

from klongtorch.display.inplace import InPlaceOutput
from klongtorch.runtime import interrupts

SHOW_AFTER = 2.0        # seconds a cell runs before its progress shows
EVERY = 0.25            # seconds between two updates of the display
LOOP_AFTER = 0.5        # seconds a loop runs before its progress shows

watching = False        # a display listens and no loop is tracked yet (the loops' test)
tracking = False        # a loop is being tracked (optimizers then note their loss)
latest = None           # the loss an optimizer computed last, while tracking

_display = None         # the display of the code being watched
_thread = None          # the thread that runs it (other threads' loops are not its)
_started = 0.0          # when the watched code started
_loop = None            # the loop being tracked
_sampler = None         # the thread that shows its progress
_lock = threading.Lock()  # one show at a time, and none after the loop ended; the thread
                          # running the code takes it in a critical section (interrupts.py),
                          # so that an interrupt cannot leave it held, or split a message


class Report:
    """What a display shows: a loop's count, or a stage's name, and the time so far."""

    def __init__(self, label, done=None, total=None, elapsed=0.0, final=False, note=""):
        self.label, self.done, self.total = label, done, total
        self.elapsed, self.final, self.note = elapsed, final, note

    def text(self):
        parts = [self.label]
        if self.total is not None:
            width = len(str(self.total))
            parts.append(f"{self.done:>{width}}/{self.total}")
            if self.total:
                parts.append(f"{100 * self.done // self.total:3d}%")
            parts.append(_rate(self.done, self.elapsed))
            if self.final:
                parts.append(f"in {_duration(self.elapsed)}")
                if self.done != self.total:
                    parts.append("(stopped)")
            elif self.done:
                left = self.elapsed * (self.total - self.done) / self.done
                parts.append(f"ETA {_duration(left)}")
        else:
            parts.append(f"done in {_duration(self.elapsed)}" if self.final
                         else f"{_duration(self.elapsed)} so far")
        if self.note:
            parts.append(self.note)
        return "  ".join(parts)

    def html(self):
        bar = ""
        if self.total:
            bar = (f'<progress value="{self.done}" max="{self.total}" '
                   'style="width:16em;vertical-align:middle;margin-right:.6em"></progress>')
        return (f'<div class="klong-progress" style="font-family:var(--jp-code-font-family,'
                f'monospace);font-size:12px">{bar}{html.escape(self.text())}</div>')

    def bundle(self):
        return {"text/plain": self.text(), "text/html": self.html()}


def _duration(seconds):
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds // 60 % 60:02d}m"


def _rate(done, elapsed):
    if not done or elapsed <= 0:
        return "-/s"
    rate = done / elapsed
    if rate >= 1:
        return f"{rate:,.0f}/s" if rate >= 10 else f"{rate:.1f}/s"
    return f"{elapsed / done:.1f} s each"


def _note():
    """The latest loss, when an optimizer runs in the tracked loop."""
    loss = latest
    if loss is None:
        return ""
    try:
        return f"loss {float(loss):.6g}"
    except (TypeError, ValueError, RuntimeError):
        return ""


class _Loop:
    """The loop being tracked: its iterator, and what its count is measured against."""
    __slots__ = ("items", "base", "total", "label", "start", "shown")

    def __init__(self, items, base, total, label):
        self.items, self.base, self.total, self.label = items, base, total, label
        self.start = time.monotonic()
        self.shown = False

    def report(self, final=False):
        done = min(self.base - operator.length_hint(self.items), self.total)
        return Report(self.label, done, self.total, time.monotonic() - self.start,
                      final=final, note=_note())


class _Sampler(threading.Thread):
    """Shows the tracked loop's progress every EVERY seconds, once the cell has run for
    SHOW_AFTER and the loop itself for LOOP_AFTER (a short inner loop never flashes up)."""

    def __init__(self, display):
        super().__init__(name="klong-progress", daemon=True)
        self.display = display
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(EVERY):
            with _lock:
                loop = _loop
                now = time.monotonic()
                if (loop is None or self.stopped.is_set() or now - _started < SHOW_AFTER
                        or now - loop.start < LOOP_AFTER):
                    continue
                loop.shown = True
                _show(self.display, loop.report())


def _show(display, report):
    try:
        display.show(report)
    except Exception:               # a display that fails must not fail the cell
        pass


class watched:
    """`with watched(display):` report the progress of the code run inside to display, then
    close it. A class rather than a generator: a %klong line in a Python loop enters one on
    every call, after its work, with the caches cold, where the generator's machinery cost
    the line some 10 µs."""
    __slots__ = ("display", "saved")

    def __init__(self, display):
        self.display = display

    def __enter__(self):
        global watching, tracking, latest, _display, _thread, _started, _loop, _sampler
        self.saved = watching, tracking, latest, _display, _thread, _started, _loop, _sampler
        watching, tracking, latest, _loop, _sampler = True, False, None, None, None
        _display, _thread, _started = self.display, threading.get_ident(), time.monotonic()
        return self.display

    def __exit__(self, *exc):
        global watching, tracking, latest, _display, _thread, _started, _loop, _sampler
        display, sampler = self.display, _sampler
        with interrupts.critical, _lock:
            if _loop is not None and _loop.shown:     # stopped by an error or an interrupt
                _show(display, _loop.report(final=True))
            watching, tracking, latest, _display, _thread, _started, _loop, _sampler = \
                self.saved
        if sampler is not None:
            sampler.stopped.set()
        try:
            display.close()
        except Exception:
            pass
        return False


@contextmanager
def loop(items, total, label):
    """An iterator over items whose progress the display shows (use only when `watching`
    is true). base is len(items): the count is what has been taken from the iterator."""
    global watching, tracking, latest, _loop, _sampler
    if _display is None or threading.get_ident() != _thread:
        yield items
        return
    it = iter(items)
    tracked = _Loop(it, len(items), total, label)
    with interrupts.critical, _lock:
        watching, tracking, latest, _loop = False, True, None, tracked
    if _sampler is None:
        _sampler = _Sampler(_display)
        _sampler.start()
    try:
        yield it
    finally:
        interrupts.enter()          # an interrupt waits until the loop is unhooked
        try:
            with interrupts.critical, _lock:
                if _loop is tracked:
                    _loop = None
                    watching, tracking = True, False
                    if tracked.shown:
                        _show(_display, tracked.report(final=True))
        finally:
            interrupts.leave()


@contextmanager
def stage(label):
    """Work with no count (compiling): shown at once while it runs, then finalized."""
    display = _display
    if display is None or threading.get_ident() != _thread:
        yield
        return
    start = time.monotonic()
    with interrupts.critical, _lock:
        _show(display, Report(label))
    try:
        yield
    finally:
        with interrupts.critical, _lock:
            _show(display, Report(label, elapsed=time.monotonic() - start, final=True))


class JupyterDisplay(InPlaceOutput):
    """Progress as one output of a Jupyter cell, updated in place (the last report is the
    final one, so the output stays as a record of the loop). send(msg_type, content) sends
    one IOPub message for the cell."""
    __slots__ = ()

    def show(self, report):
        self.put(report.bundle())

    def close(self):
        pass


class TerminalDisplay:
    """Progress on a terminal's line (the CLI's stderr): rewritten in place, cleared at the
    end so that the value prints where it would have."""

    def __init__(self, stream, width=100):
        self.stream, self.width, self.used = stream, width, False

    def show(self, report):
        self.used = True
        self.stream.write("\r" + report.text()[:self.width - 1] + "\x1b[K")
        self.stream.flush()

    def close(self):
        if self.used:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


__all__ = ["watched", "loop", "stage", "Report", "JupyterDisplay", "TerminalDisplay",
           "SHOW_AFTER", "EVERY"]

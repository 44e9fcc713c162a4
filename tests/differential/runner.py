"""Evaluate expressions in kg and in klongtorch, and classify each pair of outcomes.

kg runs as one REPL process per batch: every expression is preceded by a marker symbol, so
its output is whatever lies between two markers. An expression that runs past the time limit
ends the batch; the process is restarted after it. klongtorch runs in this process, one
interpreter for all, each expression under a repeating alarm and an address-space cap.

An outcome is ("value", text), ("error", message), ("internal", text) or ("hang", "").
"""
import contextlib
import io
import os
import re
import select
import signal
import subprocess
import threading
import time
from pathlib import Path

KG = Path("/root/.cache/klong-kg/kg")
TIME_LIMIT = 2.0            # seconds per expression, for either interpreter
BATCH = 400                 # expressions per kg process
HEADROOM = 3 * 2 ** 30      # bytes of address space one klongtorch expression may add

_MARK = re.compile(r"^ {8}:dIfFmArK(\d+)$", re.M)

# Words that only Python or torch would put in a message: an error made of them is an
# interpreter bug showing through, not a Klong error. ("expected monad, got: ::+" and
# "expected list, got: 1" are kg's own words.)
INTERNAL_TEXT = re.compile(
    r"Traceback|Error\b|internal error|[Tt]ensor|torch|dtype|NoneType|object|attribute|"
    r"unsupported operand|not subscriptable|not iterable|\bint\(\)|\bfloat\b|\bstr\b|"
    r"\blist index\b|recursion|overflow|unhashable|expected(?! [a-z]+, got: )|got \d|__")


def find_kg(build_script=None):
    """The reference interpreter: the one built before, else the one build_script (the
    distribution's build-kg) builds and names; None when neither gives one."""
    if build_script is not None and Path(build_script).exists():
        try:
            done = subprocess.run(["bash", str(build_script)], capture_output=True, text=True,
                                  timeout=600)
            built = Path(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None
            if built is not None and built.exists():
                return built
        except (OSError, subprocess.SubprocessError):
            pass
    return KG if KG.exists() else None


def run_kg(exprs, kg=None, time_limit=TIME_LIMIT):
    """kg's outcome for each expression."""
    kg = kg or find_kg()
    out = [None] * len(exprs)
    start = 0
    while start < len(exprs):
        end = min(start + BATCH, len(exprs))
        got = _kg_batch(kg, exprs, start, end, time_limit)
        for i, outcome in got.items():
            out[i] = outcome
        done = start
        while done < end and done in got:
            done += 1
        if done < end:              # kg stopped inside expression `done`: it hung (or died)
            out[done] = ("hang", "")
            start = done + 1
        else:
            start = end
    return out


def _kg_batch(kg, exprs, start, end, time_limit):
    lines = []
    for i in range(start, end):
        lines.append(f":dIfFmArK{i}")
        lines.append(exprs[i])
    lines.append(f":dIfFmArK{end}")
    text = "\n".join(lines) + "\n"
    raw = _stream(kg, text.encode("latin-1"), time_limit)
    output = raw.decode("latin-1")
    marks = list(_MARK.finditer(output))
    got = {}
    for here, after in zip(marks, marks[1:]):
        i = int(here.group(1))
        if int(after.group(1)) != i + 1:
            continue
        got[i] = _kg_outcome(output[here.end() + 1:after.start()])
    return got


def _stream(kg, data, time_limit):
    """kg's output for `data`, ended early when no new marker appears within time_limit."""
    proc = subprocess.Popen([str(kg), "-n"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    writer = threading.Thread(target=_feed, args=(proc.stdin, data), daemon=True)
    writer.start()
    chunks, marks = [], 0
    deadline = time.monotonic() + time_limit
    fd = proc.stdout.fileno()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            proc.kill()
            break
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
        seen = chunk.count(b":dIfFmArK")
        if seen:
            marks += seen
            deadline = time.monotonic() + time_limit
    proc.wait()
    proc.stdout.close()
    return b"".join(chunks)


def _feed(pipe, data):
    try:
        pipe.write(data)
        pipe.close()
    except (BrokenPipeError, OSError):       # kg was stopped: the rest is not needed
        pass


def _kg_outcome(text):
    # the newline kg writes after a value (only that one: the value 0c and a newline ends
    # in one of its own)
    text = text[:-1] if text.endswith("\n") else text
    if text.startswith(" " * 8):
        text = text[8:]
    if text.startswith("kg: error:"):
        return ("error", text.split("\n")[0])
    return ("value", text)


class _Timeout(BaseException):
    """An expression ran past the time limit (a BaseException, so nothing converts it)."""


_armed = [False]


def _on_alarm(signum, frame):
    if _armed[0]:
        raise _Timeout()


@contextlib.contextmanager
def address_space_cap(headroom=HEADROOM):
    """Cap the address space at what the process has now plus headroom, so a huge
    allocation fails at once instead of swapping (Linux; elsewhere no cap). The fuzz tests
    use it too."""
    try:
        import resource
        with open("/proc/self/status") as f:
            vm_kib = int(re.search(r"VmSize:\s*(\d+)", f.read()).group(1))
    except (ImportError, OSError, AttributeError):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = vm_kib * 1024 + headroom
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


_WARM_UP = ["[1 2 3]+[[1 2] [3 4]]", "[1 2]&[[1 2 3]]", "[1.5 2]*[[1 2 3]]", "+/!3", "1%0"]


def run_klongtorch(exprs, time_limit=TIME_LIMIT):
    """klongtorch's outcome for each expression (one interpreter: the expressions assign nothing)."""
    from klongtorch import Klong, KlongError
    from klongtorch.value.text import show

    k = Klong()
    # torch imports some modules (sympy among them) the first time an error needs them: do
    # that now, before the address-space cap, or a capped import fails halfway and breaks them
    for warm in _WARM_UP:
        try:
            k(warm)
        except KlongError:
            pass
    out = []
    old = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        with address_space_cap():
            for src in exprs:
                printed = io.StringIO()
                try:
                    with contextlib.redirect_stdout(printed):
                        _armed[0] = True
                        # repeating: an alarm lost inside a gc callback must not end the limit
                        signal.setitimer(signal.ITIMER_REAL, time_limit, 0.05)
                        try:
                            value = k(src)
                        finally:
                            _armed[0] = False
                            signal.setitimer(signal.ITIMER_REAL, 0)
                    out.append(("value", show(value)))
                except KlongError as e:
                    msg = str(e)
                    internal = not msg.startswith("kg: error: ") or INTERNAL_TEXT.search(msg)
                    out.append(("internal" if internal else "error", msg))
                except _Timeout:
                    out.append(("hang", ""))
                    k = Klong()
                except KeyboardInterrupt:
                    raise
                except BaseException as e:              # noqa: BLE001 - a bug, recorded
                    out.append(("internal", f"{type(e).__name__}: {e}"))
                    k = Klong()
    finally:
        signal.signal(signal.SIGALRM, old)
    return out


# -- classification -----------------------------------------------------------------------

AGREE = "agree"
VALUE = "value differs"
TYPE = "type differs"
ERROR = "error where kg answers"
LENIENT = "answers where kg errors"
INTERNAL = "internal text"
HANG = "hang"
KG_HANG = "kg hangs (not compared)"
EXPECTED = "deviation (expected)"
CLASSES = (AGREE, EXPECTED, VALUE, TYPE, ERROR, LENIENT, INTERNAL, HANG, KG_HANG)

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w.])")


def _numbers_as_reals(text):
    """The text with every number written as a float64 would print it (for 'type differs')."""
    def real(m):
        try:
            return repr(float(m.group(0)))
        except OverflowError:
            return m.group(0)
    return _NUMBER.sub(real, text)


def classify(expr, kg, kt, deviations=()):
    """The class of one pair of outcomes, and the deviation that expects it (or None)."""
    if kg[0] == "hang":
        return KG_HANG, None
    if kt[0] == "internal":
        return INTERNAL, None
    if kt[0] == "hang":
        return HANG, None
    if kg[0] == kt[0] == "error" or kg == kt:
        return AGREE, None
    for dev in deviations:
        if dev.expects(expr, kg, kt):
            return EXPECTED, dev
    if kg[0] == "error":
        return LENIENT, None
    if kt[0] == "error":
        return ERROR, None
    if _numbers_as_reals(kg[1]) == _numbers_as_reals(kt[1]):
        return TYPE, None
    return VALUE, None


def compare(exprs, deviations=(), kg=None):
    """[(expr, kg outcome, klongtorch outcome, class, deviation)] for every expression."""
    got = {}
    # kg is a separate process: let it run on another core while klongtorch runs here
    thread = threading.Thread(target=lambda: got.setdefault("kg", run_kg(exprs, kg)))
    thread.start()
    kts = run_klongtorch(exprs)
    thread.join()
    kgs = got["kg"]
    rows = []
    for expr, a, b in zip(exprs, kgs, kts):
        cls, dev = classify(expr, a, b, deviations)
        rows.append((expr, a, b, cls, dev))
    return rows


def tally(rows):
    counts = dict.fromkeys(CLASSES, 0)
    for row in rows:
        counts[row[3]] += 1
    return counts

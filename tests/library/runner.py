"""Calls into the author's library (kg/lib), run through kg and through klongtorch.

Each module has a file of calls, calls/<module>.kg, one Klong expression a line:

    :"@load help math"      modules to load first (default: the module itself)
    @ xy::[[1 2] [2 4]]     a setup statement: run, its value not compared
    mu(xy)                  a call: its written value (.w) and anything it prints
    :" a comment "          blank lines and comment lines are skipped

Both interpreters run every call and print `@@ i`, then what the call prints, then its
value as .w writes it. kg stops at the first error of a program, so kg is run again from
the call after a failing one (the setup statements before it re-run first); klongtorch
runs in this process, one interpreter per module, and each error is caught.

Two results AGREE when
  - they are the same text, or
  - they are equal up to float printing: split into real numbers (digits with a '.' or
    an exponent) and the rest, the rest is the same text and each pair of reals is
    equal within a relative 1e-9 (absolute 1e-12 near zero): kg's reals carry 18 digits
    and print them as it does, klongtorch's are float64; or
  - both are errors (the messages are each implementation's own).

Run standalone (python tests/library/runner.py [module ...]) it prints the table of
agreement and each disagreement.
"""
import contextlib
import io
import math
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import List

HERE = Path(__file__).resolve().parent
CALLS = HERE / "calls"
SHARED_KLONG = HERE.parents[2] / "shared" / "klong"
LIB = SHARED_KLONG / "kg" / "lib"
KG_TIMEOUT = 20
ERROR = "ERROR"

_REAL = re.compile(r"(-?\d+\.\d*(?:e[+-]?\d+)?|-?\d+e[+-]?\d+)")


@dataclass
class Item:
    text: str
    line: int
    setup: bool


@dataclass
class Module:
    name: str
    loads: List[str]
    items: List[Item]

    @property
    def calls(self):
        return [it for it in self.items if not it.setup]


@dataclass
class Outcome:
    module: str
    calls: List[Item]
    kg: List[str]
    kt: List[str]
    disagreements: List[int] = field(default_factory=list)

    @property
    def agreed(self):
        return len(self.calls) - len(self.disagreements)


def parse_calls(path):
    """The Module described by a calls file."""
    name = path.stem
    loads, items = [name], []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        m = re.fullmatch(r':"@load ([^"]*)"', line)
        if m:
            loads = m.group(1).split()
        elif line.startswith(':"'):
            continue
        elif line.startswith("@ "):
            items.append(Item(line[2:], n, True))
        else:
            items.append(Item(line, n, False))
    return Module(name, loads, items)


def modules(names=None):
    paths = sorted(CALLS.glob("*.kg"))
    return [parse_calls(p) for p in paths if not names or p.stem in names]


def _program(module, start):
    """kg's program: the loads, the setup before call `start`, the calls from it on."""
    lines = [f'.l("{m}")' for m in module.loads]
    i = 0
    for it in module.items:
        if it.setup:
            lines.append(it.text)
        else:
            if i >= start:
                lines.append(f'.p("@@ {i}");.w({it.text});.p("");.p("@@ .")')
            i += 1
    return "\n".join(lines) + "\n"


def _split(out):
    """{call index: its text} for the calls that ran to their end marker."""
    found, current, buf = {}, None, []
    for line in out.split("\n"):
        m = re.fullmatch(r"@@ (\d+)", line)
        if m:
            current, buf = int(m.group(1)), []
        elif line == "@@ ." and current is not None:
            text = "\n".join(buf)
            found[current] = text[:-1] if text.endswith("\n") else text
            current = None
        elif current is not None:
            buf.append(line)
    return found


def run_kg(kg, module, workdir):
    """kg's text for each call of module (ERROR where kg stopped with an error)."""
    n = len(module.calls)
    results = [None] * n
    start = 0
    env = dict(os.environ, KLONGPATH=str(LIB))
    while start < n:
        prog = Path(workdir) / f"{module.name}-{start}.kg"
        prog.write_text(_program(module, start), encoding="latin-1")
        try:
            p = subprocess.run([kg, str(prog)], cwd=workdir, env=env, capture_output=True,
                               timeout=KG_TIMEOUT, stdin=subprocess.DEVNULL)
            stdout, failed = p.stdout, p.returncode != 0 or b"kg: error" in p.stderr
        except subprocess.TimeoutExpired as e:      # a call that runs without end
            stdout, failed = e.stdout or b"", True
        found = _split(stdout.decode("latin-1"))
        for i, text in found.items():
            results[i] = text
        if not failed:
            for i in range(start, n):
                if results[i] is None:
                    results[i] = ERROR
            break
        # the call after the last one that ran to its end failed (perhaps while it was
        # read: a syntax error prints no start marker)
        failing = max(found) + 1 if found else start
        if failing >= n:
            break
        results[failing] = ERROR
        start = failing + 1
    return results


CALL_TIMEOUT = 5       # seconds for one call here (F.qf(5;10;0.5) loops forever, in kg too)


class _Timeout(BaseException):
    """A call ran past CALL_TIMEOUT (a BaseException: nothing in Klong converts it)."""


@contextlib.contextmanager
def _time_limit(seconds):
    """Raise _Timeout in the block after seconds (SIGALRM; repeating, so that one landing
    where Python drops it, in a gc callback, does not end the limit)."""
    import signal

    def expire(signum, frame):
        raise _Timeout()
    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run_klongtorch(module, workdir, restarts=()):
    """klongtorch's text for each call of module. After each call in restarts (where kg
    failed, and was started again) the interpreter starts afresh too, as kg did."""
    from klongtorch import Klong
    from klongtorch.value.errors import KlongError
    results = []
    old_cwd, old_path = os.getcwd(), os.environ.get("KLONGPATH")
    os.chdir(workdir)
    os.environ["KLONGPATH"] = str(LIB)
    k = None

    def run(src):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), _time_limit(CALL_TIMEOUT):
            try:
                k(src)
                return buf.getvalue()
            except (KlongError, _Timeout):  # a call that runs without end, as kg's can
                return None

    def start(upto):
        nonlocal k
        k = Klong()
        ok = all(run(f'.l("{m}")') is not None for m in module.loads)
        for it in module.items[:upto]:
            if it.setup:
                run(it.text)
        return ok
    try:
        if not start(0):
            return [ERROR] * len(module.calls)
        for n, it in enumerate(module.items):
            if it.setup:
                run(it.text)
                continue
            out = run(f'.w({it.text});.p("")')
            results.append(ERROR if out is None else out[:-1] if out.endswith("\n") else out)
            if len(results) - 1 in restarts:
                start(n + 1)
    finally:
        os.chdir(old_cwd)
        if old_path is None:
            os.environ.pop("KLONGPATH", None)
        else:
            os.environ["KLONGPATH"] = old_path
    return results


def agree(a, b):
    """Whether two results agree (see the module's docstring)."""
    if a == b:
        return True
    if a is None or b is None or ERROR in (a, b):
        return False
    pa, pb = _REAL.split(a), _REAL.split(b)
    if len(pa) != len(pb):
        return False
    for i, (x, y) in enumerate(zip(pa, pb)):
        if i % 2 == 0:
            if x != y:
                return False
        elif not math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-12):
            return False
    return True


def compare(kg, module):
    with tempfile.TemporaryDirectory() as d1, tempfile.TemporaryDirectory() as d2:
        theirs = run_kg(kg, module, d1)
        ours = run_klongtorch(module, d2, {i for i, t in enumerate(theirs) if t == ERROR})
    out = Outcome(module.name, module.calls, theirs, ours)
    out.disagreements = [i for i in range(len(module.calls)) if not agree(theirs[i], ours[i])]
    return out


def report(outcome):
    lines = [f"{outcome.module}: {outcome.agreed}/{len(outcome.calls)} agree"]
    for i in outcome.disagreements:
        c = outcome.calls[i]
        lines.append(f"  line {c.line}: {c.text}\n    kg: {outcome.kg[i]!r}\n    kt: {outcome.kt[i]!r}")
    return "\n".join(lines)


def find_kg():
    """The reference interpreter, built by ../shared/klong/build-kg; None without it."""
    build = SHARED_KLONG / "build-kg"
    if not build.exists():
        return None
    p = subprocess.run([str(build)], capture_output=True, text=True, timeout=600)
    path = p.stdout.strip().split("\n")[-1] if p.returncode == 0 else ""
    return path if path and os.access(path, os.X_OK) else None


if __name__ == "__main__":
    kg = find_kg()
    if kg is None:
        sys.exit("kg is not available (../shared/klong/build-kg)")
    total = agreed = 0
    for mod in modules(sys.argv[1:]):
        o = compare(kg, mod)
        total += len(o.calls)
        agreed += o.agreed
        print(report(o))
    print(f"all: {agreed}/{total} agree ({100.0 * agreed / max(total, 1):.1f}%)")

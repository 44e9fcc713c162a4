"""Check that klongtorch works on a device, in about half a minute.

    python -m klongtorch.selfcheck                  # the best device here: cuda, mps or cpu
    python -m klongtorch.selfcheck --device cuda    # after installing a CUDA build of torch
    python -m klongtorch.selfcheck --only language,autograd

On the chosen device it runs

  language  a sample of the language: about 95 expressions and what kg, the reference
            Klong, answers to them (selfcheck_cases.txt, beside this file)
  autograd  the examples of the differentiation specification, with the values it states
  idioms    lifted each, each-2, projection, conditional each, :> under each and a
            nested-each dot product, against raw torch doing the same work: the values
            must agree; the time ratios are printed, not judged (a busy machine skews them)
  compile   .compile on the device with the aot_eager backend (capture only), and with
            inductor where it can run here (a C++ compiler on a CPU, triton on a GPU)

then prints the versions of Python, torch and klongtorch, what CUDA and MPS this torch
sees, the device's name, and a table with a pass or FAIL per check (a skip says why).
Exit status: 0 when every check passes, 1 when one fails, 2 when the device cannot be used
here (for example --device cuda with a CPU build of torch).
"""
import argparse
import os
import platform
import statistics
import sys
import time

import torch

from klongtorch import __version__
from klongtorch.interpreter import Klong
from klongtorch.value import devices
from klongtorch.value.errors import KlongError
from klongtorch.value.text import show

CASES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "selfcheck_cases.txt")


class Failed(Exception):
    """A check's values are wrong; the message says which."""


class Skipped(Exception):
    """A check cannot run on this machine; the message says why."""


# -- helpers -----------------------------------------------------------------------------------

def _host(x):
    """x with every tensor moved to the CPU (lists and tuples followed)."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu()
    if isinstance(x, (list, tuple)):
        return [_host(e) for e in x]
    return x


def _numeric(x):
    """x as a float64 tensor, or None where it is not numbers (strings, symbols, ragged)."""
    try:
        if isinstance(x, list):
            return torch.stack([_numeric(e) for e in x]) if x else torch.zeros(0)
        return torch.as_tensor(x, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return None


def _float32(x):
    if isinstance(x, list):
        return any(_float32(e) for e in x)
    return getattr(x, "dtype", None) == torch.float32


def _close(got, want):
    """Whether two numeric values agree at the precision of their reals: float32 on MPS (and
    for a float32 interpreter), and a GPU may sum in another order than a CPU."""
    g, w = _numeric(_host(got)), _numeric(_host(want))
    if g is None or w is None or g.shape != w.shape:
        return False
    tol = 1e-4 if _float32(got) or _float32(want) else 1e-9
    return torch.allclose(g.double(), w.double(), rtol=tol, atol=tol)


def _sync(device):
    """A function that waits for the device's queued work (timings on a GPU need it)."""
    if device.type == "cuda":
        return lambda: torch.cuda.synchronize(device)       # that GPU, cuda:1 too
    wait = getattr(getattr(torch, "mps", None), "synchronize", None)
    return wait if device.type == "mps" and wait else (lambda: None)


def _time_ratio(fn, raw, sync, budget=0.2, reps=7):
    """fn's time over raw's: each timed alternately with the other, so that both meet the
    same moments of a busy machine, and the medians compared."""
    def timed(f):
        t = time.perf_counter()
        f()
        sync()
        return time.perf_counter() - t
    fn()                                # warm: first calls compile and allocate
    raw()
    sync()
    times, start = ([], []), time.perf_counter()
    while len(times[0]) < reps or (time.perf_counter() - start < budget
                                   and len(times[0]) < 500):
        times[0].append(timed(fn))
        times[1].append(timed(raw))
    return statistics.median(times[0]) / statistics.median(times[1])


# -- the checks: each takes the device and returns a line of detail, or raises ----------------

def read_cases(path=None):
    """(expression, answer) pairs from the case file; lines starting :" are comments."""
    with open(path or CASES_FILE, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    return [tuple(line.split("\t", 1)) for line in lines if line and not line.startswith(':"')]


def run_case(device, source, answer):
    """None when source answers what kg does on device, else what went wrong."""
    k = Klong(device=device)
    try:
        got = k(source)
    except KlongError as e:
        return None if str(e).startswith(answer) else str(e)
    except Exception as e:          # a Python error is a failure of klongtorch, not of Klong
        return f"{type(e).__name__}: {e}"
    if answer.startswith("kg: error:"):
        return f"{show(got)} (no error)"
    if show(got) == answer:
        return None
    try:                            # reals (kg writes them with a point): at this precision
        if "." in answer and _close(got, k(answer)):
            return None
    except KlongError:
        pass
    return show(got)


def check_language(device):
    cases = read_cases()
    wrong = [(src, ans, got) for src, ans in cases
             for got in [run_case(device, src, ans)] if got is not None]
    if wrong:
        raise Failed("; ".join(f"{src} gave {got}, kg: {ans}" for src, ans, got in wrong[:3])
                     + (f" and {len(wrong) - 3} more" if len(wrong) > 3 else ""))
    return f"{len(cases)} expressions answer as kg does"


# programs of the specification (torch-backend-and-autograd.md) and the values it states;
# the last ones are closed forms (nested derivatives, Hessian, forward mode)
AUTOGRAD = [
    ("f::{x^2};f:>3", 6.0),
    ("f::{x^3};f:>2", 12.0),
    ("p::{((3*x^4)-(2*x^2))+x};p:>1", 9.0),
    ("g::{+/x^2};g:>[1.0 2.0 3.0]", [2.0, 4.0, 6.0]),
    ("f::{x^2};x::5.0;lr::0.1;x::x-(lr*f:>x);x", 4.0),
    ("w::2.0;b::3.0;loss::{(w^2)+(b^2)};loss:>[w b]", [4.0, 6.0]),
    ("f::{x^2};[1 2]∂f", [[2.0, 0.0], [0.0, 4.0]]),
    ("f::{x^2};.jacobian(f;[1 2])", [[2.0, 0.0], [0.0, 4.0]]),
    ("f::{x^2};3∇f", 6.0),
    ("w::1.0;b::0.0;X::[1 2 3];Y::[3 5 7];loss::{(+/((w*X)+b-Y)^2)%3};loss:>[w b]",
     [2 / 3 * -20, 2 / 3 * -9]),
    ("w::10.0;loss::{w^2};lr::0.1;{w::w-(lr*loss:>w)}'!50;w", 10 * 0.8 ** 50),
    ("f::{x^3};g::{f:>x};g:>2.0", 12.0),
    ("f::{x^3};g::{f:>x};h::{g:>x};h:>2.0", 6.0),
    (".hessian({+/x^3};[1 2])", [[6.0, 0.0], [0.0, 12.0]]),
    (".jvp({x^2};[1 2];[1 0])", [2.0, 0.0]),
]


def check_autograd(device):
    wrong = []
    for program, want in AUTOGRAD:
        try:
            got = Klong(device=device)(program)
        except KlongError as e:
            got = e
        if isinstance(got, Exception) or not _close(got, want):
            wrong.append(f"{program} gave {got}, the specification: {want}")
    if wrong:
        raise Failed("; ".join(wrong[:3]))
    return f"{len(AUTOGRAD)} examples give the stated values"


# name, Klong setup, Klong idiom, raw torch (Python, sees k's variables and torch)
IDIOMS = [
    ("each", "v::!N", "{x*x}'v", "v*v"),
    ("each-2", "v::!N", "v{x*y}'v", "v*v"),
    ("projection", "v::!N", "{x+y}(1;)'v", "v+1"),
    ("conditional", "v::!N", "{:[x>5;x;0]}'v", "torch.where(v>5, v, 0)"),
    (":> under each", "w::1.0*!1000", "{{x^3}:>x}'w",
     "torch.func.vmap(torch.func.grad(lambda x: x**3))(w)"),
    ("dot 64x64", "A::[64 64]:^{.rn()}'!4096;B::[64 64]:^{.rn()}'!4096;"
     "dot::{[T];T::+y;{{+/x*y}(x;)'T}'x}", "dot(A;B)", "A@B"),
]


def check_idioms(device, n=100000):
    sync, ratios, wrong = _sync(device), [], []
    for name, setup, idiom, raw in IDIOMS:
        k = Klong(device=device)
        k(setup.replace("N", str(n)))
        scope = {"torch": torch, **{v: k[v] for v in "vwAB" if v in k}}
        raw_fn = eval("lambda: " + raw, scope)
        if not _close(k(idiom), raw_fn()):
            wrong.append(name)
            continue
        ratio = _time_ratio(lambda: k(idiom), raw_fn, sync)
        ratios.append(f"{name} {ratio:.1f}x")
    if wrong:
        raise Failed("differ from raw torch: " + ", ".join(wrong))
    return "same values as raw torch; time vs raw torch: " + ", ".join(ratios)


def _compile_with(device, options):
    k = Klong(device=device)
    k(f"f::{{(x^3)+(2*x^2)+x}};cf::.compilex(f;2.0;{options})")
    if not k("cf").captured:
        raise Failed("the function was not captured: " + str(k("cf").fallback_reason))
    for point in ("3.0", "[1.0 2.0 3.0]"):
        if not _close(k(f"cf({point})"), k(f"f({point})")):
            raise Failed(f"cf({point}) is {show(k(f'cf({point})'))}, "
                         f"f({point}) is {show(k(f'f({point})'))}")


def check_capture(device):
    _compile_with(device, ':{["backend" "aot_eager"]}')
    return "a polynomial captured as a torch graph gives the interpreter's values"


def check_inductor(device):
    backends = Klong(device=device)('(.cmodes())?"backends"')
    if "inductor" not in backends:
        need = "triton (pip install triton)" if device.type != "cpu" else \
            "a C++ compiler (g++ or clang++)"
        raise Skipped(f"inductor cannot run on {device.type} here: it needs {need}")
    start = time.perf_counter()
    _compile_with(device, ':{["backend" "inductor"]}')
    return f"compiled by inductor in {time.perf_counter() - start:.1f} s, same values"


CHECKS = [
    ("language", check_language),
    ("autograd", check_autograd),
    ("idioms", check_idioms),
    ("compile (capture)", check_capture),
    ("compile (inductor)", check_inductor),
]


# -- the report --------------------------------------------------------------------------------

def device_name(device):
    names = {"cuda": lambda: torch.cuda.get_device_name(device),
             "mps": lambda: "Apple MPS",
             "cpu": lambda: platform.processor() or platform.machine()}
    return f"{device} ({names[device.type]()})"


def versions():
    cuda = (f"CUDA {torch.version.cuda}, {torch.cuda.device_count()} device(s)"
            if torch.cuda.is_available() else
            f"no CUDA ({'a CPU build' if torch.version.cuda is None else 'no GPU seen'})")
    mps = getattr(torch.backends, "mps", None)
    return (f"python {platform.python_version()}, torch {torch.__version__}, klongtorch "
            f"{__version__}; {cuda}; MPS {'yes' if mps and mps.is_available() else 'no'}")


def run_checks(device, names):
    """[(name, result, seconds, detail)] for the checks whose names start with one of names."""
    rows = []
    for name, check in CHECKS:
        if names and not any(name.startswith(n) for n in names):
            continue
        start = time.perf_counter()
        try:
            result, detail = "pass", check(device)
        except Skipped as e:
            result, detail = "skip", str(e)
        except Failed as e:
            result, detail = "FAIL", str(e)
        except Exception as e:          # an unexpected error is a failure, with its text
            result, detail = "FAIL", f"{type(e).__name__}: {e}"
        rows.append((name, result, time.perf_counter() - start, detail))
        print(f"{name:<20} {result:<5} {rows[-1][2]:6.1f} s  {detail}", flush=True)
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m klongtorch.selfcheck", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", help="cpu, cuda, cuda:N or mps (default: the best here)")
    p.add_argument("--only", default="",
                   help="comma-separated checks to run: " + ", ".join(n for n, _ in CHECKS)
                   + " (a name's start is enough)")
    args = p.parse_args(argv)
    only = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in only if not any(name.startswith(n) for name, _ in CHECKS)]
    if unknown:
        p.error(f"no check named {', '.join(unknown)}; the checks: "
                + ", ".join(n for n, _ in CHECKS))
    try:
        device = devices.resolve(args.device)
    except KlongError as e:
        print(versions())
        print(str(e), file=sys.stderr)
        return 2
    print(versions())
    print(f"device: {device_name(device)}")
    print(f"{'check':<20} {'result':<5} {'time':>8}  detail")
    start = time.perf_counter()
    rows = run_checks(device, only)
    failed = [name for name, result, _, _ in rows if result == "FAIL"]
    print(f"{len(rows) - len(failed)} of {len(rows)} checks passed or skipped on {device} in "
          f"{time.perf_counter() - start:.1f} s" + (f"; FAILED: {', '.join(failed)}"
                                                    if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

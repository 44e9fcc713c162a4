"""Smoke test for benchmarks/bench_language.py: every benchmark program runs
through klongtorch once and produces the right value.  No timing asserts."""

import importlib.util
import os
import sys

import pytest
import torch

_BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      "benchmarks", "bench_language.py")


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_language", _BENCH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_language"] = mod  # dataclasses look the module up
    spec.loader.exec_module(mod)
    return mod


def _as_int(x):
    return int(x.item()) if isinstance(x, torch.Tensor) else int(x)


def _expected(src, ctx):
    r = torch.arange(1000000)
    return {
        "1+!1000000": r + 1,
        "2*1+!1000000": 2 * (r + 1),
        "+/!1000000": 499999500000,
        "<v": torch.argsort(ctx["v"], stable=True),
        "!1000000": r,
        "{x*x}'!10000": torch.arange(10000) ** 2,
        "{x+y}/!10000": 49995000,
        "10000{x+1}:*0": 10000,
        "fib(16)": 987,
        "#,/{$x}'!1000": 2890,
    }[src]


def test_program_list(bench):
    srcs = [p.src for p in bench.PROGRAMS]
    assert srcs == ["1+!1000000", "2*1+!1000000", "+/!1000000", "<v", "!1000000",
                    "{x*x}'!10000", "{x+y}/!10000", "10000{x+1}:*0", "fib(16)",
                    "#,/{$x}'!1000"]


@pytest.mark.parametrize("idx", range(10))
def test_klongtorch_values(bench, idx):
    prog = bench.PROGRAMS[idx]
    ctx = bench.raw_context()
    k = bench.make_klong(prog)
    got = k(prog.src)
    want = _expected(prog.src, ctx)
    if isinstance(want, torch.Tensor):
        assert isinstance(got, torch.Tensor)
        assert got.shape == want.shape
        assert torch.equal(got.to(torch.int64), want.to(torch.int64))
    else:
        assert _as_int(got) == want
    # the raw baseline computes the same thing (or the same scalar)
    raw = prog.raw(ctx)()
    if isinstance(want, torch.Tensor):
        assert torch.equal(raw.to(torch.int64), want.to(torch.int64))
    else:
        assert _as_int(raw) == want


def test_grade_sorts_global(bench):
    prog = next(p for p in bench.PROGRAMS if p.src == "<v")
    k = bench.make_klong(prog)
    v = bench.raw_context()["v"]
    assert torch.equal(v[k("<v")], torch.arange(v.numel()))


def test_render_without_klongpy(bench):
    res = bench.run_all(quick=True, with_klongpy=False, only=["fib(16)"],
                        malloc_tune=False)
    md = bench.render_markdown(res)
    assert "| `fib(16)` |" in md and "n/a" in md


_PROCESSES = os.path.join(os.path.dirname(_BENCH), "bench_processes.py")


@pytest.fixture(scope="module")
def processes():
    spec = importlib.util.spec_from_file_location("bench_processes", _PROCESSES)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_process_benchmarks_compute_what_their_baselines_compute(processes):
    """Every row of bench_processes: klongtorch's value is the raw baseline's."""
    from klongtorch import Klong
    for name, src, setup, rsetup, rexpr, reps in processes.PROGRAMS:
        if "10000000" in src:
            src, rexpr = src.replace("10000000", "1000"), rexpr.replace("10000000", "1000")
        k = Klong(device="cpu")
        if setup:
            k(setup)
        got = k(src)
        ns = {"torch": torch}
        exec(rsetup, ns)
        want = eval(rexpr, ns)
        if isinstance(want, torch.Tensor) and want.dim() > 0 and name != "amend loop":
            assert torch.equal(got.to(torch.int64), want.to(torch.int64)), name
        elif name == "amend loop":
            assert torch.equal(k("v"), want), name
        else:
            assert _as_int(got) == _as_int(want), name
        assert reps >= 1


def test_process_report_renders_a_kg_column(processes):
    fake = {n: {"median": 1e-3, "min": 9e-4, "max": 2e-3, "n": 3} for n, *_ in processes.PROGRAMS}
    results = {"table": {"klongtorch": fake, "kg": fake, "raw": fake}}
    md = processes.render(results)
    assert "| program | klongtorch | kg | raw |" in md
    assert "| `fib(20)` | 1.00 ms (900.0 µs–2.00 ms)" in md and "1.00x" in md


def test_process_report_compares_the_slowest_kernel_with_raw_torch(processes):
    names = list(processes.KERNEL_PROGRAMS)
    row = lambda t, f=None: {**{n: t for n in names},           # noqa: E731
                             **({n + " faults": f for n in names} if f is not None else {})}
    results = {"table": {}, "kernel": {"tuned": [row(1e-3, 2), row(1.2e-3, 6)],
                                       "raw": [row(1e-3), row(0.8e-3), row(1.1e-3)],
                                       "default malloc": [row(5e-3)]}}
    md = processes.render(results)
    assert "slowest shipped kernel / raw median" in md
    assert f"| `{names[0]}` | 1.10 ms (1.00 ms–1.20 ms) | 5.00 ms (5.00 ms–5.00 ms) | " \
           "1.00 ms (800.0 µs–1.10 ms) | 1.20x | 4 (max 6) / n/a |" in md


@pytest.mark.parametrize("module, worker", [("bench_threads", "worker"),
                                            ("bench_idioms", "worker")])
def test_workers_load_klongtorch_before_torch(module, worker):
    """A worker process that loads torch before klongtorch never gets klongtorch's thread
    policy (OpenMP reads it as torch loads), and measures a configuration no user runs:
    bench_threads' "klongtorch" column once did, 5x slow at 100K elements. The module and
    the worker's first imports leave torch to klongtorch."""
    import subprocess
    code = (f"import sys; sys.path.insert(0, {os.path.dirname(_BENCH)!r}); "
            f"import {module}, inspect; assert 'torch' not in sys.modules, 'module'; "
            f"src = inspect.getsource({module}.{worker}); "
            f"assert src.index('import klongtorch' if 'import klongtorch' in src "
            f"else 'from klongtorch') < src.index('import torch'), 'worker'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-600:]


def test_the_startup_benchmark_times_warm_and_cold_kernels():
    """bench_startup: one round gives one warm and one cold launch-to-answer time, and the
    table names both."""
    pytest.importorskip("jupyter_client")
    pytest.importorskip("ipykernel")
    path = os.path.join(os.path.dirname(_BENCH), "bench_startup.py")
    spec = importlib.util.spec_from_file_location("bench_startup", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = mod.measure(1)
    assert len(out["warm"]) == 1 and len(out["cold"]) == 1
    assert all(t > 0 for ts in out.values() for t in ts)
    table = mod.render(out)
    assert "| warm |" in table and "| cold |" in table

"""Time Klong programs with KlongPy (run inside the KlongPy virtualenv).

Usage (normally driven by ``bench_language.py``)::

    /work/klongpy-venv/bin/python benchmarks/klongpy_runner.py < spec.json

The spec on stdin is a JSON object::

    {"quick": false,
     "backends": ["numpy", "torch"],
     "programs": [{"name": ..., "src": ..., "setup": [klong src, ...],
                   "globals": {"v": {"randperm": 100000, "seed": 0}}}, ...]}

Prints one JSON object on stdout::

    {"klongpy_version": "0.7.1",
     "results": {"numpy": {name: {"median": s, ...} | {"error": msg}}, ...}}

If a backend cannot be created its entry is ``{"error": msg}``.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from timing import measure, min_reps_for, target_for  # noqa: E402


def _make_global(backend: str, spec: dict):
    if "randperm" in spec:
        n = int(spec["randperm"])
        seed = int(spec.get("seed", 0))
        if backend == "torch":
            import torch

            g = torch.Generator().manual_seed(seed)
            return torch.randperm(n, generator=g)
        import numpy as np

        return np.random.default_rng(seed).permutation(n)
    raise ValueError(f"unknown global spec {spec!r}")


def run(spec: dict) -> dict:
    import klongpy
    from klongpy import KlongInterpreter

    quick = bool(spec.get("quick"))
    target, min_reps = target_for(quick), min_reps_for(quick)
    out = {
        "klongpy_version": getattr(klongpy, "__version__", "unknown"),
        "results": {},
    }
    for backend in spec.get("backends", ["numpy", "torch"]):
        try:
            KlongInterpreter(backend=backend)
        except Exception as e:  # backend unavailable
            out["results"][backend] = {"error": f"{type(e).__name__}: {e}"}
            continue
        res = {}
        for prog in spec["programs"]:
            name = prog["name"]
            try:
                k = KlongInterpreter(backend=backend)
                for gname, gspec in prog.get("globals", {}).items():
                    k[gname] = _make_global(backend, gspec)
                for s in prog.get("setup", []):
                    k(s)
                src = prog["src"]
                res[name] = measure(lambda: k(src), target, min_reps)
            except Exception as e:
                res[name] = {"error": f"{type(e).__name__}: {e}"}
            print(f"[klongpy:{backend}] {name} done", file=sys.stderr)
        out["results"][backend] = res
    return out


def main() -> None:
    spec = json.load(sys.stdin)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    json.dump(run(spec), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

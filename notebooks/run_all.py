"""Execute the notebooks and save them with their outputs, so they render where browsed.

    python notebooks/run_all.py             run every notebook here and save it
    python notebooks/run_all.py 02 04       only the notebooks whose names start so
    python notebooks/run_all.py --check     run them, report the times, save nothing

Each notebook runs in a fresh kernel of its own kind (the Klong kernel for most, Python for
05), with the notebooks folder as the working directory; any error stops the run and the
notebook is left as it was. The Klong kernelspec is installed into a temporary prefix first
(`python -m klongtorch.kernel install --prefix TMP`, found through JUPYTER_PATH), so the
notebooks run on this checkout's klongtorch with nothing installed beforehand.
tests/test_notebooks.py uses the same functions.
"""
import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT = 300               # seconds for one cell


def notebooks(prefixes=()):
    """The notebooks in this folder, in order; with prefixes, those whose names start so."""
    found = sorted(HERE.glob("*.ipynb"))
    if prefixes:
        found = [p for p in found if any(p.name.startswith(x) for x in prefixes)]
    return found


def klong_kernelspec():
    """The `klong` kernelspec installed into a temporary prefix, first on JUPYTER_PATH
    while the block runs (klongtorch.kernel.install.temporary_kernelspec)."""
    from klongtorch.kernel.install import temporary_kernelspec
    return temporary_kernelspec()


def execute(path, cwd=None, timeout=TIMEOUT):
    """Run the notebook at path in a new kernel (the one its metadata names); returns the
    executed notebook and the seconds it took, kernel start included. A cell's error
    raises nbclient's CellExecutionError."""
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name=nb.metadata.kernelspec.name,
                            record_timing=False,
                            resources={"metadata": {"path": str(cwd or path.parent)}})
    start = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="run only notebooks whose names start so")
    parser.add_argument("--check", action="store_true", help="run, but save nothing")
    args = parser.parse_args(argv)
    import nbformat
    paths = notebooks(args.names)
    if not paths:
        parser.error("no notebook matches")
    with klong_kernelspec():
        for path in paths:
            nb, seconds = execute(path)
            if not args.check:
                nbformat.write(nb, str(path))
            print(f"{path.name}: {seconds:.1f} s{'' if args.check else ', saved'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

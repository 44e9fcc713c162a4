"""python -m klongtorch.kernel run NOTEBOOK [--save OUT]: run a notebook on its kernel and
show it in the terminal, cell by cell: the code, then what the kernel sent back.

nbclient does the running, through the kernelspec the notebook names (install ours first:
`python -m klongtorch.kernel install --user`). Text comes out as the notebook shows it;
pictures and HTML tables are named, since a terminal cannot show them. --save keeps the
executed notebook, with its outputs, for Jupyter.

An error fails the run (exit 1) unless its cell carries the tag `raises-exception`, as with
nbclient and nbconvert: a notebook may show a mistake on purpose. Colour (the red of an
error) is kept only when the output is a terminal.
"""
import argparse
import base64
import contextlib
import os
import re
import struct
import sys
import tempfile
import time

# what a terminal can show of each kind of output, best first
SHOWN = ("text/plain",)
NAMED = {"image/png": "[image: PNG {w}x{h}]", "text/html": "[HTML table]"}


def png_size(b64):
    """{'w': width, 'h': height} from a base64 PNG's header (the IHDR chunk)."""
    head = base64.b64decode(b64[:44])
    w, h = struct.unpack(">II", head[16:24])
    return {"w": w, "h": h}


def describe(output):
    """The lines a terminal shows for one output of a cell."""
    kind = output.get("output_type")
    if kind == "stream":
        return output.get("text", "").rstrip("\n").split("\n")
    if kind == "error":
        return [line for line in output.get("traceback", [])] or [output.get("evalue", "")]
    data = output.get("data", {})
    if "image/png" in data:
        return [NAMED["image/png"].format(**png_size(data["image/png"]))]
    for mime in SHOWN:
        if mime in data:
            return str(data[mime]).split("\n")
    return [NAMED.get(next(iter(data), ""), "[output]")]


EXPECTED = "raises-exception"       # the cell tag nbclient reads as "this error is the point"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def expects_error(cell):
    return EXPECTED in cell.get("metadata", {}).get("tags", [])


def unexpected_errors(nb):
    """The number of code cells that failed without a raises-exception tag: as nbclient
    without allow_errors, a deliberate example of an error does not fail the run."""
    return sum(any(o.get("output_type") == "error" for o in cell.get("outputs", []))
               and not expects_error(cell)
               for cell in nb.cells if cell.cell_type == "code")


def read(path):
    """The notebook at path, or None after a one-line message."""
    import nbformat                 # optional: nbclient's; main() says when it is missing
    try:
        return nbformat.read(path, as_version=4)
    except OSError as e:
        sys.stderr.write(f"kg: error: can't open {path}: {e.strerror}\n")
    except Exception:               # nbformat: not JSON, or not a notebook
        sys.stderr.write(f"kg: error: {path} is not a Jupyter notebook\n")
    return None


def show(nb, out, colour):
    """Print the executed notebook's code cells and what each produced."""
    def write(line):
        out.write((line if colour else ANSI.sub("", line)) + "\n")

    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        count = cell.get("execution_count") or " "
        write(f"In [{count}]: " + cell.source.replace("\n", "\n" + " " * (7 + len(str(count)))))
        for output in cell.get("outputs", []):
            for line in describe(output):
                write("    " + line)
        if expects_error(cell):
            write(f"    (an error is expected here: the cell is tagged {EXPECTED})")
        write("")


@contextlib.contextmanager
def local_transport():
    """Options for nbclient's kernel manager: talk to the kernel over local sockets in a
    temporary folder where the system has them (no network ports, and so no warning from
    ipykernel about unencrypted TCP); elsewhere nbclient's own, over TCP."""
    from traitlets.config import Config        # optional (see read)
    config = Config()
    if os.name != "posix":
        yield config
        return
    with tempfile.TemporaryDirectory(prefix="klong-run-") as folder:
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = os.path.join(folder, "kernel")
        yield config


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m klongtorch.kernel run",
                                     description="Run a notebook and print it. Errors fail "
                                     f"the run, except in cells tagged {EXPECTED}.")
    parser.add_argument("notebook")
    parser.add_argument("--save", metavar="OUT", help="write the executed notebook here")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument("--colour", "--color", choices=("auto", "always", "never"),
                        default="auto", help="ANSI colour in errors (auto: on a terminal)")
    args = parser.parse_args(argv)
    # one kernel and done: a warm spare for a next launch (warm.py) would import torch for
    # nothing
    os.environ.setdefault("KLONGTORCH_WARM", "0")
    try:                            # optional: the kernel extra; a clear message without it
        import nbformat
        from nbclient import NotebookClient
        from jupyter_client.kernelspec import NoSuchKernel
        from nbclient.exceptions import CellExecutionError
        from .install import NAME
    except ImportError as e:
        sys.stderr.write(f"kg: error: running notebooks needs {e.name}: "
                         "pip install 'klongtorch[kernel]'\n")
        return 2
    nb = read(args.notebook)
    if nb is None:
        return 2
    start = time.perf_counter()
    try:
        with local_transport() as config:
            NotebookClient(nb, config=config, timeout=args.timeout, allow_errors=True).execute()
    except CellExecutionError as e:        # only when a cell cannot run at all
        sys.stderr.write(f"{e}\n")
        return 1
    except NoSuchKernel as e:
        hint = ("python -m klongtorch.kernel install --user" if e.name == NAME else
                "jupyter kernelspec list shows the kernels there are")
        sys.stderr.write(f"kg: error: cannot run {args.notebook}: no kernel named {e.name} "
                         f"({hint})\n")
        return 1
    except Exception as e:                 # a kernel that died
        sys.stderr.write(f"kg: error: cannot run {args.notebook}: {type(e).__name__}: "
                         f"{str(e).splitlines()[0] if str(e) else ''}\n")
        return 1
    colour = {"always": True, "never": False}.get(args.colour, sys.stdout.isatty())
    show(nb, sys.stdout, colour)
    errors = unexpected_errors(nb)
    expected = sum(expects_error(c) for c in nb.cells if c.cell_type == "code")
    kernel = nb.metadata.get("kernelspec", {}).get("display_name", "?")
    print(f"{args.notebook}: {sum(c.cell_type == 'code' for c in nb.cells)} cells on {kernel} "
          f"in {time.perf_counter() - start:.1f} s, {errors} errors"
          + (f" ({expected} expected, tagged {EXPECTED})" if expected else ""))
    if args.save:
        nbformat.write(nb, args.save)
        print(f"saved to {args.save}")
    return 1 if errors else 0

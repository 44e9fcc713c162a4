"""python -m klongtorch.kernel run NOTEBOOK [--save OUT]: run a notebook on its kernel and
show it in the terminal, cell by cell: the code, then what the kernel sent back.

nbclient does the running, through the kernelspec the notebook names (install ours first:
`python -m klongtorch.kernel install --user`). Text comes out as the notebook shows it;
pictures and HTML tables are named, since a terminal cannot show them. --save keeps the
executed notebook, with its outputs, for Jupyter.
"""
import argparse
import base64
import struct
import sys
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


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m klongtorch.kernel run",
                                     description="Run a notebook and print it.")
    parser.add_argument("notebook")
    parser.add_argument("--save", metavar="OUT", help="write the executed notebook here")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
    except ImportError:
        sys.stderr.write("running notebooks needs nbclient: pip install nbclient\n")
        return 2
    nb = nbformat.read(args.notebook, as_version=4)
    client = NotebookClient(nb, timeout=args.timeout, allow_errors=True)
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as e:        # only when a cell cannot run at all
        sys.stderr.write(f"{e}\n")
        return 1
    except Exception as e:                 # no such kernel, a kernel that died
        sys.stderr.write(f"cannot run {args.notebook}: {type(e).__name__}: {e}\n")
        return 1
    errors = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        count = cell.get("execution_count") or " "
        print(f"In [{count}]: " + cell.source.replace("\n", "\n" + " " * (7 + len(str(count)))))
        for output in cell.get("outputs", []):
            errors += output.get("output_type") == "error"
            for line in describe(output):
                print("    " + line)
        print()
    kernel = nb.metadata.get("kernelspec", {}).get("display_name", "?")
    print(f"{args.notebook}: {sum(c.cell_type == 'code' for c in nb.cells)} cells on {kernel} "
          f"in {time.perf_counter() - start:.1f} s, {errors} errors")
    if args.save:
        nbformat.write(nb, args.save)
        print(f"saved to {args.save}")
    return 1 if errors else 0

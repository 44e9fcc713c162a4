"""Record what KlongPy prints for each example program here, as expected/<program>.out.

    python tests/klongpy_examples/record.py /path/to/kgpy [PROGRAM ...]

Each program is run as KlongPy's documentation runs it, `kgpy PROGRAM` from the program's
folder (1brc/par.kg with `-- measurements.txt`), and its standard output is saved
unchanged. tests/test_klongpy_examples.py compares klongtorch's output with these files.
The files here were recorded with KlongPy 0.7.1 (torch back end, its default, on CPU).
"""
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests"))
from test_klongpy_examples import ALSO_RECORDED, KLONGPY_ARGS, PROGRAMS  # noqa: E402


def main(kgpy, only=None):
    for program in only or list(PROGRAMS) + ALSO_RECORDED:
        path = HERE / program
        done = subprocess.run([kgpy, path.name, *KLONGPY_ARGS.get(program, [])],
                              cwd=path.parent, capture_output=True, text=True, timeout=300,
                              stdin=subprocess.DEVNULL)
        out = HERE / "expected" / (program + ".out")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(done.stdout)
        print(f"{program}: exit {done.returncode}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "kgpy", sys.argv[2:])

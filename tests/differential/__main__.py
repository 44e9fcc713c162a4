"""python -m tests.differential [N] [SEED] [EXAMPLES]: the differential figures, with examples."""
import sys
import time
from collections import Counter
from pathlib import Path

from . import generator, runner
from .deviations import DEVIATIONS


def main(argv):
    n = int(argv[0]) if argv else 1500
    seed = int(argv[1]) if len(argv) > 1 else 20221212
    shown = int(argv[2]) if len(argv) > 2 else 40
    shared = Path(__file__).resolve().parents[2].parent / "shared" / "klong"
    if runner.find_kg(shared / "build-kg") is None:
        sys.exit("kg is not built: run ../shared/klong/build-kg")
    start = time.monotonic()
    rows = runner.compare(generator.expressions(n, seed), DEVIATIONS)
    print(f"{n} expressions, seed {seed}, {time.monotonic() - start:.1f} s")
    for cls, count in runner.tally(rows).items():
        print(f"  {cls:28s} {count:5d}")
    for name, count in Counter(r[4].name for r in rows if r[4]).items():
        print(f"    expected: {name:20s} {count:5d}")
    for cls in runner.CLASSES[1:]:
        picked = [r for r in rows if r[3] == cls][:shown]
        if picked:
            print(f"\n== {cls}")
        for expr, a, b, _, _ in picked:
            print(f"  {expr}\n      kg: {a[1][:110]}\n      kt: {b[1][:110]}")


if __name__ == "__main__":
    main(sys.argv[1:])

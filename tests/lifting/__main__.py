import sys

from .runner import compare

n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
diffs, lifted, gave_way = compare(n, seed)
print(f"{n} cases, seed {seed}: {lifted} adverb calls lifted, {gave_way} gave way, "
      f"{len(diffs)} differences")
for text, a, b in diffs[:40]:
    print(f"  {text}\n    lifted: {a}\n    loop:   {b}")

"""python -m klongtorch: the REPL and script runner (see klongtorch.cli)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())

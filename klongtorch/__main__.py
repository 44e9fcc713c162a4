"""python -m klongtorch: the REPL and script runner (see klongtorch.shell.cli)."""
import sys

from klongtorch.shell.cli import main

if __name__ == "__main__":
    sys.exit(main())

"""python -m klongtorch.kernel: launch the kernel, or install its kernelspec.

    python -m klongtorch.kernel install [--user | --sys-prefix | --prefix DIR]
    python -m klongtorch.kernel uninstall
    python -m klongtorch.kernel run NOTEBOOK [--save OUT]   run a notebook, print it
    python -m klongtorch.kernel -f CONNECTION_FILE          (what Jupyter runs)
    python -m klongtorch.kernel spare                       (a warm kernel: warm.py)
"""
import os
import sys

USAGE = """usage: python -m klongtorch.kernel COMMAND ...

The Klong (torch) Jupyter kernel.

commands:
  install [--user | --sys-prefix | --prefix DIR | --system]
                        register the kernelspec "klong" with Jupyter
  uninstall             remove it again
  run NOTEBOOK [--save OUT] [--timeout S]
                        run a notebook on its kernel and print it, cell by cell
  -f CONNECTION_FILE    start the kernel (what Jupyter runs)

`python -m klongtorch.kernel COMMAND --help` tells more about a command; the kernel's own
options (the ones Jupyter passes) are IPython's: see `jupyter kernel --help`.
"""

# what each command needs beyond klongtorch itself, and the pip install that brings it
EXTRA = "pip install 'klongtorch[kernel]'"

# The C extensions that importing ipykernel loads (CPython 3.10-3.13, ipykernel 7.3 and 7.4;
# tests/test_preload.py checks this environment's). The launch imports them before torch's
# libraries start loading on the other core (klongtorch/runtime/preload.py): the dynamic
# loader does one load at a time, and each of them would wait for torch's 0.17 s. One that
# is missing here costs that wait, no more; one that is not installed is skipped.
EXTENSIONS = (
    "_asyncio", "_bisect", "_blake2", "_bz2", "_contextvars", "_csv", "_ctypes", "_curses",
    "_datetime", "_decimal", "_hashlib", "_heapq", "_json", "_lsprof", "_lzma", "_opcode",
    "_pickle", "_posixsubprocess", "_queue", "_random", "_sha2", "_sha512", "_socket",
    "_sqlite3", "_ssl", "_struct", "_typing", "_uuid", "_zoneinfo", "array", "binascii",
    "fcntl", "grp", "math", "pyexpat", "resource", "select", "termios", "unicodedata", "zlib",
    "orjson", "psutil", "tornado.speedups", "wcwidth", "zmq",
)


def missing(error, what):
    """The one-line message for a missing optional package."""
    package = (error.name or "a package").partition(".")[0]
    sys.stderr.write(f"kg: error: {what} needs {package}, which is not installed: {EXTRA}\n")
    return 2


def launch(argv):
    # start-up: each subcommand imports only what it needs (install needs no torch)
    from klongtorch.runtime import allocator, collector, preload
    # start-up imports make some 165K objects for life: no collections until they exist
    collector.pause()
    # figures are drawn off-screen and sent as PNGs; a GUI backend would open windows
    os.environ.setdefault("MPLBACKEND", "Agg")
    allocator.tune()                # this process is ours: big arrays fast in every kernel
    # torch's libraries load on the other core while ipykernel imports (after the tuning
    # above, and after `import klongtorch` set OpenMP's policy: both are read as they load)
    preload.start(EXTENSIONS)
    try:
        from ipykernel.kernelapp import IPKernelApp  # optional: the kernel extra
    except ModuleNotFoundError as e:
        return missing(e, "the kernel")
    from . import startup  # start-up (see above)
    from .kernel import KlongKernel  # start-up: after the allocator tuning above

    # torch is imported in a thread once the kernel's sockets are bound (startup.py), after
    # ipykernel's imports (two threads importing one module at once may see it
    # half-initialised)
    startup.prepare()
    IPKernelApp.launch_instance(argv=argv, kernel_class=KlongKernel)
    return 0


def install(argv):
    from .install import main  # start-up: a subcommand imports only what it needs
    return main(argv)


def uninstall(argv):
    from .install import uninstall  # start-up (see install)
    if argv:
        sys.stderr.write("usage: python -m klongtorch.kernel uninstall\n")
        return 2
    try:
        print(f"Removed {uninstall()}")
    except KeyError:                # jupyter_client: no such kernelspec
        sys.stderr.write("kg: error: the klong kernelspec is not installed\n")
        return 1
    return 0


def run(argv):
    from .run import main  # start-up (see install)
    return main(argv)


def spare(argv):
    from .warm import serve  # start-up (see install)
    return serve(launch)


COMMANDS = {"install": install, "uninstall": uninstall, "run": run, "spare": spare}


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:                    # Jupyter always passes -f: this is a person asking
        sys.stderr.write(USAGE)
        return 2
    if argv[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0
    command = COMMANDS.get(argv[0])
    if command is None:
        return launch(argv)
    try:
        return command(argv[1:])
    except ModuleNotFoundError as e:    # jupyter_client or nbclient: the kernel extra is missing
        return missing(e, f"python -m klongtorch.kernel {argv[0]}")


if __name__ == "__main__":
    sys.exit(main())

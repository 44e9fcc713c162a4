"""torch's native libraries, loaded on another core while a kernel starts.

A sixth of `import torch` is the dynamic loader mapping libtorch_cpu and running its static
constructors, which register torch's operators: 0.17 s of C++ that needs no Python. A kernel
starting cold spends that time importing ipykernel and answering its first requests, one
core busy and the other idle. start() runs the load on the idle core: `dlopen` called
through ctypes, as a foreign call that releases the GIL (ctypes.CDLL's own load keeps the
GIL for the whole load). When torch is imported later, the loader finds its libraries in
place and the import skips that sixth.

The loader does one load at a time, so a C extension that the main thread imports during
the load waits for it. A caller therefore imports the extensions it will need first
(`extensions`, a list of module names; a missing one is skipped) and starts the load after.

Only where torch's libraries are the Linux ones (torch/lib/libtorch_cpu.so). Elsewhere, or
without torch, start() does nothing, and torch loads as it always does. The libraries are
loaded RTLD_LOCAL, as torch's own import loads them, and the later import adds whatever
scope it asks for. KLONGTORCH_PRELOAD=0 in the environment turns it off: torch's import
then loads them itself, as in any other process (a way out, should a torch build of some
platform need its own import to come first).
"""
import ctypes
import importlib
import importlib.util
import os
import sys
import threading

# in load order: each needs the ones before it (their static constructors run in this order
# when torch loads them itself)
LIBRARIES = ("libc10.so", "libtorch_cpu.so")


def library_paths():
    """The paths of LIBRARIES in the torch that `import torch` would load, without
    importing it; () where torch is missing or its libraries are not named so."""
    try:
        spec = importlib.util.find_spec("torch")
    except (ImportError, ValueError):
        return ()
    if spec is None or not spec.submodule_search_locations:
        return ()
    lib = os.path.join(list(spec.submodule_search_locations)[0], "lib")
    paths = tuple(os.path.join(lib, name) for name in LIBRARIES)
    return paths if all(os.path.isfile(p) for p in paths) else ()


def _dlopen():
    """libc's dlopen as a ctypes foreign function (which releases the GIL), or None."""
    try:
        libc = ctypes.CDLL(None)
        dlopen = libc.dlopen
    except (OSError, AttributeError):
        return None
    dlopen.restype = ctypes.c_void_p
    dlopen.argtypes = (ctypes.c_char_p, ctypes.c_int)
    return dlopen


def _load(dlopen, paths):
    for path in paths:
        if not dlopen(os.fsencode(path), os.RTLD_NOW | os.RTLD_LOCAL):
            return              # torch's own import will load it, and say what is wrong


def start(extensions=()):
    """Import `extensions`, then load torch's libraries in a thread; the thread, or None
    where there is nothing to load.

    Not a daemon thread: Python's exit waits for it. A process that exits while a library's
    static constructors run crashes in its destructors (exit runs them for the libraries
    already constructed, under the constructors still running)."""
    if "torch" in sys.modules or os.environ.get("KLONGTORCH_PRELOAD") == "0":
        return None
    paths = library_paths()
    dlopen = _dlopen() if paths else None
    if dlopen is None:
        return None
    for name in extensions:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    thread = threading.Thread(target=_load, args=(dlopen, paths), name="klong-preload")
    thread.start()
    return thread


__all__ = ["LIBRARIES", "library_paths", "start"]

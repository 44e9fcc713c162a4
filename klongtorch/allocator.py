"""glibc malloc's thresholds, pinned so that big arrays are fast in every process.

glibc adapts two thresholds to the largest block freed so far: blocks above the mmap
threshold get pages of their own, and free memory above the trim threshold goes back to the
kernel. Whether a loop that makes and drops 8 MB tensors (`2*1+!1000000`) then reuses its
pages or maps them afresh, taking ~4000 page faults per tensor, depends on a few bytes of
heap layout: about half the fresh processes (most that imported IPython) land in the slow
mode, 5-7x slower for big arrays, raw torch included. Fixed thresholds remove the coin toss.

    allocator.tune()        # the CLI and the kernel, at start; the %klong_tune magic

Blocks above 32 MiB (`+/1+!10000000` makes two of 80 MB) always get fresh pages, one fault
per 4 KiB page. tune() also sets THP_MEM_ALLOC_ENABLE=1 (unless it is set already), which
makes torch align such tensors to 2 MiB and ask for transparent huge pages: 512 times fewer
faults, 4-6x faster for those rows. Torch reads it at its first allocation, so it must be
set before torch allocates anything (the CLI and the kernel do; under the magic it takes
effect only if no tensor was made yet).

The settings are process-wide, so they are made only where klongtorch owns the process;
under the IPython magic the process is the user's, and `%klong_tune` is an opt-in.
KLONGTORCH_MALLOC=default in the environment leaves glibc's defaults alone. Off Linux/glibc
(macOS, Windows, musl) there is nothing to set and tune() does nothing.
"""
import ctypes
import ctypes.util
import os
import sys

M_TRIM_THRESHOLD = -1           # mallopt parameters, from glibc's malloc.h
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20       # glibc's upper limit on 64-bit: blocks up to 32 MiB reuse the heap
TRIM_THRESHOLD = 512 << 20      # keep up to 512 MiB of freed heap instead of unmapping it

_done = None


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version            # glibc only: musl has no mallopt thresholds
        return libc
    except (OSError, AttributeError):
        return None


def tune(force=False):
    """Pin malloc's mmap and trim thresholds (once per process); a line saying what was done.

    Returns "" when nothing was set: not glibc, or KLONGTORCH_MALLOC=default (unless force)."""
    global _done
    if _done is not None:
        return _done
    if not force and os.environ.get("KLONGTORCH_MALLOC") == "default":
        return ""
    libc = _libc()
    if libc is None:
        return ""
    os.environ.setdefault("THP_MEM_ALLOC_ENABLE", "1")
    ok = libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) and \
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    _done = (f"malloc: mmap threshold {MMAP_THRESHOLD >> 20} MiB, "
             f"trim threshold {TRIM_THRESHOLD >> 20} MiB, torch huge pages "
             f"{'on' if os.environ.get('THP_MEM_ALLOC_ENABLE') == '1' else 'off'}") if ok else ""
    return _done


def tuned():
    """Whether tune() has set the thresholds in this process."""
    return bool(_done)

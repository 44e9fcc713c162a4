"""glibc malloc's settings, pinned so that big arrays are fast in every process.

glibc adapts two thresholds to the largest block freed so far: blocks above the mmap
threshold get pages of their own, and free memory above the trim threshold goes back to the
kernel. Whether a loop that makes and drops 8 MB tensors (`2*1+!1000000`) then reuses its
pages or maps them afresh, taking ~4000 page faults per tensor, depends on a few bytes of
heap layout: about half the fresh processes (most that imported IPython) land in the slow
mode, 5-7x slower for big arrays, raw torch included. Fixed settings remove the coin toss.

    allocator.tune()        # the CLI and the kernel at start, Klong() (once), %klong_tune
    allocator.release()     # give back what lies free past RELEASE_ABOVE
    allocator.settle()      # release(), at most every SETTLE_EVERY s: after each cell or line

tune() makes every block come from the heap, however big (M_MMAP_MAX 0): a freed block is
reused by the next one, its pages already mapped, where a block above 32 MiB (the highest
mmap threshold glibc allows) would be mapped afresh each time and fault on every page.
`+/1+!10000000` makes two such blocks of 80 MB, and runs twice as fast from the heap. glibc
still maps a block when the heap cannot grow, so nothing fails for want of a mapping.

Holding on to freed memory is the point, but not without bound. Up to TRIM_THRESHOLD of free
memory at the heap's top stays; more is trimmed as it is freed. Free memory below the top
(a big block freed under a small live one) is not, so release() hands it back once more
than RELEASE_ABOVE lies free: a cell that made and dropped gigabytes does not keep them.

tune() also sets THP_MEM_ALLOC_ENABLE=1 (unless it is set already), which makes torch align
tensors of 2 MiB and more to 2 MiB and ask for transparent huge pages: 512 times fewer page
faults on a fresh block, and fewer TLB misses. Torch reads it at its first allocation, so it
must be set before torch allocates anything (the CLI and the kernel do; under the magic it
takes effect only if no tensor was made yet).

The settings are process-wide. The CLI and the kernel make them at start; the Python API and
the IPython magic, whose process is the user's, make them with the first Klong() (they were
an opt-in there until measured: at 10M elements `1+!n` took 40.8 ms untuned and 4.3 ms
tuned, `+/x^2` 27.5 and 4.1, a gradient 112.6 and 15.9). The price is memory kept for
reuse: up to 512 MiB at the heap's top, and what lies free below it until release(), which
the kernel, the REPL and the magic call after each cell (through settle(), which looks at
most every SETTLE_EVERY seconds: cells run from a loop do not each pay for the look); a
long-running Python program that made and dropped gigabytes calls release() itself.
KLONGTORCH_MALLOC=default in the environment leaves glibc's defaults alone. Off Linux/glibc
(macOS, Windows, musl) there is nothing to set and tune() does nothing.
"""
import ctypes
import ctypes.util
import functools
import os
import sys
import time

M_TRIM_THRESHOLD = -1           # mallopt parameters, from glibc's malloc.h
M_MMAP_THRESHOLD = -3
M_MMAP_MAX = -4
MMAP_THRESHOLD = 32 << 20       # glibc's upper limit on 64-bit (moot while M_MMAP_MAX is 0)
TRIM_THRESHOLD = 512 << 20      # keep up to 512 MiB of freed heap top instead of unmapping it
RELEASE_ABOVE = 1 << 30         # release(): free memory past this goes back to the kernel
SETTLE_EVERY = 0.1              # settle(): seconds between two looks at the heap


class _Mallinfo2(ctypes.Structure):
    """glibc's struct mallinfo2 (2.33 and later): the heap's statistics, in bytes."""
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

_done = None


@functools.lru_cache(maxsize=None)
def _libc():
    """glibc, or None (not Linux, or another C library). Looked up once: find_library
    runs ldconfig."""
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
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) and libc.mallopt(M_MMAP_MAX, 0)
    _done = (f"malloc: every block from the heap (mmap threshold {MMAP_THRESHOLD >> 20} MiB, "
             f"no mmap), trim threshold {TRIM_THRESHOLD >> 20} MiB, torch huge pages "
             f"{'on' if os.environ.get('THP_MEM_ALLOC_ENABLE') == '1' else 'off'}") if ok else ""
    return _done


def free_bytes():
    """The bytes malloc holds free (in every arena), or None where that cannot be read."""
    libc = _libc()
    mallinfo2 = getattr(libc, "mallinfo2", None) if libc is not None else None
    if mallinfo2 is None:
        return None
    mallinfo2.restype = _Mallinfo2
    return mallinfo2().fordblks


def release(above=RELEASE_ABOVE):
    """When tune() is in force and more than `above` bytes lie free in the heap, give their
    pages back to the kernel (malloc_trim), keeping TRIM_THRESHOLD at the top. True if it
    trimmed. Reading the heap's statistics takes microseconds; trimming, milliseconds."""
    if not _done:
        return False
    free = free_bytes()
    if free is None or free <= above:
        return False
    _libc().malloc_trim(ctypes.c_size_t(TRIM_THRESHOLD))
    return True


class _Settle:
    __slots__ = ("next",)

    def __init__(self):
        self.next = 0.0


_settle = _Settle()


def settle(now=time.monotonic):
    """release(), unless the last look was under SETTLE_EVERY seconds ago. The kernel, the
    REPL and the magic call it after each cell: reading the heap's statistics takes 7-13 µs,
    a fifth of what a quick %klong line costs beyond the work when Python calls it in a
    loop, and a person's cells come further apart than that. True if it trimmed."""
    t = now()
    if t < _settle.next:
        return False
    _settle.next = t + SETTLE_EVERY
    return release()


def tuned():
    """Whether tune() has set the thresholds in this process (nothing in the package asks:
    it is the answer for a user, and for tests/test_allocator.py, to "is this one tuned?")."""
    return bool(_done)

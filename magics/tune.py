"""%klong_tune: glibc malloc's settings for big arrays, in this IPython process.

Big arrays (`2*1+!1000000`, `+/1+!10000000`) are fast or 5-7x slower from one process to the
next by allocator luck: glibc's adaptive mmap and trim thresholds decide whether the pages of
a freed 8 MB tensor are reused or mapped afresh, and a process that imported IPython lands
in the slow mode most of the time. The first interpreter sets malloc up for the whole process, as the CLI and the kernel do
(klongtorch/runtime/allocator.py), unless KLONGTORCH_MALLOC=default was set; %klong_tune does it
on demand even then, and says what is in force:

    %klong_tune          every block from the heap, reused when freed (M_MMAP_MAX 0), the
                         heap's top trimmed past 512 MiB free (M_TRIM_THRESHOLD), and
                         THP_MEM_ALLOC_ENABLE=1 (torch's huge pages for tensors over 2 MiB;
                         torch reads it at its first allocation, so run %klong_tune before
                         making any tensor for that part to count)

The effect is on the whole process (numpy, torch, all of Python's allocations), lasts until
it exits and cannot be undone. Freed memory is kept for reuse instead of returned to the
system: up to 512 MiB at the heap's top, and after each %%klong cell anything past 1 GiB
free is handed back. Off Linux/glibc it does nothing and says so.
"""
from IPython.core.magic import Magics, line_magic, magics_class

from klongtorch.runtime import allocator


@magics_class
class TuneMagics(Magics):
    @line_magic
    def klong_tune(self, line=""):
        """%klong_tune: set glibc malloc up for big arrays in this process (every block
        from the heap, reused when freed; the heap trimmed past 512 MiB free), so that they
        are equally fast in every process. Process-wide and permanent; a no-op off
        Linux/glibc."""
        if line.strip():
            print("usage: %klong_tune   (no arguments)")
            return
        done = allocator.tune(force=True)
        print(done or "%klong_tune: not glibc malloc here; nothing to set")

"""klongtorch.runtime: the process around the language.

torch's thread policy (threads.py) and thread count (cores.py), glibc malloc's settings for
big arrays (allocator.py), the collector at start-up (collector.py), torch's libraries
loaded on another core while a kernel starts (preload.py), and the SIGINT discipline that
keeps an interrupt out of a critical section, so that a restore is never split
(interrupts.py). Each is set once per process.

May import: nothing of klongtorch (the standard library, and torch where needed).
"""

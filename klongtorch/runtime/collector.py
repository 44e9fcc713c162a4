"""Python's cyclic garbage collector around start-up, in the processes that are klongtorch's
own (the kernel, its spare, the CLI).

Importing torch, IPython and ipykernel makes some 165,000 objects that live as long as the
process, and the collector, counting allocations, runs over and over while they are made:
it costs a tenth of the 0.9 s that `import torch` takes. And once they exist, every full
collection walks them all, a 58 ms pause that can land in any later cell.

    collector.pause()       # first thing at start-up: no collections while importing
    collector.settle()      # start-up done: freeze what exists, collect as usual again

settle() freezes (gc.freeze) the objects made so far: they move to a generation the
collector never looks at, so later collections see only what the user's work makes. It
undoes only its own pause(): a process whose collector was already off keeps it off.
The Python API and the magic run in the user's process, and never call these.
"""
import gc

_paused = False


def pause():
    """Turn the collector off until settle(), if it is on."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def settle():
    """Freeze the objects start-up made, and turn the collector on again if pause() turned
    it off."""
    global _paused
    gc.freeze()
    if _paused:
        _paused = False
        gc.enable()


__all__ = ["pause", "settle"]

"""The KlongPy dialect: what KlongPy's programs rely on that kg's Klong rejects.

Off by default: klongtorch is kg's Klong. It is a setting of one interpreter (Klong(klongpy=
True), its attribute klongpy), switched on by `klongtorch --klongpy`, `%%klong --klongpy`,
the kernel's KLONGTORCH_KLONGPY=1 and the system function .klongpy(1); while that
interpreter runs, values.ctx.klongpy carries it to the verbs. In the dialect:

    broadcasting   an atomic dyad between arrays of different shapes pairs them as NumPy
                   does, from their last axes: [6 2]-[2] subtracts [2] from each row, and
                   [5 5]-[5 1] each row's one number from that row. Where NumPy cannot pair
                   them, Klong's rule (the shorter shape a prefix of the longer) still
                   applies. Where both could, NumPy's wins, as in KlongPy: [[1 2] [3 4]]+
                   [10 20] is [[11 22] [13 24]] (Klong: [[11 12] [23 24]]).
    a@-1           negative indices count from the end, in @, :@, := and :- ([1 2 3]@-1 is
                   3); -n is the first element, below that a range error.

Everything else is Klong as kg runs it. An error raised in the dialect names it, so that a
message read later says which rules were in force.
"""
import torch

from klongtorch.value.errors import err
from klongtorch.value.functions import SysFunc
from klongtorch.value.values import ctx

NAME = "klongpy dialect"
SWITCH = ".klongpy(1)"          # what the standard mode's errors suggest


def broadcastable(sa, sb):
    """Whether NumPy would pair shapes sa and sb (torch's rule is the same)."""
    try:
        torch.broadcast_shapes(sa, sb)
    except RuntimeError:
        return False
    return True


def position(i, n):
    """Index i of a list of n elements as a position from its start: in the dialect a
    negative i counts from the end; out of range stays out of range (the caller's error)."""
    return i + n if -n <= i < 0 and ctx.klongpy else i


def positions(idx, n):
    """An int64 index tensor with the dialect's negative indices counted from the end (a
    copy only when some index is negative)."""
    if ctx.klongpy and idx.numel() and bool((idx < 0).any()):
        return torch.where((idx < 0) & (idx >= -n), idx + n, idx)
    return idx


def set_mode(k, flag):
    """Switch interpreter k's dialect, also for the code running now (ctx)."""
    k.klongpy = bool(flag)
    ctx.klongpy, ctx.key = k.klongpy, k._key


def install(interp):
    """.klongpy, the dialect's switch inside Klong (an extension: see interpreter.EXTENSIONS)."""
    def klongpy(a):
        """.klongpy(a)  KlongPy-Dialect
        a=1 switches this interpreter to the KlongPy dialect, a=0 back to kg's Klong;
        returns the setting before (1 or 0). In the dialect an atomic dyad pairs arrays of
        different shapes as NumPy broadcasts them ([6 2]-[2], [5 5]-[5 1]), negative
        indices count from the end ([1 2 3]@-1 --> 3), and errors say (klongpy dialect).
        The same switch: klongtorch --klongpy, %%klong --klongpy, KLONGTORCH_KLONGPY=1.
        Example: .klongpy(1);[[1 2] [3 4]]-[1 2] --> [[0 0] [2 2]]"""
        before = int(interp.klongpy)
        if type(a) not in (int, float):
            raise err(".klongpy", "type", a)
        set_mode(interp, a != 0)
        return before

    interp.globals[".klongpy"] = SysFunc(".klongpy", 1, klongpy, interp)

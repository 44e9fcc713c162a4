"""Devices: which torch device an interpreter's arrays live on.

A device is checked once, when an interpreter (and so a kernel or a magic) is made: a
name torch does not know, or a device this machine's torch cannot use, is a Klong error
then, rather than a failure inside the first array operation.
"""
import torch

from klongtorch.value.errors import KlongError
from klongtorch.value.values import Context

# one object per device: an interpreter entered again finds its device already in the
# thread's context by identity (interpreter._Active), without comparing devices
_ONE = {Context.device: Context.device}


def _one(device):
    return _ONE.setdefault(device, device)

KINDS = ("cpu", "cuda", "mps")


def _mps_available():
    mps = getattr(torch.backends, "mps", None)
    return mps is not None and mps.is_available()


def _cuda_count():
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


# why each kind may be missing, in words a user can act on
UNAVAILABLE = {
    "cuda": "this torch has no CUDA device (a CPU build, or no GPU); install a CUDA build of "
            "torch or use cpu",
    "mps": "this machine has no Apple MPS device; use cpu",
}

AVAILABLE = {
    "cpu": lambda index: index in (None, 0),
    "cuda": lambda index: _cuda_count() > (index or 0),
    "mps": lambda index: _mps_available() and index in (None, 0),
}


def best():
    """The best device this machine has: cuda, then mps, then cpu."""
    if _cuda_count():
        return _one(torch.device("cuda"))
    if _mps_available():
        return _one(torch.device("mps"))
    return _one(torch.device("cpu"))


def resolve(name):
    """The torch.device for name (a string or a torch.device; None is the best available),
    or a KlongError that says why it cannot be used here."""
    if name is None:
        return best()
    try:
        device = name if isinstance(name, torch.device) else torch.device(str(name))
    except (RuntimeError, ValueError, TypeError):
        raise KlongError(f"kg: error: device: unknown device: {name} "
                         "(use cpu, cuda or mps)") from None
    if device.type not in KINDS:
        raise KlongError(f"kg: error: device: unknown device: {name} (use cpu, cuda or mps)")
    if not AVAILABLE[device.type](device.index):
        if device.index and device.type == "cuda" and _cuda_count():
            why = f"this machine has {_cuda_count()} CUDA device(s), numbered from 0"
        else:
            why = UNAVAILABLE.get(device.type, "no such device index")
        raise KlongError(f"kg: error: device: {name} is not available: {why}")
    return _one(device)


__all__ = ["best", "resolve", "KINDS"]

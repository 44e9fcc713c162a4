"""A helper module in KlongPy's style: klongpy_exports decides what Klong sees."""
import torch

import activations


def _dense(w, x):
    return activations.relu(torch.matmul(w, x))


def _count():
    return len(klongpy_exports)


secret = "not exported"
klongpy_exports = {"dense": _dense, "nexports": _count, "width": 4}

"""klongtorch.verbs: what the primitive operators do.

Atomic arithmetic (arith.py) and how it reaches into lists (pervade.py); the structural
verbs, one module per concept: measure, build, select, reorder, search, amend, reshape and
formats, with the argument checks they share (listargs.py); Over and the whole-tensor folds
(folds.py); the guards where Python numbers and tensors part ways (guards.py); and the
KlongPy dialect's rules (dialect.py). The record that binds each operator's symbol to these
functions is klongtorch.engine.primitives.

May import: klongtorch.value, klongtorch.runtime.
"""

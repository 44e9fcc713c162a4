"""klongtorch.value: what a Klong value is, and its forms outside the interpreter.

The one value table (values.py: how each Klong type is held in Python), the atoms torch
does not have (atoms.py), KlongError (errors.py), the text forms (text.py: `.d`/`.w`;
summary.py: bounded ones), dual numbers (dual.py), function values (functions.py),
crossing to and from Python (convert.py), pickling of functions (pickling.py) and the
device an interpreter's arrays live on (devices.py).

May import: klongtorch.runtime.
"""

"""klongtorch.ext: the system functions that reach outside the language.

kg's system functions and variables (system.py), I/O channels (channels.py), Python interop
(interop.py), work that finishes later (background.py) and KlongPy's Python API
(klongpy_compat.py). Each module's install(interp) binds its functions.

May import: every layer below it. Not klongtorch.interpreter: code here that must make an
interpreter asks value.pickling for one of the kind already made.
"""

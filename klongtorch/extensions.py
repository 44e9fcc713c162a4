"""Hooks that add klongtorch's own system functions (differentiation, Python interop,
plots) to an interpreter. Each extension module has an `install(interp)`."""

EXTENSIONS = ("autograd", "compile", "dialect", "interop", "optim", "plots")


def install(interp):
    import importlib
    for name in EXTENSIONS:
        importlib.import_module(f".{name}", __package__).install(interp)

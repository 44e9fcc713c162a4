"""klongtorch.autograd: differentiation, compilation and training.

:> (exact, reverse mode, with dual numbers for one real), ∇ (numeric), ∂, .jacobian and
friends (derivatives.py); .compile, a Klong function captured as a torch graph
(compile.py); built-in optimizers (optim.py). Each module's install(interp) binds its
system functions.

May import: klongtorch.verbs, klongtorch.display, klongtorch.parse, klongtorch.value,
klongtorch.runtime.
"""

"""klongtorch.engine: the execution engine, which runs Klong.

One record per primitive operator (primitives.py); the adverbs and the derived verbs they
make, such as +/ (adverbs.py); lifting, an adverb over a lambda run once on the whole
tensor (lift.py); adverb loops written inline (loops.py); plain Python twins of pure
integer lambdas (pure.py); the code writer (codegen.py) and the compiler that drives it
(compiler.py).

May import: the layers below it (autograd, verbs, parse, display, value, runtime).
"""

"""Lifted against element-by-element evaluation (klongtorch.engine.lift): a generator of lambdas
from the liftable grammar and of near misses, and a runner that compares the two ways.

    python -m tests.lifting [CASES] [SEED]     prints the figures and any difference
"""

"""A differential test of klongtorch against the reference interpreter kg.

generator.py builds seeded, well-formed Klong expressions; runner.py evaluates them in kg and
in klongtorch and classifies each pair; deviations.py is the one table of differences kept on
purpose. `python -m tests.differential [N] [SEED]` prints a report with examples of each class.
"""

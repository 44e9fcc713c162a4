"""klongtorch.display: values and work as a notebook shows them.

Rich mime bundles (rich.py), plots (plots.py builds a figure from Klong, figures.py renders
it), progress of long work (progress.py) and an output updated in place (inplace.py). The
text forms are part of the value layer (klongtorch.value.text), since errors need them.

May import: klongtorch.value, klongtorch.runtime.
"""

"""What a %%klong cell shows: its value as Out[n], and the figures its code drew.

The value goes through the same rich display as the Jupyter kernel (klongtorch.rich). It is
wrapped rather than shown by formatters registered for its type: a Klong value is often a
plain tensor, list or int, and a session's Python tensors must keep their own display.
"""
import sys

from klongtorch.display import show


class KlongValue:
    """The value of a %%klong cell, displayed as Klong shows it. The value is `.value`."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def _repr_mimebundle_(self, include=None, exclude=None):
        from klongtorch.rich import mime_bundle
        return mime_bundle(self.value)

    def __repr__(self):
        return show(self.value)


def show_figures(interp):
    """Display each figure the Klong code drew (.plot, .scatter, .hist, .imshow) as a PNG,
    as IPython shows any inline matplotlib figure, and say how many there were. Figures drawn by Python code through
    pyplot are left to IPython's own matplotlib backend, which shows them anyway."""
    if "matplotlib" not in sys.modules:
        return 0                    # nothing can have been drawn, and importing it is slow
    from IPython.display import display

    from klongtorch import plots
    figures = plots.take_figures(interp)
    for fig in figures:
        # a raw bundle, so the PNG is there whatever figure formatter the session has set up
        display({"image/png": plots.png(fig), "text/plain": repr(fig)}, raw=True)
    return len(figures)

"""What a %%klong cell shows: its value as Out[n], and the figures its code drew.

Out[n] and `_` are the value itself, as Python sees it (klongtorch.value.convert.to_python: the
tensor, number, string, list or dict), so `_*2` works. It is shown as the Klong kernel shows
it (klongtorch.display.rich: Klong's text, bounded, and the HTML grid), and that display is for this
one object only, for as long as its cell runs:

    KlongDisplay.claim(value, bundle)    the magic, returning value: show it as bundle

IPython's displayhook formats a cell's result through shell.display_formatter.format. A
claim puts a one-object override in front of it: the claimed object gets the Klong bundle,
any other object the session's own formatters, and the override is gone when the cell ends
(post_run_cell). Registering formatters by type instead would change how the session's own
tensors, ints and lists look; wrapping the value (the old KlongValue) made Out[n] something
other than the value. (rpy2's %%R leaves a cell's value unreturned and prints R's text; this
keeps both the value and Klong's display.)
"""
import sys

# light (no torch, no matplotlib), and imported at load time rather than for every line
from klongtorch.display import progress


class KlongDisplay:
    """The one-object display override of one IPython shell."""

    def __init__(self, shell):
        self.shell = shell
        self.claimed = None         # (object, bundle) until the displayhook or the cell's end
        shell.events.register("post_run_cell", self.release)

    def claim(self, obj, bundle):
        """Show obj, when IPython displays it as this cell's result, as bundle."""
        self.claimed = (obj, bundle)
        formatter = self.shell.display_formatter
        if "format" not in vars(formatter):
            formatter.format = self.format          # on the instance: the class's is kept

    def format(self, obj, include=None, exclude=None):
        claimed = self.claimed
        if claimed is not None and obj is claimed[0]:
            self.claimed = None
            bundle = {mime: data for mime, data in claimed[1].items()
                      if (not include or mime in include) and mime not in (exclude or ())}
            return bundle, {}
        return type(self.shell.display_formatter).format(
            self.shell.display_formatter, obj, include=include, exclude=exclude)

    def release(self, result=None):
        self.claimed = None
        formatter = self.shell.display_formatter
        if vars(formatter).get("format") == self.format:
            del formatter.format


def progress_display(shell, interp):
    """Where the progress of a long %%klong cell goes (klongtorch.display.progress), where this
    shell can show it: in a notebook, one output of the cell updated in place, sent with the
    cell's request as parent (the updates come from the progress thread); in a terminal
    IPython, one line of stderr; elsewhere nowhere (None). In a notebook, .draw's frames
    too update one image in place (klongtorch.display.plots), until take_figures takes the cell's
    figures."""
    kernel = getattr(shell, "kernel", None)
    if kernel is not None and hasattr(kernel, "session") and hasattr(kernel, "get_parent"):
        from klongtorch.display import figures  # start-up: matplotlib
        parent = kernel.get_parent()

        def send(kind, content):
            kernel.session.send(kernel.iopub_socket, kind, content, parent=parent)
        if hasattr(interp, "_plots"):
            interp._plots.live = figures.LiveFigure(send)
        return progress.JupyterDisplay(send)
    stream = sys.stderr
    if kernel is None and _is_terminal(stream):
        return progress.TerminalDisplay(stream)
    return None


_terminal = [None, False]     # the last stream asked about, and whether it is a terminal


def _is_terminal(stream):
    """stream.isatty(), asked once per stream: it is a system call, and a %klong line in a
    Python loop asked it on every call, 6 µs of each."""
    if _terminal[0] is not stream:
        _terminal[:] = [stream, bool(getattr(stream, "isatty", lambda: False)())]
    return _terminal[1]


def take_figures(interp):
    """The figures the Klong code drew (.plot, .scatter, .hist, .imshow): the session's
    figures hook. Figures drawn by Python code through pyplot are left to IPython's own
    matplotlib backend, which shows them anyway."""
    # the plots' own state (display/plots.py), asked directly: this runs after every line,
    # after a big operation with the caches cold, where importing figures.py to ask it
    # (an import statement, a call) cost a line several microseconds
    state = getattr(interp, "_plots", None)
    if state is None:
        return []
    figures = state.take()          # the last frame of .draw goes to its display
    state.live = None
    return figures


def show_figures(figures):
    """Display each figure as a PNG, as IPython shows any inline matplotlib figure."""
    if not figures:
        return
    from IPython.display import display  # start-up: only when there is a figure

    from klongtorch.display import figures as shown  # start-up: matplotlib
    for fig in figures:
        # a raw bundle, so the PNG is there whatever figure formatter the session has set up
        display({"image/png": shown.png(fig), "text/plain": repr(fig)}, raw=True)

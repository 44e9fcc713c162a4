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


class Progress:
    """Where the progress of long Klong code in this shell goes (klongtorch.display.progress),
    where the shell can show it: in a notebook, one output of the cell updated in place,
    sent with the cell's request as parent (the updates come from the progress thread); in a
    terminal IPython, one line of stderr; elsewhere nowhere. In a notebook, .draw's frames
    too update one image in place (klongtorch.display.plots).

    A cell is watched whole, as the Klong kernel watches its cells: pre_run_cell enters
    progress.watched with the cell's display, post_run_cell leaves it, and the %klong lines
    and %%klong cells inside run within that watch, setting up nothing of their own. So
    progress shows once the cell has run SHOW_AFTER seconds, and .draw's frames from all the
    cell's lines update one image. A %klong line in a Python loop pays nothing for it: a
    display and a watch of its own cost such a line 25 µs, after its work, with the caches
    cold. Code run outside any cell (an event's callback) gets a display of its own.

    Which medium the shell has is decided once, when the magics load."""

    def __init__(self, shell):
        kernel = getattr(shell, "kernel", None)
        notebook = (kernel is not None and hasattr(kernel, "session")
                    and hasattr(kernel, "get_parent"))
        self.kernel = kernel if notebook else None
        self.terminal = kernel is None  # some other kernel's shell has no terminal either
        self.live_figure = None
        if notebook:
            from klongtorch.display.figures import LiveFigure  # start-up: kernels only
            self.live_figure = LiveFigure
        self.cells = []                 # (watch, live figure) of each cell running, innermost
                                        # last (a cell's code may run another cell)
        shell.events.register("pre_run_cell", self.begin_cell)
        shell.events.register("post_run_cell", self.end_cell)

    def _displays(self):
        """(progress display or None, live figure or None) for code about to run."""
        kernel = self.kernel
        if kernel is None:
            stream = sys.stderr
            if self.terminal and _is_terminal(stream):
                return progress.TerminalDisplay(stream), None
            return None, None
        send = _Send(kernel.session, kernel.iopub_socket, kernel.get_parent())
        return progress.JupyterDisplay(send), self.live_figure(send)

    def begin_cell(self, info=None):
        self.cells.append((None, None))     # first: whatever happens below, end_cell pops
        display, live = self._displays()    # this cell's entry and no other
        watch = progress.watched(display) if display is not None else None
        if watch is not None:
            watch.__enter__()
        self.cells[-1] = (watch, live)

    def end_cell(self, result=None):
        if not self.cells:              # the cell that loaded the magics began unwatched
            return
        watch, _ = self.cells.pop()
        if watch is not None:
            watch.__exit__(None, None, None)

    def display(self, interp):
        """The progress display for one run of interp's code: None inside a cell (its
        watch covers the run), else one of its own."""
        if self.cells:
            live = self.cells[-1][1]
            display = None
        else:
            display, live = self._displays()
        if live is not None:
            plots = getattr(interp, "_plots", None)
            if plots is not None:
                plots.live = live
        return display


class _Send:
    """send(msg_type, content): one IOPub message, parented by the request that ran it."""
    __slots__ = ("session", "socket", "parent")

    def __init__(self, session, socket, parent):
        self.session, self.socket, self.parent = session, socket, parent

    def __call__(self, msg_type, content):
        self.session.send(self.socket, msg_type, content, parent=self.parent)


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

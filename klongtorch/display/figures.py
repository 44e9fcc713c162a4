"""Figures shown: the shells' side of plotting. The figures that Klong code draws
(klongtorch.display.plots) wait until the evaluation ends; then the Jupyter kernel, the
%%klong magic, the klongtorch command or Python code take them, render them (PNG bytes, or
files), or have .draw's frames shown live in one output updated in place.

    take_figures(interp, include_pyplot=False) -> [Figure]   made since the last call
    png(fig, dpi=100) -> bytes                                PNG image
    save_figures(interp, directory=".", stem="klong-plot") -> [path]   for the CLI
    write_pending(interp, stream)          save_figures + "plot written to ..." on stream
    with live(interp, LiveFigure(send)):   .draw's frames go to one output updated in place

Nothing here imports matplotlib: the figures come made, and render themselves (savefig).
"""
import base64
import contextlib
import io
import os
import sys

from klongtorch.display.inplace import InPlaceOutput
from klongtorch.display.plots import DPI


class LiveFigure(InPlaceOutput):
    """A shell's live display for .draw: one image output of a Jupyter cell, updated in
    place. send(msg_type, content) sends one IOPub message for the cell; the first frame
    makes the output."""
    __slots__ = ()

    def __call__(self, fig):
        self.put({"image/png": base64.b64encode(png(fig)).decode("ascii"),
                  "text/plain": repr(fig)})


@contextlib.contextmanager
def live(interp, display):
    """Let .draw show frames on display (a LiveFigure, or any callable taking a figure)
    while the block runs: the shell's evaluation and its take_figures."""
    state = getattr(interp, "_plots", None)
    if state is None:
        yield
        return
    saved, state.live = state.live, display
    try:
        yield
    finally:
        state.live = saved


def take_figures(interp, include_pyplot=False):
    """The figures made since the last call, forgotten here. With include_pyplot, also the
    open pyplot figures (made by Python code through interop), which are then closed."""
    state = getattr(interp, "_plots", None)
    figs = state.take() if state is not None else []
    if include_pyplot:
        plt = sys.modules.get("matplotlib.pyplot")      # never import pyplot ourselves
        if plt is not None:
            for num in plt.get_fignums():
                fig = plt.figure(num)
                figs.append(fig)
                plt.close(fig)
    return figs


def png(fig, dpi=DPI):
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def save_figures(interp, directory=".", stem="klong-plot", include_pyplot=False):
    """Write the pending figures to directory/stem-N.png (N counts on over the session) and
    return their paths."""
    state = getattr(interp, "_plots", None)
    paths = []
    for fig in take_figures(interp, include_pyplot=include_pyplot):
        if state is not None:
            state.count += 1
            n = state.count
        else:
            n = len(paths) + 1
        name = f"{stem}-{n}.png"
        path = name if directory in ("", ".") else os.path.join(directory, name)
        fig.savefig(path, dpi=DPI)
        paths.append(path)
    return paths


def write_pending(interp, stream=None):
    """For the klongtorch command after each evaluation: write the pending figures to files
    in $KLONGTORCH_PLOT_DIR (else the current directory) and say so on stream (stderr)."""
    stream = stream or sys.stderr
    state = getattr(interp, "_plots", None)
    if state is None or not state.pending:
        return []
    try:
        paths = save_figures(interp, os.environ.get("KLONGTORCH_PLOT_DIR") or ".")
    except OSError as e:
        stream.write(f"kg: error: plot: cannot write the figure: {e.strerror or e}\n")
        stream.flush()
        return []
    for p in paths:
        stream.write(f"plot written to {p}\n")
    stream.flush()
    return paths


__all__ = ["take_figures", "png", "save_figures", "write_pending", "LiveFigure", "live"]

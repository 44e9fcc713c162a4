"""Plots: building figures from Klong: the drawing system functions (line, scatter,
histogram, heatmap and contour plots, labels, subplots) and the figures they fill.

    .plot(x;y)         lines; y may hold several series      .curve(y)    y against 0 1 2 ...
    .loglog(x;y)       lines on log-log axes                  .semilogy(x;y)  log y axis
    .scatter(x;y)      points                                 .scatterc(x;y;c)  coloured by c
    .hist(x)           histogram (.histn(x;n): n bins)        .imshow(m)   heatmap + colorbar
    .contour(x;y;z)    contour lines of z over the grid x,y   .contourf(x;y;z)  filled
    .title(s) .xlabel(s) .ylabel(s) .legend(names) .xlim([a b]) .ylim([a b])
    .figure()  new figure    .subplot(r;c;i)  panel i of r by c    .figsize([w h])
    .savefig(file)  write the current figure (png, pdf, svg by the file's extension)
    .draw()    show the current figure now and start afresh: a live plot, redrawn in place

How figures are made and shown (as IPython's inline backend does with pyplot):

- Everything drawn during one evaluation (a notebook cell, a REPL input, a whole script) goes
  on the current axes of the current figure; the first drawing command creates it. So
  `.contour(xs;ys;z); .plot(px;py)` draws a descent path over the contour plot, and
  `.plot(x;a); .plot(x;b); .legend(["a" "b"])` gives one axes with two lines.
- `.figure()` starts a new figure; `.subplot(r;c;i)` selects panel i (from 0, row by row) of
  an r-by-c grid in the current figure. `.imshow` also starts a new figure when the current
  axes already hold something, since a heatmap never overlays other drawings.
- `.title`, `.xlabel`, `.ylabel`, `.legend`, `.xlim`, `.ylim` act on the current axes; with
  none they create an empty figure that the next drawing command uses, so a title may come
  before the plot.
- When the evaluation ends, the shell takes the figures (`take_figures`) and the next
  evaluation starts with no current figure: the Jupyter kernel and the %%klong magic show
  them as PNG images, the klongtorch command writes them to klong-plot-1.png,
  klong-plot-2.png, ... (in $KLONGTORCH_PLOT_DIR if set, else the current directory) and
  says so on stderr. Python code using Klong directly calls take_figures or save_figures
  (klongtorch.display.figures).
- Drawing and labelling functions return [] (nothing).

Numbers may be ints, reals, lists or tensors on any device, including tensors that carry
gradients: they are detached and copied to the CPU for drawing. Figures are
matplotlib.figure.Figure objects made without pyplot, so no GUI backend manages them and
IPython never shows them twice. matplotlib is imported on first use; without it, plotting
functions say `kg: error: .plot: plots need matplotlib: pip install matplotlib`.

Showing the figures (taking them, PNG, files, live frames) is klongtorch.display.figures's part.
"""
import functools
import time

import numpy as np
import torch

from klongtorch.value.errors import KlongError, err
from klongtorch.value.functions import SysFunc
from klongtorch.value.text import show_display
from klongtorch.value.values import Char, Symbol, Tensor

FIGSIZE = (6.0, 4.0)          # inches
DPI = 100
MARKERS_UP_TO = 30            # series this short get a dot at each point
ANNOTATE_UP_TO = 8            # heatmaps this small (rows and columns) show their values
LOG_LEVELS_SKEW = 12          # contours get log levels when max-min > this * (median-min)
NOTHING = []                  # what drawing functions return
DRAW_EVERY = 0.5              # seconds between two frames of .draw in a notebook, at least


# -- matplotlib, lazily -------------------------------------------------------------------
# matplotlib (and numpy, which comes with it) is an optional dependency and slow to import:
# every import of it below happens inside the function that first needs it, on first use.

def _figure_class(who):
    try:
        from matplotlib.figure import Figure  # optional, lazy
    except ImportError:
        raise KlongError(f"kg: error: {who}: plots need matplotlib: pip install matplotlib") \
            from None
    return Figure


# -- Klong values as numpy arrays ---------------------------------------------------------

class _Ragged(Exception):
    pass


def _array(v, who):
    """v as a float64 numpy array of any rank; _Ragged when its lists differ in length."""
    t = type(v)
    if t is Tensor:
        if v.is_complex():
            raise err(who, "type", text="complex numbers cannot be plotted")
        return v.detach().to(device="cpu", dtype=torch.float64).numpy()
    if t is int or t is float:
        return np.array(float(v))
    if t is list:
        parts = [_array(e, who) for e in v]
        if not parts:
            return np.zeros(0)
        if any(p.shape != parts[0].shape for p in parts):
            raise _Ragged()
        return np.stack(parts)
    raise err(who, "type", v)


def _shape_text(a):
    return "x".join(map(str, a.shape)) if a.ndim else "a single number"


def _vector(v, who, what="x"):
    try:
        a = _array(v, who)
    except _Ragged:
        raise err(who, "shape", text=f"{what} must be a list of numbers, not a ragged list") \
            from None
    if a.ndim == 0:
        return a.reshape(1)
    if a.ndim != 1:
        raise err(who, "shape", text=f"{what} must be a list of numbers, not shape {_shape_text(a)}")
    return a


def _series(v, who, n=None, what="y"):
    """The series of y: a vector is one; the rows of a matrix (its columns, when only they
    match the n points of x) or the vectors of a list are several."""
    try:
        a = _array(v, who)
    except _Ragged:
        return [_vector(e, who, what) for e in v]
    if a.ndim <= 1:
        return [a.reshape(-1)]
    if a.ndim == 2:
        if n is not None and a.shape[1] != n and a.shape[0] == n:
            a = a.T
        return list(a)
    raise err(who, "shape", text=f"{what} must be a vector or a list of series, "
                                 f"not shape {_shape_text(a)}")


def _matrix(v, who, what="m"):
    try:
        a = _array(v, who)
    except _Ragged:
        raise err(who, "shape", text=f"{what} must be a matrix, not a ragged list") from None
    if a.ndim != 2 or 0 in a.shape:
        raise err(who, "shape", text=f"{what} must be a non-empty matrix, not shape {_shape_text(a)}")
    return a


def _int(v, who):
    if type(v) is Tensor and v.dim() == 0 and not v.dtype.is_floating_point:
        return int(v.detach().cpu().item())
    if type(v) is int:
        return v
    raise err(who, "type", v)


def _text(v):
    """A label from any value: strings as they are, other values as .d shows them."""
    if type(v) is str or type(v) is Char:
        return str(v)
    if type(v) is Symbol:
        return v.name
    return show_display(v)


def _guarded(who):
    """matplotlib's complaints about the data become Klong errors, not tracebacks."""
    def wrap(fn):
        @functools.wraps(fn)
        def run(*args):
            try:
                return fn(*args)
            except KlongError:
                raise
            except (ValueError, TypeError, IndexError, ArithmeticError) as e:
                raise err(who, "value", text=str(e).split("\n")[0]) from None
        return run
    return wrap


def _grid(who, x, y, z):
    """The X, Y, Z of a contour plot: x and y matrices of z's shape, or vectors with z
    holding one row per x (transposed for matplotlib) or one row per y."""
    zs = _matrix(z, who, "z")
    try:
        xa, ya = _array(x, who), _array(y, who)
    except _Ragged:
        raise err(who, "shape", text="x and y must be vectors or matrices") from None
    if xa.ndim == 2 and ya.ndim == 2:
        if not xa.shape == ya.shape == zs.shape:
            raise err(who, "length", text=f"x, y and z must have the same shape, not "
                      f"{_shape_text(xa)}, {_shape_text(ya)} and {_shape_text(zs)}")
        return xa, ya, zs
    if xa.ndim == 1 and ya.ndim == 1:
        if zs.shape == (len(xa), len(ya)):      # z[i;j] is the height at x[i], y[j]
            return xa, ya, zs.T
        if zs.shape == (len(ya), len(xa)):
            return xa, ya, zs
        raise err(who, "length", text=f"z must be {len(xa)}x{len(ya)} (one row per x, "
                                       f"one column per y), not {_shape_text(zs)}")
    raise err(who, "shape", text="x and y must both be vectors or both be matrices")


def _levels(who, Z, n):
    """n contour levels for the heights Z: (contour options, Z, whether logarithmic)."""
    finite = Z[np.isfinite(Z)]
    if finite.size == 0:
        raise err(who, "value", text="z has no finite values")
    lo, hi = finite.min(), finite.max()
    positive = finite[finite > 0]
    skewed = hi > lo and (hi - lo) > LOG_LEVELS_SKEW * (np.median(finite) - lo)
    log = lo >= 0 and positive.size and skewed
    if not log:
        return {"cmap": "viridis", "levels": n}, Z, log
    # a loss surface such as Rosenbrock's, steep walls around a flat valley: linear
    # levels would all sit on the walls, so spread them over orders of magnitude
    from matplotlib.colors import LogNorm  # optional, lazy
    floor = max(positive.min(), hi * 1e-6)
    opts = {"cmap": "viridis", "levels": np.geomspace(floor, hi, n), "norm": LogNorm(floor, hi)}
    return opts, np.where(Z > floor, Z, floor), log   # zeros (the minimum) join the lowest band


# -- figures ------------------------------------------------------------------------------

def _has_content(ax):
    return ax.has_data() or bool(ax.images)


def _style(ax):
    ax.grid(True, color="#b0b0b0", alpha=0.35, linewidth=0.6)
    ax.set_axisbelow(True)
    ax._klong_series = []          # what .legend names, in drawing order
    ax._klong_colorbar = False


class Plots:
    """The figures of one interpreter and its plotting system functions (the methods named
    after them; their docstrings are their help)."""

    def __init__(self, interp):
        self.interp = interp
        self.pending = []          # figures made since the shell last took them
        self.fig = None            # the current figure and axes
        self.ax = None
        self.count = 0             # files written so far by save_figures
        self.live = None           # the shell's live display: live(fig) shows fig in place
        self.drawn = None          # the frame .draw made last, not yet shown
        self.drawn_at = None       # when live last showed a frame

    # -- state --

    def take(self):
        """The figures to show now that the evaluation has ended; the last frame of .draw
        goes to the live display (its final state), or, with none, joins them."""
        if not self.pending and self.drawn is None:
            # nothing drawn, the usual evaluation: after a big array operation this method
            # runs with the caches cold, where its full course cost a %klong line 9 µs
            self.fig = self.ax = self.drawn_at = None
            return []
        figs = [f for f in self.pending if f.axes]
        drawn, live = self.drawn, self.live
        if drawn is not None:
            if live is not None:
                live(drawn)
            else:
                figs.insert(0, drawn)
        self.pending, self.fig, self.ax = [], None, None
        self.drawn = self.drawn_at = None
        return figs

    def new_figure(self, who):
        Figure = _figure_class(who)
        fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
        fig._klong_grid = None
        fig._klong_sized = False
        self.pending.append(fig)
        self.fig, self.ax = fig, None
        return fig

    def axes(self, who):
        """The current axes, made (with a figure, if need be) on first use."""
        if self.ax is None:
            fig = self.fig if self.fig is not None and not self.fig.axes else self.new_figure(who)
            self.ax = fig.add_subplot()
            _style(self.ax)
        return self.ax

    def colorbar(self, ax, mappable):
        if not ax._klong_colorbar:
            ax._klong_colorbar = True
            return ax.figure.colorbar(mappable, ax=ax, shrink=0.9)
        return None

    # -- drawing --

    def _lines(self, who, x, y, xlog=False, ylog=False):
        xs = _vector(x, who, "x")
        ys = _series(y, who, len(xs) if len(xs) else None)
        pairs = []
        for s in ys:
            sx = xs if len(xs) else np.arange(len(s))
            if len(sx) != len(s):
                raise err(who, "length", text=f"x has {len(sx)} points but y has {len(s)}")
            pairs.append((sx, s))
        ax = self.axes(who)
        for sx, s in pairs:
            style = {"marker": "o", "markersize": 3} if len(s) <= MARKERS_UP_TO else {}
            line, = ax.plot(sx, s, linewidth=1.5, **style)
            ax._klong_series.append(line)
        if not len(xs):
            from matplotlib.ticker import MaxNLocator  # optional, lazy
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if xlog:
            ax.set_xscale("log")
        if ylog:
            ax.set_yscale("log")
        return NOTHING

    @_guarded(".plot")
    def plot(self, x, y):
        """.plot(x;y)  Plot
        A line plot of y against x on the current axes. y may be a list of series (the
        rows of a matrix, or vectors of different lengths): one line each. With x empty
        ([] or !0) each series is drawn against its index 0 1 2 ... (as .curve does).
        Series of up to 30 points get a dot at each point. Tensors that carry gradients
        or live on a GPU are fine: they are detached for drawing.
        Examples: xs::(!50)%5; .plot(xs;.sin(xs))    .plot(!0;[[1 4 9] [1 2 3]])"""
        return self._lines(".plot", x, y)

    @_guarded(".curve")
    def curve(self, y):
        """.curve(y)  Curve
        A line plot of y against its index 0 1 2 ..., such as a loss curve; y may be a
        list of series, one line each. Short for .plot([];y).
        Example: .curve(losses); .xlabel("step"); .ylabel("loss")"""
        return self._lines(".curve", [], y)

    @_guarded(".loglog")
    def loglog(self, x, y):
        """.loglog(x;y)  Log-Log-Plot
        As .plot, on logarithmic x and y axes: a power law is a straight line, so the
        slope shows the order of a method's error.
        Example: hs::10^-(!8); .loglog(hs;errs); .loglog(hs;hs^2)"""
        return self._lines(".loglog", x, y, xlog=True, ylog=True)

    @_guarded(".semilogy")
    def semilogy(self, x, y):
        """.semilogy(x;y)  Semi-Log-Plot
        As .plot, on a logarithmic y axis (loss curves that fall by orders of magnitude).
        Example: .semilogy(!0;losses)"""
        return self._lines(".semilogy", x, y, ylog=True)

    @_guarded(".scatter")
    def scatter(self, x, y):
        """.scatter(x;y)  Scatter
        Points at (x[i], y[i]) on the current axes.
        Example: .scatter(xs;ys)"""
        xs, ys = _vector(x, ".scatter", "x"), _vector(y, ".scatter", "y")
        if len(xs) != len(ys):
            raise err(".scatter", "length", text=f"x has {len(xs)} points but y has {len(ys)}")
        ax = self.axes(".scatter")
        # matplotlib cycles colours for points apart from lines: count all series instead,
        # so points drawn over a line get a colour of their own
        color = f"C{len(ax._klong_series) % 10}"
        ax._klong_series.append(ax.scatter(xs, ys, s=14, color=color))
        return NOTHING

    @_guarded(".scatterc")
    def scatterc(self, x, y, c):
        """.scatterc(x;y;c)  Scatter-Colored
        Points at (x[i], y[i]) coloured by c[i]. When c holds class labels (at most 10
        different integers) each class gets a colour and a legend entry (rename them with
        .legend); otherwise c is shown on a colour scale with a colorbar.
        Example: .contourf(gx;gy;p); .scatterc(px;py;labels)"""
        who = ".scatterc"
        xs, ys, cs = _vector(x, who, "x"), _vector(y, who, "y"), _vector(c, who, "c")
        if not len(xs) == len(ys) == len(cs):
            raise err(who, "length", text=f"x, y and c have {len(xs)}, {len(ys)} and {len(cs)} "
                                           "points; they must have the same number")
        classes = np.unique(cs)
        ax = self.axes(who)
        if len(classes) <= 10 and np.all(classes == np.round(classes)):
            for k in classes:
                on = cs == k
                ax._klong_series.append(ax.scatter(xs[on], ys[on], s=16, label=f"{k:g}",
                                                   edgecolors="black", linewidths=0.5))
            ax.legend()
        else:
            pts = ax.scatter(xs, ys, c=cs, s=16, cmap="viridis")
            ax._klong_series.append(pts)
            self.colorbar(ax, pts)
        return NOTHING

    def _hist(self, who, x, bins):
        ys = _series(x, who, what="x")
        data = np.concatenate(ys) if ys else np.zeros(0)
        data = data[np.isfinite(data)]
        if data.size == 0:
            raise err(who, "length", text="no finite numbers to count")
        whole = np.all(data == np.round(data)) and data.max() - data.min() <= 50
        if bins == "auto" and whole:         # counts of whole numbers: one bar per number
            edges = np.arange(data.min() - 0.5, data.max() + 1.5)
        elif bins == "auto":
            edges = np.histogram_bin_edges(data, "auto")
            if len(edges) > 101:
                edges = np.histogram_bin_edges(data, 100)
        else:
            edges = np.histogram_bin_edges(data, bins)
        ax = self.axes(who)
        several = len(ys) > 1
        for s in ys:
            _, _, bars = ax.hist(s[np.isfinite(s)], bins=edges, alpha=0.6 if several else 0.9,
                                 edgecolor="white", linewidth=0.5)
            ax._klong_series.append(bars)
        if bins == "auto" and whole:
            from matplotlib.ticker import MaxNLocator  # optional, lazy
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        return NOTHING

    @_guarded(".hist")
    def hist(self, x):
        """.hist(x)  Histogram
        A histogram of the numbers in x, with the number of bins chosen from the data (at
        most 100; whole numbers spanning at most 50 get one bar each). x may be a list of
        series: their histograms overlap, with shared bins.
        Example: .hist({.rn()}'!1000)"""
        return self._hist(".hist", x, "auto")

    @_guarded(".histn")
    def histn(self, x, n):
        """.histn(x;n)  Histogram-Bins
        A histogram of the numbers in x with n bins of equal width.
        Example: .histn({.rn()}'!1000;20)"""
        bins = _int(n, ".histn")
        if bins < 1:
            raise err(".histn", "range", text=f"the number of bins must be at least 1, not {bins}")
        return self._hist(".histn", x, bins)

    @_guarded(".imshow")
    def imshow(self, m):
        """.imshow(m)  Heatmap
        The matrix m as a grid of coloured cells, row 0 at the top, with a colorbar: a
        Jacobian, a weight matrix, a confusion matrix. Matrices with values of both signs
        get a red-blue scale centred on 0; matrices up to 8x8 show their values. Starts a
        new figure when the current axes already hold a drawing.
        Example: .imshow(.jacobian({.tanh(x)*|x};[1 2 3]))"""
        a = _matrix(m, ".imshow")
        if self.ax is not None and _has_content(self.ax):
            self.new_figure(".imshow")
        ax = self.axes(".imshow")
        ax.grid(False)
        finite = a[np.isfinite(a)]
        lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
        rows, cols = a.shape
        if lo < 0 < hi:
            bound = max(-lo, hi)
            opts = {"cmap": "RdBu_r", "vmin": -bound, "vmax": bound}
        else:
            opts = {"cmap": "viridis"}
        aspect = "equal" if max(rows / cols, cols / rows) <= 3 else "auto"
        img = ax.imshow(a, interpolation="nearest", aspect=aspect, **opts)
        self.colorbar(ax, img)
        for n, axis in ((rows, ax.yaxis), (cols, ax.xaxis)):
            if n <= 20:
                axis.set_ticks(range(n))
            else:
                from matplotlib.ticker import MaxNLocator  # optional, lazy
                axis.set_major_locator(MaxNLocator(integer=True))
        if rows <= ANNOTATE_UP_TO and cols <= ANNOTATE_UP_TO:
            for i in range(rows):
                for j in range(cols):
                    r, g, b, _ = img.cmap(img.norm(a[i, j]))
                    dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                    ax.text(j, i, f"{a[i, j]:.3g}", ha="center", va="center", fontsize=8,
                            color="white" if dark else "black")
        return NOTHING

    def _contour(self, who, x, y, z, filled):
        X, Y, Z = _grid(who, x, y, z)
        opts, Z, log = _levels(who, Z, 20 if filled else 15)
        ax = self.axes(who)
        ax.grid(False)
        if filled:
            cs = ax.contourf(X, Y, Z, **opts)
        else:
            cs = ax.contour(X, Y, Z, linewidths=1.0, **opts)
        bar = self.colorbar(ax, cs)
        if bar is not None and log:
            from matplotlib.ticker import LogFormatterSciNotation, LogLocator  # optional, lazy
            bar.ax.yaxis.set_major_locator(LogLocator())
            bar.ax.yaxis.set_major_formatter(LogFormatterSciNotation())
        return NOTHING

    @_guarded(".contour")
    def contour(self, x, y, z):
        """.contour(x;y;z)  Contour
        Contour lines of the heights z over the grid of x and y, with a colorbar: z[i;j]
        is the height at x[i], y[j] (a z with one row per y, as numpy's meshgrid makes,
        is also understood when the shapes tell). x and y may instead be matrices of the
        same shape as z. When z is positive and most of it lies far below its maximum (a
        loss surface with steep walls, such as Rosenbrock's), the levels are spaced
        logarithmically. Draw a descent path on top with .plot.
        Example: g::(!41)%10; z::{[a];a::x;{(a^2)+4*x^2}'g}'g; .contour(g;g;z)"""
        return self._contour(".contour", x, y, z, False)

    @_guarded(".contourf")
    def contourf(self, x, y, z):
        """.contourf(x;y;z)  Filled-Contour
        As .contour, with the bands between the levels filled: a loss surface, or the
        output of a classifier over the plane, whose decision boundary is where the
        colour changes. Put the data on top with .scatterc.
        Example: .contourf(g;g;p); .scatterc(xs;ys;labels)"""
        return self._contour(".contourf", x, y, z, True)

    # -- labels --

    def title(self, s):
        """.title(s)  Title
        Set the title of the current plot.
        Example: .plot(!0;losses); .title("training loss")"""
        self.axes(".title").set_title(_text(s))
        return NOTHING

    def xlabel(self, s):
        """.xlabel(s)  X-Label
        Set the label of the current plot's x axis.
        Example: .xlabel("step size h")"""
        self.axes(".xlabel").set_xlabel(_text(s))
        return NOTHING

    def ylabel(self, s):
        """.ylabel(s)  Y-Label
        Set the label of the current plot's y axis.
        Example: .ylabel("error")"""
        self.axes(".ylabel").set_ylabel(_text(s))
        return NOTHING

    def legend(self, names):
        """.legend(names)  Legend
        Name the lines, point sets and histograms of the current plot, in the order they
        were drawn, and show a legend. names is a list of strings (or symbols); one string
        names a single series; [] shows the names they already have.
        Example: .plot(x;[a b]); .legend(["train" "test"])"""
        ax = self.axes(".legend")
        series = ax._klong_series
        if not series:
            raise err(".legend", "value", text="the current plot has no lines or points to name")
        if (names.numel() == 0) if type(names) is Tensor else names in ([], ""):
            ax.legend()
            return NOTHING
        labels = [_text(names)] if type(names) in (str, Char, Symbol) else \
            [_text(n) for n in (names if type(names) is list else [names])]
        if len(labels) != len(series):
            raise err(".legend", "length", text=f"{len(labels)} name{'s' * (len(labels) != 1)} "
                                                 f"for {len(series)} series")
        for artist, label in zip(series, labels):
            artist.set_label(label)
        ax.legend(series, labels)
        return NOTHING

    def _limits(self, who, v, setter):
        lims = _vector(v, who, "the limits")
        if len(lims) != 2:
            raise err(who, "length", text=f"the limits must be two numbers [low high], "
                                           f"not {len(lims)}")
        getattr(self.axes(who), setter)(float(lims[0]), float(lims[1]))
        return NOTHING

    @_guarded(".xlim")
    def xlim(self, v):
        """.xlim([low high])  X-Limits
        Show only x from low to high on the current plot.
        Example: .xlim([0 10])"""
        return self._limits(".xlim", v, "set_xlim")

    @_guarded(".ylim")
    def ylim(self, v):
        """.ylim([low high])  Y-Limits
        Show only y from low to high on the current plot.
        Example: .ylim([0 1])"""
        return self._limits(".ylim", v, "set_ylim")

    # -- figures --

    def figure(self):
        """.figure()  Figure
        Start a new figure: what is drawn next no longer goes on the previous plot.
        Example: .plot(x;y); .figure(); .hist(y)"""
        self.new_figure(".figure")
        return NOTHING

    def subplot(self, r, c, i):
        """.subplot(r;c;i)  Subplot
        Make panel i (counting from 0, row by row) of an r-by-c grid of plots in the current
        figure the current axes; later drawing and labels go there. A grid of a different
        shape, or a figure already holding a single plot, starts a new figure.
        Example: .subplot(1;2;0); .curve(losses); .subplot(1;2;1); .imshow(J)"""
        who = ".subplot"
        r, c, i = _int(r, who), _int(c, who), _int(i, who)
        if r < 1 or c < 1:
            raise err(who, "range", text=f"a grid needs at least one row and column, not {r}x{c}")
        if not 0 <= i < r * c:
            raise err(who, "range", text=f"panel {i} of a {r}x{c} grid (panels 0 to {r * c - 1})")
        fig = self.fig
        if fig is None or (fig._klong_grid is None and any(_has_content(a) for a in fig.axes)) \
                or fig._klong_grid not in (None, (r, c)):
            fig = self.new_figure(who)
        if fig._klong_grid is None:
            for a in list(fig.axes):         # an empty axes made by a label: replaced
                a.remove()
            fig._klong_grid = (r, c)
            fig._klong_panels = {}
            if not fig._klong_sized:
                fig.set_size_inches(6.0 if c == 1 else min(4.5 * c, 13.5),
                                    4.0 if r == 1 else min(3.5 * r, 10.5))
        ax = fig._klong_panels.get(i)
        if ax is None:
            ax = fig._klong_panels[i] = fig.add_subplot(r, c, i + 1)
            _style(ax)
        self.ax = ax
        return NOTHING

    @_guarded(".figsize")
    def figsize(self, wh):
        """.figsize([w h])  Figure-Size
        Set the size of the current figure, in inches (the default is 6 by 4, at 100 dots
        per inch).
        Example: .figsize([8 3])"""
        size = _vector(wh, ".figsize", "the size")
        if len(size) != 2 or not (0 < size[0] <= 50 and 0 < size[1] <= 50):
            raise err(".figsize", "range", text="the size must be [width height] in inches, "
                                                 "each above 0 and at most 50")
        if self.fig is None:
            self.new_figure(".figsize")
        self.fig.set_size_inches(float(size[0]), float(size[1]))
        self.fig._klong_sized = True
        return NOTHING

    def draw(self):
        """.draw()  Draw
        Show the current figure now, while the code still runs, and start afresh: what is
        drawn next goes on a new figure, and the next .draw() shows it in place of this one,
        so a training loop can redraw its loss curve as it falls. A notebook (the kernel,
        %%klong) updates one image, at most twice a second, and shows the last frame at the
        end; elsewhere only the last frame is kept, and shown (or written to a file) when
        the code ends.
        Example: frame::{.curve(ls);.draw()}; {opt(loss);ls::ls,loss();:[0=x!20;frame();0]}'!1000"""
        fig = self.fig
        if fig is None or not fig.axes:
            raise err(".draw", "value", text="there is no figure to draw; plot something first")
        if fig in self.pending:
            self.pending.remove(fig)
        self.fig, self.ax = None, None
        self.drawn = fig
        now = time.monotonic()
        if self.live is not None and (self.drawn_at is None
                                      or now - self.drawn_at >= DRAW_EVERY):
            self.drawn_at = now
            self.drawn = None
            self.live(fig)
        return NOTHING

    def savefig(self, name):
        """.savefig(file)  Save-Figure
        Write the current figure to file, as PNG, PDF or SVG by its extension. It is still
        shown (or, in the klongtorch command, written to klong-plot-N.png) as usual.
        Returns the file name.
        Example: .plot(x;y); .savefig("loss.png")"""
        if type(name) is not str or not name:
            raise err(".savefig", "type", name)
        if self.fig is None or not self.fig.axes:
            raise err(".savefig", "value", text="there is no figure to save; draw one first")
        try:
            self.fig.savefig(name, dpi=DPI)
        except OSError as e:
            raise err(".savefig", "io", text=f"{name}: {e.strerror or e}") from None
        except ValueError as e:
            raise err(".savefig", "value", text=str(e).split("\n")[0]) from None
        return name


ARITIES = {".plot": 2, ".curve": 1, ".loglog": 2, ".semilogy": 2, ".scatter": 2,
           ".scatterc": 3, ".hist": 1, ".histn": 2, ".imshow": 1, ".contour": 3,
           ".contourf": 3, ".title": 1, ".xlabel": 1, ".ylabel": 1, ".legend": 1,
           ".xlim": 1, ".ylim": 1, ".figure": 0, ".subplot": 3, ".figsize": 1,
           ".savefig": 1, ".draw": 0}


def install(interp):
    plots = Plots(interp)
    interp._plots = plots
    for name, arity in ARITIES.items():
        interp.globals[name] = SysFunc(name, arity, getattr(plots, name[1:]), interp)


__all__ = ["install", "Plots"]

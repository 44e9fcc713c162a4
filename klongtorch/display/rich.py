"""Rich display of Klong values: the mime bundle that the Jupyter kernel and the magic show.

    mime_bundle(value) -> {"text/plain": ..., "text/html": ..., ...}

text/plain is Klong's readable form (value/text.py's show), bounded for large values (summary.py:
head … tail and the shape, as torch prints them). Besides it:

- a tensor with at most 500 elements shows every value: a vector as a run of values, each
  under its index, wrapping like text; a matrix as a grid with its row and column indices;
  an array of rank 3 or more as a grid per matrix, each under its leading indices. A larger
  tensor shows what its text view shows: the ends of each axis with … between (a vector's
  first and last ten values, a matrix's corner rows and columns, as pandas does, the first
  and last matrices), then its min, mean and max;
- the heading of either names the shape and dtype, shows the device when it is not the CPU,
  and marks a tensor that requires grad or has a grad_fn with a "∇ requires grad" badge and
  the grad_fn's name;
- a dictionary with a "graph" string (what .export returns) shows the graph text in a <pre>
  block under its other entries;
- an object with IPython's _repr_mimebundle_ (a compiled function, say) or _repr_html_,
  _repr_png_, ... adds what they return; a matplotlib figure (from Python interop) adds its
  PNG image. Klong's text/plain is kept in every case.

Numbers, atoms, strings and general lists are plain text only. Styles are inline and use
inherited colours with translucent borders, so the HTML reads in light and dark themes.
"""
import html
import itertools
import math
import sys

import torch

from klongtorch.display import figures
from klongtorch.value.summary import summary
from klongtorch.value.text import show
from klongtorch.value.values import Dict, Symbol, Tensor, value_of_key

TABLE_UP_TO = 500          # elements shown in full; a larger tensor shows its ends
VECTOR_EDGE = 10           # values shown at each end of a big vector
EDGE = 4                   # rows, and columns, shown at each end of a big matrix (the
                           # text view shows 3; a notebook keeps the output under 10 KB)
SLICE_EDGE = 1             # matrices shown at each end of a big array of rank 3 or more,
SLICE_CORNER = 3           # ... each with this many rows and columns at each end
DIGITS = 6                 # significant digits of reals
CHUNK = 1 << 20            # elements summed at a time for a summary's mean

# inline styles (JupyterLab's sanitizer keeps style attributes, and <style> may be dropped)
BOX = "font-family:var(--jp-code-font-family,monospace);font-size:12px;line-height:1.35"
HEAD = "margin:0 0 3px 0;opacity:.8"
# short: a big matrix's corners are 121 cells, and a notebook stores each cell's style
TABLE = "border-collapse:collapse;margin:0;font-size:12px;text-align:right"
CELL = "padding:1px 7px;border:1px solid #8884"
INDEX = "padding:1px 7px;border:0;opacity:.5;font-weight:400;font-size:11px"
SLICE = "margin:4px 0 1px 0;opacity:.6;font-size:11px"
CHIPS = "display:flex;flex-wrap:wrap;max-width:100%"
CHIP = ("padding:1px 7px;text-align:right;border:1px solid rgba(128,128,128,.28);"
        "margin:0 -1px -1px 0")
CHIP_INDEX = "opacity:.5;font-size:10px;line-height:1.1"
STATS = "margin:4px 0 0 0;font-size:11px"
KEY = "padding:1px 10px 1px 0;text-align:left;border:none;opacity:.65;font-weight:normal"
VALUE = "padding:1px 0;text-align:left;border:none"
BADGE = ("display:inline-block;margin-left:6px;padding:0 5px;border-radius:3px;"
         "font-size:11px;font-weight:600;background:rgba(230,126,34,.18);color:#e67e22")
DEVICE = ("display:inline-block;margin-left:6px;padding:0 5px;border-radius:3px;"
          "font-size:11px;background:rgba(52,152,219,.18);color:#3498db")
PRE = ("margin:4px 0 0 0;padding:6px 8px;max-height:420px;overflow:auto;font-size:12px;"
       "border:1px solid rgba(128,128,128,.28);border-radius:3px;background:rgba(128,128,128,.06)")

FOREIGN = (("text/html", "_repr_html_"), ("image/svg+xml", "_repr_svg_"),
           ("image/png", "_repr_png_"), ("text/markdown", "_repr_markdown_"),
           ("text/latex", "_repr_latex_"))


def mime_bundle(value):
    """The mime bundle of a Klong value: always text/plain in Klong's readable form, plus
    HTML (and whatever the object offers itself) where that shows more."""
    text = summary(value)
    bundle = {}
    t = type(value)
    if t is Tensor:
        if value.dim() > 0 and value.numel() > 0:
            bundle["text/html"] = tensor_html(value)
    elif t is Dict:
        page = dict_html(value)
        if page:
            bundle["text/html"] = page
    elif t not in (int, float, str, list, Symbol):
        bundle.update(_foreign(value))
    bundle["text/plain"] = text
    return bundle


# -- numbers ------------------------------------------------------------------------------

def real_text(x):
    """A real, compactly: six significant digits, always recognisable as a real."""
    if x != x:
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{DIGITS}g}"
    return text if any(c in text for c in ".e") else text + ".0"


def _writer(t):
    if t.dtype.is_floating_point:
        return real_text
    if t.dtype == torch.bool:
        return lambda v: str(int(v))
    return str


def _esc(text):
    return html.escape(str(text), quote=True)


# -- tensors ------------------------------------------------------------------------------

def _grad_marks(t):
    if not (t.requires_grad or t.grad_fn is not None):
        return ""
    fn = t.grad_fn
    name = type(fn).__name__ if fn is not None else "leaf"
    tip = f"grad_fn={name}" if fn is not None else "a leaf tensor that requires grad"
    mark = f'<span style="{BADGE}" title="{_esc(tip)}">∇ requires grad</span>'
    if fn is not None:
        mark += f' <span style="opacity:.6;font-size:11px">grad_fn={_esc(name)}</span>'
    return mark


def _heading(t):
    shape = "×".join(map(str, t.shape))
    dtype = str(t.dtype).replace("torch.", "")
    parts = [f"<b>tensor</b> {_esc(shape)} <span style='opacity:.7'>· {_esc(dtype)}</span>"]
    if t.device.type != "cpu":
        parts.append(f'<span style="{DEVICE}">{_esc(t.device)}</span>')
    parts.append(_grad_marks(t))
    return f'<div style="{HEAD}">{"".join(parts)}</div>'


def tensor_html(t):
    """The HTML view of a tensor of rank 1 or more. Up to TABLE_UP_TO elements it shows
    every value; a larger tensor shows what its text view shows, the ends of each axis
    (a vector's first and last values, a matrix's corner rows and columns, the first and
    last matrices of a higher rank) with … between, and then its minimum, mean and
    maximum. A vector is a run of values, each under its index, never rows of a grid."""
    big = t.numel() > TABLE_UP_TO
    if t.dim() == 1:
        body = _vector(t, big)
    elif t.dim() == 2:
        body = _matrix(t, big)
    else:
        body = _grids(t, big)
    if big:
        body += _stats(t)
    return f'<div class="klong-tensor" style="{BOX}">{_heading(t)}{body}</div>'


def _ends(n, edge, big):
    """The indices of an axis of length n to show: all, or `edge` at each end with None
    (an ellipsis) between."""
    if not big or n <= 2 * edge:
        return list(range(n))
    return list(range(edge)) + [None] + list(range(n - edge, n))


def _pick(data, dim, picks):
    """data's slices along dim at the indices in picks (None left out), on the CPU: only
    what is shown crosses from a GPU."""
    index = torch.tensor([i for i in picks if i is not None], dtype=torch.long,
                         device=data.device)
    return data.index_select(dim, index)


def _vector(t, big):
    """Each value under its index, wrapping like text: a list, not the rows of a table."""
    picks = _ends(t.shape[0], VECTOR_EDGE, big)
    values = iter(_pick(t.detach(), 0, picks).cpu().tolist())
    write = _writer(t)
    chips = []
    for i in picks:
        if i is None:
            chips.append(f'<div style="{CHIP}"><div style="{CHIP_INDEX}">&nbsp;</div>'
                         f'<div>…</div></div>')
        else:
            chips.append(f'<div style="{CHIP}"><div style="{CHIP_INDEX}">{i}</div>'
                         f'<div>{_esc(write(next(values)))}</div></div>')
    return f'<div style="{CHIPS}">{"".join(chips)}</div>'


def _matrix(t, big, edge=EDGE):
    """Rows and columns with their indices; a big one shows its corners (pandas' way)."""
    rows = _ends(t.shape[0], edge, big)
    cols = _ends(t.shape[1], edge, big)
    data = _pick(_pick(t.detach(), 0, rows), 1, cols).cpu().tolist()
    write = _writer(t)
    head = "<tr><th></th>" + "".join(
        f'<th style="{INDEX}">{"…" if j is None else j}</th>' for j in cols) + "</tr>"
    lines, values = [head], iter(data)
    for i in rows:
        if i is None:
            lines.append(f'<tr><th style="{INDEX}">⋮</th>'
                         + f'<td style="{CELL}">⋮</td>' * len(cols) + "</tr>")
            continue
        row = iter(next(values))
        cells = "".join(f'<td style="{CELL}">…</td>' if j is None
                        else f'<td style="{CELL}">{_esc(write(next(row)))}</td>' for j in cols)
        lines.append(f'<tr><th style="{INDEX}">{i}</th>{cells}</tr>')
    return (f'<div style="overflow-x:auto;max-width:100%"><table style="{TABLE}">'
            + "".join(lines) + "</table></div>")


def _grids(t, big):
    """An array of rank 3 or more: the grid of each of its matrices, under its leading
    indices (as torch prints the matrices of a 3-D tensor one after another); a big one,
    the first and last SLICE_EDGE matrices with … between."""
    leads = list(itertools.product(*map(range, t.shape[:-2])))
    shown = leads if not big or len(leads) <= 2 * SLICE_EDGE else \
        leads[:SLICE_EDGE] + [None] + leads[-SLICE_EDGE:]
    parts = []
    for lead in shown:
        if lead is None:
            parts.append(f'<div style="{SLICE}">…</div>')
            continue
        label = " ".join(map(str, lead))
        parts.append(f'<div style="{SLICE}">[{_esc(label)}]</div>'
                     f'{_matrix(t[lead], big, SLICE_CORNER)}')
    return "".join(parts)


def _mean(t):
    """The mean, summed in float64 a chunk at a time: a float64 copy of a tensor of 100
    million values would need 800 MB more (torch's sum(dtype=) makes one)."""
    flat = t.reshape(-1)
    # on the tensor's device, but for MPS, which has no float64
    where = "cpu" if t.device.type == "mps" else t.device
    total = sum(chunk.to(where, torch.float64).sum().item() for chunk in flat.split(CHUNK))
    return total / flat.numel()


def _stats(t):
    """Minimum, mean and maximum of a big tensor, and how many values are not finite."""
    data = t.detach()
    write = _writer(data)
    parts = []
    if data.dtype.is_floating_point:
        mask = torch.isfinite(data)
        finite = data if bool(mask.all()) else data[mask]     # no copy when all are finite
        if finite.numel():
            parts += [("min", real_text(finite.min().item())),
                      ("mean", real_text(_mean(finite))),
                      ("max", real_text(finite.max().item()))]
        missing = data.numel() - finite.numel()
        if missing:
            nan = int(torch.isnan(data).sum().item())
            parts.append(("not finite", f"{missing} ({nan} nan)"))
    elif not data.dtype.is_complex:
        parts += [("min", write(data.min().item())),
                  ("mean", real_text(_mean(data))),
                  ("max", write(data.max().item()))]
    text = " · ".join(f'<span style="opacity:.65">{_esc(k)}</span> {_esc(v)}'
                      for k, v in parts)
    return f'<div style="{STATS}">{text}</div>'


# -- dictionaries -------------------------------------------------------------------------

def _graph_key(d):
    for key in ("graph", Symbol("graph")):
        if key in d and type(d[key]) is str:
            return key
    return None


def dict_html(d):
    """The HTML of a dictionary that holds a "graph" text (what .export returns): its other
    entries, then the graph in a <pre> block; None for other dictionaries."""
    key = _graph_key(d)
    if key is None:
        return None
    rows = []
    for k, v in d.items():
        if k == key:
            continue
        text = summary(v)
        if len(text) > 200:
            text = text[:197] + "..."
        rows.append(f'<tr><th style="{KEY}">{_esc(show(value_of_key(k)))}</th>'
                    f'<td style="{VALUE}">{_esc(text)}</td></tr>')
    table = f'<table style="{TABLE}">{"".join(rows)}</table>' if rows else ""
    graph = (f'<details open><summary style="cursor:pointer;opacity:.8">graph</summary>'
             f'<pre style="{PRE}">{_esc(d[key])}</pre></details>')
    return f'<div class="klong-graph" style="{BOX}">{table}{graph}</div>'


# -- other objects ------------------------------------------------------------------------

def _foreign(value):
    """What a Python object offers IPython: _repr_mimebundle_, _repr_html_ and the like, or
    the PNG of a matplotlib figure. A failing repr is left out, never raised."""
    out = {}
    try:
        bundle = getattr(value, "_repr_mimebundle_", None)
        if callable(bundle):
            got = bundle(include=None, exclude=None)
            if isinstance(got, tuple):        # (data, metadata)
                got = got[0] if got else None
            if isinstance(got, dict):
                out.update(got)
        for mime, name in FOREIGN:
            if mime in out:
                continue
            method = getattr(value, name, None)
            if callable(method):
                got = method()
                if isinstance(got, tuple):
                    got = got[0] if got else None
                if got is not None:
                    out[mime] = got
        if "image/png" not in out and _is_figure(value):
            out["image/png"] = figures.png(value)
    except Exception:                         # a display must not fail on a foreign repr
        pass
    out.pop("text/plain", None)
    return out


def _is_figure(value):
    mod = sys.modules.get("matplotlib.figure")
    return mod is not None and isinstance(value, mod.Figure)


__all__ = ["mime_bundle", "tensor_html", "dict_html", "real_text"]

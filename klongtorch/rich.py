"""Rich display of Klong values: the mime bundle that the Jupyter kernel and the magic show.

    mime_bundle(value) -> {"text/plain": ..., "text/html": ..., ...}

text/plain is Klong's readable form (display.show), bounded for large values (summary.py:
head … tail and the shape, as torch prints them). Besides it:

- a tensor with at most 500 elements is an HTML grid with its row and column indices (a
  long vector is laid out ten to a row, each row labelled with the index of its first
  element; an array of rank 3 or more is a grid per matrix, each labelled with its leading
  indices); a larger tensor is a summary: shape, dtype, device, min, mean and max, and its
  first values;
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

import torch

from .display import show
from .summary import summary
from .values import Dict, Symbol, Tensor, value_of_key

TABLE_UP_TO = 500          # elements: larger tensors get a summary
ROW = 10                   # a long vector is laid out this many to a row
PREVIEW = 6                # values shown in a summary
DIGITS = 6                 # significant digits of reals
CHUNK = 1 << 20            # elements summed at a time for a summary's mean

# inline styles (JupyterLab's sanitizer keeps style attributes, and <style> may be dropped)
BOX = "font-family:var(--jp-code-font-family,monospace);font-size:12px;line-height:1.35"
HEAD = "margin:0 0 3px 0;opacity:.8"
TABLE = "border-collapse:collapse;margin:0;font-size:12px"
CELL = "padding:1px 7px;text-align:right;border:1px solid rgba(128,128,128,.28)"
INDEX = ("padding:1px 7px;text-align:right;border:none;opacity:.5;font-weight:normal;"
         "font-size:11px")
SLICE = "margin:4px 0 1px 0;opacity:.6;font-size:11px"
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
    """The HTML view of a tensor of rank 1 or more: a grid, or a summary if it is large."""
    if t.numel() > TABLE_UP_TO:
        body = _summary(t)
    elif t.dim() <= 2:
        body = _grid(t)
    else:
        body = _grids(t)
    return f'<div class="klong-tensor" style="{BOX}">{_heading(t)}{body}</div>'


def _cells(values, write):
    return "".join(f'<td style="{CELL}">{_esc(write(v))}</td>' for v in values)


def _index_row(n):
    return ("<tr><th></th>" + "".join(f'<th style="{INDEX}">{j}</th>' for j in range(n))
            + "</tr>")


def _grid(t):
    """Rows with their indices: a matrix as it is, a vector ROW values to a row."""
    data = t.detach().cpu()
    write = _writer(data)
    if data.dim() == 1:
        values = data.tolist()
        if len(values) <= ROW:
            rows = [(None, values)]
            width = len(values)
        else:
            rows = [(i, values[i:i + ROW]) for i in range(0, len(values), ROW)]
            width = ROW
    else:
        rows = list(enumerate(data.tolist()))
        width = data.shape[1]
    lines = [_index_row(width)]
    for i, vals in rows:
        label = "" if i is None else str(i)
        pad = "<td></td>" * (width - len(vals))
        lines.append(f'<tr><th style="{INDEX}">{label}</th>{_cells(vals, write)}{pad}</tr>')
    return (f'<div style="overflow-x:auto;max-width:100%"><table style="{TABLE}">'
            + "".join(lines) + "</table></div>")


def _grids(t):
    """An array of rank 3 or more: the grid of each of its matrices, under its leading
    indices (as torch prints the matrices of a 3-D tensor one after another)."""
    data = t.detach().cpu()
    parts = []
    for lead in itertools.product(*map(range, data.shape[:-2])):
        label = " ".join(map(str, lead))
        parts.append(f'<div style="{SLICE}">[{_esc(label)}]</div>{_grid(data[lead])}')
    return "".join(parts)


def _mean(t):
    """The mean, summed in float64 a chunk at a time: a float64 copy of a tensor of 100
    million values would need 800 MB more (torch's sum(dtype=) makes one)."""
    flat = t.reshape(-1)
    total = sum(chunk.double().sum().item() for chunk in flat.split(CHUNK))
    return total / flat.numel()


def _summary(t):
    """Shape, dtype, device, min, mean, max and the first values of a large tensor."""
    data = t.detach()
    write = _writer(data)
    rows = [("shape", "×".join(map(str, data.shape))),
            ("dtype", str(data.dtype).replace("torch.", "")),
            ("device", str(data.device))]
    if data.dtype.is_floating_point:
        mask = torch.isfinite(data)
        finite = data if bool(mask.all()) else data[mask]     # no copy when all are finite
        if finite.numel():
            rows += [("min", real_text(finite.min().item())),
                     ("mean", real_text(_mean(finite))),
                     ("max", real_text(finite.max().item()))]
        missing = data.numel() - finite.numel()
        if missing:
            nan = int(torch.isnan(data).sum().item())
            rows.append(("not finite", f"{missing} ({nan} nan)"))
    elif not data.dtype.is_complex:
        rows += [("min", write(data.min().item())),
                 ("mean", real_text(_mean(data))),
                 ("max", write(data.max().item()))]
    first = data.reshape(-1)[:PREVIEW].cpu().tolist()
    more = " …" if data.numel() > PREVIEW else ""
    rows.append(("values", " ".join(map(write, first)) + more))
    body = "".join(f'<tr><th style="{KEY}">{_esc(k)}</th><td style="{VALUE}">{_esc(v)}</td></tr>'
                   for k, v in rows)
    return f'<table style="{TABLE}">{body}</table>'


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
            from .plots import png
            out["image/png"] = png(value)
    except Exception:                         # a display must not fail on a foreign repr
        pass
    out.pop("text/plain", None)
    return out


def _is_figure(value):
    import sys
    mod = sys.modules.get("matplotlib.figure")
    return mod is not None and isinstance(value, mod.Figure)


__all__ = ["mime_bundle", "tensor_html", "dict_html", "real_text"]

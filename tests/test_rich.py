"""Rich display (klongtorch/display/rich.py): the mime bundles the kernel and the magic show."""
import html
import re

import pytest
import torch

from klongtorch import Klong
from klongtorch.display import rich
from klongtorch.value.text import show
from klongtorch.value.values import Dict


@pytest.fixture
def k():
    return Klong(device="cpu")


def cells(page):
    """The text of the <td> cells, unescaped."""
    return [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", page)]


def index_headers(page):
    return [h for h in re.findall(r"<th[^>]*>(.*?)</th>", page)]


def chips(page):
    """A vector's (index, value) pairs, unescaped; an ellipsis has the index '&nbsp;'."""
    return [(i, html.unescape(v)) for i, v in
            re.findall(r"<div[^>]*><div[^>]*>([^<]*)</div><div>([^<]*)</div></div>", page)]


def text_of(page):
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


# -- text/plain --------------------------------------------------------------------------

@pytest.mark.parametrize("src", ["42", "3.5", '"hi"', "0cx", ":foo", "[1 2 3]",
                                 "[1 \"a\" :b]", ":{[1 2]}", "{x+1}", "[[1 2] [3 4]]"])
def test_text_plain_is_klong_form(k, src):
    v = k(src)
    assert rich.mime_bundle(v)["text/plain"] == show(v)


@pytest.mark.parametrize("src", ["42", "3.5", '"a<b>"', ":foo", "[1 \"a\" :b]", "{x+1}", "[]"])
def test_atoms_and_general_lists_are_plain_only(k, src):
    assert set(rich.mime_bundle(k(src))) == {"text/plain"}


def test_zero_d_tensor_plain_only():
    assert set(rich.mime_bundle(torch.tensor(2.5))) == {"text/plain"}
    assert set(rich.mime_bundle(torch.zeros(0))) == {"text/plain"}


# -- small tensors: a grid ---------------------------------------------------------------

def test_vector_table(k):
    b = rich.mime_bundle(k("[1 2 3]"))
    page = b["text/html"]
    assert b["text/plain"] == "[1 2 3]"
    assert chips(page) == [("0", "1"), ("1", "2"), ("2", "3")]
    assert "3" in page and "int64" in page
    assert "requires grad" not in page


def test_a_vector_is_a_run_of_values_never_the_rows_of_a_grid(k):
    page = rich.mime_bundle(k("!25"))["text/html"]
    assert chips(page) == [(str(i), str(i)) for i in range(25)]     # each under its index
    assert "<tr" not in page and "<table" not in page               # no row labels 0 10 20


def test_matrix_grid_with_indices(k):
    page = rich.mime_bundle(k(".jacobian({x^2};[1 2 3])"))["text/html"]
    assert "3×3" in page and "float64" in page
    assert cells(page) == ["2.0", "0.0", "0.0", "0.0", "4.0", "0.0", "0.0", "0.0", "6.0"]
    rows = re.findall(r"<tr>(.*?)</tr>", page)
    assert len(rows) == 4                     # the column indices, then 3 rows
    assert [index_headers(r)[0] for r in rows[1:]] == ["0", "1", "2"]


def test_reals_compact():
    page = rich.mime_bundle(torch.tensor([1 / 3, 2.0, 1e-9, 123456789.0],
                                         dtype=torch.float64))["text/html"]
    assert [v for _, v in chips(page)] == ["0.333333", "2.0", "1e-09", "1.23457e+08"]


def test_real_text():
    assert rich.real_text(float("nan")) == "nan"
    assert rich.real_text(float("-inf")) == "-inf"
    assert rich.real_text(5.0) == "5.0"
    assert rich.real_text(-0.25) == "-0.25"


def test_grad_badge_and_grad_fn():
    w = torch.ones(2, 2, requires_grad=True)
    page = rich.mime_bundle(w * 3)["text/html"]
    assert "∇ requires grad" in page
    assert "grad_fn=MulBackward0" in page
    assert cells(page) == ["3.0"] * 4
    leaf = rich.mime_bundle(w)["text/html"]
    assert "∇ requires grad" in leaf and "grad_fn=" not in leaf


def test_grad_tensor_stays_in_graph():
    w = torch.ones(3, requires_grad=True)
    y = w * 2
    rich.mime_bundle(y)
    y.sum().backward()                        # the display did not cut or consume the graph
    assert w.grad.tolist() == [2.0, 2.0, 2.0]


def test_device_shown_only_when_not_cpu():
    page = rich.mime_bundle(torch.ones(3))["text/html"]
    assert "cpu" not in page
    meta = torch.ones(3, device="meta")       # a device other than cpu, available everywhere
    assert "meta" in rich._heading(meta)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_tensor():
    t = torch.arange(6, device="cuda").reshape(2, 3)
    b = rich.mime_bundle(t)
    assert "cuda" in b["text/html"] and b["text/plain"] == "[[0 1 2] [3 4 5]]"
    big = rich.mime_bundle(torch.ones(1000, device="cuda"))["text/html"]
    assert "cuda:0" in big


# -- large tensors: a summary ------------------------------------------------------------

def test_a_big_vector_shows_its_ends_as_its_text_does(k):
    for n in (1000, 1000000):
        page = rich.mime_bundle(k(f"!{n}"))["text/html"]
        shown = chips(page)
        assert shown[:10] == [(str(i), str(i)) for i in range(10)]
        assert shown[10] == ("&nbsp;", "…")
        assert shown[11:] == [(str(i), str(i)) for i in range(n - 10, n)]
        text = text_of(page)
        for word in (str(n), "int64", "min", "max", str(n - 1)):
            assert word in text, word
        mean = float(re.search(r"mean\s+(\S+)", text).group(1))
        assert mean == pytest.approx((n - 1) / 2, rel=1e-5)


def test_a_big_matrix_shows_its_corner_rows_and_columns(k):
    page = rich.mime_bundle(k("[1000 1000]:^!1000000"))["text/html"]
    rows = re.findall(r"<tr>(.*?)</tr>", page)
    assert index_headers(rows[0])[1:] == ["0", "1", "2", "3", "…", "996", "997", "998", "999"]
    assert [index_headers(r)[0] for r in rows[1:]] == ["0", "1", "2", "3", "⋮",
                                                        "996", "997", "998", "999"]
    assert cells(rows[1])[:4] == ["0", "1", "2", "3"] and cells(rows[1])[4] == "…"
    assert cells(rows[-1])[-1] == "999999" and cells(rows[-1])[0] == "999000"
    assert set(cells(rows[5])) == {"⋮"}
    assert "1000×1000" in page and re.search(r"mean\s+500000\.0", text_of(page))


def test_a_long_thin_matrix_keeps_all_its_columns(k):
    page = rich.mime_bundle(k("[400 3]:^!1200"))["text/html"]
    rows = re.findall(r"<tr>(.*?)</tr>", page)
    assert index_headers(rows[0])[1:] == ["0", "1", "2"] and len(rows) == 10


def test_rank3_grid_shows_every_value(k):
    page = rich.mime_bundle(k("[2 3 4]:^!24"))["text/html"]
    assert "2×3×4" in page and "min" not in page
    assert cells(page) == [str(i) for i in range(24)]
    assert "[0]" in page and "[1]" in page                # each matrix under its index
    four = rich.mime_bundle(k("[2 2 2 3]:^!24"))["text/html"]
    assert cells(four) == [str(i) for i in range(24)] and "[1 0]" in four


def test_a_few_hundred_values_are_all_shown_more_show_their_ends(k):
    grid = rich.mime_bundle(k("[5 10 10]:^!500"))["text/html"]
    assert len(cells(grid)) == 500 and "min" not in grid
    page = rich.mime_bundle(k("[5 10 11]:^!550"))["text/html"]
    text = text_of(page)
    assert "5×10×11" in text and "min" in text and "549" in text
    assert "[0]" in page and "[1]" not in page and "[4]" in page     # first, …, last


def test_text_plain_of_a_large_value_is_bounded(k):
    b = rich.mime_bundle(k("!10000000"))
    assert b["text/plain"] == "[0 1 2 … 9999997 9999998 9999999]\n(shape [10000000])"
    assert sum(map(len, b.values())) < 10000


def test_summary_counts_nan():
    t = torch.tensor([float("nan"), 1.0, 3.0] * 200)
    text = text_of(rich.mime_bundle(t)["text/html"])
    assert "200 (200 nan)" in text
    assert re.search(r"mean\s+2\.0", text)


def test_summary_of_grad_tensor_marks_it():
    w = torch.randn(50, 50, requires_grad=True)
    page = rich.mime_bundle(w.tanh())["text/html"]
    assert "∇ requires grad" in page and "TanhBackward0" in page and "50×50" in page


# -- dictionaries with a graph -----------------------------------------------------------

def test_export_dict_graph_in_pre(k):
    d = k(':{["graph" "def forward(x):\n    return x < 1 & y > 2"] ["path" "f.pt2"]}')
    b = rich.mime_bundle(d)
    assert b["text/plain"] == show(d)
    page = b["text/html"]
    pre = re.search(r"<pre[^>]*>(.*?)</pre>", page, re.S).group(1)
    assert pre == "def forward(x):\n    return x &lt; 1 &amp; y &gt; 2"
    assert "f.pt2" in page and "path" in page


def test_plain_dict_is_plain_only(k):
    assert set(rich.mime_bundle(k(":{[1 2] [3 4]}"))) == {"text/plain"}


# -- objects that display themselves -----------------------------------------------------

class Compiled:
    arity = 1

    def __init__(self, bundle):
        self.bundle = bundle

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.bundle


def test_repr_mimebundle_merged_keeping_klong_text():
    obj = Compiled({"text/html": "<b>graph</b>", "text/plain": "python text"})
    b = rich.mime_bundle(obj)
    assert b["text/html"] == "<b>graph</b>"
    assert b["text/plain"] == ":monad"


def test_repr_mimebundle_with_metadata_tuple():
    obj = Compiled(({"text/html": "<i>x</i>"}, {"text/html": {"isolated": True}}))
    assert rich.mime_bundle(obj)["text/html"] == "<i>x</i>"


def test_failing_repr_is_ignored():
    class Broken:
        def _repr_mimebundle_(self, include=None, exclude=None):
            raise RuntimeError("boom")
    b = rich.mime_bundle(Broken())
    assert set(b) == {"text/plain"}


def test_repr_html_protocol():
    class Frame:
        def _repr_html_(self):
            return "<table><tr><td>1</td></tr></table>"
    assert rich.mime_bundle(Frame())["text/html"].startswith("<table>")


def test_matplotlib_figure_from_interop():
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure
    fig = Figure()
    fig.add_subplot().plot([1, 2])
    b = rich.mime_bundle(fig)
    assert b["image/png"][:8] == b"\x89PNG\r\n\x1a\n"


# -- escaping ----------------------------------------------------------------------------

def test_dict_keys_and_values_escaped(k):
    d = Dict({"graph": "<script>alert(1)</script>", "<k>": '"v" & <w>'})
    page = rich.mime_bundle(d)["text/html"]
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<k>" not in page and "&lt;k&gt;" in page
    assert "&amp; &lt;w&gt;" in page


def test_html_is_balanced(k):
    for src in ["[1 2 3]", "!25", ".jacobian({x^2};[1 2])", "!1000", "[100 100]:^!10000",
                "[5 10 11]:^!550"]:
        page = rich.mime_bundle(k(src))["text/html"]
        for tag in ("div", "table", "tr", "td", "th"):
            opened = len(re.findall(rf"<{tag}[\s>]", page))
            assert opened == page.count(f"</{tag}>"), (src, tag)

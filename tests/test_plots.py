"""Plots (klongtorch/display/plots.py): the drawing system functions, their errors, and the
interface the shells use (klongtorch/display/figures.py: take_figures, png, save_figures,
write_pending)."""
import io
import struct

import pytest
import torch

pytest.importorskip("matplotlib")

from klongtorch import Klong, KlongError
from klongtorch.display import plots  # noqa: E402
from klongtorch.display import figures as shown  # noqa: E402  (the shells' side)
from klongtorch.value.functions import SysFunc  # noqa: E402
from klongtorch.shell.help import help_text  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def k():
    return Klong(device="cpu")


def figures(k, src):
    k(src)
    return shown.take_figures(k)


def one_axes(k, src):
    figs = figures(k, src)
    assert len(figs) == 1
    assert len(figs[0].axes) >= 1
    return figs[0].axes[0]


def png_size(data):
    assert data[:8] == PNG_MAGIC
    return struct.unpack(">II", data[16:24])


def error(k, src):
    with pytest.raises(KlongError) as info:
        k(src)
    return info.value.message


# -- installation and help ---------------------------------------------------------------

NAMES = [".plot", ".curve", ".loglog", ".semilogy", ".scatter", ".scatterc", ".hist",
         ".histn", ".imshow", ".contour", ".contourf", ".title", ".xlabel", ".ylabel",
         ".legend", ".xlim", ".ylim", ".figure", ".subplot", ".figsize", ".savefig", ".draw"]


def test_installed_as_system_functions(k):
    for name in NAMES:
        assert isinstance(k.globals[name], SysFunc), name


@pytest.mark.parametrize("name", NAMES)
def test_help_in_house_format(k, name):
    text = help_text(name, k)
    head = text.split("\n", 1)[0]
    assert head.startswith(name + "("), head
    assert "  " in head                      # syntax, two blanks, then the name
    assert "Example" in text


def test_module_docstring_explains_figures():
    doc = plots.__doc__
    assert "current figure" in doc and ".figure()" in doc and "klong-plot-1.png" in doc


# -- line plots --------------------------------------------------------------------------

def test_plot_one_line(k):
    ax = one_axes(k, ".plot([1 2 3];[1 4 9])")
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [1, 2, 3]
    assert list(line.get_ydata()) == [1, 4, 9]


def test_plot_returns_nothing(k):
    assert k(".plot([1 2 3];[1 4 9])") == []


def test_plot_matrix_rows_are_series(k):
    ax = one_axes(k, ".plot([0 1 2];[[1 2 3] [4 5 6] [7 8 9]])")
    lines = ax.get_lines()
    assert len(lines) == 3
    assert [list(ln.get_ydata()) for ln in lines] == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


def test_plot_matrix_columns_when_only_they_fit(k):
    ax = one_axes(k, ".plot([0 1 2];[[1 2] [3 4] [5 6]])")
    assert [list(ln.get_ydata()) for ln in ax.get_lines()] == [[1, 3, 5], [2, 4, 6]]


def test_plot_ragged_series_against_index(k):
    ax = one_axes(k, ".plot(!0;[[1 2 3] [5 6]])")
    lines = ax.get_lines()
    assert [list(ln.get_xdata()) for ln in lines] == [[0, 1, 2], [0, 1]]


def test_curve_plots_against_index(k):
    ax = one_axes(k, ".curve([3.0 2.0 1.5 1.2])")
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [0, 1, 2, 3]


def test_loglog_and_semilogy_scales(k):
    ax = one_axes(k, "h::10^-(1+!5); .loglog(h;h^2)")
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    ax = one_axes(k, ".semilogy(!0;[1 0.1 0.01])")
    assert (ax.get_xscale(), ax.get_yscale()) == ("linear", "log")


def test_grad_tensor_is_detached(k):
    w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    k["w"] = w
    ax = one_axes(k, ".plot(!3;w*w)")
    assert list(ax.get_lines()[0].get_ydata()) == [1.0, 4.0, 9.0]


def test_list_of_grad_scalars(k):
    ax = one_axes(k, "f::{x^2}; .curve({f:>x}'[1.0 2.0 3.0])")
    assert list(ax.get_lines()[0].get_ydata()) == [2.0, 4.0, 6.0]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_grad_tensor():
    k = Klong(device="cuda")
    k["w"] = torch.tensor([1.0, 2.0], device="cuda", requires_grad=True)
    ax = one_axes(k, ".plot(w;w*w)")
    assert list(ax.get_lines()[0].get_ydata()) == [1.0, 4.0]


def test_bignums_error_not_traceback(k):
    assert error(k, ".curve([1 2 %s])" % ("9" * 400)).startswith("kg: error: .curve: value error:")


def test_float32_and_int_tensors(k):
    k["a"] = torch.arange(4, dtype=torch.float32)
    k["b"] = torch.arange(4)
    ax = one_axes(k, ".plot(a;b)")
    assert list(ax.get_lines()[0].get_ydata()) == [0, 1, 2, 3]


# -- figures within one evaluation -------------------------------------------------------

def test_drawing_in_one_evaluation_shares_the_axes(k):
    ax = one_axes(k, ".plot([1 2];[1 2]); .plot([1 2];[2 1])")
    assert len(ax.get_lines()) == 2


def test_figure_starts_a_new_one(k):
    figs = figures(k, ".plot([1 2];[1 2]); .figure(); .plot([1 2];[2 1])")
    assert len(figs) == 2
    assert [len(f.axes[0].get_lines()) for f in figs] == [1, 1]


def test_take_figures_forgets_and_next_evaluation_starts_fresh(k):
    k(".plot([1 2];[1 2])")
    assert len(shown.take_figures(k)) == 1
    assert shown.take_figures(k) == []
    ax = one_axes(k, ".plot([1 2];[3 4])")
    assert len(ax.get_lines()) == 1


def test_figures_kept_across_evaluations_until_taken(k):
    k(".plot([1 2];[1 2])")
    k(".plot([1 2];[2 1])")            # same current figure: nobody took the first yet
    figs = shown.take_figures(k)
    assert len(figs) == 1 and len(figs[0].axes[0].get_lines()) == 2


def test_title_labels_and_legend(k):
    ax = one_axes(k, '.plot(!0;[[1 2 3] [3 2 1]]); .title("loss"); .xlabel("step");'
                     '.ylabel("value"); .legend(["train" "test"])')
    assert ax.get_title() == "loss"
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "value"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "test"]


def test_title_before_plot_is_the_same_figure(k):
    figs = figures(k, '.title("first"); .plot([1 2];[1 2])')
    assert len(figs) == 1
    assert figs[0].axes[0].get_title() == "first"
    assert len(figs[0].axes[0].get_lines()) == 1


def test_legend_of_symbols_and_single_string(k):
    ax = one_axes(k, ".plot(!0;[[1 2] [2 1]]); .legend([up down])")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["up", "down"]
    ax = one_axes(k, '.curve([1 2 3]); .legend("only")')
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["only"]


def test_limits(k):
    ax = one_axes(k, ".plot([1 2 3];[1 2 3]); .xlim([0 10]); .ylim([-1 1])")
    assert ax.get_xlim() == (0.0, 10.0) and ax.get_ylim() == (-1.0, 1.0)


def test_subplots(k):
    figs = figures(k, ".subplot(1;2;0); .curve([1 2]); .title(\"a\"); .subplot(1;2;1);"
                      ".hist([1 2 2 3]); .title(\"b\")")
    assert len(figs) == 1
    assert [a.get_title() for a in figs[0].axes] == ["a", "b"]
    assert figs[0].get_size_inches()[0] > 6


def test_figsize(k):
    (fig,) = figures(k, ".figsize([8 3]); .curve([1 2])")
    assert tuple(fig.get_size_inches()) == (8.0, 3.0)
    assert png_size(shown.png(fig)) == (800, 300)


def test_empty_figure_is_not_returned(k):
    assert figures(k, ".figure()") == []


# -- other kinds of plot -----------------------------------------------------------------

def test_scatter(k):
    ax = one_axes(k, ".scatter([1 2 3];[3 1 2])")
    (points,) = ax.collections
    assert points.get_offsets().tolist() == [[1, 3], [2, 1], [3, 2]]


def test_scatterc_classes_get_legend(k):
    ax = one_axes(k, ".scatterc([1 2 3 4];[1 2 3 4];[0 1 0 1]); .legend([neg pos])")
    assert len(ax.collections) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["neg", "pos"]


def test_scatterc_continuous_gets_colorbar(k):
    (fig,) = figures(k, "x::(!20)%20; .scatterc(x;x;x^2)")
    assert len(fig.axes) == 2              # the plot and its colorbar


def test_hist(k):
    ax = one_axes(k, ".hist([1 2 2 3 3 3])")
    heights = [p.get_height() for p in ax.patches]
    assert heights == [1, 2, 3]


def test_histn_bins(k):
    ax = one_axes(k, ".histn((!100)%100;5)")
    assert len(ax.patches) == 5


def test_imshow_heatmap_with_colorbar(k):
    (fig,) = figures(k, "J::.jacobian({x^2};[1 2 3]); .imshow(J)")
    ax = fig.axes[0]
    (img,) = ax.images
    assert img.get_array().shape == (3, 3)
    assert len(fig.axes) == 2              # the colorbar
    assert any(t.get_text() == "6" for t in ax.texts)     # small matrices show values


def test_imshow_after_a_plot_starts_new_figure(k):
    figs = figures(k, ".plot([1 2];[1 2]); .imshow([[1 2] [3 4]])")
    assert len(figs) == 2


def test_contour_ij_convention(k):
    # z[i;j] is the height at x[i], y[j]: 3 x values, 2 y values
    (fig,) = figures(k, ".contour([0 1 2];[0 1];[[0 1] [1 2] [2 3]])")
    assert len(fig.axes) == 2


def test_contourf_with_meshgrid_matrices(k):
    (fig,) = figures(k, "X::[[0 1] [0 1]]; Y::[[0 0] [1 1]]; .contourf(X;Y;X+Y)")
    assert len(fig.axes) == 2


def test_contour_and_path_overlay(k):
    ax = one_axes(k, "g::((!21)-10)%5; z::{[a];a::x;{(a^2)+4*x^2}'g}'g; .contour(g;g;z);"
                     ".plot([1.5 1 0.5];[1.5 0.5 0.1])")
    assert len(ax.get_lines()) == 1 and len(ax.collections) >= 1


def test_contour_log_levels_for_steep_surface(k):
    ax = one_axes(k, "gx::((!41)-20)%10; gy::((!41)-10)%10;"
                     "r::{[a];a::x;{((1-a)^2)+100*(x-a^2)^2}'gy}'gx; .contourf(gx;gy;r)")
    levels = ax.collections[0].levels
    assert levels[1] / levels[0] == pytest.approx(levels[-1] / levels[-2])   # geometric


# -- errors ------------------------------------------------------------------------------

def test_length_error(k):
    msg = error(k, ".plot([1 2 3];[1 2])")
    assert msg == "kg: error: .plot: length error: x has 3 points but y has 2"


def test_type_error(k):
    assert error(k, '.plot("abc";[1 2 3])').startswith("kg: error: .plot: type error:")
    assert error(k, ".scatter([1 2];[:a :b])").startswith("kg: error: .scatter: type error:")


def test_shape_errors(k):
    assert error(k, ".imshow([1 2 3])").startswith("kg: error: .imshow: shape error:")
    assert error(k, ".contour([1 2];[1 2 3];[[1 2] [3 4]])").startswith(
        "kg: error: .contour: length error:")


def test_legend_errors(k):
    assert error(k, '.legend(["a"])').startswith("kg: error: .legend: value error:")
    shown.take_figures(k)
    assert error(k, '.curve([1 2]); .legend(["a" "b"])') == \
        "kg: error: .legend: length error: 2 names for 1 series"


def test_range_errors(k):
    assert error(k, ".subplot(1;2;2)").startswith("kg: error: .subplot: range error:")
    assert error(k, ".histn([1 2];0)").startswith("kg: error: .histn: range error:")


def test_savefig_without_figure(k):
    assert error(k, '.savefig("x.png")').startswith("kg: error: .savefig: value error:")


def test_missing_matplotlib(k, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kw):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kw)
    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    msg = error(k, ".plot([1 2];[1 2])")
    assert msg.startswith("kg: error: .plot: ") and "install matplotlib" in msg


# -- the shells' interface ---------------------------------------------------------------

def test_png_bytes_default_size(k):
    (fig,) = figures(k, ".plot([1 2 3];[1 4 9])")
    data = shown.png(fig)
    assert png_size(data) == (600, 400)
    assert png_size(shown.png(fig, dpi=50)) == (300, 200)


def test_figures_are_not_pyplot_figures(k):
    import sys
    (fig,) = figures(k, ".curve([1 2])")
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        assert fig not in [plt.figure(n) for n in plt.get_fignums()]
    assert type(fig).__module__ == "matplotlib.figure"


def test_take_figures_include_pyplot(k):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.close("all")
    pyfig = plt.figure()
    pyfig.add_subplot().plot([1, 2])
    k(".curve([1 2])")
    assert len(shown.take_figures(k)) == 1 and plt.get_fignums()   # not without asking
    k(".curve([1 2])")
    figs = shown.take_figures(k, include_pyplot=True)
    assert len(figs) == 2 and pyfig in figs
    assert plt.get_fignums() == []
    assert shown.png(pyfig)[:8] == PNG_MAGIC     # still renders after closing


def test_save_figures(k, tmp_path):
    k(".curve([1 2]); .figure(); .hist([1 2 2])")
    paths = shown.save_figures(k, str(tmp_path))
    assert [p.rsplit("/", 1)[1] for p in paths] == ["klong-plot-1.png", "klong-plot-2.png"]
    for p in paths:
        assert open(p, "rb").read(8) == PNG_MAGIC
    assert shown.save_figures(k, str(tmp_path)) == []
    k(".curve([3 4])")
    assert shown.save_figures(k, str(tmp_path), stem="fig") == [str(tmp_path / "fig-3.png")]


def test_write_pending_reports_on_stream(k, tmp_path, monkeypatch):
    monkeypatch.setenv("KLONGTORCH_PLOT_DIR", str(tmp_path))
    k(".curve([1 2])")
    out = io.StringIO()
    paths = shown.write_pending(k, out)
    assert out.getvalue() == f"plot written to {paths[0]}\n"
    assert shown.write_pending(k, out) == []


def test_savefig_writes_file(k, tmp_path):
    path = str(tmp_path / "loss.png")
    assert k(f'.curve([1 2]); .savefig("{path}")') == path
    assert open(path, "rb").read(8) == PNG_MAGIC
    assert len(shown.take_figures(k)) == 1          # still shown


def test_cli_writes_plot_files(tmp_path):
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    script = tmp_path / "p.kg"
    script.write_text('.plot([1 2 3];[1 4 9]); .title("t")\n.p("done")\n')
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "klongtorch", str(script)], cwd=tmp_path,
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "done\n"
    assert "plot written to klong-plot-1.png" in r.stderr
    assert (tmp_path / "klong-plot-1.png").read_bytes()[:8] == PNG_MAGIC


def test_points_over_a_line_get_a_colour_of_their_own():
    from matplotlib.colors import to_hex
    k = Klong(device="cpu")
    k(".plot(!10;!10);.scatter(!10;(!10)*0.5)")
    (fig,) = shown.take_figures(k)
    ax = fig.axes[0]
    line_colour = to_hex(ax.lines[0].get_color())
    point_colour = to_hex(ax.collections[0].get_facecolor()[0])
    assert line_colour != point_colour


# -- live plots: .draw ------------------------------------------------------------------------

LOOP = "ls::[];frame::{.curve(ls);.title(\"loss\");.draw()};{ls::ls,1%1+x;:[0=x!10;frame();0]}'!50"


def test_draw_without_a_live_display_keeps_the_last_frame(k):
    figs = figures(k, LOOP)
    assert len(figs) == 1                       # five frames drawn, the last one kept
    (line,) = figs[0].axes[0].get_lines()
    assert len(line.get_xdata()) == 41          # the curve as it was at x=40
    assert figs[0].axes[0].get_title() == "loss"


def test_draw_shows_frames_in_place_and_the_last_at_the_end(k, monkeypatch):
    frames = []

    def live(fig):
        frames.append(len(fig.axes[0].get_lines()[0].get_xdata()))
    monkeypatch.setattr(plots, "DRAW_EVERY", 0.0)
    with shown.live(k, live):
        k(LOOP)
        assert shown.take_figures(k) == []      # nothing left over to show again
    assert frames == [1, 11, 21, 31, 41]
    assert k._plots.live is None


def test_draw_throttles_and_still_shows_the_last_frame(k, monkeypatch):
    frames = []
    monkeypatch.setattr(plots, "DRAW_EVERY", 3600.0)
    with shown.live(k, lambda fig: frames.append(len(fig.axes[0].get_lines()[0].get_xdata()))):
        k(LOOP)
        assert frames == [1]                    # the first frame at once, then none
        assert shown.take_figures(k) == []
    assert frames == [1, 41]                    # and the last when the cell ends


def test_draw_needs_a_figure(k):
    assert "there is no figure to draw" in error(k, ".draw()")
    k(".plot(!3;!3);.draw()")
    assert "there is no figure to draw" in error(k, ".draw()")    # .draw started afresh

"""The notebooks in notebooks/.

Each notebook is executed with nbclient in a kernel of its own (the Klong kernel, or Python
for 05), in a temporary working directory; an error in any cell fails the test, except in a
cell tagged `raises-exception`, which must then fail with the error it demonstrates. The
Klong kernelspec is installed by the test itself into a temporary prefix
(notebooks/run_all.py's klong_kernelspec), so a fresh clone needs nothing else.

Every notebook also has a check of what it computed and drew (CHECKS below), so a notebook
that runs but silently shows the wrong thing fails too, and the copies stored in the
repository must hold their outputs.
"""
import importlib.util
import re

import pytest

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO_ROOT / "notebooks"
SECONDS = 180           # per notebook, kernel start included; they take 5-30 s on 2 cores

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("matplotlib")


def load_run_all():
    spec = importlib.util.spec_from_file_location("run_all", NOTEBOOKS / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run_all = load_run_all()
NAMES = [p.name for p in run_all.notebooks()]


# -- reading outputs ------------------------------------------------------------------------

def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def result(nb, source):
    """The text/plain value of the code cell whose last lines are `source`."""
    cells = [c for c in code_cells(nb)
             if c.source.rstrip() == source or c.source.rstrip().endswith("\n" + source)]
    assert len(cells) == 1, f"{len(cells)} cells end with {source!r}"
    texts = [o.data["text/plain"] for o in cells[0].outputs if o.output_type == "execute_result"]
    assert texts, f"no value shown for {source!r}"
    return texts[-1]


def printed(nb, source, stream="stdout"):
    """What the code cell containing `source` printed on stream."""
    cells = [c for c in code_cells(nb) if source in c.source]
    assert len(cells) == 1, f"{len(cells)} cells contain {source!r}"
    return "".join(o.text for o in cells[0].outputs
                   if o.output_type == "stream" and o.name == stream)


def numbers(text):
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", text)]


def number(text):
    (value,) = numbers(text)
    return value


def images(nb):
    return sum("image/png" in o.get("data", {}) for c in code_cells(nb) for o in c.outputs)


def errors(nb):
    return [(c, o) for c in code_cells(nb) for o in c.outputs if o.output_type == "error"]


def tagged(cell, tag):
    return tag in cell.metadata.get("tags", [])


# -- what each notebook must show -----------------------------------------------------------

def check_tour(nb):
    assert result(nb, "2*3+4") == "14"
    assert result(nb, "(2*3)+4") == "10"
    assert result(nb, "+/1+!10") == "55"
    assert result(nb, "x@<x") == "[1 1 2 3 4 5 6 9]"
    assert result(nb, "+/'m") == "[6 22 38]"
    assert result(nb, "*\\1+!6") == "[1 2 6 24 120 720]"
    assert result(nb, "hyp(3;4)") == "5.0"
    assert result(nb, "fib'!12") == "[0 1 1 2 3 5 8 13 21 34 55 89]"
    assert result(nb, "{(x+2%x)%2}\\~2").endswith(" 1.414213562373095]")
    assert result(nb, "s?0co") == "[4 8]"
    assert result(nb, "stock?:pear") == "5"
    assert result(nb, "+/!10000000") == "49999995000000"
    assert result(nb, "{x^3}:>2") == "12.0"
    assert result(nb, "{+/x^2}:>[1.0 2.0 3.0]") == "[2.0 4.0 6.0]"
    assert images(nb) == 1
    assert 15 <= len(code_cells(nb)) <= 40


def check_classroom(nb):
    assert images(nb) >= 5                         # sin, the V, descent, Jacobian, derivatives
    assert number(result(nb, "|/.abs(dsin-.cos(x))")) < 1e-12
    assert abs(number(result(nb, "nd(f;1.0;0.001)")) - 0.5403022) < 1e-6
    assert number(result(nb, "nabla")) < 1e-9
    ends = numbers(result(nb, "ends::{*|+x}'paths"))
    minima = [3.0, 2.0, -2.805118, 3.131313, -3.779310, -3.283186, 3.584428, -1.848127]
    assert ends == pytest.approx(minima, abs=1e-4)          # four starts, four minima
    assert all(v < 1e-12 for v in numbers(result(nb, "loss'ends")))
    assert all(abs(v) < 1e-12 for v in numbers(result(nb, "+/J")))
    assert result(nb, "{{.sin(x)}:>x}:>1.0") == result(nb, "-.sin(1.0)") == "-0.8414709848078965"
    assert result(nb, ".hessian(loss;[3.0 2.0])") == "[[74.0 20.0] [20.0 34.0]]"
    assert result(nb, ".gradcheck({.tanh(x)*.sin(x)};[0.5 1.0 2.0])") == "1"
    assert number(result(nb, "1.0∇msin")) == pytest.approx(0.5403023, abs=1e-6)
    (cell, error), = errors(nb)                 # the one cell that breaks autograd on purpose
    assert tagged(cell, "raises-exception") and cell.source == "msin:>1.0"
    assert "gradient error" in error.evalue and "Traceback" not in "".join(error.traceback)
    exact, numeric = numbers(result(nb, "({.sin(x)}:>1.0),1.0∇{.sin(x)}"))
    assert exact == pytest.approx(numeric, abs=1e-9)


def check_training(nb):
    assert images(nb) >= 5
    w, b = numbers(result(nb, "losses::step'!300\nw,b"))
    ws, bs = numbers(result(nb, "ws,mean(Y)-ws*mean(X)"))
    assert w == pytest.approx(ws, abs=1e-3) and b == pytest.approx(bs, abs=1e-3)
    assert abs(w - 3) < 0.2 and abs(b + 1) < 0.2
    assert result(nb, "^P") == "[2 200]"
    assert number(result(nb, "(+/lab=net(P)>0.5)%#lab")) >= 0.95
    # the live plot: one image, redrawn in place as the loop ran (its last frame kept), and
    # the loop's progress, finalized
    (live,) = [c for c in code_cells(nb) if "frame::" in c.source]
    shown = [o for o in live.outputs if o.output_type == "display_data"]
    assert sum("image/png" in o.data for o in shown) == 1
    first, last = numbers(result(nb, "(*ls),*|ls"))
    assert last < first / 2
    sgd, momentum, adam = numbers(result(nb, "{rosen(*|x)}'runs"))
    assert momentum < 1e-2 and adam < 1e-2 < sgd        # plain SGD is still in the valley


def check_compile(nb):
    assert images(nb) == 1                                   # the timings
    assert "inductor can compile here" in printed(nb, "inductor::") or \
        "no C++ compiler" in printed(nb, "inductor::")
    graph = printed(nb, ".p(.graph(f;[1.0 2.0 3.0]))")
    assert "def forward" in graph and "torch.ops.aten.sigmoid" in graph
    outputs = [o for c in code_cells(nb) if c.source.endswith("\ncf") for o in c.outputs]
    (shown,) = [o for o in outputs if o.output_type == "execute_result"]
    assert "compiled monad, 7 torch operations" in shown.data["text/html"]
    # the first compile said so while it ran (klongtorch.display.progress), then finalized
    said = [o.data["text/plain"] for o in outputs if o.output_type == "display_data"]
    assert len(said) == 1 and "compiling" in said[0] and "done in" in said[0]
    compiled, interpreted = numbers(result(nb, "(cf(xs)),f(xs)"))
    assert compiled == pytest.approx(interpreted, rel=1e-9)
    # per size: the compiled function's speedup (it runs whichever way is faster there), and
    # the graph alone's
    speedups = numbers(result(nb, "{((x@0)%x@1),(x@0)%x@2}'times"))
    assert len(speedups) == 10 and all(v > 0 for v in speedups)
    assert result(nb, "cg([1.0 -2.0])") == "[-1.0 2.0]"
    assert "running uncompiled" in printed(nb, "cg::.compile(g;[1.0 -2.0])", "stderr")
    assert result(nb, 'info?"export_path"') == '"activation.pt2"'
    assert "torch.ops.aten.sum" in printed(nb, '.p(info?"graph")')
    assert result(nb, "loaded(xs)~f(xs)") == "1"


def check_python(nb):
    assert nb.metadata.kernelspec.name == "python3"
    assert images(nb) >= 3
    assert result(nb, "+/y") == "15.0"
    assert result(nb, "t.grad") == "tensor([ 3., 12., 27.])"
    fitted = numbers(result(nb, "p.detach()").replace("torch.float64", ""))
    assert fitted == pytest.approx([1.5, 2.0, 0.3], abs=0.05)
    assert number(result(nb, "loss(fitted)")) < 0.02


CHECKS = {
    "01-klong-tour.ipynb": check_tour,
    "02-autograd-classroom.ipynb": check_classroom,
    "03-training.ipynb": check_training,
    "04-compile-and-export.ipynb": check_compile,
    "05-klong-in-python.ipynb": check_python,
}


# -- the tests ------------------------------------------------------------------------------

def test_every_notebook_is_here_and_checked():
    assert set(CHECKS) == set(NAMES)


@pytest.fixture(scope="module")
def kernelspec():
    with run_all.klong_kernelspec() as path:
        yield path


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_and_shows_what_it_should(name, kernelspec, tmp_path):
    nb, seconds = run_all.execute(NOTEBOOKS / name, cwd=tmp_path)
    print(f"{name}: {seconds:.1f} s")
    assert seconds < SECONDS
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    for cell in code_cells(nb):
        assert cell.execution_count is not None
    for cell, _ in errors(nb):
        assert tagged(cell, "raises-exception"), cell.source
    CHECKS[name](nb)


@pytest.mark.parametrize("name", NAMES)
def test_stored_notebook_has_its_outputs(name):
    """The copies in the repository render where browsed: run, with outputs saved
    (python notebooks/run_all.py)."""
    nb = nbformat.read(str(NOTEBOOKS / name), as_version=4)
    nbformat.validate(nb)
    klong = not name.startswith("05")
    assert nb.metadata.kernelspec.name == ("klong" if klong else "python3")
    if klong:
        assert nb.metadata.kernelspec.language == "klong"
    cells = code_cells(nb)
    assert all(c.execution_count is not None for c in cells)
    assert [c.execution_count for c in cells] == sorted(c.execution_count for c in cells)
    assert sum(bool(c.outputs) for c in cells) >= len(cells) // 2
    assert images(nb) >= 1
    for cell, _ in errors(nb):
        assert tagged(cell, "raises-exception"), cell.source

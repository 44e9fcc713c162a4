"""Compilation: .compile, .compilex, .export, .graph and .cmodes (issue 3, item 3).

Most tests use the aot_eager backend, which runs the captured graph through AOTAutograd
without generating C++; they check capture, values, options and fallbacks quickly. The
inductor tests need a C++ compiler and are skipped without one, except the test that the
missing compiler is reported with advice.
"""
import operator
import os
import subprocess
import sys

import pytest
import torch

from klongtorch import Klong, KlongError
from klongtorch.autograd.compile import Compiled, aten_ops, cxx

FAST = ':{["backend" "aot_eager"]}'

FUNCTIONS = [
    ("polynomial", "{(x^3)+(2*x^2)+x}", "2.0", ["3.0", "[1.0 2.0 3.0]"]),
    ("sum of squares", "{+/x^2}", "[1.0 2.0 3.0]", ["[4.0 5.0 6.0]"]),
    ("math", "{(.sin(x))*.exp(-x)}", "[0.5 1.5]", ["[2.0 3.0]"]),
    ("each", "{{x*x+1}'x}", "[1.0 2.0 3.0]", ["[3.0 2.0 1.0]"]),
    ("structure", "{(|x),2#x}", "[1.0 2.0 3.0]", ["[7.0 8.0 9.0]"]),
    ("matrix", "{+/+/x*x}", "[[1.0 2.0] [3.0 4.0]]", ["[[0.5 1.0] [2.0 2.5]]"]),
    ("softmax", "{.softmax(x)}", "[1.0 2.0 3.0]", ["[0.0 0.0 1.0]"]),
    # the store of an amend is a torch operation under capture, not a NumPy write
    ("amend", "{(2*x):=0.0,1}", "[1.0 2.0 3.0]", ["[4.0 5.0 6.0]"]),
]


@pytest.fixture
def k():
    return Klong(device="cpu")


def close(a, b):
    ta = a if isinstance(a, torch.Tensor) else torch.tensor(a, dtype=torch.float64)
    tb = b if isinstance(b, torch.Tensor) else torch.tensor(b, dtype=torch.float64)
    return torch.allclose(ta.double(), tb.double(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name,src,example,points", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_compiled_gives_the_uncompiled_values(k, name, src, example, points):
    k(f"f::{src};cf::.compilex(f;{example};{FAST})")
    assert k("cf").captured, "the function should have been captured"
    for p in [example] + points:
        assert close(k(f"cf({p})"), k(f"f({p})")), p


@pytest.mark.parametrize("name,src,example,points", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_captured_graph_holds_torch_operations_only(k, name, src, example, points):
    k(f"cf::.compilex({src};{example};{FAST})")
    (gm,) = k("cf").captured
    ops = aten_ops(gm)
    assert ops, "an empty graph"
    for op in ops:
        # operator.getitem picks one result of a multi-output operation (unbind, split)
        assert isinstance(op, torch._ops.OpOverload) or op is operator.getitem, \
            f"not a torch operation: {op!r}"
    # nothing in the graph module refers back to the interpreter
    assert "klongtorch" not in gm.code


def test_graph_text_shows_the_operations(k):
    text = k(".graph({+/(x*x)-1};[1.0 2.0])")
    assert "aten.mul" in text and "aten.sub" in text and "aten.sum" in text
    assert "lift_fresh" not in text and "= None" not in text


def test_compiled_function_is_differentiable(k):
    k(f"f::{{(x^3)+(2*x^2)+x}};cf::.compilex(f;2.0;{FAST})")
    assert k("{cf(x)}:>2.0") == pytest.approx(3 * 4 + 4 * 2 + 1)


def test_new_shape_is_captured_again(k):
    k(f"cf::.compilex({{+/x^2}};[1.0 2.0];{FAST})")
    assert k("cf([1.0 2.0 3.0])") == 14.0
    assert len(k("cf").captured) == 2


def test_dyad_takes_a_list_of_examples(k):
    k(f"cd::.compilex({{x+y*2}};[1.0 2.0];{FAST})")
    assert k("cd(3.0;4.0)") == 11.0
    with pytest.raises(KlongError, match="list of 2 example"):
        k(f".compilex({{x+y}};1.0;{FAST})")


def test_data_dependent_branch_falls_back_visibly(k, capfd):
    k(f"g::{{:[x>0;x;-x]}};cg::.compilex(g;2.0;{FAST})")
    assert "running uncompiled" in capfd.readouterr().err
    assert k("cg(-3.0)") == 3.0 and k("cg(4.0)") == 4.0
    assert not k("cg").captured
    assert "not captured" in k("cg").graph()


@pytest.mark.parametrize("opts", ['"fullgraph" 1', '"fallback" "error"'])
def test_fallback_can_be_an_error(k, opts):
    with pytest.raises(KlongError, match="capture error: cannot capture"):
        k(f'.compilex({{:[x>0;x;-x]}};2.0;:{{["backend" "aot_eager"] [{opts}]}})')


@pytest.mark.parametrize("opts,message", [
    (':{["mode" "fast"]}', "mode must be one of"),
    (':{["backend" "tvm2"]}', "backend must be one of"),
    (':{["speed" 1]}', "unknown option"),
    (':{["dynamic" 2]}', "dynamic must be 0 or 1"),
    ('3', "options are a dictionary"),
])
def test_bad_options_are_klong_errors(k, opts, message):
    with pytest.raises(KlongError, match=message):
        k(f".compilex({{x^2}};3.0;{opts})")


def test_strings_cannot_be_compiled(k):
    with pytest.raises(KlongError, match="numbers and numeric arrays"):
        k('.compile({x};"abc")')


def test_eager_backend_and_dynamic_option(k):
    k('ce::.compilex({x^2};3.0;:{["backend" "eager"] ["dynamic" 1]})')
    assert k("ce(5.0)") == 25.0
    assert k("ce").options == {"backend": "eager", "dynamic": 1}


def test_export_writes_a_loadable_program(k, tmp_path):
    path = str(tmp_path / "poly.pt2")
    info = k(f'info::.export({{(x^3)+(2*x^2)+x}};2.0;"{path}")')
    assert set(info) >= {"compiled_fn", "export_path", "graph"}
    assert info["export_path"] == path and os.path.exists(path)
    assert "aten.pow" in info["graph"]
    module = torch.export.load(path).module()
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    for p in (torch.tensor(3.0, dtype=torch.float64),):
        assert close(module(p), k("{(x^3)+(2*x^2)+x}(3.0)"))
    assert k('cf::info?"compiled_fn";cf(3.0)') == 48.0
    assert isinstance(k("cf"), Compiled)
    del x


def test_export_of_a_branching_function_is_an_error(k, tmp_path):
    with pytest.raises(KlongError, match=r"\.export: capture error"):
        k(f'.export({{:[x>0;x;-x]}};2.0;"{tmp_path / "g.pt2"}")')


def test_export_to_a_bad_path_is_an_io_error(k):
    with pytest.raises(KlongError, match="io error"):
        k('.export({x^2};2.0;"/nonexistent/dir/f.pt2")')


def test_cmodes_reports_this_machine(k):
    info = k(".cmodes()")
    assert "eager" in info["backends"] and "aot_eager" in info["backends"]
    assert ("inductor" in info["backends"]) == bool(cxx())
    assert info["cxx"] == (cxx() or "")
    assert info["cuda"] == int(torch.cuda.is_available())
    assert "default" in info["modes"]
    assert "development" in info["recommendations"]


def test_graph_display_shows_the_operations(k):
    k(f"cf::.compilex({{+/x^3}};[1.0 2.0];{FAST})")
    html = k("cf")._repr_mimebundle_()["text/html"]
    assert "aten.pow" in html and "torch operations" in html


@pytest.mark.skipif(not cxx(), reason="inductor needs a C++ compiler")
def test_inductor_compiles_the_polynomial(k):
    k("f::{(x^3)+(2*x^2)+x};cf::.compile(f;2.0)")
    assert k("cf(3.0)") == 48.0
    assert close(k("cf([1.0 2.0])"), k("f([1.0 2.0])"))


def test_missing_cxx_compiler_says_what_to_do(tmp_path):
    """With no working C++ compiler, .compile's error tells the user how to go on."""
    code = ("from klongtorch import Klong, KlongError\n"
            "try:\n    Klong(device='cpu')('.compile({x^2};3.0)')\n"
            "except KlongError as e:\n    print(e)\n")
    env = dict(os.environ, CXX=str(tmp_path / "no-such-g++"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=300)
    assert "kg: error: .compile: compile error" in out.stdout
    assert "C++ compiler" in out.stdout and '"backend" "eager"' in out.stdout


def test_dynamic_shapes_share_one_graph(k):
    k('cf::.compilex({+/x^2};[1.0 2.0];:{["backend" "aot_eager"] ["dynamic" 1]})')
    assert k("cf([1.0 2.0 3.0])") == 14.0 and k("cf(!5)") == 30.0
    assert len(k("cf").captured) == 1 and len(k("cf").graphs) == 3


def test_dynamic_recaptures_when_a_size_is_baked_in(k):
    # !#x is computed from x's size while tracing, so the graph holds a constant [0 1 2]
    # that does not fit four elements: that graph is not reused, a new one is captured
    k('cf::.compilex({+/x*!#x};[1.0 2.0 3.0];:{["backend" "aot_eager"] ["dynamic" 1]})')
    assert k("cf([1.0 2.0 3.0 4.0])") == 20.0
    assert len(k("cf").captured) == 2


# -- compiled or interpreted, by size -------------------------------------------------------

def test_the_chooser_times_both_ways_alternately_then_keeps_the_faster():
    from klongtorch.autograd.compile import COMPILED, INTERPRETED, TRIALS, Chooser
    c = Chooser()
    ways = []
    for i in range(2 * TRIALS):
        way, timed = c.way(17)
        assert timed
        ways.append(way)
        settled = c.record(17, way, 1.0 if way == COMPILED else 2.0)
        assert settled == (i == 2 * TRIALS - 1)
    assert ways == [COMPILED, INTERPRETED] * TRIALS
    assert c.way(17) == (COMPILED, False)
    for way in (COMPILED, INTERPRETED) * TRIALS:        # another size: the interpreter wins
        c.way(3)
        c.record(3, way, 5.0 if way == COMPILED else 1.0)
    assert c.way(3) == (INTERPRETED, False) and c.way(17) == (COMPILED, False)
    assert c.medians(3) == (5.0, 1.0)


def test_each_size_runs_the_faster_way_with_the_same_answers(capsys):
    from klongtorch.autograd.compile import COMPILED, INTERPRETED, _size_class
    k = Klong()
    k('f::{+/x^2};cf::.compilex(f;1.0*!1000;:{["backend" "eager"]})')
    cf = k["cf"]
    size = _size_class([torch.ones(1000)])
    assert cf.chooser.chosen[size] in (COMPILED, INTERPRETED)      # settled at .compile
    note = capsys.readouterr().err
    assert ("the interpreter is faster" in note) == (cf.chooser.chosen[size] == INTERPRETED)
    for n in (3, 1000):
        assert all(k(f"cf(1.0*!{n})") == k(f"f(1.0*!{n})") for _ in range(8))
    assert _size_class([torch.ones(3)]) in cf.chooser.chosen
    k('.compilex(f;[1.0 2.0];:{["backend" "eager"]})')           # a small example: no note
    assert "faster" not in capsys.readouterr().err


def test_choose_0_always_runs_the_graph():
    k = Klong()
    k('cf::.compilex({+/x^2};[1.0 2.0 3.0];:{["backend" "eager"] ["choose" 0]})')
    cf = k["cf"]
    assert k("cf([1.0 2.0 3.0])") == 14.0 and cf.chooser.chosen == {}
    with pytest.raises(KlongError, match="choose must be 0 or 1"):
        k('.compilex({x};1.0;:{["choose" 2]})')


def test_answers_of_graph_replaying_modes_are_copied_out():
    """In the modes that replay CUDA graphs, torch reuses an answer's memory in the next
    call; the Klong value is a copy (the copy itself is tested here: there is no GPU)."""
    from klongtorch.autograd.compile import _CUDA_GRAPH_MODES, _cloned
    assert set(_CUDA_GRAPH_MODES) == {"reduce-overhead", "max-autotune"}
    a, b = torch.ones(2), torch.zeros(3)
    out = _cloned((a, [b, 1]))
    assert type(out) is tuple and torch.equal(out[0], a) and out[0] is not a
    assert out[0].data_ptr() != a.data_ptr() and out[1][0].data_ptr() != b.data_ptr()
    assert out[1][1] == 1

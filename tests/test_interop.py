"""Python interop: .py, .pyf, .pya, .pyc, and Python callables inside Klong."""
import pytest
import torch

from klongtorch import Klong, KlongError


@pytest.fixture
def k(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "helpers.py").write_text(
        "import torch\n__all__ = ['cube', 'scale', 'Box', 'pair']\n"
        "def cube(x):\n    return x ** 3\n"
        "def scale(x, by=2.0):\n    return x * by\n"
        "class Box:\n    def __init__(self, v):\n        self.v = v\n"
        "def pair(a, b):\n    return [a, b]\n"
        "def hidden():\n    return 1\n")
    return Klong(device="cpu")


def test_py_imports_public_names_of_a_module_beside_the_program(k):
    assert k('.py("helpers");cube(3)') == 27
    with pytest.raises(KlongError, match="undefined|value"):
        k("hidden()")


def test_pyf_imports_chosen_names_and_counts_them(k):
    assert k('.pyf("torch";["exp" "tanh"])') == 2
    assert k("tanh(0.5)") == pytest.approx(0.46211715726000974)
    assert k('.pyf("math";"sqrt");sqrt(16)') == 4.0


def test_torch_functions_get_tensors_and_gradients_flow(k):
    k('.pyf("torch";["tanh" "exp"])')
    assert k("{x*tanh(x)}:>1.0") == pytest.approx(
        float(torch.tanh(torch.tensor(1.0)) + 1 - torch.tanh(torch.tensor(1.0)) ** 2), rel=1e-6)
    g = k("{+/exp(x)}:>[0.0 1.0]")
    assert torch.allclose(g, torch.exp(torch.tensor([0.0, 1.0], dtype=torch.float64)))


def test_arity_of_torch_builtins_comes_from_their_signature(k):
    k('.pyf("torch";["add" "tanh"])')
    assert k("add").arity == 2 and k("tanh").arity == 1
    assert k("add(1;2)") == 3


def test_optional_python_parameters_may_be_given(k):
    k('.py("helpers")')
    assert k("scale(3.0)") == 6.0 and k("scale(3.0;10.0)") == 30.0
    with pytest.raises(KlongError, match="arity"):
        k("pair(1)")


def test_a_python_function_that_cuts_the_graph_is_an_error(k):
    k('.pyf("math";"tanh")')
    with pytest.raises(KlongError, match="cuts the gradient"):
        k("{x*tanh(x)}:>1.0")
    assert k("tanh(0.5)") == pytest.approx(0.46211715726000974)   # fine without gradients


def test_pya_and_pyc(k):
    assert k('.pya(.py("math");"pi")') == pytest.approx(3.141592653589793)
    v = k('.pyc(.pya(.py("torch");"linspace");[0 1];:{["steps" 3]})')
    assert torch.allclose(v, torch.tensor([0.0, 0.5, 1.0], dtype=torch.float64))
    assert k('m::.py("helpers");.pyc(m,,"cube";[2];:{})') == 8


def test_opaque_objects_pass_through(k):
    box = k('.py("helpers");b::Box(41);b')
    assert type(box).__name__ == "Box" and box.v == 41
    assert k(".pya(b;\"v\")+1") == 42
    assert k("klong") is k


@pytest.mark.parametrize("program,message", [
    ('.py("no_such_module_here")', "import error"),
    ('.pyf("math";"nope")', "has no name"),
    ('.pyf("math";"log_2")', "import error|not a Klong name"),
    ('.pya(1;"nope")', "no attribute"),
    (".py(1)", "must be a string"),
    ('.pyc(1;[];:{})', "not callable"),
    ('.pyc(.pya(.py("math");"sqrt");[-1];:{})', "python error: ValueError"),
    ('.pyc(.pya(.py("math");"sqrt");[1];1)', "keyword arguments must be a dictionary"),
])
def test_interop_mistakes_are_klong_errors(k, program, message):
    with pytest.raises(KlongError, match=message):
        k(program)


def test_a_script_finds_python_modules_beside_it(tmp_path):
    import subprocess
    import sys
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "helper.py").write_text("def twice(x):\n    return 2 * x\n")
    (folder / "main.kg").write_text('.pyf("helper";"twice")\n.p(twice(21))\n')
    out = subprocess.run([sys.executable, "-m", "klongtorch", str(folder / "main.kg")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.stdout == "42\n" and out.returncode == 0, out.stderr


# -- KlongPy's forms and the edges of the crossing (issue 12) -----------------------------------

def test_bkf_binds_torch_functions_with_gradients_and_the_real_dtype(k):
    assert k('.bkf("exp");{exp(x)}:>0.0') == 1.0
    cos = float(torch.cos(torch.tensor(0.5, dtype=torch.float64)))
    assert k('.bkf(["sin" "cos"]);{sin(x)}:>0.5') == pytest.approx(cos, abs=1e-15)
    one = k("exp(1)")                    # an integer in, a real of the interpreter's dtype out
    assert one == pytest.approx(torch.e, abs=1e-15) and abs(one - torch.e) < 1e-12
    assert k("exp([1 2])").dtype == torch.float64
    assert Klong(dtype="float32")('.bkf("exp");exp([1 2])').dtype == torch.float32
    assert k('.bkf("abs");abs(-3)') == 3 and type(k("abs(-3)")) is int


@pytest.mark.parametrize("program, message", [
    ('.bkf("nosuchfunction")', "torch has no function named 'nosuchfunction'"),
    ('.bkf("Tensor")', "torch has no function named"),
    (".bkf(1)", "a string or a list of strings"),
    ('.py("missing.py")', "no such Python file"),
    ('.pyf(".helpers";"cube")', "relative module names.*./helpers.py"),
])
def test_klongpy_forms_fail_clearly(k, program, message):
    with pytest.raises(KlongError, match=message):
        k(program)


def test_py_takes_a_file_path_and_honours_klongpy_exports(k, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "nets.py").write_text(
        "import nethelp\nklongpy_exports = {'grow': nethelp.grow, 'size': 3}\n"
        "def notexported():\n    return 0\n")
    (tmp_path / "sub" / "nethelp.py").write_text("def grow(x):\n    return x + 1\n")
    assert k('.py("sub/nets.py");grow(size)') == 4        # its neighbour module is found
    assert "notexported" not in k
    assert k('.pyf("./helpers.py";"cube");cube(3)') == 27
    (tmp_path / "sub" / "bad.py").write_text("klongpy_exports = [1]\n")
    with pytest.raises(KlongError, match="klongpy_exports must be a dictionary"):
        k('.py("sub/bad.py")')


def test_del_forgets_a_global(k):
    k("a::1")
    del k["a"]
    assert "a" not in k
    with pytest.raises(KeyError):
        del k["a"]


def test_python_objects_print_as_python_shows_them(k, capsys):
    k('d::.pyc(.pya(.py("datetime");"date");[2024 5 6];:{});.p(d)')
    assert capsys.readouterr().out == "2024-05-06\n"


def test_builtin_python_functions_get_arrays_not_element_tensors(k):
    # math.fsum and other C functions outside torch get NumPy's view of the tensor (one
    # crossing, as from Python), not a million 0-d tensors
    assert k('.pyf("math";"fsum");fsum(!1000000)') == 499999500000.0
    assert k('.pyf("builtins";"repr");repr(!3)').startswith("array(")
    assert k('.pyf("builtins";"sorted");sorted([3 1 2])').tolist() == [1, 2, 3]
    with pytest.raises(KlongError, match="cuts the gradient"):
        k('.pyf("math";"tanh");{tanh(x)}:>[0.5]')


def test_unequal_shapes_say_to_use_each(k):
    hint = r"shapes \[2 3\] and \[3\] do not match.*use each, \{x\+b\}'a"
    with pytest.raises(KlongError, match=hint):
        k("[[1 2 3] [4 5 6]]+[10 20 30]")
    assert k("{x+[10 20 30]}'[[1 2 3] [4 5 6]]").tolist() == [[11, 22, 33], [14, 25, 36]]
    with pytest.raises(KlongError) as e:
        k("[1 2]+[1 2 3]")
    assert "each" not in str(e.value)                     # NumPy could not pair these either


def test_indexing_an_atom_says_so(k):
    with pytest.raises(KlongError, match="10@0: 10 is an atom"):
        k("{x@0}'[10 20 30]")


def test_torch_reals_made_from_integers_have_the_interpreter_dtype(k):
    linspace = '.pyc(.pya(.py("torch");"linspace");[0 1];:{["steps" 3]})'
    assert k(linspace).dtype == torch.float64
    assert k('.pyf("torch";["rand" "arange" "sqrt"]);rand(3)').dtype == torch.float64
    assert k("arange(5)").dtype == torch.int64                  # integers stay integers
    # computed in float64 (torch's sqrt: on AVX-512 it is not C's correctly rounded one)
    assert k("sqrt(2)") == torch.sqrt(torch.tensor(2.0, dtype=torch.float64)).item()
    assert abs(k("sqrt(2)") - 2 ** 0.5) < 1e-15
    assert Klong(dtype="float32")(linspace).dtype == torch.float32

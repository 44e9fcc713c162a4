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
    assert torch.allclose(v, torch.tensor([0.0, 0.5, 1.0]))
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

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


def test_arityof_torch_builtins_comes_from_their_signature(k):
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
    with pytest.raises(KlongError, match=r"index: type error: \[10 0\]: 10 is an atom"):
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


# -- KlongPy's extensions (issue 19 item 2) ---------------------------------------------------

KLONGPY_HELPER = '''
from klongpy import KlongInterpreter
from klongpy.core import KGFnWrapper, KGLambda, KGSym

def addw(klong, x):
    return klong["w"] + x

def arityof(klong, a, b, c=0):
    return a + b + c

class Counter:
    def __init__(self, klong, start):
        self.klong, self.n = klong, start
    def __call__(self, step):
        self.n += step
        self.klong["seen"] = self.n
        return self.n

def stepper(klong, names):
    return KGLambda(lambda loss: [klong.call(loss), klong._context[KGSym(names[0])]], args=["x"])

def twice(klong, fn):
    fn = KGFnWrapper(klong, fn)
    return [fn(1), fn(2)]

def fresh():
    return KlongInterpreter()("1+1")

def plain(x):
    return x
'''


@pytest.fixture
def kp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kphelper.py").write_text(KLONGPY_HELPER)
    k = Klong(device="cpu")
    k('.py("kphelper.py")')
    return k


def test_a_first_parameter_named_klong_receives_the_interpreter(kp):
    assert kp("w::10;addw(5)") == 15
    assert kp("addw").arity == 1 and kp("arityof").arity == 2 and kp("plain").arity == 1
    assert kp("arityof(1;2)") == 3
    # klongtorch's own spelling, the interpreter passed by hand, still works
    assert kp("addw(klong;5)") == 15


def test_a_class_whose_init_takes_klong_receives_it_too(kp):
    kp("c::Counter(100)")
    assert kp("c(5)") == 105 and kp("seen") == 105


def test_helpers_written_for_klongpy_import_klongpy_and_use_its_api(kp):
    kp("w::3.0;loss::{w^2};s::stepper([\"w\"])")
    assert kp("s(loss)").tolist() == [9.0, 3.0]  # klong.call and klong._context
    assert kp("twice({x*10})").tolist() == [10, 20]
    assert kp("fresh()") == 2                    # KlongInterpreter() is a new interpreter


def test_a_klongpy_module_klongtorch_lacks_is_a_clear_import_error(k):
    with pytest.raises(KlongError, match="klongpy.web: a part of KlongPy that klongtorch"):
        k('.py("klongpy.web")')


def test_os_argv_is_the_scripts_arguments(tmp_path):
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    (tmp_path / "args.kg").write_text(".p(.os.argv);.p(#.os.argv)\n")
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}
    for args in (["a", "b c"], ["--", "a", "b c"]):     # klongtorch's way and kgpy's
        done = subprocess.run([sys.executable, "-m", "klongtorch", "args.kg", *args],
                              cwd=tmp_path, capture_output=True, text=True, env=env)
        assert done.stdout == "[a b c]\n2\n", done.stderr
    assert Klong()(".os.argv") == []


def test_async_runs_python_in_the_background_and_the_callback_on_rest(k):
    import threading
    from klongtorch.ext import background
    k["here"] = threading.get_ident
    k("where::.async(here;{where::x})")
    k("where(0)")
    background.rest(k, wait=True)
    assert k("where") != threading.get_ident()        # f ran on a thread of its own
    k('.pyf("math";"factorial");got::[];a::.async(factorial;{got::got,x})')
    assert k("a(5)") == 1 and k("a(6;0)") == 1         # extra arguments are dropped
    assert k("got") == []                              # nothing ran in the middle
    background.rest(k, wait=True)
    assert sorted(k("got").tolist()) == [120, 720]
    # a Klong function is not moved off the interpreter's thread
    k("seen::0;b::.async({seen::x;x*2};{got::x})")
    k("b(21)")
    assert k("seen") == 0
    background.rest(k, wait=True)
    assert k("seen") == 21 and k("got") == 42


def test_async_errors_are_klong_errors(k):
    from klongtorch.ext import background
    with pytest.raises(KlongError, match=r"\.async: type error: not a function"):
        k(".async(1;{x})")
    with pytest.raises(KlongError, match="the callback takes the result"):
        k(".async({x};{x+y})")
    k('.pyf("math";"sqrt");a::.async(sqrt;{x})')
    k('a("no")')
    with pytest.raises(KlongError, match="sqrt: python error: TypeError"):
        background.rest(k, wait=True)


def test_timer_and_timerc(k):
    import time
    from klongtorch.ext import background
    k("n::0;th::.timer(\"tick\";0;{n::n+1;n<3})")
    assert str(k("th")) == "timer:tick:0"
    for _ in range(5):
        background.rest(k)
    assert k("n") == 3                       # it returned 0 at the third call: stopped
    k("m::0;t2::.timer(\"slow\";0.05;{m::m+1;1})")
    background.rest(k)
    assert k("m") == 0                       # not due yet
    time.sleep(0.06)
    background.rest(k)
    assert k("m") == 1
    assert k(".timerc(t2)") == 1 and k(".timerc(t2)") == 0 and k(".timerc(5)") == 0
    time.sleep(0.06)
    background.rest(k)
    assert k("m") == 1
    with pytest.raises(KlongError, match="the interval is a number of seconds"):
        k('.timer("x";-1;{1})')


def test_klong_functions_pickle_and_run_where_they_land(k):
    import pickle
    k('sq::{[a];a::x*x;a};add::{x+y}(10;);.pyf("math";"sqrt")')
    for name, arg, want in (("sq", 7, 49), ("add", 5, 15), ("sqrt", 16.0, 4.0),
                            (".rn", None, None)):
        fn = pickle.loads(pickle.dumps(k(name)))
        if arg is not None:
            assert fn(arg) == want
        else:
            assert fn.name == ".rn"


def test_a_klong_function_runs_in_a_multiprocessing_worker(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mp.py").write_text(
        "import multiprocessing\n"
        "from klongpy import KlongInterpreter\n"
        "from klongpy.core import KGFnWrapper\n"
        "def work(args):\n"
        "    n, fn = args\n"
        "    return KGFnWrapper(KlongInterpreter(), fn)(n)\n"
        "def runit(numbers, fn):\n"
        "    with multiprocessing.get_context('fork').Pool(1) as pool:\n"
        "        return pool.map(work, [(n, fn) for n in numbers])\n")
    k = Klong(device="cpu")
    assert k('.py("mp.py");runit(!4;{[a];a::x*x;a+1})').tolist() == [1, 2, 5, 10]


def test_a_tensor_from_python_crosses_without_a_copy_onto_the_interpreters_device():
    k = Klong(device="cpu")
    w = torch.ones(3, requires_grad=True)
    k["w"] = w
    assert k["w"] is w                      # already there: no copy, gradients as they were
    k["b"] = torch.tensor([True, False])
    assert k["b"].dtype == torch.int64      # Klong has no booleans


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_cpu_tensor_from_python_moves_to_a_cuda_interpreter():
    import numpy as np
    k = Klong(device="cuda")
    k["w"] = torch.ones(3)
    k["v"] = np.arange(3)
    assert k["w"].device.type == "cuda" and k["v"].device.type == "cuda"
    assert str(k("w+v+!3")) == str(torch.tensor([1.0, 3.0, 5.0], device="cuda"))

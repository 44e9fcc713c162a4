"""The %klong / %%klong IPython magics, run inside a real IPython InteractiveShell."""
import subprocess
import sys

import numpy as np
import pytest
import torch

pytest.importorskip("IPython")
from IPython.core.error import UsageError  # noqa: E402
from IPython.testing import globalipapp  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

from klongtorch import KlongError  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def shell():
    ip = globalipapp.get_ipython()      # looked up now: it is rebound once the shell runs
    ip.run_line_magic("load_ext", "klongtorch")
    ip.run_line_magic("klong_reset", "--device cpu")     # the same tests on any machine
    return ip


@pytest.fixture
def ip(shell):
    """The shell with a fresh Klong interpreter, and the Python names tests set removed."""
    shell.run_line_magic("klong_reset", "")
    before = set(shell.user_ns)
    yield shell
    for name in set(shell.user_ns) - before:
        del shell.user_ns[name]


def line(ip, code):
    return ip.run_line_magic("klong", code)


def cell(ip, code, options=""):
    return ip.run_cell_magic("klong", options, code)


def shown(ip, source):
    """Run a cell as IPython does; (result, captured output)."""
    with capture_output() as out:
        result = ip.run_cell(source)
    return result, out


# -- loading ----------------------------------------------------------------------------------

def test_import_klongtorch_does_not_import_ipython():
    code = "import sys, klongtorch; print('IPython' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("extension", ["klongtorch", "klongtorch.magics"])
def test_load_ext_registers_line_and_cell_magics(shell, extension):
    shell.run_line_magic("load_ext", extension)
    assert shell.find_line_magic("klong") is not None
    assert shell.find_cell_magic("klong") is not None
    for name in ("klong_push", "klong_pull", "klong_reset"):
        assert shell.find_line_magic(name) is not None


def test_loading_again_keeps_the_session(ip):
    line(ip, "kept::42")
    ip.run_line_magic("load_ext", "klongtorch.magics")
    ip.run_line_magic("reload_ext", "klongtorch")
    assert line(ip, "kept") == 42


def test_help_is_the_docstring_with_usage(ip):
    doc = ip.find_line_magic("klong").__doc__
    assert "Run Klong code" in doc
    for flag in ("-i", "-o", "--noreturn", "--device"):
        assert flag in doc


def test_interpreter_is_the_session_one(ip):
    from klongtorch.magics import interpreter
    line(ip, "a::7")
    k = interpreter(ip)
    assert k["a"] == 7
    k["b"] = 5
    assert line(ip, "a*b") == 35


# -- line values ------------------------------------------------------------------------------

def test_line_magic_returns_the_value(ip):
    assert line(ip, "1+2") == 3
    assert line(ip, "f::{x^2}; f:>3") == pytest.approx(6.0)
    assert line(ip, '"hello"') == "hello"
    assert line(ip, "[1 2 3]").tolist() == [1, 2, 3]
    assert line(ip, '[1 "a" [2 3]]')[1] == "a"


def test_line_magic_value_assigned_in_a_cell(ip):
    ip.run_cell("g = %klong f::{x^2}; f:>3")
    assert ip.user_ns["g"] == pytest.approx(6.0)


def test_noreturn(ip):
    assert line(ip, "-n 1+2") is None
    assert line(ip, "--noreturn x::5") is None
    assert line(ip, "x") == 5


# -- the code is verbatim ---------------------------------------------------------------------

def test_leading_minus_is_code(ip):
    assert line(ip, "-1+2") == -3          # Klong: right to left, -(1+2)
    assert line(ip, "-1") == -1
    assert line(ip, "- 5") == -5
    assert line(ip, "-n -1") is None
    assert line(ip, "-- -2") == -2


def test_braces_and_dollars_are_not_expanded(ip):
    ip.user_ns.update(b="PY", c="PY")
    ip.run_cell('s = %klong "a  {b}  $c"')
    assert ip.user_ns["s"] == "a  {b}  $c"
    result, _ = shown(ip, "%%klong -o t\nt::\"x {b}  $c\"\n{x+1}(2)")
    assert ip.user_ns["t"] == "x {b}  $c"
    assert result.result == 3


def test_spacing_inside_strings_is_kept(ip):
    assert line(ip, '"  two  spaces  "') == "  two  spaces  "
    ip.run_cell('r = %klong #"a   b"')        # IPython takes '#' here as code, not a comment
    assert ip.user_ns["r"] == 5
    assert line(ip, '-n --  #"a   b"') is None
    assert cell(ip, 'n::#"a   b"', "-o n") == 5
    assert ip.user_ns["n"] == 5


def test_cell_code_on_the_options_line_runs_first(ip):
    assert cell(ip, "a*2", "-n a::4") is None
    assert line(ip, "a") == 4


# -- state ------------------------------------------------------------------------------------

def test_state_is_kept_between_cells(ip):
    shown(ip, "%%klong\nsq::{x*x}\nn::6")
    shown(ip, "%klong m::sq(n)")
    assert line(ip, "m+1") == 37


def test_reset_starts_afresh(ip):
    line(ip, "gone::1")
    ip.run_line_magic("klong_reset", "")
    with pytest.raises(UsageError):
        ip.run_line_magic("klong_pull", "gone")


def test_reset_options(ip):
    ip.run_line_magic("klong_reset", "--device cpu --dtype float32")
    try:
        assert line(ip, "[1.5 2.5]").dtype == torch.float32
        assert line(ip, "[1.5 2.5]").device.type == "cpu"
    finally:
        ip.run_line_magic("klong_reset", "--dtype float64")
    with pytest.raises(UsageError):
        ip.run_line_magic("klong_reset", "--dtype int8")


def test_device_option(ip):
    assert line(ip, "--device cpu [1.5 2.5]").device.type == "cpu"
    assert line(ip, "--device=cpu 1+1") == 2
    with pytest.raises(UsageError):
        line(ip, "--device nowhere 1")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_device_option_is_for_this_code_only(ip):
    assert line(ip, "--device cuda [1.5 2.5]").device.type == "cuda"
    assert line(ip, "[1.5 2.5]").device.type == "cpu"


def test_exit_starts_afresh(ip):
    line(ip, "a::1")
    with capture_output() as out:
        assert line(ip, ".x(3)") is None
    assert "exited" in out.stderr
    with pytest.raises(UsageError):
        ip.run_line_magic("klong_pull", "a")


# -- values crossing --------------------------------------------------------------------------

def test_tensor_in_and_out_is_the_same_tensor(ip):
    t = torch.arange(4.0)
    ip.user_ns["t"] = t
    assert line(ip, "-i t t") is t
    line(ip, "-i t -o u u::t")
    assert ip.user_ns["u"] is t
    assert ip.user_ns["u"].data_ptr() == t.data_ptr()


def test_numpy_array_comes_in_without_a_copy(ip):
    a = np.arange(3.0)
    ip.user_ns["a"] = a
    t = line(ip, "-i a a")
    assert isinstance(t, torch.Tensor)
    assert t.data_ptr() == a.ctypes.data
    a[0] = 7.0
    assert t[0].item() == 7.0
    assert line(ip, "+/a") == pytest.approx(10.0)


def test_numbers_strings_lists_dicts_cross_both_ways(ip):
    ip.user_ns.update(n=21, r=1.5, s="hello world", xs=[1, "two", [3.0, 4.0]],
                      d={"a": 1, "b": "bee"}, big=2 ** 80)
    assert line(ip, "-i n n*2") == 42
    assert line(ip, "-i r r*2") == pytest.approx(3.0)
    assert line(ip, "-i s #s") == 11
    assert line(ip, "-i big big+1") == 2 ** 80 + 1
    line(ip, "-i n,r,s -i xs,d -o n2,r2,s2,xs2,d2 n2::n;r2::r;s2::s;xs2::xs;d2::d")
    ns = ip.user_ns
    assert ns["n2"] == 21 and ns["r2"] == 1.5 and ns["s2"] == "hello world"
    assert ns["xs2"][:2] == [1, "two"] and list(ns["xs2"][2]) == [3.0, 4.0]
    assert ns["d2"] == {"a": 1, "b": "bee"}


def test_input_from_a_function_s_locals(ip):
    ip.run_cell("def fn():\n    v = 3\n    w = %klong -i v v*2\n    return w\nr = fn()")
    assert ip.user_ns["r"] == 6


def test_renaming_in_and_out(ip):
    ip.user_ns["my_value"] = 5
    assert line(ip, "-i mv=my_value mv+1") == 6
    line(ip, "-o py_out=k k::mv*10")
    assert ip.user_ns["py_out"] == 50


def test_python_functions_become_klong_functions_of_their_arity(ip):
    def add(a, b):
        return a + b

    def scaled(x, k=10):
        return x * k

    ip.user_ns.update(add=add, sq=lambda x: x * x, scaled=scaled, tsin=torch.sin)
    assert line(ip, "-i add add(3;4)") == 7
    assert line(ip, "-i add 3 add 4") == 7
    assert line(ip, "-i sq sq'[1 2 3]").tolist() == [1, 4, 9]
    assert line(ip, "-i scaled scaled(2)") == 20
    grad = line(ip, "-i tsin {+/tsin(x)}:>[0.0 1.0]")
    assert torch.allclose(grad, torch.cos(torch.tensor([0.0, 1.0], dtype=grad.dtype)))


def test_push_and_pull_magics(ip):
    ip.user_ns.update(p=2, q=torch.ones(2), my_r=3)
    ip.run_line_magic("klong_push", "p q, r=my_r")
    assert line(ip, "p+r") == 5
    line(ip, "w::q*p")
    ip.run_line_magic("klong_pull", "w py_p=p")
    assert ip.user_ns["w"].tolist() == [2.0, 2.0]
    assert ip.user_ns["py_p"] == 2


# -- Klong functions from Python --------------------------------------------------------------

def test_klong_function_called_and_differentiated_from_python(ip):
    ip.run_cell("f = %klong {+/x^3}")
    f = ip.user_ns["f"]
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    f(t).backward()
    assert t.grad.tolist() == [3.0, 12.0]


def test_pulled_klong_function_keeps_the_graph(ip):
    line(ip, "-o h h::{(x*x)+2*x}")
    t = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(ip.user_ns["h"](t), t, create_graph=True)
    assert g.item() == pytest.approx(8.0)
    (g2,) = torch.autograd.grad(g, t)
    assert g2.item() == pytest.approx(2.0)


def test_klong_function_round_trips(ip):
    f = line(ip, "{x*3}")
    ip.user_ns["f"] = f
    assert line(ip, "-i f f(2)") == 6


# -- cell results and output ------------------------------------------------------------------

def test_cell_shows_its_value_as_out(ip):
    result, out = shown(ip, "%%klong\na::1+2\n[1 2 3]*a")
    assert result.success
    assert result.result.tolist() == [3, 6, 9]
    assert "Out[" in out.stdout and "[3 6 9]" in out.stdout


def test_out_and_underscore_are_the_value_itself(ip):
    with capture_output():
        result = ip.run_cell("%%klong\nv::[1.5 2.5]\nv", store_history=True)
    assert type(result.result) is torch.Tensor
    assert result.result is line(ip, "v")               # the same tensor, not a copy
    count = result.execution_count
    assert ip.user_ns["Out"][count] is result.result and ip.user_ns["_"] is result.result
    assert ip.user_ns[f"_{count}"] is result.result
    doubled, _ = shown(ip, "_*2")
    assert doubled.result.tolist() == [3.0, 5.0]
    for source, kind, klong_text in [("%%klong\n1+2", int, "3"), ('%%klong\n"ab"', str, '"ab"'),
                                     ('%%klong\n[1 "a"]', list, '[1 "a"]')]:
        result, out = shown(ip, source)
        assert type(result.result) is kind and f"]: {klong_text}" in out.stdout


def test_the_value_keeps_pythons_display_afterwards(ip):
    shown(ip, "%%klong\n[1.5 2.5]")
    formats = ip.display_formatter.format(ip.user_ns["_"])[0]
    assert formats["text/plain"].startswith("tensor(")      # Python's own display of it
    assert "format" not in vars(ip.display_formatter)        # the override is gone


def test_the_klong_display_is_for_the_result_only(ip):
    import IPython.core.displayhook as displayhook
    seen = []
    real = displayhook.DisplayHook.write_format_data

    def record(self, format_dict, md_dict=None):
        seen.append(format_dict)
        return real(self, format_dict, md_dict)
    displayhook.DisplayHook.write_format_data = record
    try:
        ip.run_cell("%%klong\n[1.5 2.5]")
        ip.run_cell("import torch; torch.tensor([1.5, 2.5])")
    finally:
        displayhook.DisplayHook.write_format_data = real
    klong, python = seen
    assert klong["text/plain"] == "[1.5 2.5]" and "klong-tensor" in klong["text/html"]
    assert python["text/plain"].startswith("tensor(") and "text/html" not in python


def test_a_large_value_shows_bounded(ip):
    result, out = shown(ip, "%%klong\n!10000000")
    assert result.result.numel() == 10000000
    assert "[0 1 2 … 9999997 9999998 9999999]" in out.stdout and len(out.stdout) < 500


def test_trailing_semicolon_silences(ip):
    result, out = shown(ip, "%%klong\nz::1+2;")
    assert result.result is None
    assert "Out[" not in out.stdout
    assert line(ip, "z") == 3


def test_a_line_ending_in_a_semicolon_still_returns_its_value(ip):
    """Klong's ';' ends a statement: a %klong line returns the value of what it ran, and
    IPython's own trailing-';' silencing (@output_can_be_silenced) does not apply."""
    ip.run_cell("zz = %klong q::4;q*2;")
    assert ip.user_ns["zz"] == 8
    result = ip.run_cell("%klong q*3;")
    assert result.result == 12


def test_quiet_is_the_token_rule_of_the_kernel_and_the_repl(ip):
    assert shown(ip, '%%klong\nz::1+2;  :"a comment"')[0].result is None
    assert shown(ip, "%%klong\n0c;")[0].result == ";"        # a character, not a ';'


def test_commands_work_as_at_the_prompt(ip, tmp_path):
    (tmp_path / "defs.kg").write_text("sq::{x*x}\n")
    result, out = shown(ip, f"%%klong\n]h +\n]l {tmp_path}/defs.kg\nsq(9)")
    assert "a+b  Plus" in out.stdout and result.result == 81
    result, out = shown(ip, "%%klong\n]t log.txt")
    assert isinstance(result.error_in_exec, KlongError) and "]t:" in out.stdout + out.stderr


def test_print_output_is_printed(ip):
    result, out = shown(ip, '%%klong\n.p("hello");.p(1+1);5')
    assert out.stdout.startswith("hello\n2\n")
    assert result.result == 5


# -- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("source", ['%%klong\na::1\n1+"a"', '%klong 1+"a"'])
def test_klong_error_shows_message_and_caret_not_traceback(ip, source):
    result, out = shown(ip, source)
    assert isinstance(result.error_in_exec, KlongError)
    text = out.stdout + out.stderr
    assert "Traceback" not in text
    assert "kg: error: plus: type error" in text
    lines = text.splitlines()
    at = lines.index('1+"a"')
    assert lines[at + 1].strip() == "^"


def test_an_interrupt_is_one_line_and_keeps_the_state(ip):
    from conftest import interrupting
    line(ip, "a::7;g::{[a];a::1;{x=x}{x+1}:~0}")
    with interrupting(first=0.5):
        result, out = shown(ip, "%%klong\ng()")
    assert isinstance(result.error_in_exec, KlongError)
    text = (out.stdout + out.stderr).strip()
    assert text == "kg: error: interrupted"               # not 81 lines of traceback
    assert line(ip, "a") == 7                               # the local's value is gone
    assert line(ip, "1+2") == 3


@pytest.mark.parametrize("source", ["%klong -i", "%klong -i nosuch nosuch",
                                    "%klong -i my_var 1", "%klong -o nosuch 1",
                                    "%klong -o 1x=a a::1", "%klong --device nowhere 1",
                                    "%klong_push", "%klong_pull nosuch",
                                    "%klong -i =x 1"])
def test_misused_options_are_usage_errors(ip, source):
    ip.user_ns["my_var"] = 1
    result, out = shown(ip, source)
    assert isinstance(result.error_in_exec, UsageError)
    text = out.stdout + out.stderr
    assert "UsageError" in text and "Traceback" not in text


# -- plots ------------------------------------------------------------------------------------

def test_plot_is_displayed_as_png(ip):
    pytest.importorskip("matplotlib")
    result, out = shown(ip, "%%klong\n.plot(!10;(!10)^2);")
    assert result.success
    images = [o.data["image/png"] for o in out.outputs if "image/png" in o.data]
    assert len(images) == 1 and images[0].startswith(PNG_MAGIC)
    result, out = shown(ip, "%%klong\n1")           # figures are shown once
    assert not [o for o in out.outputs if "image/png" in o.data]


def test_a_cell_that_only_draws_has_no_out_value(ip):
    pytest.importorskip("matplotlib")
    result, out = shown(ip, "%%klong\n.plot(!10;!10)")
    assert result.success and result.result is None
    assert [o for o in out.outputs if "image/png" in o.data]


def test_line_magic_plot_is_displayed(ip):
    pytest.importorskip("matplotlib")
    with capture_output() as out:
        line(ip, ".hist([1 2 2 3 3 3])")
    assert any("image/png" in o.data for o in out.outputs)


# -- the option splitter ----------------------------------------------------------------------

def test_flags_match_the_parser():
    from klongtorch.magics.magic import FLAGS, KlongMagics
    parser = KlongMagics.klong.parser
    actions = {s: a for a in parser._actions for s in a.option_strings}
    assert set(FLAGS) == set(actions)
    for flag, takes_value in FLAGS.items():
        assert takes_value == (actions[flag].nargs != 0)


@pytest.mark.parametrize("text, tokens, code", [
    ("-i a,b x+1", ["-i", "a,b"], "x+1"),
    ("-1+2", [], "-1+2"),
    ("  -n   -i a  \"a  b\"", ["-n", "-i", "a"], "\"a  b\""),
    ("--device=cpu -o y y::1", ["--device=cpu", "-o", "y"], "y::1"),
    ("-- -i", [], "-i"),
    ("-i", ["-i"], ""),
    ("", [], ""),
    ("--input x {x}", ["--input", "x"], "{x}"),
])
def test_split_leading(text, tokens, code):
    from klongtorch.magics.magic import FLAGS
    from klongtorch.magics.options import split_leading
    assert split_leading(text, FLAGS) == (tokens, code)


def test_name_pairs():
    from klongtorch.magics.options import name_pairs
    assert name_pairs(["a,b", " k = p "]) == [("a", "a"), ("b", "b"), ("k", "p")]
    assert name_pairs(None) == []
    with pytest.raises(UsageError):
        name_pairs(["k="])


def test_a_cell_of_only_comments_shows_nothing(ip):
    # its value is :eof (an empty program, as in kg), which the prompt does not show
    assert cell(ip, ':"only a comment"\n') is None
    assert str(cell(ip, '.rs("")')) == ":eof"


def test_an_async_callback_runs_after_a_klong_cell(ip):
    import time
    ip.run_cell('%%klong\n.py("math");got::0;cb::{got::x};job::.async(sqrt;cb);job(16.0);1')
    deadline = time.monotonic() + 30
    while ip.run_cell("%klong got").result != 4.0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ip.run_cell("%klong got").result == 4.0


# -- the usual line's short way (KlongMagics._line) ----------------------------------------

@pytest.mark.parametrize("code", [
    "1+2", "a::!3", "a::1;", ":\" a comment only", '.p("hi");7', '1+"a"', ".x(3)",
    "]h +", ".plot(!4)", "f::{x^2};f", "]a sum", "]! echo hi",
])
def test_a_plain_line_does_what_a_line_with_options_does(ip, code):
    """`%klong code` takes its own short way (no options to honour); `%klong --device cpu
    code` takes the general one (_run). The two must agree: value, what is printed, drawn
    and raised, and the interpreter afterwards."""
    def outcome(prefix):
        ip.run_line_magic("klong_reset", "")
        with capture_output() as out:
            result = ip.run_cell(f"_r = %klong {prefix}{code}")
        value = ip.user_ns.pop("_r", "unset")
        if callable(value):
            value = value(torch.tensor(3.0))
        error = result.error_in_exec
        return (value if not isinstance(value, torch.Tensor) else value.tolist(),
                out.stdout, out.stderr, [o.data.keys() for o in out.outputs],
                type(error), str(error), line(ip, "1+1"))

    assert outcome("") == outcome("--device cpu ")

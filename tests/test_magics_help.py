"""Tab completion and Shift+Tab help on Klong inside %%klong cells and %klong lines."""
import pytest

pytest.importorskip("IPython")
from IPython.core.completer import provisionalcompleter  # noqa: E402
from IPython.testing import globalipapp  # noqa: E402

from klongtorch.magics.cells import klong_at  # noqa: E402
from klongtorch.magics.inspection import make_do_inspect, register  # noqa: E402


@pytest.fixture(scope="module")
def ip():
    # the module's get_ipython: the name imported from it returns None once another test
    # file has started the shell
    shell = globalipapp.get_ipython()
    shell.run_line_magic("load_ext", "klongtorch")
    shell.run_line_magic("klong_reset", "--device cpu")
    shell.run_cell_magic("klong", "", "mysquare::{x*x}; myvalue::!5")
    return shell


def completions(ip, text, offset=None):
    offset = len(text) if offset is None else offset
    with provisionalcompleter():
        return [(text[c.start:c.end], c.text, c.type)
                for c in ip.Completer.completions(text, offset)]


# -- where the Klong is ---------------------------------------------------------------------

@pytest.mark.parametrize("text, offset, expected", [
    ("%%klong\n+/!3", 10, ("\n+/!3", 3)),
    ("%%klong -i x -n\nx*2", 17, ("\nx*2", 2)),
    ("%%klong -i x 1+2\nx", 14, ("1+2\nx", 1)),          # code on the options line
    ("%klong 1+2", 8, ("1+2", 1)),
    ("a = 1\ny = %klong -n 1+2\nz = 3", 21, ("1+2", 1)),
    ("%%klong -i x\nx", 5, None),                        # in the magic's name
    ("%klong -i x 1+2", 10, None),                       # in its options
    ("print(1+2)", 7, None),
    ("# %%klong\n1+2", 11, None),                        # a cell magic is on line one
])
def test_klong_at_finds_the_code_the_magic_runs(text, offset, expected):
    assert klong_at(text, offset) == expected


# -- Tab ------------------------------------------------------------------------------------

def test_tab_completes_klong_globals_in_a_cell(ip):
    assert completions(ip, "%%klong\n2+mysq") == [("mysq", "mysquare", "function")]
    assert ("myv", "myvalue", "variable") in completions(ip, "%%klong\nmyv")


def test_tab_completes_system_functions(ip):
    assert completions(ip, "%%klong\n.gradc") == [(".gradc", ".gradcheck", "builtin")]


def test_tab_turns_latex_names_into_glyphs(ip):
    assert completions(ip, "%%klong\n2\\nabla") == [("\\nabla", "∇", "glyph")]
    assert ("\\nab", "\\nabla", "glyph") in completions(ip, "%%klong\nf\\nab")


def test_tab_completes_after_a_line_magic_and_its_options(ip):
    assert completions(ip, "y = %klong -n mysq") == [("mysq", "mysquare", "function")]


def test_tab_in_klong_gives_no_python_names(ip):
    ip.user_ns["mysquirrel"] = 1
    try:
        assert [c for _, c, _ in completions(ip, "%%klong\nmysq")] == ["mysquare"]
        # and Python cells still complete Python
        assert ("mysq", "mysquirrel") in [(f, c) for f, c, _ in completions(ip, "mysq")]
    finally:
        del ip.user_ns["mysquirrel"]


# -- Shift+Tab ------------------------------------------------------------------------------

class FakeKernel:
    def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        return {"status": "ok", "found": True, "data": {"text/plain": "python: " + code},
                "metadata": {}}


def klong_session(ip):
    from klongtorch.magics import interpreter
    return lambda: interpreter(ip)


def test_shift_tab_on_a_klong_operator_shows_its_help(ip):
    do_inspect = make_do_inspect(FakeKernel().do_inspect, klong_session(ip))
    reply = do_inspect("%%klong\n+/!3", len("%%klong\n+"))
    assert reply["found"] and "Plus" in reply["data"]["text/plain"]


def test_shift_tab_on_a_klong_function_shows_its_definition(ip):
    do_inspect = make_do_inspect(FakeKernel().do_inspect, klong_session(ip))
    reply = do_inspect("x = %klong mysquare 3", len("x = %klong mysq"))
    assert reply["data"]["text/plain"].startswith("mysquare::{x*x}")


def test_shift_tab_on_python_asks_python(ip):
    do_inspect = make_do_inspect(FakeKernel().do_inspect, klong_session(ip))
    assert do_inspect("print(1)", 3)["data"]["text/plain"] == "python: print(1)"


def test_the_kernel_hook_is_installed_once(ip):
    class Shell:
        kernel = FakeKernel()
    shell = Shell()
    register(shell, klong_session(ip))
    register(shell, klong_session(ip))
    assert "Plus" in shell.kernel.do_inspect("%%klong\n1+2", 10)["data"]["text/plain"]
    # the Python answer comes from the kernel's own do_inspect, not from a wrapper's
    assert shell.kernel.do_inspect.python_do_inspect.__func__ is FakeKernel.do_inspect


def test_a_python_kernel_answers_klong_requests():
    """The real path: ipykernel's complete_request and inspect_request in a %%klong cell."""
    pytest.importorskip("ipykernel")
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        kc.execute_interactive("%load_ext klongtorch\n", timeout=60)
        kc.execute_interactive("%%klong\nmysquare::{x*x}", timeout=60)
        code = "%%klong\nmysq"
        reply = kc.complete(code, len(code), reply=True, timeout=30)["content"]
        assert reply["matches"] == ["mysquare"]
        assert code[reply["cursor_start"]:reply["cursor_end"]] == "mysq"
        code = "%%klong\n+/!3"
        reply = kc.inspect(code, len("%%klong\n+"), reply=True, timeout=30)["content"]
        assert reply["found"] and "Plus" in reply["data"]["text/plain"]
        reply = kc.inspect("len", 3, reply=True, timeout=30)["content"]
        assert "Return the number of items" in reply["data"]["text/plain"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)

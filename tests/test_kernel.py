"""The Jupyter kernel (klongtorch.kernel) through the messaging protocol: the standard
jupyter_kernel_test suite, with a sample for every feature that applies, and checks of
what is particular to Klong (]-commands, `it`, ';', .x, inspection, completion ranges).

One kernel serves the whole class; its kernelspec is installed by the install command
into a temporary prefix (kernel_support.installed_kernelspec).
"""
import base64
import json
import os
import subprocess
import sys

import jupyter_kernel_test as jkt
import pytest

from kernel_support import KERNEL_NAME, execute, installed_kernelspec, of_type, stdout

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module", autouse=True)
def kernelspec():
    with installed_kernelspec() as path:
        yield path


class TestKlongKernel(jkt.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "klong"
    file_extension = ".kg"

    code_hello_world = '.p("hello, world")'
    code_stderr = '.tc(.cerr);.p("to stderr")'
    code_generate_error = '1+"a"'
    code_page_something = "]h +"
    code_inspect_sample = "+"
    code_execute_result = [
        {"code": "1+2", "result": "3"},
        {"code": "+/!10", "result": "45"},
        {"code": '"hello"', "result": '"hello"'},
        {"code": ":foo", "result": ":foo"},
        {"code": "2*[1.5 2]", "result": "[3.0 4]"},  # kg keeps each element's type
        {"code": "2*[1.5 2.0]", "result": "[3.0 4.0]"},
        {"code": "{x*x}:>3", "result": "6.0"},
        # a Jacobian is a matrix, as text and as an HTML grid
        {"code": "[1.0 2.0]∂{x*x}", "result": "[[2.0 0.0] [0.0 4.0]]"},
        {"code": "[1.0 2.0]∂{x*x}", "mime": "text/html"},
        {"code": "f::{x+1}", "result": ":monad"},
    ]
    code_display_data = [
        {"code": ".plot([1 2 3];[1 4 9])", "mime": "image/png"},
        {"code": '.hist(!10);.title("ten")', "mime": "image/png"},
    ]
    code_history_pattern = "1?2*"
    supported_history_operations = ("tail", "range", "search")

    completion_samples = [
        {"text": ".gradc", "matches": [".gradcheck"]},
        {"text": "\\nabla", "matches": ["∇"]},
        {"text": "\\partial", "matches": ["∂"]},
        {"text": "\\nab", "matches": ["\\nabla"]},
        {"text": "]h Pl", "matches": ["Plot", "Plus"]},
    ]
    complete_code_samples = ["1+2", "f::{x*x}", ":[1;2;3]", '"a string"', ':"a comment"',
                             "]h +", "f::{x+\ny}", "", ".p(1)\n.p(2)"]
    incomplete_code_samples = ["f::{x+", "[1 2", '"abc', ":[1;", "{x+\n(y", ':"open']
    invalid_code_samples = ["1+2]", "}", "1+", ":[1]", "f(1;2;3;4)", "0c"]

    # -- beyond the standard samples ------------------------------------------------------

    def run_cell(self, code, **kw):
        self.flush_channels()
        return execute(self.kc, code, **kw)

    def test_kernel_info_details(self):
        self.flush_channels()
        self.kc.kernel_info()
        info = self.kc.get_shell_msg(timeout=jkt.TIMEOUT)["content"]
        lang = info["language_info"]
        assert lang["pygments_lexer"] == "klong" and lang["mimetype"] == "text/x-klong"
        assert lang["codemirror_mode"]
        assert info["implementation"] == "klongtorch" and "]h" in info["banner"]
        # ipykernel's debugger steps through Python: Jupyter must not offer it for Klong
        assert "debugger" not in info["supported_features"]
        assert info["protocol_version"].startswith("5.")

    def test_value_kept_in_it(self):
        self.run_cell("6*7")
        reply, out = self.run_cell("it+1")
        assert of_type(out, "execute_result")[0]["data"]["text/plain"] == "43"

    def test_semicolon_hides_value(self):
        reply, out = self.run_cell('hidden::5;  :"a comment"\n')
        assert reply["status"] == "ok" and not of_type(out, "execute_result")
        reply, out = self.run_cell("hidden")
        assert of_type(out, "execute_result")[0]["data"]["text/plain"] == "5"

    def test_empty_cell(self):
        reply, out = self.run_cell(':"only a comment"\n\n')
        assert reply["status"] == "ok" and out == []

    def test_error_traceback_is_klong(self):
        reply, out = self.run_cell('x1::2\n1+"a"')
        assert reply["status"] == "error" and reply["ename"] == "KlongError"
        assert reply["evalue"] == 'kg: error: plus: type error: [1 "a"]'
        message, line, caret = reply["traceback"]
        assert "kg: error: plus: type error" in message
        assert line == '1+"a"' and caret == " ^"
        assert "Traceback" not in json.dumps(out)

    def test_syntax_error_points_at_the_spot(self):
        reply, _ = self.run_cell("f::{x+}")
        assert reply["status"] == "error"
        assert reply["traceback"][1:] == ["f::{x+}", "      ^"]

    def test_internal_error_is_reported_as_such(self):
        from klongtorch.kernel import outputs
        from klongtorch.shell.session import Session

        class Broken:
            globals = {}

            def __call__(self, code):
                raise ZeroDivisionError("a bug")

            def reset_channels(self):
                pass
        result = Session(Broken(), debug=False).evaluate("1")
        error = outputs.failure_content(result.error)
        assert error["ename"] == "InternalError"
        assert error["evalue"] == "kg: error: internal error: ZeroDivisionError: a bug"
        assert "Traceback" not in "\n".join(error["traceback"])
        assert "ZeroDivisionError" in result.error.trace       # for the kernel's log

    def test_exit_keeps_the_kernel(self):
        self.run_cell("before::7")
        for code in (".x(0)", "]q"):
            reply, out = self.run_cell(code)
            assert reply["status"] == "ok"
            assert {"source": "ask_exit", "keepkernel": False} in reply["payload"]
        reply, out = self.run_cell("before")
        assert of_type(out, "execute_result")[0]["data"]["text/plain"] == "7"

    def test_help_pages(self):
        reply, _ = self.run_cell("]h .gradcheck")
        page = reply["payload"][0]["data"]["text/plain"]
        assert page.startswith(".gradcheck")
        reply, _ = self.run_cell("]hall")
        assert "Operators" in reply["payload"][0]["data"]["text/plain"]
        reply, _ = self.run_cell("]h no-such-topic")
        assert "no help on" in reply["payload"][0]["data"]["text/plain"]

    def test_other_commands(self):
        reply, out = self.run_cell("]a channel")
        assert ".cin" in stdout(out)
        reply, out = self.run_cell("]! echo from-the-shell")
        assert stdout(out) == "from-the-shell\n"
        reply, out = self.run_cell("]t log.txt")
        assert reply["status"] == "error" and "transcript" in reply["evalue"]
        reply, out = self.run_cell("]z")
        assert reply["status"] == "error" and "unknown command" in reply["evalue"]

    def test_load_and_inventory(self):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "defs.kg"), "w") as f:
                f.write("sq::{x*x}\n")
            reply, out = self.run_cell(f"]i {d}")
            assert stdout(out) == "defs.kg\n"
            reply, out = self.run_cell(f"]l {d}/defs.kg\nsq(9)")   # commands, then code
            assert of_type(out, "execute_result")[0]["data"]["text/plain"] == "81"
            reply, out = self.run_cell(f"]l {d}/nope")
            assert reply["status"] == "error" and "not found" in reply["evalue"]

    def complete(self, code, cursor_pos=None):
        self.flush_channels()
        self.kc.complete(code, cursor_pos)
        return self.kc.get_shell_msg(timeout=jkt.TIMEOUT)["content"]

    def test_completion_ranges(self):
        reply = self.complete("3+\\nabla")
        assert (reply["matches"], reply["cursor_start"], reply["cursor_end"]) == (["∇"], 2, 8)
        reply = self.complete("1+.gradc(f;1)", cursor_pos=8)
        assert reply["matches"] == [".gradcheck"]
        assert (reply["cursor_start"], reply["cursor_end"]) == (2, 8)
        self.run_cell("total::1")
        reply = self.complete("tot")
        assert "total" in reply["matches"] and reply["cursor_start"] == 0

    def inspect(self, code, cursor_pos=None, detail_level=0):
        self.flush_channels()
        self.kc.inspect(code, cursor_pos, detail_level)
        return self.kc.get_shell_msg(timeout=jkt.TIMEOUT)["content"]

    def test_inspection(self):
        self.run_cell('sq::{x*x}; w::[1.0 2.0 3.0]; s::"abc"')
        cases = {("2∇sq", 1): "∇", (":[1;2;3]", 1): "Conditional", ("+/!3", 2): "Over",
                 (".p(1)", 1): "Print", ("sq(3)", 1): "sq::{x*x}",
                 ("w", 1): "tensor of shape [3], float64", ("s", 0): "string of 3",
                 ("]h Plus", 5): "a+b  Plus"}
        for (code, pos), expected in cases.items():
            reply = self.inspect(code, pos)
            assert reply["found"], code
            assert expected in reply["data"]["text/plain"], (code, reply)
        assert not self.inspect('"text"', 2)["found"]

    def test_user_expressions(self):
        self.flush_channels()
        self.kc.execute("1", user_expressions={"a": "2+3", "b": "1+"})
        reply = self.kc.get_shell_msg(timeout=jkt.TIMEOUT)["content"]
        exprs = reply["user_expressions"]
        assert exprs["a"]["data"]["text/plain"] == "5" and exprs["b"]["status"] == "error"

    def test_silent_execution_sends_nothing(self):
        reply, out = self.run_cell('.p("quiet");silent::1', silent=True)
        assert reply["status"] == "ok" and out == []
        reply, out = self.run_cell("silent")
        assert of_type(out, "execute_result")[0]["data"]["text/plain"] == "1"

    def test_figure_is_a_png(self):
        reply, out = self.run_cell(".plot(!5;!5);1")
        (figure,) = of_type(out, "display_data")
        assert base64.b64decode(figure["data"]["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
        # figures come before the value
        kinds = [k for _, k, _ in out]
        assert kinds.index("display_data") < kinds.index("execute_result")


def test_install_command_writes_the_kernelspec(tmp_path):
    done = subprocess.run([sys.executable, "-m", "klongtorch.kernel", "install", "--prefix",
                           str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    spec = tmp_path / "share" / "jupyter" / "kernels" / "klong"
    info = json.loads((spec / "kernel.json").read_text())
    assert info["display_name"] == "Klong (torch)" and info["language"] == "klong"
    assert info["interrupt_mode"] == "signal"
    assert info["argv"][-4:] == ["-m", "klongtorch.kernel", "-f", "{connection_file}"]
    # the spec's Python, as it starts the kernel, imports ipykernel's debugger without the
    # frozen-modules warning (ipykernel's own spec passes the same flag)
    python = info["argv"][:-4]
    quiet = subprocess.run([*python, "-c", "import ipykernel.debugger"], capture_output=True,
                           text=True)
    assert quiet.returncode == 0 and "frozen modules" not in quiet.stderr, quiet.stderr
    loud = subprocess.run([sys.executable, "-c", "import ipykernel.debugger"],
                          capture_output=True, text=True)
    assert "frozen modules" in loud.stderr     # so the check above can fail
    for logo in ("logo-32x32.png", "logo-64x64.png", "logo-svg.svg"):
        assert (spec / logo).stat().st_size > 0
    assert (spec / "logo-64x64.png").read_bytes()[:4] == b"\x89PNG"


def test_install_options_are_exclusive(capsys):
    from klongtorch.kernel.install import main
    with pytest.raises(SystemExit) as exit:
        main(["--user", "--prefix", "/tmp/x"])
    assert exit.value.code == 2 and "not allowed" in capsys.readouterr().err


# -- the kernel's parts, without a kernel ---------------------------------------------------

def test_history_access():
    from klongtorch.kernel.history import History
    h = History()
    for line, code in enumerate(["1+2", "a::1", "1+2", "1*2"], start=1):
        h.add(line, code)
    h.set_output(4, "2")
    assert h.tail(2) == [(1, 3, "1+2"), (1, 4, "1*2")]
    assert h.tail(1, output=True) == [(1, 4, ("1*2", "2"))]
    assert h.range(1, 2, 4) == [(1, 2, "a::1"), (1, 3, "1+2")]
    assert h.range(5, 1) == []
    assert [row[2] for row in h.search("1?2*")] == ["1+2", "1+2", "1*2"]
    assert [row[1] for row in h.search("1?2*", unique=True)] == [3, 4]
    assert [row[1] for row in h.search("1?2*", n=1)] == [4]


def test_streams_send_at_once_then_batch():
    import time

    from klongtorch.kernel import streams
    sent = []
    out = streams.IOPubStream(lambda name, text: sent.append((time.monotonic(), text)), "stdout")
    out.write("first\n")
    assert [t for _, t in sent] == ["first\n"]          # at once
    for i in range(100):
        out.write(f"{i}\n")
    assert len(sent) == 1                                # held back, then sent together
    time.sleep(3 * streams.INTERVAL)
    assert "".join(t for _, t in sent) == "first\n" + "".join(f"{i}\n" for i in range(100))
    assert len(sent) == 2
    out.write("last")
    out.flush()
    assert sent[-1][1] == "last"


def test_redirection_is_undone():
    from klongtorch.kernel.streams import redirected
    saved = sys.stdout, sys.stderr, sys.stdin
    got = []
    with pytest.raises(KeyboardInterrupt):
        with redirected(lambda name, text: got.append((name, text)), input):
            print("partial", end="")
            raise KeyboardInterrupt
    assert (sys.stdout, sys.stderr, sys.stdin) == saved
    assert got == [("stdout", "partial")]


@pytest.mark.parametrize("code, quiet", [
    ("a::5;", True), ("a::5;\n", True), ('1;  :"why"\n', True), ("a::5", False),
    (":[1;2;3]", False), ('"a;"', False), ("", False)])
def test_trailing_semicolon_hides_the_value(code, quiet):
    from klongtorch.parse.lexer import survey
    assert survey(code).quiet == quiet


def test_latex_names():
    from klongtorch import Klong
    from klongtorch.kernel.completion import LATEX, complete
    k = Klong()
    assert LATEX["nabla"] == "∇" and LATEX["partial"] == "∂" and LATEX["dot"] == "˙"
    assert complete("x\\part", 7, k)[:3] == (["\\partial"], 1, 7)
    assert complete('"\\alpha', 7, k)[:3] == (["α"], 1, 7)

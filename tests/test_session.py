"""The session under every front end (klongtorch/shell/session.py): one Result per input, and the
front ends (kernel/, magics/, klongtorch/shell/cli.py) left with no Klong error handling."""
import ast
import threading
from pathlib import Path

import pytest

from klongtorch.value.errors import KlongError
from klongtorch.parse.lexer import readable, survey
from klongtorch.shell.session import INTERRUPTED, Session, attempt, failure, split_commands, status

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def session(klong):
    from klongtorch.value.text import show
    return Session(klong, render=show, debug=False)


# -- the token stream's facts ---------------------------------------------------------------

@pytest.mark.parametrize("text, facts", [
    ("1+2", (True, False, False)), ("1+2;", (True, False, True)),
    ('1;  :"why"\n', (True, False, True)), ("f::{x+", (False, False, False)),
    ('"abc', (False, False, False)), (':"open', (False, False, False)),
    ("  \n", (True, True, False)), (';', (True, True, True)), ("1+2]", (True, False, False)),
    ("0c;", (True, False, False)), ('"a;"', (True, False, False)),
])
def test_survey_is_one_pass_over_the_tokens(text, facts):
    got = survey(text)
    assert (got.complete, got.empty, got.quiet) == facts


def test_readable_tokens_stop_at_the_mistake():
    assert [t.value for t in readable('a+"open')] == ["a", "+"]


def test_status_answers_the_continuation_prompt_and_is_complete():
    assert status("f::{x+") == "incomplete"
    assert status("]h +") == "complete"
    assert status("1+") == "complete"                    # no parse unless asked
    assert status("1+", check_syntax=True) == "invalid"
    assert status("1+2", check_syntax=True) == "complete"


def test_split_commands_takes_the_leading_command_lines():
    assert split_commands("]h +\n\n]a x\n1+2\n]q") == (["]h +", "]a x"], "1+2\n]q")


# -- the Result -------------------------------------------------------------------------------

def test_a_value_is_shown_and_kept_in_it(session, klong):
    r = session.run("1+2")
    assert (r.value, r.shown, r.quiet, r.error, r.exit) == (3, "3", False, None, None)
    assert klong["it"] == 3 and r.ran and r.code == "1+2"


def test_a_trailing_semicolon_is_quiet(session, klong):
    r = session.run("a::5;")
    assert r.value == 5 and r.shown is None and r.quiet and klong["a"] == 5


def test_blank_and_comment_input_runs_nothing(session):
    r = session.run(':"only a comment"\n\n')
    assert not r.ran and r.value is None and r.error is None


def test_a_klong_error_has_its_caret(session, klong):
    klong("it::0")
    r = session.run('x1::2\n1+"a"')
    assert r.error.kind == "KlongError"
    assert r.error.message == 'kg: error: plus: type error: [1 "a"]'
    assert r.error.text == 'kg: error: plus: type error: [1 "a"]\n1+"a"\n ^'
    assert r.shown is None and klong["it"] == 0       # `it` keeps the last good value
    assert isinstance(r.error.exception, KlongError)


def test_a_script_error_names_the_file_and_line(session):
    r = session.script('a::1\n1+"a"', filename="prog.kg")
    assert r.error.text.endswith('1+"a"\n ^\n  in prog.kg, line 2')


def test_exit_is_a_request_not_an_error(session):
    assert session.run(".x(3)").exit == 3
    r = session.run("]q")
    assert r.exit == 0 and r.error is None


def test_commands_fill_the_record(session, klong, tmp_path):
    r = session.run("]h +")
    assert len(r.help) == 1 and "a+b  Plus" in r.help[0] and not r.ran
    (tmp_path / "defs.kg").write_text("sq::{x*x}\n")
    r = session.run(f"]i {tmp_path}\n]l {tmp_path}/defs.kg\nsq(9)")
    assert r.output == ["defs.kg"] and r.value == 81 and r.shown == "81"
    r = session.run("]z\n1+1")
    assert r.error.message.startswith("kg: error: unknown command: ]z") and not r.ran
    assert session.run("]t log.txt").transcript == "log.txt"


def test_a_medium_can_refuse_a_command(klong):
    r = Session(klong, refused={"t": "]t: not here"}).run("]t x")
    assert r.error.message == "kg: error: ]t: not here"


def test_an_interrupt_is_the_one_line(session, klong):
    klong("a::7;g::{[a];a::x;g(x+1)};f::{[a];a::1;{1}{x+1}:~0}")
    from conftest import interrupting
    with interrupting():
        r = session.run("f()")
    assert r.error.kind == "KeyboardInterrupt" and r.error.message == INTERRUPTED
    assert r.error.text == "kg: error: interrupted"
    assert str(r.error.exception) == INTERRUPTED
    assert klong["a"] == 7                        # the local was put back


def test_an_internal_error_says_so_with_its_trace_on_demand(klong):
    def broken(value):
        raise ZeroDivisionError("a bug")
    quiet_one = Session(klong, render=broken, debug=False).run("1")
    assert quiet_one.error.text == "kg: error: internal error: ZeroDivisionError: a bug"
    assert quiet_one.error.kind == "InternalError"
    loud = Session(klong, render=broken, debug=True).run("1")
    assert "Traceback" in loud.error.text and "a bug" in loud.error.trace


def test_out_of_memory_in_the_display(klong):
    from klongtorch.value.errors import OUT_OF_MEMORY

    def hog(value):
        raise MemoryError
    r = Session(klong, render=hog).run("1")
    assert r.value == 1 and r.error.message == OUT_OF_MEMORY and r.error.kind == "KlongError"


def test_figures_are_taken_after_each_input_and_drawing_alone_shows_nothing(klong):
    pytest.importorskip("matplotlib")
    from klongtorch.display import figures
    s = Session(klong, render=str, figures=figures.take_figures)
    r = s.run(".plot(!3;!3)")
    assert len(r.figures) == 1 and r.value == [] and r.shown is None
    r = s.run(".plot(!3;!3);+/!3")
    assert len(r.figures) == 1 and r.shown == "3"
    assert s.run("1").figures == []


def test_async_work_is_rested_after_each_input(session, klong):
    r = session.run('.py("math");got::0;cb::{got::x};job::.async(sqrt;cb);job(16.0);1')
    assert r.error is None
    for _ in range(200):
        if session.run("got").value == 4.0:
            break
        threading.Event().wait(0.02)
    assert klong["got"] == 4.0


def test_attempt_turns_a_klong_error_into_its_failure():
    def refuse():
        raise KlongError("kg: error: device: unknown device: x")
    assert attempt(refuse)[1].message == "kg: error: device: unknown device: x"
    assert attempt(lambda: 5) == (5, None)
    assert failure(KeyboardInterrupt()).message == INTERRUPTED


# -- the front ends handle no Klong error ----------------------------------------------------

# the modules that run Klong in this process (kernel/run.py drives a kernel in another
# one, through nbclient; install.py and __main__.py run none)
OTHERS = {"run.py", "install.py", "__main__.py"}
FRONT_ENDS = sorted([p for p in [*ROOT.glob("kernel/*.py"), *ROOT.glob("magics/*.py")]
                     if p.name not in OTHERS] + [ROOT / "klongtorch" / "shell" / "cli.py"])
KLONG_STOPS = {"KlongError", "KlongExit", "MemoryError", "KeyboardInterrupt", "Exception",
               "BaseException"}
# Control-C at the terminal while a line is typed, or between inputs, is the REPL's own
TERMINAL = {("cli.py", "read_input"), ("cli.py", "step")}
# ipykernel's startup thread catches anything, so that a cell gets an error, not a hang;
# the kernel's figures and rich display must not lose a cell to a display bug
OWN = {("startup.py", "_build"), ("kernel.py", "_figures"), ("outputs.py", "value_bundle")}


def caught(path):
    """(function, exception name) for each except clause in the file."""
    tree = ast.parse(path.read_text())
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
                found += [(fn.name, ast.unparse(t).split(".")[-1]) for t in types]
    return found


def strings(path):
    """The string constants of a file that are not docstrings."""
    tree = ast.parse(path.read_text())
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                 ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr)}
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


@pytest.mark.parametrize("path", FRONT_ENDS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_front_end_catches_klong_errors(path):
    bad = [(fn, name) for fn, name in caught(path) if name in KLONG_STOPS
           and (path.name, fn) not in TERMINAL | OWN]
    assert not bad, f"{path}: Klong errors are the session's: {bad}"


@pytest.mark.parametrize("path", FRONT_ENDS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_only_the_session_writes_the_interrupt(path):
    assert not [s for s in strings(path) if "interrupted" in s]
    assert "interrupted" in " ".join(strings(ROOT / "klongtorch" / "shell" / "session.py"))


def test_the_checks_see_what_they_look_for(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('def f():\n    """interrupted here"""\n    try:\n        pass\n'
                     '    except (KlongError, OSError):\n        print("kg: error: interrupted")\n')
    assert caught(probe) == [("f", "KlongError"), ("f", "OSError")]
    assert strings(probe) == ["kg: error: interrupted"]

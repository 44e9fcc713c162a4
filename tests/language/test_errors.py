"""Errors: every mistake a user can make is a KlongError whose message starts "kg: error:".

Never a TypeError, IndexError, RecursionError or any other Python exception: the shells (CLI,
kernel, magic) print KlongErrors and carry on, so anything else would be a crash. After an
error, and after an interrupt, the interpreter's state is as it was: locals of the
functions that were running are unwound.
"""
import pytest

from klongtorch import Klong, KlongError, KlongExit

from .support import klong_error


@pytest.fixture
def k():
    return Klong()


# -- type, length, range, value and arity errors --------------------------------------------

RUNTIME = [
    '1+"a"', '"a"+1', "1+:foo", "[1 2]+[1 2 3]", "[1 2]-[[1 2] [3 4] [5 6]]", "foo",
    "undefined.name+1", "{x}(1;2)", "{x+y}(1)", "{x+y}(1;2;3)", "{}(1)", "{x+y}@[1 2 3]",
    ".p(1;2)", ".p()", "f::{x};f()", "f::{x};f(1;2)", "[1 2]@5", '"abc"@5', "[1 2]@-3",
    "!-1", "!1.5", '!"a"', "1:%0", "[1 2]:%0", "1!0", "[1 2]!0", "_0%0",
    ":foo@1", "3@1", "1:#2", ":#1.5", '"abc":^1.5',
    "#:foo", "{x}'[1 2]:'[3]", "=1", "-\"a\"", "%\"a\"", "{x}:~", "1_:foo",
    ":foo:_[1 2]", ":foo?1", "1?1", '0c1+1', "(1;2)", "0:#[1 2]", "a::1;a(2)", ".E(1)",
    ".l(1)", ".rs(1)", ".comment(1)", ".module(1)", '.ic("/no/such/file")', ".cc(1)",
    "{x}:*[1 2]", "1.5{x}:*1", "(-1){x}:*1", "[1 2]:=[0 5]", "1:-2",
]


@pytest.mark.parametrize("src", RUNTIME)
def test_runtime_mistakes_are_klong_errors(k, src):
    klong_error(k, src)


def test_messages_name_the_problem(k):
    assert "type error" in str(klong_error(k, '1+"a"'))
    assert "shape error" in str(klong_error(k, "[1 2]+[1 2 3]"))
    assert str(klong_error(k, "foo")) == "kg: error: undefined: foo"
    assert "wrong arity: :monad" in str(klong_error(k, "{x}(1;2)"))
    assert "range error" in str(klong_error(k, "[1 2]@5"))


# -- syntax errors -------------------------------------------------------------------------

SYNTAX = [
    "(1", "[1 2", "1 2", "f::", "§", "(", ")", "]", "}", "+", "'", "/", ":[1;2]", ":[",
    "{x", "{[a b]", ":{", ":{[1]}", '"abc', ":\"unterminated", "0c", "f(1;2;3;4)",
    ":foo(1)", "1(2)", "{x::1}", "{y::1}", "1::2", "(1)::2", "1 +", "+/", ":",
    "()", "1;)", "{x})", "é", "1\u00a02", "$", "@", "x:", "1 2 3",
    ":(", "f(;;;;)", "a::b::", "[:{[1 2]]", ":[1;2:|3]",
]


@pytest.mark.parametrize("src", SYNTAX)
def test_syntax_errors_are_klong_errors(k, src):
    err = klong_error(k, src)
    assert "syntax error" in str(err)


# operators without a monadic form in prefix position, or under an adverb that applies its
# verb to one argument: kg rejects them while parsing, even when an adverb makes a dyad of it
NOT_MONADS = {":+/[1 2]": ":+", ":%\\[1 2]": ":%", ":@:'[1]": ":@", "::": "::",
              "::1": "::", ":=1": ":=", "{:$/x}": ":$", "1 :+:~2": ":+", "1 :^\\*2": ":^"}


@pytest.mark.parametrize("src", NOT_MONADS)
def test_operators_without_a_monad_are_rejected_while_parsing(k, src):
    assert str(klong_error(k, src)) == f"kg: error: expected monad, got: :{NOT_MONADS[src]}"


def test_a_rejected_monad_stops_its_program_before_it_runs(k):
    klong_error(k, "{:+/x}(a::1)")
    klong_error(k, "a")                                 # a was never defined
    assert k(":_1.5") == 0                               # :_ and :# have monads
    assert k("1 :+/[1 2]") == 2                          # a dyad position is not a monad's


def test_operators_in_list_literals_are_symbols(k):
    # kg reads every character of a list literal as data: an operator is its symbol
    from klongtorch.value.text import show
    assert show(k.run("[1 2 +]")) == "[1 2 :+]"
    assert show(k.run("[1 (2)]")) == "[1 :( 2 :)]"
    assert show(k.run("[1 - 2 -3 -a]")) == "[1 :- 2 -3 :- :a]"
    assert show(k.run("[a;b,c :[ :: \\~ }]")) == "[:a :; :b :, :c ::[ ::: :\\~ :}]"
    assert show(k.run(":{[1 -]}")) == ":{[1 :-]}"


def test_syntax_error_positions(k):
    err = klong_error(k, "1+2;§")
    assert err.pos is not None
    assert err.context().splitlines() == ["1+2;§", "    ^"]
    err = klong_error(k, "a::1\nb::(a+")
    assert err.context().splitlines()[0] == "b::(a+"


@pytest.mark.parametrize("ending", ["", "\n", "\n\n", "  \n", "\r\n", "\n \t\n"])
def test_the_caret_stays_on_the_failing_line_whatever_ends_the_cell(k, ending):
    # IPython hands %%klong its body with a newline at the end; the caret must not land
    # on an empty line below the code
    for code, line, col in (("foo(1", "foo(1", 5), ("x::1\ny::(2", "y::(2", 5),
                            ("1+", "1+", 2), ('1+"x"', '1+"x"', 1)):
        shown, caret = klong_error(k, code + ending).context().splitlines()
        assert (shown.rstrip(), caret.index("^")) == (line, col), (code, ending)


def test_runtime_error_positions(k):
    err = klong_error(k, 'x1::1;x1+"a"')
    line, caret = err.context().splitlines()
    assert line == 'x1::1;x1+"a"'
    assert caret.index("^") == line.index("+")


def test_a_syntax_error_runs_nothing_of_its_line_but_the_lines_before(k):
    """kg parses a line whole before it runs any of it (kg -e '.p(1);1+)' prints nothing),
    and a file line by line (a syntax error on line 3 comes after lines 1 and 2 ran)."""
    klong_error(k, "before::1;after::(2")
    assert "before" not in k and "after" not in k
    klong_error(k, "first::1\nsecond::2;third::(3")
    assert k("first") == 1
    assert "second" not in k and "third" not in k
    klong_error(k, "a::1;b::1+)")           # a syntax error found while compiling, too
    assert "a" not in k


def test_empty_programs_are_fine(k):
    from klongtorch.value.values import EOF
    assert k("") is EOF                 # kg -e '' prints :eof
    assert k("  \n\t ") is EOF
    assert k(";;;") is EOF
    assert k(':"just a comment"') is EOF


# -- runaway recursion ---------------------------------------------------------------------

@pytest.mark.parametrize("src", [
    "f::{f(x)};f(1)",
    "f::{f'x};f(1)",
    "f::{f@x};f(1)",
    "f::{1+f(x)};f(1)",
    "g::{g(x;y)};g(1;2)",
    "f::{[a];a::x;f(x)};f(1)",
    "{x;.f(x)}(1)",
    "f::{x+.E(\"f(1)\")};f(1)",
    "f::{x;{x;f(1)}:~1};f(1)",
    "e::{o(x)};o::{e(x)};e(1)",
])
def test_runaway_recursion_is_a_klong_error(k, src):
    err = klong_error(k, src)
    assert "recursion" in str(err) or "stack" in str(err)


def test_interpreter_works_after_runaway_recursion(k):
    k("a::1")
    klong_error(k, "f::{[a];a::x;f(x+1)};f(1)")
    assert k("a") == 1                       # every level's local was unwound
    assert k("+/!10") == 45
    assert k("{:[x;x+.f(x-1);0]}(100)") == 5050


def test_deep_but_finite_recursion_works(k):
    assert k("{:[x;1+.f(x-1);0]}(500)") == 500


# -- state after errors and interrupts -------------------------------------------------------

def test_locals_are_restored_after_an_error(k):
    k("a::1;b::2")
    klong_error(k, '{[a b];a::5;b::6;a+"x"}()')
    assert k("a") == 1
    assert k("b") == 2


def test_locals_undefined_before_stay_undefined_after_an_error(k):
    klong_error(k, '{[newlocal];newlocal::5;1+"x"}()')
    assert "newlocal" not in k


def test_keyboard_interrupt_inside_a_function_restores_globals(k):
    def boom(x):
        raise KeyboardInterrupt

    k["boom"] = boom
    k("a::1")
    with pytest.raises(KeyboardInterrupt):
        k("{[a];a::5;boom(1)}()")
    assert k("a") == 1


def test_keyboard_interrupt_deep_inside_nested_functions_and_adverbs(k):
    def boom(x):
        raise KeyboardInterrupt

    k["boom"] = boom
    k("a::1;b::[1 2];f::{[a];a::x;boom(x)};g::{[a b];a::7;b::8;f'x}")
    with pytest.raises(KeyboardInterrupt):
        k("g([1 2 3])")
    assert k("a") == 1
    assert k("b").tolist() == [1, 2]
    assert k("a+1") == 2                     # and the interpreter still works


def test_keyboard_interrupt_leaves_undefined_locals_undefined(k):
    def boom(x):
        raise KeyboardInterrupt

    k["boom"] = boom
    with pytest.raises(KeyboardInterrupt):
        k("{[fresh];fresh::5;boom(1)}()")
    assert "fresh" not in k


def test_python_errors_in_injected_functions_become_klong_errors(k):
    def bad(x):
        raise ValueError("no good")

    k["bad"] = bad
    k["div"] = lambda x: 1 / 0
    assert "no good" in str(klong_error(k, "bad(1)"))
    klong_error(k, "div(1)")
    klong_error(k, "bad'[1 2]")


def test_klong_errors_from_injected_functions_pass_through(k):
    def strict(x):
        raise KlongError("kg: error: strict: type error: nope")

    k["strict"] = strict
    assert str(klong_error(k, "strict(1)")) == "kg: error: strict: type error: nope"


def test_exit_is_not_turned_into_an_error(k):
    with pytest.raises(KlongExit):
        k("{[a];a::1;.x(2)}()")


def test_a_module_left_open_by_an_error_can_be_closed(k, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.kg").write_text(".module(:bad)\nbv::1\nbv+\"x\"\n.module(0)\n")
    klong_error(k, '.l("./bad")')
    k(".module(0)")                          # closing a module that is open is always fine
    k("fresh::2;fg::{fresh};fresh::3")
    assert k("fg()") == 3


def test_klong_error_is_an_exception(k):
    assert issubclass(KlongError, Exception)
    try:
        k("1+:a")
    except Exception as e:                   # noqa: BLE001 - what a host program would do
        assert isinstance(e, KlongError)

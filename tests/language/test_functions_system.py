"""SEMANTICS : FUNCTIONS: .l, .E, .sys, .x, .pc, .rn, .comment (the I/O functions are in
test_io_channels.py).

.l searches the directories of KLONGPATH (default ".:lib") for "a" and a,".kg"; a name that
starts with "/" or "." is used as it is. It loads the file as if typed at the prompt and
returns the last value.
"""
import time

import pytest

from klongtorch import Klong, KlongError, KlongExit
from klongtorch.value.text import show


@pytest.fixture
def k(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KLONGPATH", raising=False)
    return Klong()


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- .l ------------------------------------------------------------------------------------

def test_l_finds_a_file_in_klongpath_with_and_without_the_suffix(k, tmp_path, monkeypatch):
    libdir = tmp_path / "elsewhere" / "klib"
    write(libdir / "mylib.kg", "libv::42\nlibf::{x*libv}\nlibf(2)\n")
    monkeypatch.setenv("KLONGPATH", f"{tmp_path / 'nothing-here'}:{libdir}")
    assert k('.l("mylib")') == 84
    assert k("libf(1)") == 42
    assert k('.l("mylib.kg")') == 84


def test_l_searches_klongpath_directories_in_order(k, tmp_path, monkeypatch):
    write(tmp_path / "one" / "which.kg", "1")
    write(tmp_path / "two" / "which.kg", "2")
    monkeypatch.setenv("KLONGPATH", f"{tmp_path / 'one'}:{tmp_path / 'two'}")
    assert k('.l("which")') == 1
    monkeypatch.setenv("KLONGPATH", f"{tmp_path / 'two'}:{tmp_path / 'one'}")
    assert k('.l("which")') == 2


def test_l_prefers_the_exact_name_over_the_suffixed_one(k, tmp_path, monkeypatch):
    write(tmp_path / "d" / "both", '"exact"')
    write(tmp_path / "d" / "both.kg", '"suffixed"')
    monkeypatch.setenv("KLONGPATH", str(tmp_path / "d"))
    assert k('.l("both")') == "exact"


def test_l_default_path_is_dot_and_lib(k, tmp_path):
    write(tmp_path / "here.kg", "10")
    write(tmp_path / "lib" / "inlib.kg", "20")
    assert k('.l("here")') == 10
    assert k('.l("inlib")') == 20


def test_l_with_a_dot_path_ignores_klongpath(k, tmp_path, monkeypatch):
    write(tmp_path / "sub" / "local.kg", "7*6")
    write(tmp_path / "lib" / "sub" / "local.kg", "0")
    monkeypatch.setenv("KLONGPATH", str(tmp_path / "lib"))
    assert k('.l("./sub/local")') == 42
    assert k('.l("./sub/local.kg")') == 42
    assert k('.l("sub/local")') == 0                     # through KLONGPATH


def test_l_with_an_absolute_path(k, tmp_path, monkeypatch):
    path = write(tmp_path / "abs" / "file.kg", "[1 2 3]")
    monkeypatch.setenv("KLONGPATH", "/nonexistent")
    assert show(k(f'.l("{path}")')) == "[1 2 3]"
    assert show(k(f'.l("{str(path)[:-3]}")')) == "[1 2 3]"


@pytest.mark.parametrize("name", ["missing", "./missing", "/no/such/dir/missing", "missing.kg"])
def test_l_on_a_missing_file_is_an_error(k, tmp_path, monkeypatch, name):
    monkeypatch.setenv("KLONGPATH", str(tmp_path))
    with pytest.raises(KlongError, match="^kg: error: .l"):
        k(f'.l("{name}")')


def test_l_of_a_directory_is_not_a_file(k, tmp_path, monkeypatch):
    (tmp_path / "adir").mkdir()
    with pytest.raises(KlongError, match="^kg: error: "):
        k('.l("adir")')


def test_l_returns_the_last_value_and_defines_globals(k, tmp_path):
    write(tmp_path / "defs.kg", 'a::1\nb::a+1\n:"a comment"\nc::a,b\n')
    assert show(k('.l("./defs")')) == "[1 2]"
    assert k("a+b") == 3


def test_l_loads_a_single_value(k, tmp_path):
    write(tmp_path / "data.kg", ':{[1 "one"] [2 "two"]}\n')
    assert k('(.l("./data"))?2') == "two"


def test_l_of_an_empty_file(k, tmp_path):
    write(tmp_path / "empty.kg", "")
    assert k('.l("./empty")') == []


def test_l_reports_errors_in_the_loaded_file(k, tmp_path):
    write(tmp_path / "broken.kg", "ok::1\nbad::1+\n")
    with pytest.raises(KlongError, match="^kg: error: "):
        k('.l("./broken")')
    assert k("ok") == 1                      # statements before the error have run


def test_l_nests(k, tmp_path):
    write(tmp_path / "inner.kg", "inner::5")
    write(tmp_path / "outer.kg", '.l("./inner")\nouter::inner*2\nouter+1')
    assert k('.l("./outer")') == 11


def test_l_argument_must_be_a_string(k):
    with pytest.raises(KlongError, match="^kg: error: "):
        k(".l(:foo)")


# -- .comment ------------------------------------------------------------------------------

def test_comment_block_in_a_loaded_file(k, tmp_path):
    write(tmp_path / "c.kg", 'x1::1\n.comment("end-of-comment")\nthis will be ignored\n'
                             'this, too: *%(*^#)&(#\n"unbalanced [ {\nend-of-comment\n'
                             "x2::x1+1\nx2*10\n")
    assert k('.l("./c")') == 20
    assert k("x2") == 2


def test_comment_returns_its_delimiter_and_skips_the_lines_after_its_own(k):
    assert k('.comment("****")\ngarbage )]}\n****\n') == "****"
    # kg parses and runs the comment's line whole: the rest of it runs, and is parsed
    assert k('.comment("**");c::5\ngarbage )]}\n**\nc') == 5
    with pytest.raises(KlongError, match="syntax error"):
        k('.comment("****");1+\ngarbage )]}\n****\n')
    assert k('.comment("EOC")\n1+\nEOC trailing text\n7') == 7


def test_comment_without_an_end_is_an_error(k):
    with pytest.raises(KlongError, match="^kg: error: .comment"):
        k('.comment("never")\nsome text\n')


def test_comment_in_the_middle_of_a_program_in_a_file(k, tmp_path):
    write(tmp_path / "m.kg", 'f::{x+1}\n.comment("//")\nf::{x+100}\n//\nf(1)\n')
    assert k('.l("./m")') == 2


# -- .E ------------------------------------------------------------------------------------

def test_E_reference_example(k):
    assert k('.E("a::123");a') == 123


def test_E_returns_the_last_value_and_sees_globals(k):
    k("q::10")
    assert k('.E("1;2;q+3")') == 13
    assert show(k('.E("[1 2],3")')) == "[1 2 3]"


def test_E_of_an_empty_program(k):
    from klongtorch.value.values import EOF
    assert k('.E("")') is EOF             # as in kg


def test_E_errors_are_klong_errors(k):
    with pytest.raises(KlongError, match="^kg: error: syntax error"):
        k('.E("1+")')
    with pytest.raises(KlongError, match="^kg: error: "):
        k('.E("undefined.name")')
    with pytest.raises(KlongError, match="^kg: error: "):
        k(".E(123)")


def test_E_nests(k):
    assert k('.E(".E(""2*3"")")') == 6


# -- .sys ----------------------------------------------------------------------------------

@pytest.mark.parametrize("code", [0, 1, 3, 42])
def test_sys_returns_the_exit_code(k, code):
    assert k(f'.sys("exit {code}")') == code


def test_sys_true_and_false(k):
    assert k('.sys("true")') == 0
    assert k('.sys("false")') == 1


def test_sys_output_reaches_stdout(k, capsys):
    assert k('.sys("echo hello; echo world")') == 0
    assert capsys.readouterr().out == "hello\nworld\n"


def test_sys_output_comes_in_order_with_klong_output(k, capsys):
    k('.p("before");.sys("echo during");.p("after")')
    assert capsys.readouterr().out == "before\nduring\nafter\n"


def test_sys_runs_in_the_current_directory(k, tmp_path):
    assert k('.sys("echo made > made.txt")') == 0
    assert (tmp_path / "made.txt").read_text() == "made\n"


def test_sys_argument_must_be_a_string(k):
    with pytest.raises(KlongError, match="^kg: error: "):
        k(".sys(1)")


# -- .x ------------------------------------------------------------------------------------

@pytest.mark.parametrize("src, code", [
    ("0", 0), ("[]", 0), ('""', 0),                     # false: success
    ("1", 1), ("3", 3), ("42", 42),                     # an integer is the exit code
    ('"error"', 1), (":foo", 1), ("[1 2]", 1), ("1.5", 1), ("0cx", 1), ("{x}", 1),
])
def test_x_raises_klong_exit(k, src, code):
    with pytest.raises(KlongExit) as info:
        k(f".x({src})")
    assert info.value.code == code


def test_x_stops_the_program_at_once(k, capsys):
    with pytest.raises(KlongExit):
        k('.p("one");.x(0);.p("two")')
    assert capsys.readouterr().out == "one\n"


def test_x_inside_a_function_with_locals_restores_them(k):
    k("a::1")
    with pytest.raises(KlongExit):
        k("{[a];a::2;.x(5)}()")
    assert k("a") == 1


def test_x_is_not_a_klong_error(k):
    """An exit must get past code that catches KlongError."""
    assert not issubclass(KlongExit, KlongError)


# -- .pc, .rn ------------------------------------------------------------------------------

def test_pc_is_a_monotonic_real(k):
    first = k(".pc()")
    assert isinstance(first, float) and first >= 0
    k("+/!100000")
    end = time.process_time() + 0.05
    while time.process_time() < end:      # burn some processor time
        pass
    second = k(".pc()")
    assert isinstance(second, float)
    assert second > first


def test_pc_reference_timer_example(k):
    elapsed = k("{[t0];t0::.pc();x@[];.pc()-t0}({+/!1000})")
    assert isinstance(elapsed, float) and elapsed >= 0


def test_rn_is_in_the_unit_interval_and_varies(k):
    values = [k(".rn()") for _ in range(200)]
    assert all(isinstance(v, float) and 0 <= v < 1 for v in values)
    assert len(set(values)) > 190
    assert 0.3 < sum(values) / len(values) < 0.7


def test_rn_is_a_nilad(k):
    assert show(k(".rn")) == ":nilad"
    assert k("{.rn()}'!5") is not None
    assert k("&/{(x>0.0)&x<1.0}'{.rn()}'!100") == 1

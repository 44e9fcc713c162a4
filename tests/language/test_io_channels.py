"""SEMANTICS : I/O CHANNELS, and the channel functions of SEMANTICS : FUNCTIONS.

.oc/.ac/.ic open channels, .tc/.fc select them (a false value restores .cout/.cin), .cc
closes, .fl flushes; .w writes what .r and .rs read back; .rl reads lines and .mi says
whether the From Channel has been read past its end; .df deletes files. Every test works in
its own temporary directory.
"""
import pytest

from klongtorch import Klong, KlongError
from klongtorch.value.text import show


@pytest.fixture
def k(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Klong()


def text_of(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# -- output channels ----------------------------------------------------------------------

def test_oc_tc_cc_write_a_file(k, tmp_path):
    k('c::.oc("out.txt");.tc(c);.p("hello");.d(123);.p("");.w("q");.tc(0);.cc(c)')
    assert text_of(tmp_path / "out.txt") == 'hello\n123\n"q"'


def test_tc_returns_the_previous_channel_and_zero_restores_cout(k, capsys):
    k('c::.oc("a.txt")')
    assert k(".tc(c)") is k[".cout"]
    k('.p("to the file")')
    assert k(".tc(0)") is k["c"]
    k('.p("to stdout");.cc(c)')
    assert capsys.readouterr().out == "to stdout\n"
    assert text_of("a.txt") == "to the file\n"


@pytest.mark.parametrize("false", ["0", "[]", '""'])
def test_every_false_value_restores_the_standard_channels(k, capsys, false):
    k('c::.oc("f.txt");.tc(c)')
    assert k(f".tc({false})") is k["c"]
    k('.p("out")')
    assert capsys.readouterr().out == "out\n"
    write("in.txt", "line\n")
    i = k('i::.ic("in.txt");.fc(i);i')
    assert k(f".fc({false})") is i
    assert k.from_channel is k[".cin"]


def test_oc_truncates_and_ac_appends(k, tmp_path):
    (tmp_path / "log.txt").write_text("old contents\n")
    k('c::.oc("log.txt");.cc(c)')
    assert text_of("log.txt") == ""
    k('c::.ac("log.txt");.tc(c);.p("one");.tc(0);.cc(c)')
    k('c::.ac("log.txt");.tc(c);.p("two");.tc(0);.cc(c)')
    assert text_of("log.txt") == "one\ntwo\n"


def test_fl_flushes_without_closing(k):
    k('c::.oc("fl.txt");.tc(c);.d("abc")')
    assert k(".fl()") == []
    assert text_of("fl.txt") == "abc"
    k('.d("def");.tc(0);.cc(c)')
    assert text_of("fl.txt") == "abcdef"


def test_reference_copy_example(k, tmp_path):
    """The reference's copy::{[of];.tc(of::.oc(y));type(x);.cc(of)}."""
    (tmp_path / "src.txt").write_text("first line\n\nthird line\n")
    k("cat::{.mi{.p(x);.rl()}:~.rl()}")
    k("type::{.fc(.ic(x));cat()}")
    k("copy::{[of];.tc(of::.oc(y));type(x);.cc(of)}")
    k('copy("src.txt";"dst.txt")')
    assert text_of("dst.txt") == "first line\n\nthird line\n"
    assert k.to_channel is k[".cout"]       # .cc of the To Channel selects .cout again


def test_reference_dot_fl_example(k, tmp_path):
    """.tc(.oc("foo"));.p("hello!");.fl() makes sure the output is written."""
    k('.tc(.oc("foo"));.p("hello!");.fl()')
    assert text_of(tmp_path / "foo") == "hello!\n"
    k(".tc(0)")


def test_cc_twice_is_harmless_and_returns_empty_list(k):
    k('c::.oc("x.txt")')
    assert k(".cc(c)") == []
    assert k(".cc(c)") == []


def test_standard_channels_cannot_be_closed(k, capsys):
    assert k(".cc(.cout)") == []
    k('.p("still open")')
    assert capsys.readouterr().out == "still open\n"


def test_closing_the_selected_channels_goes_back_to_the_standard_ones(k):
    write("in.txt", "x\n")
    k('o::.oc("x.txt");i::.ic("in.txt");.tc(o);.fc(i);.cc(o);.cc(i)')
    assert k.to_channel is k[".cout"]
    assert k.from_channel is k[".cin"]


def test_writing_to_a_closed_channel_is_an_error(k):
    k('c::.oc("x.txt");.tc(c);.cc(c)')
    # .cc switched output back to .cout, and a closed channel cannot be selected again
    assert k('.p("kept")') == "kept"
    with pytest.raises(KlongError, match=r"^kg: error: \.tc: io error: channel x.txt is closed"):
        k(".tc(c)")
    assert k('.cc(c)') == []            # closing twice does nothing, as in kg


def test_reading_a_closed_channel_is_the_end_of_input(k):
    write("in.txt", "x\n")
    k('i::.ic("in.txt");.cc(i);.fc(i)')
    assert k(".rl()") == ""
    assert k(".mi(0)") == 0
    assert show(k(".r()")) == ":eof"


def test_channels_are_values(k):
    assert show(k('.oc("v.txt")')) == ":channel"
    assert show(k(".cin")) == ":channel"
    assert k("@.cout") == 1


# -- input channels -----------------------------------------------------------------------

def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def test_reference_cat_prints_a_multiline_file(k, capsys):
    write("in.txt", "alpha\nbeta gamma\n\n  delta\n")
    k("cat::{.mi{.p(x);.rl()}:~.rl()}")
    k('.fc(.ic("in.txt"));cat()')
    assert capsys.readouterr().out == "alpha\nbeta gamma\n\n  delta\n"


def test_cat_on_a_file_without_final_newline(k, capsys):
    # as in kg: reading the last line, which has no newline, meets the end of the file,
    # so .mi is 0 at once and the loop stops with that line as its value
    write("in.txt", "one\ntwo")
    assert k('cat::{.mi{.p(x);.rl()}:~.rl()};.fc(.ic("in.txt"));cat()') == "two"
    assert capsys.readouterr().out == "one\n"


def test_rl_reads_lines_and_mi_turns_false_only_past_the_end(k):
    write("in.txt", "a\nbb\n")
    k('.fc(.ic("in.txt"))')
    assert k(".mi(0)") == 1
    assert k(".rl()") == "a"
    assert k(".rl()") == "bb"
    assert k(".mi(0)") == 1             # at the end, but not yet read past it
    assert k(".rl()") == ""
    assert k(".mi(0)") == 0
    assert k(".rl()") == ""             # reading past the end again is quiet
    assert k(".mi(0)") == 0


def test_rl_strips_only_the_line_separator(k):
    write("in.txt", "  spaced  \n\ttab\n")
    k('.fc(.ic("in.txt"))')
    assert k(".rl()") == "  spaced  "
    assert k(".rl()") == "\ttab"


def test_fc_returns_previous_channel(k):
    write("a.txt", "A\n")
    write("b.txt", "B\n")
    a = k('a::.ic("a.txt")')
    k('b::.ic("b.txt")')
    assert k(".fc(a)") is k[".cin"]
    assert k(".fc(b)") is a
    assert k(".rl()") == "B"
    k(".fc(a)")
    assert k(".rl()") == "A"


def test_reading_lines_collects_a_file(k):
    write("nums.txt", "1\n2\n3\n")
    k('.fc(.ic("nums.txt"))')
    assert show(k("{.mi(0)}{x,.rl()}:~[]")) == '["1" "2" "3" ""]'


def test_ic_on_a_missing_file_is_an_error(k):
    with pytest.raises(KlongError, match="^kg: error: .ic"):
        k('.ic("no-such-file")')


@pytest.mark.parametrize("src", ['.tc(.ic("in.txt"))', ".fc(.cout)", ".tc(1)", ".fc(:foo)",
                                 ".cc(1)", ".ic(1)", ".oc([1 2])", '.ac(:x)', ".df(0cx)"])
def test_channel_functions_check_their_arguments(k, src):
    write("in.txt", "x\n")
    with pytest.raises(KlongError, match="^kg: error: "):
        k(src)


# -- .w then .r: readable forms round trip --------------------------------------------------

ROUND_TRIP = [
    "123", "-7", "1267650600228229401496703205376", "1.5", "-0.25", "1.0e+100", "0cx", "0c ",
    '"hello"', '""', '"say ""hi"""', ":sym", "[]", "[1 2 3]", "[1.5 2.5]", '"a b"',
    "[1 [2 [3 []]] :a]", '[1 "two" 0c3 :four 5.0]', "[[1 2] [3 4]]", ":{[1 2] [3 4]}",
    ':{[:a "x"] ["k" [1 2]]}', ':{[1 :{[2 3]}]}', '[:{[1 2]} [] ""]', "[1267650600228229401496703205376 1]",
]


@pytest.mark.parametrize("src", ROUND_TRIP)
def test_w_then_r_round_trip(k, src):
    value = k(src)
    k["v"] = value
    k('c::.oc("data.txt");.tc(c);.w(v);.tc(0);.cc(c)')
    k('.fc(.ic("data.txt"))')
    assert k("v~.r()") == 1
    assert show(k("v")) == show(value)


def test_several_objects_in_one_file_then_eof(k):
    k('c::.oc("many.txt");.tc(c)')
    k('.w([1 2 3]);.p("");.w("a""b");.p("");.w(:{[1 [2 3]] [:a "x"]});.p("");'
      '.w([1 [2 "s" 0cx] :sym 1.5 []]);.p("");.w(42)')
    k(".tc(0);.cc(c)")
    k('.fc(.ic("many.txt"))')
    assert k(".r()~[1 2 3]") == 1
    assert k('.r()~"a""b"') == 1
    assert k('.r()~:{[1 [2 3]] [:a "x"]}') == 1
    assert k('.r()~[1 [2 "s" 0cx] :sym 1.5 []]') == 1
    assert k(".r()") == 42
    assert show(k(".r()")) == ":eof"
    assert show(k(".r()")) == ":eof"     # and it stays at the end
    assert k(".mi(0)") == 0


def test_r_reads_data_spanning_lines(k):
    write("multi.txt", "[1 2\n 3 [4\n5]]\n:{[1 2]\n[3 4]}\n")
    k('.fc(.ic("multi.txt"))')
    assert show(k(".r()")) == "[1 2 3 [4 5]]"
    assert show(k(".r()")) == ":{[1 2] [3 4]}"
    assert show(k(".r()")) == ":eof"


def test_r_then_rl_share_the_channel(k):
    write("mixed.txt", "[1 2]\nsome text\n")
    k('.fc(.ic("mixed.txt"))')
    assert show(k(".r()")) == "[1 2]"
    assert k(".rl()") == "some text"


def test_r_on_an_empty_file_gives_eof(k):
    write("empty.txt", "")
    k('.fc(.ic("empty.txt"))')
    assert show(k(".r()")) == ":eof"
    assert k(".mi(0)") == 0


def test_r_reports_malformed_data(k):
    write("bad.txt", "[1 2\n")
    k('.fc(.ic("bad.txt"))')
    with pytest.raises(KlongError, match="^kg: error: "):
        k(".r()")


# -- .rs -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("[1 2 3]", "[1 2 3]"), ("123", "123"), ("-5", "-5"), ("1.5", "1.5"), ('"ab"', '"ab"'),
    ('"a""b"', '"a""b"'), ("0cx", "0cx"), (":foo", ":foo"), ("[-1 -2.5]", "[-1 -2.5]"),
    (":{[1 2]}", ":{[1 2]}"), ("[a b]", "[:a :b]"), ("[1 - -2 +]", "[1 :- -2 :+]"), ("foo", ":foo"), ("  [1\n2]  ", "[1 2]"),
    ("1267650600228229401496703205377", "1267650600228229401496703205377"),
])
def test_rs_reads_a_value_from_a_string(k, text, expected):
    k["s"] = text
    assert show(k(".rs(s)")) == expected


def test_rs_inverts_w_through_a_file(k):
    k('c::.oc("w.txt");.tc(c);.w(:{[1 "one"] [2 [2 2]]});.tc(0);.cc(c)')
    k('.fc(.ic("w.txt"))')
    assert k('.rs(.rl())~:{[1 "one"] [2 [2 2]]}') == 1


def test_rs_of_a_non_string_is_an_error(k):
    with pytest.raises(KlongError, match="^kg: error: .rs: type error"):
        k(".rs(1)")


@pytest.mark.parametrize("text", ["[1 2", "1 2", "[1 2] 3", "1+2", "+", ")", "- 5", '"ab', ";"])
def test_rs_of_what_is_not_one_object_is_undefined(k, text):
    # kg compiles the text: what does not compile as one datum gives :undefined
    k["s"] = text
    assert show(k(".rs(s)")) == ":undefined"


@pytest.mark.parametrize("text", ["", "  ", "\n", ':"a comment"'])
def test_rs_of_nothing_is_eof(k, text):
    k["s"] = text
    assert show(k(".rs(s)")) == ":eof"


# -- .df -----------------------------------------------------------------------------------

def test_df_deletes_a_file(k, tmp_path):
    write("gone.txt", "x")
    assert k('.df("gone.txt")') == []
    assert not (tmp_path / "gone.txt").exists()


def test_df_on_a_missing_file_is_an_error(k):
    with pytest.raises(KlongError, match="^kg: error: .df"):
        k('.df("never-was.txt")')


def test_df_on_a_directory_is_an_error(k, tmp_path):
    (tmp_path / "sub").mkdir()
    with pytest.raises(KlongError, match="^kg: error: .df"):
        k('.df("sub")')

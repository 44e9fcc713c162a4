"""Syntax highlighting (klongtorch.parse.highlight): the Pygments lexer, its registration under
the name `klong`, and an HTML export of an executed Klong notebook by `jupyter nbconvert`.
"""
import subprocess
import sys

import pytest
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Name, Number, Operator, Punctuation, String, Text

from conftest import REFERENCE_SUITE
from kernel_support import installed_kernelspec
from klongtorch.parse.highlight import KlongLexer


def tokens(code):
    """(token type, text) pairs without whitespace."""
    return [(t, v) for t, v in KlongLexer().get_tokens(code) if v.strip()]


def kind(code):
    """The token type of a code that lexes as one token."""
    (only,) = tokens(code)
    return only[0]


class TestTokens:
    @pytest.mark.parametrize("code, expected", [
        (':"a comment"', Comment.Single),
        (':"with ""quotes"" inside"', Comment.Single),
        ('"a string"', String.Double),
        ('"say ""hi"""', String.Double),
        ("0cx", String.Char),
        ("0c ", String.Char),
        (":foo", String.Symbol),
        ("42", Number.Integer),
        ("3.14", Number.Float),
        ("1e-3", Number.Float),
        ("0xff", Number.Hex),
        ("0b101", Number.Bin),
        ("0o17", Number.Oct),
        (".p", Name.Builtin),
        (".gradcheck", Name.Builtin),
        ("x", Name.Builtin.Pseudo),
        ("z", Name.Builtin.Pseudo),
        ("xs", Name),
        ("+", Operator),
        ("∇", Operator),
        ("∂", Operator),
        (":>", Operator),
        ("::", Operator),
        (":=", Operator),
        ("'", Name.Attribute),
        ("/", Name.Attribute),
        (":\\", Name.Attribute),
        (":~", Name.Attribute),
        ("\\~", Name.Attribute),
        (":[", Punctuation),
        (":{", Punctuation),
        (":|", Punctuation),
        (";", Punctuation),
    ])
    def test_token_class(self, code, expected):
        assert kind(code) == expected

    def test_definitions(self):
        assert tokens("sq::{x*x}")[:2] == [(Name.Function, "sq"), (Operator, "::")]
        assert tokens("n::10")[:2] == [(Name.Variable, "n"), (Operator, "::")]

    def test_longest_match_as_the_interpreter(self):
        assert tokens("+/!10") == [(Operator, "+"), (Name.Attribute, "/"), (Operator, "!"),
                                   (Number.Integer, "10")]
        assert tokens("a:\\b")[1] == (Name.Attribute, ":\\")
        assert tokens("f:>3")[1] == (Operator, ":>")
        assert tokens(":[x;1:|y;2;3]")[4] == (Punctuation, ":|")

    def test_command_cells(self):
        from pygments.token import Keyword
        assert tokens("]h +")[0] == (Keyword.Pseudo, "]h")
        assert tokens("]l lib\n]h .p")[2] == (Keyword.Pseudo, "]h")
        assert tokens("[1 2\n]a")[-2] == (Punctuation, "]")      # a closing bracket

    def test_comment_block(self):
        code = '.comment("end")\nnot klong: "\nend\n1+1'
        toks = tokens(code)
        assert toks[0] == (Name.Builtin, ".comment")
        assert (Comment.Multiline, '\nnot klong: "\nend') in toks
        assert toks[-3:] == [(Number.Integer, "1"), (Operator, "+"), (Number.Integer, "1")]

    def test_minus_is_a_sign_only_in_a_list_literal(self):
        # as kg reads them: [1 -2] holds -2, 1 -2 subtracts, and a list quotes its names
        assert tokens("[1 -2 a]") == [(Punctuation, "["), (Number.Integer, "1"),
                                      (Number.Integer, "-2"), (String.Symbol, "a"),
                                      (Punctuation, "]")]
        assert tokens("1 -2")[1:] == [(Operator, "-"), (Number.Integer, "2")]
        assert tokens("[[1] -2.5]-x")[-4:] == [(Number.Float, "-2.5"), (Punctuation, "]"),
                                               (Operator, "-"), (Name.Builtin.Pseudo, "x")]

    def test_unterminated_string_runs_to_the_end(self):
        assert tokens('"abc\n1') == [(String.Double, '"abc\n1\n')]

    @pytest.mark.skipif(not REFERENCE_SUITE.exists(), reason="no reference test suite")
    def test_reference_suite_lexes_cleanly(self):
        source = REFERENCE_SUITE.read_text(encoding="utf-8")
        toks = list(KlongLexer().get_tokens(source))
        assert "".join(v for _, v in toks) == source
        assert [v for t, v in toks if t is Text and v.strip()] == []


def test_registered_with_pygments():
    for name in ("klong", "kg"):
        assert isinstance(get_lexer_by_name(name), KlongLexer)
    assert isinstance(get_lexer_for_filename("prog.kg"), KlongLexer)


NOTEBOOK_CELLS = [
    'sq::{x*x}  :"squares"',
    ".p(\"hello\"); sq'!5",
    "+/!10",
    "[:foo 0cx 2.5]",
    "{x^3}:>2.0",
]


def test_nbconvert_html_uses_the_klong_lexer(tmp_path):
    """Run a notebook on the kernel (nbclient, as saving it from Jupyter would: that records
    the kernel's language_info), then `jupyter nbconvert --to html` it: the code is coloured
    by our lexer (pygments' CSS classes: nf function name, c1 comment, nb system name, na
    adverb, ss symbol, sc character, bp x y z), and the outputs are there. (nbconvert picks
    the lexer before --execute runs, so a never-run notebook would get Python colours.)"""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("nbconvert")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "klong", "display_name": "Klong (torch)",
                                 "language": "klong"}
    nb.cells = [nbformat.v4.new_code_cell(code) for code in NOTEBOOK_CELLS]
    path = tmp_path / "squares.ipynb"
    with installed_kernelspec():
        nbclient.NotebookClient(nb, timeout=120, kernel_name="klong").execute()
    assert nb.metadata["language_info"]["pygments_lexer"] == "klong"
    nbformat.write(nb, path)
    done = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "squares.html").read_text(encoding="utf-8")
    for css in ("nf", "c1", "nb", "na", "ss", "sc", "bp", "mi", "mf", "o"):
        assert f'<span class="{css}">' in html, css
    assert '<span class="nf">sq</span>' in html
    assert '<span class="nb">.p</span>' in html
    assert "hello" in html and "45" in html and "12.0" in html

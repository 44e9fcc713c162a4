r"""Syntax highlighting: a Pygments lexer for Klong.

Registered as the `klong` lexer (aliases klong, kg; files *.kg) through the
`pygments.lexers` entry point, so Jupyter's notebook and console, nbconvert's HTML export
and `pygmentize -l klong` all colour Klong the same way.

    :"a comment"          Comment.Single
    .comment("end")...    Comment.Multiline  (the lines it skips)
    "a string"            String.Double      ("" is a quote inside)
    0cx                   String.Char
    :foo                  String.Symbol      (and a name in a list literal: [a b])
    42 3.14 1e3 0xff      Number.*           (and -2 in a list literal: [1 -2])
    .p .gradcheck         Name.Builtin       (system functions and variables)
    x y z                 Name.Builtin.Pseudo (the implicit arguments)
    f:: in f::{...}       Name.Function      (and Name.Variable in a::...)
    ' / \ :~ :* ...       Name.Attribute     (adverbs: they modify the verb before them)
    + - :> ∇ ∂ ...        Operator
    ( [ { :[ :{ ; :|      Punctuation
    ]h +  (a command cell) Keyword.Pseudo     (a REPL or notebook command)

The token rules follow klongtorch.parse.lexer, so a highlighted program splits where the
interpreter splits it; the longest match wins, as there (`:\` is an adverb, `:"` a comment).
"""
import re

from pygments.lexer import RegexLexer, bygroups, include, words
from pygments.token import (Comment, Keyword, Name, Number, Operator, Punctuation, String, Text,
                            Whitespace)

from klongtorch.parse.lexer import ADVERBS, SHIFTED_OPS

# as in klongtorch.parse.lexer, a name may hold dots after its first character (a module's names)
NAME = r"[a-zA-Z][a-zA-Z0-9.]*"
END = r"(?![a-zA-Z0-9.])"
# the adverbs, longest first so that ':\' is not read as ':' then '\'
ADVERB_WORDS = sorted(ADVERBS, key=len, reverse=True)
SHIFTED_WORDS = sorted(SHIFTED_OPS - {"::"}, key=len, reverse=True)


def comment_block(lexer, match):
    """.comment("end") and the text it skips (group 4, the delimiter, is inside group 3)."""
    for group, token in ((1, Name.Builtin), (2, Punctuation), (3, String.Double),
                         (5, Punctuation), (6, Comment.Multiline)):
        yield match.start(group), token, match.group(group)


def command_lines(lexer, match):
    """]h topic lines: the command, then its argument as plain text."""
    for line in re.finditer(r"(\s*)(\][a-z!]?)([^\n]*)", match.group()):
        for group, token in ((1, Whitespace), (2, Keyword.Pseudo), (3, Text)):
            if line.group(group):
                yield match.start() + line.start(group), token, line.group(group)


class KlongLexer(RegexLexer):
    """Klong, the array language (klongtorch's dialect: with :> ∇ ∂ for derivatives)."""

    name = "Klong"
    aliases = ["klong", "kg"]
    filenames = ["*.kg"]
    mimetypes = ["text/x-klong"]
    url = "https://t3x.org/klong/"
    flags = re.MULTILINE

    tokens = {
        "root": [
            # a cell of ]-commands: one per line from the first (elsewhere a line that
            # starts with ']' closes a bracket)
            (r"\A\s*\][^\n]*(?:\n\s*\][^\n]*)*", command_lines),
            (r':"(?:[^"]|"")*"?', Comment.Single),
            # .comment("end") makes the rest of its line, and the lines up to one that
            # starts with end, a comment (as klongtorch.parse.lexer.skip_comment reads them)
            (r'(\.comment)(\()("([^"\n]+)")(\))((?:[^\n]*\n)*?\4[^\n]*)', comment_block),
            (r"\s+", Whitespace),
            (r'"(?:[^"]|"")*"?', String.Double),
            (r"0c(?s:.)", String.Char),
            (r"0x[0-9a-fA-F]+", Number.Hex),
            (r"0b[01]+", Number.Bin),
            (r"0o[0-7]+", Number.Oct),
            (r":?\d+(?:\.\d*(?:e[+-]?\d+)?|e[+-]?\d+)", Number.Float),
            (r":?\d+", Number.Integer),
            # a definition: f::{...} names a function, a::... a variable
            (r"(\.?" + NAME + r")(\s*)(::)(?=\s*\{)",
             bygroups(Name.Function, Whitespace, Operator)),
            (r"(\.?" + NAME + r")(\s*)(::)", bygroups(Name.Variable, Whitespace, Operator)),
            (r":\.?" + NAME, String.Symbol),
            (r"\." + NAME, Name.Builtin),
            (r"[xyz]" + END, Name.Builtin.Pseudo),
            (NAME, Name),
            (r":\[|:\{|:\(|:\|", Punctuation),
            (words(ADVERB_WORDS), Name.Attribute),
            (words(SHIFTED_WORDS + ["::"]), Operator),
            (r"[!#$%&*+,\-<=>?@^_|~∇∂˙]", Operator),
            (r"\[", Punctuation, "list"),
            (r"[()\[\]{};]", Punctuation),
            (r".", Text),
        ],
        # a list literal [...] is data, as kg reads it: a - right before a digit is the
        # number's sign ([1 -2] has two numbers; 1 -2 is a subtraction), and a name is a
        # symbol ([a .p] is [:a :.p])
        "list": [
            (r"\]", Punctuation, "#pop"),
            (r"-\d+(?:\.\d*(?:e[+-]?\d+)?|e[+-]?\d+)", Number.Float),
            (r"-\d+", Number.Integer),
            (r"\.?" + NAME, String.Symbol),
            include("root"),
        ],
    }


__all__ = ["KlongLexer"]

"""Tokens, each with its source span.

The lexer is incremental: the parser pulls one token at a time, because `.comment(...)`
changes what the rest of the source means while the program runs (see Source.skip_comment).
A newline is a `;` only outside brackets, as the reference says.
"""
import functools

from klongtorch.value.atoms import Char, Symbol
from klongtorch.value.errors import KlongError

OPERATOR_CHARS = set("!#$%&*+,-<=>?@^_|~∇∂˙")   # ˙ (U+02D9): KlongPy's track monad
# two-character operators that start with ':' and are verbs
SHIFTED_OPS = {":=", ":-", ":#", ":_", "::", ":%", ":$", ":^", ":+", ":@", ":>"}
# adverbs, each with the name the reference gives it
ADVERBS = {"'": "each", ":'": "each-pair", "/": "over", "\\": "scan",
           ":\\": "each-left", ":/": "each-right", ":~": "converge", ":*": "iterate",
           "\\~": "scan-converging", "\\*": "scan-iterating"}
CLOSE = {")", "]", "}"}
# brackets whose contents are data (list and dictionary literals), and what closes them
LITERALS = {"[": "]", ":{": "}"}
SYMBOL_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.")
SYMBOL_CHARS = SYMBOL_START | set("0123456789")
DIGITS = set("0123456789")


class Token:
    __slots__ = ("kind", "value", "start", "end")

    def __init__(self, kind, value, start, end):
        self.kind, self.value, self.start, self.end = kind, value, start, end

    def __repr__(self):
        return f"Token({self.kind}, {self.value!r}, {self.start})"


class Lexer:
    """Token kinds: num char str sym qsym op adv open close ; elif eof."""

    def __init__(self, text):
        self.text = text
        self.pos = 0
        self.depth = []          # open brackets; newlines count as ';' only when empty

    def error(self, msg, start):
        return KlongError(f"kg: error: syntax error: {msg}", (start, start + 1), self.text)

    def tokens(self):
        """The tokens up to the end of the text (a lexical error propagates)."""
        while True:
            tok = self.next()
            if tok.kind == "eof":
                return
            yield tok

    def next(self):
        text, n = self.text, len(self.text)
        while True:
            i = self.pos
            while i < n and text[i] in " \t\r\f\v":
                i += 1
            self.pos = i
            if i >= n:
                return Token("eof", None, n, n)
            c = text[i]
            if c == "\n":
                self.pos = i + 1
                if not self.depth:
                    return Token(";", "\n", i, i + 1)
                continue
            if c == ":" and i + 1 < n and text[i + 1] == '"':      # comment
                self.pos = self._string_end(i + 1)
                continue
            if self.depth and self.depth[-1] in LITERALS:
                return self._element(i, c)
            return self._token(i, c)

    def _token(self, i, c):
        # the first character tells the kind of token (the table _FIRST, after the readers)
        read = self._FIRST.get(c)
        if read is None:
            raise self.error(f"unexpected character {c!r}", i)
        return read(self, i, c)

    # -- the readers of _FIRST, one per kind of first character --

    def _read_number(self, i, c):
        return self._number(i)

    def _read_string(self, i, c):
        text = self.text
        end = self._string_end(i)
        self.pos = end
        return Token("str", text[i + 1:end - 1].replace('""', '"'), i, end)

    def _read_symbol(self, i, c):
        return self._symbol(i)

    def _read_colon(self, i, c):
        two = self.text[i:i + 2]
        kind = self._COLON_KINDS.get(two)
        if kind == "open":
            return self._open(two, i)
        if kind is not None:
            return self._emit(kind, two, i, 2)
        nxt = two[1:]
        if nxt in SYMBOL_START:
            tok = self._symbol(i + 1)
            return Token("qsym", Symbol(tok.value), i, tok.end)
        if nxt in DIGITS:                          # a shifted number is the number
            tok = self._number(i + 1)
            tok.start = i
            return tok
        raise self.error(f"unexpected {two!r}", i)

    def _read_adverb(self, i, c):
        # \~ and \* are adverbs of two characters; "" (the end) is in "~*" as well, which
        # gives a lone \ at the very end a width of 2, as it always had
        if c == "\\" and self.text[i + 1:i + 2] in "~*":
            return self._emit("adv", self.text[i:i + 2], i, 2)
        return self._emit("adv", c, i, 1)

    def _read_op(self, i, c):
        return self._emit("op", c, i, 1)

    def _read_open(self, i, c):
        return self._open(c, i)

    def _read_close(self, i, c):
        if self.depth:
            self.depth.pop()
        return self._emit("close", c, i, 1)

    def _read_semicolon(self, i, c):
        return self._emit(";", c, i, 1)

    _FIRST = {**dict.fromkeys(DIGITS, _read_number), '"': _read_string,
              **dict.fromkeys(SYMBOL_START, _read_symbol), ":": _read_colon,
              **dict.fromkeys([a for a in ADVERBS if len(a) == 1], _read_adverb),
              **dict.fromkeys(OPERATOR_CHARS, _read_op), **dict.fromkeys("([{", _read_open),
              **dict.fromkeys(CLOSE, _read_close), ";": _read_semicolon}
    # what a ':' and the character after it make, when they make one token
    _COLON_KINDS = {":[": "open", ":{": "open", ":(": "open", ":|": "elif",
                    **{a: "adv" for a in ADVERBS if a[0] == ":"},
                    **dict.fromkeys(SHIFTED_OPS, "op")}
    # the elements of a literal that are read as tokens are: numbers, strings, names and
    # nested lists
    _DATA_START = DIGITS | SYMBOL_START | {'"', "["}

    def _element(self, i, c):
        """One element of a list or dictionary literal, read as kg reads it: data, nested
        literals, names as symbols, and every other character as the symbol it spells, so
        [1 - 2] is [1 :- 2] and {[a;b]...} declares a, ; and b."""
        text = self.text
        nxt = text[i + 1:i + 2]
        if c == LITERALS[self.depth[-1]]:
            self.depth.pop()
            return self._emit("close", c, i, 1)
        if c in self._DATA_START:
            return self._token(i, c)
        if c == "-" and nxt in DIGITS:             # a sign only when a digit follows it
            tok = self._number(i + 1)
            tok.start, tok.value = i, -tok.value
            return tok
        if c == ":" and (nxt in SYMBOL_START or nxt in DIGITS or nxt == "{"):
            return self._token(i, c)
        width = self._spelled_width(c, nxt)
        self.pos = i + width
        return Token("qsym", Symbol(text[i:i + width]), i, i + width)

    @staticmethod
    def _spelled_width(c, nxt):
        """How many characters the symbol that c spells in a literal takes: a ':' with any
        character but a blank after it, and \\~ \\* (and a lone \\ at the end), take two."""
        if c == ":":
            return 2 if nxt and nxt not in " \t\r\n" else 1
        return 2 if c == "\\" and nxt in "~*" else 1

    def _emit(self, kind, value, i, width):
        self.pos = i + width
        return Token(kind, value, i, i + width)

    def _open(self, value, i):
        self.depth.append(value)
        return self._emit("open", value, i, len(value))

    def _string_end(self, i):
        """Index just past the string starting with the quote at i; "" is an escaped quote."""
        text, n = self.text, len(self.text)
        j = i + 1
        while True:
            k = text.find('"', j)
            if k < 0:
                raise KlongError("kg: error: syntax error: unterminated string", (i, n), text)
            if k + 1 < n and text[k + 1] == '"':
                j = k + 2
                continue
            return k + 1

    def _symbol(self, i):
        text, n = self.text, len(self.text)
        j = i + 1
        while j < n and text[j] in SYMBOL_CHARS:
            j += 1
        self.pos = j
        return Token("sym", text[i:j], i, j)

    def _number(self, i):
        text = self.text
        if text[i] == "0" and text[i + 1:i + 2] in self._PREFIXED:
            tok = self._prefixed(i)
            if tok is not None:
                return tok
        j = self._span(i, DIGITS)
        real = j < len(text) and text[j] == "."
        if real:
            j = self._span(j + 1, DIGITS)
        e = self._exponent(j)
        if e > j:
            real, j = True, e
        self.pos = j
        s = text[i:j]
        return Token("num", float(s) if real else int(s), i, j)

    # 0b 0o 0x: the digits and base of each prefix (0c is a character)
    _PREFIXED = {"b": ("01", 2), "o": ("01234567", 8), "x": ("0123456789abcdefABCDEF", 16),
                 "c": None}

    def _prefixed(self, i):
        """The character 0cX or the number 0b.. 0o.. 0x.. at i; None for a prefix with no
        digits after it (then 0 is a number, and the letter a name)."""
        text, kind = self.text, self.text[i + 1]
        if kind == "c":
            if i + 2 >= len(text):
                raise self.error("character expected after 0c", i)
            self.pos = i + 3
            return Token("char", Char(text[i + 2]), i, i + 3)
        digits, base = self._PREFIXED[kind]
        j = self._span(i + 2, digits)
        if j == i + 2:
            return None
        self.pos = j
        return Token("num", int(text[i + 2:j], base), i, j)

    def _exponent(self, j):
        """The end of the exponent e5, e+5, e-5 at j; j when there is none."""
        text = self.text
        if text[j:j + 1] != "e":
            return j
        k = j + 1
        if text[k:k + 1] in ("+", "-"):
            k += 1
        end = self._span(k, DIGITS)
        return end if end > k else j

    def _span(self, j, chars):
        """The end of the run of chars starting at j."""
        text, n = self.text, len(self.text)
        while j < n and text[j] in chars:
            j += 1
        return j

    def skip_comment(self, delimiter):
        """Discard the rest of the current line, then lines up to one starting with delimiter."""
        text = self.text
        eol = text.find("\n", self.pos)
        pos = len(text) if eol < 0 else eol + 1
        while pos < len(text):
            eol = text.find("\n", pos)
            line_end = len(text) if eol < 0 else eol
            if text.startswith(delimiter, pos):
                self.pos = line_end
                return
            pos = line_end + 1
        raise KlongError(f"kg: error: .comment: no end of comment: {delimiter}", None, text)


# -- facts of a whole input's token stream (the session, the REPL, the kernel) -----------

class Survey:
    """What one pass over an input's tokens says about it as a whole:

    complete    it can be evaluated as it is: no bracket or string is still open (another
                lexical error does not make it incomplete: the evaluation reports it)
    empty       it holds nothing but blanks, newlines, ';' and comments
    quiet       its last token, newlines aside, is ';': its value is not shown (the
                notebook convention; kg calls a trailing ';' a syntax error, so no kg
                program means anything else by it)
    """
    __slots__ = ("complete", "empty", "quiet")

    def __init__(self, complete, empty, quiet):
        self.complete, self.empty, self.quiet = complete, empty, quiet

    def __repr__(self):
        return f"Survey(complete={self.complete}, empty={self.empty}, quiet={self.quiet})"


@functools.lru_cache(maxsize=128)
def survey(text):
    """The Survey of text, lexed once (and kept: a session surveys every input it runs, and
    a cell run again in a loop, as a %klong line in Python's, was lexed afresh each time,
    a third of what the session added to the work)."""
    lexer = Lexer(text)
    empty, last = True, None
    try:
        for tok in lexer.tokens():
            empty = empty and tok.kind == ";"
            if tok.value != "\n":
                last = tok
    except KlongError as e:
        return Survey("unterminated string" not in e.message, False, False)
    return Survey(not lexer.depth, empty, last is not None and last.kind == ";")


def readable(text):
    """The tokens of text as far as they can be read, newlines aside: a half-typed input
    (an open string, a stray character) is still looked at up to its mistake."""
    found = []
    try:
        for tok in Lexer(text).tokens():
            if tok.value != "\n":
                found.append(tok)
    except KlongError:
        pass
    return found

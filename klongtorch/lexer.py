"""Tokens, each with its source span.

The lexer is incremental: the parser pulls one token at a time, because `.comment(...)`
changes what the rest of the source means while the program runs (see Source.skip_comment).
A newline is a `;` only outside brackets, as the reference says.
"""
from .errors import KlongError
from .atoms import Char, Symbol

OPERATOR_CHARS = set("!#$%&*+,-<=>?@^_|~∇∂˙")   # ˙ (U+02D9): KlongPy's track monad
# two-character operators that start with ':' and are verbs
SHIFTED_OPS = {":=", ":-", ":#", ":_", "::", ":%", ":$", ":^", ":+", ":@", ":>"}
# adverbs, each with the name the reference gives it
ADVERBS = {"'": "each", ":'": "each-pair", "/": "over", "\\": "scan",
           ":\\": "each-left", ":/": "each-right", ":~": "converge", ":*": "iterate",
           "\\~": "scan-converging", "\\*": "scan-iterating"}
OPEN = {"(": ")", "[": "]", "{": "}", ":[": "]", ":{": "}", ":(": ")"}
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
        text, n = self.text, len(self.text)
        nxt = text[i + 1] if i + 1 < n else ""
        if c in DIGITS:
            return self._number(i)
        if c == '"':
            end = self._string_end(i)
            self.pos = end
            return Token("str", text[i + 1:end - 1].replace('""', '"'), i, end)
        if c in SYMBOL_START:
            return self._symbol(i)
        if c == ":":
            two = text[i:i + 2]
            if two in (":[", ":{", ":("):
                return self._open(two, i)
            if two == ":|":
                return self._emit("elif", two, i, 2)
            if two in ADVERBS:
                return self._emit("adv", two, i, 2)
            if two in SHIFTED_OPS:
                return self._emit("op", two, i, 2)
            if nxt in SYMBOL_START:
                tok = self._symbol(i + 1)
                return Token("qsym", Symbol(tok.value), i, tok.end)
            if nxt in DIGITS:                      # a shifted number is the number
                tok = self._number(i + 1)
                tok.start = i
                return tok
            raise self.error(f"unexpected {two!r}", i)
        if c in "\\" and nxt in "~*":
            return self._emit("adv", c + nxt, i, 2)
        if c in ADVERBS:
            return self._emit("adv", c, i, 1)
        if c in OPERATOR_CHARS:
            return self._emit("op", c, i, 1)
        if c in "([{":
            return self._open(c, i)
        if c in CLOSE:
            if self.depth:
                self.depth.pop()
            return self._emit("close", c, i, 1)
        if c == ";":
            return self._emit(";", c, i, 1)
        raise self.error(f"unexpected character {c!r}", i)

    def _element(self, i, c):
        """One element of a list or dictionary literal, read as kg reads it: data, nested
        literals, names as symbols, and every other character as the symbol it spells, so
        [1 - 2] is [1 :- 2] and {[a;b]...} declares a, ; and b."""
        text, n = self.text, len(self.text)
        nxt = text[i + 1] if i + 1 < n else ""
        if c == LITERALS[self.depth[-1]]:
            self.depth.pop()
            return self._emit("close", c, i, 1)
        if c in DIGITS or c == '"' or c in SYMBOL_START or c == "[":
            return self._token(i, c)
        if c == "-" and nxt in DIGITS:             # a sign only when a digit follows it
            tok = self._number(i + 1)
            tok.start, tok.value = i, -tok.value
            return tok
        if c == ":":
            if nxt in SYMBOL_START or nxt in DIGITS or nxt == "{":
                return self._token(i, c)
            width = 2 if nxt and nxt not in " \t\r\n" else 1
        elif c == "\\" and nxt in "~*":
            width = 2
        else:
            width = 1
        self.pos = i + width
        return Token("qsym", Symbol(text[i:i + width]), i, i + width)

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
        text, n = self.text, len(self.text)
        if text[i] == "0" and i + 1 < n and text[i + 1] in "cbox":
            kind = text[i + 1]
            if kind == "c":
                if i + 2 >= n:
                    raise self.error("character expected after 0c", i)
                self.pos = i + 3
                return Token("char", Char(text[i + 2]), i, i + 3)
            digits = {"b": "01", "o": "01234567", "x": "0123456789abcdefABCDEF"}[kind]
            j = i + 2
            while j < n and text[j] in digits:
                j += 1
            if j > i + 2:
                self.pos = j
                return Token("num", int(text[i + 2:j], {"b": 2, "o": 8, "x": 16}[kind]), i, j)
        j = i
        while j < n and text[j] in DIGITS:
            j += 1
        real = False
        if j < n and text[j] == ".":
            real = True
            j += 1
            while j < n and text[j] in DIGITS:
                j += 1
        if j < n and text[j] == "e":
            k = j + 1
            if k < n and text[k] in "+-":
                k += 1
            if k < n and text[k] in DIGITS:
                while k < n and text[k] in DIGITS:
                    k += 1
                real, j = True, k
        self.pos = j
        s = text[i:j]
        return Token("num", float(s) if real else int(s), i, j)

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


def survey(text):
    """The Survey of text, lexed once."""
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


def complete(text):
    """Whether text is a complete input (Survey.complete)."""
    return survey(text).complete


def quiet(text):
    """Whether text's value is not shown: it ends with ';' (Survey.quiet)."""
    return survey(text).quiet


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

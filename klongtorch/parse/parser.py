"""The parser: tokens to an AST whose every node knows its source span.

It follows the grammar of the reference manual (SYNTAX), read as:

    program := expr (';' expr)*
    expr    := factor | factor dyad expr        dyads associate to the right
    factor  := constant | variable | variable args | function | function args
             | verb expr                        a monad: operator, or anything with adverbs
             | '(' expr ')' | conditional | list | dictionary

Anything that can be called (an operator, a variable, a function literal, a projection, a
parenthesised expression) becomes a verb when adverbs follow it. Top-level expressions are
parsed a line at a time, as kg does: each line is parsed whole before any of it runs, and the
next line only after it has run (`.comment` depends on that).
"""
from klongtorch.parse.lexer import Lexer
from klongtorch.value.errors import KlongError
from klongtorch.value.values import Dict, Symbol, key_of, mklist

ARG_NAMES = ("x", "y", "z")


class Node:
    __slots__ = ("pos",)


class Const(Node):
    __slots__ = ("value",)

    def __init__(self, value, pos):
        self.value, self.pos = value, pos


class DictLit(Node):
    """A dictionary literal: evaluated to a fresh dictionary each time (dictionaries mutate)."""
    __slots__ = ("value",)

    def __init__(self, value, pos):
        self.value, self.pos = value, pos


class Var(Node):
    __slots__ = ("name",)

    def __init__(self, name, pos):
        self.name, self.pos = name, pos


class Op(Node):
    """A primitive operator in verb position."""
    __slots__ = ("sym",)

    def __init__(self, sym, pos):
        self.sym, self.pos = sym, pos


class Adverbed(Node):
    """verb followed by one adverb; chains nest: +/' is Adverbed(Adverbed(+, /), ')."""
    __slots__ = ("verb", "adverb")

    def __init__(self, verb, adverb, pos):
        self.verb, self.adverb, self.pos = verb, adverb, pos


class Apply(Node):
    """f(a;b) or, with holes (None), the projection f(a;)."""
    __slots__ = ("fn", "args")

    def __init__(self, fn, args, pos):
        self.fn, self.args, self.pos = fn, args, pos


class Monad(Node):
    __slots__ = ("verb", "arg")

    def __init__(self, verb, arg, pos):
        self.verb, self.arg, self.pos = verb, arg, pos


class Dyad(Node):
    __slots__ = ("verb", "left", "right")

    def __init__(self, verb, left, right, pos):
        self.verb, self.left, self.right, self.pos = verb, left, right, pos


class Define(Node):
    __slots__ = ("name", "expr")

    def __init__(self, name, expr, pos):
        self.name, self.expr, self.pos = name, expr, pos


class Cond(Node):
    """:[p1;c1:|p2;c2;...;else]"""
    __slots__ = ("clauses", "otherwise")

    def __init__(self, clauses, otherwise, pos):
        self.clauses, self.otherwise, self.pos = clauses, otherwise, pos


class Lambda(Node):
    __slots__ = ("body", "arity", "locals", "source")

    def __init__(self, body, arity, local_names, pos, source):
        self.body, self.arity, self.locals, self.pos, self.source = body, arity, local_names, pos, source


# tokens that end an expression
ENDS = {";", "eof", "close", "elif"}

# the operators that have a monadic form (kg's monadsym): an operator in prefix position must
# be one of them even when an adverb follows and makes a dyad of it (:+/x), and so must an
# infix operator under an adverb that applies its verb to one argument (x :+:~y); kg rejects
# the rest while parsing, before anything runs
MONADIC_OPS = frozenset("!#$%&*+,-<=>?@^_|~") | {":#", ":_", "∇", "˙"}   # ∇ ˙: KlongPy's
MONADIC_ADVERBS = {":~", ":*", "\\~", "\\*"}


class Parser:
    def __init__(self, text):
        self.text = text
        self.lexer = Lexer(text)
        self.buf = []
        self.arg_use = []       # one set per enclosing function literal: which of x y z appear
        self.local_use = []     # one set per enclosing function literal: its declared locals
        self.skipped = False    # set once .comment has skipped text: the parse is not reusable

    # -- token stream --------------------------------------------------------------------

    def peek(self, k=0):
        while len(self.buf) <= k:
            self.buf.append(self.lexer.next())
        return self.buf[k]

    def take(self):
        tok = self.peek()
        self.buf.pop(0)
        return tok

    def expect(self, kind, value=None):
        tok = self.take()
        if tok.kind != kind or (value is not None and tok.value != value):
            want = value or kind
            raise self.error(f"expected :{want}, got: {_name(tok)}", tok)
        return tok

    def error(self, msg, tok):
        end = max(tok.end, tok.start + 1)
        return KlongError(f"kg: error: syntax error: {msg}", (tok.start, end), self.text)

    def skip_comment(self, delimiter):
        """Support for .comment: rewind to the first unread token, then skip lines."""
        if self.buf:
            self.lexer.pos = self.buf[0].start
            self.buf.clear()
        self.skipped = True
        self.lexer.skip_comment(delimiter)

    # -- programs ------------------------------------------------------------------------

    def next_statement(self):
        """The next top-level expression, or None at the end of the source."""
        while self.peek().kind == ";":
            self.take()
        tok = self.peek()
        if tok.kind == "eof":
            return None
        node = self.expr()
        tok = self.peek()
        if tok.kind not in (";", "eof"):
            raise self.error(_name(tok), tok)           # kg's words: syntax error: 2
        return node

    def next_line(self):
        """The top-level expressions of the next line (those separated by ';' up to a
        newline outside brackets), or None at the end of the source. kg parses such a line
        whole before it runs any of it, so a syntax error anywhere in it runs none of it.
        The newline is left unread: .comment skips from the end of this line."""
        nodes = []
        while True:
            node = self.next_statement()
            if node is None:
                return nodes or None
            nodes.append(node)
            tok = self.peek()
            if tok.kind == "eof" or tok.value == "\n":
                return nodes

    def program(self):
        """All statements of the source (used for function bodies and whole-file checks)."""
        stmts = []
        while True:
            node = self.next_statement()
            if node is None:
                return stmts
            stmts.append(node)

    def body(self):
        """Expressions separated by ';' up to a closing bracket."""
        stmts = []
        while True:
            tok = self.peek()
            if tok.kind == ";":
                self.take()
                continue
            if tok.kind in ("close", "eof"):
                return stmts
            stmts.append(self.expr())
            tok = self.peek()
            if tok.kind not in (";", "close", "eof"):      # at the end: the caller's closer
                raise self.error(_name(tok), tok)          # is missing, and it says which

    # -- expressions ---------------------------------------------------------------------

    def expr(self):
        tok = self.peek()
        left = self.factor()
        nxt = self.peek()
        if nxt.kind in ENDS:
            return left
        if nxt.kind == "op" and nxt.value == "::":
            self.take()
            if not isinstance(left, Var):
                raise self.error("can only define a variable", nxt)
            if left.name in ARG_NAMES and self.arg_use and not self.is_local(left.name):
                raise self.error(f"{left.name} is read-only inside a function", nxt)
            right = self.expr()
            return Define(left.name, right, (tok.start, nxt.end))
        verb = self.dyad_verb()
        if verb is None:
            raise self.error(_name(nxt), nxt)
        right = self.expr()
        return Dyad(verb, left, right, verb.pos)

    def dyad_verb(self):
        tok = self.peek()
        if tok.kind == "op":
            self.take()
            if self.peek().kind == "adv" and self.peek().value in MONADIC_ADVERBS:
                self.need_monad(tok)
            return self.adverbs(Op(tok.value, (tok.start, tok.end)))
        if tok.kind == "sym":
            self.take()
            verb = self.var(tok)
            if self.peek().kind == "open" and self.peek().value in ("(", ":("):
                verb = self.call(verb)
            return self.adverbs(verb)
        if tok.kind == "open" and tok.value == "{":
            verb = self.function()
            if self.peek().kind == "open" and self.peek().value in ("(", ":("):
                verb = self.call(verb)
            return self.adverbs(verb)
        return None

    def adverbs(self, verb):
        while self.peek().kind == "adv":
            tok = self.take()
            verb = Adverbed(verb, tok.value, (tok.start, tok.end))
        return verb

    def factor(self):
        # a factor's first token says what it is: its kind, or an opening bracket's value,
        # picks the reader from the tables _FACTORS and _BRACKETS below
        tok = self.peek()
        read = self._BRACKETS.get(tok.value) if tok.kind == "open" else \
            self._FACTORS.get(tok.kind)
        if read is None:
            raise self.error(f"monad expected: {_name(tok)}", tok)
        return read(self, tok)

    # -- the readers of _FACTORS and _BRACKETS --

    def _constant(self, tok):
        self.take()
        node = Const(tok.value, (tok.start, tok.end))
        if self.peek().kind == "adv":
            raise self.error("a constant is not a verb", self.peek())
        return node

    def _variable(self, tok):
        self.take()
        node = self.var(tok)
        return self.maybe_monad(self.calls(node))

    def _operator(self, tok):
        self.take()
        self.need_monad(tok)
        verb = self.adverbs(Op(tok.value, (tok.start, tok.end)))
        return self.monad(verb, tok)

    def _function(self, tok):
        return self.maybe_monad(self.calls(self.function()))

    def _parenthesized(self, tok):
        self.take()
        if self.peek().kind == "close":
            raise self.error("empty parentheses", self.peek())
        node = self.expr()
        self.expect("close", ")")
        return self.maybe_monad(node)

    def _list(self, tok):
        return Const(self.list_literal(), (tok.start, self.buf_end()))

    def _dictionary(self, tok):
        return DictLit(self.dict_literal(), (tok.start, self.buf_end()))

    def _conditional(self, tok):
        return self.conditional()

    def _lone_adverb(self, tok):
        raise self.error(f"adverb {tok.value!r} without a verb", tok)

    def _unfinished(self, tok):
        raise self.error(":eof: the expression is not finished", tok)

    _FACTORS = {"num": _constant, "char": _constant, "str": _constant, "qsym": _constant,
                "sym": _variable, "op": _operator, "adv": _lone_adverb, "eof": _unfinished}
    # ":(" opens nothing a factor may start with: it is "monad expected"
    _BRACKETS = {"{": _function, "(": _parenthesized, "[": _list, ":{": _dictionary,
                 ":[": _conditional}

    def need_monad(self, tok):
        if tok.value not in MONADIC_OPS:
            raise KlongError(f"kg: error: expected monad, got: :{tok.value}",
                             (tok.start, tok.end), self.text)

    def buf_end(self):
        return self.lexer.pos

    def maybe_monad(self, node):
        """A callable factor followed by adverbs is a monadic verb applied to what follows."""
        if self.peek().kind != "adv":
            return node
        verb = self.adverbs(node)
        return self.monad(verb, self.peek())

    def monad(self, verb, tok):
        if self.peek().kind in ENDS:
            raise self.error("missing argument", self.peek())
        arg = self.expr()
        return Monad(verb, arg, verb.pos)

    def var(self, tok):
        name = tok.value
        if name in ARG_NAMES and self.arg_use and not self.is_local(name):
            self.arg_use[-1].add(name)
        return Var(name, (tok.start, tok.end))

    def is_local(self, name):
        """Whether name is a declared local of the function literal being read or of one
        around it (kg renames such names lexically, arguments included)."""
        return any(name in names for names in self.local_use)

    def calls(self, node):
        """node's argument lists: f(1), or f(;1)(5), a projection applied at once. As in
        kg, only a projection takes a second list: f(1)(2) is a syntax error."""
        while self.peek().kind == "open" and self.peek().value in ("(", ":("):
            node = self.call(node)
            if None not in node.args:
                break
        return node

    def call(self, fn):
        """Arguments (or a projection) after a callable: f(1;2), f(;2), f()."""
        open_tok = self.take()
        args = []
        if self.peek().kind == "close":
            self.take()
            return Apply(fn, args, (fn.pos[0], open_tok.end))
        while True:
            tok = self.peek()
            if tok.kind == ";":
                self.take()
                args.append(None)
                continue
            if tok.kind == "close":
                self.take()
                args.append(None)         # f(1;) ends with a hole
                break
            args.append(self.expr())
            tok = self.take()
            if tok.kind == "close" and tok.value == ")":
                break
            if tok.kind != ";":
                raise self.error(f"expected :), got: {_name(tok)} (in an argument list)", tok)
        if len(args) > 3:
            raise self.error("too many arguments", open_tok)
        return Apply(fn, args, (fn.pos[0], open_tok.end))

    def function(self):
        open_tok = self.take()
        self.arg_use.append(set())
        local_names = []
        # {[a b];...} declares locals: a list of symbols followed by ';'. As in kg, the
        # separators of {[a;b]...} and {[a,b]...} are symbols of that list and not locals.
        if self.peek().kind == "open" and self.peek().value == "[":
            k, names = 1, []
            while self.peek(k).kind in ("sym", "qsym"):
                if self.peek(k).kind == "sym":
                    names.append(self.peek(k).value)
                k += 1
            if self.peek(k).kind == "close" and self.peek(k + 1).kind == ";":
                for _ in range(k + 2):
                    self.take()
                local_names = names
        # a local named x, y or z is no argument, here and in the functions inside this one
        self.local_use.append(set(local_names))
        try:
            body = self.body()
        finally:
            used = self.arg_use.pop()
            self.local_use.pop()
        close = self.expect("close", "}")
        arity = 3 if "z" in used else 2 if "y" in used else 1 if "x" in used else 0
        pos = (open_tok.start, close.end)
        return Lambda(body, arity, local_names, pos, self.text[pos[0]:pos[1]])

    def conditional(self):
        open_tok = self.take()
        clauses = []
        while True:
            pred = self.expr()
            self.expect(";")
            then = self.expr()
            tok = self.take()
            if tok.kind == "elif":
                clauses.append((pred, then))
                continue
            if tok.kind != ";":
                raise self.error(f"expected :;, got: {_name(tok)} (in a conditional)", tok)
            clauses.append((pred, then))
            otherwise = self.expr()
            close = self.expect("close", "]")
            return Cond(clauses, otherwise, (open_tok.start, close.end))

    # -- literals ------------------------------------------------------------------------

    def list_literal(self):
        self.expect("open", "[")
        items = []
        while True:
            tok = self.peek()
            if tok.kind == "close" and tok.value == "]":
                self.take()
                return mklist(items)
            items.append(self.literal_item())

    def literal_item(self):
        tok = self.take()
        kind = tok.kind
        if kind in ("num", "char", "str", "qsym"):
            return tok.value
        if kind == "sym":
            return Symbol(tok.value)            # lists quote their symbols
        if kind == "op" and tok.value == "-":       # .r and .rs read "-5" outside a list
            num = self.peek()
            if num.kind == "num" and num.start == tok.end:
                self.take()
                return -num.value
        if kind == "open" and tok.value == "[":
            self.buf.insert(0, tok)
            return self.list_literal()
        if kind == "open" and tok.value == ":{":
            self.buf.insert(0, tok)
            return self.dict_literal()
        if kind == "eof":
            raise self.error("unexpected end of list/dict", tok)
        raise self.error(f"{_name(tok)} cannot appear in a list literal", tok)

    def dict_literal(self):
        self.expect("open", ":{")
        d = Dict()
        while True:
            tok = self.peek()
            if tok.kind == "close" and tok.value == "}":
                self.take()
                return d
            if tok.kind == "eof":
                raise self.error("unexpected end of list/dict", tok)
            if not (tok.kind == "open" and tok.value == "["):
                raise self.error("a dictionary entry must be a [key value] tuple", tok)
            self.take()
            # [k1 v1 k2 v2] is read as two entries: an extension of kg, which takes one
            # pair per tuple, so that the KlongPy spelling :{["lr" 0.01 "momentum" 0.9]} works
            while True:
                key = self.literal_item()
                tok = self.peek()
                if tok.kind == "close" and tok.value == "]":
                    raise self.error("a dictionary entry must be a [key value] tuple", tok)
                d[key_of(key)] = self.literal_item()
                tok = self.peek()
                if tok.kind == "close" and tok.value == "]":
                    break
            self.expect("close", "]")


def _name(tok):
    """A token as kg's syntax errors name it: :eof, :) and :; for punctuation and operators,
    a number, string or character as Klong writes it."""
    kind, v = tok.kind, tok.value
    if kind == "eof":
        return ":eof"
    if kind == "num" or kind == "qsym":
        return str(v)
    if kind == "str":
        return '"' + v.replace('"', '""') + '"'
    if kind == "char":
        return "0c" + v
    if kind == "sym":
        return v
    return ":" + str(v)


def parse(text):
    """Parse a whole program (used for syntax checks, e.g. the kernel's is_complete)."""
    return Parser(text).program()



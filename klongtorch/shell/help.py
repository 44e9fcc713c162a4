"""The help table: one entry per operator, adverb, system function and system variable.

Nothing here is written twice: an operator's help is the docstring of the function that
implements it (its record in klongtorch.engine.primitives.VERBS), an adverb's that of its
implementation (klongtorch.engine.adverbs.ADVERBS), a system function's that of its
SystemFunctions method, and a system variable's text is klongtorch.ext.system.VARIABLE_HELP.
Only the syntax that has no implementing function (::, :[...], {...}, ...) and the
]-commands of the REPL are described here.

The REPL's ]h, ]a and ]hall, and the kernel's inspection, are views of this one table:

    help_text("+")        the help on Transpose and Plus
    help_text("plus")     the same entry, by its name (names are case-insensitive)
    search("channel")     the topics whose help mentions "channel" (apropos)
    hall()                one summary line per entry, by section

The module is UI-free: it returns text and never prints.
"""
import inspect
import re
from dataclasses import dataclass, field

# Syntax with no implementing function: topic -> help, in the docstrings' format.
SYNTAX_HELP = {
    "::": """a::b  Define
        Assign the value of b to the variable a and return it. Inside a function, a is a
        local variable when it is listed in {[a];...}, else a global.
        Examples: a::5 --> 5    f::{x*x} --> :monad    f(3) --> 9""",
    ":[": """:[c;t;f]  Conditional
        If c is true, the value of t, else the value of f; only one branch is evaluated.
        The false values are 0, [] and "". :[c1;t1:|c2;t2;f] chains conditions.
        Examples: :[1;:yes;:no] --> :yes    :[0;1:|1;2;3] --> 2""",
    ":|": """c:|d  Else-If
        Chains conditions inside a conditional: :[a;b:|c;d;e] is :[a;b;:[c;d;e]].""",
    "{": """{...}  Function
        A function; its arguments are x, y and z, and the highest of them used is its arity
        (nilad, monad, dyad, triad). {[a b];...} declares the local variables a and b.
        Calls: f(), f(x), f(x;y), f(x;y;z), and 1 f 2 for dyads. Leaving out arguments
        projects: f(;2) is {f(x;2)}.
        Examples: {x+y}(1;2) --> 3    {x*x}'[1 2 3] --> [1 4 9]    g::{x-y}(;1);g(5) --> 4""",
    "[": """[...]  List
        A list of constants, written without separators: [1 2.5 0cx "ab" :foo [3 4]].
        Symbols in a list need no quoting: [foo bar] --> [:foo :bar].""",
    ":{": """:{...}  Dictionary
        A dictionary of [key value] tuples: :{[1 2] [:a "x"]}. d?k looks a key up,
        d,[k v] adds an entry.""",
    ":\"": """:"..."  Comment
        A comment: the string after the colon is ignored. .comment("end") skips whole
        lines up to one starting with end.""",
    ";": """a;b  Sequence
        Evaluate a, then b; the value is b's. Outside brackets a newline acts as ;.""",
    "(": """(a)  Grouping
        Parentheses group an expression. Klong evaluates from right to left: 2*3+4 --> 14,
        (2*3)+4 --> 10.""",
}

# The REPL's commands (SEMANTICS : INTERACTION)
COMMAND_HELP = {
    "]!": """]! command  Shell
        Pass the command to the Unix shell.""",
    "]a": """]a topic  Apropos
        List the help topics whose text mentions topic.""",
    "]h": """]h topic  Help
        The help on an operator, adverb, system function or variable, by symbol (+, /, .p)
        or by name (Plus, Over, Print). ]hall lists all help topics.""",
    "]i": """]i dir  Inventory
        List the *.kg files (Klong programs) in dir; without dir, in the first directory of
        KLONGPATH.""",
    "]l": """]l file  Load
        ]lfile is short for .l("file").""",
    "]q": """]q  Exit
        Leave Klong: short for .x(0). End of input (control-D) also works.""",
    "]t": """]t file  Transcript
        Append the input, prefixed with a TAB, and the computed values to file. ]t alone
        stops the transcript.""",
}

SECTIONS = ("Operators", "Adverbs", "Syntax", "System functions", "System variables",
            "Interaction")


@dataclass
class Entry:
    """One help topic: a symbol or system name, with the help of each of its forms."""
    section: str
    topic: str
    forms: list = field(default_factory=list)      # [(syntax, name, text)]

    @property
    def text(self):
        return "\n\n".join(text for _, _, text in self.forms)

    @property
    def names(self):
        return [name for _, name, _ in self.forms if name]

    def summaries(self):
        """The first line of each form: 'a+b  Plus'."""
        return [text.split("\n", 1)[0] for _, _, text in self.forms]


def normalise(doc, fallback):
    """A docstring as help: first line, then the rest dedented and indented by 4."""
    doc = inspect.cleandoc(doc or "")
    if not doc:
        return fallback
    head, _, rest = doc.partition("\n")
    rest = rest.strip("\n")
    if not rest:
        return head
    return head + "\n" + "\n".join(("    " + line) if line.strip() else ""
                                   for line in rest.split("\n"))


def split_head(text):
    """('a+b', 'Plus') from the first line 'a+b  Plus'."""
    head = text.split("\n", 1)[0]
    parts = re.split(r"\s{2,}", head.strip(), maxsplit=1)
    if len(parts) == 2:
        return parts[0], parts[1].strip()
    return parts[0], ""


def _form(doc, fallback):
    text = normalise(doc, fallback)
    syntax, name = split_head(text)
    return (syntax, name, text)


def entries(interp=None):
    """The whole help table, in section order. With an interpreter, system functions that
    extensions installed into its globals are included too."""
    # start-up: the table's sources need torch, and `klongtorch --help` imports this module
    # through the CLI without it
    from klongtorch.engine.adverbs import ADVERBS
    from klongtorch.engine.primitives import VERBS
    from klongtorch.ext.system import ARITIES, VARIABLE_HELP, SystemFunctions

    def monad_and_dyad(section, sym, fns, shapes):
        forms = [_form(fn.__doc__, f"{shape}  {fn.__name__}")
                 for fn, shape in zip(fns, shapes) if fn is not None]
        return Entry(section, sym, forms)

    out = [monad_and_dyad("Operators", sym, fns, (f"{sym}a", f"a{sym}b"))
           for sym, fns in ((s, (v.monad, v.dyad)) for s, v in VERBS.items())]
    if interp is not None:
        # dyads that extensions compile themselves (:> ∂ ∇ in autograd/derivatives.py): the
        # docstring of the compiling function is their help
        for sym, fn in interp.compiler.special.items():
            if sym not in VERBS:
                out.append(Entry("Operators", sym, [_form(fn.__doc__, f"a{sym}b")]))
    out += [monad_and_dyad("Adverbs", sym, fns, (f"f{sym}a", f"a f{sym}b"))
            for sym, fns in ADVERBS.items()]
    for sym, doc in SYNTAX_HELP.items():
        out.append(Entry("Syntax", sym, [_form(doc, sym)]))
    seen = set()
    for name in ARITIES:
        fn = getattr(SystemFunctions, name[1:], None)
        out.append(Entry("System functions", name, [_form(getattr(fn, "__doc__", None),
                                                          f"{name}  System function")]))
        seen.add(name)
    if interp is not None:
        from klongtorch.value.functions import SysFunc  # start-up: needs torch (see above)
        for name, value in interp.globals.items():
            if isinstance(value, SysFunc) and name not in seen:
                out.append(Entry("System functions", name,
                                 [_form(value.doc, f"{name}  System function")]))
    for name, doc in VARIABLE_HELP.items():
        out.append(Entry("System variables", name, [_form(doc, f"{name}  Variable")]))
    for name, doc in COMMAND_HELP.items():
        out.append(Entry("Interaction", name, [_form(doc, name)]))
    return out


def _names_of(entry_list):
    """Long name -> the entries that have a form of that name. 'Expand/Where' is also known
    as 'Expand' and 'Where' unless another entry already uses those names."""
    by_name = {}
    for e in entry_list:
        for name in e.names:
            by_name.setdefault(name, [])
            if e not in by_name[name]:
                by_name[name].append(e)
    for e in entry_list:
        for name in e.names:
            if "/" in name:
                for part in name.split("/"):
                    if part and part not in by_name:
                        by_name[part] = [e]
    return by_name


def _name_text(name, found):
    """The help under a long name: only the forms of that name (Plus, not Transpose)."""
    texts = []
    for e in found:
        forms = [t for _, n, t in e.forms if n == name or name in n.split("/")]
        texts.extend(forms or [e.text])
    return "\n\n".join(texts)


def topics(interp=None):
    """topic -> help text, for every symbol and system name and for every long name."""
    entry_list = entries(interp)
    table = {}
    for e in entry_list:            # a topic in two sections (unlikely) keeps both texts
        table[e.topic] = table[e.topic] + "\n\n" + e.text if e.topic in table else e.text
    for name, found in _names_of(entry_list).items():
        if name not in table:
            table[name] = _name_text(name, found)
    return table


def help_text(topic, interp=None):
    """The help on topic (a symbol such as + or .p, or a name such as Plus), or None.
    Symbols match exactly (.e is Epsilon, .E is Evaluate); names in any case."""
    topic = (topic or "").strip()
    if not topic:
        return None
    table = topics(interp)
    if topic in table:
        return table[topic]
    bare = topic[:-2] if topic.endswith("()") else topic   # .p() as .p
    if bare in table:
        return table[bare]
    folded = topic.casefold()
    for key, text in table.items():
        if key.casefold() == folded:
            return text
    return None


def search(word, interp=None):
    """Apropos: the topics (symbols and system names) whose help mentions word, ignoring
    case, in table order."""
    word = (word or "").strip().casefold()
    if not word:
        return []
    return [e.topic for e in entries(interp)
            if word in e.topic.casefold() or word in e.text.casefold()]


def summary(topic, interp=None):
    """The summary lines ('a+b  Plus') of a topic, or None."""
    for e in entries(interp):
        if e.topic == topic:
            return e.summaries()
    text = help_text(topic, interp)
    return None if text is None else [text.split("\n", 1)[0]]


def hall(interp=None, width=14):
    """The ]hall listing: every entry's summary lines, section by section."""
    lines = []
    current = None
    for e in entries(interp):
        if e.section != current:
            if lines:
                lines.append("")
            lines.append(e.section)
            current = e.section
        for syntax, name, text in e.forms:
            if name:
                lines.append(f"  {syntax:<{width}}{name}")
            else:
                lines.append("  " + text.split("\n", 1)[0])
    return "\n".join(lines)


__all__ = ["Entry", "entries", "topics", "help_text", "search", "summary", "hall",
           "SYNTAX_HELP", "COMMAND_HELP", "SECTIONS"]

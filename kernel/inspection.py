"""Inspection (Shift-Tab in a notebook): what the word under the cursor is.

    a primitive, adverb or piece of syntax (+ / :[ {)    its help, from klongtorch.shell.help
    a system function or variable (.p .gradcheck .a)     its help, from the same table
    a user's function                                    its definition: f::{x*x}
    a variable                                           its kind, shape and value
    a help topic after ]h (]h Plus)                      its help
    anywhere inside the arguments of name(...)           name, as above (the innermost
                                                         call, as IPython does)

The help is the very text the REPL's ]h shows: the docstrings of the implementing
functions.
"""
from klongtorch.parse.lexer import readable
from klongtorch.shell import help as helptable
from klongtorch.shell.commands import is_command
from klongtorch.value.summary import summary
from klongtorch.value.text import show
from klongtorch.value.values import Char, Dict, Symbol, Tensor

BRIEF = 400         # characters of a value shown at detail level 0
FULL = 20000        # ... and at detail level 1


def tokens(code):
    """The tokens of code, as far as it can be read: a half-typed cell is still inspected."""
    return readable(code)


def tokens_at(code, cursor_pos):
    """The tokens the cursor touches: the one it is in or just after, then the one just
    after it (in 2∇f with the cursor after 2, that is ∇)."""
    toks = tokens(code)
    return ([tok for tok in toks if tok.start < cursor_pos <= tok.end]
            + [tok for tok in toks if tok.start == cursor_pos])


def call_at(code, cursor_pos):
    """The name token of the innermost call whose argument list holds the cursor: `f(`
    with the cursor after the parenthesis, or anywhere in `f(a;b`, even inside grouping
    parentheses or a finished inner call there. None outside every call."""
    open_calls = []             # per open bracket: the called name's token, or None
    prev = None
    for tok in tokens(code):
        if tok.start >= cursor_pos:
            break
        if tok.kind == "open":
            called = tok.value == "(" and prev is not None and prev.kind == "sym" and \
                prev.end == tok.start
            open_calls.append(prev if called else None)
        elif tok.kind == "close" and open_calls:
            open_calls.pop()
        prev = tok
    return next((t for t in reversed(open_calls) if t is not None), None)


def kind(value):
    """A value's kind in words: 'tensor of shape [3 4], float64 on cpu, with gradient'."""
    t = type(value)
    if t is Tensor:
        grad = ", with gradient" if value.requires_grad else ""
        dtype = str(value.dtype).replace("torch.", "")
        if value.dim() == 0:
            return f"scalar tensor, {dtype} on {value.device}{grad}"
        shape = " ".join(map(str, value.shape))
        return f"tensor of shape [{shape}], {dtype} on {value.device}{grad}"
    simple = {int: "integer", float: "real", Char: "character", Symbol: "symbol"}
    if t in simple:
        return simple[t]
    if t is str:
        return f"string of {len(value)} characters"
    if t is list:
        return f"list of {len(value)} elements"
    if t is Dict:
        return f"dictionary of {len(value)} entries"
    return show(value)[1:]


def clip(text, limit):
    return text if len(text) <= limit else text[:limit] + " ..."


def describe(name, value, detail_level=0):
    """The inspection text of a global."""
    source = getattr(value, "source", None)
    if hasattr(value, "arity") and isinstance(source, str):
        if source.startswith("<"):          # <python tanh>: no Klong source to show
            return f"{name}: {source[1:-1]}, a {kind(value)}"
        return f"{name}::{source}\n\n{kind(value)}"
    limit = FULL if detail_level else BRIEF
    # bounded first (klongtorch.value.summary): the whole text of a big array takes seconds
    return f"{name}: {kind(value)}\n\n{clip(summary(value), limit)}"


def inspect(code, cursor_pos, interp, detail_level=0):
    """The text/plain of an inspect_reply, or None when there is nothing to say."""
    if is_command(code) and "\n" not in code.strip():
        topic = code.strip()[2:].strip()
        return helptable.help_text(topic, interp) if topic else None
    call = call_at(code, cursor_pos)
    for tok in ([call] if call is not None else []) + tokens_at(code, cursor_pos):
        text = about(tok, interp, detail_level)
        if text is not None:
            return text
    return None


def about(tok, interp, detail_level=0):
    """The inspection text of one token, or None (numbers, strings: nothing to add)."""
    if tok.kind not in ("sym", "op", "adv", "open", "elif", ";"):
        return None
    word = tok.value
    if tok.kind == "sym" and word in interp.globals and not word.startswith("."):
        return describe(word, interp.globals[word], detail_level)
    text = helptable.help_text(word, interp)
    if text is None and word in interp.globals:
        return describe(word, interp.globals[word], detail_level)
    return text


def reply(code, cursor_pos, interp, detail_level=0):
    """The content of an inspect_reply."""
    if cursor_pos is None:
        cursor_pos = len(code)
    text = inspect(code, cursor_pos, interp, detail_level)
    if text is None:
        return {"status": "ok", "found": False, "data": {}, "metadata": {}}
    return {"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}}


__all__ = ["inspect", "reply", "describe", "tokens_at", "call_at"]

"""KlongError: the one exception a user's mistake can raise.

Messages follow the reference implementation: `kg: error: plus: type error: "a"`. The source
position is attached once, by the innermost expression that knows it, so the shells (CLI,
kernel, magic) can draw a caret under the failing spot.
"""
import re


# the two texts of a Python limit that Klong code ran into (the interpreter raises them, the
# session shows them)
OUT_OF_MEMORY = "kg: error: out of memory (a value grew without bound?)"
STACK_OVERFLOW = "kg: error: stack overflow: recursion too deep"

class KlongError(Exception):
    """A Klong error with a kg-style message and, when known, a source span."""

    def __init__(self, message, pos=None, source=None):
        super().__init__(message)
        self.message = message
        self.pos = pos            # (start, end) offsets into `source`
        self.source = source

    def __str__(self):
        return self.message

    def locate(self, pos, source):
        """Attach a position unless a more precise one is already known."""
        if self.pos is None:
            self.pos, self.source = pos, source
        return self

    def context(self):
        """The failing source line with a caret under the failing spot, or ''."""
        if self.pos is None or self.source is None:
            return ""
        start = self.pos[0]
        if not self.source[start:start + 1].strip():
            # at a line's end or past the last token (a cell that ends with a newline, as
            # IPython hands every %%klong body): the caret goes just after the last text
            # before it, not on an empty line below
            start = len(self.source[:start].rstrip()) or start
        line_start = self.source.rfind("\n", 0, start) + 1
        line_end = self.source.find("\n", start)
        if line_end < 0:
            line_end = len(self.source)
        line = self.source[line_start:line_end]
        col = start - line_start
        width = max(1, min(self.pos[1], line_end) - start)
        return line + "\n" + " " * col + "^" * width

    def _render_traceback_(self):
        """IPython shows this instead of a Python traceback."""
        ctx = self.context()
        return [self.message] + (ctx.split("\n") if ctx else [])


class KlongExit(Exception):
    """Raised by .x to leave the interpreter with an exit code."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


_NONE = object()


def undefined(name, pos=None, source=None):
    """kg's error for a variable with no value, named as written (without the module
    suffix that the compiler adds inside a module)."""
    return KlongError(f"kg: error: undefined: {name.split('`')[0]}", pos, source)


def err(verb, kind, value=_NONE, text=None, operands=None):
    """A KlongError in kg's wording: kg's kind and operands first, then, where it helps, what
    they mean (people coming from Klong search for kg's words).

    err('plus', 'type', x)                  -> kg: error: plus: type error: <x as Klong shows it>
    err('plus', 'type', operands=(1, "a"))  -> kg: error: plus: type error: [1 "a"]
    err('plus', 'shape', operands=(a, b), text='shapes [2] and [3] do not match')
                                            -> kg: error: plus: shape error: [[1 2] [1 2 3]]: shapes ...
    err('take', 'range', text='...')        -> kg: error: take: range error: ...
    """
    from klongtorch.value.values import ctx  # start-up: the CLI's --help imports errors, not torch
    msg = f"kg: error: {verb}: {kind} error"
    if ctx.klongpy:                     # name the rules in force (klongtorch.verbs.dialect)
        msg += " (klongpy dialect)"
    if operands is not None:            # as kg shows them: the operands as one list
        msg += ": " + operand_text(list(operands))
    elif value is not _NONE:
        msg += ": " + operand_text(value)
    if text:
        msg += ": " + text
    return KlongError(msg)


def expected(verb, what, value):
    """kg's other wording, for an operand of the wrong kind where a verb reads it piece by
    piece (a size of a split, a position of a cut, a dimension of a reshape, the string of a
    form): kg names the one element that is wrong, not the operands.

    expected('cut', 'integer', 2.0)         -> kg: error: cut: expected integer, got: 2.0
    """
    from klongtorch.value.values import ctx  # start-up: as in err
    dialect = " (klongpy dialect)" if ctx.klongpy else ""
    return KlongError(f"kg: error: {verb}: expected {what}{dialect}, got: {operand_text(value)}")


def operand_text(v):
    # bounded (summary.py): the whole text of a big value would take seconds to write
    from klongtorch.value.summary import summary  # start-up: needs torch (see err)
    try:
        text = summary(v).split("\n", 1)[0]
    except Exception:       # a message must never fail to build
        text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


# -- Python's exceptions in Klong's words ------------------------------------------------

# how torch says an allocation failed: on the CPU, CUDA and MPS
_OOM_MARKS = ("can't allocate memory", "out of memory", "DefaultCPUAllocator")


def out_of_memory(msg):
    """Whether a torch RuntimeError's message is an allocation failure."""
    return any(m in msg for m in _OOM_MARKS)


def _wanted(msg):
    """' (asked for 74.5 GB)' from torch's 'tried to allocate N bytes', else ''."""
    m = re.search(r"allocate (\d+) bytes", msg)
    if not m:
        return ""
    n = float(m.group(1))
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if n < 1024 or unit == "PB":
            break
        n /= 1024
    return f": asked for {n:.1f} {unit}" if unit != "bytes" else f": asked for {int(n)} bytes"


def python_error(e, name):
    """A KlongError for an exception raised inside a primitive (torch's checks, say)."""
    msg = str(e).strip().split("\n")[0]
    if isinstance(e, RuntimeError) and out_of_memory(msg):
        return KlongError(f"kg: error: out of memory in {name}{_wanted(msg)} "
                          "(a value grew without bound?)")
    if isinstance(e, UnicodeError):
        return err(name, "io", text="binary data, not UTF-8 text")
    if isinstance(e, OSError):          # a full disk, a broken pipe, a vanished file
        return err(name, "io", text=e.strerror or msg)
    # anything else is a path that should have raised a Klong error itself: say so without
    # Python's words (the exception is the KlongError's __cause__, which the CLI, the kernel
    # and the magic show under KLONGTORCH_TRACEBACK=1)
    return KlongError(f"kg: error: {name}: internal error")

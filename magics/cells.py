"""Where the Klong is in a Python cell: the code a cursor is in, for completion and help.

    %%klong -i x        a cell magic: the code after its options, then every line below
    y = %klong 1+2      a line magic: the code after %klong and its options, to the line's end

`klong_at(text, offset)` gives (code, cursor in code) when the cursor is in Klong, else None,
so the completer and the inspector hand the Klong kernel's own functions exactly the code
that %klong would run.
"""
import re

from .magic import FLAGS
from .options import split_leading

CELL_MAGIC = re.compile(r"\s*%%klong(?=\s|$)")
LINE_MAGIC = re.compile(r"^[ \t]*(?:[A-Za-z_][\w ,]*=[ \t]*)?%klong(?=[ \t]|$)", re.MULTILINE)


def code_start(text, after):
    """The offset where the Klong begins in text, past a magic ending at `after`."""
    line_end = text.find("\n", after)
    line_end = len(text) if line_end < 0 else line_end
    _, code = split_leading(text[after:line_end], FLAGS)
    return line_end - len(code)


def klong_at(text, offset):
    """(code, cursor) of the Klong around offset in a cell's text, or None (not Klong)."""
    m = CELL_MAGIC.match(text)
    if m:
        start = code_start(text, m.end())
        return (text[start:], offset - start) if offset >= start else None
    line_start = text.rfind("\n", 0, offset) + 1
    m = LINE_MAGIC.match(text, line_start)
    if not m:
        return None
    start = code_start(text, m.end())
    line_end = text.find("\n", offset)
    line_end = len(text) if line_end < 0 else line_end
    return (text[start:line_end], offset - start) if offset >= start else None


__all__ = ["klong_at"]

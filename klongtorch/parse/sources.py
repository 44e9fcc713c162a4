"""Program text from files, read as kg reads it.

kg reads a source file byte by byte, each byte one character. klongtorch reads UTF-8
(its extension operators ∇ and ∂ are UTF-8), and a file that is not valid UTF-8 is read
as kg reads it: each byte is the character of that code (Latin-1), so the author's
nstat.kg, which holds a Latin-1 byte in a comment, loads as shipped.
"""


def read_source(path):
    """The text of the program in file path (an OSError propagates to the caller)."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")       # every byte is a character, as in kg

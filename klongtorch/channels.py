"""I/O channels (SEMANTICS : I/O CHANNELS) and reading data back with .r and .rs."""
import sys

from .errors import KlongError, err
from .lexer import Lexer
from .parser import Parser


class Channel:
    """An input or output channel. The standard ones look up sys.stdin/stdout/stderr when
    used, so that Jupyter's and IPython's redirections are honoured."""
    klong_name = "channel"

    def __init__(self, name, mode, stream=None, std=None):
        self.name, self.mode = name, mode
        self._stream = stream
        self.std = std              # 'stdin' | 'stdout' | 'stderr' for the standard channels
        self.closed = False
        self.at_eof = False
        self.pending = ""           # text read ahead by .r

    @property
    def stream(self):
        return getattr(sys, self.std) if self.std else self._stream

    def write(self, text):
        if self.closed:
            raise err(".w", "io", text=f"channel {self.name} is closed")
        self.stream.write(text)

    def readline(self):
        """The next line without its newline, or None at the end of input."""
        if self.pending:
            line, nl, rest = self.pending.partition("\n")
            if nl:
                self.pending = rest
                return line
            self.pending = ""
            more = self._raw_line()
            return line + (more or "")
        return self._raw_line()

    def _raw_line(self):
        if self.closed:
            self.at_eof = True
            return None
        line = self.stream.readline()
        if not line:
            self.at_eof = True
            return None
        return line[:-1] if line.endswith("\n") else line

    def flush(self):
        if not self.closed and self.mode == "out":
            self.stream.flush()

    def close(self):
        if self.std or self.closed:
            return
        self.closed = True
        self._stream.close()

    def __repr__(self):
        return f"<klong {self.mode}put channel {self.name}>"


def open_channel(path, mode):
    modes = {"in": "r", "out": "w", "append": "a"}
    try:
        stream = open(path, modes[mode], encoding="utf-8")
    except OSError as e:
        name = {"in": ".ic", "out": ".oc", "append": ".ac"}[mode]
        raise err(name, "io", text=f"{path}: {e.strerror}") from None
    return Channel(path, "in" if mode == "in" else "out", stream)


def read_value(text):
    """The first data object in text and the offset just past it: for .r and .rs."""
    parser = Parser(text)
    tok = parser.peek()
    while tok.kind == ";":
        parser.take()
        tok = parser.peek()
    if tok.kind == "eof":
        raise KlongError("kg: error: .r: no data to read")
    if tok.kind == "open" and tok.value == ":{":
        value = parser.dict_literal()
    else:
        value = parser.literal_item()
    end = parser.buf[0].start if parser.buf else parser.lexer.pos
    return value, end


def read_from(channel):
    """Read one data object from a channel; lists and dictionaries may span lines."""
    text = ""
    while True:
        line = channel.readline()
        if line is None:
            if not text.strip():
                from .values import EOF
                return EOF
            return read_value(text)[0]
        text += line + "\n"
        try:
            value, end = read_value(text)
        except KlongError:
            if _incomplete(text):
                continue
            raise
        channel.pending = text[end:].lstrip("\n") if text[end:].strip() else ""
        return value


def _incomplete(text):
    """True when text is an unfinished list, dictionary or string."""
    lexer = Lexer(text)
    try:
        for _ in lexer.tokens():
            pass
    except KlongError:
        return True            # e.g. an unterminated string
    return bool(lexer.depth)

"""I/O channels (SEMANTICS : I/O CHANNELS) and reading data back with .r and .rs.

Nothing written is lost: every output channel opened is flushed when the process exits
(as kg does), however the program ends, and interpreters flush theirs at .x and at a reset.
"""
import atexit
import sys
import threading
import weakref

from klongtorch.parse.lexer import Lexer
from klongtorch.parse.parser import Parser
from klongtorch.value.errors import KlongError, err
from klongtorch.value.values import EOF, UNDEF


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
        self.failed = False         # a flush failed, and the error was reported

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
        try:
            line = self.stream.readline()
        except UnicodeDecodeError:      # a standard stream that is not ours to decode
            raise KlongError(f"kg: error: .rl: io error: {self.name}: binary data, "
                             "not UTF-8 text") from None
        except OSError as e:
            raise KlongError(f"kg: error: .rl: io error: {self.name}: {e.strerror}") from None
        if not line.isascii():
            line = line.translate(_BYTES)
        if not line:
            self.at_eof = True
            return None
        if not line.endswith("\n"):
            self.at_eof = True      # the read met the end, as kg's .mi sees it: a last line
            return line             # without a newline leaves no more input
        return line[:-1]

    def flush(self, who=".fl"):
        if not self.closed and self.mode == "out":
            try:
                self.stream.flush()
            except OSError as e:
                self.failed = True      # reported now: the flush at exit stays quiet
                raise err(who, "io", text=f"{self.name}: {e.strerror}") from None

    def close(self):
        if self.std or self.closed:
            return
        self.closed = True
        self._stream.close()

    def __repr__(self):
        return f"<klong {self.mode}put channel {self.name}>"


# Input is UTF-8; a byte that is not (a binary file) is read as kg reads every byte, as the
# character of that code (Latin-1). surrogateescape keeps such a byte as U+DC80..U+DCFF.
_BYTES = {0xDC00 + b: b for b in range(0x80, 0x100)}


def open_channel(path, mode):
    modes = {"in": "r", "out": "w", "append": "a"}
    try:
        stream = open(path, modes[mode], encoding="utf-8",
                      errors="surrogateescape" if mode == "in" else "strict")
    except OSError as e:
        name = {"in": ".ic", "out": ".oc", "append": ".ac"}[mode]
        raise err(name, "io", text=f"{path}: {e.strerror}") from None
    channel = Channel(path, "in" if mode == "in" else "out", stream)
    if channel.mode == "out":
        with _lock:
            _outputs.add(channel)
    return channel


# every output channel of the process, for the flush at exit; the lock: interpreters in
# several threads open channels at once
_outputs = weakref.WeakSet()
_lock = threading.Lock()


def flush_each(channels, who=".fl"):
    """Flush each channel; the message of the first failure (or None), after all tried.
    who names the operation in the message: .fl, .x, exit."""
    failure = None
    for c in channels:
        try:
            c.flush(who)
        except KlongError as e:
            failure = failure or e.message
        except (OSError, ValueError) as e:      # a stream closed or broken under us
            failure = failure or f"kg: error: {who}: io error: {c.name}: {e}"
    return failure


def close_each(channels):
    """Close each channel (its data flushed first); the first failure's message, or None."""
    failure = None
    for c in channels:
        try:
            c.close()
        except OSError as e:
            failure = failure or f"kg: error: .cc: io error: {c.name}: {e.strerror}"
    return failure


@atexit.register
def _flush_at_exit():
    with _lock:
        channels = list(_outputs)
    quiet = [c for c in channels if c.failed]
    flush_each(quiet, "exit")            # worth a try; their error was shown already
    failure = flush_each([c for c in channels if not c.failed], "exit")
    if failure:
        try:
            sys.stderr.write(failure + "\n")
        except (OSError, ValueError):
            pass


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


def read_string(text):
    """What .rs reads from text: the one data object it holds, :eof when it holds none, and
    :undefined (kg's answer when the text does not compile) for anything else: half an
    object (an unterminated string too), several objects, code."""
    try:
        if not _tokens(text):
            return EOF
        value, end = read_value(text)
        rest = _tokens(text[end:])
    except KlongError:
        return UNDEF
    return UNDEF if rest else value


def _tokens(text):
    """The tokens of text, newlines aside (a lexical error propagates)."""
    return [tok for tok in Lexer(text).tokens() if tok.value != "\n"]

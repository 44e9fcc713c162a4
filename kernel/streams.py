"""sys.stdout, sys.stderr and sys.stdin while a cell runs.

Klong's channels look sys.stdout up each time they write, so putting an IOPubStream there
for the length of a cell sends .p, .d and .w output to the notebook as `stream` messages
while the cell is still running. A write goes out at once unless another went out less
than INTERVAL ago; then it waits, at most that long, for a timer to send it with whatever
follows. So the first line of a long computation shows immediately, and a loop printing a
million lines sends some twenty messages a second rather than a million.
"""
import io
import sys
import threading
import time
from contextlib import contextmanager

INTERVAL = 0.05     # seconds between two stream messages, at least


class IOPubStream(io.TextIOBase):
    """A text stream whose writes become IOPub `stream` messages named stdout or stderr."""
    encoding = "utf-8"

    def __init__(self, send, name):
        self._send = send               # send(name, text): one stream message
        self.name = name
        self._pending = []
        self._lock = threading.Lock()   # the timer flushes from its own thread
        self._timer = None
        self._last = 0.0

    def writable(self):
        return True

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if not text:
            return 0
        with self._lock:
            self._pending.append(text)
            wait = self._last + INTERVAL - time.monotonic()
            if wait > 0 and self._timer is None:
                self._timer = threading.Timer(wait, self.flush)
                self._timer.daemon = True
                self._timer.start()
        if wait <= 0:
            self.flush()
        return len(text)

    def flush(self):
        with self._lock:
            if self._timer is not None and self._timer is not threading.current_thread():
                self._timer.cancel()
            self._timer = None
            text = "".join(self._pending)
            self._pending.clear()
            if text:
                self._last = time.monotonic()
                self._send(self.name, text)

    def close(self):
        self.flush()
        super().close()


class KernelStdin(io.TextIOBase):
    """sys.stdin for .r, .rl and .cin: each line is asked of the notebook (an input box).
    A frontend that cannot ask (allow_stdin false) gives end of input, as a closed stdin
    does."""

    def __init__(self, ask):
        self._ask = ask                 # ask(prompt) -> a line; raises when not allowed

    def readable(self):
        return True

    def readline(self, size=-1):
        from ipykernel.kernelbase import StdinNotImplementedError   # start-up: ipykernel's
        try:
            return self._ask("") + "\n"
        except (StdinNotImplementedError, EOFError):
            return ""

    def read(self, size=-1):
        return self.readline()


@contextmanager
def redirected(send, ask):
    """sys.stdout/stderr as IOPubStreams and sys.stdin as KernelStdin, for one cell; what
    is still pending is sent when the cell ends, interrupted or not."""
    saved = sys.stdout, sys.stderr, sys.stdin
    out, err = IOPubStream(send, "stdout"), IOPubStream(send, "stderr")
    sys.stdout, sys.stderr, sys.stdin = out, err, KernelStdin(ask)
    try:
        yield out, err
    finally:
        sys.stdout, sys.stderr, sys.stdin = saved
        out.flush()
        err.flush()


__all__ = ["IOPubStream", "KernelStdin", "redirected", "INTERVAL"]

"""The kernel's input history, for history_request (the console's up-arrow and %history
in other frontends). It lasts as long as the kernel: one session, numbered 1, whose line
numbers are the execution counts.

The three access types are those of the messaging protocol: tail (the last n), range
(lines start <= line < stop of a session; 0 or 1 is this one) and search (a glob pattern
such as `1?2*`, as IPython matches it; unique keeps the latest of equal inputs).
"""
import fnmatch

SESSION = 1


class History:
    """Inputs and the text of their results, in execution order."""

    def __init__(self):
        self.entries = []           # [(line, input, output or None)]

    def add(self, line, source):
        self.entries.append((line, source, None))

    def set_output(self, line, output):
        """Record the text/plain result of the input numbered line."""
        for i in range(len(self.entries) - 1, -1, -1):
            if self.entries[i][0] == line:
                self.entries[i] = (line, self.entries[i][1], output)
                return

    def _rows(self, entries, output):
        return [(SESSION, line, (source, out) if output else source)
                for line, source, out in entries]

    def tail(self, n=10, output=False):
        n = 10 if n is None else n
        return self._rows(self.entries[-n:] if n > 0 else [], output)

    def range(self, session=0, start=1, stop=None, output=False):
        if session not in (0, SESSION):
            return []
        start = 1 if start is None else start
        return self._rows([e for e in self.entries
                           if e[0] >= start and (stop is None or e[0] < stop)], output)

    def search(self, pattern="*", n=None, unique=False, output=False):
        found = [e for e in self.entries if fnmatch.fnmatchcase(e[1], pattern or "*")]
        if unique:
            latest = {}
            for e in found:
                latest[e[1]] = e
            found = sorted(latest.values(), key=lambda e: e[0])
        if n:
            found = found[-n:]
        return self._rows(found, output)

    def request(self, hist_access_type, output=False, raw=True, session=None, start=None,
                stop=None, n=None, pattern=None, unique=False, **_):
        """The rows a history_request asks for (raw and transformed input are the same)."""
        access = {"tail": lambda: self.tail(n, output),
                  "range": lambda: self.range(session or 0, start, stop, output),
                  "search": lambda: self.search(pattern, n, unique, output)}
        return access.get(hist_access_type, list)()


__all__ = ["History", "SESSION"]

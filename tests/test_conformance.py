"""The reference Klong test suite (../shared/klong/test.kg), run case by case.

test.kg is a Klong program: a header (a `.comment` block and the definitions of `err`,
`fail` and `t`), then `t("label" ; expr ; expected)` cases with setup statements between
them (definitions, `.module(...)` blocks, I/O). It is split into top-level statements;
every statement that calls `t(...)` at top level is one pytest case, and the setup
statements that lie between the previous case and it run first, in the same interpreter.

A case passes when evaluating its line leaves the suite's global `err` at 0 (the suite's
own `fail` sets it to 1 and prints 'failed: ... expected: ... got: ...', which is captured
and shown in the assertion message) and raises nothing.

Running this file standalone (`python tests/test_conformance.py`) prints the cases found.
"""
import contextlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

SUITE_PATH = Path(__file__).resolve().parents[1].parent / "shared" / "klong" / "test.kg"

_IDENT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789."   # name/number chars
_OPEN, _CLOSE = "([{", ")]}"


# --------------------------------------------------------------------------- splitting


@dataclass
class Statement:
    """One top-level Klong statement: 1-based first and last line, and its source text."""
    first_line: int
    last_line: int
    text: str
    calls_t: bool = False          # a top-level call t(...) occurs in it
    code: bool = True              # anything besides whitespace and comments


@dataclass
class Case:
    """A test case: its label, its line, its source, and the setup to run before it."""
    label: str
    line: int
    text: str
    setup: List[Statement] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"L{self.line}:{self.label}"


def _string_end(text: str, i: int) -> int:
    """Index just past the string whose opening quote is at i ("" is an escaped quote)."""
    n = len(text)
    j = i + 1
    while j < n:
        if text[j] == '"':
            if j + 1 < n and text[j + 1] == '"':
                j += 2
                continue
            return j + 1
        j += 1
    return n                        # unterminated: runs to the end of the text


def _comment_delimiter(text: str, i: int) -> Optional[str]:
    """If `.comment("X")` starts at i, return X."""
    if not text.startswith(".comment", i) or (i > 0 and text[i - 1] in _IDENT):
        return None
    j = i + len(".comment")
    if j < len(text) and text[j] in _IDENT:
        return None
    while j < len(text) and text[j] in " \t":
        j += 1
    if not text.startswith('("', j):
        return None
    end = _string_end(text, j + 1)
    return text[j + 2:end - 1].replace('""', '"')


def split_statements(text: str) -> List[Statement]:
    """Split a Klong program into top-level statements.

    A newline outside brackets, strings and comments ends a statement (inside brackets it
    is blank space, as in Klong). `.comment("X")` makes the rest of its line and every line
    up to and including one starting with X part of its statement, since that text is not
    Klong. Character literals (0cX) may hold quotes and brackets.
    """
    statements: List[Statement] = []
    n = len(text)
    i = 0
    line = 1
    start, start_line = 0, 1
    depth = 0
    calls_t = False
    code = False

    def finish(end: int, end_line: int) -> None:
        nonlocal start, start_line, calls_t, code
        body = text[start:end]
        if body.strip():
            statements.append(Statement(start_line, end_line, body, calls_t, code))
        start, start_line, calls_t, code = end, end_line, False, False

    while i < n:
        c = text[i]
        if c == "\n":
            if depth == 0:
                finish(i, line)
                start, start_line = i + 1, line + 1
            line += 1
            i += 1
            continue
        if c in " \t\r\f\v":
            i += 1
            continue
        if c == ":" and i + 1 < n and text[i + 1] == '"':            # comment
            end = _string_end(text, i + 1)
            line += text.count("\n", i, end)
            i = end
            continue
        code = True
        if c == '"':                                                   # string
            end = _string_end(text, i)
            line += text.count("\n", i, end)
            i = end
            continue
        if c == "0" and text.startswith("0c", i) and i + 2 < n and (i == 0 or text[i - 1] not in _IDENT):
            i += 3                                                     # character 0cX
            continue
        if c == "." and depth == 0:
            delim = _comment_delimiter(text, i)
            if delim is not None:
                # skip to the end of the line holding the delimiter line, inclusive
                eol = text.find("\n", i)
                pos = n if eol < 0 else eol + 1
                while pos < n:
                    eol = text.find("\n", pos)
                    line_end = n if eol < 0 else eol
                    if text.startswith(delim, pos):
                        pos = line_end
                        break
                    pos = line_end + 1
                pos = min(pos, n)
                line += text.count("\n", i, pos)
                i = pos
                continue
        if c in _IDENT:                                                # name or number
            j = i
            while j < n and text[j] in _IDENT:
                j += 1
            if text[i:j] == "t" and depth == 0 and j < n and text[j] == "(" \
                    and (i == 0 or text[i - 1] != ":"):
                calls_t = True
            i = j
            continue
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth = max(0, depth - 1)
        i += 1
    finish(n, line)
    return statements


def _label(statement: str) -> str:
    """The first argument of the top-level t(...) call when it is a string literal."""
    i = 0
    n = len(statement)
    while i < n:
        c = statement[i]
        if c == ":" and i + 1 < n and statement[i + 1] == '"':
            i = _string_end(statement, i + 1)
            continue
        if c == '"':
            i = _string_end(statement, i)
            continue
        if c == "t" and statement.startswith("t(", i) and (i == 0 or statement[i - 1] not in _IDENT + ":"):
            j = i + 2
            while j < n and statement[j] in " \t":
                j += 1
            if j < n and statement[j] == '"':
                end = _string_end(statement, j)
                return statement[j + 1:end - 1].replace('""', '"')
            break
        i += 1
    return " ".join(statement.split())



def split_suite(text: str) -> Tuple[str, List[Case], List[Statement]]:
    """Split test.kg into (header, cases, trailing statements).

    The header is everything before the first case, to be run as one program (it holds the
    `.comment` block and the definitions of err, fail and t). Each case carries the setup
    statements between the previous case and itself. Trailing statements after the last
    case (the final "ok!" report, removing test.tmp) are returned separately.
    """
    statements = split_statements(text)
    first = next((k for k, s in enumerate(statements) if s.calls_t), len(statements))
    if first < len(statements):
        header_end = _line_offset(text, statements[first].first_line)
    else:
        header_end = len(text)
    header = text[:header_end]
    cases: List[Case] = []
    pending: List[Statement] = []
    for s in statements[first:]:
        if s.calls_t:
            cases.append(Case(_label(s.text), s.first_line, s.text.strip(), pending))
            pending = []
        elif s.code:
            pending.append(s)
    return header, cases, pending


def _line_offset(text: str, line: int) -> int:
    """Offset of the start of 1-based line `line`."""
    pos = 0
    for _ in range(line - 1):
        pos = text.index("\n", pos) + 1
    return pos


def load_suite(path: Path = SUITE_PATH) -> Tuple[str, List[Case], List[Statement]]:
    return split_suite(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- pytest

# Without ../shared the reference cases are not there to run; the runner's own tests (on a
# sample suite, below) still do, so that this file never collects nothing.
if not SUITE_PATH.is_file():
    HEADER, CASES, TRAILER = "", [], []
else:
    HEADER, CASES, TRAILER = load_suite()


def _fmt_error(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"


def _err_value(value) -> Optional[int]:
    """The suite's `err` as an int, or None when it is not a number."""
    try:
        return int(value)
    except Exception:
        return None


class SuiteRunner:
    """One interpreter running the suite in order, remembering how far it has got."""

    def __init__(self, k, header=None, cases=None):
        self.k = k
        self.cases = CASES if cases is None else cases
        self.header_errors: List[str] = []
        self.next_case = 0
        out = io.StringIO()
        cases = self.cases
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                k(HEADER if header is None else header)
        except Exception as e:   # reported by every case; the cases still run
            self.header_errors.append(f"header (lines 1-{cases[0].line - 1 if cases else '?'}): "
                                      f"{_fmt_error(e)}\n{out.getvalue()}")

    def _run_setup(self, case: Case) -> List[str]:
        errors = []
        for s in case.setup:
            out = io.StringIO()
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                    self.k(s.text)
            except Exception as e:
                errors.append(f"setup line {s.first_line}: {s.text.strip()}\n"
                              f"  {_fmt_error(e)}\n{out.getvalue()}")
        return errors

    def _catch_up(self, index: int) -> None:
        """Replay the cases skipped (deselected) before `index`, silently: later cases may
        depend on what their lines define."""
        for j in range(self.next_case, index):
            case = self.cases[j]
            self._run_setup(case)
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                try:
                    self.k(case.text)
                except Exception:
                    pass

    def run(self, index: int) -> None:
        case = self.cases[index]
        self._catch_up(index)
        self.next_case = max(self.next_case, index + 1)
        problems = list(self.header_errors)
        problems += self._run_setup(case)
        out = io.StringIO()
        err = None
        try:
            self.k("err::0")
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                self.k(case.text)
            err = self.k("err")
        except Exception as e:
            problems.append(f"error: {_fmt_error(e)}")
        else:
            if _err_value(err) != 0:
                problems.append(f"err is {err!r} after the case")
        if problems:
            lines = [f"line {case.line}: {case.text}"] + problems
            printed = out.getvalue()
            if printed:
                lines.append("output:\n" + printed.rstrip("\n"))
            pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    """One interpreter for the whole suite, working in a temporary directory (the last
    case writes and reads test.tmp)."""
    workdir = tmp_path_factory.mktemp("conformance")
    old = os.getcwd()
    os.chdir(workdir)
    try:
        from klongtorch import Klong

        yield SuiteRunner(Klong())
    finally:
        os.chdir(old)


@pytest.mark.skipif(not CASES, reason=f"the reference suite is not here: {SUITE_PATH} "
                    "(the Klong distribution, beside the repository in ../shared/klong)")
@pytest.mark.parametrize("index", range(len(CASES)) or [None],
                         ids=[c.id for c in CASES] or ["missing"])
def test_reference_suite(suite, index):
    suite.run(index)


# --------------------------------------------------------------------------- the runner itself

# A suite in test.kg's shape, written for these tests: a .comment header that defines the
# checking function, cases with setup between them, and a trailing report.
SAMPLE = '''.comment("@@")
A sample suite; t(label;value;expected) complains when value differs.
@@
err::0
fail::{err::1;.d("failed: ");.p(x);.d("expected: ");.p(z);.d("got: ");.p(y);[]}
t::{:[~y~z;fail(x;y;z);[]]}
t("1+1" ; 1+1 ; 2)
a::3
b::{x*a}
t("b(2)" ; b(2) ; 6)
t("wrong" ; 1+1 ; 3)
.p("ok!")
'''


def test_a_sample_suite_splits_into_cases_with_their_setup():
    header, cases, trailer = split_suite(SAMPLE)
    assert header.startswith(".comment") and "t::{" in header
    assert [(c.label, c.line) for c in cases] == [("1+1", 7), ("b(2)", 10), ("wrong", 11)]
    assert [s.text.strip() for s in cases[1].setup] == ["a::3", "b::{x*a}"]
    assert [s.text.strip() for s in trailer] == ['.p("ok!")']


def test_the_runner_passes_good_cases_and_reports_a_wrong_one(tmp_path):
    from klongtorch import Klong

    header, cases, _ = split_suite(SAMPLE)
    runner = SuiteRunner(Klong(), header, cases)
    runner.run(1)                   # catches up with case 0 first: b needs nothing else
    runner.run(0)
    with pytest.raises(pytest.fail.Exception) as failed:
        runner.run(2)
    assert "line 11" in str(failed.value) and "failed: " in str(failed.value)


if __name__ == "__main__":
    header, cases, trailer = load_suite()
    for c in cases:
        setup = "".join(f"\n    setup L{s.first_line}: {s.text.strip()}" for s in c.setup)
        print(f"{c.id}{setup}")
    print(f"header: {header.count(chr(10))} lines; trailing statements: "
          f"{[s.text.strip() for s in trailer]}")
    print(f"{len(cases)} cases")

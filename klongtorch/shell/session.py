"""A session: one Klong interpreter, and everything done with the text a front end hands it.

Every front end (the REPL and the script runner in cli.py, the Jupyter kernel, the %%klong
magic) gives the session text and gets back one Result; it turns that record into its own
medium (a terminal, Jupyter messages, IPython's display) and catches no Klong error itself.

    s = Session(k, render=show)      # render: a value -> what the front end shows
    r = s.run("]l lib.kg\\nf(3)")     # leading ]-commands, then Klong code
    r.value, r.shown, r.error, r.exit, r.figures, r.output, r.help, r.notes

What the session owns:

    the cell        leading ]-command lines (commands.py) and the Klong code after them;
                    the code is surveyed once (lexer.survey: complete, empty, quiet)
    evaluation      k(code) and the .async work that finished meanwhile (background.rest),
                    under progress (progress.py) and with SIGINT deferred out of critical
                    sections (interrupts.py); `it` keeps the value
    errors          one Failure per stopped input, each text written here: a KlongError
                    with its caret, `kg: error: interrupted`, out of memory, an internal
                    error; .x and ]q become Result.exit
    figures         taken after each evaluation by the front end's `figures` hook

`attempt(fn, ...)` runs a front end's own set-up step (a device named on the command line,
flushing files at exit) and returns its Failure instead of raising it.
"""
import os
import sys
import traceback
from dataclasses import dataclass, field
from typing import Any, Optional

from klongtorch.display import progress
from klongtorch.parse.lexer import Survey, survey
from klongtorch.runtime import allocator, interrupts
from klongtorch.shell import commands
from klongtorch.value.errors import OUT_OF_MEMORY, KlongError, KlongExit

INTERRUPTED = "kg: error: interrupted"


def debug_wanted():
    """KLONGTORCH_TRACEBACK=1: show the Python traceback behind an error."""
    return os.environ.get("KLONGTORCH_TRACEBACK", "") not in ("", "0")


# -- what stopped an input -----------------------------------------------------------------

@dataclass
class Failure:
    """An error that stopped an input, in kg's words."""
    kind: str                   # KlongError, KeyboardInterrupt or InternalError (Jupyter's ename)
    message: str                # the kg line: kg: error: ...
    context: str = ""           # the failing source line and a caret (a script: and where)
    trace: str = ""             # the Python traceback behind it, if any
    show_trace: bool = False    # whether the text includes it (--traceback)
    error: Optional[BaseException] = None

    @property
    def details(self):
        """What goes below the message: the context, and the traceback if wanted."""
        trace = self.trace.rstrip() if self.show_trace else ""
        return "\n".join(part for part in (self.context, trace) if part)

    @property
    def text(self):
        """What a terminal prints: the message and its details."""
        return "\n".join(part for part in (self.message, self.details) if part)

    @property
    def exception(self):
        """A KlongError to raise where errors travel as exceptions (IPython shows it through
        KlongError._render_traceback_, as the kg message and the failing line)."""
        if isinstance(self.error, KlongError):
            return self.error
        e = KlongError(self.message)
        e.__cause__ = self.error if self.kind == "InternalError" else None
        return e


def _trace(e):
    return "".join(traceback.format_exception(type(e), e, e.__traceback__)) if e else ""


def _klong_error(e, debug):
    # an internal error inside a primitive is a KlongError whose __cause__ is the Python one
    return Failure("KlongError", e.message, e.context(), _trace(e.__cause__), debug, e)


def _interrupt(e, debug):
    return Failure("KeyboardInterrupt", INTERRUPTED, error=e)


def _out_of_memory(e, debug):
    return Failure("KlongError", OUT_OF_MEMORY, error=e)


def _internal(e, debug):
    return Failure("InternalError", f"kg: error: internal error: {type(e).__name__}: {e}",
                   trace=_trace(e), show_trace=debug, error=e)


# the first class an exception is an instance of says what it means (KlongExit is not here:
# it is no failure, and the callers take it first)
FAILURES = ((KlongError, _klong_error), (KeyboardInterrupt, _interrupt),
            (MemoryError, _out_of_memory), (Exception, _internal))


def failure(e, debug=False):
    """The Failure for an exception that stopped Klong code: the one place each text is
    written."""
    for kind, make in FAILURES:
        if isinstance(e, kind):
            return make(e, debug)
    raise e


def attempt(action, *args, **kw):
    """(action's result, None), or (None, its Failure) when it raises a Klong error or is
    interrupted: for a front end's own steps (a device named on the command line, a file
    to flush at exit, waiting for the interpreter)."""
    try:
        return action(*args, **kw), None
    except (KlongError, KeyboardInterrupt, MemoryError) as e:
        return None, failure(e)


# -- what an input produced -------------------------------------------------------------------

@dataclass
class Result:
    """What one input produced, for a front end to show in its medium."""
    code: Optional[str] = None      # the Klong code evaluated (]l: the .l(...) it means)
    value: Any = None               # its value (None when nothing ran or it stopped)
    shown: Any = None               # render(value); None when quiet, not shown, or stopped
    quiet: bool = True              # the code ends with ';' (or nothing was evaluated)
    error: Optional[Failure] = None
    exit: Any = None                # .x's or ]q's exit code: the front end leaves, or says why not
    figures: list = field(default_factory=list)     # what the `figures` hook took
    output: list = field(default_factory=list)      # ]-command text for standard output
    help: list = field(default_factory=list)        # ]h texts: printed, or paged in a notebook
    notes: list = field(default_factory=list)       # kg messages that did not stop the input
    transcript: Optional[str] = None                # ]t: a file to start one in; "" stops it

    @property
    def ran(self):
        """Whether Klong code was evaluated, successfully or not."""
        return self.code is not None


def exit_code(code):
    """The process exit code for .x's argument."""
    try:
        return int(code)
    except (TypeError, ValueError):
        return 1


def split_commands(text):
    """([]-command lines], the Klong code after them): commands lead, one per line."""
    if text and not text[0].isspace() and "]" not in text:
        return [], text             # the usual input: its first line is code
    lines = text.split("\n")
    found = []
    while lines and (commands.is_command(lines[0]) or not lines[0].strip()):
        line = lines.pop(0).strip()
        if line:
            found.append(line)
    return found, "\n".join(lines)


def status(text, check_syntax=False):
    """"incomplete" while a bracket or string is open (a REPL prompts for more, a console
    asks for another line), "invalid" when the parser rejects it, else "complete". The
    parser's check needs torch: check_syntax says whether to make it (a kernel still
    loading torch answers at once from the lexer alone)."""
    code = split_commands(text)[1]
    facts = survey(code)
    if not facts.complete:
        return "incomplete"
    if facts.empty or ".comment" in code or not check_syntax:
        return "complete"               # (.comment makes the rest text, not Klong)
    from klongtorch.parse.parser import parse  # imports torch: only when asked (start-up time)
    return "invalid" if attempt(parse, code)[1] else "complete"


# -- the session ------------------------------------------------------------------------------

_background = None          # klongtorch.ext.background, once run_finished_work imported it


def run_finished_work(interp, wait=False):
    """background.rest: the callbacks of finished .async calls and the timers that are due;
    imported at first use (start-up: it needs torch, and this module is imported by
    the kernel and by `klongtorch --help` before torch loads), and kept: an import
    statement run for every cell was a third of what the session adds to one."""
    global _background
    if _background is None:
        from klongtorch.ext import background       # start-up: torch (see above)
        _background = background
    _background.rest(interp, wait)


_WHOLE = Survey(True, False, False)


class Session:
    """One interpreter and the front end's choices of how to show things.

    render(value)      what the front end shows of a value (text, a mime bundle)
    figures(interp)    takes the figures drawn (None: leave them pending)
    refused            ]-commands the medium has no use for: name -> why (kg: error: ...)
    stream_shell       ]! writes its output to sys.stdout (a notebook has no terminal)
    debug              tracebacks behind errors are shown (default: KLONGTORCH_TRACEBACK)
    """

    def __init__(self, interp, render=None, figures=None, refused=None, stream_shell=False,
                 debug=None):
        self.interp = interp
        self.render = render or (lambda value: value)
        self.figures = figures
        self.refused = refused or {}
        self.stream_shell = stream_shell
        self.debug = debug_wanted() if debug is None else debug

    # -- inputs --

    def run(self, text, show=True, remember=True, progress=None):
        """A cell or a REPL input: its leading ]-commands one by one, then its Klong code.
        The first error stops it."""
        lines, code = split_commands(text)
        result = Result()
        for line in lines:
            self.command(line, result, show, remember, progress)
            if result.error is not None:
                return result
        if code.strip():
            self._evaluate(result, code, lambda: self.interp(code), show, remember, progress)
        return result

    def evaluate(self, code, show=True, remember=True, progress=None):
        """Klong code only (no ]-commands)."""
        return self._evaluate(Result(), code, lambda: self.interp(code), show, remember,
                              progress)

    def script(self, text, filename=None, show=False, progress=None):
        """A program (a file, standard input, -e): run whole, its value not kept in `it`;
        an error names the file and line."""
        interp = self.interp

        def run():
            with interp.active():
                return interp.run(text, filename=filename)
        result = self._evaluate(Result(), text, run, show, False, progress, blanks=True)
        if result.error is not None and filename and isinstance(result.error.error, KlongError):
            e = result.error.error
            if e.source == text and e.pos and result.error.context:
                line = text.count("\n", 0, e.pos[0]) + 1
                result.error.context += f"\n  in {filename}, line {line}"
        return result

    def rest(self, wait=True, progress=None):
        """The end of a script: wait for its .async work, running the callbacks."""
        return self._evaluate(Result(), "", lambda: run_finished_work(self.interp, wait), False, False,
                              progress, blanks=True)

    def _evaluate(self, result, code, action, show, remember, progress_display,
                  blanks=False):
        """Run action (the code's evaluation) into result. Code of only blanks and comments
        is not evaluated, unless blanks (a script's value is then :eof, as kg's)."""
        # a script is not surveyed unless its value is shown: it is run whole, as it is
        facts = survey(code) if show or not blanks else _WHOLE
        if facts.empty and not blanks:
            return result
        result.code, result.quiet = code, facts.quiet
        result.value = result.shown = result.error = None
        interp = self.interp
        try:
            # no watch, and no stand-in for one, where there is no display: a %klong line in
            # a Python loop comes here on every call, with the caches cold after its work
            if progress_display is None:
                value, stopped = self._guarded(action, not blanks)
            else:
                with progress.watched(progress_display):
                    value, stopped = self._guarded(action, not blanks)
            figures = self._take_figures()
            if figures:
                result.figures.extend(figures)
            if stopped is not None:
                return self._stopped(result, stopped)
            result.value = value
            if remember:
                interp.globals["it"] = value
            if show and not facts.quiet and not self._drew_only(result):
                result.shown, result.error = self.display(value)
        finally:
            allocator.settle()          # gigabytes freed go back to the system (allocator.py)
        return result

    def _guarded(self, action, rest_after):
        """(value, None), or (None, what stopped it: a Failure or a KlongExit)."""
        interp = self.interp
        try:
            with interrupts.installed():
                value = action()
                if rest_after:
                    run_finished_work(interp)   # finished .async work, due timers
            return value, None
        except KlongExit as e:
            return None, e
        except (Exception, KeyboardInterrupt) as e:     # a Failure says which
            return None, failure(e, self.debug)
        finally:
            interp.reset_channels()     # back to .cin and .cout, as kg after each input

    @staticmethod
    def _stopped(result, stopped):
        if isinstance(stopped, KlongExit):
            result.exit = stopped.code
        else:
            result.error = stopped
        return result

    @staticmethod
    def _drew_only(result):
        # a cell that only drew shows its figures, not the [] that drawing returns
        return bool(result.figures) and type(result.value) is list and not result.value

    def _take_figures(self):
        return self.figures(self.interp) if self.figures is not None else []

    def display(self, value):
        """(render(value), None), or (None, the Failure that stopped it): building a display
        can be interrupted, or run out of memory, as the code can."""
        try:
            with interrupts.installed():
                return self.render(value), None
        except (Exception, KeyboardInterrupt) as e:
            return None, failure(e, self.debug)

    # -- ]-commands --

    def command(self, line, result, show=True, remember=True, progress=None):
        """One ]-command line, added to result (commands.py says what each means)."""
        name = line.strip()[1:2]
        if name in self.refused:
            outcome = commands.Outcome(error=f"kg: error: {self.refused[name]}")
        else:
            outcome = commands.run(line, self.interp)
        if outcome.error:
            result.error = Failure("KlongError", outcome.error)
            return result
        (result.help if outcome.help else result.output).extend(
            [outcome.text] if outcome.text else [])
        if outcome.source is not None:
            self._evaluate(result, outcome.source, lambda: self.interp(outcome.source), show,
                           remember, progress)
        if outcome.shell is not None:
            self.shell(outcome.shell, result)
        if outcome.transcript is not None:
            result.transcript = outcome.transcript
        if outcome.exit is not None:
            result.exit = outcome.exit
        return result

    def shell(self, command, result):
        """]!: the command's output goes to the terminal, or to sys.stdout (stream_shell)."""
        out = sys.stdout if self.stream_shell else None
        sys.stdout.flush()
        try:
            with interrupts.installed():
                commands.run_shell(command, out=out)
        except OSError as e:
            result.notes.append(f"kg: error: ]!: {e}")
        except KeyboardInterrupt:
            result.notes.append("kg: error: ]!: interrupted")


__all__ = ["Session", "Result", "Failure", "failure", "attempt", "status", "split_commands",
           "exit_code", "run_finished_work", "INTERRUPTED", "debug_wanted"]

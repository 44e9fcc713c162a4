"""The klongtorch command: a kg-style REPL and script runner.

    klongtorch                      the REPL
    klongtorch prog.kg a b c        run prog.kg with .a bound to ["a" "b" "c"], then exit
    klongtorch -e '+/!10'           evaluate, print the result, exit (arguments after the
                                    options become .a)
    klongtorch -l lib.kg ...        load files first (repeatable)
    --device cpu|cuda|mps   --dtype float32|float64   --backend torch   -q (no banner)
    klongtorch --klongpy prog.kg    run in the KlongPy dialect (klongtorch.dialect)

Exit codes: 0 on success; .x(n) exits with n; 1 after an uncaught Klong error (its message
and the failing source line go to stderr) or an internal error; 2 for a usage problem such as
a missing script file or an unknown backend; 130 after control-C in a script.

The REPL prompts with eight blanks, as kg does, and prints each result in Klong's readable
form at the left margin. An input whose brackets or string are still open is continued on
the next line after the prompt "      > ". Results are kept in `it`; an input that ends with
`;` is not shown (as in the kernel), so `.p(s);` prints s once. Commands: ]q quit,
]h topic help (]hall lists all topics), ]a word apropos, ]l file load, ]! cmd shell,
]i dir list *.kg files, ]t file transcript. With a terminal, lines are edited with readline
and the history is kept in ~/.klongtorch_history (or $KLONGTORCH_HISTORY).

A user's mistake never shows a Python traceback; an interpreter bug is reported as
`kg: error: internal error: ...`, with the traceback only under --traceback or
KLONGTORCH_TRACEBACK=1.
"""
import argparse
import os
import sys
import traceback

from . import allocator, commands
from . import help as helptable
from .errors import KlongError, KlongExit

PROMPT = " " * 8
PROMPT2 = "      > "
HISTORY_FILE = "~/.klongtorch_history"
HISTORY_LENGTH = 1000
BACKENDS = ("torch",)
DTYPES = ("float32", "float64")

# options that take a value: the first argument that is neither an option nor such a value
# is the script, and everything after it belongs to the script
VALUE_OPTIONS = {"-e", "--eval", "-l", "--load", "--device", "--dtype", "--backend"}


class Usage(Exception):
    """A command-line mistake: the message is printed and the exit code is 2."""


# -- reporting ---------------------------------------------------------------------------


def rest(k, wait=False):
    """background.rest, imported at first use: it needs torch, and this module is imported
    by the kernel before torch loads (kernel/startup.py)."""
    from . import background
    background.rest(k, wait)

def debug_wanted():
    return os.environ.get("KLONGTORCH_TRACEBACK", "") not in ("", "0")


def report(e, err=None, filename=None, text=None):
    """Print a KlongError as kg does: the message, then the failing line with a caret."""
    err = err or sys.stderr
    lines = [e.message]
    ctx = e.context()
    if ctx:
        lines.append(ctx)
        if filename and text is not None and e.source == text and e.pos:
            line = text.count("\n", 0, e.pos[0]) + 1
            lines.append(f"  in {filename}, line {line}")
    err.write("\n".join(lines) + "\n")
    err.flush()


def report_internal(e, err=None, debug=False):
    err = err or sys.stderr
    err.write(f"kg: error: internal error: {type(e).__name__}: {e}\n")
    if debug:
        traceback.print_exception(type(e), e, e.__traceback__, file=err)
    err.flush()


def exit_code(e):
    """The process exit code for a KlongExit."""
    try:
        return int(e.code)
    except (TypeError, ValueError):
        return 1


# -- input -------------------------------------------------------------------------------

def scan(text):
    """(complete, empty): whether text can be evaluated as it is, and whether it holds
    nothing but blanks, newlines and comments. An unterminated string or an open bracket
    makes it incomplete; other lexical errors are left for the evaluation to report."""
    from .lexer import Lexer        # no torch, but not needed for --help either
    lexer = Lexer(text)
    empty = True
    try:
        for tok in lexer.tokens():
            if tok.kind != ";":
                empty = False
    except KlongError as e:
        if "unterminated string" in e.message:
            return False, False
        return True, False
    return not lexer.depth, empty


def quiet(text):
    """Whether text ends with ';' (comments and newlines aside): then its value is not shown,
    as in the kernel and %%klong, so `.p(s);` prints s once. kg calls a trailing ';' a
    syntax error, so no kg program means anything else by it."""
    from .lexer import Lexer
    last = None
    try:
        for tok in Lexer(text).tokens():
            if tok.value != "\n":
                last = tok
    except KlongError:
        return False
    return last is not None and last.kind == ";"


# display and plots need torch: imported when first used, so that --help and --version
# answer at once
def show(value):
    from .display import show as show_value
    return show_value(value)


def progress_on(err):
    """Progress of long work (klongtorch.progress) on err's line, when err is a terminal."""
    from contextlib import nullcontext
    if not getattr(err, "isatty", lambda: False)():
        return nullcontext()
    from . import progress
    return progress.watched(progress.TerminalDisplay(err))


def write_figures(k, err):
    from .plots import write_pending
    write_pending(k, err)


# -- the REPL ----------------------------------------------------------------------------

class Repl:
    """The read-evaluate-print loop over one interpreter."""

    def __init__(self, k, stdin=None, stdout=None, stderr=None, interactive=None,
                 debug=False):
        self.k = k
        self._stdin, self._stdout, self._stderr = stdin, stdout, stderr
        self.interactive = self.stdin.isatty() if interactive is None else interactive
        self.debug = debug
        self.transcript = None
        self.readline = None

    # the streams are looked up when used, so that redirections (pytest, Jupyter) work
    @property
    def stdin(self):
        return self._stdin or sys.stdin

    @property
    def out(self):
        return self._stdout or sys.stdout

    @property
    def err(self):
        return self._stderr or sys.stderr

    # -- line input --

    def read_line(self, prompt):
        """One line without its newline; EOFError at the end of input."""
        if self.interactive and self.stdin is sys.stdin:
            return input(prompt)
        if self.interactive:
            self.out.write(prompt)
            self.out.flush()
        line = self.stdin.readline()
        if not line:
            raise EOFError
        return line[:-1] if line.endswith("\n") else line

    def read_input(self):
        """The next complete input (possibly several lines), or None at the end of input.
        KeyboardInterrupt while typing discards what was typed and asks again."""
        while True:
            try:
                line = self.read_line(PROMPT)
            except KeyboardInterrupt:
                self.out.write("\n")
                continue
            if line.lstrip().startswith("]"):
                return line.strip()
            text = line
            try:
                while not scan(text)[0]:
                    text += "\n" + self.read_line(PROMPT2)
            except KeyboardInterrupt:
                self.out.write("\n")
                continue
            except EOFError:
                pass            # evaluate what there is: the error says what is missing
            return text

    def setup_readline(self):
        if not (self.interactive and self.stdin is sys.stdin):
            return
        try:
            import readline
        except ImportError:
            return
        self.readline = readline
        self.history = os.path.expanduser(os.environ.get("KLONGTORCH_HISTORY", HISTORY_FILE))
        try:
            readline.read_history_file(self.history)
        except (OSError, ValueError):
            pass
        readline.set_history_length(HISTORY_LENGTH)
        readline.set_completer(self.complete)
        readline.set_completer_delims(" \t\n()[]{};:'\"+-*%^!&|<>=~,#_?@$/\\")
        doc = getattr(readline, "__doc__", "") or ""
        if "libedit" in doc:
            readline.parse_and_bind("bind ^I rl_complete")
        else:
            readline.parse_and_bind("tab: complete")

    def save_history(self):
        if self.readline is not None:
            try:
                self.readline.write_history_file(self.history)
            except OSError:
                pass

    def complete(self, text, state):
        """readline completion over the globals and the help topics."""
        if state == 0:
            names = set(self.k.globals) | set(helptable.topics(self.k))
            self._matches = sorted(n for n in names if n.startswith(text))
        return self._matches[state] if state < len(self._matches) else None

    # -- the loop --

    def banner(self):
        import torch

        from . import __version__
        dtype = str(self.k.dtype).replace("torch.", "")
        return (f"klongtorch {__version__} (torch {torch.__version__}, {self.k.device}, "
                f"{dtype}); ]h for help, ]q to quit")

    def run(self, banner=True):
        """Loop until ]q, .x or the end of input; return the exit code."""
        self.setup_readline()
        if banner and self.interactive:
            self.out.write(self.banner() + "\n")
        try:
            while True:
                try:
                    text = self.read_input()
                    if text is None:
                        if self.interactive:
                            self.out.write("\n")
                        return 0
                    if text.startswith("]"):
                        code = self.command(text)
                    else:
                        code = self.evaluate(text)
                except KeyboardInterrupt:       # between reading and evaluating
                    self.out.write("\n")
                    continue
                if code is not None:
                    return code
        except EOFError:
            if self.interactive:
                self.out.write("\n")
            return 0
        finally:
            self.out.flush()
            self.stop_transcript()
            self.save_history()

    def record(self, text, prefix=""):
        if self.transcript is not None:
            self.transcript.write("".join(prefix + line + "\n" for line in text.split("\n")))
            self.transcript.flush()

    def evaluate(self, text):
        """Evaluate one input and print its value; an exit code only when Klong exits."""
        complete, empty = scan(text)
        if empty and complete:
            return None
        self.record(text, "\t")
        k = self.k
        try:
            with progress_on(self.err):
                value = k(text)
                rest(k)                     # finished .async work, due timers
            shown = None if quiet(text) else self.display(value)
        except KlongExit as e:
            return exit_code(e)
        except KlongError as e:
            report(e, self.err)
            self.record(e.message)
        except KeyboardInterrupt:
            self.err.write("kg: error: interrupted\n")
            self.err.flush()
            self.record("kg: error: interrupted")
        except MemoryError:             # in the display, outside the interpreter's guard
            from .interpreter import OUT_OF_MEMORY
            self.err.write(OUT_OF_MEMORY + "\n")
            self.record(OUT_OF_MEMORY)
        except Exception as e:          # an interpreter bug: say so and carry on
            report_internal(e, self.err, self.debug)
        else:
            k.globals["it"] = value
            if shown is not None:
                self.out.write(shown + "\n")
                self.out.flush()
                self.record(shown)
        finally:
            k.reset_channels()
            write_figures(k, self.err)           # figures drawn by this input, as PNG files
            allocator.release()                  # gigabytes freed go back to the system
        return None

    def display(self, value):
        """The value as printed: at a terminal, bounded for a large value (head … tail and
        the shape, klongtorch.summary); into a pipe, whole, as kg prints it."""
        if self.interactive:
            from .summary import summary
            return summary(value)
        return show(value)

    # -- ]commands --

    def command(self, line):
        """A ]-command (klongtorch.commands says what it means); an exit code only for ]q."""
        outcome = commands.run(line, self.k)
        if outcome.error:
            self.err.write(outcome.error + "\n")
            self.err.flush()
        if outcome.text:
            self.out.write(outcome.text + "\n")
            self.out.flush()
        if outcome.source is not None:
            return self.evaluate(outcome.source)
        if outcome.shell is not None:
            self.out.flush()
            try:
                commands.run_shell(outcome.shell)
            except (OSError, KeyboardInterrupt) as e:
                self.err.write(f"kg: error: ]!: {e}\n")
        if outcome.transcript is not None:
            self.start_transcript(outcome.transcript)
        return outcome.exit

    def start_transcript(self, path):
        """Stop the transcript, and start a new one in path unless it is empty."""
        self.stop_transcript()
        if path:
            try:
                self.transcript = open(path, "a", encoding="utf-8")
            except OSError as e:
                self.err.write(f"kg: error: ]t: {path}: {e.strerror}\n")

    def stop_transcript(self):
        if self.transcript is not None:
            self.transcript.close()
            self.transcript = None


# -- the command line --------------------------------------------------------------------

def split_argv(argv):
    """(options, positionals): options stop at the first argument that is not an option
    (the script), so the script's own arguments may start with '-'."""
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return argv[:i], argv[i + 1:]
        if not a.startswith("-") or a == "-":
            return argv[:i], argv[i:]
        if a in VALUE_OPTIONS:
            i += 2
        else:
            i += 1
    return argv, []


def make_parser():
    p = argparse.ArgumentParser(
        prog="klongtorch", allow_abbrev=False,
        description="The Klong array language on PyTorch: a REPL and script runner.",
        usage="klongtorch [options] [script.kg [args ...]]",
        epilog="Without a script or -e, klongtorch starts the REPL (]h for help there). "
               "Arguments after the script, or after the options with -e, are bound to .a.")
    p.add_argument("-e", "--eval", action="append", default=[], metavar="EXPR",
                   help="evaluate EXPR, print its value and exit (repeatable)")
    p.add_argument("-l", "--load", action="append", default=[], metavar="FILE",
                   help="load FILE before anything else (repeatable; KLONGPATH is searched)")
    p.add_argument("--device", help="cpu, cuda or mps (default: the best available)")
    p.add_argument("--dtype", choices=DTYPES, help="the dtype of reals (default: float64)")
    p.add_argument("--backend", default="torch", help="the array backend: torch (the only one)")
    p.add_argument("--no-lift", action="store_true",
                   help="run adverbs over lambdas element by element, never lifted to whole "
                        "tensors (the same answers, slower: for comparing)")
    p.add_argument("--klongpy", action="store_true",
                   help="the KlongPy dialect: atomic dyads broadcast arrays of different "
                        "shapes as NumPy does, negative indices count from the end (off: "
                        "kg's Klong; inside Klong, .klongpy(1))")
    p.add_argument("-q", "--quiet", action="store_true", help="no banner in the REPL")
    p.add_argument("--traceback", action="store_true",
                   help="show Python tracebacks of internal errors")
    from . import __version__
    p.add_argument("--version", action="version", version=f"klongtorch {__version__}")
    return p


def check_device(name):
    """The device, or Usage when it is unknown or not available here (klongtorch.devices)."""
    if name is None:
        return None
    from . import devices
    try:
        return devices.resolve(name)
    except KlongError as e:
        raise Usage(e.message) from None


def run_file(k, path, debug, err):
    """Run a program file; None on success, else an exit code."""
    from .sources import read_source
    try:
        text = read_source(path)
    except OSError as e:
        err.write(f"kg: error: can't open {path}: {e.strerror}\n")
        return 2
    # .py and .pyf find Python modules beside the script, wherever it is run from
    k.script_dir = os.path.dirname(os.path.abspath(path))
    return guarded(lambda: k.run(text, filename=path), k, debug, err, path, text)


def guarded(action, k, debug, err, filename=None, text=None):
    """Run action in k's context; None on success, else the exit code."""
    try:
        with k.active(), progress_on(err):
            action()
    except KlongExit as e:
        return exit_code(e)
    except KlongError as e:
        report(e, err, filename, text)
        if debug and e.__cause__ is not None:       # an internal error: the Python behind it
            traceback.print_exception(type(e.__cause__), e.__cause__,
                                      e.__cause__.__traceback__, file=err)
        return 1
    except KeyboardInterrupt:
        err.write("kg: error: interrupted\n")
        return 130
    except Exception as e:
        report_internal(e, err, debug)
        return 1
    finally:
        k.reset_channels()
        write_figures(k, err)                    # figures drawn by the script, as PNG files
    return None


def find_script(k, name):
    """A script's path: the name as given, else searched like .l (KLONGPATH, .kg)."""
    if name == "-" or os.path.isfile(name):
        return name
    try:
        return k.find_file(name)
    except KlongError:
        raise Usage(f"kg: error: file not found: {name}") from None


def main(argv=None):
    """The klongtorch command; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _main(argv)
    except BrokenPipeError:             # e.g. klongtorch prog.kg | head
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 1


def _main(argv):
    err = sys.stderr
    options, positionals = split_argv(argv)
    try:
        args = make_parser().parse_args(options)
    except SystemExit as e:            # --help, --version, or a usage error already shown
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    debug = args.traceback or debug_wanted()
    try:
        if args.backend not in BACKENDS:
            raise Usage(f"kg: error: unsupported backend: {args.backend} "
                        "(klongtorch runs on torch only)")
        device = check_device(args.device)
        allocator.tune()            # this process is ours: big arrays fast every run
        from .interpreter import Klong, own_process
        own_process()               # the recursion limit and integer digits Klong needs
        own_interrupts()
        try:
            k = Klong(device=device, dtype=args.dtype, lift=not args.no_lift,
                      klongpy=args.klongpy)
        except KlongError as e:
            raise Usage(e.message) from None
        script = None
        if positionals and not args.eval:
            script, positionals = find_script(k, positionals[0]), positionals[1:]
        k.globals[".a"] = list(positionals)
        from .system import script_arguments      # torch is loaded by now; not at import
        k.globals[".os.argv"] = script_arguments(positionals)
        for name in args.load:
            try:
                path = k.find_file(name)
            except KlongError as e:
                raise Usage(e.message) from None
            code = run_file(k, path, debug, err)
            if code is not None:
                return finish(k, code, err)
    except Usage as e:
        err.write(f"{e}\n")
        return 2

    if script is not None:
        if script == "-":
            text = sys.stdin.read()
            code = guarded(lambda: k.run(text, filename="-"), k, debug, err, "-", text)
        else:
            code = run_file(k, script, debug, err)
        if code is None:        # .async work still running: wait, and run its callbacks
            code = guarded(lambda: rest(k, wait=True), k, debug, err)
        return finish(k, code or 0, err)

    if args.eval:
        for expr in args.eval:
            def evaluate(expr=expr):
                value = k.run(expr)
                if not quiet(expr):
                    sys.stdout.write(show(value) + "\n")
            code = guarded(evaluate, k, debug, err)
            if code is not None:
                return finish(k, code, err)
        return finish(k, 0, err)

    return finish(k, Repl(k, debug=debug).run(banner=not args.quiet), err)


def own_interrupts():
    """The process is Klong's: control-C goes through the deferring handler all the time,
    not only inside k(...), so that the REPL's own restores (the channels put back after
    each input) cannot be cut in half either. Outside them it is a KeyboardInterrupt, as
    before; a process started with SIGINT ignored keeps ignoring it."""
    import signal

    from . import interrupts
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, interrupts.handler)


def finish(k, code, err):
    """The exit code, once everything written has reached its file (as kg does, output
    channels left open are flushed at exit): a failure there, such as a full disk, is
    reported and the exit code becomes 1."""
    try:
        k.flush_channels("exit")
    except KlongError as e:
        err.write(e.message + "\n")
        return code or 1
    return code


if __name__ == "__main__":
    sys.exit(main())

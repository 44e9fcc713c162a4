"""The klongtorch command: a kg-style REPL and script runner.

    klongtorch                      the REPL
    klongtorch prog.kg a b c        run prog.kg with .a bound to ["a" "b" "c"], then exit
    klongtorch -e '+/!10'           evaluate, print the result, exit (arguments after the
                                    options become .a)
    klongtorch -l lib.kg ...        load files first (repeatable)
    --device cpu|cuda|mps   --dtype float32|float64   --backend torch   -q (no banner)
    klongtorch --klongpy prog.kg    run in the KlongPy dialect (klongtorch.verbs.dialect)

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

The REPL and the script runner are adapters over klongtorch.shell.session: it evaluates, and they
print the Result it returns. A user's mistake never shows a Python traceback; an interpreter bug is reported as
`kg: error: internal error: ...`, with the traceback only under --traceback or
KLONGTORCH_TRACEBACK=1.
"""
import argparse
import os
import signal
import sys

from klongtorch import __version__
from klongtorch.display import progress
from klongtorch.parse.sources import read_source
from klongtorch.runtime import allocator, collector, interrupts
from klongtorch.shell import commands
from klongtorch.shell import help as helptable
from klongtorch.shell.session import Session, attempt, debug_wanted, exit_code, status

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


# -- showing what the session produced -------------------------------------------------

# start-up: the text forms and the figures need torch, imported when first used, so that
# --help and --version answer at once
def show(value):
    from klongtorch.value.text import show as show_value  # start-up: torch
    return show_value(value)


def progress_display(err):
    """Where progress of long work goes (klongtorch.display.progress): err's line, when err is a
    terminal; else nowhere (None)."""
    if not getattr(err, "isatty", lambda: False)():
        return None
    return progress.TerminalDisplay(err)


def write_figures(k, err):
    """The figures drawn by an input or a script, written as PNG files (figures.py)."""
    from klongtorch.display.figures import write_pending  # start-up: torch and matplotlib
    write_pending(k, err)


def write(stream, text):
    stream.write(text + "\n")
    stream.flush()


def stopped(k, result, err):
    """What a script or -e expression ended with: the error written, the figures it drew
    written; None when it went on, else the exit code (130 after an interrupt)."""
    if result.error is not None:
        write(err, result.error.text)
    write_figures(k, err)
    if result.exit is not None:
        return exit_code(result.exit)
    if result.error is not None:
        return 130 if result.error.kind == "KeyboardInterrupt" else 1
    return None


# -- the REPL ----------------------------------------------------------------------------

class Repl:
    """The read-evaluate-print loop over one session."""

    def __init__(self, k, stdin=None, stdout=None, stderr=None, interactive=None,
                 debug=False, session=None):
        self.k = k
        self._stdin, self._stdout, self._stderr = stdin, stdout, stderr
        self.interactive = self.stdin.isatty() if interactive is None else interactive
        self.session = session or Session(k, debug=debug)
        self.session.render = self.display
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
        Control-C while typing discards what was typed and asks again."""
        while True:
            try:
                return self.read_lines()
            except KeyboardInterrupt:       # the terminal's: typing, not Klong
                self.out.write("\n")

    def read_lines(self):
        line = self.read_line(PROMPT)
        if commands.is_command(line):
            return line.strip()
        text = line
        try:
            while status(text) == "incomplete":
                text += "\n" + self.read_line(PROMPT2)
        except EOFError:
            pass                # evaluate what there is: the error says what is missing
        return text

    def setup_readline(self):
        if not (self.interactive and self.stdin is sys.stdin):
            return
        try:
            import readline  # optional: not on every platform, and only for a terminal
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
        import torch  # start-up: loaded by now (the interpreter is made)
        dtype = str(self.k.dtype).replace("torch.", "")
        return (f"klongtorch {__version__} (torch {torch.__version__}, {self.k.device}, "
                f"{dtype}); ]h for help, ]q to quit")

    def run(self, banner=True):
        """Loop until ]q, .x or the end of input; return the exit code."""
        self.setup_readline()
        if banner and self.interactive:
            self.out.write(self.banner() + "\n")
        try:
            code = None
            while code is None:
                code = self.step()
            return code
        finally:
            self.out.flush()
            self.stop_transcript()
            self.save_history()

    def step(self):
        """Read one input and evaluate it: None to go on, else the exit code."""
        try:
            text = self.read_input()
        except EOFError:
            text = None
        if text is None:                    # the end of input
            if self.interactive:
                self.out.write("\n")
            return 0
        try:
            return self.evaluate(text)
        except KeyboardInterrupt:           # the terminal's, after Klong ended: a new line
            self.out.write("\n")
            return None

    def record(self, text, prefix=""):
        if self.transcript is not None:
            self.transcript.write("".join(prefix + line + "\n" for line in text.split("\n")))
            self.transcript.flush()

    def evaluate(self, text):
        """Run one input (Klong code or a ]-command) and show what it produced; an exit code
        only when it asks to leave (]q, .x)."""
        result = self.session.run(text, progress=progress_display(self.err))
        self.show(result)
        write_figures(self.k, self.err)          # figures drawn by this input, as PNG files
        return None if result.exit is None else exit_code(result.exit)

    def show(self, result):
        """A Result on the terminal, and in the transcript."""
        for text in result.help + result.output:
            write(self.out, text)
        if result.ran:
            self.record(result.code, "\t")
        if result.error is not None:
            write(self.err, result.error.text)
            if result.error.kind != "InternalError":
                self.record(result.error.message)
        elif result.shown is not None:
            write(self.out, result.shown)
            self.record(result.shown)
        for note in result.notes:
            write(self.err, note)
        if result.transcript is not None:
            self.start_transcript(result.transcript)

    def display(self, value):
        """The value as printed: at a terminal, bounded for a large value (head … tail and
        the shape, klongtorch.value.summary); into a pipe, whole, as kg prints it."""
        if self.interactive:
            from klongtorch.value.summary import summary  # start-up: torch
            return summary(value)
        return show(value)

    # -- ]t --

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
    p.add_argument("--version", action="version", version=f"klongtorch {__version__}")
    return p


def check_device(name):
    """The device, or Usage when it is unknown or not available here (klongtorch.value.devices)."""
    if name is None:
        return None
    from klongtorch.value import devices  # start-up: torch
    return settled(devices.resolve, name)


def settled(action, *args, **kw):
    """action's result, or Usage with the kg message of the Klong error it raised."""
    result, failure = attempt(action, *args, **kw)
    if failure is not None:
        raise Usage(failure.message)
    return result


def run_file(session, path, err):
    """Run a program file; None on success, else an exit code."""
    try:
        text = read_source(path)
    except OSError as e:
        err.write(f"kg: error: can't open {path}: {e.strerror}\n")
        return 2
    # .py and .pyf find Python modules beside the script, wherever it is run from
    session.interp.script_dir = os.path.dirname(os.path.abspath(path))
    return run_text(session, text, path, err)


def run_text(session, text, filename, err):
    result = session.script(text, filename=filename, progress=progress_display(err))
    return stopped(session.interp, result, err)


def find_script(k, name):
    """A script's path: the name as given, else searched like .l (KLONGPATH, .kg)."""
    if name == "-" or os.path.isfile(name):
        return name
    path, failure = attempt(k.find_file, name)
    if failure is not None:
        raise Usage(f"kg: error: file not found: {name}")
    return path


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
        session, script = start(args, positionals, debug)
        code = load(session, args.load, err)
    except Usage as e:
        err.write(f"{e}\n")
        return 2
    k = session.interp
    if code is None:
        code = act(session, args, script, err)
    return finish(k, code, err)


def start(args, positionals, debug):
    """(the session, the script's path or None): the interpreter made as the options say,
    .a and .os.argv bound; Usage when an option cannot be honoured."""
    if args.backend not in BACKENDS:
        raise Usage(f"kg: error: unsupported backend: {args.backend} "
                    "(klongtorch runs on torch only)")
    device = check_device(args.device)
    allocator.tune()            # this process is ours: big arrays fast every run
    collector.pause()           # and so is its collector: none while torch is imported
    from klongtorch.interpreter import Klong, own_process  # start-up: torch, after --help
    own_process()               # the recursion limit and integer digits Klong needs
    own_interrupts()
    try:
        k = settled(Klong, device=device, dtype=args.dtype, lift=not args.no_lift,
                    klongpy=args.klongpy)
    finally:
        collector.settle()
    script = None
    if positionals and not args.eval:
        script, positionals = find_script(k, positionals[0]), positionals[1:]
    k.globals[".a"] = list(positionals)
    from klongtorch.ext.system import script_arguments  # start-up: torch (loaded by now)
    k.globals[".os.argv"] = script_arguments(positionals)
    return Session(k, render=show, debug=debug), script


def load(session, names, err):
    """Run the -l files; None when all ran, else the exit code."""
    for name in names:
        code = run_file(session, settled(session.interp.find_file, name), err)
        if code is not None:
            return code
    return None


def act(session, args, script, err):
    """Run the script, the -e expressions or the REPL; the exit code."""
    if script is not None:
        if script == "-":
            code = run_text(session, sys.stdin.read(), "-", err)
        else:
            code = run_file(session, script, err)
        if code is None:        # .async work still running: wait, and run its callbacks
            code = stopped(session.interp, session.rest(wait=True), err)
        return code or 0
    if args.eval:
        return evaluate_each(session, args.eval, err)
    return Repl(session.interp, debug=session.debug, session=session).run(
        banner=not args.quiet)


def evaluate_each(session, expressions, err):
    """-e: each expression's value printed unless it ends with ';'; the exit code."""
    for expr in expressions:
        result = session.script(expr, show=True, progress=progress_display(err))
        if result.shown is not None:
            sys.stdout.write(result.shown + "\n")
        code = stopped(session.interp, result, err)
        if code is not None:
            return code
    return 0


def own_interrupts():
    """The process is Klong's: control-C goes through the deferring handler all the time,
    not only inside k(...), so that the REPL's own restores (the channels put back after
    each input) cannot be cut in half either. Outside them it is a KeyboardInterrupt, as
    before; a process started with SIGINT ignored keeps ignoring it."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, interrupts.handler)


def finish(k, code, err):
    """The exit code, once everything written has reached its file (as kg does, output
    channels left open are flushed at exit): a failure there, such as a full disk, is
    reported and the exit code becomes 1."""
    _, failure = attempt(k.flush_channels, "exit")
    if failure is not None:
        err.write(failure.message + "\n")
        return code or 1
    return code


if __name__ == "__main__":
    sys.exit(main())

"""KlongMagics: %klong, %%klong, %klong_push, %klong_pull and %klong_reset.

One Klong interpreter per IPython session keeps its globals from cell to cell. Values cross
between Python and Klong without copies (see klongtorch.value.convert): tensors stay the same
tensors, numpy arrays come in through torch.from_numpy, Python callables become Klong
functions and Klong functions come out as Python callables that autograd can go through.
The options follow rpy2's %%R: -i and -o name what crosses, -n keeps the value back.
Running the code is klongtorch.shell.session's: this turns its Result into IPython's terms.
"""
import sys

from IPython.core import magic as _ipython_magic
from IPython.core.error import UsageError
from IPython.core.magic import (Magics, line_cell_magic, line_magic, magics_class,
                                needs_local_scope, no_var_expand)
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from klongtorch import Klong
from klongtorch.display.rich import mime_bundle
from klongtorch.parse.lexer import SYMBOL_CHARS, SYMBOL_START
from klongtorch.shell.session import Session, attempt
from klongtorch.value import devices
from klongtorch.value.convert import to_python

from .options import name_pairs, split_leading
from .output import KlongDisplay, Progress, show_figures, take_figures

# %klong's options, and whether each takes a value: split_leading must know where they end
# and the Klong code begins. Keep in step with the @argument lines below.
FLAGS = {"-i": True, "--input": True, "-o": True, "--output": True,
         "-n": False, "--noreturn": False, "--device": True, "--klongpy": False}


@magics_class
class KlongMagics(Magics):
    """Klong in IPython, with one interpreter per session."""

    def __init__(self, shell):
        super().__init__(shell)
        self.device = None          # the session's: None is the best available
        self.dtype = None
        self._session = None        # made at first use, so %load_ext stays quick
        self.display = KlongDisplay(shell)
        self.progress = Progress(shell)
        self._no_options = None     # %klong's options when none is given, parsed once

    @property
    def session(self):
        """The klongtorch Session over this IPython session's interpreter."""
        if self._session is None:
            self._session = Session(Klong(self.device, self.dtype), render=mime_bundle,
                                    figures=take_figures, refused=REFUSED, stream_shell=True)
        return self._session

    @property
    def interp(self):
        """The session's interpreter."""
        return self.session.interp

    @magic_arguments()
    @argument("-i", "--input", action="append", metavar="NAMES",
              help="Python variables to push into Klong first, comma separated; "
                   "kname=pyname gives one another name in Klong. May be repeated.")
    @argument("-o", "--output", action="append", metavar="NAMES",
              help="Klong globals to pull into Python afterwards, comma separated; "
                   "pyname=kname gives one another name in Python. May be repeated.")
    @argument("-n", "--noreturn", action="store_true",
              help="Return (or show) no value.")
    @argument("--device", metavar="DEVICE",
              help="Make this code's new arrays on DEVICE (cpu, cuda, cuda:1, mps); the "
                   "session's device otherwise (see %%klong_reset).")
    @argument("--klongpy", action="store_true",
              help="Run this code in the KlongPy dialect: atomic dyads broadcast arrays of "
                   "different shapes as NumPy does, negative indices count from the end. "
                   "For the whole session, run .klongpy(1) once.")
    @no_var_expand
    @needs_local_scope
    @line_cell_magic
    def klong(self, line, cell=None, local_ns=None):
        """Run Klong code in this session's interpreter.

        Line magic: `%klong [options] code` returns the value, as a Python value::

            g = %klong f::{x^2}; f:>3
            f = %klong {+/x^3}          # a Python callable; torch autograd goes through it

        Cell magic: `%%klong [options]` on the first line, Klong below. The cell's last value
        is Out[n] (and `_`) as a Python value, the tensor itself, and is shown as the Klong
        kernel shows it; a trailing `;` shows nothing. Control-C (or Interrupt) stops the
        code with `kg: error: interrupted`, keeping the interpreter's state. Output of .p is
        printed, and plots (.plot, .scatter, .hist, .imshow) appear below the cell::

            %%klong -i x -o y
            y::x*2
            +/y

        Only the leading options are options: the rest of the line, and the whole cell, is
        Klong exactly as written, with no {var} or $var expansion, so `%klong -1+2` is
        code. Write `--` before code that begins like an option (`%klong -- -i`).

        Values cross without copies: tensors stay the same tensors, numpy arrays come in
        through torch.from_numpy, Python numbers, strings, lists and dicts become their
        Klong forms and come back, a Python function becomes a Klong function of its arity,
        and a Klong function comes out as a Python callable on tensors.

        A cell may begin with ]-command lines, as typed at the REPL's prompt: ]h topic,
        ]a word, ]l file, ]i dir, ]! cmd (]q ends the interpreter, as .x does).

        See also %klong_push, %klong_pull and %klong_reset. Klong names have no `_`: push
        such a variable under another name, `-i myvar=my_var`.
        """
        tokens, code = split_leading(line, FLAGS)
        if cell is None and not tokens:
            return self._line(code)
        args = self._options(tokens)
        device = _device(args.device) if args.device is not None else None
        if cell is not None:
            # as with %%R, code after the options on the first line runs before the cell
            code = code + "\n" + cell if code.strip() else cell
        if args.input:
            self._push(name_pairs(args.input), local_ns)
        result = self._run(code, device, args.klongpy, show=cell is not None and not args.noreturn)
        if args.output:
            self._pull(name_pairs(args.output))
        # code of only comments and blanks shows nothing, as at the prompt
        if args.noreturn or not result.ran or result.exit is not None:
            return None
        if cell is None:
            return to_python(result.value)
        if result.shown is None:        # a trailing ';', or a cell that only drew
            return None
        # Out[n] is the value itself; IPython shows it, this once, as Klong does
        value = to_python(result.value)
        self.display.claim(value, result.shown)
        return value

    # IPython asks of every line whether a trailing ';' may silence its value (IPython 8.9's
    # @output_can_be_silenced). No: in Klong ';' ends a statement, and a line returns its
    # value. Said outright, so that the question finds an answer: its default answer comes
    # from a failed attribute lookup, which cost a %klong line 4 µs with the caches cold.
    setattr(klong, getattr(_ipython_magic, "MAGIC_OUTPUT_CAN_BE_SILENCED",
                           "_ipython_magic_output_can_be_silenced"), False)

    @needs_local_scope
    @line_magic
    def klong_push(self, line, local_ns=None):
        """Push Python variables into Klong: `%klong_push a b,c kname=pyname`.

        Names are separated by spaces or commas; kname=pyname gives a variable another name
        in Klong (Klong names have no `_`). Values cross as with `%klong -i`.
        """
        self._push(_names(line, "klong_push"), local_ns)

    @line_magic
    def klong_pull(self, line):
        """Pull Klong globals into Python: `%klong_pull a b,c pyname=kname`.

        Names are separated by spaces or commas; pyname=kname gives a global another name in
        Python. Values cross as with `%klong -o`. For the whole namespace, use the session's
        interpreter itself: `klongtorch.magics.interpreter()` is a klongtorch.Klong, whose
        `.globals` is a dict and which reads and sets globals with k["name"].
        """
        self._pull(_names(line, "klong_pull"))

    @magic_arguments()
    @argument("--device", metavar="DEVICE",
              help="The device of the new interpreter: cpu, cuda, cuda:1, mps. "
                   "Unchanged if not given.")
    @argument("--dtype", choices=("float32", "float64"),
              help="The dtype of the new interpreter's reals. Unchanged if not given.")
    @line_magic
    def klong_reset(self, line):
        """Start afresh: drop the session's Klong interpreter and all its globals. The next
        %klong runs in a new one."""
        args = parse_argstring(self.klong_reset, line)
        if args.device is not None:
            self.device = _device(args.device)
        if args.dtype is not None:
            self.dtype = args.dtype
        self._retire()

    # -- crossing --------------------------------------------------------------------------

    def _push(self, pairs, local_ns):
        """Set Klong globals from Python variables; pairs are (klong name, python name)."""
        for kname, pyname in pairs:
            if not _is_klong_name(kname):
                raise UsageError(f"%klong: {kname!r} is not a Klong name (letters and digits); "
                                 f"rename it on the way in: -i newname={pyname}")
            for ns in (local_ns or {}, self.shell.user_ns):
                if pyname in ns:
                    value = ns[pyname]
                    break
            else:
                raise UsageError(f"%klong: no Python variable named {pyname!r}")
            try:
                self.interp[kname] = value
            except TypeError as e:        # convert.from_python: a value with no Klong form
                raise UsageError(f"%klong: {pyname}: {e}") from None

    def _pull(self, pairs):
        """Set Python variables from Klong globals; pairs are (python name, klong name)."""
        out = {}
        for pyname, kname in pairs:
            if not pyname.isidentifier():
                raise UsageError(f"%klong: {pyname!r} is not a Python name; "
                                 f"rename it on the way out: -o newname={kname}")
            if kname not in self.interp:
                raise UsageError(f"%klong: no Klong global named {kname!r}")
            out[pyname] = to_python(self.interp[kname])
        if out:
            self.shell.push(out)

    # -- running ---------------------------------------------------------------------------

    def _options(self, tokens):
        """%klong's options, parsed; with none, their defaults, parsed once (argparse took a
        fifth of what a quick %klong line cost beyond the work)."""
        if tokens:
            return self.klong.parser.parse_args(tokens)
        if self._no_options is None:
            self._no_options = self.klong.parser.parse_args([])
        return self._no_options

    def _line(self, code):
        """The usual line, `%klong code` with no options: its value, as a Python value, by
        the shortest way (no options to parse, no device or dialect to set and restore).
        A line in a Python loop pays this on every call, after a big operation with the
        caches cold, where each step costs many times what it does warm."""
        session = self._session or self.session
        result = session.run(code, show=False, remember=False,
                             progress=self.progress.display(session.interp))
        self._report(result)
        if not result.ran or result.exit is not None:
            return None
        return to_python(result.value)

    def _run(self, code, device, klongpy=False, show=True):
        """The session's Result for the code. A Klong error is raised: IPython shows it
        through KlongError._render_traceback_, as the kg message and the failing line."""
        interp = self.interp
        if device is not None:
            session_device = interp.device
            interp.device = device      # new tensors are made on interp.device (Klong.active)
        if klongpy:
            session_dialect = interp.klongpy
            interp.klongpy = True       # this code only (klongtorch.verbs.dialect)
        try:
            result = self.session.run(code, show=show, remember=False,
                                      progress=self.progress.display(interp))
        finally:
            if device is not None:      # set only when changed: setting remakes the settings
                interp.device = session_device      # key, and the next entry writes it out
            if klongpy and interp.klongpy:      # unless the code switched it off itself
                interp.klongpy = session_dialect
        self._report(result)
        return result

    def _report(self, result):
        """Show what came with a Result besides its value: figures, printed text, notes;
        end the interpreter on .x; raise its error."""
        # each test spares the usual line (nothing drawn or printed) a call or a list: this
        # runs after the work, with the caches cold after a big operation
        if result.figures:
            show_figures(result.figures)
        if result.help or result.output:
            for text in result.help + result.output:
                print(text)
        for note in result.notes:
            print(note, file=sys.stderr)
        if result.exit is not None:
            # .x (or ]q) ends the interpreter; the session goes on with a fresh one
            self._retire()
            print(f"klong: exited with code {result.exit}; the next %klong starts afresh",
                  file=sys.stderr)
        if result.error is not None:
            raise result.error.exception

    def _retire(self):
        """Drop the session's interpreter, its files flushed and closed first (nothing
        written is lost, as kg does at exit)."""
        session, self._session = self._session, None
        if session is not None:
            _, failure = attempt(session.interp.close)
            if failure is not None:
                print(failure.message, file=sys.stderr)


# the ]-commands a %%klong cell has no use for (the rest are as in the REPL and the kernel)
REFUSED = {"t": "]t: IPython keeps the transcript (%history, %logstart)"}


def _device(name):
    """A torch device that can hold tensors here, or a UsageError."""
    if name is None:
        return None
    device, failure = attempt(devices.resolve, name)
    if failure is not None:         # kg's words: "kg: error: device: cuda is not available: ..."
        raise UsageError(failure.message)
    return device


def _names(line, magic):
    pairs = name_pairs(line.replace(",", " ").split())
    if not pairs:
        raise UsageError(f"%{magic}: give the names, e.g. %{magic} a b")
    return pairs


def _is_klong_name(name):
    return name[:1] in SYMBOL_START and all(c in SYMBOL_CHARS for c in name)

"""KlongKernel: the Jupyter kernel, one Klong interpreter per kernel, state kept across cells.

A cell is Klong code, which may follow ]-commands, one per line, as typed at the REPL's
prompt (`]l lib.kg` then code that uses it):

    .p, .d, .w output      stdout `stream` messages, sent while the cell runs (streams.py)
    the cell's value       an execute_result (outputs.py), and kept in `it` as the REPL does;
                           none when the code ends with ';', or when it drew figures
                           and its value is the [] that drawing returns
    figures                display_data with image/png, after the cell
    progress               a cell still running after 2 s shows how far its outermost
                           counted loop has got, in one display_data updated in place
                           (klongtorch/progress.py); a first .compile says it compiles
    a Klong error          an `error` message and an error reply: the kg message, the line
                           and a caret; never a Python traceback for a user's mistake
    an interpreter bug     `kg: error: internal error: ...`; the traceback goes to the log
    an interrupt           `kg: error: interrupted` (interrupts.py); the state is kept
    .x or ]q               the `ask_exit` payload: jupyter console leaves, as the REPL
                           does; a notebook keeps the kernel, and its state, running
    ]h topic               the help in the pager
    ]a ]i ]l ]!            as in the REPL; ]! streams the command's output into the cell
    start-up               kernel_info, is_complete and history answer at once; torch and
                           the interpreter load in a thread (startup.py), and the first
                           execute, complete or inspect waits for them, interruptibly

The interpreter's device and real dtype come from KLONGTORCH_DEVICE and KLONGTORCH_DTYPE
(set them in the kernelspec's env, or before starting Jupyter); by default the best device
and float64. KLONGTORCH_KLONGPY=1 starts it in the KlongPy dialect (klongtorch.dialect).
"""
import contextlib
import logging
import os
import sys
import traceback

from ipykernel.kernelbase import Kernel

# nothing here imports torch: the kernel answers kernel_info while startup.py imports it
from klongtorch import __version__, allocator, commands, progress
from klongtorch.cli import rest, scan
from klongtorch.errors import KlongError, KlongExit

from . import completion, interrupts, outputs, startup
from .history import History
from .streams import redirected

log = logging.getLogger(__name__)

HINTS = "]h for help, ]hall for all topics, \\nabla<Tab> for ∇"
NOT_IN_NOTEBOOK = {"t": "]t: a notebook is its own transcript (File > Download)"}


def make_interpreter():
    """(interpreter, problem): a Klong interpreter as KLONGTORCH_DEVICE and KLONGTORCH_DTYPE
    ask, and None; or, when a setting cannot be honoured, one with the defaults (the best
    device available) and the message that says why. A bad setting is not fatal: the kernel
    must still start, and it says so once, in its log and its banner."""
    device = os.environ.get("KLONGTORCH_DEVICE") or None
    dtype = os.environ.get("KLONGTORCH_DTYPE") or None
    klongpy = os.environ.get("KLONGTORCH_KLONGPY", "") not in ("", "0")
    from klongtorch.interpreter import Klong
    try:
        return Klong(device=device, dtype=dtype, klongpy=klongpy), None
    except KlongError as e:
        k = Klong(klongpy=klongpy)
        problem = (f"{e.message} (KLONGTORCH_DEVICE={device or ''} "
                   f"KLONGTORCH_DTYPE={dtype or ''}); running on {k.device} instead")
        log.warning("%s", problem)
        return k, problem


class Ran:
    """What running a cell produced, before anything is sent."""

    def __init__(self, value=None, error=None, quiet=True):
        self.value = value          # the value to show, unless quiet
        self.error = error          # error_content(...) or None
        self.quiet = quiet
        self.payload = []           # pager pages, ask_exit


class KlongKernel(Kernel):
    """A Jupyter kernel for Klong on PyTorch."""

    implementation = "klongtorch"
    implementation_version = __version__
    language = "klong"
    language_version = __version__
    language_info = {
        "name": "klong",
        "version": __version__,
        "mimetype": "text/x-klong",
        "file_extension": ".kg",
        "pygments_lexer": "klong",
        # the Klong language of klongtorch's JupyterLab extension (labextension/)
        "codemirror_mode": "klong",
    }
    help_links = [
        {"text": "Klong reference manual", "url": "https://t3x.org/klong/klong-ref.txt.html"},
        {"text": "Klong introduction", "url": "https://t3x.org/klong/klong-intro.txt.html"},
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.build = startup.prepare()  # launch made it; it begins after kernel_info
        self.klong = self.setting_problem = None
        self.problem_told = False       # the setting problem, in a banner or a cell
        self.history = History()

    @property
    def banner(self):
        if self.klong is None:
            self.ready(wait=False)
        if self.klong is None:          # Jupyter asks before torch is in: say what comes
            failed = self.build.failure
            return (f"klongtorch {__version__}: Klong on PyTorch, "
                    + (failed.message if failed else
                       "starting (the first cell waits for torch to load)")
                    + f"\n{HINTS}")
        import torch
        self.problem_told = True
        dtype = str(self.klong.dtype).replace("torch.", "")
        text = (f"klongtorch {__version__}: Klong on PyTorch {torch.__version__} "
                f"({self.klong.device}, {dtype})\n{HINTS}")
        return text + (f"\n{self.setting_problem}" if self.setting_problem else "")

    def ready(self, wait=True):
        """None once self.klong is the interpreter (startup.py builds it); else the error
        content a request gets instead: interrupted while waiting, or the build failed.
        Without wait, None only when it was built already."""
        if self.klong is not None:
            return None
        if not wait and not self.build.ready():
            return outputs.error_content("KlongError", "kg: error: still starting")
        try:
            self.klong, self.setting_problem = self.build.wait()
        except KeyboardInterrupt:
            return outputs.error_content("KeyboardInterrupt", "kg: error: interrupted")
        except startup.StartFailed as e:
            return outputs.error_content("KlongError", e.message)
        return None

    async def kernel_info_request(self, stream, ident, parent):
        await super().kernel_info_request(stream, ident, parent)
        self.build.begin()              # the kernel has answered: now torch can load

    # SIGINT stops Klong code only (interrupts.py)
    def pre_handler_hook(self):
        self.saved_sigint_handler = interrupts.shield()

    def post_handler_hook(self):
        interrupts.restore(getattr(self, "saved_sigint_handler", None))

    # -- execution -----------------------------------------------------------------------

    async def do_execute(self, code, silent, store_history=True, user_expressions=None,
                         allow_stdin=False, *, cell_meta=None, cell_id=None):
        self._allow_stdin = allow_stdin
        count = self.execution_count
        if store_history and not silent:
            self.history.add(count, code)
        send = self._stream_sender(silent)
        unready = self.ready()
        if unready is not None:
            if not silent:
                self.send_response(self.iopub_socket, "error", unready)
            return {"status": "error", "execution_count": count, **unready}
        if self.setting_problem and not self.problem_told:     # the banner came too early
            self.problem_told = True
            send("stderr", self.setting_problem + "\n")
        with redirected(send, self.raw_input), self._live_outputs(silent):
            ran = self.run_cell(code)
            figures = self._figures()
        allocator.release()             # gigabytes freed by the cell go back to the system
        if not silent:
            for bundle in figures:
                self.send_response(self.iopub_socket, "display_data",
                                   {"data": bundle, "metadata": {}})
        # a cell that only drew shows its figures, not the [] that drawing returns
        drew_only = bool(figures) and type(ran.value) is list and not ran.value
        shown = ran.error is None and not ran.quiet and not silent and not drew_only
        if shown:
            data, ran.error = self._display(ran.value)
        if ran.error is not None:
            if not silent:
                self.send_response(self.iopub_socket, "error", ran.error)
            return {"status": "error", "execution_count": count, **ran.error}
        if shown:
            self.send_response(self.iopub_socket, "execute_result",
                               {"execution_count": count, "data": data, "metadata": {}})
            if store_history:
                self.history.set_output(count, data["text/plain"])
        return {"status": "ok", "execution_count": count, "payload": ran.payload,
                "user_expressions": self._user_expressions(user_expressions or {})}

    def _display(self, value):
        """(the value's mime bundle, None), or (None, the error that stopped it): building
        a display can be interrupted, or run out of memory, as the code can, and the cell
        still gets its reply."""
        try:
            with interrupts.interruptible():
                return outputs.value_bundle(value), None
        except KeyboardInterrupt:
            return None, outputs.error_content("KeyboardInterrupt", "kg: error: interrupted")
        except MemoryError:
            return None, out_of_memory()

    def _live_outputs(self, silent):
        """The outputs a cell updates in place while it runs: its progress (klongtorch.
        progress) and the frames of .draw (klongtorch.plots). Progress is sent from its
        own thread, so the parent is taken now."""
        if silent:
            return contextlib.nullcontext()
        parent = self.get_parent()

        def send(kind, content):
            self.session.send(self.iopub_socket, kind, content, parent=parent,
                              ident=self._topic(kind))
        outputs = contextlib.ExitStack()
        outputs.enter_context(progress.watched(progress.JupyterDisplay(send)))
        from klongtorch import plots
        outputs.enter_context(plots.live(self.klong, plots.LiveFigure(send)))
        return outputs

    def _stream_sender(self, silent):
        """send(name, text) for this request's streams. The parent is taken now: the
        streams' timer thread sends too, and has no request of its own."""
        if silent:
            return lambda name, text: None
        parent = self.get_parent()
        topic = self._topic("stream")

        def send(name, text):
            self.session.send(self.iopub_socket, "stream", {"name": name, "text": text},
                              parent=parent, ident=topic)
        return send

    def run_cell(self, code):
        """Run one cell: its leading ]-command lines, one by one, then the Klong code."""
        lines, rest = split_commands(code)
        ran = Ran()
        for line in lines:
            ran = self.command(line, ran)
            if ran.error is not None:
                return ran
        if not rest.strip():
            return ran
        evaluated = self.evaluate(rest)
        evaluated.payload[:0] = ran.payload
        return evaluated

    def evaluate(self, code, remember=True):
        """Run Klong code; its value (kept in `it` when remember), or the error that
        stopped it."""
        complete, empty = scan(code)
        if empty and complete:
            return Ran()
        k = self.klong
        try:
            with interrupts.interruptible():
                value = k(code)
                rest(k)                     # finished .async work and due timers, as the REPL
        except KlongError as e:
            return Ran(error=outputs.klong_error(e))
        except KeyboardInterrupt:
            return Ran(error=outputs.error_content("KeyboardInterrupt",
                                                   "kg: error: interrupted"))
        except KlongExit as e:
            return self.exit(e.code)
        except MemoryError:             # outside the interpreter's own guard
            return Ran(error=out_of_memory())
        except Exception as e:          # an interpreter bug: say so, keep the details
            log.error("internal error in %r", code, exc_info=True)
            details = traceback.format_exception(type(e), e, e.__traceback__)
            wanted = os.environ.get("KLONGTORCH_TRACEBACK", "") not in ("", "0")
            return Ran(error=outputs.error_content(
                "InternalError", f"kg: error: internal error: {type(e).__name__}: {e}",
                "".join(details).rstrip() if wanted else ""))
        finally:
            k.reset_channels()
        if remember:
            k.globals["it"] = value
        return Ran(value, quiet=outputs.is_quiet(code))

    def exit(self, code):
        """.x and ]q: ask the frontend to leave (jupyter console does); keep the state."""
        ran = Ran()
        ran.payload.append({"source": "ask_exit", "keepkernel": False})
        sys.stderr.write(f"kg: exit({code}) asked of the frontend; the kernel keeps running "
                         "with its state (restart it to start afresh)\n")
        return ran

    def command(self, line, ran):
        """One ]-command, added to what the cell has produced so far."""
        outcome = commands.run(line, self.klong)
        name = line[1:2]
        if name in NOT_IN_NOTEBOOK:
            outcome = commands.Outcome(error=f"kg: error: {NOT_IN_NOTEBOOK[name]}")
        if outcome.error:
            ran.error = outputs.error_content("KlongError", outcome.error)
            return ran
        if outcome.help:
            ran.payload.append({"source": "page", "data": {"text/plain": outcome.text},
                                "start": 0})
        elif outcome.text:
            sys.stdout.write(outcome.text + "\n")
        if outcome.source is not None:
            loaded = self.evaluate(outcome.source)
            loaded.payload[:0] = ran.payload
            return loaded
        if outcome.shell is not None:
            self._shell(outcome.shell)
        if outcome.exit is not None:
            exited = self.exit(outcome.exit)
            ran.payload.extend(exited.payload)
        return ran

    def _shell(self, command):
        try:
            with interrupts.interruptible():
                commands.run_shell(command, out=sys.stdout)
        except KeyboardInterrupt:
            sys.stderr.write("kg: error: ]!: interrupted\n")
        except OSError as e:
            sys.stderr.write(f"kg: error: ]!: {e}\n")

    def _figures(self):
        try:
            return outputs.figure_bundles(self.klong)
        except Exception:
            log.error("collecting figures failed", exc_info=True)
            return []

    def _user_expressions(self, expressions):
        """Each user expression's value, as the protocol asks (used by some frontends)."""
        results = {}
        for name, code in expressions.items():
            ran = self.evaluate(code, remember=False)
            if ran.error is not None:
                results[name] = {"status": "error", **ran.error}
            else:
                results[name] = {"status": "ok", "data": outputs.value_bundle(ran.value),
                                 "metadata": {}}
        return results

    # -- the other requests --------------------------------------------------------------

    async def do_complete(self, code, cursor_pos):
        if self.ready() is not None:    # interrupted, or no interpreter: nothing to offer
            return {"status": "ok", "matches": [], "cursor_start": cursor_pos,
                    "cursor_end": cursor_pos, "metadata": {}}
        return completion.reply(code, cursor_pos, self.klong)

    async def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        if self.ready() is not None:
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        from . import inspection
        return inspection.reply(code, cursor_pos, self.klong, detail_level)

    async def do_is_complete(self, code):
        return completeness(code)

    async def do_history(self, hist_access_type, output, raw, session=None, start=None,
                         stop=None, n=None, pattern=None, unique=False):
        rows = self.history.request(hist_access_type, output, raw, session, start, stop, n,
                                    pattern, unique)
        return {"status": "ok", "history": rows}

    async def do_shutdown(self, restart):
        # as kg does at exit: what was written to files reaches them (nothing is lost)
        try:
            if self.klong is not None:
                self.klong.close()
        except KlongError as e:
            sys.stderr.write(e.message + "\n")
        return {"status": "ok", "restart": restart}


def out_of_memory():
    from klongtorch.interpreter import OUT_OF_MEMORY    # loaded: Klong code ran
    return outputs.error_content("KlongError", OUT_OF_MEMORY)


def split_commands(code):
    """([command lines], the Klong code after them)."""
    lines = code.split("\n")
    found = []
    while lines and (commands.is_command(lines[0]) or not lines[0].strip()):
        line = lines.pop(0).strip()
        if line:
            found.append(line)
    return found, "\n".join(lines)


def completeness(code):
    """The is_complete reply: incomplete while a bracket or string is open (the console
    then asks for another line), invalid when the parser rejects it, else complete. The
    lexer needs no torch, so brackets are checked at once; the parser's check waits until
    torch has loaded (before that, code whose brackets close is complete)."""
    code = split_commands(code)[1]
    complete, empty = scan(code)
    if not complete:
        return {"status": "incomplete", "indent": "  "}
    if empty or ".comment" in code or not startup.settled():
        return {"status": "complete"}   # (.comment makes the rest text, not Klong)
    from klongtorch.parser import parse
    try:
        parse(code)
    except KlongError:
        return {"status": "invalid"}
    return {"status": "complete"}


__all__ = ["KlongKernel", "completeness", "split_commands", "make_interpreter"]

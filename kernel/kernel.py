"""KlongKernel: the Jupyter kernel, one Klong interpreter per kernel, state kept across cells.

An adapter: klongtorch.shell.session runs each cell and returns a Result; this turns it into
Jupyter messages (below), and catches no Klong error itself.

A cell is Klong code, which may follow ]-commands, one per line, as typed at the REPL's
prompt (`]l lib.kg` then code that uses it):

    .p, .d, .w output      stdout `stream` messages, sent while the cell runs (streams.py)
    the cell's value       an execute_result (outputs.py), and kept in `it` as the REPL does;
                           none when the code ends with ';', or when it drew figures
                           and its value is the [] that drawing returns
    figures                display_data with image/png, after the cell
    progress               a cell still running after 2 s shows how far its outermost
                           counted loop has got, in one display_data updated in place
                           (klongtorch/display/progress.py); a first .compile says it compiles
    a Klong error          an `error` message and an error reply: the kg message, the line
                           and a caret; never a Python traceback for a user's mistake
    an interpreter bug     `kg: error: internal error: ...`; the traceback goes to the log
    an interrupt           `kg: error: interrupted` (klongtorch.shell.session); the state is kept
    .x or ]q               the `ask_exit` payload: jupyter console leaves, as the REPL
                           does; a notebook keeps the kernel, and its state, running
    ]h topic               the help in the pager
    ]a ]i ]l ]!            as in the REPL; ]! streams the command's output into the cell
    start-up               kernel_info, is_complete and history answer at once; torch and
                           the interpreter load in a thread (startup.py), and the first
                           execute, complete or inspect waits for them, interruptibly

The interpreter's device and real dtype come from KLONGTORCH_DEVICE and KLONGTORCH_DTYPE
(set them in the kernelspec's env, or before starting Jupyter); by default the best device
and float64. KLONGTORCH_KLONGPY=1 starts it in the KlongPy dialect (klongtorch.verbs.dialect).
"""
import contextlib
import logging
import sys

from ipykernel.kernelbase import Kernel, kernel_protocol_version

# nothing here imports torch: the kernel answers kernel_info while startup.py imports it
from klongtorch import __version__
from klongtorch.display import progress
from klongtorch.shell.session import Session, attempt, status

from . import completion, outputs, shield, startup
from .history import History
from .startup import make_interpreter
from .streams import redirected

log = logging.getLogger(__name__)

HINTS = "]h for help, ]hall for all topics, \\nabla<Tab> for ∇"
NOT_IN_NOTEBOOK = {"t": "]t: a notebook is its own transcript (File > Download)"}


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
        self.build = startup.prepare()  # launch made it; it begins in start()
        self.klong = self.setting_problem = None
        self.klong_session = None       # the klongtorch Session over self.klong, once built
                                        # (self.session is ipykernel's, for messages)
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
        import torch  # start-up: loaded by now (self.klong is made)
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
        built, failure = attempt(self.build.wait)
        if failure is not None:
            return outputs.failure_content(failure)
        self.klong, self.setting_problem = built
        self.klong_session = Session(self.klong, render=outputs.value_bundle,
                                     figures=self._figures, refused=NOT_IN_NOTEBOOK,
                                     stream_shell=True)
        return None

    def start(self):
        super().start()
        self.build.begin()              # the sockets are bound: torch loads from now on

    @property
    def kernel_info(self):
        """ipykernel's, less "debugger": ipykernel's debugger steps through Python, not
        Klong, and asking whether debugpy is there imports it (50 ms of a cold start)."""
        subshells = getattr(self, "_supports_kernel_subshells", False)
        return {
            "protocol_version": kernel_protocol_version,
            "implementation": self.implementation,
            "implementation_version": self.implementation_version,
            "language_info": self.language_info,
            "banner": self.banner,
            "help_links": self.help_links,
            "supported_features": ["kernel subshells"] if subshells else [],
        }

    # SIGINT stops Klong code only (klongtorch.runtime.interrupts, while the session runs it), and
    # is ignored in the rest of a request (shield.py)
    def pre_handler_hook(self):
        self.saved_sigint_handler = shield.shield()

    def post_handler_hook(self):
        shield.restore(getattr(self, "saved_sigint_handler", None))

    # -- execution -----------------------------------------------------------------------

    async def do_execute(self, code, silent, store_history=True, user_expressions=None,
                         allow_stdin=False, *, cell_meta=None, cell_id=None):
        self._allow_stdin = allow_stdin
        count = self.execution_count
        if store_history and not silent:
            self.history.add(count, code)
        unready = self.ready()
        if unready is not None:
            return self._error_reply(unready, silent, count)
        send = self._stream_sender(silent)
        if self.setting_problem and not self.problem_told:     # the banner came too early
            self.problem_told = True
            send("stderr", self.setting_problem + "\n")
        with redirected(send, self.raw_input), self._live_figures(silent):
            result = self.klong_session.run(code, show=not silent,
                                            progress=self._progress(silent))
            payload = self._write(result)
        if not silent:
            self._send_figures(result)
        if result.error is not None:
            if result.error.kind == "InternalError":
                log.error("internal error in %r\n%s", result.code, result.error.trace)
            return self._error_reply(outputs.failure_content(result.error), silent, count)
        if result.shown is not None:
            self.send_response(self.iopub_socket, "execute_result",
                               {"execution_count": count, "data": result.shown, "metadata": {}})
            if store_history:
                self.history.set_output(count, result.shown["text/plain"])
        return {"status": "ok", "execution_count": count, "payload": payload,
                "user_expressions": self._user_expressions(user_expressions or {})}

    def _write(self, result):
        """What a Result says besides its value, written while the cell's streams are
        redirected: ]-command output, messages, and .x's answer; the reply's payload (help
        in the pager, ask_exit)."""
        for text in result.output:
            sys.stdout.write(text + "\n")
        for note in result.notes:
            sys.stderr.write(note + "\n")
        payload = [{"source": "page", "data": {"text/plain": text}, "start": 0}
                   for text in result.help]
        if result.exit is not None:     # .x and ]q: jupyter console leaves; the state stays
            payload.append({"source": "ask_exit", "keepkernel": False})
            sys.stderr.write(f"kg: exit({result.exit}) asked of the frontend; the kernel keeps "
                             "running with its state (restart it to start afresh)\n")
        return payload

    def _send_figures(self, result):
        for bundle in result.figures:
            self.send_response(self.iopub_socket, "display_data",
                               {"data": bundle, "metadata": {}})

    def _error_reply(self, content, silent, count):
        if not silent:
            self.send_response(self.iopub_socket, "error", content)
        return {"status": "error", "execution_count": count, **content}

    def _progress(self, silent):
        """Where the cell's progress goes (klongtorch.display.progress): one display_data updated
        in place. It is sent from the progress thread, so the parent is taken now."""
        return None if silent else progress.JupyterDisplay(self._sender())

    def _live_figures(self, silent):
        """The frames of .draw (klongtorch.display.plots), one image updated in place while the
        cell runs."""
        if silent:
            return contextlib.nullcontext()
        from klongtorch.display import figures  # start-up: torch and matplotlib, loaded by now
        return figures.live(self.klong, figures.LiveFigure(self._sender()))

    def _sender(self):
        """send(kind, content) for outputs updated in place, with this request as parent."""
        parent = self.get_parent()

        def send(kind, content):
            self.session.send(self.iopub_socket, kind, content, parent=parent,
                              ident=self._topic(kind))
        return send

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

    def _figures(self, interp):
        """The figures the cell drew, as display_data bundles (the session's figures hook)."""
        try:
            return outputs.figure_bundles(interp)
        except Exception:
            log.error("collecting figures failed", exc_info=True)
            return []

    def _user_expressions(self, expressions):
        """Each user expression's value, as the protocol asks (used by some frontends)."""
        results = {}
        for name, code in expressions.items():
            result = self.klong_session.evaluate(code, show=False, remember=False)
            if result.error is not None:
                results[name] = {"status": "error", **outputs.failure_content(result.error)}
            else:
                results[name] = {"status": "ok", "data": outputs.value_bundle(result.value),
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
        from . import inspection  # start-up: the help table, which needs torch
        return inspection.reply(code, cursor_pos, self.klong, detail_level)

    async def do_is_complete(self, code):
        return completeness(code)

    async def do_history(self, hist_access_type, output, raw, session=None, start=None,
                         stop=None, n=None, pattern=None, unique=False):
        rows = self.history.request(hist_access_type, output, raw, session, start, stop, n,
                                    pattern, unique)
        return {"status": "ok", "history": rows}

    async def shutdown_request(self, stream, ident, parent):
        await super().shutdown_request(stream, ident, parent)
        # ipykernel flushes sys.stdout and sys.stderr once this handler returns, from the
        # control thread, while the main thread, its loop stopped, may be closing the IOPub
        # pipes: such a flush failed with "ZMQError: Socket operation on non-socket", which
        # tornado wrote on the kernel's stderr (seen once in a CI run of
        # test_a_clean_run_writes_nothing_on_stderr). All output was sent before the reply
        # (_at_shutdown flushes), so the process's own streams take the flushes from here
        # (a restart is a new process too)
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__

    async def do_shutdown(self, restart):
        # as kg does at exit: what was written to files reaches them (nothing is lost)
        if self.klong is not None:
            _, failure = attempt(self.klong.close)
            if failure is not None:
                sys.stderr.write(failure.message + "\n")
        return {"status": "ok", "restart": restart}


def completeness(code):
    """The is_complete reply: incomplete while a bracket or string is open (the console
    then asks for another line), invalid when the parser rejects it, else complete. The
    lexer needs no torch, so brackets are checked at once; the parser's check waits until
    torch has loaded (before that, code whose brackets close is complete)."""
    answer = status(code, check_syntax=startup.settled())
    return {"status": answer, "indent": "  "} if answer == "incomplete" else {"status": answer}


__all__ = ["KlongKernel", "completeness", "make_interpreter"]

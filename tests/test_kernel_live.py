"""The kernel as a running process, driven through jupyter_client: interrupts, output that
streams while a cell runs, hundreds of malformed cells, figures, and input for .rl.

One kernel serves the whole module (starting one costs seconds: it imports torch); each
test leaves it idle and alive.
"""
import base64
import random
import threading
import time

import pytest
from kernel_support import execute, of_type, running_kernel, stdout, value

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def kernel():
    """(manager, client) of one kernel started from the installed kernelspec."""
    with running_kernel() as both:
        yield both


def interrupt_after(km, seconds):
    """Interrupt the kernel after a delay, from another thread; the thread records when."""
    sent = []

    def later():
        time.sleep(seconds)
        sent.append(time.monotonic())
        km.interrupt_kernel()
    thread = threading.Thread(target=later, daemon=True)
    thread.start()
    return thread, sent


# -- interrupts ---------------------------------------------------------------------------

def test_interrupt_stops_a_runaway_loop(kernel):
    km, kc = kernel
    execute(kc, "kept::42")
    thread, sent = interrupt_after(km, 1.0)
    reply, out = execute(kc, "{x=x}{x+1}:~0", timeout=30)
    stopped = time.monotonic()
    thread.join()
    assert stopped - sent[0] < 1.0
    assert reply["status"] == "error" and reply["evalue"] == "kg: error: interrupted"
    assert [c["evalue"] for c in of_type(out, "error")] == ["kg: error: interrupted"]
    assert value(kc, "kept") == "42"
    assert value(kc, "1+2") == "3"


def test_interrupt_restores_dynamic_scope(kernel):
    km, kc = kernel
    execute(kc, "g::{[a];a::1;{x=x}{x+1}:~0}; a::7")
    thread, _ = interrupt_after(km, 0.5)
    reply, _ = execute(kc, "g()", timeout=30)
    thread.join()
    assert reply["evalue"] == "kg: error: interrupted"
    assert value(kc, "a") == "7"


def test_interrupt_stops_a_shell_command(kernel):
    km, kc = kernel
    thread, sent = interrupt_after(km, 0.5)
    reply, out = execute(kc, "]! sleep 20", timeout=30)
    thread.join()
    assert time.monotonic() - sent[0] < 5
    assert "interrupted" in "".join(c["text"] for c in of_type(out, "stream"))
    assert value(kc, "1+1") == "2"


# -- streams ------------------------------------------------------------------------------

def test_output_arrives_while_the_cell_runs(kernel):
    _, kc = kernel
    # the example, with a loop long enough (about a second) to tell the times apart
    reply, out = execute(kc, ".p(1);{x}'!100000;{x<24000000}{x+1}:~0;.p(2)")
    assert reply["status"] == "ok"
    kinds = [(kind, c.get("text")) for _, kind, c in out]
    assert kinds == [("stream", "1\n"), ("stream", "2\n"), ("execute_result", None)]
    first, second = out[0][0], out[1][0]
    assert second - first > 0.25 and first < second / 4   # "1" came before the loop ran


def test_partial_lines_are_not_held_back(kernel):
    _, kc = kernel
    # a loop long enough to see (~0.6 s): loops written inline (loops.py) are fast
    reply, out = execute(kc, '.d("a");{x<16000000}{x+1}:~0;.d("b");')
    texts = of_type(out, "stream")
    assert "".join(c["text"] for c in texts) == "ab"
    assert texts[0]["text"] == "a" and out[1][0] - out[0][0] > 0.25


def test_a_printing_loop_is_batched(kernel):
    _, kc = kernel
    reply, out = execute(kc, "{.p(x)}'!3000;")
    assert stdout(out) == "".join(f"{i}\n" for i in range(3000))
    assert len(of_type(out, "stream")) < 500


def test_standard_error(kernel):
    _, kc = kernel
    reply, out = execute(kc, '.tc(.cerr);.p("oops");.tc(.cout);.p("fine");')
    streams = [(c["name"], c["text"]) for c in of_type(out, "stream")]
    assert ("stderr", "oops\n") in streams and ("stdout", "fine\n") in streams


# -- robustness ---------------------------------------------------------------------------

# Token soup: the pieces of Klong, without what could run away or touch the world (the
# looping adverbs :~ :* \~ \*, power ^ on big integers, .x, .sys, .py, files, ]!).
SOUP = ("1 2 3 0 10 0.5 -1 :foo 0cx \"ab\" \"\" [1 2] [] a b f x y z it "
        "+ - * % ! & | < > = ~ , # _ ? @ $ :# :_ :+ := :- :@ :% :$ :: :> ∇ ∂ "
        "' / \\ :' :\\ :/ ( ) [ ] { } :[ :| ; :{ :( .p .d .w .rs .r .rl .jacobian "
        ".gradcheck .dot .exp .plot \n").split(" ")


def soup(rng):
    text = " ".join(rng.choice(SOUP) for _ in range(rng.randint(1, 14)))
    if rng.random() < 0.04:
        text = rng.choice(("]h", "]a", "]i", "]z", "]l", "]hall", "]q")) + " " + text
    return text


def test_five_hundred_bad_cells(kernel):
    km, kc = kernel
    execute(kc, "sentinel::42")
    rng = random.Random(20240611)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(500):
        code = soup(rng)
        try:
            reply, out = execute(kc, code, timeout=10)
        except TimeoutError:            # a slow cell is fair; it must stop when told to
            km.interrupt_kernel()
            reply = kc.get_shell_msg(timeout=10)["content"]
        outcomes[reply["status"]] += 1
        if reply["status"] == "error":
            assert reply["ename"] in ("KlongError", "KeyboardInterrupt"), (code, reply)
            assert reply["evalue"].startswith("kg: "), (code, reply)
            assert "Traceback" not in "\n".join(reply["traceback"]), code
    assert outcomes["error"] > 250
    assert km.is_alive()
    assert value(kc, "sentinel") == "42"
    assert value(kc, "+/!10") == "45"


# -- figures and input --------------------------------------------------------------------

def test_plot_arrives_as_png(kernel):
    _, kc = kernel
    reply, out = execute(kc, '.plot(!10;{x*x}\'!10);.title("squares");')
    assert reply["status"] == "ok"
    (figure,) = of_type(out, "display_data")
    assert base64.b64decode(figure["data"]["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Figure" in figure["data"]["text/plain"]
    reply, out = execute(kc, "1+1")                 # shown once only
    assert not of_type(out, "display_data")


def test_a_cell_that_only_draws_shows_no_value(kernel):
    _, kc = kernel
    reply, out = execute(kc, ".plot(!10;!10)")      # no ';', yet no [] under the figure
    assert len(of_type(out, "display_data")) == 1 and not of_type(out, "execute_result")
    reply, out = execute(kc, ".plot(!3;!3);+/!3")   # a value after drawing is shown
    assert of_type(out, "execute_result")[0]["data"]["text/plain"] == "3"


def test_pyplot_figures_from_python(kernel):
    _, kc = kernel
    reply, out = execute(kc, '.pyf("matplotlib.pyplot";["plot"]);plot([3 1 2]);')
    assert reply["status"] == "ok", reply
    assert len(of_type(out, "display_data")) == 1


def test_read_line_asks_the_frontend(kernel):
    _, kc = kernel
    msg_id = kc.execute("answer::.rl()", allow_stdin=True)
    request = kc.get_stdin_msg(timeout=20)
    assert request["msg_type"] == "input_request"
    kc.input("forty-two")
    reply = kc.get_shell_msg(timeout=20)
    assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "ok"
    assert value(kc, "answer") == '"forty-two"'


def test_read_line_without_stdin_is_end_of_input(kernel):
    _, kc = kernel
    assert value(kc, ".rl()") == '""'           # as with a closed stdin
    assert value(kc, ".r()") == ":eof"


def test_an_async_callback_runs_after_the_cell(kernel):
    """.async's Python work finishes in the background; its Klong callback runs when the
    interpreter rests, after the cell, as at the REPL (klongtorch.ext.background)."""
    _, kc = kernel
    execute(kc, '.py("math");got::0;cb::{got::x};job::.async(sqrt;cb);job(16.0);1')
    deadline = time.monotonic() + 30
    while value(kc, "got") != "4.0" and time.monotonic() < deadline:
        execute(kc, "1")
        time.sleep(0.1)
    assert value(kc, "got") == "4.0"

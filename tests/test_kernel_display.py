"""What the kernel shows of a value, through a running kernel: large values stay small and
quick, every cell gets its reply whatever its value, and long cells show their progress.

One kernel serves the module; the parts that need no kernel are tested on the class.
"""
import base64
import json
import os
import signal
import threading
import time

import pytest
from kernel_support import execute, of_type, running_kernel

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def kernel():
    with running_kernel() as both:
        yield both


def size(out):
    """The bytes of a cell's IOPub messages, as a notebook would store them."""
    return sum(len(json.dumps(content)) for _, _, content in out)


def result(out):
    (content,) = of_type(out, "execute_result")
    return content["data"]


# -- bounded displays -----------------------------------------------------------------------

def test_ten_million_values_reply_at_once_and_small(kernel):
    _, kc = kernel
    start = time.monotonic()
    reply, out = execute(kc, "!10000000", timeout=60)
    took = time.monotonic() - start
    assert reply["status"] == "ok"
    data = result(out)
    assert data["text/plain"] == "[0 1 2 … 9999997 9999998 9999999]\n(shape [10000000])"
    assert "10000000" in data["text/html"] and "mean" in data["text/html"]
    assert size(out) < 10_000                       # stored in the notebook: under 10 KB
    assert took < 20                                # was 8 s and 79 MB; seconds, under load


def test_a_hundred_million_values_get_a_reply(kernel):
    _, kc = kernel
    reply, out = execute(kc, "!100000000", timeout=120)     # its display once ran out of memory
    assert reply["status"] == "ok"
    assert result(out)["text/plain"].endswith("(shape [100000000])") and size(out) < 10_000
    execute(kc, "0")                                         # let `it` go


def test_an_assignment_shows_its_value_bounded(kernel):
    _, kc = kernel
    reply, out = execute(kc, "big::[1000 1000]:^!1000000")
    text = result(out)["text/plain"]
    assert text.startswith("[[0 1 2 … 997 998 999]\n [1000 1001 1002 …")
    assert text.endswith("(shape [1000 1000])") and size(out) < 10_000
    reply, out = execute(kc, "#big")
    assert result(out)["text/plain"] == "1000"     # the value itself is whole


def test_a_huge_integer_shows_its_digit_count(kernel):
    _, kc = kernel
    reply, out = execute(kc, "2^3000000", timeout=60)
    text = result(out)["text/plain"]
    assert text.startswith("970491963") and text.endswith("(903090 digits)")
    assert size(out) < 2000


def test_small_arrays_are_whole_in_the_grid(kernel):
    _, kc = kernel
    reply, out = execute(kc, "[2 3 4]:^!24")
    data = result(out)
    assert data["text/plain"] == "[[[0 1 2 3] [4 5 6 7] [8 9 10 11]] " \
                                 "[[12 13 14 15] [16 17 18 19] [20 21 22 23]]]"
    for i in range(24):
        assert f">{i}</td>" in data["text/html"]


# -- a reply whatever happens in the display ---------------------------------------------------

class Hog:
    """A value whose display runs out of memory (or, slow, waits to be interrupted)."""

    def __init__(self, slow=False):
        self.slow = slow

    @property
    def arity(self):
        if self.slow:
            end = time.monotonic() + 20
            while time.monotonic() < end:
                time.sleep(0.01)
        raise MemoryError


def test_out_of_memory_in_the_display_is_a_klong_error():
    from klongtorch.value.errors import OUT_OF_MEMORY
    from klongtorch.kernel.outputs import failure_content, value_bundle
    from klongtorch.shell.session import Session
    data, failure = Session(None, render=value_bundle).display(Hog())
    error = failure_content(failure)
    assert data is None and error["evalue"] == OUT_OF_MEMORY
    assert error["ename"] == "KlongError"


def test_a_slow_display_can_be_interrupted():
    from klongtorch.kernel.outputs import value_bundle
    from klongtorch.shell.session import Session
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    start = time.monotonic()
    data, failure = Session(None, render=value_bundle).display(Hog(slow=True))
    assert failure.message == "kg: error: interrupted" and time.monotonic() - start < 10
    assert failure.kind == "KeyboardInterrupt"


# -- progress -----------------------------------------------------------------------------------

def progress_messages(out):
    return [(kind, c) for _, kind, c in out if kind in ("display_data", "update_display_data")
            and "klong-progress" in c["data"].get("text/html", "")]


def test_a_long_loop_shows_its_progress_in_place(kernel):
    _, kc = kernel
    reply, out = execute(kc, '.pyf("time";["sleep"]);{sleep(0.05);x}\'!80', timeout=120)
    assert reply["status"] == "ok"
    shown = progress_messages(out)
    kinds = [kind for kind, _ in shown]
    assert kinds[0] == "display_data" and set(kinds[1:]) == {"update_display_data"}
    assert len(shown) >= 3
    assert len({c["transient"]["display_id"] for _, c in shown}) == 1     # one output
    texts = [c["data"]["text/plain"] for _, c in shown]
    assert texts[0].startswith("each ") and "ETA" in texts[0] and "/s" in texts[0]
    done = [int(t.split()[1].split("/")[0]) for t in texts]
    assert done == sorted(done) and done[0] < 80
    assert texts[-1].startswith("each  80/80  100%") and " in " in texts[-1]   # finalized
    assert result(out)["text/plain"].startswith("[0 1 2 ")                    # and the value
    # the first progress came after the cell had run some 2 s, not at once
    first = next(t for t, kind, c in out if kind == "display_data")
    assert first >= 1.5


def test_an_interrupted_loop_finalizes_its_progress(kernel):
    km, kc = kernel
    timer = threading.Timer(4.0, km.interrupt_kernel)
    timer.start()
    reply, out = execute(kc, '.pyf("time";["sleep"]);{sleep(0.05);x}\'!100000', timeout=60)
    timer.join()
    assert reply["evalue"] == "kg: error: interrupted"
    texts = [c["data"]["text/plain"] for _, c in progress_messages(out)]
    assert texts and "(stopped)" in texts[-1] and "/100000" in texts[-1]


def test_a_short_cell_shows_no_progress(kernel):
    _, kc = kernel
    reply, out = execute(kc, "{x*x}'!1000")
    assert not progress_messages(out) and result(out)


# -- live plots -------------------------------------------------------------------------------

DRAWING_LOOP = ('.pyf("time";["sleep"]);ls::[];frame::{.curve(ls);.title("loss");.draw()};'
                "{sleep(0.03);ls::ls,1%1+x;:[0=x!4;frame();0]}'!80;")


def image_messages(out):
    return [(kind, c) for _, kind, c in out if kind in ("display_data", "update_display_data")
            and "image/png" in c["data"]]


def test_draw_redraws_one_figure_in_place(kernel):
    _, kc = kernel
    reply, out = execute(kc, DRAWING_LOOP, timeout=120)
    assert reply["status"] == "ok"
    frames = image_messages(out)
    kinds = [kind for kind, _ in frames]
    assert kinds[0] == "display_data" and set(kinds[1:]) == {"update_display_data"}
    assert len(frames) >= 3                         # redrawn while the loop ran (2.4 s)
    assert len({c["transient"]["display_id"] for _, c in frames}) == 1
    times = [t for t, kind, c in out if kind in ("display_data", "update_display_data")
             and "image/png" in c["data"]]
    assert times[1] - times[0] >= 0.4               # frames at most twice a second
    pngs = [base64.b64decode(c["data"]["image/png"]) for _, c in frames]
    assert all(p[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs) and pngs[-1] != pngs[0]


def test_shift_tab_on_a_big_variable_is_bounded():
    import torch

    from klongtorch.kernel.inspection import describe
    text = describe("big", torch.arange(10_000_000))
    assert "[0 1 2 … 9999997 9999998 9999999]" in text and len(text) < 200


@pytest.mark.parametrize("code, cursor, first_line", [
    (".plot(", 6, ".plot(x;y)  Plot"),            # right after the parenthesis
    (".plot(x;", 8, ".plot(x;y)  Plot"),          # after a separator
    ("f(g(1);", 7, "f::{x*x}"),                   # after an inner call that is closed
    (".plot((x+1)", 9, ".plot(x;y)  Plot"),       # inside grouping inside the call
    ("f(1", 3, "f::{x*x}"),
])
def test_shift_tab_inside_a_call_documents_the_called_function(code, cursor, first_line):
    from klongtorch import Klong
    from klongtorch.kernel.inspection import inspect
    k = Klong()
    k("f::{x*x};g::{x}")
    assert inspect(code, cursor, k).splitlines()[0] == first_line


def test_shift_tab_outside_calls_documents_the_word_at_the_cursor():
    from klongtorch import Klong
    from klongtorch.kernel.inspection import inspect
    k = Klong()
    k("v::!3")
    assert inspect("(1+2", 1, k).splitlines()[0].startswith("(a)")   # grouping, no call
    assert inspect("v", 1, k).startswith("v: tensor of shape [3]")
    assert inspect("f(1)", 4, k) is None                              # after the call

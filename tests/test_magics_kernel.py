"""%%klong in a real IPython kernel (ipykernel's python3), as a notebook runs it: the value is
Out and `_`, a large one is shown small, long cells show their progress in place, and an
interrupt is one line of Klong that keeps the state."""
import json
import threading

import pytest
from jupyter_client.kernelspec import NoSuchKernel
from jupyter_client.manager import start_new_kernel

from kernel_support import execute, of_type

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def kernel():
    try:
        km, kc = start_new_kernel(kernel_name="python3", startup_timeout=120)
    except NoSuchKernel:
        pytest.skip("no python3 kernelspec (ipykernel) here")
    try:
        reply, _ = execute(kc, "%load_ext klongtorch\n%klong_reset --device cpu", timeout=120)
        assert reply["status"] == "ok", reply
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def result(out):
    (content,) = of_type(out, "execute_result")
    return content["data"]


def in_place(out, wanted):
    """(kind, content) of the display_data and update_display_data outputs whose data
    `wanted` accepts."""
    return [(kind, c) for _, kind, c in out if kind in ("display_data", "update_display_data")
            and wanted(c["data"])]


def assert_one_output_updated(shown):
    """shown (from in_place) is one output, made and then updated in place."""
    assert [kind for kind, _ in shown][:2] == ["display_data", "update_display_data"]
    assert len({c["transient"]["display_id"] for _, c in shown}) == 1


def progress_of(data):
    return "klong-progress" in data.get("text/html", "")


def image(data):
    return "image/png" in data


def test_out_is_the_value_and_underscore_works(kernel):
    _, kc = kernel
    reply, out = execute(kc, "%%klong\nv::[1 2 3]\nv*10")
    data = result(out)
    assert data["text/plain"] == "[10 20 30]" and "klong-tensor" in data["text/html"]
    reply, out = execute(kc, "_*2, type(_).__name__")
    assert result(out)["text/plain"] == "(tensor([20, 40, 60]), 'Tensor')"


def test_a_large_value_is_shown_small(kernel):
    _, kc = kernel
    reply, out = execute(kc, "%%klong\n!10000000", timeout=60)
    assert result(out)["text/plain"] == "[0 1 2 … 9999997 9999998 9999999]\n(shape [10000000])"
    assert sum(len(json.dumps(c)) for _, _, c in out) < 10_000
    reply, out = execute(kc, "_.numel()")
    assert result(out)["text/plain"] == "10000000"


def test_a_long_cell_shows_progress_in_place(kernel):
    _, kc = kernel
    code = "%%klong\n.pyf(\"time\";[\"sleep\"]);{sleep(0.05);x}'!80"
    reply, out = execute(kc, code, timeout=120)
    assert reply["status"] == "ok"
    shown = in_place(out, progress_of)
    assert_one_output_updated(shown)
    assert shown[-1][1]["data"]["text/plain"].startswith("each  80/80  100%")
    assert result(out)["text/plain"].startswith("[0 1 2")


def test_an_interrupt_is_one_line_and_keeps_the_state(kernel):
    km, kc = kernel
    execute(kc, "%klong a::7;g::{[a];a::1;{x=x}{x+1}:~0}")
    timer = threading.Timer(1.5, km.interrupt_kernel)
    timer.start()
    reply, out = execute(kc, "%%klong\ng()", timeout=60)
    timer.join()
    assert reply["status"] == "error"
    (error,) = of_type(out, "error")
    assert error["evalue"] == "kg: error: interrupted"
    assert len(error["traceback"]) <= 2 and "Traceback" not in "".join(error["traceback"])
    reply, out = execute(kc, "%klong a")
    assert result(out)["text/plain"] == "7"


def test_draw_redraws_one_figure_in_place(kernel):
    _, kc = kernel
    code = ('%%klong\n.pyf("time";["sleep"]);ls::[];frame::{.curve(ls);.draw()};'
            "{sleep(0.03);ls::ls,x;:[0=x!4;frame();0]}'!80;")
    reply, out = execute(kc, code, timeout=120)
    assert reply["status"] == "ok"
    assert_one_output_updated(in_place(out, image))      # no second image


def test_a_line_in_a_python_loop_shows_the_cells_progress(kernel):
    """%klong lines run within their cell's watch (magics/output.Progress): a long loop in a
    line shows its progress as an output of the cell, updated in place."""
    _, kc = kernel
    code = ("%klong .pyf(\"time\";[\"sleep\"])\n"
            "for n in (40, 40):\n"
            "    r = %klong {sleep(0.05);x}'!40\n"
            "len(r)")
    reply, out = execute(kc, code, timeout=120)
    assert reply["status"] == "ok"
    shown = in_place(out, progress_of)
    assert_one_output_updated(shown)
    assert shown[-1][1]["data"]["text/plain"].startswith("each  40/40  100%")
    assert result(out)["text/plain"] == "40"


def test_draw_in_the_lines_of_a_loop_redraws_one_figure(kernel):
    _, kc = kernel
    code = ("%klong ls::[]\n"
            "for i in range(12):\n"
            "    %klong ls::ls,#ls;.curve(ls);.draw();0\n")
    reply, out = execute(kc, code, timeout=120)
    assert reply["status"] == "ok"
    assert_one_output_updated(in_place(out, image))      # one animation


def test_each_cell_leaves_its_watch(kernel):
    _, kc = kernel
    for _ in range(3):
        execute(kc, "%klong 1+1")
    reply, out = execute(kc, "import klongtorch.display.progress as P\n"
                             "m = get_ipython().magics_manager.registry['KlongMagics']\n"
                             "len(m.progress.cells), P.watching")
    # only this cell's own watch is open, and it is what makes `watching` true
    assert result(out)["text/plain"] == "(1, True)"

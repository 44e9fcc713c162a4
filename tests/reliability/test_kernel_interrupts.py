"""The Interrupt button, pressed again and again on a real Klong kernel, changes no global.

Each round runs a runaway loop that rebinds a global dynamically (a function local), then
presses Interrupt (jupyter_client's interrupt_kernel: SIGINT, as the notebook sends it) at a
random moment. Every round must end with the `interrupted` error reply, and afterwards the
globals must be what they were.
"""
import random
import time
from queue import Empty

import pytest

from tests.kernel_support import execute, running_kernel, value

jupyter_client = pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")

PRESSES = 30
SETUP = "a::7;b::[1 2 3];g::{[a];a::x;a*2};h::{[a b];a::x;b::g(x);a+b}"
LOOPS = ("{1}{g(x);x+1}:~0", "{1}{h(x);x+1}:~0")
CHECK = "(,a),(,b),g(21),h(1)"


@pytest.fixture(scope="module")
def kernel():
    with running_kernel() as both:
        yield both


def interrupted(km, kc, code, delay):
    """Run code, press Interrupt after delay seconds (and again if a press came before the
    cell started, when there was nothing to stop); the reply."""
    msg_id = kc.execute(code, stop_on_error=False)
    time.sleep(delay)
    for _ in range(20):
        km.interrupt_kernel()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            try:
                reply = kc.get_shell_msg(timeout=0.5)
            except Empty:
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply["content"]
    raise AssertionError(f"no reply to {code!r} after 20 interrupts")


def test_interrupt_button_in_a_loop_changes_no_global(kernel):
    km, kc = kernel
    execute(kc, SETUP)
    before = value(kc, CHECK)
    rng = random.Random(13)
    replies = []
    for i in range(PRESSES):
        reply = interrupted(km, kc, LOOPS[i % 2], rng.uniform(0.05, 0.4))
        replies.append(reply.get("evalue") or reply)
    assert replies == ["kg: error: interrupted"] * PRESSES
    assert value(kc, CHECK) == before
    assert value(kc, "a") == "7"


def test_shutdown_flushes_what_was_written(kernel, tmp_path):
    """Last in this file: it shuts the kernel down, as Jupyter does when a notebook closes."""
    km, kc = kernel
    path = tmp_path / "written.txt"
    reply, _ = execute(kc, f'c::.oc("{path}");.tc(c);.p("data");.tc(0);1')
    assert reply["status"] == "ok"
    km.shutdown_kernel(now=False)           # a shutdown_request, not a kill
    assert path.read_text() == "data\n"


def main(presses):
    """python -m tests.reliability.test_kernel_interrupts 1000: that many presses at random
    moments (10-200 ms into the cell), the globals checked after every one."""
    with running_kernel() as (km, kc):
        execute(kc, SETUP)
        before = value(kc, CHECK)
        rng = random.Random(1)
        bad = 0
        for i in range(presses):
            reply = interrupted(km, kc, LOOPS[i % 2], rng.uniform(0.01, 0.2))
            now = value(kc, CHECK)
            if reply.get("evalue") != "kg: error: interrupted" or now != before:
                bad += 1
                print(f"press {i}: {reply.get('evalue')!r}, globals {now!r}", flush=True)
            if i % 100 == 99:
                print(f"{i + 1} presses, {bad} problems", flush=True)
    print(f"{presses} presses in all, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    import sys
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))

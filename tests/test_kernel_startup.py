"""The kernel answers before torch is imported (kernel/startup.py).

The kernel here finds a stand-in `torch` package first on PYTHONPATH, whose import says it
has begun (a marker file) and then blocks until the test opens its gate, after which it
fails. So nothing depends on how long the real torch takes: while the import is stuck,
kernel_info, is_complete and history must answer, and an Interrupt must end the cell that
waits for the interpreter without killing the kernel; once the import has failed, every
cell gets the same clean Klong error and the kernel stays up.
"""
import os
import sys
import time

import pytest

from kernel_support import KERNEL_NAME, installed_kernelspec

jupyter_client = pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

STAND_IN = '''
import os, time
open(os.environ["KT_TEST_TORCH_BEGUN"], "w").close()
while not os.path.exists(os.environ["KT_TEST_TORCH_GATE"]):
    time.sleep(0.05)
raise RuntimeError("stand-in torch: broken on purpose")
'''


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        time.sleep(0.05)


def stand_in(tmp):
    """(environment, begun marker, gate) for a kernel that imports the stand-in torch."""
    (tmp / "fake" / "torch").mkdir(parents=True)
    (tmp / "fake" / "torch" / "__init__.py").write_text(STAND_IN)
    begun, gate = tmp / "begun", tmp / "gate"
    env = dict(os.environ, KT_TEST_TORCH_BEGUN=str(begun), KT_TEST_TORCH_GATE=str(gate))
    env["PYTHONPATH"] = os.pathsep.join([str(tmp / "fake")] + sys.path[:1] +
                                        [p for p in [os.environ.get("PYTHONPATH")] if p])
    return env, begun, gate


@pytest.fixture(scope="module")
def stuck(tmp_path_factory):
    """(manager, client, begun marker, gate) of a kernel whose torch import is stuck."""
    from jupyter_client.manager import start_new_kernel
    env, begun, gate = stand_in(tmp_path_factory.mktemp("startup"))
    with installed_kernelspec():
        # start_new_kernel returns only after the kernel's kernel_info reply
        km, kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=120, env=env)
        try:
            yield km, kc, begun, gate
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


def reply_to(kc, msg_id, timeout=30):
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def test_replies_while_torch_is_being_imported(stuck):
    km, kc, begun, gate = stuck
    wait_for(begun.exists)              # the import has begun, and is held
    assert not gate.exists()
    info = reply_to(kc, kc.kernel_info())
    assert info["status"] == "ok" and info["language_info"]["name"] == "klong"
    assert "starting" in info["banner"] and "]h" in info["banner"]
    # the lexer needs no torch: brackets are checked while torch loads
    assert reply_to(kc, kc.is_complete("1+[2"))["status"] == "incomplete"
    assert reply_to(kc, kc.is_complete("1+[2]"))["status"] == "complete"
    assert reply_to(kc, kc.history(hist_access_type="tail", n=5))["status"] == "ok"


def test_interrupt_while_waiting_keeps_the_kernel(stuck):
    km, kc, begun, gate = stuck
    wait_for(begun.exists)
    msg_id = kc.execute("1+1")
    reply = None
    for _ in range(200):        # a press before the cell starts waiting stops nothing
        km.interrupt_kernel()
        try:
            reply = reply_to(kc, msg_id, timeout=0.5)
            break
        except Exception:       # queue.Empty: not answered yet, press again
            continue
    assert reply is not None and reply["status"] == "error"
    assert reply["evalue"] == "kg: error: interrupted"
    assert km.is_alive()
    assert reply_to(kc, kc.kernel_info())["status"] == "ok"


def test_a_failed_import_is_an_error_in_every_cell(stuck):
    km, kc, begun, gate = stuck
    wait_for(begun.exists)
    gate.touch()                # the stand-in torch now fails
    for _ in range(2):
        reply = reply_to(kc, kc.execute("1+1"))
        assert reply["status"] == "error"
        assert reply["evalue"].startswith("kg: error: the interpreter cannot start:")
        assert "RuntimeError" not in reply["evalue"] and "stand-in" not in reply["evalue"]
    assert reply_to(kc, kc.is_complete("1+[2"))["status"] == "incomplete"  # no torch needed
    matches = reply_to(kc, kc.complete(".gr", 3))
    assert matches["status"] == "ok" and matches["matches"] == []
    info = reply_to(kc, kc.kernel_info())
    assert info["banner"].startswith("klongtorch") and "cannot start" in info["banner"]
    assert km.is_alive()


def test_torch_loads_even_if_no_client_asks_for_kernel_info(tmp_path):
    """The build begins once the kernel's sockets are bound, whether or not a client has
    connected or asked for kernel_info (startup.FALLBACK seconds after launch at the
    latest)."""
    from jupyter_client.manager import KernelManager
    env, begun, gate = stand_in(tmp_path)
    with installed_kernelspec():
        km = KernelManager(kernel_name=KERNEL_NAME)
        km.start_kernel(env=env)
        try:
            wait_for(begun.exists)      # no client has connected at all
        finally:
            gate.touch()
            km.shutdown_kernel(now=True)


def test_a_missing_package_is_named():
    from klongtorch.kernel.startup import failure_message
    missing = ModuleNotFoundError("No module named 'torch'", name="torch")
    assert failure_message(missing) == (
        "kg: error: the interpreter cannot start: torch is not installed "
        "(restart the kernel once it is)")
    assert "ValueError" not in failure_message(ValueError("x"))


def test_launch_tunes_the_allocator_then_prepares_torch_loading():
    """allocator.tune must come before torch allocates anything: launch calls it before
    it prepares the thread that imports torch, and nothing before has imported torch."""
    import subprocess
    code = ("import sys; from klongtorch.runtime import allocator\n"
            "from klongtorch.kernel import __main__ as m, startup\n"
            "import ipykernel.kernelapp as ka\n"
            "order = []\n"
            "allocator.tune = lambda: order.append('tune')\n"
            "startup.prepare = lambda: order.append(('prepare', 'torch' in sys.modules))\n"
            "class Stop(Exception): pass\n"
            "def stop(*a, **k): raise Stop\n"
            "ka.IPKernelApp.launch_instance = stop\n"
            "try: m.launch([])\n"
            "except Stop: pass\n"
            "print(order)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "['tune', ('prepare', False)]", out.stderr

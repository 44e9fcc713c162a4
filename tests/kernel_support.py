"""Support for the kernel tests: the kernelspec, installed the way users install it.

`installed_kernelspec()` runs the install command (`python -m klongtorch.kernel install
--prefix TMP`, in this process: a new one would spend seconds importing torch) and points
JUPYTER_PATH at TMP/share/jupyter for as long as it is active, so the tests need no setup
and never touch ~/.local/share/jupyter; `running_kernel()` starts a kernel from it. `execute()` runs one cell on a BlockingKernelClient
and collects what it sent, with the time each message arrived.
"""
import time
from contextlib import contextmanager
from queue import Empty

KERNEL_NAME = "klong"


def installed_kernelspec():
    """The kernelspec installed into a temporary prefix, found through JUPYTER_PATH."""
    from klongtorch.kernel.install import temporary_kernelspec
    return temporary_kernelspec()


@contextmanager
def running_kernel():
    """(manager, client) of one Klong kernel started from the installed kernelspec, shut
    down afterwards (tests share one per module: starting one costs seconds)."""
    from jupyter_client.manager import start_new_kernel
    with installed_kernelspec():
        km, kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=120)
        try:
            yield km, kc
        finally:
            kc.stop_channels()
            if km.is_alive():
                km.shutdown_kernel(now=True)


def execute(kc, code, timeout=30, silent=False, stop_on_error=False, allow_stdin=False):
    """(reply, [(seconds since sent, msg_type, content)]): one cell's reply and its IOPub
    messages up to the idle status."""
    start = time.monotonic()
    msg_id = kc.execute(code, silent=silent, stop_on_error=stop_on_error,
                        allow_stdin=allow_stdin)
    outputs = []
    deadline = start + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no idle status within {timeout} s for {code!r}")
        try:
            msg = kc.get_iopub_msg(timeout=left)
        except Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            break
        if kind not in ("status", "execute_input"):
            outputs.append((time.monotonic() - start, kind, msg["content"]))
    while True:     # skip replies to earlier requests (wait_for_ready's kernel_info)
        reply = kc.get_shell_msg(timeout=max(1, deadline - time.monotonic()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"], outputs


def value(kc, code):
    """The text/plain of a cell's value (the cell must succeed)."""
    reply, out = execute(kc, code)
    assert reply["status"] == "ok", reply
    return of_type(out, "execute_result")[0]["data"]["text/plain"]


def of_type(outputs, kind):
    return [content for _, k, content in outputs if k == kind]


def stdout(outputs):
    return "".join(c["text"] for c in of_type(outputs, "stream") if c["name"] == "stdout")

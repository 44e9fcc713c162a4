"""Warm from a server's first launch (kernel/serverext.py): `install` enables the server
extension where it names the warm provisioner, and a Jupyter server that loads it starts a
spare for the klong kernelspec, which the server's first Klong kernel then becomes."""
import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")
pytest.importorskip("jupyter_server")

from browser_support import free_port  # noqa: E402
from tests.kernel_support import execute, stdout  # noqa: E402

from klongtorch.kernel import install, serverext, warm  # noqa: E402


def _config(prefix):
    return os.path.join(prefix, "etc", "jupyter", "jupyter_server_config.d",
                        install.SERVER_CONFIG)


def test_install_enables_the_extension_where_the_spec_is_warm(tmp_path):
    prefix = str(tmp_path / "env")
    assert install.main(["--prefix", prefix, "--warm"]) == 0
    with open(_config(prefix)) as f:
        assert json.load(f) == {"ServerApp": {"jpserver_extensions": {
            "klongtorch.kernel.serverext": True}}}
    assert install.main(["--prefix", prefix, "--no-warm"]) == 0      # cold: none
    assert not os.path.exists(_config(prefix))
    assert install.main(["--prefix", prefix, "--warm"]) == 0
    spec = os.path.join(prefix, "share", "jupyter", "kernels", "klong")
    assert install._config_dir_of(spec) == os.path.dirname(_config(prefix))


def test_uninstall_removes_it(tmp_path, monkeypatch):
    prefix = str(tmp_path / "env")
    assert install.main(["--prefix", prefix, "--warm"]) == 0
    monkeypatch.setenv("JUPYTER_PATH", os.path.join(prefix, "share", "jupyter"))
    assert install.uninstall().startswith(prefix)
    assert not os.path.exists(_config(prefix))


class _Specs:
    def __init__(self, spec):
        self.spec = spec

    def get_kernel_spec(self, name):
        if self.spec is None or name != "klong":
            raise KeyError(name)
        return self.spec


def _spec(warm_named=True, env=None):
    from jupyter_client.kernelspec import KernelSpec
    data = install.kernel_json(warm=warm_named)
    data["env"] = env or {}
    return KernelSpec(**data)


def test_the_plan_is_the_spare_a_launch_of_the_spec_looks_for():
    environ = {"HOME": "/h", "KLONGTORCH_WARM": "1", "PATH": "/bin"}
    spec = _spec(env={"OMP_WAIT_POLICY": "PASSIVE", "WHERE": "$HOME/data"})
    spare_cmd, kwargs = serverext.spare_plan(_Specs(spec), "/root", environ)
    assert spare_cmd == warm.spare_command(spec.argv)[0]
    assert spare_cmd[-2:] == ["klongtorch.kernel", "spare"]
    assert kwargs["cwd"] == "/root"
    assert kwargs["env"] == dict(environ, OMP_WAIT_POLICY="PASSIVE", WHERE="/h/data")
    # nothing to ready: spares off, no klong spec, a spec that starts cold
    assert serverext.spare_plan(_Specs(spec), "/", dict(environ, KLONGTORCH_WARM="0")) is None
    assert serverext.spare_plan(_Specs(None), "/", environ) is None
    assert serverext.spare_plan(_Specs(_spec(warm_named=False)), "/", environ) is None


def _children_spares(pid):
    """The pids of pid's child processes that are spares (`klongtorch.kernel spare`)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid and b"klongtorch.kernel" in cmd and b"spare" in cmd:
            found.append(int(entry))
    return found


def _post(url, data):
    request = urllib.request.Request(url, data=json.dumps(data).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as r:
        return json.loads(r.read())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_servers_first_klong_kernel_is_the_spare_it_readied(tmp_path):
    from jupyter_client import BlockingKernelClient
    prefix = str(tmp_path / "env")
    assert install.main(["--prefix", prefix, "--warm"]) == 0
    port = free_port()
    env = dict(os.environ, KLONGTORCH_WARM="1", KLONGTORCH_WARM_WAIT="0",
               JUPYTER_PATH=os.path.join(prefix, "share", "jupyter"),
               JUPYTER_CONFIG_PATH=os.path.join(prefix, "etc", "jupyter"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         "--IdentityProvider.token=", "--ServerApp.password=",
         "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={tmp_path}"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not _children_spares(server.pid):             # SPARE_AFTER, then the spare
            assert server.poll() is None and time.monotonic() < deadline, \
                (tmp_path / "server.log").read_text()[-3000:]
            time.sleep(0.2)
        (spare,) = _children_spares(server.pid)
        time.sleep(4)                                       # its imports
        started = time.monotonic()
        kernel = _post(url + "/api/kernels", {"name": "klong"})
        kc = BlockingKernelClient(connection_file=str(
            tmp_path / "runtime" / f"kernel-{kernel['id']}.json"))
        kc.load_connection_file()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            _, out = execute(kc, '.sys("echo $PPID")')
            assert int(stdout(out)) == spare                # the spare became the kernel
            took = time.monotonic() - started
            print(f"first kernel of a server: launch to an answer {took:.2f} s")
        finally:
            kc.stop_channels()
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    assert "a warm Klong kernel will be ready" in (tmp_path / "server.log").read_text()

"""Warm kernels in JupyterLab, in headless Chromium: a notebook's kernel restarted through
the Kernel menu comes back as the spare the warm provisioner kept (kernel/warm.py), and it
runs cells as before; the first notebook of a lab gets the spare the server extension
readied as the lab started (kernel/serverext.py). The cells ask the shell for the kernel process's command line: a cold
kernel is `... -m klongtorch.kernel -f ...`, a warm one began as `... klongtorch.kernel
spare`. Screenshots go to $KLONGTORCH_SCREENSHOTS if set.
"""
import os
import time

import pytest

pytest.importorskip("playwright.sync_api")
pytest.importorskip("jupyterlab")
nbformat = pytest.importorskip("nbformat")

from browser_support import CHROMIUM, Notebook, browser, running_lab  # noqa: E402
from kernel_support import installed_kernelspec  # noqa: E402
from test_jupyterlab import lab_extension_installed, notebook, screenshot  # noqa: E402

from klongtorch.kernel import warm  # noqa: E402

if not os.path.exists(CHROMIUM):
    pytest.skip("no Chromium (apt-get install chromium)", allow_module_level=True)
if not lab_extension_installed():
    pytest.skip("klongtorch's JupyterLab extension is not installed (pip install -e .)",
                allow_module_level=True)

# the kernel's command line, as the shell .sys starts sees its parent's
WHO = ".sys(\"tr '\\000' ' ' </proc/$PPID/cmdline; echo\")"


def output(nb, i):
    return nb.cell(i).locator(".jp-OutputArea-output").first.inner_text()


def test_a_restarted_kernel_comes_back_warm(tmp_path, monkeypatch):
    monkeypatch.setenv("KLONGTORCH_WARM", "1")          # the suite runs with spares off
    monkeypatch.setenv("KLONGTORCH_WARM_WAIT", "0")     # other tests keep the cores busy
    notebook(tmp_path / "warm.ipynb", "klong", "klong", [WHO, "a::6*7", WHO + ";a", ""])
    with installed_kernelspec(), running_lab(tmp_path) as url, browser() as chromium:
        page = chromium.new_page(viewport={"width": 1200, "height": 700})
        nb = Notebook(page, url, "warm.ipynb")
        nb.run(0)
        cold = output(nb, 0)
        assert "klongtorch.kernel -f" in cold and "spare" not in cold
        nb.run(1)
        time.sleep(warm.SPARE_AFTER + 4)                # the spare starts, imports torch
        # not awaited: the command's promise waits for the dialog's answer, clicked below
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:restart-kernel'); }")
        page.locator(".jp-Dialog .jp-mod-accept").click()
        nb.wait_for_kernel()
        nb.run(2)
        screenshot(page, "warm-restart.png")
        assert "klongtorch.kernel spare" in output(nb, 2)   # the spare became the kernel
        # a new kernel: the state is gone, as after any restart
        assert "kg: error: undefined: a" in nb.cell(2).locator(".jp-OutputArea").inner_text()


def test_the_first_notebook_of_a_lab_starts_warm(tmp_path, monkeypatch):
    """Where the kernelspec was installed with warm kernels, the server extension beside it
    (kernel/serverext.py) readies a spare as JupyterLab starts: the first notebook opened
    gets it, with no cold launch before."""
    monkeypatch.setenv("KLONGTORCH_WARM", "1")
    monkeypatch.setenv("KLONGTORCH_WARM_WAIT", "0")
    notebook(tmp_path / "first.ipynb", "klong", "klong", [WHO, "+/1.0*!1000000", ""])
    with installed_kernelspec() as data_dir:
        prefix = os.path.dirname(os.path.dirname(data_dir))     # PREFIX/share/jupyter
        monkeypatch.setenv("JUPYTER_CONFIG_PATH", os.path.join(prefix, "etc", "jupyter"))
        with running_lab(tmp_path) as url, browser() as chromium:
            time.sleep(warm.SPARE_AFTER + 5)        # a person opening a notebook
            page = chromium.new_page(viewport={"width": 1200, "height": 700})
            nb = Notebook(page, url, "first.ipynb")
            nb.run(0)
            nb.run(1)
            screenshot(page, "warm-first.png")
            assert "klongtorch.kernel spare" in output(nb, 0)
            assert output(nb, 1).strip() == "499999500000.0"

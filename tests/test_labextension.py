"""The JupyterLab extension as shipped: the committed bundle, what pip installs, and the
kernel's language_info that points notebooks at its language. (The browser test,
test_jupyterlab.py, checks what it does in JupyterLab.)"""
import json
import sys
from pathlib import Path

from conftest import REPO_ROOT

BUNDLE = REPO_ROOT / "kernel" / "labextension"


def bundle_text():
    return "".join(p.read_text(encoding="utf-8") for p in (BUNDLE / "static").glob("*.js"))


def test_the_bundle_is_committed_beside_its_source():
    meta = json.loads((BUNDLE / "package.json").read_text())
    source = json.loads((REPO_ROOT / "labextension" / "package.json").read_text())
    assert meta["name"] == source["name"] == "klongtorch"
    assert meta["version"] == source["version"]
    assert (BUNDLE / meta["jupyterlab"]["_build"]["load"]).exists()
    # CodeMirror and Lezer come from JupyterLab (a copy of its own would not share the
    # theme's tags, and would weigh some hundreds of KB)
    assert sum(p.stat().st_size for p in (BUNDLE / "static").iterdir()) < 50_000


def test_the_kernel_names_the_extension_s_language():
    from klongtorch.kernel.kernel import KlongKernel
    info = KlongKernel.language_info
    assert info["codemirror_mode"] == "klong" and info["mimetype"] == "text/x-klong"
    text = bundle_text()
    assert "text/x-klong" in text and '"klong"' in text.replace("'", '"')


def test_pip_installs_it_where_jupyterlab_looks():
    """setup.cfg's data files put the bundle in share/jupyter/labextensions/klongtorch, the
    same files (an editable install copies them: reinstall after labextension/build)."""
    from setuptools.config.setupcfg import read_configuration
    data = dict(read_configuration(str(REPO_ROOT / "setup.cfg"))["options"]["data_files"])
    listed = {Path(f).name for files in data.values() for f in files}
    shipped = {p.name for p in BUNDLE.rglob("*") if p.is_file()}
    assert listed == shipped
    installed = Path(sys.prefix, "share", "jupyter", "labextensions", "klongtorch")
    if installed.exists():      # installed into this Python: the very same bundle
        assert {p.name for p in installed.rglob("*") if p.is_file()} == shipped

"""torch's libraries loaded on another core while a kernel starts (klongtorch/runtime/preload.py).

Each check runs in a fresh Python (test_allocator.run_python), since a process loads torch
once: the load happens without importing torch and without holding the GIL, a later
`import torch` works on what it loaded, the kernel's launch starts it, and the C extensions
it imports first cover those that ipykernel's import would otherwise stall on.
"""
import sys

import pytest

from test_allocator import at_kernel_start, run_python

linux_torch = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="torch's libraries are preloaded on Linux only")

MAPPED = "any('libtorch_cpu' in line for line in open('/proc/self/maps'))"


@linux_torch
def test_the_libraries_load_without_importing_torch_and_torch_then_works():
    code = ("import sys\n"
            "from klongtorch.runtime import preload\n"
            f"before = {MAPPED}\n"
            "t = preload.start(('_json',)); t.join()\n"
            f"loaded = {MAPPED}\n"
            "untouched = 'torch' not in sys.modules\n"
            "import torch\n"
            "print(before, loaded, untouched, '_json' in sys.modules, int(torch.arange(5).sum()))\n")
    assert run_python(code) == "False True True True 10"


@linux_torch
def test_the_load_leaves_the_gil_to_the_main_thread():
    """The main thread runs Python while the load goes on: with the GIL held for the whole
    load (ctypes.CDLL's own dlopen), it would run again only once the load had ended."""
    code = ("from klongtorch.runtime import preload\n"
            "t = preload.start()\n"
            "n = sum(range(1000))\n"
            "print(t.is_alive())\n")
    assert run_python(code) == "True"


def test_nothing_is_loaded_once_torch_is_imported():
    assert run_python("import torch\nfrom klongtorch.runtime import preload\n"
                      "print(preload.start())") == "None"


@linux_torch
def test_the_environment_can_turn_it_off():
    code = ("from klongtorch.runtime import preload\n"
            f"print(preload.start(), {MAPPED})\n")
    assert run_python(code, KLONGTORCH_PRELOAD="0") == "None False"


def test_a_torch_without_the_linux_libraries_is_left_alone(tmp_path):
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "__init__.py").write_text("")
    code = (f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
            "from klongtorch.runtime import preload\n"
            "print(preload.library_paths(), preload.start())\n")
    assert run_python(code) == "() None"


def test_no_torch_at_all_is_left_alone(monkeypatch):
    from klongtorch.runtime import preload
    monkeypatch.setattr(preload.importlib.util, "find_spec", lambda name: None)
    assert preload.library_paths() == ()


@linux_torch
def test_the_kernel_launch_loads_them_without_importing_torch():
    pytest.importorskip("ipykernel")
    expr = ("([t.join() for t in threading.enumerate() if t.name == 'klong-preload'], "
            f"{MAPPED}, 'torch' in sys.modules)[1:]")
    assert run_python(at_kernel_start(expr, "import sys, threading")) == "(True, False)"


def test_the_kernel_imports_every_c_extension_it_needs_before_the_load():
    """After the launch's EXTENSIONS, importing ipykernel and the kernel loads no other C
    extension: one that did would wait for torch's libraries on the loader's lock."""
    pytest.importorskip("ipykernel")
    code = ("import importlib, sys\n"
            "from klongtorch.kernel.__main__ import EXTENSIONS\n"
            "def ext(): return {n for n, m in list(sys.modules.items())\n"
            "                  if (getattr(m, '__file__', None) or '').endswith(('.so', '.pyd'))}\n"
            "for name in EXTENSIONS:\n"
            "    try: importlib.import_module(name)\n"
            "    except ImportError: pass\n"
            "before = ext()\n"
            "import ipykernel.kernelapp, klongtorch.kernel.kernel\n"
            "print(sorted(ext() - before), 'torch' in sys.modules)\n")
    assert run_python(code) == "[] False"

"""A newcomer's first minutes: clear errors at the first moment, quick answers, quiet output.

- A device this machine lacks, or one torch does not know, fails when the interpreter is
  made (Klong(device=...), --device, %klong --device), in kg's words; the kernel reports a
  bad KLONGTORCH_DEVICE in its banner and runs on the best device there is.
- A missing optional package names the pip install that brings it.
- `python -m klongtorch.kernel --help` is about klongtorch's commands.
- `klongtorch --help` and `--version` answer without importing torch.
- A REPL line that ends with ';' shows no value, so `.p(s);` prints s once.
"""
import os
import subprocess
import sys
import textwrap
import types

import pytest
import torch

from klongtorch import Klong, KlongError
from klongtorch.value import devices
from klongtorch.shell.cli import main as cli_main
from klongtorch.parse.lexer import survey


def unavailable_device():
    """A device name torch knows but this machine cannot use."""
    if not torch.cuda.is_available():
        return "cuda"
    if not devices._mps_available():
        return "mps"
    return f"cuda:{torch.cuda.device_count()}"


def python(code, **kw):
    env = dict(os.environ)
    env.pop("KLONGTORCH_DEVICE", None)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=300, env=env, **kw)


# -- devices --------------------------------------------------------------------------------

def test_an_unavailable_device_fails_when_the_interpreter_is_made():
    name = unavailable_device()
    with pytest.raises(KlongError) as e:
        Klong(device=name)
    assert e.value.message.startswith(f"kg: error: device: {name} is not available: ")


@pytest.mark.parametrize("name", ["nonsense", "gpu", "cuda:x"])
def test_an_unknown_device_is_a_klong_error(name):
    with pytest.raises(KlongError) as e:
        Klong(device=name)
    assert e.value.message == (f"kg: error: device: unknown device: {name} "
                               "(use cpu, cuda or mps)")


def test_the_best_device_and_cpu_are_accepted():
    assert Klong(device="cpu").device == torch.device("cpu")
    assert Klong().device == devices.best()
    assert Klong(device=torch.device("cpu"))("+/!4") == 6


def test_a_bad_dtype_is_a_klong_error():
    with pytest.raises(KlongError, match=r"^kg: error: dtype: int8 is not a real dtype"):
        Klong(dtype="int8")


def test_the_command_line_says_so_and_exits_2(capsys):
    assert cli_main(["--device", "nonsense", "-e", "1"]) == 2
    err = capsys.readouterr().err
    assert err == "kg: error: device: unknown device: nonsense (use cpu, cuda or mps)\n"


def test_the_kernel_reports_a_bad_setting_once_and_runs_on_the_best_device(monkeypatch,
                                                                            caplog):
    pytest.importorskip("ipykernel")
    from klongtorch.kernel.kernel import KlongKernel
    from klongtorch.kernel.startup import make_interpreter
    name = unavailable_device()
    monkeypatch.setenv("KLONGTORCH_DEVICE", name)
    k, problem = make_interpreter()
    assert k.device == devices.best()
    assert problem.startswith(f"kg: error: device: {name} is not available")
    assert problem.endswith(f"running on {k.device} instead")
    assert [r.getMessage() for r in caplog.records] == [problem]
    banner = KlongKernel.banner.fget(types.SimpleNamespace(klong=k, setting_problem=problem))
    assert banner.endswith("\n" + problem)
    monkeypatch.delenv("KLONGTORCH_DEVICE")
    assert make_interpreter()[1] is None


def test_the_magic_says_so_in_kg_words():
    pytest.importorskip("IPython")
    from IPython.core.error import UsageError

    from klongtorch.magics.magic import _device
    with pytest.raises(UsageError, match=r"^kg: error: device: unknown device: nonsense"):
        _device("nonsense")


# -- missing extras -------------------------------------------------------------------------

BLOCKED = """\
    import runpy, sys
    for m in ("IPython", "ipykernel", "jupyter_client", "nbclient", "nbformat"):
        sys.modules[m] = None           # as if the kernel extra were not installed
    sys.argv = ["klongtorch.kernel"] + {args!r}
    runpy.run_module("klongtorch.kernel", run_name="__main__", alter_sys=True)
    """


@pytest.mark.parametrize("args, what", [
    (["install", "--user"], "python -m klongtorch.kernel install needs jupyter_client"),
    (["run", "nb.ipynb"], "running notebooks needs nbformat"),
    (["-f", "connection.json"], "the kernel needs ipykernel"),
])
def test_a_missing_extra_names_the_pip_install(args, what, tmp_path):
    done = python(BLOCKED.format(args=args), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("kg: error: " + what)
    assert done.stderr.endswith("pip install 'klongtorch[kernel]'\n")
    assert "Traceback" not in done.stderr


def test_the_magics_without_ipython_name_the_pip_install():
    done = python("""\
        import sys
        sys.modules["IPython"] = None
        try:
            import klongtorch.magics
        except ModuleNotFoundError as e:
            print(e)
        """)
    assert done.stdout.startswith("klongtorch.magics needs IPython, which is not installed: "
                                  "pip install 'klongtorch[kernel]'")


# -- help -----------------------------------------------------------------------------------

def test_kernel_help_lists_its_commands_first(capsys):
    from klongtorch.kernel.__main__ import main
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    lines = [line.split()[0] for line in out.split("commands:\n")[1].split("\n")
             if line.startswith("  ") and not line.startswith("   ")]
    assert lines[:3] == ["install", "uninstall", "run"]
    assert "jupyter kernel --help" in out
    assert main([]) == 2                                    # a person without a command
    assert "install" in capsys.readouterr().err


def test_help_and_version_answer_without_torch():
    done = python("""\
        import sys
        from klongtorch.shell.cli import main
        for args in (["--help"], ["--version"]):
            assert main(args) == 0
        import klongtorch
        assert klongtorch.__version__ and "Klong" in dir(klongtorch)
        print("torch" in sys.modules)
        """)
    assert done.returncode == 0, done.stderr
    assert "usage: klongtorch" in done.stdout and "klongtorch 0.1.0" in done.stdout
    assert done.stdout.endswith("False\n")


# -- a trailing ';' -------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("1;", True), ('.p("a");  :"a comment"', True), ("1;\n", True), ("1", False),
    ('";"', False), ('1 :";"', False), ("[1;2]", False), ('"open', False),
])
def test_quiet_is_a_trailing_semicolon_token(text, expected):
    assert survey(text).quiet is expected


def test_a_trailing_semicolon_in_the_repl_prints_a_string_once(tmp_path):
    done = subprocess.run([sys.executable, "-m", "klongtorch", "-q"],
                          input='.p("graph");\n.p("both")\nit\n', capture_output=True,
                          text=True, timeout=300, cwd=tmp_path)
    assert done.stdout == 'graph\nboth\n"both"\n"both"\n'

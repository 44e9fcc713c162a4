"""python -m klongtorch.kernel run NOTEBOOK: a notebook run on the Klong kernel and printed."""
import os

import nbformat
import pytest

from klongtorch.kernel.install import NAME, temporary_kernelspec
from klongtorch.kernel.run import main


def notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": NAME, "display_name": "Klong (torch)",
                                 "language": "klong"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, str(path))
    return str(path)


@pytest.fixture(scope="module")
def kernelspec():
    with temporary_kernelspec() as path:
        yield path


def test_cells_and_their_outputs_are_printed(kernelspec, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    saved = tmp_path / "out.ipynb"
    path = notebook(tmp_path / "nb.ipynb", "1+1", '.p("hi");{x^2}:>3', ".plot(!3;!3)")
    assert main([path, "--save", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "In [1]: 1+1\n    2\n" in out
    assert "    hi\n    6.0\n" in out
    assert "[image: PNG 600x400]" in out
    assert "3 cells on Klong (torch)" in out and "0 errors" in out
    executed = nbformat.read(str(saved), as_version=4)
    assert executed.cells[0].outputs[0]["data"]["text/plain"] == "2"


def test_a_failing_cell_is_shown_and_fails_the_run(kernelspec, tmp_path, capsys):
    path = notebook(tmp_path / "bad.ipynb", '1+"a"', "2+2")
    assert main([path]) == 1
    out = capsys.readouterr().out
    assert "kg: error: plus: type error" in out and "Traceback" not in out
    assert "In [2]: 2+2\n    4\n" in out          # the cells after an error still run
    assert "1 errors" in out


def test_an_error_in_a_cell_tagged_raises_exception_is_expected(kernelspec, tmp_path, capsys):
    path = tmp_path / "tagged.ipynb"
    notebook(path, '1+"a"', "2+2")
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[0].metadata["tags"] = ["raises-exception"]
    nbformat.write(nb, str(path))
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "kg: error: plus: type error" in out
    assert "0 errors (1 expected, tagged raises-exception)" in out


def test_colour_only_on_a_terminal(kernelspec, tmp_path, capsys):
    path = notebook(tmp_path / "bad.ipynb", '1+"a"')
    main([path])                                # capsys: not a terminal
    assert "\x1b[" not in capsys.readouterr().out
    main([path, "--colour", "always"])
    assert "\x1b[" in capsys.readouterr().out


@pytest.mark.parametrize("content, message", [
    (None, "kg: error: can't open {path}: No such file or directory\n"),
    ("{", "kg: error: {path} is not a Jupyter notebook\n"),
])
def test_a_missing_or_broken_notebook_is_one_line(tmp_path, capsys, content, message):
    path = tmp_path / "nb.ipynb"
    if content is not None:
        path.write_text(content)
    assert main([str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err == message.format(path=path) and captured.out == ""


def test_a_clean_run_writes_nothing_on_stderr(kernelspec, tmp_path, capfd, monkeypatch):
    monkeypatch.chdir(tmp_path)                 # and leaves no socket files behind
    path = notebook(tmp_path / "nb.ipynb", "+/!10")
    assert main([path]) == 0
    captured = capfd.readouterr()
    assert "In [1]: +/!10\n    45\n" in captured.out
    assert captured.err == ""                   # no warnings from the kernel either
    assert sorted(os.listdir(tmp_path)) == ["nb.ipynb"]


def test_a_kernel_that_is_not_installed_is_one_line_that_says_what_to_do(tmp_path, capsys):
    path = tmp_path / "nb.ipynb"
    notebook(path, "1")
    nb = nbformat.read(str(path), as_version=4)
    nb.metadata["kernelspec"]["name"] = "no-such-kernel"
    nbformat.write(nb, str(path))
    assert main([str(path)]) == 1
    err = capsys.readouterr().err
    assert err == (f"kg: error: cannot run {path}: no kernel named no-such-kernel "
                   "(jupyter kernelspec list shows the kernels there are)\n")

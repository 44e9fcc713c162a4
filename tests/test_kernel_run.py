"""python -m klongtorch.kernel run NOTEBOOK: a notebook run on the Klong kernel and printed."""
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

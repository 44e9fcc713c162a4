"""The browser test: JupyterLab 4 in headless Chromium, with klongtorch's extension.

It checks what a notebook user sees: Klong cells tokenised as the Pygments lexer (the HTML
export) tokenises them, character by character; a Klong comment in the colour of a Python
comment and an operator in the colour of a Python operator, on the same page; %%klong and
%klong code in a Python notebook coloured as Klong; Tab completion and Shift+Tab help from
the Klong kernel and from the magics. Screenshots go to $KLONGTORCH_SCREENSHOTS if set.

Needs Chromium (/usr/bin/chromium: apt-get install chromium), Playwright and JupyterLab
(the test extra), and the extension installed (pip install -e .); .ci/run provides them.
"""
import os
import re
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
pytest.importorskip("jupyterlab")
nbformat = pytest.importorskip("nbformat")

from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String  # noqa: E402,E501

from browser_support import CHROMIUM, Notebook, browser, running_lab  # noqa: E402
from kernel_support import installed_kernelspec  # noqa: E402
from klongtorch.parse.highlight import KlongLexer  # noqa: E402

if not os.path.exists(CHROMIUM):
    pytest.skip("no Chromium (apt-get install chromium)", allow_module_level=True)


def lab_extension_installed():
    from jupyter_core.paths import jupyter_path
    return any(Path(d, "klongtorch", "package.json").exists()
               for d in jupyter_path("labextensions"))


if not lab_extension_installed():
    pytest.skip("klongtorch's JupyterLab extension is not installed (pip install -e .)",
                allow_module_level=True)

# Klong that exercises every token kind
KLONG_CELLS = [
    ':"a comment" sq::{x*x}; n::10; .p("a ""q"" b"); 0cx; 0c ; :sym; :a.b\n'
    "+/!10; [1 -2 3.5 a .p [x]]; 1 -2; 2∇{x^2}; f:>3; a:\\b; {x}:~y; x,:'z; y\\~z\n"
    ':[x;1:|y;2;3]; 0xff; 1e-3; :5; .rn(); .helpdb; :"a comment\nover two lines" 1',
    '.comment("end")\nnot Klong: "\nend of it\n1+1',
    "]h +\n]a each",
]

# a cell of some 6 s: its progress shows after about 2 s
PROGRESS_CELL = '.pyf("time";["sleep"]);{sleep(0.05);x}\'!120'

# the places where the notebook once fell short of Python's (issue 21), one cell each
POLISH_CELLS = ["foo(1\n", "[1000 1000]:^!1000000", "!1000000", "!12", '1+"a"',
                # the eager backend runs its graph in Python: at 1,000 elements the
                # interpreter is surely faster, and .compile says so
                'f::{+/x^2};cf::.compilex(f;1.0*!1000;:{["backend" "eager"]})\n'
                'cf(1.0*!1000)=f(1.0*!1000)', ""]

# Pygments' token types as the extension's kinds (Punctuation by its character)
PYGMENTS_KINDS = [
    (Comment.Multiline, "block-comment"), (Comment, "comment"),
    (String.Char, "character"), (String.Symbol, "symbol"), (String, "string"),
    (Number, "number"), (Operator, "operator"), (Name.Attribute, "adverb"),
    (Name.Builtin.Pseudo, "argument"), (Name.Builtin, "system"),
    (Name.Function, "function-definition"), (Name.Variable, "variable-definition"),
    (Keyword, "command"),
]
PUNCTUATION = {"(": "paren", ")": "paren", "[": "bracket", "]": "bracket",
               "{": "brace", "}": "brace"}


def pygments_characters(code):
    """[(character, kind or None)] of code as the Pygments lexer reads it."""
    out = []
    for _, token, text in KlongLexer().get_tokens_unprocessed(code):
        kind = next((k for t, k in PYGMENTS_KINDS if token in t), None)
        if kind is None and token in Name and token is Name:
            kind = "name"
        if token in Punctuation:
            kind = PUNCTUATION.get(text, "punctuation")      # :[ is not a bracket
        out.extend((c, None if c.isspace() else kind) for c in text)
    return out


def notebook(path, kernel, language, cells):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": language}
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    notebook(root / "klong.ipynb", "klong", "klong",
             KLONG_CELLS + [PROGRESS_CELL, "mysquare::{x*x}", ""])
    notebook(root / "python.ipynb", "python3", "python",
             ["%load_ext klongtorch", "# a comment\nx = 1 + 2",
              '%%klong -i x\n:"a note" #[1 2 3]', "y = %klong --device=cpu -n #!4",
              "%%klong\nmysquare::{x*x}", ""])
    notebook(root / "polish.ipynb", "klong", "klong", POLISH_CELLS)
    notebook(root / "polish-python.ipynb", "python3", "python",
             ["%load_ext klongtorch", "%%klong\nfoo(1\n"])
    with installed_kernelspec(), running_lab(root) as url, browser() as chromium:
        page = chromium.new_page(viewport={"width": 1200, "height": 900})
        page.base_url = url
        yield page


def screenshot(page, name):
    folder = os.environ.get("KLONGTORCH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder, name)))


def without_spaces(chars):
    return [(c, k) for c, k in chars if not c.isspace()]


def test_klong_cells_are_tokenised_as_the_html_export_tokenises_them(page):
    nb = Notebook(page, page.base_url, "klong.ipynb")
    page.wait_for_selector(".cm-klong-comment", timeout=60000)
    screenshot(page, "klong-notebook.png")
    for i, code in enumerate(KLONG_CELLS):
        assert nb.text(i) == code
        assert without_spaces(nb.characters(i)) == without_spaces(pygments_characters(code))


def test_klong_colours_are_python_s_colours(page):
    nb = Notebook(page, page.base_url, "klong.ipynb")
    page.wait_for_selector(".cm-klong-comment", timeout=60000)
    comment, operator = nb.span(0, ':"a comment"'), nb.span(0, "+")
    adverb, number = nb.span(0, "/"), nb.span(0, "10")
    py = Notebook(page, page.base_url, "python.ipynb")
    page.wait_for_selector(".cm-klong-comment", timeout=60000)
    screenshot(page, "python-notebook.png")
    assert comment["color"] == py.span(1, "# a comment")["color"]
    assert operator["color"] == py.span(1, "+")["color"]
    assert operator["weight"] == py.span(1, "+")["weight"]
    assert number["color"] == py.span(1, "1")["color"]
    # and the kinds look different from one another
    assert len({comment["color"], operator["color"], adverb["color"], number["color"]}) == 4


def test_klong_magics_in_python_are_coloured_as_klong(page):
    py = Notebook(page, page.base_url, "python.ipynb")
    page.wait_for_selector(".cm-klong-comment", timeout=60000)
    python_comment = py.span(1, "# a comment")["color"]
    python_operator = py.span(1, "+")["color"]
    assert py.span(2, ':"a note"')["color"] == python_comment
    # Python would start a comment at #: in Klong it is an operator (count)
    assert py.span(2, "#")["color"] == python_operator
    assert "cm-klong-number" in py.span(2, "1")["classes"]
    # the magic's own line stays Python, the %klong line's code is Klong
    assert not [s for s in py.spans(2) if "-i" in s["text"] and "cm-klong" in s["classes"]]
    assert "cm-klong-operator" in py.span(3, "#!")["classes"]
    assert not [s for s in py.spans(3) if "-" in s["text"] and "cm-klong" in s["classes"]]


def complete(page, nb, cell, typed, expected):
    """Type, press Tab: the completer's items; Enter takes the first, so that the cell
    ends with expected (its text)."""
    nb.type_into(cell, typed)
    nb.press("Tab")
    items = page.locator(".jp-Completer .jp-Completer-item")
    items.first.wait_for(timeout=30000)
    shown = items.locator(".jp-Completer-match").all_inner_texts()
    nb.press("Enter")
    page.wait_for_function(
        "([cell, expected]) => window.jupyterapp.shell.currentWidget.content.widgets[cell]"
        ".model.sharedModel.getSource().endsWith(expected)",
        arg=[cell, expected], timeout=30000)
    return shown, nb.text(cell)


def completion_and_help(page, nb, defining, blank, prefix):
    """Tab on mysq and on \\nabla, then Shift+Tab on +: what each shows."""
    nb.run(defining)
    names, text = complete(page, nb, blank, prefix + "mysq", "mysquare")
    assert names == ["mysquare"] and text == prefix + "mysquare"
    glyphs, text = complete(page, nb, blank, " 2\\nabla", "2∇")
    assert glyphs == ["∇"] and text == prefix + "mysquare 2∇"
    nb.type_into(blank, "{+/x}")
    for _ in "/x}":
        nb.press("ArrowLeft")                   # the cursor just after +
    nb.press("Shift+Tab")
    return nb.tooltip()


def test_tab_and_shift_tab_in_a_klong_notebook(page):
    nb = Notebook(page, page.base_url, "klong.ipynb")
    n = nb.cell_count()
    tip = completion_and_help(page, nb, n - 2, n - 1, "")
    screenshot(page, "klong-shift-tab.png")
    assert "Plus" in tip and "Transpose" in tip


def test_tab_and_shift_tab_in_a_klong_cell_of_a_python_notebook(page):
    nb = Notebook(page, page.base_url, "python.ipynb")
    nb.run(0)
    n = nb.cell_count()
    tip = completion_and_help(page, nb, n - 2, n - 1, "%%klong\n")
    screenshot(page, "python-shift-tab.png")
    assert "Plus" in tip and "Transpose" in tip
    assert "Run Klong code" not in tip          # not the magic's docstring


def test_a_long_cell_shows_its_progress_in_place_and_finishes_it(page):
    nb = Notebook(page, page.base_url, "klong.ipynb")
    i = len(KLONG_CELLS)
    nb.wait_for_kernel()
    nb.edit(i)
    nb.press("Shift+Enter")
    progress = nb.cell(i).locator(".jp-OutputArea-output .klong-progress")
    progress.wait_for(timeout=60000)
    running = progress.inner_text()
    screenshot(page, "klong-progress-running.png")
    nb.cell(i).locator(".jp-InputPrompt").filter(has_text=re.compile(r"\[\d+\]")).wait_for(
        timeout=60000)
    screenshot(page, "klong-progress-done.png")
    assert re.match(r"each +\d+/120 .*ETA", running), running
    assert int(running.split()[1].split("/")[0]) < 120     # seen while the loop ran
    assert progress.count() == 1                           # one display, updated in place
    assert re.match(r"each +120/120 +100% .* in \d+s", progress.inner_text())
    value = nb.cell(i).locator(".jp-OutputArea-output").last.inner_text()
    assert "119" in value and "each" not in value        # and then the value


def test_a_klong_console_is_coloured_as_the_notebook(page):
    nb = Notebook(page, page.base_url, "klong.ipynb")
    page.wait_for_selector(".cm-klong-comment", timeout=60000)
    in_notebook = {s["text"]: s["color"] for s in nb.spans(0)}
    page.evaluate("() => window.jupyterapp.commands.execute('console:create',"
                  " {kernelPreference: {name: 'klong'}})")
    prompt = page.locator(".jp-CodeConsole-promptCell .cm-content")
    prompt.wait_for(timeout=60000)
    prompt.click()
    page.keyboard.type(':"a comment" +/!10')
    page.locator(".jp-CodeConsole-promptCell .cm-klong-adverb").wait_for(timeout=60000)
    screenshot(page, "klong-console.png")
    spans = page.locator(".jp-CodeConsole-promptCell").evaluate(
        "cell => [...cell.querySelectorAll('.cm-content span')].map(e =>"
        " [e.textContent, e.className, getComputedStyle(e).color])")
    kinds = {text: (classes, color) for text, classes, color in spans}
    for text, kind in ((':"a comment"', "comment"), ("+", "operator"), ("/", "adverb"),
                       ("10", "number")):
        classes, color = kinds[text]
        assert f"cm-klong-{kind}" in classes and color == in_notebook[text]


# -- what once fell short of Python's in the same JupyterLab (issue 21) ----------------------

def output_text(nb, i):
    return nb.cell(i).locator(".jp-OutputArea-output").last.inner_text()


def caret_under(text, line):
    """The error's lines: the failing line as typed, then the caret, on no empty line."""
    lines = text.rstrip("\n").split("\n")
    at = lines.index(line)
    return lines[at + 1].index("^")


def test_a_syntax_error_keeps_its_caret_when_the_cell_ends_with_a_newline(page):
    nb = Notebook(page, page.base_url, "polish.ipynb")
    nb.run(0)
    text = output_text(nb, 0)
    screenshot(page, "polish-caret.png")
    assert "syntax error" in text and caret_under(text, "foo(1") == 5
    py = Notebook(page, page.base_url, "polish-python.ipynb")
    py.run(0)
    py.run(1)                                   # %%klong: IPython adds the newline itself
    text = output_text(py, 1)
    screenshot(page, "polish-caret-magic.png")
    assert "syntax error" in text and caret_under(text, "foo(1") == 5


def test_a_big_array_shows_its_ends_and_a_vector_is_never_a_grid(page):
    nb = Notebook(page, page.base_url, "polish.ipynb")
    for i in (1, 2, 3):
        nb.run(i)
    screenshot(page, "polish-big-arrays.png")
    matrix = nb.cell(1).locator(".klong-tensor")
    shown = matrix.inner_text()
    for value in ("999999", "999000", "⋮", "…", "max"):
        assert value in shown, value                    # the corners, as the text shows
    assert matrix.locator("tr").count() == 10           # indices, 4 rows, ⋮, 4 rows
    vector = nb.cell(2).locator(".klong-tensor").inner_text()
    assert "999999" in vector and "999990" in vector and "…" in vector    # the tail too
    small = nb.cell(3).locator(".klong-tensor")
    assert small.locator("tr").count() == 0                 # no rows labelled 0 and 10
    assert small.inner_text().split()[-2:] == ["11", "11"]  # the last value under its index


def test_shift_tab_after_a_call_s_parenthesis_documents_the_function(page):
    nb = Notebook(page, page.base_url, "polish.ipynb")
    nb.wait_for_kernel()
    nb.type_into(len(POLISH_CELLS) - 1, ".plot(")
    nb.press("Shift+Tab")
    tip = nb.tooltip()
    screenshot(page, "polish-shift-tab.png")
    assert tip.startswith(".plot(x;y)") and "Grouping" not in tip


def test_an_error_begins_with_kg_s_words(page):
    nb = Notebook(page, page.base_url, "polish.ipynb")
    nb.run(4)
    text = output_text(nb, 4)
    screenshot(page, "polish-kg-words.png")
    assert text.startswith('kg: error: plus: type error: [1 "a"]')


def test_compile_says_where_it_does_not_pay(page):
    nb = Notebook(page, page.base_url, "polish.ipynb")
    nb.run(5)
    shown = nb.cell(5).locator(".jp-OutputArea").inner_text()
    screenshot(page, "polish-compile.png")
    assert "at 1000 elements the interpreter is faster" in shown
    assert shown.rstrip().endswith("1")                 # and the answers are the same

"""The README's code, as a reader would paste it.

- A REPL session (a block that starts `$ klongtorch`) is pasted into the klongtorch command's
  standard input, line by line as typed after each prompt, and what it prints must be the
  answers the README shows, in order.
- A Python block runs in a fresh interpreter, and its comments that state a value
  (`x  # tensor([...])`, `# t.grad == [2., 4.]`) are checked.
- IPython blocks (those that use `%` magics) run, in order, in one IPython session.
- Shell blocks must at least be valid bash, and every `python -m klongtorch...` or
  `klongtorch` command in them must be one the program knows.
"""
import os
import re
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
PROMPT = " " * 8
FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```$", re.M | re.S)


def blocks(text=None):
    """(language, code, line) for each fenced block of the README."""
    if text is None:
        with open(README, encoding="utf-8") as f:
            text = f.read()
    return [(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1)
            for m in FENCE.finditer(text)]


def sessions():
    return [(code, line) for lang, code, line in blocks()
            if code.startswith("$ klongtorch\n")]


def split_session(code):
    """(inputs, answers): the lines typed after the prompt, and the lines printed."""
    inputs, answers = [], []
    for line in code.split("\n")[1:]:
        if line.startswith(PROMPT):
            inputs.append(line[len(PROMPT):])
        elif line:
            answers.append(line)
    return inputs, answers


def python_blocks():
    return [(code, line) for lang, code, line in blocks() if lang == "python"
            and not uses_magics(code)]


def ipython_blocks():
    return [(code, line) for lang, code, line in blocks() if uses_magics(code)]


def uses_magics(code):
    return any(line.lstrip().startswith("%") for line in code.split("\n"))


def run(args, **kw):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env.pop("KLONGTORCH_DEVICE", None)
    return subprocess.run(args, capture_output=True, text=True, timeout=600, env=env, **kw)


# -- the parsing itself, on a sample: these would fail if the README's blocks were missed ----

SAMPLE = """Some prose.

```
$ klongtorch
        1+1                 :" a comment "
2
        [1 2]
[1 2]
```

```python
x = 1 + 1                 # == 2
```
"""


def test_a_sample_session_is_split_into_inputs_and_answers():
    (lang, code, line), (lang2, code2, _) = blocks(SAMPLE)
    assert (lang, line, lang2) == ("", 3, "python")
    assert split_session(code) == (['1+1                 :" a comment "', "[1 2]"],
                                   ["2", "[1 2]"])


def test_the_readme_has_a_tour_and_python():
    assert sessions() and python_blocks() and ipython_blocks()


# -- the README's REPL sessions -----------------------------------------------------------

def by_line(found):
    """pytest parameters named after the README line each block starts on."""
    return [pytest.param(code, line, id=f"README-line-{line}") for code, line in found]


@pytest.mark.parametrize("code, line", by_line(sessions()))
def test_a_session_pasted_into_the_repl_answers_as_shown(code, line, tmp_path):
    inputs, answers = split_session(code)
    done = run([sys.executable, "-m", "klongtorch", "-q"], input="\n".join(inputs) + "\n",
               cwd=tmp_path)
    assert done.stderr == ""
    assert done.stdout.rstrip("\n").split("\n") == answers
    assert done.returncode == 0


def test_every_comment_in_a_session_is_closed():
    for code, line in sessions():
        for typed in split_session(code)[0]:
            assert typed.count('"') % 2 == 0, f"README line {line}: {typed}"


# -- Python ---------------------------------------------------------------------------------

STATED = re.compile(r"^(?P<code>[^#]*?)\s*#\s*(?P<claim>.*)$")


def checked(code, keep_comments=False):
    """The block with its value-stating comments turned into assertions: `expr  # tensor(...)`
    asserts repr(expr); `# a == b` asserts a equals b (as tensors, when they are). With
    keep_comments the lines stay exactly as pasted (a magic's line is all its own), and
    only `==` claims are checked, after their line."""
    out = []
    for line in code.split("\n"):
        m = STATED.match(line)
        if not m:
            out.append(line)
            continue
        stmt, claim = m.group("code"), m.group("claim")
        if claim.startswith("tensor(") and not keep_comments:
            out += [f"_v = {stmt}", f"assert repr(_v) == {claim!r}, repr(_v)"]
        elif " == " in claim:
            left, right = claim.split(" == ", 1)
            out += [line if keep_comments else stmt,
                    f"assert _same({left}, {right}), ({left!r}, {left})"]
        else:
            out.append(line if keep_comments else stmt)
    return "\n".join(out)


PRELUDE = textwrap.dedent("""\
    def _same(a, b):
        import torch
        if isinstance(a, torch.Tensor):
            return torch.equal(a, torch.as_tensor(b, dtype=a.dtype))
        return a == b
    """)


@pytest.mark.parametrize("code, line", by_line(python_blocks()))
def test_a_python_block_runs_and_its_comments_hold(code, line, tmp_path):
    script = PRELUDE + checked(code) + "\nprint('ok')\n"
    assert "assert" in checked(code)        # the block states something to check
    done = run([sys.executable, "-c", script], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("ok\n")


def test_ipython_blocks_run_in_one_session(tmp_path):
    pytest.importorskip("IPython")
    pytest.importorskip("matplotlib")
    cells = [checked(code, keep_comments=True) for code, line in ipython_blocks()]
    script = PRELUDE + textwrap.dedent(f"""\
        import os
        os.environ["MPLBACKEND"] = "Agg"
        from IPython.testing.globalipapp import start_ipython
        ip = start_ipython()
        ip.run_cell("import torch")
        ip.user_ns["_same"] = _same
        for cell in {cells!r}:
            result = ip.run_cell(cell)
            assert result.success, (cell, result.error_in_exec or result.error_before_exec)
        print("ok")
        """)
    done = run([sys.executable, "-c", script], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.endswith("ok\n")


# -- shell commands -------------------------------------------------------------------------

def shell_blocks():
    return [(code, line) for lang, code, line in blocks() if lang in ("bash", "sh")]


def test_shell_blocks_are_valid_bash():
    assert shell_blocks()
    for code, line in shell_blocks():
        done = run(["bash", "-n"], input=code)
        assert done.returncode == 0, f"README line {line}: {done.stderr}"


def kernel_commands():
    """Each `python -m klongtorch.kernel SUBCOMMAND ...` the README's shell blocks give."""
    found = set()
    for code, line in shell_blocks():
        for m in re.finditer(r"python -m klongtorch\.kernel (\w+)([^&#\n]*)", code):
            found.add((m.group(1), m.group(2).strip()))
    return sorted(found)


def test_the_readme_kernel_commands_exist():
    commands = kernel_commands()
    assert {c for c, _ in commands} >= {"install", "run"}
    for command, rest in commands:
        options = [w for w in rest.split() if w.startswith("--")]
        done = run([sys.executable, "-m", "klongtorch.kernel", command, "--help"])
        assert done.returncode == 0, done.stderr
        for option in options:
            assert option in done.stdout, f"{command} has no option {option}"


def synopses():
    """The command-line synopsis blocks: every line starts with `klongtorch`."""
    return [code for lang, code, line in blocks() if not lang and code.strip()
            and all(l.startswith("klongtorch") for l in code.strip().split("\n"))]


def test_the_command_line_synopsis_names_real_options():
    assert synopses()
    done = run([sys.executable, "-m", "klongtorch", "--help"])
    for code in synopses():
        for option in re.findall(r"(?<![\w'])(--?[a-z][\w-]*)", code):
            assert re.search(rf"(^|[\s,]){re.escape(option)}\b", done.stdout), option

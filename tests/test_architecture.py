"""The shape of the code: layers that import only downwards, no import circles, no function
above complexity 15, and imports inside functions only where a comment says why.

The layers and the contracts are declared in pyproject.toml ([tool.importlinter]) and
explained in ARCHITECTURE.md; this file runs them with the suite, so that CI checks them.
"""
import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCES = [p for top in ("klongtorch", "kernel", "magics") for p in (ROOT / top).rglob("*.py")]
MAX_COMPLEXITY = 15
# an import inside a function must say which of the two reasons it has
REASONS = ("optional", "start-up")


def test_the_import_linter_contracts_hold():
    """Layers import only downwards, and no two siblings import each other (pyproject.toml)."""
    pytest.importorskip("importlinter")
    run = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import "
                          "lint_imports; sys.exit(lint_imports(no_cache=True))"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def _import_graph():
    grimp = pytest.importorskip("grimp")
    sys.path.insert(0, str(ROOT))       # kernel/ and magics/ as the packages they are here
    try:
        return grimp.build_graph("klongtorch", "kernel", "magics", cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))


def _cycles(edges):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = set()
            while True:
                w = stack.pop()
                on.discard(w)
                part.add(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for v in list(edges):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_itself_through_others():
    """Zero circles between modules, counting imports inside functions too."""
    graph = _import_graph()
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    assert len(edges) > 50
    assert _cycles(edges) == []


def test_the_cycle_finder_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _function_imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in node.body:
                for sub in ast.walk(inner):
                    if isinstance(sub, (ast.Import, ast.ImportFrom)):
                        yield sub


def _reason(lines, node):
    """The comment that explains an import inside a function: on its own lines, or in the
    comment lines and imports just above it (a group of imports shares one comment)."""
    first = node.lineno - 1
    while first > 0 and lines[first - 1].strip().startswith(("#", "import ", "from ", "try:")):
        first -= 1
    return " ".join(lines[first:node.end_lineno]).lower()


def test_imports_inside_functions_say_why():
    """Only for an optional dependency or for start-up time, with a comment saying which."""
    unexplained = []
    for path in SOURCES:
        lines = path.read_text().split("\n")
        for node in _function_imports(ast.parse("\n".join(lines))):
            if not any(reason in _reason(lines, node) for reason in REASONS):
                unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert unexplained == []


def _functions(blocks):
    """radon's blocks flattened to functions: a class's methods, a function's closures."""
    for b in blocks:
        if hasattr(b, "methods"):               # a class: its own figure is not a function's
            yield from _functions(b.methods + getattr(b, "inner_classes", []))
        else:
            yield b
            yield from _functions(getattr(b, "closures", []))


def test_no_function_is_too_complex():
    """Cyclomatic complexity (radon's) of at most 15 for every function: tables, not ladders."""
    radon = pytest.importorskip("radon.complexity")
    over = [f"{p.relative_to(ROOT)}:{f.lineno} {f.fullname} {f.complexity}"
            for p in SOURCES for f in _functions(radon.cc_visit(p.read_text()))
            if f.complexity > MAX_COMPLEXITY]
    assert over == []


def test_the_complexity_check_sees_methods_and_closures():
    radon = pytest.importorskip("radon.complexity")
    branches = "".join(f"        if x == {i}:\n            return {i}\n" for i in range(20))
    code = f"class C:\n    def m(self, x):\n{branches}\ndef f(x):\n    def g(x):\n" + \
        branches.replace("        ", "        ") + "    return g\n"
    names = {f.name: f.complexity for f in _functions(radon.cc_visit(code))}
    assert names["m"] > MAX_COMPLEXITY and names["g"] > MAX_COMPLEXITY and names["f"] < 5


def test_vulture_finds_no_dead_code():
    """Unused imports, variables and unreachable code (vulture, at 80% confidence: what it
    reports at 60%, names found by getattr such as system functions, was read once by hand).
    The names ignored are parameters that a protocol fixes (signal handlers, __deepcopy__,
    ipykernel's do_execute, KlongPy's KGLambda)."""
    pytest.importorskip("vulture")
    run = subprocess.run([sys.executable, "-m", "vulture", "klongtorch", "kernel", "magics",
                          "--min-confidence", "80",
                          "--ignore-names", "signum,memo,cell_id,cell_meta,provide_klong"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_each_package_says_what_it_is_for_and_what_it_may_import():
    packages = [p for p in (ROOT / "klongtorch").glob("*/__init__.py")]
    assert len(packages) >= 8
    for init in packages:
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert doc.startswith(f"klongtorch.{init.parent.name}:"), init
        assert "May import:" in doc, init

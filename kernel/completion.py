r"""Tab completion: names, system functions, help topics, and LaTeX names for glyphs.

In Klong code the word before the cursor completes to the globals (variables, functions,
system functions such as .gradcheck) and to the names the cell itself mentions. After ]h
or ]a it completes to the help topics, long names included (Plus, Each-Pair).

A backslash starts a LaTeX-style name, as in Julia and IPython: `\nabla` becomes ∇,
`\partial` becomes ∂ and `\dot` becomes ˙ (KlongPy's track), the glyphs of klongtorch
that keyboards lack. A partial name
(`\nab`) lists the full names it may become. The other names give characters for strings,
plot titles and labels: Greek letters, and a few mathematical signs (LATEX below).
"""
import re

from klongtorch.shell import help as helptable

# The glyphs of the language first: x∇f (numeric gradient), x∂f (Jacobian), ˙x (track).
LATEX = {
    "nabla": "∇", "partial": "∂", "dot": "˙",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ",
    "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Pi": "Π", "Sigma": "Σ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "times": "×", "cdot": "·", "pm": "±", "le": "≤", "ge": "≥", "ne": "≠", "approx": "≈",
    "infty": "∞", "sum": "∑", "prod": "∏", "int": "∫", "sqrt": "√", "to": "→",
    "degree": "°",
}

LATEX_BEFORE = re.compile(r"\\[A-Za-z]*$")
NAME_BEFORE = re.compile(r"\.?[A-Za-z][A-Za-z0-9.]*$|\.$")
HELP_COMMAND = re.compile(r"\s*\][ha][^\n]*$")      # ]h topic, ]a word: one line
NAMES_IN = re.compile(r"(?<![A-Za-z0-9.:])[A-Za-z][A-Za-z0-9.]*")


def latex(prefix):
    r"""Completions of a backslash word: the glyph for a whole name, else the names."""
    name = prefix[1:]
    if name in LATEX:
        return [LATEX[name]]
    return ["\\" + n for n in sorted(LATEX) if n.startswith(name)]


def names(code, interp):
    """Every name a Klong word may complete to."""
    return set(interp.globals) | set(NAMES_IN.findall(code))


def complete(code, cursor_pos, interp):
    """(matches, cursor_start, cursor_end, kind): the replacements for code[start:end],
    and the type to show beside them (None: each by its value)."""
    before = code[:cursor_pos]
    m = LATEX_BEFORE.search(before)
    if m:
        return latex(m.group()), m.start(), cursor_pos, "glyph"
    if HELP_COMMAND.match(before):
        word = before.lstrip()[2:].lstrip()
        matches = sorted(t for t in helptable.topics(interp) if t.startswith(word))
        return matches, cursor_pos - len(word), cursor_pos, "topic"
    m = NAME_BEFORE.search(before)
    if not m:
        return [], cursor_pos, cursor_pos, None
    word = m.group()
    matches = sorted(n for n in names(code[:m.start()] + code[cursor_pos:], interp)
                     if n.startswith(word))
    return matches, m.start(), cursor_pos, None


def kind_of(name, interp):
    """The type JupyterLab shows beside a completion."""
    value = interp.globals.get(name)
    if value is None:
        return "text"
    if name.startswith("."):
        return "builtin" if hasattr(value, "arity") else "keyword"
    return "function" if hasattr(value, "arity") else "variable"


def reply(code, cursor_pos, interp):
    """The content of a complete_reply."""
    if cursor_pos is None:
        cursor_pos = len(code)
    matches, start, end, kind = complete(code, cursor_pos, interp)
    types = [{"start": start, "end": end, "text": m,
              "type": kind or kind_of(m, interp)} for m in matches]
    return {"status": "ok", "matches": matches, "cursor_start": start, "cursor_end": end,
            "metadata": {"_jupyter_types_experimental": types}}


__all__ = ["LATEX", "complete", "reply", "latex"]

r"""Tab completion of Klong in %%klong cells and %klong lines, through IPython's completer.

A custom matcher (IPython's matcher API v2) asks the Klong kernel's completion
(klongtorch.kernel.completion) about the Klong around the cursor, with the session's
interpreter: Klong globals and system functions, ]h topics, `\nabla` → ∇. In Klong its
matches are the only ones (Python's names mean nothing there); elsewhere it stays out of
the way.
"""
from IPython.core.completer import SimpleCompletion, context_matcher

from klongtorch.kernel import completion as klong_completion

from .cells import klong_at

IDENTIFIER = "klongtorch.klong_matcher"


def offset_of(context):
    """The cursor's offset in the cell's whole text."""
    lines = context.full_text.split("\n")
    return sum(len(line) + 1 for line in lines[:context.cursor_line]) + context.cursor_position


def make_matcher(interp):
    """The matcher for one session; interp() gives its interpreter (made on first use)."""

    # before the others, so that its matches can suppress Python's
    @context_matcher(priority=100, identifier=IDENTIFIER)
    def klong_matcher(context):
        found = klong_at(context.full_text, offset_of(context))
        if found is None:
            return {"completions": [], "suppress": False}
        code, cursor = found
        klong = interp()
        matches, start, _, kind = klong_completion.complete(code, cursor, klong)
        completions = [SimpleCompletion(m, type=kind or klong_completion.kind_of(m, klong))
                       for m in matches]
        return {"completions": completions, "matched_fragment": code[start:cursor],
                "suppress": True, "ordered": True}

    return klong_matcher


def register(shell, interp):
    """Add the matcher to shell's completer, once: a second load replaces the first."""
    completer = shell.Completer
    completer.custom_matchers[:] = [
        m for m in completer.custom_matchers
        if getattr(m, "matcher_identifier", None) != IDENTIFIER]
    completer.custom_matchers.append(make_matcher(interp))


__all__ = ["make_matcher", "register"]

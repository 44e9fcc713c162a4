"""Adverb loops over lambda literals, written inline by the compiler.

`{x<100000}{x+1}:~0` is a while loop. Run through the adverb, every turn calls two
generated functions and Klong's truth(); written where it stands, it is the loop a person
would write in Python, with the two bodies inline and their fast paths for Python numbers
(and, while x stays an int, no tests at all: _for_ints): 2.1 ms where the adverb took 13.5.
The adverbs covered are the scalar loops, where the calls are the cost:

    a f:~b   while          n f:*b   iterate        f/a   over         f:~a   converge

Each is written only when its functions are lambda literals that can be inlined (their
bodies use no dynamic locals and no .f, and have the arity the adverb calls them with);
anything else, and a loop whose progress is on show (iterate in a notebook), goes through
the adverb as before. The semantics are the adverbs' own (adverbs.py): the helpers below
are the pieces of them the written loop needs.
"""
from klongtorch.display import progress
from klongtorch.engine.adverbs import _count, iterate
from klongtorch.parse.parser import Adverbed, Apply, Cond, Define, Dyad, Lambda, Monad, Var
from klongtorch.value.values import Tensor, items_of
from klongtorch.verbs.search import _match


def inlinable(node, arity):
    """Whether a lambda literal can be written inline where an adverb calls it."""
    return type(node) is Lambda and node.arity == arity and not node.locals and \
        node.body and not _uses_self(node.body)


# a node's children, for the walk that looks for .f
CHILDREN = {
    Monad: lambda n: (n.verb, n.arg),
    Dyad: lambda n: (n.verb, n.left, n.right),
    Adverbed: lambda n: (n.verb,),
    Apply: lambda n: (n.fn,) + tuple(a for a in n.args if a is not None),
    Define: lambda n: (n.expr,),
    Cond: lambda n: tuple(e for pair in n.clauses for e in pair) + (n.otherwise,),
    Lambda: lambda n: tuple(n.body),
}


def _uses_self(nodes):
    """Whether .f appears (a nested lambda's own .f included: simply refused)."""
    stack = list(nodes)
    while stack:
        n = stack.pop()
        if type(n) is Var and n.name == ".f":
            return True
        children = CHILDREN.get(type(n))
        if children is not None:
            stack.extend(children(n))
    return False


def fold_items(a):
    """over's elements when it folds (two or more of them), else None: then the adverb
    itself answers (an atom, an empty or one-element list)."""
    t = type(a)
    if t is Tensor:
        if a.dim() == 0 or a.shape[0] < 2:
            return None
    elif t is list or t is str:
        if len(a) < 2:
            return None
    else:
        return None
    return items_of(a)


def write(writer, node, left=None):
    """The loop for node (a Monad or Dyad whose verb is an adverb on a lambda literal),
    written into writer; its result's Python name, or None when it does not apply."""
    verb = node.verb
    if type(verb) is not Adverbed:
        return None
    f, adverb = verb.verb, verb.adverb
    if left is None:
        if adverb == "/" and inlinable(f, 2):
            return _over(writer, node, f)
        if adverb == ":~" and inlinable(f, 1):
            return _converge(writer, node, f)
        return None
    if adverb == ":~" and inlinable(f, 1) and inlinable(node.left, 1):
        return _while(writer, node, f, node.left)
    if adverb == ":*" and inlinable(f, 1):
        return _iterate(writer, node, f)
    return None


def _or_the_adverb(w, when, x, call, site):
    """Writes `if when: x = call` (the adverb itself) and opens the else branch, one level
    deeper, for the loop the caller writes next."""
    w.line(f"if {when}:")
    w.line(f"  {x} = {call}", site)
    w.line("else:")
    w.depth += 1


def _for_ints(w, x, loop):
    """Writes loop() twice: first under `if type(x) is int:` with x known to be an int,
    kept only when the loop's step then gives an int too (so x stays one: no test of it
    on any turn), then for anything. loop() writes the loop and returns the step's value."""
    def ints_first():
        w.line(f"if type({x}) is int:")
        w.depth += 1
        saved = set(w.ints)
        w.ints.add(x)
        stays_int = w.is_int(loop())
        w.ints = saved
        w.depth -= 1
        if stays_int:
            w.line("else:")
            w.depth += 1
        return stays_int
    if w.speculate(ints_first):
        loop()
        w.depth -= 1
    else:
        loop()


def _while(w, node, step, cond):
    x = w.temp("_x")
    w.line(f"{x} = {w.expr(node.right)}")

    def loop():
        w.line("while True:")
        w.depth += 1
        test = w.inline(cond, [x], as_test=True)
        w.line(f"if not {test}:")
        w.line("  break")
        value = w.inline(step, [x])
        w.line(f"{x} = {value}")
        w.depth -= 1
        return value
    _for_ints(w, x, loop)
    return x


def _iterate(w, node, step):
    b = w.expr(node.right)
    n = w.temp("_x")
    w.line(f"{n} = {w.slot(_count, '_p')}({w.expr(node.left)}, 'iterate')",
           (node.verb.pos, "iterate", "op"))
    x = w.temp("_x")
    # a counted loop on show in a notebook keeps its progress bar: the adverb draws it
    _or_the_adverb(w, f"{w.slot(progress, '_m')}.watching", x,
                   f"{w.slot(iterate, '_p')}({w.slot(w.constant_verb(step), '_v')}, {n}, {b})",
                   (node.verb.pos, "iterate", "op"))
    w.line(f"{x} = {b}")

    def loop():
        w.line(f"for _ in range({n}):")
        w.depth += 1
        value = w.inline(step, [x])
        w.line(f"{x} = {value}")
        w.depth -= 1
        return value
    _for_ints(w, x, loop)
    w.depth -= 1
    return x


def _over(w, node, f):
    a = w.expr(node.arg)
    items = w.temp("_x")
    w.line(f"{items} = {w.slot(fold_items, '_p')}({a})")
    acc = w.temp("_x")
    _or_the_adverb(w, f"{items} is None", acc,
                   f"{w.slot(w.constant_verb(node.verb), '_v')}.call1({a})",
                   (node.verb.pos, "over", "op"))
    e = w.temp("_x")
    w.line(f"{acc} = {items}[0]")
    w.line(f"for {e} in {items}[1:]:")
    w.depth += 1
    w.line(f"{acc} = {w.inline(f, [acc, e])}")
    w.depth -= 2
    return acc


def _converge(w, node, f):
    a = w.temp("_x")
    w.line(f"{a} = {w.expr(node.arg)}")
    x, nx = w.temp("_x"), w.temp("_x")
    match = w.slot(_match, "_p")
    w.line(f"{x} = {a}")
    w.line("while True:")
    w.depth += 1
    w.line(f"{nx} = {w.inline(f, [x])}")
    w.line(f"if {match}({nx}, {x}):")
    w.line("  break")
    w.line(f"if {match}({nx}, {a}):")
    w.line(f"  {x} = {nx}")
    w.line("  break")
    w.line(f"{x} = {nx}")
    w.depth -= 1
    return x

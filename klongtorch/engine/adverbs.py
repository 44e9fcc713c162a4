"""Adverbs: verbs that modify verbs.

A verb followed by an adverb is a Derived verb. Used monadically (f'a) or dyadically (a f'b)
it picks the matching form from ADVERBS, so chains such as ,/:~ or +/' need no special case.
Over and the whole-tensor folds and scans of primitive verbs are in folds.py; the eaches
try lifting (lift.py) before they go element by element.
"""
from klongtorch.display import progress
from klongtorch.engine import lift
from klongtorch.parse.lexer import ADVERBS as NAMES
from klongtorch.value.errors import err
from klongtorch.value.values import (INT, Char, Dict, Tensor, carries_grad, ctx, dict_items,
                                     int_tensor, is_atom, is_empty, items_of, mklist, mkstring,
                                     truth)
from klongtorch.verbs import build, search
from klongtorch.verbs.folds import elements, is_list, over


def each(f, a):
    """f'a  Each
    Apply f to each element of a (to each [key value] entry of a dictionary). An atom gives
    f(a); an empty list gives itself.
    Examples: -'[1 2 3] --> [-1 -2 -3]    {x*x}'[1 2 3] --> [1 4 9]"""
    if type(a) is Dict:
        return mklist([f.call1(e) for e in dict_items(a)])
    if is_empty(a):
        return a
    if is_atom(a):
        return f.call1(a)
    if type(a) is Tensor and ctx.lift:
        r = lift.each(f, a)         # the whole tensor at once, when f allows (lift.py)
        if r is not None:
            return r
    r = _each_ints(f, a)
    if r is not None:
        return r
    call = f.call1
    items = items_of(a)
    build = mkstring if type(a) is str else mklist     # a string's each may give a string
    if progress.watching:           # a cell's outermost counted loop shows its progress
        with progress.loop(items, len(items), "each") as items:
            return build([call(e) for e in items])
    return build([call(e) for e in items])


def _each_ints(f, a):
    """f'a for a pure lambda f (pure.py) over a vector of ints, in one list comprehension
    with f's body inline; None when that does not apply (then f is called per element)."""
    each_int = getattr(f, "each_int", None)
    if each_int is None or type(a) is not Tensor or a.dtype is not INT or a.dim() != 1 \
            or progress.watching:   # a loop on show keeps its progress bar
        return None
    items = _int_items(a)
    if items is None:
        return None
    r = each_int(items)
    if r is None:                   # a name it calls holds something else now
        return None
    try:
        return int_tensor(r)        # ints from ints: what mklist makes of them
    except OverflowError:
        return r                    # bignums stay Python ints


def _int_items(a):
    """The elements of a vector of ints as Python ints, read through NumPy's view of its
    memory on the CPU: 40% less than tolist, which builds a list of them first. None for a
    tensor under vmap or grad, whose elements are tensors."""
    if carries_grad(a):
        return None
    if a.device.type == "cpu":
        return memoryview(a.numpy())
    return a.tolist()


def _empty_pair(a, b, la, lb):
    """each-2's answer when an operand is empty and the other a list or empty too: as
    kg's, the empty list where either is one ("" ,'[] is []), else the empty string
    ("ab",'""); None otherwise (beside an atom, f is called once)."""
    ea, eb = is_empty(a), is_empty(b)
    if (la or ea) and (lb or eb) and (ea or eb):
        if ea and type(a) is not str:
            return a
        if eb and type(b) is not str:
            return b
        return ""
    return None


def each2(f, a, b):
    """a f'b  Each-2
    Apply f to the elements of a and b pairwise; excess elements of the longer list are
    ignored. An atom on either side gives f(a;b).
    Example: [1 2 3],'[4 5 6] --> [[1 4] [2 5] [3 6]]"""
    la, lb = is_list(a), is_list(b)
    empty = _empty_pair(a, b, la, lb)
    if empty is not None:
        return empty
    if not (la and lb):
        return f.call2(a, b)            # an atom on either side: one call, as in kg (even
                                        # beside an empty list: 0.1,'[] is [0.1])
    if type(a) is Tensor and type(b) is Tensor and ctx.lift:
        r = lift.each2(f, a, b)
        if r is not None:
            return r
    call = f.call2
    xs, ys = elements(a), elements(b)
    # characters make a string where a string ran out (kg: its end is the one that stops
    # the loop), a list where a longer string was cut short by a list
    n = min(len(xs), len(ys))
    build = mkstring if (type(a) is str and len(xs) == n) or (type(b) is str and len(ys) == n) \
        else mklist
    return build([call(x, y) for x, y in zip(xs, ys)])


def each_left(f, a, b):
    """a f:\\b  Each-Left
    f(a;b1), f(a;b2), ... : a is the left operand of f with each element of b.
    Example: 1,:\\[2 3 4] --> [[1 2] [1 3] [1 4]]"""
    if is_empty(b):
        return b
    if not is_list(b):
        return f.call2(a, b)
    if type(b) is Tensor and ctx.lift:
        r = lift.each_left(f, a, b)
        if r is not None:
            return r
    call = f.call2
    return (mkstring if type(b) is str else mklist)([call(a, y) for y in elements(b)])


def each_right(f, a, b):
    """a f:/b  Each-Right
    f(b1;a), f(b2;a), ... : a is the right operand of f with each element of b.
    Example: 1,:/[2 3 4] --> [[2 1] [3 1] [4 1]]"""
    if is_empty(b):
        return b
    if not is_list(b):
        return f.call2(b, a)
    if type(b) is Tensor and ctx.lift:
        r = lift.each_right(f, a, b)
        if r is not None:
            return r
    call = f.call2
    return (mkstring if type(b) is str else mklist)([call(y, a) for y in elements(b)])


def each_pair(f, a):
    """f:'a  Each-Pair
    f applied to each pair of neighbours: f(a1;a2), f(a2;a3), ...  A list of fewer than two
    elements is returned as it is.
    Example: ,:'[1 2 3 4] --> [[1 2] [2 3] [3 4]]"""
    if not is_list(a):
        return a
    xs = elements(a)
    if len(xs) < 2:
        return a
    if getattr(f, "atomic", False) and type(a) is Tensor:
        return f.call2(a[:-1], a[1:])           # one vectorised call for atomic verbs
    call = f.call2
    return (mkstring if type(a) is str else mklist)([call(x, y) for x, y in zip(xs, xs[1:])])


def over_neutral(f, a, b):
    """a f/b  Over-Neutral
    Fold f over b starting with a: f(...f(f(a;b1);b2)...;bN). a f/[] is a; with an atom
    b, f(a;b).
    Examples: 0+/[] --> 0    1+/[2 3 4] --> 10    0,/[1 2 3] --> [0 1 2 3]"""
    if is_empty(b):
        return a
    if not is_list(b):
        return f.call2(a, b)
    if getattr(f, "monoid", None) is not None and type(b) is Tensor:
        r = f.over(b)                   # a+/b is a+(+/b): + is associative and commutative
        if r is not NotImplemented:
            return f.call2(a, r)
    acc = a
    call = f.call2
    for x in elements(b):
        acc = call(acc, x)
    return _as_string(acc) if type(b) is str else acc


def _as_string(v):
    """What kg makes of a value a fold or scan over a string reaches (kg.c's
    list_to_string at the string's end): a list of characters, or an empty list, is a
    string; anything else stays."""
    t = type(v)
    if t is not str and is_empty(v):
        return ""
    if t is list and all(type(c) is Char for c in v):
        return mkstring(v)
    return v


def scan(f, a):
    """f\\a  Scan-Over
    Like Over, but returns every intermediate result: a1, f(a1;a2), f(f(a1;a2);a3), ...
    Examples: +\\[1 2 3 4] --> [1 3 6 10]    ,\\[1 2 3] --> [1 [1 2] [1 2 3]]"""
    if is_empty(a):
        return a
    if not is_list(a):
        return mklist([a])
    fast = getattr(f, "scan", None)
    if fast is not None and type(a) is Tensor:
        r = fast(a)
        if r is not NotImplemented:
            return r
    xs = elements(a)
    acc = xs[0]
    out = [acc]
    call = f.call2
    for x in xs[1:]:
        acc = call(acc, x)
        out.append(acc)
    return mklist(out)


def scan_neutral(f, a, b):
    """a f\\b  Scan-Over-Neutral
    Like Over-Neutral, collecting intermediate results: a, f(a;b1), f(f(a;b1);b2), ...
    a f\\[] is a; with an atom b, a,,f(a;b), so that a list a is spread: [1 2],\\3 is
    [1 2 [1 2 3]].
    Example: 0,\\[1 2 3] --> [0 [0 1] [0 1 2] [0 1 2 3]]"""
    if is_empty(b):
        return a
    if not is_list(b):
        # kg's own program for an atom b (kg.c over_n): a,,f(a;b), by Klong's join, which
        # spreads a list a ([1 2],\3 --> [1 2 [1 2 3]], []{x,y}\1 --> [[1]]) and keeps a
        # string whole beside other values (:foo:+\0c  --> [:foo " "])
        return build.join(a, build.enlist(f.call2(a, b)))
    acc = a
    out = [acc]
    call = f.call2
    for x in elements(b):
        acc = call(acc, x)
        out.append(acc)
    if type(b) is str:          # kg: each value a scan over a string's characters reached
        out = [_as_string(v) for v in out]
    return mklist(out)


def converge(f, a):
    """f:~a  Converge
    Apply f to a, then to the result, and so on until the result stops changing (or
    returns to a); that fixpoint is the value.
    Examples: {(x+2%x)%2}:~2 --> 1.414213562373095    ,/:~[1 [2 [3]]] --> [1 2 3]"""
    x = a
    call = f.call1
    while True:
        nx = call(x)
        if search._match(nx, x) or search._match(nx, a):
            return x if search._match(nx, x) else nx
        x = nx


def while_(f, c, b):
    """a f:~b  While
    While a(b) is true, replace b by f(b); the value is the first b for which a(b) is false.
    Example: {x<1000}{x*2}:~1 --> 1024"""
    cond = _callable(c, "while").call1
    call = f.call1
    x = b
    while truth(cond(x)):
        x = call(x)
    return x


def iterate(f, n, b):
    """a f:*b  Iterate
    Apply f to b a times.
    Example: 3{1,x}:*[] --> [1 1 1]"""
    count = _count(n, "iterate")
    call = f.call1
    x = b
    if progress.watching:
        with progress.loop(range(count), count, "iterate") as steps:
            for _ in steps:
                x = call(x)
            return x
    for _ in range(count):
        x = call(x)
    return x


def scan_converge(f, a):
    """f\\~a  Scan-Converging
    Like Converge, but returns the list of all values up to the fixpoint.
    Example: {_x%2}\\~10 --> [10 5 2 1 0]"""
    out = [a]
    x = a
    call = f.call1
    while True:
        nx = call(x)
        if search._match(nx, x) or search._match(nx, a):
            return mklist(out)
        out.append(nx)
        x = nx


def scan_while(f, c, b):
    """a f\\~b  Scan-While
    Like While, but returns the list of the values of b for which a(b) was true.
    Example: {x<100}{x*2}\\~1 --> [1 2 4 8 16 32 64]"""
    cond = _callable(c, "scan-while").call1
    call = f.call1
    out = []
    x = b
    while truth(cond(x)):
        out.append(x)
        x = call(x)
    return mklist(out)


def scan_iterate(f, n, b):
    """a f\\*b  Scan-Iterating
    Like Iterate, but returns b and every intermediate result.
    Example: 3{1,x}\\*[] --> [[] [1] [1 1] [1 1 1]]"""
    count = _count(n, "scan-iterating")
    if count == 0:
        return b
    call = f.call1
    out = [b]
    x = b
    if progress.watching:
        with progress.loop(range(count), count, "iterate") as steps:
            for _ in steps:
                x = call(x)
                out.append(x)
        return mklist(out)
    for _ in range(count):
        x = call(x)
        out.append(x)
    return mklist(out)


def _count(n, name):
    if type(n) is Tensor and n.dim() == 0 and not n.dtype.is_floating_point:
        n = int(n)
    if type(n) is not int:
        raise err(name, "type", n)
    if n < 0:
        raise err(name, "range", n)
    return n


def _callable(v, name):
    if not hasattr(v, "call1"):
        raise err(name, "type", v)
    return v


# adverb symbol -> (monadic form, dyadic form); None where the reference defines none
ADVERBS = {
    "'": (each, each2),
    "/": (over, over_neutral),
    "\\": (scan, scan_neutral),
    ":~": (converge, while_),
    "\\~": (scan_converge, scan_while),
    ":*": (None, iterate),
    "\\*": (None, scan_iterate),
    ":\\": (None, each_left),
    ":/": (None, each_right),
    ":'": (each_pair, None),
}


class Derived:
    """A verb modified by an adverb, e.g. +/ or {x*x}'."""
    __slots__ = ("verb", "adverb", "call1", "call2")

    def __init__(self, verb, adverb):
        self.verb = verb
        self.adverb = adverb
        mono, dy = ADVERBS[adverb]
        self.call1 = (lambda a: mono(verb, a)) if mono else self._no_monad
        fast = getattr(verb, "over", None) if adverb == "/" else None
        if fast is not None:
            # +/v on a tensor of two or more rows goes straight to the torch reduction:
            # `+/x^2` on 1,000 elements spent a third of its time on the way there
            def call1(a):
                if type(a) is Tensor and a.dim() and a.shape[0] > 1:
                    r = fast(a)
                    if r is not NotImplemented:
                        return r
                return over(verb, a)
            self.call1 = call1
        self.call2 = (lambda a, b: dy(verb, a, b)) if dy else self._no_dyad

    def _no_monad(self, a):
        raise err(_adverb_name(self.adverb), "arity", text="needs a left operand")

    def _no_dyad(self, a, b):
        raise err(_adverb_name(self.adverb), "arity", text="takes no left operand")

    def call(self, args):
        if len(args) == 1:
            return self.call1(args[0])
        if len(args) == 2:
            return self.call2(*args)
        raise err(_adverb_name(self.adverb), "arity", text=f"{len(args)} arguments")

    def klong_lifted(self):
        """How lifting runs this derived verb on a whole tensor (lift.callee), or None:
        a reduction such as +/ becomes one batched reduction."""
        return lift.reduction(self.verb) if self.adverb == "/" else None


def _adverb_name(adv):
    return NAMES[adv]


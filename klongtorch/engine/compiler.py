"""The compiler: parse trees to Python functions, one back end.

Every top-level statement and every function literal becomes the source of one Python
function, written by codegen.BodyWriter and exec'd once. A statement's function takes no
arguments; a lambda's takes its x, y and z. Names, arities, primitive verbs and adverb
chains are resolved while writing, so running is a chain of direct calls with no dispatch
on node types, and a hot function body has fast paths for Python numbers inline.

Scoping follows the reference: x, y and z are the innermost function's arguments; every
other name is dynamically scoped. Dynamic scope is implemented by shallow binding (see
functions.Lambda): all variables live in one table, so a lookup is one dict access.
"""
from klongtorch.engine.codegen import BodyWriter
from klongtorch.value.functions import Lambda as LambdaValue


class Scope:
    """What the compiler knows about the code being compiled: the function (None at the
    top level), the names that are dynamic locals there, and whether it is the top level
    (where x, y and z are ordinary variables)."""
    __slots__ = ("fn", "locals", "top")

    def __init__(self, fn=None, local_names=frozenset(), top=True):
        self.fn, self.locals, self.top = fn, local_names, top


class Compiler:
    def __init__(self, interp):
        self.interp = interp
        self.g = interp.globals
        self.source = ""
        # dyads that run code of their own (:> ∂ ∇, see derivatives.DyadForm): sym -> form
        self.special = {}

    def compile(self, node, source):
        """A top-level statement as a Python function of no arguments."""
        self.source = source
        return BodyWriter(self, None, Scope(), 0).build([node])

    def line(self, nodes, source):
        """The codes of one line's statements, each when its turn comes. All are compiled
        before the first runs, so that a syntax error anywhere in the line runs none of it,
        as in kg; a statement that follows a .module that ran is compiled again, in the
        module (its names are renamed at compile time, see resolve)."""
        module = self.interp.module
        codes = [self.compile(node, source) for node in nodes]
        for node, code in zip(nodes, codes):
            yield code if self.interp.module is module else self.compile(node, source)

    def function(self, node, scope):
        """The function value of a lambda literal compiled in scope."""
        inner = Scope(None, frozenset(node.locals) | scope.locals, top=False)
        # lifting reads the tree at run time, so it needs names as written: not in a module,
        # where resolve() renames them
        fn = LambdaValue(node.arity, node.locals, self.interp, node.source,
                         node if self.interp.module is None else None)
        inner.fn = fn
        fn.set_body(BodyWriter(self, fn, inner, node.arity).build(node.body, node))
        return fn

    def resolve(self, name, scope, defining=False):
        """A variable's name after module renaming (see SEMANTICS : MODULES)."""
        mod = self.interp.module
        if mod is None or name in scope.locals or name == "it":
            return name
        if defining:
            mod.names.add(name)
        if name in mod.names or name not in mod.existing:
            return name + "`" + mod.name
        return name

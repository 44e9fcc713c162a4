"""SEMANTICS : MODULES: .module(:name) ... .module(0).

Inside a module, a definition a::v defines a`name and binds a to it as well; references in
the module's functions go to a`name, so redefining a outside leaves the module alone. A
forward reference goes to the module's name only when the name was undefined when the module
was opened (or was given a dummy definition inside it).
"""
import pytest

from klongtorch import Klong, KlongError

FOO = """
.module(:foo)
a::1
g::{a}
f::{g()}
s::{a::x}
.module(0)
"""


@pytest.fixture
def k():
    return Klong()


def test_reference_module_values(k):
    k(FOO)
    assert k("a") == 1
    assert k("f()") == 1
    assert k("g()") == 1


def test_redefining_outside_does_not_change_the_module(k):
    k(FOO)
    assert k("a::2;f()") == 1
    assert k("g::0;f()") == 1
    assert k("a") == 2


def test_s_changes_only_the_modules_a(k):
    """The reference: a::0; s(2); a --> 0; f() --> 2."""
    k(FOO)
    k("a::0")
    assert k("s(2)") == 2
    assert k("a") == 0
    assert k("f()") == 2


def test_s_example_with_a_defined_before_the_module(k):
    k("a::100")
    k(FOO)
    assert k("a") == 1                 # the module's a::1 also binds the global a
    k("a::0")
    k("s(7)")
    assert k("a") == 0
    assert k("f()") == 7


def test_module_in_one_line(k):
    assert k(".module(:m);q::5;h::{q};.module(0);q::6;h()") == 5


def test_module_returns_empty_list(k):
    assert k(".module(:m)") == []
    assert k(".module(0)") == []


def test_two_modules_keep_their_own_variables(k):
    k(".module(:one);v::1;getv1::{v};.module(0)")
    k(".module(:two);v::2;getv2::{v};.module(0)")
    assert k("getv1()") == 1
    assert k("getv2()") == 2
    k("v::3")
    assert k("getv1(),getv2(),v").tolist() == [1, 2, 3]


def test_locals_and_arguments_inside_a_module(k):
    k(".module(:m);t::100;h::{[t];t::x*2;t+1};.module(0)")
    assert k("h(5)") == 11
    assert k("t") == 100
    k("t::0")
    assert k("h(1)") == 3


def test_module_function_calling_another_with_arguments(k):
    k(""".module(:calc)
sq::{x*x}
sumsq::{sq(x)+sq(y)}
.module(0)""")
    assert k("sumsq(3;4)") == 25
    k("sq::{0}")
    assert k("sumsq(3;4)") == 25


# -- forward references -------------------------------------------------------------------

EVEN_ODD = """
.module(:foo)
e::{:[0=x;1:|1=x;0;o(x-1)]}
o::{:[0=x;0:|1=x;1;e(x-1)]}
.module(0)
"""

EVEN_ODD_DUMMY = """
.module(:foo)
o::0
e::{:[0=x;1:|1=x;0;o(x-1)]}
o::{:[0=x;0:|1=x;1;e(x-1)]}
.module(0)
"""


def test_mutual_recursion_in_a_module(k):
    k(EVEN_ODD)
    assert [k(f"e({n})") for n in range(6)] == [1, 0, 1, 0, 1, 0]
    assert [k(f"o({n})") for n in range(6)] == [0, 1, 0, 1, 0, 1]


def test_forward_reference_to_an_undefined_name_is_local(k):
    k(EVEN_ODD)
    k("o::{x;99}")                     # redefine o outside the module
    assert k("e(4)") == 1
    assert k("e(3)") == 0


def test_forward_reference_to_an_existing_name_is_global(k):
    """If o was defined when the module was opened, e refers to that (global) o."""
    k("o::{x;77}")
    k(EVEN_ODD)
    assert k("e(4)") == 1              # the global o is now the module's o
    k("o::{x;55}")                     # but a later redefinition reaches e too
    assert k("e(3)") == 55
    assert k("e(0)") == 1


def test_dummy_definition_makes_the_forward_reference_local(k):
    k("o::{x;77}")
    k(EVEN_ODD_DUMMY)
    assert k("e(4)") == 1
    k("o::{x;55}")
    assert k("e(3)") == 0
    assert k("e(10)") == 1


# -- rules ---------------------------------------------------------------------------------

def test_modules_may_not_be_nested(k):
    k(".module(:outer)")
    with pytest.raises(KlongError, match="^kg: error: .module"):
        k(".module(:inner)")
    k(".module(0)")


def test_module_name_must_be_a_symbol(k):
    for bad in ['"name"', "1", "[1 2]", "{x}"]:
        with pytest.raises(KlongError, match="^kg: error: .module"):
            k(f".module({bad})")


@pytest.mark.parametrize("false", ["0", "[]", '""'])
def test_any_false_value_closes_the_module(k, false):
    k(f".module(:m);mv::1;mg::{{mv}};.module({false})")
    k("mv::2")
    assert k("mg()") == 1
    k("after::3;ag::{after}")
    k("after::4")
    assert k("ag()") == 4              # outside the module, plain dynamic globals again


def test_modules_loaded_before_opening_a_new_one(k, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "external.kg").write_text(".module(:ext)\nev::10\nef::{ev+x}\n.module(0)\n")
    k('.l("./external")')
    k(".module(:local)\nlv::ef(1)\nlf::{ef(x)*2}\n.module(0)")
    assert k("lv") == 11
    k("ev::0")
    assert k("lf(1)") == 22


def test_variables_starting_with_a_dot_are_renamed_like_others(k):
    # as kg runs it, one statement a line: help.kg's .helpdb is its module's own
    k(".module(:m)\n.myvar::5\nmf::{.myvar}\n.module(0)")
    k(".myvar::6")
    assert k("mf()") == 5

"""Source read as kg reads it: locals with separators and named x, y or z, Latin-1 files,
and the system variables the author's library expects (.helpdb, .fastpow, it)."""
import pytest

from klongtorch import Klong
from klongtorch.value.text import show
from klongtorch.value.errors import KlongError


@pytest.fixture
def k():
    return Klong()


@pytest.mark.parametrize("src", ["{[a;b];a::1;b::2;a+b}()", "{[a,b];a::1;b::2;a+b}()",
                                 "{[a b];a::1;b::2;a+b}()"])
def test_locals_with_or_without_separators(k, src):
    assert k(src) == 3


def test_separators_are_not_locals(k):
    k("a::10;f::{[a;b];a::1;b::2;a+b}")
    assert k("f()") == 3
    assert k("a") == 10                     # the local a came and went
    assert show(k("{[a b]}()")) == "[:a :b]"  # no ';' after it: a list, not locals


def test_a_local_named_x_is_no_argument(k):
    assert show(k("{[x];x::5;x}")) == ":nilad"
    assert k("{[x];x::5;x}()") == 5
    assert k("{[y];y::5;x+y}(3)") == 8      # y is local, x the one argument
    with pytest.raises(KlongError, match="arity"):
        k("{[x];x::5;x}(3)")


def test_a_local_x_is_seen_by_the_functions_inside(k):
    # kg renames locals lexically: an inner {x} refers to the outer local, and is a nilad
    assert k("{[x];x::5;{x}()}()") == 5
    assert show(k("{[x];x::5;{x+1}}()")) == ":nilad"


def test_x_outside_a_local_declaration_stays_read_only(k):
    with pytest.raises(KlongError, match="read-only"):
        k("{[a];x::1}")


def test_latin1_source_is_read_byte_by_byte(k, tmp_path):
    path = tmp_path / "latin.kg"
    path.write_bytes(b':"3\xd74 in a comment"\ns::"\xe9t\xe9"\n#s\n')
    assert k(f'.l("{path}")') == 3           # three bytes, three characters
    assert k("#s") == 3


def test_utf8_source_keeps_its_characters(k, tmp_path):
    path = tmp_path / "utf.kg"
    path.write_text('s::"\u00e9t\u00e9"\n', encoding="utf-8")
    k(f'.l("{path}")')
    assert k("#s") == 3


def test_system_variables_of_the_library(k):
    assert k(".helpdb") == []
    assert k(".fastpow") == 0
    assert k("it") == []
    assert k(".fastpow::1;2^10") == 1024    # x^y is computed directly either way


def test_loading_an_empty_file_gives_empty_list(k, tmp_path):
    path = tmp_path / "empty.kg"
    path.write_text("")
    assert k(f'.l("{path}")') == []


@pytest.mark.parametrize("src", ["1+[]", "[]+1", "(!0)+1", "1-!0", "3*!0", "[1 []]+1", "-[]",
                                 "%[]", "_[]", "[]=[]", ":#[]", ":#[65 []]",
                                 "-!0", "%!0", "_!0", '-""', "!!0", "-[[] 1]"])
def test_arithmetic_on_an_empty_list_is_a_type_error(k, src):
    # as in kg (the library's kp(0;n) and f.cdf below the data rely on it failing)
    with pytest.raises(KlongError, match="type error"):
        k(src)


def test_empty_lists_still_fold_and_match(k):
    assert k("+/[]") == []
    assert k("[]~[]") == 1
    assert k("{x+1}'[]") == []

"""Helpers shared by the language tests (not a test module: pytest collects nothing here)."""
import pytest

from klongtorch import KlongError


def klong_error(k, src):
    """Evaluate src, which must fail with a kg-style KlongError; return the error."""
    with pytest.raises(KlongError) as info:
        k(src)
    err = info.value
    assert type(err) is KlongError
    assert str(err).startswith("kg: error: "), str(err)
    return err


BIG = "12345678901234567890"        # a bignum, past int64


def message(k, src):
    """The text of the kg-style error src fails with."""
    return str(klong_error(k, src))

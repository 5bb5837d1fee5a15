"""Exact decimal text <-> double (models/exact_numbers.py), checked against CPython's own."""
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from models import exact_numbers

FUZZ = dict(derandomize=True, database=None, deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_floats_are_written_with_the_fewest_digits():
    assert exact_numbers.format_float(0.1) == "0.1"
    assert exact_numbers.format_float(0.30000000000000004) == "0.30000000000000004"
    assert exact_numbers.format_float(95.0) == "95"
    assert exact_numbers.format_float(1e-7) == "1e-7"
    assert exact_numbers.format_float(1e16) == "1e16"
    assert exact_numbers.format_float(0.9999) == "0.9999"
    assert exact_numbers.format_float(1 / 3) == repr(1 / 3)


def test_only_plain_decimal_and_exponent_notation_is_a_number():
    assert exact_numbers.parse_number("+3") == (3, True)
    assert exact_numbers.parse_number(" .5 ") == (0.5, True)
    assert exact_numbers.parse_number("0e5") == (0.0, False)
    assert exact_numbers.parse_number("1e 5") == (1e5, True)  # "1e+5" whose '+' became a space
    assert exact_numbers.parse_number("-1e999") == (float("-inf"), True)
    for text in ("", "abc", "nan", "inf", "0x10", "1_0", "1e", "e5", ".", "--3", "\u0661", "\u00bd"):
        assert exact_numbers.parse_number(text) is None, text


@hsettings(max_examples=800, **FUZZ)
@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(["%r", "%.17g", "%.3e", "%.20f"]))
def test_numbers_are_read_and_written_exactly(x, style):
    """exact_numbers does its own exact decimal <-> double conversion (MicroPython's is not exact):
    it must agree with CPython's correctly rounded float() and shortest repr()."""
    text = style % x
    assert exact_numbers.parse_number(text)[0] == float(text)
    if x != 0:
        written = exact_numbers.format_float(x)
        assert float(written) == x
        digits = lambda s: s.lstrip("-").split("e")[0].replace(".", "").strip("0")
        assert digits(written) == digits(repr(x))

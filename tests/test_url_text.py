"""UTF-8 and percent-encoding, and text made safe to show (models/url_text.py), checked against
CPython's urllib."""
from urllib.parse import unquote_plus

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from models import url_text

FUZZ = dict(derandomize=True, database=None, deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_percent_decoding():
    assert url_text.percent_decode("%E2%82%AC") == "\u20ac"
    assert url_text.percent_decode("%e2%82%ac+x") == "\u20ac x"
    assert url_text.percent_decode("%zz%4") == "%zz%4"
    assert url_text.percent_decode("%ff%E2%82") == "\ufffd\ufffd"
    assert url_text.percent_decode("100%") == "100%"
    assert url_text.percent_decode("a+b", plus=False) == "a+b"


def test_percent_encoding_keeps_only_safe_characters():
    assert url_text.percent_encode("\u20ac x") == "%E2%82%AC%20x"
    assert url_text.percent_encode("leaky_relu,1.5-~") == "leaky_relu,1.5-~"
    assert url_text.percent_encode("a+b&c=d#") == "a%2Bb%26c%3Dd%23"


def test_text_is_made_safe_to_show():
    assert url_text.safe_text("<b>'hi'</b>") == "\u2039b\u203a\u2032hi\u2032\u2039/b\u203a"
    assert url_text.safe_text('"`&') == "\u2033\u2032\uff06"
    assert url_text.safe_text("a\x00\u202eb\ufeff\ud800") == "a??b??"
    assert url_text.safe_text("x" * 41) == "x" * 40 + "\u2026"
    assert url_text.safe_text("x" * 40) == "x" * 40
    assert url_text.safe_text(12) == "12"
    assert url_text.quoted("<'") == "'\u2039\u2032'"
    assert url_text.markup_free("<'a'&\x07>") == "\u2039'a'\uff06?\u203a"  # quotes are kept


@hsettings(max_examples=1000, **FUZZ)
@given(st.one_of(st.text(max_size=40),
                 st.lists(st.sampled_from(["%", "%E2", "%82", "%AC", "%ff", "%C0", "%80", "%F0%9F", "%ED%A0",
                                           "%4", "%zz", "+", "a", "\u20ac", "%2B", "%25"]),
                          max_size=12).map("".join)))
def test_percent_decode_matches_urllib(text):
    assert url_text.percent_decode(text) == unquote_plus(text, errors="replace")


@hsettings(max_examples=300, **FUZZ)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30))
def test_percent_encoding_round_trips(text):
    assert url_text.percent_decode(url_text.percent_encode(text)) == text

"""models/error_strip.py: where in a sample its error is. Crafted samples whose answer is known
exactly: the stretch (the shortest run of steps holding at least half of the error), its share and
the sentence, numbered as the chart's x axis numbers the steps."""
import json
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: see models/__init__.py
import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from models import error_strip


def errors_at(n, where, value=1.0, rest=0.0):
    e = np.full(n, rest)
    e[where] = value
    return e


def test_each_steps_error_is_its_squared_difference_and_their_mean_the_samples_error():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    out = np.array([0.5, 1.0, 0.0, 3.0])
    e = error_strip.step_errors(x, out)
    assert e.tolist() == [0.25, 0.0, 4.0, 0.0] and e.dtype == np.float64
    assert e.mean() == np.mean((out - x) ** 2)


def test_a_spike_is_named_alone_with_all_of_the_error():
    x = np.zeros(140)
    out = x.copy()
    out[100] = 0.7
    where = error_strip.describe(error_strip.step_errors(x, out), "heartbeat")
    assert where == {"first": 100, "last": 100, "share": 1.0, "named": True,
                     "text": "Timestep 100 carries 100% of this heartbeat's error."}


def test_a_block_holding_just_over_half_is_named_whole():
    # 17 steps of error 1 at 96..112, the other 123 steps 16/123 each: a total of 33. Half is 16.5:
    # no 16 steps reach it (16 inside the block, or 15 and some background < 16.5), so the shortest
    # stretch is the block, holding 17/33 = 51.5%.
    e = np.full(140, 16 / 123)
    e[96:113] = 1.0
    assert error_strip.worst_stretch(e) == (96, 112, pytest.approx(17 / 33, abs=1e-12))
    assert error_strip.describe(e, "heartbeat")["text"] == "Timesteps 96–112 carry 51% of this heartbeat's error."


def test_the_shortest_stretch_is_taken_not_the_whole_bump():
    # a bump of 9 steps, its middle 3 heavy: those 3 hold 3 * 4 / (3 * 4 + 6 * 1) = 2/3 of it
    e = np.zeros(60)
    e[20:29] = 1.0
    e[23:26] = 4.0
    assert error_strip.worst_stretch(e) == (23, 25, pytest.approx(12 / 18))
    assert error_strip.describe(e, "day")["text"] == "Timesteps 23–25 carry 66% of this day's error."


def test_ties_go_to_the_larger_share_then_to_the_earlier_stretch():
    assert error_strip.worst_stretch(errors_at(80, [10, 50]))[:2] == (10, 10)  # two equal spikes: the first
    e = errors_at(80, [10, 50])
    e[50] = 2.0
    assert error_strip.worst_stretch(e) == (50, 50, pytest.approx(2 / 3))  # the larger one, though later
    # the same length, different shares: steps 0-1 hold 4 of 7, steps 1-2 hold 5 of 7
    assert error_strip.worst_stretch([2.0, 2.0, 3.0, 0.0]) == (1, 2, pytest.approx(5 / 7))
    assert error_strip.worst_stretch([2.0, 1.0, 2.0]) == (0, 1, pytest.approx(3 / 5))  # equal: the earlier


def test_no_error_at_all_has_no_stretch_and_says_so():
    x = np.linspace(-1, 1, 140)
    where = error_strip.describe(error_strip.step_errors(x, x), "heartbeat")
    assert where == {"first": None, "last": None, "share": None, "named": False,
                     "text": "This heartbeat is rebuilt exactly: none of its timesteps has any error."}
    assert error_strip.worst_stretch([]) is None


def test_an_error_spread_evenly_names_no_stretch_but_how_long_half_of_it_takes():
    # a constant sample rebuilt as another constant: every step has the same error, and every half ties
    x, out = np.full(140, 2.0), np.full(140, 1.5)
    where = error_strip.describe(error_strip.step_errors(x, out), "heartbeat")
    assert where["named"] is False and (where["first"], where["last"]) == (0, 69) and where["share"] == 0.5
    assert where["text"] == ("The error is spread across this heartbeat: no stretch shorter than 70 of its 140 "
                             "timesteps carries half of it.")
    # odd lengths need the larger half
    assert error_strip.describe(np.ones(7), "day")["text"].endswith("shorter than 4 of its 7 timesteps carries half of it.")


def test_a_stretch_is_named_when_its_error_is_at_least_half_again_as_dense_as_the_samples():
    # half of the error in a third of the sample is 1.5 times as dense: named
    e = np.zeros(90)
    e[10:40] = 1.0
    e[40:70] = 0.999  # 30 + 29.97: the 30 steps of the first block reach half (29.985), just
    where = error_strip.describe(e, "day")
    assert (where["first"], where["last"], where["named"]) == (10, 39, True)
    e = np.zeros(90)
    e[10:72] = 1.0  # 62 steps of 1: half of it takes 31 steps, more than a third of 90
    assert error_strip.describe(e, "day")["named"] is False


def test_very_short_samples():
    assert error_strip.describe([0.0, 2.0], "sample")["text"] == "Timestep 1 carries 100% of this sample's error."
    assert error_strip.describe([1.0, 1.0], "sample")["named"] is False  # two equal steps: neither stands out
    assert error_strip.describe([3.0], "sample")["text"] == "Timestep 0 carries 100% of this sample's error."


def test_a_window_is_numbered_in_series_time_with_thousands_separated():
    e = errors_at(64, [20, 21, 22])
    where = error_strip.describe(e, "window", first_step=3190)
    assert (where["first"], where["last"]) == (3210, 3211)  # 2 of 3 equal steps: 2/3 >= half
    assert where["text"] == "Timesteps 3,210–3,211 carry 66% of this window's error."
    rows = error_strip.chart_rows(np.zeros(64), np.zeros(64), e, where, first_step=3190)
    assert [r["t"] for r in rows["recon"]] == list(range(3190, 3254))
    assert rows["stretch"] == [{"t0": 3210, "t1": 3211, "x0": 3209.5, "x1": 3211.5}]


def test_the_chart_rows_one_per_step_and_the_outline_within_the_sample():
    e = errors_at(10, [0], 0.0123456)
    where = error_strip.describe(e, "sample")
    rows = error_strip.chart_rows(np.arange(10), np.arange(10) + 0.5, e, where)
    assert len(rows["recon"]) == 10 and rows["recon"][0] == {"t": 0, "input": 0.0, "output": 0.5, "error": 0.0123}
    assert rows["stretch"] == [{"t0": 0, "t1": 0, "x0": 0, "x1": 0.5}]  # not before the first step
    where = error_strip.describe(np.ones(10), "sample")
    assert error_strip.chart_rows(np.zeros(10), np.zeros(10), np.ones(10), where)["stretch"] == []  # none named


def test_a_diverged_reconstruction_gives_finite_errors_and_names_where_it_blew_up():
    x = np.zeros(20)
    out = np.zeros(20)
    out[[3, 4]] = [np.nan, np.inf]
    e = error_strip.step_errors(x, out)
    assert np.isfinite(e).all() and e[3] == e[4] == error_strip.BIG
    where = error_strip.describe(e, "sample")
    assert (where["first"], where["last"]) == (3, 3) and where["share"] == 0.5
    json.dumps(error_strip.chart_rows(x, np.nan_to_num(out), e, where), allow_nan=False)  # fit for the wire


@hsettings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.0, 3.0]), min_size=1, max_size=40))
def test_the_stretch_is_the_shortest_holding_half_then_the_largest_then_the_earliest(values):
    """Against every stretch, tried one by one (values exact in binary: no rounding in the sums)."""
    e = np.array(values)
    found = error_strip.worst_stretch(e)
    total = e.sum()
    if total == 0:
        assert found is None
        return
    candidates = [(j - i, -e[i:j].sum(), i, j - 1) for i in range(len(e)) for j in range(i + 1, len(e) + 1)
                  if 2 * e[i:j].sum() >= total]
    length, minus_share, first, last = min(candidates)
    assert found == (first, last, -minus_share / total)

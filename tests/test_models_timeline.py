"""models/timeline.py: stretches and thinning for the timeline of a long series."""
import numpy as np

from builder import gallery as gallery_files
from data import samples
from models import settings, timeline
from models.experiment import Experiment


def test_runs_and_unions_of_windows():
    assert timeline.runs([0, 1, 1, 0, 0, 1]) == [[1, 3], [5, 6]] and timeline.runs([0, 0]) == []
    assert timeline.union([0, 2, 10], 4) == [[0, 6], [10, 14]]


def test_a_long_series_is_thinned_but_a_one_point_spike_stays_visible():
    values = np.zeros(100_000)
    values[71_234] = 9.0
    points = timeline._series_points(values)
    assert len(points) <= timeline.MAX_POINTS and {"t": 71_234, "value": 9.0} in points


def test_the_timeline_of_the_sensor_log_places_every_window_and_flags_above_the_threshold():
    series = gallery_files.load("bleeding")
    config = settings.validate({"dataset": "bleeding", "window": 32, "stride": 8, "encoder": [8], "latent": 2})
    exp = Experiment(config, series)
    exp.train_epoch()
    ev = exp.evaluate()
    summary, charts = timeline.timeline(exp, series, samples.for_config(series, config), ev["errors"])
    assert summary["points"] == 7501 and summary["labelled"] == [[4187, 4199]]
    windows = charts["timeline_errors"]["windows"]
    assert sum(w["part"] == "test" for w in windows) == len(ev["errors"])  # 788 windows: none thinned
    above = [w for w in windows if w["part"] == "test" and w["error"] > ev["threshold"]]
    stretches = charts["timeline"]["flagged"]
    assert summary["flagged_count"] == len(stretches) and all(
        any(s["t0"] <= w["t"] < s["t1"] for s in stretches) for w in above)

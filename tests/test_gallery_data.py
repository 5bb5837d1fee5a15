"""The gallery's datasets (data/gallery.py) from the pinned aeon wheel, the .ts reader, windows cut
from a long series, and the samples an experiment's settings choose (data/samples.py)."""
import numpy as np
import pytest

from builder import gallery as gallery_files
from data import about, gallery, samples, ucr_ts, windows
from models import settings

SIZES = {"gunpoint": (50, 150, 150), "italypower": (67, 1029, 24), "arrowhead": (36, 175, 251),
         "osuleaf": (200, 242, 427)}


@pytest.mark.parametrize("key", [k for k in gallery.KEYS if k != "ecg5000"])
def test_every_gallery_dataset_loads_from_the_pinned_wheel_as_the_gallery_describes_it(key):
    ds = gallery_files.load(key)
    entry = gallery.BY_KEY[key]
    assert ds["key"] == key and ds["kind"] == entry["kind"]
    if entry["kind"] == "rows":
        n_train, n_test, length = SIZES[key]
        assert ds["train_x"].shape == (n_train, length) and ds["test_x"].shape == (n_test, length)
        assert ds["about"]["length"] == entry["length"] == length
        assert set(ds["train_y"]) | set(ds["test_y"]) == set(about.labels(ds["about"]))
    else:  # the sensor log: 7,501 points, the first 1,200 normal, one labelled stretch of 12
        assert len(ds["series"]) == 7501 and ds["train_end"] == 1200
        assert ds["anomaly"].sum() == 12 and list(np.flatnonzero(ds["anomaly"])[[0, -1]]) == [4187, 4198]


def test_windows_cover_the_series_and_are_abnormal_where_they_overlap_a_labelled_point():
    series = {"series": np.arange(20, dtype=np.float32), "anomaly": np.r_[np.zeros(15), 1, np.zeros(4)],
              "train_end": 10, "about": about.describe("s", "window", 2, [[0, "N", "N"], [1, "A", "A"]], [0])}
    cut = windows.cut(series, 4, 2)
    assert list(cut["train_start"]) == [0, 2, 4, 6] and list(cut["test_start"]) == [8, 10, 12, 14, 16]
    assert cut["train_x"][1].tolist() == [2, 3, 4, 5] and cut["about"]["length"] == 4
    assert list(cut["test_y"]) == [0, 0, 1, 1, 0]  # 12..15 and 14..17 hold point 15
    with pytest.raises(windows.WindowError, match="longer than the series"):
        windows.cut(series, 21, 1)
    with pytest.raises(windows.WindowError, match="does not fit in the 10 training values"):
        windows.cut(series, 11, 1)
    assert list(windows.cut(dict(series, anomaly=None), 4, 2)["test_y"]) == [0] * 5


@pytest.mark.parametrize("text, message", [
    ("@data\n1,2,3:1\n1,2:1\n", "series of different lengths"),
    ("@data\n1,x,3:1\n", "line 2: a value is not a number"),
    ("@data\n1,?,3:1\n", "missing values"),
    ("@univariate false\n@data\n1:2:1\n", "line 3: expected one univariate series"),
    ("@problemName x\n", "no series after @data"),
])
def test_a_ts_file_that_is_not_what_the_gallery_needs_is_refused_by_line(text, message):
    with pytest.raises(ucr_ts.TsError, match=message):
        ucr_ts.parse(text, "x.ts")


def test_the_settings_shape_the_samples_and_must_name_the_loaded_dataset():
    ds = gallery_files.load("gunpoint")
    config = settings.validate({"dataset": "gunpoint", "normal": [2]})
    chosen = samples.for_config(ds, config)
    assert chosen["about"]["normal"] == [2] and ds["about"]["normal"] == [1]
    with pytest.raises(ValueError, match="for the dataset ECG5000 heartbeats, but GunPoint hand motion is loaded"):
        samples.for_config(ds, settings.validate({}))
    series = gallery_files.load("bleeding")
    config = settings.validate({"dataset": "bleeding", "window": 32, "stride": 8})
    first = samples.for_config(series, config)
    assert first["train_x"].shape[1] == 32 and samples.for_config(series, config) is first  # cut once
    assert gallery.width(config) == 32 and gallery.width(settings.validate({"dataset": "osuleaf"})) == 427

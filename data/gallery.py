"""The gallery: every dataset the explorer offers by name, and what each one is.

The UI thread (MicroPython) imports this table for its dataset picker, and so do the settings
(the `dataset` choice), the build (which packs each one into dist/data/<key>.bin) and the command
line. Core builtins only.

"rows" datasets are labelled fixed-length series: a model learns the normal class(es) (the user
may choose others), every other class is an anomaly. "series" datasets are one long series with
labelled anomalous points, cut into windows (data/windows.py).

Everything but ECG5000 comes from the pinned aeon wheel (builder/gallery.py): BSD-3 licensed, the
data from the UCR time-series classification and UCR/KDD-Cup 2021 anomaly archives.
"""

AEON = "aeon==1.6.0"
AEON_WHEEL = "aeon-1.6.0-py3-none-any.whl"
AEON_SHA256 = "d05227086706f80111ac5fee8de4d5d3115bb3bcfd1c786c8629393055816409"
AEON_DATA = "aeon/datasets/data/"


def _entry(key, title, kind, length, sample, classes, normal, about, files=None):
    """length: a sample's values (rows), or None: a series' windows are as long as the settings say."""
    return {"key": key, "title": title, "kind": kind, "length": length, "sample": sample, "classes": classes,
            "normal": normal, "about": about, "files": files or []}


DATASETS = [
    _entry("ecg5000", "ECG5000 heartbeats", "rows", 140, "heartbeat",
           [[1, "Normal", "Normal"], [2, "R-on-T PVC", "R-on-T PVC"], [3, "Supraventricular ectopic", "SV ectopic"],
            [4, "PVC", "PVC"], [5, "Unclassified", "Unclassified"]], [1],
           "5,000 heartbeats of 140 samples from one patient's ECG; four kinds of abnormal beat."),
    _entry("gunpoint", "GunPoint hand motion", "rows", 150, "motion",
           [[1, "Gun draw", "Gun"], [2, "Point", "Point"]], [1],
           "200 recordings of a hand's x-position, 150 samples each: drawing a gun from a holster, "
           "or just pointing a finger.", ["GunPoint/GunPoint_TRAIN.ts", "GunPoint/GunPoint_TEST.ts"]),
    _entry("italypower", "ItalyPowerDemand days", "rows", 24, "day",
           [[1, "Class 1", "Class 1"], [2, "Class 2", "Class 2"]], [1],
           "1,096 days of Italy's hourly electricity demand (24 values each); the two classes are "
           "the winter (Oct-Mar) and summer (Apr-Sep) halves of the year.",
           ["ItalyPowerDemand/ItalyPowerDemand_TRAIN.ts", "ItalyPowerDemand/ItalyPowerDemand_TEST.ts"]),
    _entry("arrowhead", "ArrowHead outlines", "rows", 251, "outline",
           [[0, "Class 0", "Class 0"], [1, "Class 1", "Class 1"], [2, "Class 2", "Class 2"]], [0],
           "211 arrowhead outlines as 251-sample angle series; three shape classes "
           "(Avonlea, Clovis and Mix in the archive's notes).",
           ["ArrowHead/ArrowHead_TRAIN.ts", "ArrowHead/ArrowHead_TEST.ts"]),
    _entry("osuleaf", "OSULeaf outlines", "rows", 427, "leaf",
           [[k, "Class %d" % k, "Class %d" % k] for k in range(1, 7)], [1],
           "442 leaf outlines as 427-sample series from six species (four maples, two oaks).",
           ["OSULeaf/OSULeaf_TRAIN.ts", "OSULeaf/OSULeaf_TEST.ts"]),
    _entry("bleeding", "InternalBleeding16 sensor log", "series", None, "window",
           [[0, "Normal", "Normal"], [1, "Anomaly", "Anomaly"]], [0],
           "7,501 readings of one physiological signal with one labelled anomalous stretch "
           "(UCR/KDD-Cup 2021 anomaly archive, no. 135); the first 1,200 are normal and train.",
           ["KDD-TSAD_135/135_UCR_Anomaly_InternalBleeding16_TRAIN.csv",
            "KDD-TSAD_135/135_UCR_Anomaly_InternalBleeding16_TEST.csv"]),
]

BY_KEY = {}
for _d in DATASETS:
    BY_KEY[_d["key"]] = _d

KEYS = [d["key"] for d in DATASETS]
DEFAULT = "ecg5000"
FILE = "file"  # not in the gallery: the user's own file (data/user_file.py)


def data_path(key):
    """Where the build puts a dataset's pack, relative to the site."""
    return "data/%s.bin" % key


def describe(key, length=None):
    """A gallery dataset's description (data/about.py); a series' windows are `length` long."""
    from data import about
    d = BY_KEY[key]
    return about.describe(d["title"].split(" ")[0], d["sample"], length or d["length"] or 2, d["classes"], d["normal"])


def title(key):
    return BY_KEY[key]["title"] if key in BY_KEY else "Your own file"


def is_series(config):
    """Whether the settings' dataset is one long series, cut into windows."""
    d = BY_KEY.get(config["dataset"])
    return config["file_format"] == "series" if d is None else d["kind"] == "series"


def width(config, file_rows_length=None):
    """How many values a sample of the settings' dataset has: what a model takes in and gives back
    (a file of rows: `file_rows_length`, which only the file says)."""
    if is_series(config):
        return config["window"]
    d = BY_KEY.get(config["dataset"])
    return file_rows_length if d is None else d["length"]

"""The samples an experiment works on: the loaded dataset as its settings shape it.

A long series is cut into windows (settings "window" and "stride", data/windows.py); the classes
taken as normal are the dataset's own unless the settings name others ("normal"). The browser's
engine and CPython both go through here (models/experiment.py), so they see the same samples.
"""
from data import about as about_mod
from data import gallery, windows

_last = {"series": None, "shape": None, "rows": None}  # the last windows cut, kept: cutting copies them all


def for_config(dataset, config):
    key = dataset.get("key")
    if key is not None and key != config["dataset"]:
        raise ValueError("these settings are for the dataset %s, but %s is loaded"
                         % (gallery.title(config["dataset"]), gallery.title(key)))
    if dataset.get("kind") == "series":
        shape = (config["window"], config["stride"])
        if _last["series"] is not dataset or _last["shape"] != shape:
            _last.update(series=dataset, shape=shape, rows=windows.cut(dataset, *shape))
        dataset = _last["rows"]
    if config["normal"]:
        dataset = dict(dataset, about=about_mod.with_normal(dataset["about"], config["normal"]))
    return dataset


def first_step(dataset, config, index):
    """Where test sample `index` (a row of for_config's "test_x") starts on its chart's time axis:
    a window of a long series at its own place in the series, any other sample at 0."""
    if dataset.get("kind") != "series":
        return 0
    return int(for_config(dataset, config)["test_start"][index])

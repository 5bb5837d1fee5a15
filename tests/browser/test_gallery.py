"""Issue 15, the gallery: a link or the dataset control picks one of the gallery's real datasets
(data/gallery.py); the model, the composer, the charts' classes and the texts follow it, the
introduction says it shows ECG5000, and CPython reproduces a gallery link's numbers."""
import json
import os
import subprocess
import sys

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import DIST, ROOT, open_in, wait_ready
from tests.browser.test_explorer import TRAIN_DONE, set_setting

from data import gallery, pack  # noqa: E402
from models import links, timeline  # noqa: E402
from models.experiment import Experiment  # noqa: E402

LINK = "dataset=gunpoint&encoder=16&latent=3&epochs=3&seed=5"


def packed(key):
    with open(os.path.join(DIST, gallery.data_path(key)), "rb") as f:  # the bytes the browser loads
        return pack.from_bytes(f.read())


def classes_shown(page):
    """The class of every row the histogram and the latent chart show."""
    rows = page.evaluate("window.charts.data('hist-chart', 'errors')") + page.evaluate(
        "window.charts.data('latent-chart', 'latent')")
    return {r["cls"] for r in rows}


def wait_shape(page, first, timeout=30_000):
    page.wait_for_function("(document.querySelector('#engine-model').dataset.shape || '').startsWith('%d-')"
                           " && document.querySelector('#train-view').dataset.epoch === '0'" % first,
                           timeout=timeout)
    page.wait_for_function(TRAIN_DONE)


def test_a_gallery_link_trains_on_its_dataset_and_cpython_gives_the_same_numbers(warm_profile, base_url):
    page, watch = open_in(warm_profile, base_url + "#" + LINK)
    wait_ready(page)
    assert page.text_content("#engine-status").startswith("Ready. GunPoint hand motion: 24 training and 150 test")
    wait_shape(page, 150)
    assert page.get_attribute("#engine-model", "data-shape") == "150-16-3-16-150"
    assert page.text_content("#shape-text") == "150-16-3-16-150"
    assert page.is_visible("#intro-dataset-note") and "GunPoint" in page.text_content("#intro-dataset-note")
    assert page.input_value("#set-dataset") == "gunpoint"
    page.click("#train")
    page.wait_for_function("+document.querySelector('#train-view').dataset.epoch === 3", timeout=60_000)
    page.wait_for_function(TRAIN_DONE)
    assert classes_shown(page) == {"Gun", "Point"}
    rows = page.evaluate("window.charts.data('loss-chart', 'losses')")
    browser_loss = [r["loss"] for r in sorted(rows, key=lambda r: (r["series"], r["epoch"]))]
    browser_auc = float(page.get_attribute("#tile-auc", "data-value"))
    exp = Experiment(links.decode(LINK)[0], packed("gunpoint"))
    results = []
    exp.fit(on_epoch=results.append)
    cpython = sorted([("train", r["epoch"], r["loss"]) for r in results] +
                     [("validation", r["epoch"], r["val_loss"]) for r in results])
    assert browser_loss == pytest.approx([c[2] for c in cpython], rel=1e-12)
    assert browser_auc == pytest.approx(exp.evaluate()["auc"], abs=1e-9)
    # and as a user would: `python -m models.train --url '<the link the page shows>'`
    link = page.input_value("#share-link")
    out = subprocess.run([sys.executable, "-m", "models.train", "--url", link, "--json"], cwd=ROOT,
                         env=dict(os.environ, OPENBLAS_NUM_THREADS="1"), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    assert [r["loss"] for r in lines[:-1]] == pytest.approx([r["loss"] for r in results], rel=1e-12)
    assert lines[-1]["auc"] == pytest.approx(browser_auc, abs=1e-9)
    watch.check()
    page.close()


def test_switching_datasets_ecg5000_gunpoint_sensor_log_and_back(warm_profile, base_url):
    page, watch = open_in(warm_profile, base_url + "#encoder=16,8&latent=3&epochs=2")
    wait_ready(page)
    page.wait_for_function("document.querySelector('#train-view').dataset.epoch === '0'", timeout=10_000)
    assert not page.is_visible("#intro-dataset-note")
    ecg = classes_shown(page)
    assert ecg <= {"Normal", "R-on-T PVC", "SV ectopic", "PVC", "Unclassified"} and len(ecg) >= 3
    for key, first, names in (("gunpoint", 150, {"Gun", "Point"}), ("file", 24, {"1", "2", "3"}),
                              ("bleeding", 64, {"Normal", "Anomaly"}), ("italypower", 24, {"Class 1", "Class 2"}),
                              ("ecg5000", 140, ecg)):
        if key == "file":  # your own file, from GunPoint
            page.set_input_files("#data-file", os.path.join(ROOT, "tests", "fixtures", "good_files", "ucr_labelled.csv"))
            page.wait_for_function("!document.querySelector('#data-preview').hidden")
            assert page.text_content("#data-summary").startswith("ucr_labelled.csv (")
            page.click("#data-use")
        else:
            set_setting(page, "dataset", key)
        wait_shape(page, first)
        assert page.is_hidden("#timeline-panel") == (key != "bleeding")
        assert page.text_content("#shape-text").startswith("%d-16-8-3-8-16-" % first)
        assert classes_shown(page) == names, key
        assert ("dataset=%s" % key in page.input_value("#share-link")) == (key != "ecg5000")
        assert page.is_visible("#intro-dataset-note") == (key != "ecg5000")
        page.click("#step")
        page.wait_for_function("document.querySelector('#train-view').dataset.epoch === '1'", timeout=60_000)
        page.wait_for_function(TRAIN_DONE)
        assert page.get_attribute("#tile-auc", "data-value") not in (None, "")
    # the sensor log's window follows the window setting
    set_setting(page, "dataset", "bleeding")
    wait_shape(page, 64)
    set_setting(page, "window", 32)
    page.click("#reset")
    wait_shape(page, 32)
    # a class chosen as normal: the composer and link follow, and a bad choice is named
    set_setting(page, "dataset", "gunpoint")
    wait_shape(page, 150)
    set_setting(page, "normal", "2")
    page.wait_for_function("document.querySelector('#share-link').value.includes('normal=2')")
    page.click("#reset")
    page.wait_for_function("document.querySelector('#engine-status').textContent.startsWith('Model rebuilt')")
    assert "Point" in page.text_content("#normal-classes")
    set_setting(page, "normal", "7")
    page.click("#reset")
    page.wait_for_function("document.querySelector('#engine-status').textContent.includes('class 7 is not one')")
    assert page.get_attribute("#engine-status", "class") == "error"
    watch.check()
    page.close()


def test_a_sensor_log_shows_where_in_the_series_its_windows_are_flagged_and_a_click_shows_one(warm_profile, base_url):
    page, watch = open_in(warm_profile, base_url + "#dataset=bleeding&window=32&stride=2&encoder=32,8&latent=4&epochs=5")
    wait_ready(page)
    assert not page.is_hidden("#timeline-panel")
    page.click("#train")
    page.wait_for_function("+document.querySelector('#train-view').dataset.epoch === 5", timeout=60_000)
    page.wait_for_function(TRAIN_DONE)
    note = page.text_content("#timeline-note")
    assert note.startswith("7,501 points, cut into windows of 32; the first 1,200 train.") and \
        note.endswith("Labelled anomalous: 4,187–4,198.")
    windows = page.evaluate("window.charts.data('timeline-errors', 'windows')")
    test = [w for w in windows if w["part"] == "test"]
    assert len(test) == timeline.MAX_POINTS // 2  # ~3,150 test windows, thinned for drawing (models/timeline.py)
    assert {w["part"] for w in windows} == {"training", "test"} and all(w["error"] > 0 for w in windows)
    assert page.evaluate("window.charts.data('timeline-chart', 'labelled')") == [{"t0": 4187, "t1": 4199}]
    flagged = page.evaluate("window.charts.data('timeline-chart', 'flagged')")
    # the slider at its highest threshold flags nothing; the note and stretches follow it
    page.fill("#thr-slider", page.get_attribute("#thr-slider", "max"))
    page.dispatch_event("#thr-slider", "input")
    page.wait_for_function("window.charts.data('timeline-chart', 'flagged').length < %d" % max(1, len(flagged)),
                           timeout=10_000)
    # a click on a test window's dot shows that window's reconstruction
    before = click_a_timeline_window(page)
    picked = int(page.get_attribute("#beat-info", "data-beat"))
    assert str(picked) != before and page.text_content("#beat-info").split(" ")[1] == "window"
    watch.check()
    page.close()


def click_a_timeline_window(page):
    """Clicks the timeline's error chart where test windows' dots lie, until one is picked; the
    sample shown before (the caller checks that another one is shown now)."""
    box = page.locator("#timeline-errors canvas").bounding_box()
    before = page.get_attribute("#beat-info", "data-beat")
    for fraction in (0.55, 0.6, 0.7):
        page.mouse.click(box["x"] + box["width"] * fraction, box["y"] + box["height"] * 0.55)
        try:  # the engine may be busy for a second or two (loading scikit-learn ahead, app/ui_compare.py)
            page.wait_for_function("document.querySelector('#beat-info').getAttribute('data-beat') !== %s" % json.dumps(before),
                                   timeout=5000)
            break
        except PlaywrightTimeout:  # no window's dot there: the next place
            pass
    return before

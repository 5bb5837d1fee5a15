"""Issue 18, part 2: where in a sample the error is. Under every reconstruction chart an error strip
(one cell per time step, sharing the chart's time axis) and a sentence naming the stretch that
carries the most of the error, checked against CPython on the same numbers: a heartbeat drawn with
a known spike in the introduction, a gallery beat, and a window of a long series in the training
view (numbered in series time)."""
import json
import os

import pytest

from tests.browser.conftest import DIST, open_in, wait_ready
from tests.browser.test_explorer import TRAIN_DONE
from tests.browser.test_gallery import packed

from app import drawing  # noqa: E402
from data import pack  # noqa: E402
from models import error_strip, links  # noqa: E402
from models.experiment import Experiment  # noqa: E402

SPIKE_AT = 98


def spiked_guide(guide):
    """The drawing pad's guide (an average normal beat, an SVG path "M0 20.1L2 19.8...") with a
    narrow spike to the pad's top at x = SPIKE_AT: a normal beat but for the spike."""
    points = [[float(v) for v in p.split()] for p in guide[1:].split("L")]
    return ([p for p in points if p[0] < SPIKE_AT - 3] + [[SPIKE_AT, 2.0]]
            + [p for p in points if p[0] > SPIKE_AT + 3])


def dist_json(path):
    with open(os.path.join(DIST, path)) as f:
        return json.load(f)


def strip(page, chart):
    """The chart's rows, the stretch it outlines, and its time axis's domain."""
    return (page.evaluate("(c) => window.charts.data(c, 'recon')", chart),
            page.evaluate("(c) => window.charts.data(c, 'stretch')", chart),
            page.evaluate("(c) => window.charts.domain(c, 'x')", chart))


def check_strip(rows, stretch, domain, errors, where, first_step):
    n = len(errors)
    assert [r["t"] for r in rows] == list(range(first_step, first_step + n))  # one cell per time step
    assert [r["error"] for r in rows] == pytest.approx([float("%.3g" % e) for e in errors], rel=2e-3, abs=1e-12)
    assert domain == [first_step, first_step + n - 1]  # the strip and the chart share this time axis
    if where["named"]:
        assert [(s["t0"], s["t1"]) for s in stretch] == [(where["first"], where["last"])]
    else:
        assert stretch == []


def test_a_drawn_spike_is_named_where_it_is_with_cpythons_stretch_and_share(warm_profile, base_url):
    page, watch = open_in(warm_profile, base_url)
    wait_ready(page)
    page.wait_for_function("document.querySelector('#intro').dataset.ready === '1'")
    # a gallery beat first: its sentence and strip were worked out by the build, in CPython
    gallery = dist_json("pretrained/gallery.json")
    beats = dist_json("pretrained/beats.json")
    page.locator("#gallery button.beat").nth(4).click()
    page.wait_for_function("document.querySelector('#intro-recon').dataset.beat === '%d'" % gallery["beats"][4]["i"])
    assert page.text_content("#intro-where") == gallery["beats"][4]["w"]
    rows, stretch, domain = strip(page, "intro-recon")
    assert [r["error"] for r in rows] == beats["signals"][4]["err"] and len(rows) == 140 and domain == [0, 139]
    assert stretch == beats["signals"][4]["stretch"]

    # a drawing whose values are known: the pad's points, resampled as the page does
    stroke = spiked_guide(gallery["guide"])
    page.locator("#pad").scroll_into_view_if_needed()
    page.evaluate("(points) => document.getElementById('pad').dispatchEvent("
                  "new CustomEvent('stroke', {detail: JSON.stringify(points)}))", stroke)
    page.wait_for_function("document.querySelector('#intro-recon').dataset.beat === 'drawn'", timeout=20_000)
    lo, hi = gallery["raw_range"]
    width, height = gallery["spark"]
    values = drawing.resample(stroke, lo, hi, gallery["about"]["length"], width, height)
    with open(os.path.join(DIST, "data", "ecg5000.bin"), "rb") as f:
        data = pack.from_bytes(f.read())
    with open(os.path.join(DIST, "pretrained", "model.json")) as f:
        model = Experiment.from_json(f.read(), data)
    errors = model.reconstruct_signal(values)["per_step"]
    where = error_strip.describe(errors, "heartbeat")
    # the spike carries most of the error: the sentence names it, a few steps wide, as CPython does
    assert where["named"] and where["first"] <= SPIKE_AT <= where["last"] <= where["first"] + 3
    assert where["share"] >= 0.5
    said = page.text_content("#intro-where")
    assert said == where["text"], (said, where)
    assert said == "Timesteps %d–%d carry %d%% of this heartbeat's error." % (
        where["first"], where["last"], int(where["share"] * 100 + 1e-9))
    check_strip(*strip(page, "intro-recon"), errors, where, 0)
    watch.check()
    page.close()


def test_a_windows_strip_and_sentence_are_in_series_time(warm_profile, base_url):
    link = "dataset=bleeding&window=32&stride=2&encoder=32,8&latent=4&epochs=5"
    page, watch = open_in(warm_profile, base_url + "#" + link)
    wait_ready(page)
    page.wait_for_function("document.querySelector('#train-view').dataset.epoch === '0'", timeout=30_000)
    page.wait_for_function(TRAIN_DONE)
    # the model as built (epoch 0), in CPython: the same link gives the same weights
    exp = Experiment(links.decode(link)[0], packed("bleeding"))
    from data import samples
    starts = samples.for_config(packed("bleeding"), exp.config)["test_start"][exp.split["test"]]
    for i in (0, 1700):  # the first test window, and one deep in the series
        page.fill("#beat-index", str(i))
        page.dispatch_event("#beat-index", "change")
        page.wait_for_function("document.querySelector('#beat-info').dataset.beat === '%d'" % i, timeout=20_000)
        start = int(starts[i])
        errors = exp.reconstruct(i)["per_step"]
        where = error_strip.describe(errors, "window", start)
        page.wait_for_function("(t) => (window.charts.data('recon-chart', 'recon') || [{}])[0].t === t", arg=start)
        assert page.text_content("#beat-where") == where["text"]
        assert "window" in where["text"] and start > 0
        check_strip(*strip(page, "recon-chart"), errors, where, start)
        if where["named"]:
            assert "%s–%s" % ("{:,}".format(where["first"]), "{:,}".format(where["last"])) in where["text"] \
                or "Timestep %s " % "{:,}".format(where["first"]) in where["text"]
            assert start <= where["first"] <= where["last"] < start + 32
    watch.check()
    page.close()

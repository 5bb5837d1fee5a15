"""Issue 18, linked views: a histogram bin, a confusion-matrix cell, an ROC point or a box brushed in
the latent scatter filters the training view's gallery to exactly the samples CPython's experiment
(the same link, the same epochs) puts there; Clear and Escape show every sample again; a selection
that matches nothing says so; hovering a sample highlights it in the histogram, the latent scatter
and the timeline. The charts are clicked and dragged with real mouse events at their marks'
positions (Vega's scenegraph says where they are)."""
import math

import pytest

from tests.browser.test_compare import dataset
from tests.browser.test_resilience import step
from tests.browser.test_explorer import TRAIN_DONE
from tests.browser.conftest import open_in, wait_ready

from models import links  # noqa: E402
from models.experiment import Experiment  # noqa: E402

LINK = "encoder=16,8&latent=3&train_size=800&epochs=2"
# The marks of chart `id` whose datum passes `test` (a JavaScript expression of d), each with its
# centre in page coordinates; lines are left out (each of a line's items has the whole line's bounds).
MARKS = """([id, test]) => {
  const view = window.charts.view(id);
  document.getElementById(id).scrollIntoView({block: 'center'});  // clear of the sticky header
  const canvas = document.querySelector('#' + id + ' canvas').getBoundingClientRect();
  const [ox, oy] = [view.origin()[0] + view.padding().left, view.origin()[1] + view.padding().top];
  const keep = new Function('d', 'return ' + test);
  const out = [];
  const walk = (mark, dx, dy) => {
    for (const item of mark.items || []) {
      if (mark.marktype === 'group') {
        for (const m of item.items || []) walk(m, dx + (item.x || 0), dy + (item.y || 0));
      } else if (item.datum && !item.datum.mark && mark.role === 'mark' && mark.marktype !== 'line' && keep(item.datum)) {
        const b = item.bounds;
        const [cx, cy] = mark.marktype === 'symbol' ? [item.x, item.y] : [(b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2];
        out.push({x: canvas.left + ox + dx + cx, y: canvas.top + oy + dy + cy, datum: JSON.parse(JSON.stringify(item.datum)),
                  size: item.size, stroke: item.stroke || null, strokeWidth: item.strokeWidth || 0});
      }
    }
  };
  walk(view.scenegraph().root, 0, 0);
  return out;
}"""
# The plotting area of chart `id`, in page coordinates: [left, top, right, bottom].
PLOT = """(id) => {
  const view = window.charts.view(id);
  const canvas = document.querySelector('#' + id + ' canvas').getBoundingClientRect();
  const root = view.scenegraph().root.items[0];
  const [x, y] = [canvas.left + view.origin()[0] + view.padding().left + (root.x || 0), canvas.top + view.origin()[1] + view.padding().top + (root.y || 0)];
  return [x, y, x + view.width(), y + view.height()];
}"""
SELECTED = "document.querySelector('#train-gallery').dataset.kind === '%s'"


@pytest.fixture(scope="module")
def trained(warm_profile, base_url):
    """A page of LINK trained one epoch, and CPython's experiment of the same link and epoch."""
    page, watch = open_in(warm_profile, base_url + "#" + LINK)
    wait_ready(page)
    step(page)
    # the gallery follows the model once it has been drawn: the stepped epoch's samples
    page.wait_for_function("document.querySelector('#train-gallery').dataset.count === '500' && "
                           "document.querySelector('#train-gallery').dataset.epoch === '1'")
    exp = Experiment(links.decode(LINK)[0], dataset())
    exp.train_epoch()
    yield page, watch, exp
    page.close()


def shown(page):
    """(how many the gallery says it holds, all their indices, the tiles' indices)"""
    g = page.query_selector("#train-gallery")
    indices = [int(i) for i in g.get_attribute("data-indices").split(",") if i]
    tiles = [int(t.get_attribute("data-i")) for t in page.query_selector_all("#train-gallery button.sample")]
    return int(g.get_attribute("data-count")), indices, tiles


def expect(page, kind, expected):
    page.wait_for_function(SELECTED % kind)
    page.wait_for_timeout(300)  # a later reply (a brush still moving) would replace it: none comes
    count, indices, tiles = shown(page)
    assert indices == expected
    assert count == len(expected)
    assert tiles == expected[:60]
    return page.text_content("#sel-status")


def signal(page, chart, name):
    return page.evaluate("([c, n]) => window.charts.view(c).signal(n)", [chart, name])


def clear_all(page):
    if page.get_attribute("#train-gallery", "data-kind") != "all":
        page.click("#sel-clear")
        page.wait_for_function(SELECTED % "all")


def brush(page, box):
    """Drag the mouse across the latent scatter from one corner of `box` to the other."""
    (x0, y0), (x1, y1) = box
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=4)
    page.mouse.move(x1, y1, steps=4)
    page.mouse.up()


def test_each_selection_filters_the_gallery_to_the_samples_cpython_picks(trained):
    page, watch, exp = trained
    errors = exp.test_errors()
    threshold, _ = exp.choose_threshold(errors)
    anomaly = exp.y_test
    # the gallery's errors are the engine's, and the same as CPython's
    for t in page.query_selector_all("#train-gallery button.sample")[:20]:
        assert float(t.get_attribute("data-e")) == pytest.approx(errors[int(t.get_attribute("data-i"))], rel=1e-12)

    # a histogram bin, clicked: the samples whose log10 error lies in it, as many as Vega's bar counts
    bars = page.evaluate(MARKS, ["hist-chart", "d.lo !== undefined"])
    bar = max(bars, key=lambda b: b["datum"]["__count_end"])
    page.mouse.click(bar["x"], bar["y"])
    picked = signal(page, "hist-chart", "bin")
    lo, hi = picked["lo"][0], picked["hi"][0]
    assert (lo, hi) == (bar["datum"]["lo"], bar["datum"]["hi"])
    expected = [i for i, e in enumerate(errors) if lo <= math.log(max(e, 1e-9)) / math.log(10) < hi]
    in_bin = sum(b["datum"]["__count"] for b in bars if b["datum"]["lo"] == lo)
    assert len(expected) == in_bin > 0
    status = expect(page, "errors", expected)
    assert status.startswith("%d of 500 test samples: errors %.3g–%.3g" % (in_bin, 10 ** lo, 10 ** hi))
    page.click("#sel-clear")
    expect(page, "all", list(range(500)))
    assert signal(page, "hist-chart", "bin") == {}  # the chart's selection is emptied too

    # each cell of the confusion matrix, at the threshold
    for cell, flagged, truly in (("tp", True, 1), ("fp", True, 0), ("tn", False, 0), ("fn", False, 1)):
        page.click("#cm-" + cell)
        expected = [i for i, e in enumerate(errors) if (e > threshold) == flagged and anomaly[i] == truly]
        expect(page, "cell", expected)
        assert int(page.text_content("#cm-" + cell)) == len(expected)
        assert page.get_attribute("#cm-" + cell, "aria-pressed") == "true"
    page.keyboard.press("Escape")
    expect(page, "all", list(range(500)))
    assert page.get_attribute("#cm-fn", "aria-pressed") == "false"

    # a point of the ROC curve: the samples flagged at its threshold, as many as its rates say
    points = page.evaluate(MARKS, ["roc-chart", "d.threshold !== undefined"])
    aim = [p for p in points if 0.1 < p["datum"]["fpr"] < 0.5][0]
    page.mouse.click(aim["x"], aim["y"])
    page.wait_for_function(SELECTED % "roc")
    t = signal(page, "roc-chart", "rocpick")["threshold"][0]  # Vega's pick: the point nearest the click
    point = [p["datum"] for p in points if p["datum"]["threshold"] == t][0]
    # CPython's same point, at its own threshold (one of its errors: the browser's may be 1e-16 off)
    ev = exp.evaluate()
    k = ev["roc"].index([pytest.approx(point["fpr"], abs=1e-12), pytest.approx(point["tpr"], abs=1e-12)])
    assert ev["roc_thresholds"][k] == pytest.approx(t, rel=1e-12)
    expected = [i for i, e in enumerate(errors) if e >= ev["roc_thresholds"][k]]
    assert len(expected) == round(point["fpr"] * (500 - anomaly.sum()) + point["tpr"] * anomaly.sum())
    expect(page, "roc", expected)

    # a box brushed in the latent scatter (it replaces the ROC pick): the samples inside it
    dots = page.evaluate(MARKS, ["latent-chart", "d.i !== undefined"])
    xs, ys = sorted(d["x"] for d in dots), sorted(d["y"] for d in dots)
    brush(page, ((xs[100], ys[100]), (xs[350], ys[350])))
    page.wait_for_function(SELECTED % "latent")
    box = signal(page, "latent-chart", "brush")
    (x0, x1), (y0, y1) = sorted(box["x"]), sorted(box["y"])
    latent = exp.latent()["points"]
    expected = [i for i, (x, y) in enumerate(latent) if x0 <= x <= x1 and y0 <= y <= y1]
    assert 0 < len(expected) < 500
    assert expect(page, "latent", expected).startswith("%d of 500 test samples: latent box" % len(expected))
    assert signal(page, "roc-chart", "rocpick") == {}
    page.keyboard.press("Escape")
    expect(page, "all", list(range(500)))
    assert signal(page, "latent-chart", "brush") == {}
    # a sample clicked in the gallery is the one the reconstruction shows
    page.click("#train-gallery button.sample[data-i='7']")
    page.wait_for_function("document.querySelector('#beat-info').dataset.beat === '7'")
    watch.check()


def test_a_selection_that_matches_nothing_says_so(trained):
    page, watch, exp = trained
    clear_all(page)
    # the ROC curve's start, where nothing is flagged
    points = page.evaluate(MARKS, ["roc-chart", "d.threshold === null"])
    page.mouse.click(points[0]["x"], points[0]["y"])
    assert expect(page, "roc", []).startswith("No test sample matches: the ROC curve's start")
    assert page.query_selector_all("#train-gallery button.sample") == []
    assert page.is_visible("#sel-clear")
    # a box with no sample in it, in the latent scatter
    dots = page.evaluate(MARKS, ["latent-chart", "d.i !== undefined"])
    left, top, right, bottom = page.evaluate(PLOT, "latent-chart")
    # a corner of the plot with no point within 20 px
    corner = [(x, y) for x, y in ((left + 2, top + 2), (right - 22, top + 2), (left + 2, bottom - 22), (right - 22, bottom - 22))
              if not [d for d in dots if x - 4 <= d["x"] <= x + 24 and y - 4 <= d["y"] <= y + 24]][0]
    brush(page, (corner, (corner[0] + 20, corner[1] + 20)))
    page.wait_for_function(SELECTED % "latent")
    box = signal(page, "latent-chart", "brush")
    (x0, x1), (y0, y1) = sorted(box["x"]), sorted(box["y"])
    assert not [p for p in exp.latent()["points"] if x0 <= p[0] <= x1 and y0 <= p[1] <= y1]
    assert expect(page, "latent", []).startswith("No test sample matches: latent box")
    page.click("#sel-clear")
    expect(page, "all", list(range(500)))
    watch.check()


def test_hovering_a_sample_highlights_it_in_the_histogram_and_the_latent_scatter(trained):
    page, watch, exp = trained
    clear_all(page)
    errors = exp.test_errors()
    page.locator("#train-gallery button.sample[data-i='12']").hover()
    page.wait_for_function("window.charts.view('latent-chart').signal('hoverSample') === 12")
    assert signal(page, "hist-chart", "hoverSample") == 12
    assert signal(page, "hist-chart", "hoverError") == pytest.approx(errors[12], rel=1e-12)
    # drawn so: its point large and outlined, its bin (every class's bar in it) outlined
    dot = page.evaluate(MARKS, ["latent-chart", "d.i === 12"])[0]
    assert dot["size"] == 160 and dot["stroke"] == "#000000"
    others = page.evaluate(MARKS, ["latent-chart", "d.i !== undefined && d.i !== 12"])
    assert {d["size"] for d in others} == {28}
    log_e = math.log(max(errors[12], 1e-9)) / math.log(10)
    bars = page.evaluate(MARKS, ["hist-chart", "d.lo !== undefined"])
    assert {b["strokeWidth"] for b in bars if b["datum"]["lo"] <= log_e < b["datum"]["hi"]} == {2.5}
    assert {b["strokeWidth"] for b in bars if not b["datum"]["lo"] <= log_e < b["datum"]["hi"]} == {0}
    # leaving the gallery: nothing highlighted
    page.mouse.move(5, 5)
    page.wait_for_function("window.charts.view('latent-chart').signal('hoverSample') === -1")
    # a point of the latent scatter under the pointer: its tile and its bin
    dot = page.evaluate(MARKS, ["latent-chart", "d.i === 30"])[0]
    page.mouse.move(dot["x"], dot["y"])
    page.wait_for_function("window.charts.view('hist-chart').signal('hoverSample') === 30")
    assert signal(page, "hist-chart", "hoverError") == pytest.approx(errors[30], rel=1e-12)
    assert page.get_attribute("#train-gallery button.sample[data-i='30']", "class").split() == ["sample", "hovered"] \
        or "hovered" in page.get_attribute("#train-gallery button.sample[data-i='30']", "class")
    watch.check()


def test_hovering_a_window_highlights_it_on_the_timeline(warm_profile, base_url):
    page, watch = open_in(warm_profile, base_url + "#dataset=bleeding&window=32&stride=8&encoder=16&latent=2&epochs=1")
    wait_ready(page)
    step(page)
    # the gallery of the model stepped to epoch 1 (one drawn before it is drawn again, its tiles replaced)
    page.wait_for_function("+document.querySelector('#train-gallery').dataset.count > 0 && "
                           "document.querySelector('#train-gallery').dataset.epoch === '1'")
    tile = page.query_selector_all("#train-gallery button.sample")[5]
    i = int(tile.get_attribute("data-i"))
    tile.hover()
    page.wait_for_function("window.charts.view('timeline-errors').signal('hoverSample') === %d" % i)
    dots = page.evaluate(MARKS, ["timeline-errors", "d.i === %d" % i])
    assert [d["stroke"] for d in dots] == ["#000000"] and dots[0]["size"] == 90
    watch.check()
    page.close()


def test_show_more_adds_the_next_page_of_the_selection(trained):
    page, watch, exp = trained
    clear_all(page)
    assert shown(page)[2] == list(range(60))
    assert page.text_content("#sel-more") == "Show more (60 of 500 shown)"
    page.click("#sel-more")
    page.wait_for_function("document.querySelectorAll('#train-gallery button.sample').length === 120")
    assert shown(page)[2] == list(range(120))
    assert page.text_content("#sel-more") == "Show more (120 of 500 shown)"
    watch.check()


def test_a_selection_follows_the_model_once_a_run_of_epochs_ends(trained):
    """(Last: it trains the shared page and experiment on.) A cell picked, then Train: once the run
    stops, the gallery holds that cell's samples under the model trained on."""
    page, watch, exp = trained
    page.click("#cm-fp")
    page.wait_for_function(SELECTED % "cell")
    page.click("#train")
    # the run Step began (epochs=2) ends at epoch 2
    page.wait_for_function("+document.querySelector('#train-view').dataset.epoch === 2", timeout=60_000)
    page.wait_for_function(TRAIN_DONE)
    exp.train_epoch()
    errors = exp.test_errors()
    threshold, _ = exp.choose_threshold(errors)
    expected = [i for i, e in enumerate(errors) if e > threshold and exp.y_test[i] == 0]
    page.wait_for_function("document.querySelector('#train-gallery').dataset.count === '%d'" % len(expected))
    expect(page, "cell", expected)
    assert int(page.text_content("#cm-fp")) == len(expected)
    watch.check()

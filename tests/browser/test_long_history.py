"""Issue 19: big payloads stay off the UI thread. A model file whose history has 30,000 epochs loads
without a main-thread task of 50 ms (the engine thins the loss curve and the rows go to the chart
unparsed by MicroPython, which took 16 s over such a history), the loss chart draws the thinned
curve with its first and last epochs and its spike, and training on appends epoch 30,001."""
import json

from builder import bench
from models import thinning
from tests.browser.conftest import open_in, wait_ready
from tests.browser.test_explorer import epoch, wait_idle
from tests.browser.test_resilience import saved_model, step

LONG_TASK_MS = 50
# Two cores shared with other test runs: a task the scheduler preempts can outlast 50 ms whatever the
# page does, so the load is timed up to three times and one clean load passes (the untouched
# reply's parsing took seconds, every time).
ATTEMPTS = 3


def losses(page, series):
    return {r["epoch"]: r["loss"] for r in page.evaluate("window.charts.data('loss-chart', 'losses')")
            if r["series"] == series}


def test_a_long_history_loads_in_short_tasks_draws_thinned_and_trains_on(warm_profile, base_url):
    page, watch = open_in(warm_profile, base_url)
    wait_ready(page)
    n = bench.LONG_HISTORY
    doc = bench.with_history(saved_model(page), n)
    text = json.dumps(doc)
    longest = []
    for attempt in range(ATTEMPTS):
        name = "long-history-%d.json" % attempt
        status, ms = bench.load_model_file(page, name, text)
        assert status.startswith("Loaded %s: a " % name) and "trained 30,000 epochs" in status, status
        assert "30,000 epochs, drawn from %d points per series" % thinning.MAX_POINTS in status, status
        longest.append(ms)
        page.wait_for_function("document.querySelector('#intro').dataset.model === 'loaded'")
        wait_idle(page)
        if ms < LONG_TASK_MS:
            break
    print("\nloading a %d-epoch history (%.1f MB): longest main-thread task %s ms"
          % (n, len(text) / 1e6, ", ".join("%.0f" % ms for ms in longest)))
    assert min(longest) < LONG_TASK_MS, longest
    assert epoch(page) == n
    history = doc["history"]
    spike = max(history, key=lambda h: h["loss"])
    for series, key in (("train", "loss"), ("validation", "val_loss")):
        drawn = losses(page, series)
        assert len(drawn) <= thinning.MAX_POINTS and min(drawn) == 1 and max(drawn) == n
        assert all(drawn[e] == history[e - 1][key] for e in drawn)  # real epochs, real losses
    assert losses(page, "train")[spike["epoch"]] == spike["loss"]  # the spike is not smoothed away
    rows = len(page.evaluate("window.charts.data('loss-chart', 'losses')"))
    step(page)
    assert epoch(page) == n + 1
    assert n + 1 in losses(page, "train") and n + 1 in losses(page, "validation")
    assert len(page.evaluate("window.charts.data('loss-chart', 'losses')")) == rows + 2
    watch.check()
    page.close()

"""Benchmark row for the run history (issue 18), measured in Chromium against dist/:

    python build.py bench --only history      (also part of the full run)

A history of 1,000 runs (records of the app's own shape, app/history_record.py, each with 100 epochs
of train and validation loss and a 200-point ROC curve) is written into IndexedDB; the page is
reloaded (a returning visitor) and, once Ready and idle, the history panel is opened: the longest
main-thread task from the click until every run is read and checked, the table's first rows are
shown and the chart of a setting against AUC is drawn (budget 50 ms), and how long that took.
"""
import json
import random
import statistics

from builder import bench

RUNS = 3
N = 1000
BUDGETS = {"history_longtask_ms": 50.0}

SEED = """async ([records, curves]) => {
    const db = await new Promise((resolve, reject) => {
        const q = indexedDB.open('anomaly-explorer', 1);
        q.onupgradeneeded = () => { q.result.createObjectStore('runs', {keyPath: 'id', autoIncrement: true});
                                    q.result.createObjectStore('curves'); };
        q.onsuccess = () => resolve(q.result);
        q.onerror = () => reject(q.error);
    });
    await new Promise((resolve, reject) => {
        const tx = db.transaction(['runs', 'curves'], 'readwrite');
        records.forEach((r, k) => { tx.objectStore('runs').put(r); tx.objectStore('curves').put(curves[k], r.id); });
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
    });
    db.close();
    return records.length;
}"""
OPEN = """() => {
    const w = window.__history = {tasks: [], start: performance.now(), done: null};
    w.watch = new PerformanceObserver((l) => { for (const e of l.getEntries()) w.tasks.push(e.duration); });
    w.watch.observe({type: 'longtask', buffered: false});
    document.querySelector('#history-summary').click();
}"""
DONE = ("document.querySelector('#history-summary').textContent.startsWith('Show the %d runs')"
        " && document.querySelectorAll('#history-rows tr').length === 50"
        " && (window.charts.data('history-setting-chart', 'points') || []).length === 200"
        " && (window.__history.done = window.__history.done || performance.now())") % N
TIMES = """() => {
    const w = window.__history;
    w.watch.disconnect();
    return {s: (w.done - w.start) / 1000, longest: Math.max(0, ...w.tasks)};
}"""


def records(n=N, seed=1):
    """n records as the app writes them, with their curves."""
    from app import history_record as hr
    from models import links, settings
    rng = random.Random(seed)
    runs, curves = [], []
    for k in range(n):
        config = settings.defaults()
        config["learning_rate"] = rng.choice([0.001, 0.003, 0.01, 0.03])
        config["batch_size"] = rng.choice([32, 64, 256])
        auc = 0.85 + 0.14 * rng.random()
        r = hr.make_record(config, links.encode(config), {"sizes": [140, 15, 7, 2, 7, 15, 140], "params": 4725},
                           {"auc": auc, "threshold": 0.01, "threshold_rule": "percentile",
                            "metrics": {m: rng.random() for m in hr.METRICS}}, "finished", 100,
                           1000 + 9000 * rng.random(), "2026-11-%02dT12:00:00.000Z" % (1 + k % 28), "ECG5000 heartbeats",
                           0.01, 0.011, {"k-nearest neighbours": 0.97})
        r["id"] = k + 1
        runs.append(r)
        loss = [[e, 0.05 / (1 + e / 10)] for e in range(1, 101)]
        curves.append({"losses": {"train": loss, "validation": loss},
                       "roc": [[i / 199, min(1.0, (i / 199) ** 0.2)] for i in range(200)]})
    return runs, curves


def open_once(browser, url, data):
    ctx, page = bench.ready_page(browser, url)
    try:
        page.evaluate(SEED, data)
        page.reload()
        page.wait_for_function(bench.READY_JS, polling=100, timeout=120_000)
        page.wait_for_function(bench.TRAIN_DONE, polling=100, timeout=60_000)
        page.wait_for_timeout(1000)
        page.evaluate(OPEN)
        page.wait_for_function(DONE, polling=100, timeout=120_000)
        return page.evaluate(TIMES)
    finally:
        ctx.close()


def history_metrics(browser, url):
    data = list(records())
    json.dumps(data)  # what Playwright sends: plain JSON
    return {"runs": [open_once(browser, url, data) for _ in range(RUNS)]}


def figures(h):
    if not h:
        return {}
    return {"history_open_s": statistics.median(r["s"] for r in h["runs"]),
            "history_longtask_ms": max(r["longest"] for r in h["runs"])}


def report(h):
    """docs/bench.md's section on the run history."""
    f = figures(h)
    if not f:
        return ""
    verdict = ("meets" if f["history_longtask_ms"] <= BUDGETS["history_longtask_ms"] else "MISSES") + " ≤ 50"
    rows = [("figure", "value", "budget"),
            ("opening the history panel with %s runs: click to every run read and checked, the table's first "
             "50 rows and the chart of a setting against AUC (its newest 200 runs) shown (s; median)" % format(N, ","),
             "%.2f" % f["history_open_s"], ""),
            ("longest main-thread task meanwhile (ms; the most of %d pages)" % RUNS,
             "%.0f" % f["history_longtask_ms"], verdict)]
    return ("\n## Run history (issue 18)\n\n`python build.py bench --only history` (also part of the full run): "
            "%s records of the app's shape (100 epochs of losses and a 200-point ROC curve each) written into "
            "IndexedDB, the page reloaded, Ready and idle, then the panel opened; %d fresh profiles.\n\n"
            % (format(N, ","), RUNS) + bench.md_table(rows) + "\n")

"""Issue 18, run history: every Train run that reaches its end is recorded in IndexedDB and survives a
reload; two chosen runs are overlaid (both runs' loss and ROC rows in the charts); Restore brings a
run's settings back; delete, clear, CSV and JSON exports; a quota error and a missing IndexedDB are
said and training goes on; a corrupted or foreign record is skipped and reported; hide=history
hides the panel."""
import csv
import json

from tests.browser.conftest import open_in, open_page, wait_ready
from tests.browser.test_explorer import TRAIN_DONE, set_setting

SMALL = "encoder=16,8&latent=3&train_size=400&epochs=3&batch_size=64"
RECORDED = "document.querySelector('#history-status').textContent.startsWith('Run %d recorded')"


def ready(page):
    wait_ready(page)
    page.wait_for_function("document.querySelector('#train-view').dataset.epoch !== undefined", timeout=10_000)


def train(page, recorded=None):
    """Press Train and wait for the run's end (and, if given, its record `recorded`)."""
    page.click("#train")
    page.wait_for_function("document.querySelector('#train').textContent === 'Pause'", timeout=30_000)
    page.wait_for_function(TRAIN_DONE, timeout=120_000)
    if recorded:
        page.wait_for_function(RECORDED % recorded, timeout=10_000)


def open_panel(page, runs):
    page.click("#history-summary")
    page.wait_for_function("document.querySelectorAll('#history-rows tr').length === %d" % runs, timeout=20_000)


def stored(page):
    """What IndexedDB holds, read by the test itself: {id: record}."""
    return {r["id"]: r for r in page.evaluate("""() => new Promise((resolve, reject) => {
        const q = indexedDB.open('anomaly-explorer');
        q.onsuccess = () => { const g = q.result.transaction('runs').objectStore('runs').getAll();
                              g.onsuccess = () => resolve(g.result); g.onerror = reject; };
        q.onerror = reject; })""")}


def table_ids(page):
    return [int(t.get_attribute("data-id")) for t in page.query_selector_all("#history-rows tr")]


def test_runs_are_recorded_and_survive_a_reload_and_two_are_overlaid(browser, base_url):
    page, watch = open_page(browser, base_url + "#" + SMALL)
    ready(page)
    train(page, 1)
    set_setting(page, "learning_rate", "0.002")
    train(page, 2)
    auc_now = float(page.get_attribute("#tile-auc", "data-value"))
    runs = stored(page)
    assert sorted(runs) == [1, 2]
    r = runs[2]
    assert r["epochs"] == 3 and r["status"] == "finished" and r["settings"]["learning_rate"] == 0.002
    assert abs(r["auc"] - auc_now) < 1e-9
    assert "learning_rate=0.002" in r["link"] and r["architecture"].startswith("140-16-8-3-8-16-")
    assert r["wall_ms"] > 0 and r["metrics"]["f1"] is not None and r["loss"] > 0
    # a reload: the history is still there, newest first
    page.reload()
    ready(page)
    assert "2 runs" in page.text_content("#history-summary")
    open_panel(page, 2)
    assert table_ids(page) == [2, 1]
    first = page.text_content("#history-rows tr:first-child")
    assert "ECG5000" in first and "3" in first and ("%.4f" % auc_now) in first
    # the setting that varies is offered against AUC
    assert page.eval_on_selector("#history-setting-key", "s => [...s.options].map(o => o.value)") == ["learning_rate"]
    page.wait_for_function("(window.charts.data('history-setting-chart', 'points') || []).length === 2")
    # overlay both
    page.check("#history-rows input[data-id='1']")
    page.check("#history-rows input[data-id='2']")
    page.wait_for_function("document.querySelector('#history-overlay').dataset.runs === '1,2'", timeout=10_000)
    page.wait_for_function("(window.charts.data('history-loss', 'losses') || []).length > 0")
    losses = page.evaluate("window.charts.data('history-loss', 'losses')")
    roc = page.evaluate("window.charts.data('history-roc', 'roc')")
    labels = {row["run"] for row in losses}
    assert len(labels) == 2 and all(label.startswith(("Run 1 ", "Run 2 ")) for label in labels)
    for label in labels:  # each run: train and validation losses for its 3 epochs, and a ROC curve
        assert sorted(row["epoch"] for row in losses if row["run"] == label and row["series"] == "train") == [1, 2, 3]
        assert sorted(row["epoch"] for row in losses if row["run"] == label and row["series"] == "validation") == [1, 2, 3]
        assert len([row for row in roc if row["run"] == label]) > 2
    assert {row["run"] for row in roc} == labels
    watch.check()
    page.context.close()


def test_restore_delete_export_and_clear(browser, base_url):
    page, watch = open_page(browser, base_url + "#" + SMALL + "&seed=7")
    ready(page)
    train(page, 1)
    set_setting(page, "optimizer", "rmsprop")
    set_setting(page, "epochs", "2")
    train(page, 2)
    open_panel(page, 2)
    # restore run 1: its settings come back into the controls and the link
    page.click("#history-rows tr[data-id='1'] button[data-act='restore']")
    page.wait_for_function("document.querySelector('#set-optimizer').value === 'adam'", timeout=10_000)
    assert page.input_value("#set-epochs") == "3" and page.input_value("#set-seed") == "7"
    assert "Restored the settings of run 1" in page.text_content("#history-status")
    assert "optimizer" not in page.evaluate("location.hash") and "seed=7" in page.evaluate("location.hash")
    # CSV export
    with page.expect_download() as download:
        page.click("#history-csv")
    assert download.value.suggested_filename.startswith("anomaly-explorer-history-20")
    assert download.value.suggested_filename.endswith(".csv")
    with open(download.value.path(), newline="") as f:
        table = list(csv.DictReader(f))
    assert [row["id"] for row in table] == ["2", "1"]
    assert table[0]["setting:optimizer"] == "rmsprop" and table[1]["setting:optimizer"] == "adam"
    assert table[0]["epochs"] == "2" and table[1]["epochs"] == "3" and float(table[1]["auc"]) > 0.5
    # JSON export: every run with its curves
    with page.expect_download() as download:
        page.click("#history-json")
    assert download.value.suggested_filename.endswith(".json")
    with open(download.value.path()) as f:
        doc = json.load(f)
    assert doc["format"] == "anomaly-explorer-history" and [r["id"] for r in doc["runs"]] == [1, 2]
    assert len(doc["runs"][0]["curves"]["losses"]["train"]) == 3 and len(doc["runs"][1]["curves"]["losses"]["train"]) == 2
    assert len(doc["runs"][0]["curves"]["roc"]) > 2
    # delete run 1
    page.click("#history-rows tr[data-id='1'] button[data-act='delete']")
    page.wait_for_function("document.querySelectorAll('#history-rows tr').length === 1")
    assert sorted(stored(page)) == [2]
    # clear all: a dismissed confirm keeps everything, an accepted one clears
    page.once("dialog", lambda d: d.dismiss())
    page.click("#history-clear")
    page.wait_for_timeout(300)
    assert sorted(stored(page)) == [2]
    page.once("dialog", lambda d: d.accept())
    page.click("#history-clear")
    page.wait_for_function("document.querySelector('#history-status').textContent === 'The history is cleared.'")
    assert stored(page) == {} and table_ids(page) == []
    watch.check()
    page.context.close()


QUOTA = """(() => {
    const put = IDBObjectStore.prototype.put;
    window.__quota = true;
    IDBObjectStore.prototype.put = function (...args) {
        if (window.__quota) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.apply(this, args);
    };
})()"""


def test_a_full_quota_is_said_training_goes_on_and_the_run_is_recorded_later(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(QUOTA)
    page, watch = open_in(context, base_url + "#" + SMALL)
    ready(page)
    train(page)
    page.wait_for_function("document.querySelector('#history-status').className.includes('error')", timeout=10_000)
    status = page.text_content("#history-status")
    assert "was not recorded" in status and "storage for the page is full" in status and "QuotaExceededError" in status
    assert page.is_visible("#history-retry")
    assert stored(page) == {}
    # training goes on: another run trains to its end
    assert int(page.get_attribute("#train-view", "data-epoch")) == 3
    train(page)
    assert int(page.get_attribute("#train-view", "data-epoch")) == 6
    # room again: the run kept in the page is recorded
    page.evaluate("window.__quota = false")
    page.click("#history-retry")
    page.wait_for_function(RECORDED % 1, timeout=10_000)
    assert list(stored(page)) == [1] and stored(page)[1]["epochs"] == 6
    assert page.is_hidden("#history-retry")
    watch.check()
    context.close()


NO_INDEXEDDB = """Object.defineProperty(window, 'indexedDB', {value: undefined, configurable: true});
window.__rejections = [];
window.addEventListener('unhandledrejection', (e) => window.__rejections.push(String(e.reason && e.reason.stack)));"""


def test_no_indexeddb_is_said_and_training_goes_on(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(NO_INDEXEDDB)
    page, watch = open_in(context, base_url + "#" + SMALL)
    ready(page)
    page.wait_for_function("document.querySelector('#history-status').className.includes('error')", timeout=10_000)
    assert "Run history is off" in page.text_content("#history-status")
    assert "IndexedDB is not available" in page.text_content("#history-status")
    assert page.is_hidden("#history-details")
    train(page)
    assert int(page.get_attribute("#train-view", "data-epoch")) == 3
    assert page.text_content("#engine-status").startswith("Trained 3 epochs")
    # PyScript itself opens IndexedDB as it loads (its @pyscript.fs storage) and leaves the failure
    # unhandled: that one page error, and none of ours, is allowed here
    rejections = page.evaluate("window.__rejections")
    assert len(rejections) == len(watch.errors) == 1 and "/pyscript/core-" in rejections[0], rejections
    watch.errors.clear()
    watch.check()
    context.close()


BAD_RECORDS = """() => new Promise((resolve, reject) => {
    const q = indexedDB.open('anomaly-explorer', 1);
    q.onupgradeneeded = () => { q.result.createObjectStore('runs', {keyPath: 'id', autoIncrement: true});
                                q.result.createObjectStore('curves'); };
    q.onsuccess = () => {
        const tx = q.result.transaction('runs', 'readwrite');
        tx.objectStore('runs').put({id: 50, foo: 'a foreign record'});
        tx.objectStore('runs').put({id: 51, kind: 'anomaly-explorer-run', v: 1, auc: 'high'});
        tx.oncomplete = () => { q.result.close(); resolve(true); };
        tx.onerror = reject;
    };
    q.onerror = reject;
})"""


def test_corrupted_and_foreign_records_are_skipped_and_reported(browser, base_url):
    page, watch = open_page(browser, base_url + "#" + SMALL)
    ready(page)
    train(page, 1)
    page.evaluate(BAD_RECORDS)
    page.reload()
    ready(page)
    open_panel(page, 1)
    assert table_ids(page) == [1]
    bad = page.text_content("#history-bad")
    assert "2 stored records could not be read and are left out" in bad
    assert "50 (not a run record of this app)" in bad and "51 (" in bad
    # training goes on, and the next run is recorded beside the others
    train(page, 52)
    page.wait_for_function("document.querySelectorAll('#history-rows tr').length === 2")
    page.click("#history-drop-bad")
    page.wait_for_function("document.querySelector('#history-bad').hidden")
    assert sorted(stored(page)) == [1, 52]
    watch.check()
    page.context.close()


def test_a_classroom_link_hides_the_panel_and_history_stays_out_of_links(browser, base_url):
    page, watch = open_page(browser, base_url + "#" + SMALL + "&hide=history")
    ready(page)
    assert page.is_hidden("#history-panel")
    train(page, 1)  # still recorded: hiding is for the lesson, not the browser's history
    assert "history" in page.evaluate("location.hash")  # the hide list, and nothing of the runs
    assert page.input_value("#share-link").endswith("&hide=history")
    watch.check()
    page.context.close()


def test_a_diverged_run_is_recorded_with_its_state_sorting_and_at_most_four_overlaid(browser, base_url):
    page, watch = open_page(browser, base_url + "#" + SMALL + "&epochs=1")
    ready(page)
    for k in range(1, 5):  # four short runs, then one that diverges
        train(page, k)
    for key, value in (("optimizer", "sgd"), ("learning_rate", 10), ("activation", "linear"),
                       ("output_activation", "linear"), ("epochs", 10)):
        set_setting(page, key, value)
    page.click("#train")
    page.wait_for_function(RECORDED % 5, timeout=60_000)
    assert "diverged" in page.text_content("#engine-status")
    r = stored(page)[5]
    assert r["status"] == "diverged" and r["epochs"] < 10 and r["settings"]["learning_rate"] == 10
    open_panel(page, 5)
    assert "(diverged)" in page.text_content("#history-rows tr[data-id='5']")
    # sorting: by AUC, best first (a run without one last), then the other way
    page.click("#history-head button[data-sort='auc']")
    aucs = [t.get_attribute("data-auc") for t in page.query_selector_all("#history-rows tr")]
    known = [float(a) for a in aucs if a]
    assert known == sorted(known, reverse=True) and aucs[len(known):] == [""] * (len(aucs) - len(known))
    page.click("#history-head button[data-sort='auc']")
    known = [float(t.get_attribute("data-auc")) for t in page.query_selector_all("#history-rows tr")
             if t.get_attribute("data-auc")]
    assert known == sorted(known)
    # at most four runs overlaid: a fifth box is refused and says so
    for rid in (1, 2, 3, 4):
        page.check("#history-rows input[data-id='%d']" % rid)
    page.wait_for_function("document.querySelector('#history-overlay').dataset.runs === '1,2,3,4'", timeout=10_000)
    page.click("#history-rows input[data-id='5']")
    assert not page.is_checked("#history-rows input[data-id='5']")
    assert "at most four" in page.text_content("#history-overlay-note")
    page.wait_for_function("new Set((window.charts.data('history-roc', 'roc') || []).map(r => r.run)).size === 4")
    watch.check()
    page.context.close()

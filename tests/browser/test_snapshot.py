"""Warm visits restore Python from a memory snapshot made after the first visit
(static/engine-worker.mjs, static/snapshot-worker.mjs): the restored engine must compute exactly
what a freshly booted one does, and a snapshot that does not restore must never stop the engine."""
import json

import pytest

from tests.browser.conftest import open_page, wait_ready

MARKS = "(window.engineMarks || []).map(m => m[0])"
SAVED = f"{MARKS}.includes('snapshot saved')"
# The snapshot's file in the origin's private file system (static/engine-worker.mjs), as a promise.
SAVED_FILE = """(async () => {
    for await (const [name, file] of (await navigator.storage.getDirectory()).entries()) {
        if (name.startsWith('python-snapshot-')) return file;
    }
    throw new Error('no snapshot saved');
})()"""


def worker_created_before_the_page_was_parsed(page):
    """A visit that restores a snapshot starts the engine from static/engine.js, in the page's
    head; any other starts it once the page is built, long after the document was parsed."""
    return page.evaluate("""() => {
        const created = window.engineMarks.find((m) => m[0] === 'worker created')[1];
        return created < performance.getEntriesByType('navigation')[0].domContentLoadedEventStart;
    }""")


def first_epoch_loss(page):
    page.click("#step")
    page.wait_for_function("+document.querySelector('#train-view').dataset.epoch >= 1", timeout=60_000)
    rows = page.evaluate("window.charts.data('loss-chart', 'losses')")
    return [r["loss"] for r in rows if r["series"] == "train"][0]


@pytest.fixture(scope="module")
def visited(browser, base_url):
    """A page after one cold visit (trained one epoch) whose snapshot has been saved."""
    page, watch = open_page(browser, base_url)
    wait_ready(page)
    cold_loss = first_epoch_loss(page)
    assert "snapshot restored" not in page.evaluate(MARKS)
    assert not worker_created_before_the_page_was_parsed(page)
    page.wait_for_function(SAVED, timeout=60_000)
    yield page, cold_loss
    watch.check()
    page.context.close()


def test_warm_visit_restores_the_snapshot_and_trains_identically(visited):
    page, cold_loss = visited
    page.reload()
    wait_ready(page)
    marks = page.evaluate(MARKS)
    assert "snapshot restored" in marks and "snapshot saved" not in marks
    assert worker_created_before_the_page_was_parsed(page)
    # the snapshot holds no SIMD kernels (app/engine.py, preload): the restored engine loads them
    assert page.evaluate("document.body.dataset.kernels") == "wasm"
    assert first_epoch_loss(page) == cold_loss


def test_a_restored_engine_has_numpy_imported_and_loads_more_of_it(visited):
    """The snapshot holds NumPy imported, its extension modules relinked where they were: the
    collector can walk every object they made, and a module the snapshot never imported loads."""
    page, cold_loss = visited
    page.reload()
    wait_ready(page)
    marks = page.evaluate(MARKS)
    assert "snapshot restored" in marks and "NumPy unpacked" in marks and "NumPy linked" not in marks
    worker = next(w for w in page.workers if w.url.endswith("/engine-worker.mjs"))
    assert json.loads(worker.evaluate("""self.enginePython(`
import gc, json, sys
before = 'numpy.fft' in sys.modules
gc.unfreeze()
gc.collect()
import numpy, numpy.fft
json.dumps([before, len(gc.get_objects()) > 10000, float(numpy.fft.fft(numpy.arange(4.0))[0].real)])
`)""")) == [False, True, 6.0]
    loaded = worker.evaluate("self.engineLibraries()")["loaded"]
    assert any("_multiarray_umath" in n for n in loaded) and any("_pocketfft" in n for n in loaded)
    assert first_epoch_loss(page) == cold_loss


def test_a_snapshot_that_does_not_relink_is_refused_and_the_engine_starts(visited):
    """A snapshot whose bytes are intact but whose NumPy would not relink where it was (here, the
    function table it expects is one slot longer) is dropped before Python runs; the engine boots."""
    page, cold_loss = visited
    page.evaluate(SAVED_FILE + """.then(async (file) => {
        const bytes = new Uint8Array(await (await file.getFile()).arrayBuffer());
        const headerBytes = new DataView(bytes.buffer).getUint32(0, true);
        const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, headerBytes)));
        const snapshot = bytes.subarray(headerBytes);
        header.layout.table[0] += 1;
        const hex = async (b) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', b)),
                                            (x) => x.toString(16).padStart(2, '0')).join('');
        const layout = JSON.stringify(header.layout);
        header.sha256 = await hex(snapshot) + ' ' + await hex(new TextEncoder().encode(layout));
        let text = '    ' + JSON.stringify(header);
        text += ' '.repeat(15 - (new TextEncoder().encode(text).length + 15) % 16);
        const head = new TextEncoder().encode(text);
        new DataView(head.buffer).setUint32(0, head.length, true);
        const out = await file.createWritable();
        await out.write(head);
        await out.write(snapshot);
        await out.close();
    })""")
    page.reload()
    wait_ready(page)
    marks = page.evaluate(MARKS)
    assert "snapshot restored" in marks and "no snapshot" in marks
    assert first_epoch_loss(page) == cold_loss
    page.wait_for_function(SAVED, timeout=60_000)  # and a good one replaces it
    page.reload()
    wait_ready(page)
    assert "no snapshot" not in page.evaluate(MARKS) and first_epoch_loss(page) == cold_loss


def test_a_snapshot_another_tab_has_open_is_left_for_later(visited):
    """While another tab has the snapshot's file open (saving it), this visit boots the long way
    and leaves the file alone; the next visit restores it."""
    page, cold_loss = visited
    other = page.context.new_page()
    other.goto(page.url.split("#")[0] + "manifest.json")  # same origin, no engine of its own
    other.evaluate(SAVED_FILE + ".then(async (file) => { window.held = await file.createWritable({ keepExistingData: true }); })")
    page.reload()
    wait_ready(page)
    marks = page.evaluate(MARKS)
    assert "no snapshot" in marks and "snapshot restored" not in marks
    other.evaluate("window.held.abort()")
    other.close()
    assert page.evaluate(SAVED_FILE + ".then((file) => file.getFile()).then((f) => f.size)") > 20_000_000
    page.reload()
    wait_ready(page)
    assert "snapshot restored" in page.evaluate(MARKS) and first_epoch_loss(page) == cold_loss


@pytest.mark.parametrize("damage", ["junk", "truncated"])
def test_a_damaged_snapshot_is_refused_replaced_and_the_engine_starts(visited, damage):
    """Pyodide hangs on a damaged snapshot, so none may reach it: the worker checks the bytes
    against the sha256 saved with them, boots the long way, and saves a good one."""
    page, cold_loss = visited
    page.evaluate(SAVED_FILE + """.then(async (file) => {
        const bytes = new Uint8Array(await (await file.getFile()).arrayBuffer());
        const body = %r === 'junk' ? new Uint8Array(4096).fill(7) : bytes.subarray(0, bytes.length >> 1);
        const out = await file.createWritable();
        await out.write(body);
        await out.close();
    })""" % damage)
    page.reload()
    wait_ready(page)
    assert "snapshot restored" not in page.evaluate(MARKS)
    assert first_epoch_loss(page) == cold_loss
    page.wait_for_function(SAVED, timeout=60_000)  # and a good one replaces it
    page.reload()
    wait_ready(page)
    assert "snapshot restored" in page.evaluate(MARKS) and first_epoch_loss(page) == cold_loss
    assert worker_created_before_the_page_was_parsed(page)


def test_a_visit_that_finds_no_snapshot_leaves_the_next_one_to_start_after_the_page(visited):
    """The early start is for visits that restore; one that found none (the site's storage was
    cleared, or the runtime changed) tells the next visit to wait for the page again."""
    page, cold_loss = visited
    page.evaluate(SAVED_FILE + ".then((file) => navigator.storage.getDirectory().then((d) => d.removeEntry(file.name)))")
    page.reload()
    wait_ready(page)
    marks = page.evaluate(MARKS)
    assert "no snapshot" in marks and worker_created_before_the_page_was_parsed(page)
    page.reload()  # before this visit's snapshot is saved
    wait_ready(page)
    assert "no snapshot" in page.evaluate(MARKS) and not worker_created_before_the_page_was_parsed(page)
    assert first_epoch_loss(page) == cold_loss

"""The engine's fast start-up paths (NumPy unpacked and linked ahead by hand, the memory snapshot)
rely on Pyodide's internals, so static/pyodide-fast-paths.mjs gives them only on the Pyodide and
NumPy wheel engine.json says the build made them for. Served an engine.json that names another (a
runtime the app was not built for), the engine says so and boots the plain way: loadPyodide, then
pyodide.loadPackage("numpy"); it reaches Ready, trains to the very numbers of the fast path,
neither restores a snapshot nor makes one, and loads scikit-learn with pyodide.loadPackage too."""
import json
import os

import pytest

from models.detectors import DETECTORS
from tests.browser.conftest import DIST, open_page, wait_ready
from tests.browser.test_compare import compare
from tests.browser.test_snapshot import MARKS, SAVED, SAVED_FILE, first_epoch_loss

NO_SERVICE_WORKER = {"service_workers": "block"}  # it would answer engine.json before Playwright's route
SNAPSHOT_FILES = """navigator.storage.getDirectory().then(async (folder) => {
    const names = [];
    for await (const name of folder.keys()) if (name.startsWith('python-snapshot-')) names.push(name);
    return names;
})"""
FAST_PATH_MARKS = ("NumPy unpacked", "NumPy linked", "snapshot restored", "snapshot saved")


def built_for(context, change):
    """Serves the context an engine.json edited by change(dict); returns what undoes that."""
    def serve(route):
        built = route.fetch().json()
        change(built)
        route.fulfill(json=built)
    context.route("**/engine.json", serve)
    return lambda: context.unroute("**/engine.json", serve)


def another_pyodide(built):
    major, minor, patch = built["pyodide"].split(".")
    built["pyodide"] = "%s.%s.%d" % (major, minor, int(patch) + 1)


def another_numpy_wheel(built):
    built["numpy"]["sha256"] = "0" * 64  # the same file name, other bytes


def engine_libraries(page):
    worker = next(w for w in page.workers if w.url.endswith("/engine-worker.mjs"))
    return worker.evaluate("self.engineLibraries()")


def engine_python(page, code):
    worker = next(w for w in page.workers if w.url.endswith("/engine-worker.mjs"))
    return worker.evaluate("(code) => self.enginePython(code)", code)


def check_plain_boot(page, console, reason):
    """The page's engine said why it turned the fast paths off, booted the plain way, and is Ready."""
    wait_ready(page)
    marks = page.evaluate(MARKS)
    assert "fast paths off: " + reason in marks and "no snapshot" in marks, marks
    assert not set(FAST_PATH_MARKS) & set(marks), marks
    assert any(text.startswith("Pyodide fast paths off (" + reason + ")") for text in console), console
    libraries = engine_libraries(page)  # NumPy loaded by Pyodide's own loader, none linked ahead
    assert libraries["linkedAhead"] == [] and any("_multiarray_umath" in n for n in libraries["loaded"])


@pytest.fixture(scope="module")
def normal(browser, base_url):
    """A page that took the fast path on a first visit (trained one epoch), its snapshot saved."""
    page, watch = open_page(browser, base_url, **NO_SERVICE_WORKER)
    wait_ready(page)
    assert "NumPy linked" in page.evaluate(MARKS)
    loss = first_epoch_loss(page)
    page.wait_for_function(SAVED, timeout=60_000)
    yield page, loss
    watch.check()
    page.context.close()


def test_with_another_numpy_wheel_a_first_visit_boots_the_plain_way_and_makes_no_snapshot(browser, base_url, normal):
    page, watch = open_page(browser, "about:blank", **NO_SERVICE_WORKER)
    try:
        console = []
        page.on("console", lambda m: console.append(m.text))
        built_for(page.context, another_numpy_wheel)
        page.goto(base_url)
        with open(os.path.join(DIST, "engine.json")) as f:
            wheel = json.load(f)["numpy"]  # as the build made it, and as pyodide-lock.json lists it
        check_plain_boot(page, console, "pyodide-lock.json lists NumPy's wheel as %s (sha256 %s), they were built for "
                         "%s (sha256 %s)" % (wheel["file_name"], wheel["sha256"], wheel["file_name"], "0" * 64))
        assert first_epoch_loss(page) == normal[1]
        # scikit-learn installs through pyodide.loadPackage as well, and the comparison fills
        assert engine_python(page, "import app.engine as e; 'install_packages' in e.__dict__") is False
        shown = compare(page)
        assert len(shown) == len(DETECTORS) + 1 and all(auc is not None for auc, _ in shown.values()), shown
        # A fast first visit starts making its snapshot 2 s after the page's last command.
        page.wait_for_timeout(6_000)
        assert "snapshot saved" not in page.evaluate(MARKS)
        assert not [url for url in watch.requests if url.endswith("/snapshot-worker.mjs")]
        assert page.evaluate(SNAPSHOT_FILES) == []
    finally:
        watch.check()
        page.context.close()


def test_with_another_pyodide_a_saved_snapshot_is_neither_restored_nor_dropped(normal):
    page, loss = normal
    console = []
    page.on("console", lambda m: console.append(m.text))
    saved = page.evaluate(SAVED_FILE + ".then((file) => file.getFile()).then((f) => [f.name, f.size, f.lastModified])")
    built_as_is = built_for(page.context, another_pyodide)
    page.reload()
    version = page.evaluate("import('./pyodide/pyodide.mjs').then((m) => m.version)")
    major, minor, patch = version.split(".")
    check_plain_boot(page, console, "Pyodide is %s, they were built for %s.%s.%d" % (version, major, minor, int(patch) + 1))
    assert first_epoch_loss(page) == loss
    # The snapshot is left as it was, for a visit on the runtime it was made for, which restores it.
    assert page.evaluate(SAVED_FILE + ".then((file) => file.getFile()).then((f) => [f.name, f.size, f.lastModified])") == saved
    built_as_is()
    page.reload()
    wait_ready(page)
    assert "snapshot restored" in page.evaluate(MARKS) and first_epoch_loss(page) == loss

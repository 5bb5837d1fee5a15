"""Your own data in the browser (the "Your data" panel, app/ui_data.py, static/userdata.js): every
file of the bad-file corpus is refused with the parser's words while the model in training trains
on; what a file says is shown as text; a dropped or pasted file is previewed, trained on and never
sent anywhere; a link to a file asks for that very file; and CPython reproduces a file link."""
import base64
import hashlib
import json
import os
import subprocess
import sys
import urllib.parse

import pytest

from tests.browser.conftest import ROOT, open_in, wait_ready
from tests.browser.test_explorer import TRAIN_DONE, epoch
from tests.browser.test_resilience import step

from data import file_settings
from models import settings
from tests.fixtures import make_fixtures

FIXTURES = os.path.join(ROOT, "tests", "fixtures")
BAD = json.load(open(os.path.join(FIXTURES, "bad_files", "EXPECTED.json"), encoding="utf-8"))
GOOD_DIR = os.path.join(FIXTURES, "good_files")
MAX_MB = make_fixtures.MAX_BYTES // 2 ** 20

# data/user_file.parse's options -> the panel's option controls (#opt-<key>)
CONTROL = {"format": "file_format", "delimiter": "file_delimiter", "decimal": "file_decimal",
           "header": "file_header", "labels": "file_labels", "value_column": "value_column",
           "label_column": "label_column"}
AS_CHOICE = {"delimiter": {v: k for k, v in file_settings.DELIMITERS.items()},
             "decimal": {v: k for k, v in file_settings.DECIMALS.items()},
             "header": {True: "yes", False: "no"}}

OUTCOME = """name => {
    const status = document.querySelector('#data-status');
    if (status.className.includes('error')) return status.textContent.includes(name);
    return status.textContent.startsWith('Read.')
        && document.querySelector('#data-summary').textContent.startsWith(name + ' (');
}"""
STATUS_IS_ERROR = "document.querySelector('#data-status').className.includes('error')"
BUILT = "document.querySelector('#engine-status').textContent.includes('press Train')"
PREVIEW_HAS_ROWS = "(window.charts.data('preview-chart', 'samples') || []).length > 0"


def good(name):
    return os.path.join(GOOD_DIR, name)


def good_bytes(name):
    with open(good(name), "rb") as f:
        return f.read()


def bad_file(name, folder):
    """The path of bad file `name`: committed, or generated (tests/fixtures/make_fixtures.py) into `folder`."""
    if not BAD[name].get("generated"):
        return os.path.join(FIXTURES, "bad_files", name)
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(make_fixtures.generated(name))
    return path


def as_controls(options):
    """Parse options -> {control key: the value to put in it}, or None when a control cannot say one."""
    out = {}
    for key, value in options.items():
        if key not in CONTROL:
            return None
        value = AS_CHOICE[key].get(value) if key in AS_CHOICE else value
        s = settings.BY_KEY[CONTROL[key]]
        if value is None or s["kind"] == "choice" and value not in s["choices"]:
            return None
        out[CONTROL[key]] = str(value)
    return out


def ready(page):
    wait_ready(page)
    page.wait_for_function("document.querySelector('#train-view').dataset.epoch !== undefined", timeout=30_000)


def read(page, act, name):
    """Do `act` (pick, drop, paste) and wait until the panel says how reading `name` went; returns
    the status text. After a good read the panel is busy until the preview chart has its rows (a
    file chosen meanwhile would be ignored), so that is waited for too."""
    page.evaluate("window.charts.data('preview-chart', 'samples') && window.charts.replace('preview-chart', 'samples', '[]')")
    act()
    page.wait_for_function(OUTCOME, arg=name, timeout=120_000)
    if not page.get_attribute("#data-status", "class").endswith("error"):
        page.wait_for_function(PREVIEW_HAS_ROWS, timeout=60_000)
    return page.text_content("#data-status")


def pick(page, path, name=None):
    return read(page, lambda: page.set_input_files("#data-file", path), name or os.path.basename(path))


def drop(page, name, blob):
    """Drop a file made in the page from `blob` on the drop zone, as a drag from the desktop would."""
    transfer = page.evaluate_handle("""([name, b64]) => {
        const transfer = new DataTransfer();
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], name, {type: 'text/csv'}));
        return transfer;
    }""", [name, base64.b64encode(blob).decode()])
    return read(page, lambda: page.dispatch_event("#data-drop", "drop", {"dataTransfer": transfer}), name)


def set_controls(page, values):
    for key, value in values.items():
        if page.locator("#opt-" + key).evaluate("e => e.tagName") == "SELECT":
            page.select_option("#opt-" + key, value)
        else:
            page.fill("#opt-" + key, value)


def train_on_it(page):
    """Press "Train on this file" and wait for the fresh model."""
    page.click("#data-use")
    page.wait_for_function(BUILT, timeout=120_000)
    page.wait_for_function(TRAIN_DONE, timeout=60_000)


def losses(page):
    rows = page.evaluate("window.charts.data('loss-chart', 'losses')")
    return sorted((r["series"], r["epoch"], r["loss"]) for r in rows)


def closing(page, watch):
    try:
        watch.check()
    finally:
        page.close()


# ---- the bad-file corpus, on one page trained one epoch on ECG5000 ------------------------------

READABLE = sorted(n for n in BAD if as_controls(BAD[n].get("options", {})) is not None)
NOT_EXPRESSIBLE = sorted(set(BAD) - set(READABLE))  # options the panel has no control or choice for


@pytest.fixture(scope="module")
def corpus_page(warm_profile, base_url):
    page, watch = open_in(warm_profile, base_url)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ready(page)
    step(page)
    yield {"page": page, "shape": page.get_attribute("#engine-model", "data-shape"), "dialogs": dialogs}
    assert not dialogs, dialogs
    closing(page, watch)


def still_training_as_before(corpus_page):
    page = corpus_page["page"]
    assert epoch(page) == 1
    assert page.get_attribute("#engine-model", "data-shape") == corpus_page["shape"]
    assert not page.is_disabled("#step")


@pytest.mark.parametrize("name", READABLE)
def test_a_bad_file_is_refused_with_the_parsers_words_and_training_carries_on(corpus_page, name, tmp_path):
    """A user chooses a bad file (and, when its fault is an option, sets that option and reads it again)."""
    page, expected = corpus_page["page"], BAD[name]
    path = bad_file(name, str(tmp_path))
    status = pick(page, path)
    if "options" in expected:  # the fault only shows with an option the panel's controls can set
        assert status.startswith("Read."), f"{name} is read with what was detected: {status}"
        set_controls(page, as_controls(expected["options"]))
        page.click("#data-reread")
        page.wait_for_function(STATUS_IS_ERROR, timeout=120_000)
        status = page.text_content("#data-status")
    assert "error" in page.get_attribute("#data-status", "class"), status
    assert status.startswith("Not read: " + name) and status.endswith("The data you train on is unchanged.")
    assert expected["message"] in status  # the parser's own words, in the page too
    if name == "over_size.csv":  # refused by the page before a byte is read
        assert status.endswith("(nothing was read). The data you train on is unchanged.")
    still_training_as_before(corpus_page)


@pytest.mark.parametrize("name", NOT_EXPRESSIBLE)
def test_an_option_the_panel_does_not_offer_cannot_reach_the_parser(corpus_page, name):
    """A user looks for the option this bad file needs, and finds no control or choice for it."""
    # So the parser's refusal cannot be reached from the page: the file is read with what was
    # detected, and a control forced (in the DOM) to a value it does not offer is refused by the panel.
    page, options = corpus_page["page"], BAD[name]["options"]
    status = pick(page, os.path.join(FIXTURES, "bad_files", name))
    assert status.startswith("Read."), status
    for key, value in options.items():
        if key not in CONTROL:
            assert page.locator("#opt-" + key).count() == 0
            continue
        control = "#opt-" + CONTROL[key]
        assert value not in page.eval_on_selector(control, "e => [...e.options].map((o) => o.value)")
        page.eval_on_selector(control, "(e, v) => { e.add(new Option(v, v)); e.value = v; }", value)
        page.click("#data-reread")
        page.wait_for_function(STATUS_IS_ERROR, timeout=60_000)
        status = page.text_content("#data-status")
        assert status.startswith("Not read again: %s must be one of" % CONTROL[key]) and repr(value) in status
        page.eval_on_selector(control, "e => e.remove(e.options.length - 1)")
    still_training_as_before(corpus_page)


def test_markup_in_a_file_is_shown_as_text(corpus_page):
    """A user reads a file whose header and labels are HTML (markup.csv)."""
    page = corpus_page["page"]
    images = page.evaluate("document.querySelectorAll('img').length")
    assert pick(page, good("markup.csv")).startswith("Read.")
    summary = page.text_content("#data-summary")
    assert make_fixtures.MARKUP in summary and "labels: " in summary
    assert page.evaluate("document.querySelector('#data-summary').children.length") == 0
    assert page.evaluate("document.querySelectorAll('img').length") == images
    page.wait_for_timeout(500)  # an injected onerror would have fired by now
    assert corpus_page["dialogs"] == []
    still_training_as_before(corpus_page)


def test_after_the_corpus_one_step_trains_on_the_dataset_it_had(corpus_page):
    """After all those files, a user presses Step: ECG5000's model trains one more epoch."""
    page = corpus_page["page"]
    step(page)
    assert epoch(page) == 2
    assert page.get_attribute("#engine-model", "data-shape") == corpus_page["shape"]
    assert "dataset=" not in page.input_value("#share-link")
    assert page.get_attribute("#tile-auc", "data-value") not in (None, "")


# ---- drop a file, train on it, and nothing of it leaves the device ------------------------------

DROPPED = "ucr_labelled.csv"


@pytest.fixture(scope="module")
def dropped(browser, base_url):
    """A user drops ucr_labelled.csv on the page, reads the preview, trains on it three epochs;
    every request of the page, its workers and its service worker is recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    requests = []
    context.on("request", lambda r: requests.append(
        {"url": r.url, "body": r.post_data_buffer or b"", "service_worker": r.service_worker is not None}))
    page, watch = open_in(context, base_url)
    ready(page)
    status = drop(page, DROPPED, good_bytes(DROPPED))
    seen = {"status": status, "summary": page.text_content("#data-summary"),
            "warnings": page.inner_text("#data-warnings"),
            "preview": page.evaluate("window.charts.data('preview-chart', 'samples')")}
    train_on_it(page)
    seen["built"] = page.text_content("#engine-status")
    for _ in range(3):
        step(page)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=60_000)
    yield page, seen, requests
    try:
        closing(page, watch)
    finally:
        context.close()


def test_drop_a_file_train_on_it_and_see_it(dropped):
    """A user drops a labelled file of rows, checks the preview, trains three epochs and shares the link."""
    page, seen, _ = dropped
    blob = good_bytes(DROPPED)
    assert seen["status"].startswith("Read."), seen["status"]
    assert seen["summary"] == ("ucr_labelled.csv (%s bytes): 30 samples of 24 values each; "
                               "labels: 1 (10), 2 (10), 3 (10)." % format(len(blob), ","))
    assert seen["warnings"] == ""
    assert seen["preview"] and {r["t"] for r in seen["preview"]} == set(range(24))
    assert seen["preview"][0]["sample"] == "row 1 (1)"
    assert seen["built"].startswith("Your file ucr_labelled.csv:") and seen["built"].endswith("press Train.")
    assert epoch(page) == 3
    assert page.get_attribute("#tile-auc", "data-value") not in (None, "")
    assert page.text_content("#shape-text").startswith("24-")
    assert page.get_attribute("#engine-model", "data-shape").startswith("24-")
    link = page.input_value("#share-link")
    fields = urllib.parse.parse_qs(link.split("#", 1)[1])
    assert fields["dataset"] == ["file"] and fields["file_name"] == [DROPPED]
    assert fields["file_sha256"] == [hashlib.sha256(blob).hexdigest()]
    cells = {c for line in blob.decode().splitlines() for c in line.split(",") if "." in c}
    assert len(cells) > 100 and not [c for c in cells if c in link.split("#", 1)[1]]


def test_the_dropped_file_never_leaves_the_device(dropped):
    """While a user drops, reads and trains on a file, no request carries any of it, and all stay on 127.0.0.1."""
    _, _, requests = dropped
    blob = good_bytes(DROPPED)
    slices = [blob[k * len(blob) // 7:][:20] for k in range(1, 7)]
    assert len(set(slices)) == 6 and all(len(s) == 20 for s in slices)
    assert any(r["service_worker"] for r in requests), "the service worker's requests were not recorded"
    for r in requests:
        parts = urllib.parse.urlsplit(r["url"])
        assert parts.hostname == "127.0.0.1" or parts.scheme in ("data", "blob"), r["url"]
        for s in slices:
            assert s not in r["body"], f"{r['url']} sent part of the file"
            assert s.decode() not in urllib.parse.unquote(r["url"]), r["url"]


# ---- paste a file without labels -----------------------------------------------------------------

@pytest.fixture(scope="module")
def pasted(warm_profile, base_url):
    """A user pastes unlabelled.txt's text, reads it and trains on it one epoch."""
    page, watch = open_in(warm_profile, base_url)
    ready(page)
    page.click("#data-paste-box summary")
    with open(good("unlabelled.txt"), encoding="utf-8") as f:
        page.fill("#data-paste", f.read())
    status = read(page, lambda: page.click("#data-paste-read"), "pasted text")
    seen = {"status": status, "summary": page.text_content("#data-summary"),
            "warnings": page.locator("#data-warnings li").all_text_contents()}
    train_on_it(page)
    step(page)
    yield page, seen
    closing(page, watch)


def test_paste_a_file_without_labels_and_train(pasted):
    """A user pastes rows of numbers without labels, is told so, and trains one epoch."""
    page, seen = pasted
    assert seen["status"].startswith("Read."), seen["status"]
    assert seen["summary"].startswith("pasted text (") and seen["summary"].endswith(
        ": 12 samples of 16 values each; no labels.")
    assert any(w.startswith("no labels:") and "ROC and AUC need labelled samples" in w for w in seen["warnings"])
    assert epoch(page) == 1
    assert page.get_attribute("#engine-model", "data-shape").startswith("16-")
    assert page.get_attribute("#tile-auc", "data-value") == ""  # no number: nothing to rank
    assert page.text_content("#tile-auc-v") == "needs labels"
    assert page.text_content("#roc-auc").startswith("n/a: your data has no labels, so no sample is known to be an anomaly")


def test_a_confusion_cell_without_labels_says_it_needs_them_and_the_gallery_stays(pasted):
    """A user trained on a file without labels clicks a cell of the confusion matrix (issue 18)."""
    page, _ = pasted
    page.wait_for_function("document.querySelector('#train-gallery').dataset.kind === 'all'")
    count = page.get_attribute("#train-gallery", "data-count")
    page.click("#cm-tp")
    page.wait_for_function("document.querySelector('#sel-status').className.includes('error')")
    assert page.text_content("#sel-status") == ("Cannot select these samples: the confusion matrix needs labels, "
                                                "and these samples have none")
    assert page.get_attribute("#train-gallery", "data-count") == count  # every sample, still there
    assert page.get_attribute("#cm-tp", "aria-pressed") == "false"
    assert len(page.query_selector_all("#train-gallery button.sample")) == int(count)


def test_views_that_need_labels_say_why_they_are_empty(pasted):
    """A user trained on a file without labels looks at the metric tiles."""
    page, _ = pasted
    for tile in ("auc", "recall", "f1", "fnr"):
        assert page.get_attribute("#tile-" + tile, "data-value") == "", tile
        assert "label" in page.inner_text("#tile-" + tile).lower(), tile


# ---- a link to a file asks for it, checks it, and trains the same ---------------------------------

NAB = "nab_style.csv"


@pytest.fixture(scope="module")
def nab_link(warm_profile, base_url):
    """A user picks nab_style.csv, trains on it two epochs and copies the link."""
    page, watch = open_in(warm_profile, base_url)
    ready(page)
    assert pick(page, good(NAB)).startswith("Read.")
    train_on_it(page)
    step(page)
    step(page)
    yield {"link": page.input_value("#share-link"), "losses": losses(page),
           "shape": page.get_attribute("#engine-model", "data-shape")}
    closing(page, watch)


def test_a_link_to_a_file_asks_for_that_file_and_trains_the_same(warm_profile, nab_link, tmp_path):
    """A user opens a link to a file, chooses a look-alike (same name, one byte more), then the file itself."""
    assert nab_link["shape"].startswith("64-")
    page, watch = open_in(warm_profile, nab_link["link"])
    wait_ready(page)
    assert page.text_content("#engine-status").startswith("Ready. This link trains on your own file %s" % NAB)
    assert NAB in page.text_content("#data-status")
    look_alike = tmp_path / NAB
    look_alike.write_bytes(good_bytes(NAB) + b"\n")
    page.set_input_files("#data-file", str(look_alike))
    page.wait_for_function(STATUS_IS_ERROR, timeout=120_000)
    assert "its sha256 differs" in page.text_content("#data-status")
    assert not page.get_attribute("#engine-model", "data-shape").startswith("64-")
    page.set_input_files("#data-file", good(NAB))
    page.wait_for_function(BUILT, timeout=120_000)
    page.wait_for_function(TRAIN_DONE, timeout=60_000)
    assert page.text_content("#engine-status").startswith("Your file %s:" % NAB)
    assert page.get_attribute("#engine-model", "data-shape") == nab_link["shape"]
    step(page)
    step(page)
    assert losses(page) == nab_link["losses"]
    assert page.input_value("#share-link").split("#")[1] == nab_link["link"].split("#")[1]
    closing(page, watch)


def test_a_link_to_a_file_refuses_another_file_by_its_sha256(warm_profile, nab_link):
    """A user opens a link to a file and chooses another one, of another shape."""
    page, watch = open_in(warm_profile, nab_link["link"])
    try:
        wait_ready(page)
        page.set_input_files("#data-file", good("one_column.csv"))
        page.wait_for_function(STATUS_IS_ERROR, timeout=120_000)
        assert "its sha256 differs" in page.text_content("#data-status")
    finally:
        closing(page, watch)


# ---- CPython reproduces a file link ----------------------------------------------------------------

def test_cpython_reproduces_a_file_link(nab_link):
    """A user runs `python -m models.train --data nab_style.csv --url '<the link>'`."""
    out = subprocess.run([sys.executable, "-m", "models.train", "--data", good(NAB), "--url", nab_link["link"],
                          "--json"], cwd=ROOT, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"),
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    trained = {e for _, e, _ in nab_link["losses"]}  # the browser trained two epochs of the link's twenty
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.strip()][:-1]
    lines = [r for r in lines if r["epoch"] in trained]
    cpython = sorted([("train", r["epoch"], r["loss"]) for r in lines] +
                     [("validation", r["epoch"], r["val_loss"]) for r in lines])
    assert [c[2] for c in cpython] == pytest.approx([b[2] for b in nab_link["losses"]], rel=1e-12)

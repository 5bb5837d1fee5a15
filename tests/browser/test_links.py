"""Issue 5: share and reproduce. A crafted link shows in every control and the composer, trains
the same per-epoch losses as CPython (models.experiment in this process), the trained model is
saved and loaded into a fresh page (training view and introduction), bad files and bad links
change nothing and say why, and only the link sync writes the hash."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.browser.conftest import DIST, ROOT, open_in, wait_ready

from models import links, serialize, settings
from models.experiment import Experiment

# Not the defaults anywhere it matters: layers, activation, initializer, dropout, penalty,
# optimizer and its parameters, batch, seed, data split, contamination and threshold percentile.
LINK = ("v=1&encoder=24,8&latent=3&decoder=10,30&activation=elu&init=he&dropout=0.05&regularizer=l2"
        "&reg_rate=0.001&optimizer=rmsprop&learning_rate=0.003&rho=0.85&epsilon=1e-6&epochs=3"
        "&batch_size=128&seed=7&train_size=2000&abnormal_pct=2&validation_pct=15&test_size=300"
        "&threshold_percentile=97.5")
SHAPE = "140-24-8-3-10-30-140"
IDLE = ("!document.querySelector('#train').disabled && document.querySelector('#train').textContent !== 'Pause'"
        " && !document.querySelector('#step').disabled")
BEAT = 17  # the test beat whose reconstruction error must survive saving and loading


def dataset():
    from data import pack
    with open(os.path.join(DIST, "data", "ecg5000.bin"), "rb") as f:  # the bytes the browser loads
        return pack.from_bytes(f.read())


def wait_idle(page, timeout=60_000):
    page.wait_for_function(IDLE, timeout=timeout)


def check_controls_show(page, config):
    """Every control and the composer show `config`."""
    for s in settings.SETTINGS:
        key = s["key"]
        # the file's are in Your data; "baselines" is the Compare button (app/ui_compare.py)
        if key in ("encoder", "latent", "decoder", "baselines") or s["group"] == "file":
            continue
        shown = page.input_value("#set-" + key)
        if s["kind"] == "float":
            assert float(shown) == config[key], (key, shown)
        elif s["kind"] == "int":
            assert int(shown) == config[key], (key, shown)
        elif s["kind"] == "int_list":
            assert [int(v) for v in shown.replace(",", " ").split()] == config[key], (key, shown)
        else:
            assert shown == config[key], (key, shown)
    sizes = [140] + config["encoder"] + [config["latent"]] + settings.decoder_layers(config) + [140]
    assert page.text_content("#shape-text") == "-".join(map(str, sizes))
    for i, n in enumerate(config["encoder"]):
        assert int(page.input_value("#units-encoder-%d" % i)) == n
    assert int(page.input_value("#units-latent-0")) == config["latent"]
    for i, n in enumerate(config["decoder"]):
        assert int(page.input_value("#units-decoder-%d" % i)) == n
    assert page.is_checked("#set-mirror") == (not config["decoder"])


def set_setting(page, key, value):
    if page.locator("#set-" + key).evaluate("e => e.tagName") == "INPUT":
        page.fill("#set-" + key, str(value))
    else:
        page.select_option("#set-" + key, str(value))
    page.dispatch_event("#set-" + key, "change")


def show_beat(page, i):
    page.fill("#beat-index", str(i))
    page.dispatch_event("#beat-index", "change")
    page.wait_for_function("document.querySelector('#beat-info').dataset.beat === '%d'" % i)
    return float(page.get_attribute("#beat-info", "data-error"))


@pytest.fixture(scope="module")
def linked(warm_profile, base_url):
    page, watch = open_in(warm_profile, base_url + "#" + LINK)
    yield page
    try:
        watch.check()
    finally:
        page.close()


@pytest.fixture(scope="module")
def trained(linked):
    """The link's page after one run (3 epochs)."""
    page = linked
    wait_ready(page)
    page.click("#train")
    page.wait_for_function("+document.querySelector('#train-view').dataset.epoch === 3", timeout=60_000)
    wait_idle(page)
    return page


@pytest.fixture(scope="module")
def saved(trained, tmp_path_factory):
    """The trained link's model file as the page saves it, and test beat BEAT's error before."""
    page = trained
    error = show_beat(page, BEAT)
    with page.expect_download() as d:
        page.click("#model-save")
    path = tmp_path_factory.mktemp("models") / "model.json"
    d.value.save_as(path)
    return {"error": error, "text": path.read_text(), "name": d.value.suggested_filename}


def test_link_is_canonical():
    config, hide, rejected = links.decode(LINK)
    assert not rejected and links.encode(config) == LINK


def test_crafted_link_shows_in_every_control_and_the_composer(linked):
    page = linked
    config = links.decode(LINK)[0]
    page.wait_for_function("document.querySelector('#shape-text') !== null")
    check_controls_show(page, config)
    assert page.evaluate("location.hash") == "#" + LINK
    assert page.locator("#link-notice").is_hidden()
    wait_ready(page)  # the engine builds the link's model, ready to train
    assert page.get_attribute("#engine-model", "data-shape") == SHAPE
    assert page.text_content("#train") == "Train" and "is-stale" not in page.get_attribute("#composer", "class")
    assert page.input_value("#share-link").endswith("#" + LINK)


def test_training_a_link_matches_cpython(trained):
    page = trained
    rows = page.evaluate("window.charts.data('loss-chart', 'losses')")
    browser_train = [r["loss"] for r in sorted(rows, key=lambda r: r["epoch"]) if r["series"] == "train"]
    browser_val = [r["loss"] for r in sorted(rows, key=lambda r: r["epoch"]) if r["series"] == "validation"]
    browser_auc = float(page.get_attribute("#tile-auc", "data-value"))

    def compare(what, results, auc):
        cpu_train = [r["loss"] for r in results]
        cpu_val = [r["val_loss"] for r in results]
        assert len(browser_train) == len(cpu_train) == 3 and len(browser_val) == 3
        rel = [abs(a - b) / abs(b) for a, b in zip(browser_train + browser_val, cpu_train + cpu_val)]
        print("\nbrowser vs %s: per-epoch train+val losses differ by at most %.3g (relative); AUC %.6f vs %.6f"
              % (what, max(rel), browser_auc, auc))
        assert max(rel) <= 1e-5, (browser_train, cpu_train, browser_val, cpu_val)
        assert round(browser_auc, 4) == round(auc, 4)

    # CPython in this process, on the very bytes the browser loaded
    exp = Experiment(links.decode(LINK)[0], dataset())
    results = []
    exp.fit(on_epoch=results.append)
    compare("CPython (Experiment)", results, exp.evaluate()["auc"])
    # and `python -m models.train --url '<the link the app shows>'`, as a user would run it
    link = page.input_value("#share-link")
    assert link.startswith("http://127.0.0.1") and link.endswith("#" + LINK)
    from models import train
    if not os.path.isdir(os.environ.get("ECG5000_DIR") or train.DEFAULT_DATA):
        return
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-m", "models.train", "--url", link, "--json"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    compare("python -m models.train --url", lines[:-1], lines[-1]["auc"])


def test_save_the_trained_model(trained, saved):
    page = trained
    assert saved["name"] == "anomaly-model-%s-epoch3.json" % SHAPE
    model = serialize.load_model(saved["text"])  # a valid model file, readable by CPython
    assert model.config == links.decode(LINK)[0] and len(model.history) == 3
    page.wait_for_function("document.querySelector('#model-file-status').textContent.startsWith('Saved')")


def test_load_rejects_bad_files_then_loads_the_saved_model_into_a_fresh_page(warm_profile, base_url, saved):
    page, watch = open_in(warm_profile, base_url)  # a fresh page, default settings
    wait_ready(page)
    default_shape = page.get_attribute("#engine-model", "data-shape")
    doc = json.loads(saved["text"])
    doc["layers"][0]["W"] = [row[:-1] for row in doc["layers"][0]["W"]]  # one unit short
    bad = [(b"this is not JSON {", "not valid JSON"),
           (json.dumps({"format": "keras", "layers": []}).encode(), "format must be 'anomaly-explorer-model'"),
           (json.dumps(doc).encode(), "layers[0].W must be a 140x24")]
    for i, (content, expected) in enumerate(bad):
        page.set_input_files("#model-file", files=[{"name": "bad%d.json" % i, "mimeType": "application/json",
                                                    "buffer": content}])
        page.wait_for_function("(s) => document.querySelector('#model-file-status').textContent.includes(s)",
                               arg="bad%d.json" % i)
        status = page.text_content("#model-file-status")
        assert expected in status and "unchanged" in status, status
        assert page.get_attribute("#engine-model", "data-shape") == default_shape
        assert page.evaluate("location.hash") == ""
    page.set_input_files("#model-file", files=[{"name": "model.json", "mimeType": "application/json",
                                                "buffer": saved["text"].encode()}])
    page.wait_for_function("document.querySelector('#model-file-status').textContent.startsWith('Loaded')")
    page.wait_for_function("document.querySelector('#intro').dataset.model === 'loaded'")
    wait_idle(page)
    # the training view: the model, its settings everywhere (link included), not stale
    assert page.get_attribute("#engine-model", "data-shape") == SHAPE
    check_controls_show(page, links.decode(LINK)[0])
    assert page.evaluate("location.hash") == "#" + LINK
    assert page.text_content("#train") == "Train" and "is-stale" not in page.get_attribute("#composer", "class")
    assert page.get_attribute("#train-view", "data-epoch") == "3"
    assert len(page.evaluate("window.charts.data('loss-chart', 'losses')")) == 6  # its history
    error = show_beat(page, BEAT)
    assert error == pytest.approx(saved["error"], rel=1e-12, abs=0), (error, saved["error"])
    data = dataset()
    cpython = Experiment.from_json(saved["text"], data).reconstruct(BEAT)["error"]  # the file, in CPython
    print("\nbeat %d error: before saving %r, after loading %r, CPython from the file %r"
          % (BEAT, saved["error"], error, cpython))
    assert error == pytest.approx(cpython, rel=1e-12, abs=0), (error, cpython)
    # the introduction: every test beat's error now comes from the loaded model
    model = serialize.load_model(saved["text"])
    raw = np.asarray(data["test_x"], dtype=np.float32)
    expected = model.errors(model.scaler.transform(raw).astype(np.float64))
    shown = [r["error"] for r in page.evaluate("window.charts.data('intro-hist', 'errors')")]
    assert len(shown) == len(expected) == 500
    assert np.allclose(shown, expected, rtol=1e-5, atol=0)
    assert page.text_content("#intro-model").startswith("Your loaded model (layers %s, trained 3 epochs)" % SHAPE)
    page.locator("#gallery button.beat").nth(2).click()
    i = int(page.locator("#gallery button.beat").nth(2).get_attribute("aria-label").split(",")[0].split()[-1])
    page.wait_for_function("(i) => document.querySelector('#intro-recon').dataset.beat === String(i)", arg=i)
    assert float(page.text_content("#intro-error")) == pytest.approx(expected[i], abs=1e-4)
    outputs = [r["output"] for r in page.evaluate("window.charts.data('intro-recon', 'recon')")]
    recon = model.reconstruct(model.scaler.transform(raw[i:i + 1]).astype(np.float64))[0]
    recon = recon * model.scaler.scale + model.scaler.shift
    assert np.allclose(outputs, recon, atol=2e-3)
    watch.check()
    page.close()


def test_bad_link_is_reported_and_never_injected(warm_profile, base_url):
    bad = "#learning_rate=abc&encoder=0,999&foo=<script>alert(1)</script>&v=99"
    page, watch = open_in(warm_profile, base_url + bad)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.wait_for_function("!document.querySelector('#link-notice').hidden && "
                           "document.querySelector('#shape-text') !== null")
    notice = page.text_content("#link-notice-text")
    for key in ("learning_rate", "encoder", "foo", "v"):
        assert key + " (" in notice, (key, notice)
    assert page.get_attribute("#link-notice", "role") in ("status", "alert")
    html = page.content()
    assert "alert(1)" not in html and "<script>alert" not in html
    scripts = page.evaluate("[...document.querySelectorAll('script')].map(s => s.src || s.textContent.slice(0, 40))")
    clean, clean_watch = open_in(warm_profile, base_url)
    clean.wait_for_function("document.querySelector('#shape-text') !== null")
    assert scripts == clean.evaluate("[...document.querySelectorAll('script')].map(s => s.src || "
                                     "s.textContent.slice(0, 40))")
    clean.close()
    # defaults and clamped values, shown; the hash now says what is applied
    assert page.input_value("#set-learning_rate") == "0.01"
    assert page.text_content("#shape-text") == "140-1-256-2-256-1-140"
    assert page.evaluate("location.hash") == "#v=1&encoder=1,256"
    page.click("#link-notice-close")
    assert page.locator("#link-notice").is_hidden()
    assert not dialogs
    watch.check()
    page.close()


def test_hash_edits_in_place_apply_and_only_the_link_sync_writes_it(warm_profile, base_url):
    page, watch = open_in(warm_profile, base_url)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    wait_ready(page)
    assert page.evaluate("location.hash") == ""  # a plain URL stays plain until something changes
    # editing the hash in place applies it; nothing trained yet, so the link's model is built
    page.evaluate("location.hash = 'v=1&latent=5&optimizer=sgd&epochs=7&hide=advanced,composer,seed'")
    page.wait_for_function("document.querySelector('#set-optimizer').value === 'sgd'")
    assert page.text_content("#shape-text") == "140-15-7-5-7-15-140"
    assert page.input_value("#set-epochs") == "7"
    page.wait_for_function("document.querySelector('#engine-model').dataset.shape === '140-15-7-5-7-15-140'",
                           timeout=20_000)
    wait_idle(page)
    assert page.text_content("#train") == "Train"
    # classroom mode: the named groups, panels and settings are hidden, the rest is not
    assert page.locator("#composer").is_hidden()
    assert page.locator("details.group[data-group='advanced']").is_hidden()
    assert page.locator(".field[data-setting='seed']").is_hidden()
    assert page.locator(".field[data-setting='optimizer']").is_visible()
    assert page.locator("#link-notice").is_hidden()
    # edits write the hash with replaceState: no history entry per change
    length = page.evaluate("history.length")
    set_setting(page, "learning_rate", "0.005")
    page.wait_for_function("location.hash.includes('learning_rate=0.005')")
    set_setting(page, "batch_size", "64")
    page.wait_for_function("location.hash.includes('batch_size=64')")
    assert page.evaluate("history.length") == length
    expected = "v=1&latent=5&optimizer=sgd&learning_rate=0.005&epochs=7&batch_size=64&hide=seed,advanced,composer"
    assert page.evaluate("location.hash") == "#" + expected
    assert page.text_content("#train") == "Rebuild & train"  # changed by hand: stale, as always
    # the view buttons scroll without touching the hash
    page.click("nav button[data-view='train-view']")
    page.wait_for_function("window.scrollY > 300")
    page.click("nav button[data-view='intro']")
    assert page.evaluate("location.hash") == "#" + expected
    # a link edited in place after training marks the model stale instead of throwing it away
    page.click("#step")
    wait_idle(page)
    page.evaluate("location.hash = 'v=1&latent=4'")
    page.wait_for_function("document.querySelector('#shape-text').textContent === '140-15-7-4-7-15-140'")
    assert page.text_content("#train") == "Rebuild & train"
    assert page.get_attribute("#train-view", "data-epoch") == "1"
    assert page.locator("#composer").is_visible()  # hide= left out: everything shows again
    # copy link (clipboard granted here; without it the link is selected for Ctrl+C)
    page.click("#share-copy")
    page.wait_for_function("document.querySelector('#share-status').textContent !== ''")
    assert page.text_content("#share-status").startswith("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == page.evaluate("location.href")
    # the classroom builder: tick boxes, copy a link that hides them
    page.click("#classroom summary")
    page.check("#classroom input[value='model']")
    page.check("#classroom input[value='export']")
    page.click("#classroom-copy")
    page.wait_for_function("document.querySelector('#share-status').textContent.startsWith('Classroom link')")
    assert page.input_value("#share-link").endswith("#v=1&latent=4&hide=model,export")
    assert page.evaluate("navigator.clipboard.readText()").endswith("#v=1&latent=4&hide=model,export")
    assert page.evaluate("location.hash") == "#v=1&latent=4"  # the teacher's own page is unchanged
    watch.check()
    page.close()

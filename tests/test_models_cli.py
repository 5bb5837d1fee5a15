"""python -m models.train and python -m models.bench."""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: tiny matrices, see models/__init__.py
import json
import subprocess
import sys

import pytest

from models import serialize, settings, train

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_every_setting_is_an_option():
    opts = {a.dest for a in train.build_parser()._actions}
    assert {s["key"] for s in settings.SETTINGS} <= opts
    args = train.build_parser().parse_args(["--encoder", "15,7", "--learning_rate", "0.02", "--decoder", ""])
    cfg = train.config_from_args(args)
    assert cfg["encoder"] == [15, 7] and cfg["learning_rate"] == 0.02 and cfg["decoder"] == []


def test_bad_option_is_refused_with_the_key():
    args = train.build_parser().parse_args(["--encoder", "0"])
    with pytest.raises(ValueError, match="encoder"):
        train.config_from_args(args)
    with pytest.raises(SystemExit, match="learning_rate"):
        train.main(["--learning_rate", "-1"])


def test_url_settings_and_explicit_override():
    args = train.build_parser().parse_args(["--url", "http://host/app/#v=1&encoder=20,8&latent=3", "--latent", "4"])
    cfg = train.config_from_args(args)
    assert cfg["encoder"] == [20, 8] and cfg["latent"] == 4


def test_main_trains_prints_and_saves(tmp_path, capsys):
    out = tmp_path / "m.json"
    code = train.main(["--epochs", "2", "--train_size", "300", "--json", "--save", str(out)])
    lines = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    assert code == 0 and [l.get("epoch") for l in lines[:2]] == [1, 2]
    assert 0.5 < lines[-1]["auc"] <= 1 and "metrics" in lines[-1]
    assert serialize.load_model(out.read_text()).config["epochs"] == 2


def test_module_runs_as_a_program():
    r = subprocess.run([sys.executable, "-m", "models.train", "--epochs", "1", "--train_size", "200"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "epoch   1" in r.stdout and "AUC" in r.stdout and "confusion" in r.stdout


def test_help_lists_every_setting():
    out = subprocess.run([sys.executable, "-m", "models.train", "--help"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    for s in settings.SETTINGS:
        assert "--" + s["key"] in out.stdout
    assert "Abnormal samples mixed into training (%)" in out.stdout


def test_a_link_to_your_own_file_trains_on_that_file_and_refuses_another():
    from data import file_settings, user_file
    from models import links
    from models.experiment import Experiment
    good = os.path.join(ROOT, "tests", "fixtures", "good_files")
    path = os.path.join(good, "nab_style.csv")
    with open(path, "rb") as f:
        blob = f.read()
    found = file_settings.to_settings(user_file.parse(blob, "nab_style.csv")["options"], "nab_style.csv", blob)
    config = settings.validate(dict(found, epochs=2, window=16, encoder=[8], latent=2))
    link = "http://127.0.0.1/#" + links.encode(config)
    out = subprocess.run([sys.executable, "-m", "models.train", "--data", path, "--url", link, "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    losses = [json.loads(line)["loss"] for line in out.stdout.splitlines()[:-1]]
    exp = Experiment(config, dict(user_file.to_dataset(user_file.parse(blob, "nab_style.csv"), "nab_style.csv"),
                                  key="file"))
    assert losses == [r["loss"] for r in [exp.train_epoch(), exp.train_epoch()]]
    other = subprocess.run([sys.executable, "-m", "models.train", "--data", os.path.join(good, "one_column.csv"),
                            "--url", link], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert other.returncode != 0 and "is not the file the link names (nab_style.csv)" in other.stderr
    folder = subprocess.run([sys.executable, "-m", "models.train", "--url", link], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert "this link trains on your own file nab_style.csv: give it with --data FILE" in folder.stderr

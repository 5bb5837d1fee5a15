"""ECG5000 loading: good files load; every kind of bad file says what is wrong and where."""
import os

import numpy as np
import pytest

from data import ecg5000, pack
from tests.conftest import ecg_dir

GOOD_ROW = "1.0 " + " ".join(["0.5"] * 140)


def write(tmp_path, text, name="beats.txt"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_real_files_load_with_expected_shapes_and_classes():
    ds = ecg5000.load_folder(ecg_dir())
    assert ds["train_x"].shape == (4500, 140) and ds["test_x"].shape == (500, 140)
    assert ds["train_x"].dtype == np.float32
    assert np.bincount(ds["train_y"]).tolist() == [0, 2627, 1590, 86, 175, 22]
    assert np.bincount(ds["test_y"]).tolist() == [0, 292, 177, 10, 19, 2]


def test_compact_form_round_trips_exactly():
    ds = ecg5000.load_folder(ecg_dir())
    back = pack.from_bytes(pack.to_bytes(ds))
    assert back["about"] == ds["about"] == ecg5000.ABOUT
    for key in ("train_x", "train_y", "test_x", "test_y"):
        assert np.array_equal(ds[key], back[key]) and back[key].dtype == ds[key].dtype


@pytest.mark.parametrize("text, message", [
    ("1.0 0.5 0.5\n", "line 1: expected 141 columns"),
    (GOOD_ROW + "\n6.0 " + " ".join(["0.5"] * 140) + "\n", "line 2: label 6.0 is not a class 1..5"),
    (GOOD_ROW + "\n1.0 " + " ".join(["nan"] * 140) + "\n", "line 2, column 2: value nan is not finite"),
    ("1.0 " + " ".join(["0.5"] * 139) + " inf\n", "column 141: value inf is not finite"),
    ("", "no heartbeats found (empty file)"),
    (GOOD_ROW + "\n" + GOOD_ROW[:200] + "\n", "line 2: expected 141 columns"),
    ("1.0 " + " ".join(["0.5"] * 70) + " abc " + " ".join(["0.5"] * 69) + "\n", "line 1: 'abc' is not a number"),
])
def test_bad_files_are_refused_with_file_and_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ecg5000.DataError) as err:
        ecg5000.load_ucr(path)
    assert "beats.txt" in str(err.value) and message in str(err.value)


def test_row_count_is_checked(tmp_path):
    path = write(tmp_path, GOOD_ROW + "\n" + GOOD_ROW + "\n")
    with pytest.raises(ecg5000.DataError, match="expected 500 heartbeats, found 2"):
        ecg5000.load_ucr(path, expected_rows=500)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ecg5000.DataError, match="ECG5000_TEST.txt: file not found"):
        ecg5000.load_folder(str(tmp_path))


def test_bad_pack_is_refused():
    with pytest.raises(pack.PackError, match="bad magic"):
        pack.from_bytes(b"not a pack at all")


def test_download_refuses_a_file_that_is_not_the_archive_original(tmp_path, monkeypatch):
    """The identity check on downloads, exercised with a local zip served from a file URL."""
    import zipfile
    from builder import dataset
    fake = tmp_path / "ECG5000.zip"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr(ecg5000.POOL_FILE, GOOD_ROW + "\n")
        z.writestr(ecg5000.TEST_FILE, GOOD_ROW + "\n")
    with pytest.raises(ecg5000.DataError, match="git blob id .* expected 305ae1c5"):
        dataset.download(str(tmp_path / "out"), print, url=fake.as_uri())


def test_download_accepts_the_archive_original(tmp_path):
    """The byte-exact UCR TRAIN file passes; we can only check it for the file we hold exactly."""
    with open(os.path.join(ecg_dir(), ecg5000.TEST_FILE), "rb") as f:
        data = f.read()
    assert ecg5000.git_blob_id(data) == ecg5000.ORIGINAL_BLOBS[ecg5000.TEST_FILE]

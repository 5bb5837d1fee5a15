"""A user's own data file (data/user_file.py): every fixture does what tests/fixtures/*/EXPECTED.json
says, detection follows its rules, options override it, and the dataset, its split and its preview
are what the engine and the page expect."""
import io
import json
import os
import pickle
from collections import Counter

import numpy as np
import pytest

from data import about, ecg5000, user_file
from data.user_file import FileError, parse, preview, to_dataset
from tests.conftest import ecg_dir
from tests.fixtures import make_fixtures

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
BAD = json.load(open(os.path.join(FIXTURES, "bad_files", "EXPECTED.json"), encoding="utf-8"))
GOOD = json.load(open(os.path.join(FIXTURES, "good_files", "EXPECTED.json"), encoding="utf-8"))


def fixture(folder, name):
    with open(os.path.join(FIXTURES, folder, name), "rb") as f:
        return f.read()


def refused(blob, name="f.csv", options=None):
    with pytest.raises(FileError) as err:
        parse(blob, name, options)
    return str(err.value)


def rows_text(n=12, cols=5, label=lambda i: i % 3 + 1, delimiter=","):
    """n lines: a label (unless label is None) then cols values that are not whole numbers."""
    lines = []
    for i in range(n):
        cells = ([str(label(i))] if label else []) + [f"{i + c / 10 + 0.05:.2f}" for c in range(cols)]
        lines.append(delimiter.join(cells))
    return "\n".join(lines) + "\n"


# --- the corpus -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_is_refused_naming_the_file_and_where(name):
    expected = BAD[name]
    blob = make_fixtures.generated(name) if expected.get("generated") else fixture("bad_files", name)
    message = refused(blob, name, expected.get("options"))
    assert message.startswith(name) and expected["message"] in message


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_file_parses_as_expected(name):
    expected = GOOD[name]
    parsed = parse(fixture("good_files", name), name)
    assert parsed["kind"] == expected["kind"]
    values = parsed["x"] if parsed["kind"] == "rows" else parsed["values"]
    assert list(values.shape) == expected["shape"] and values.dtype == np.float32
    if parsed["kind"] == "rows":
        found = None if parsed["labels"] is None else dict(Counter(parsed["labels"]))
        assert found == expected["labels"]
    else:
        anomaly = parsed["anomaly"]
        assert (None if anomaly is None else int(anomaly.sum())) == expected["anomaly_points"]
        assert anomaly is None or anomaly.dtype == np.int8
    assert parsed["header"] == expected.get("header")
    assert set(parsed["options"]) == set(user_file.OPTIONS)
    assert expected.get("options", {}).items() <= parsed["options"].items()
    json.dumps(preview(parsed), allow_nan=False)
    to_dataset(parsed, name)


def test_corpus_is_what_the_generator_makes_and_small(tmp_path):
    make_fixtures.build(str(tmp_path))
    for folder in ("bad_files", "good_files"):
        committed = sorted(os.listdir(os.path.join(FIXTURES, folder)))
        assert committed == sorted(os.listdir(tmp_path / folder)), folder
        for name in committed:
            blob = fixture(folder, name)
            assert blob == (tmp_path / folder / name).read_bytes(), f"{folder}/{name} differs from make_fixtures.py"
            assert len(blob) < 20_000, name
        expected = BAD if folder == "bad_files" else GOOD
        on_disk = {n for n, e in expected.items() if not e.get("generated")}
        assert on_disk == set(committed) - {"EXPECTED.json"}
    assert len(BAD) >= 32


def test_series_fixture_values_are_the_generators():
    parsed = parse(fixture("good_files", "series.npy"), "series.npy")
    assert np.array_equal(parsed["values"], np.sin(np.arange(500) / 9).astype(np.float32))


def test_object_npy_is_refused_without_unpickling(monkeypatch):
    def tripwire(*args, **kwargs):
        raise AssertionError("something was unpickled")
    monkeypatch.setattr(pickle, "loads", tripwire)
    monkeypatch.setattr(pickle, "load", tripwire)
    monkeypatch.setattr(pickle, "Unpickler", tripwire)
    assert "never loaded" in refused(fixture("bad_files", "objects.npy"), "objects.npy")


def test_markup_comes_back_as_the_same_text():
    markup = make_fixtures.MARKUP
    parsed = parse(fixture("good_files", "markup.csv"), "markup.csv")
    assert parsed["header"][0] == markup and parsed["header"][1] == "<b>0</b>"
    assert markup in parsed["labels"]
    shown = json.loads(json.dumps(preview(parsed)))
    assert [markup, 5] in shown["labels"] and shown["header"][0] == markup
    ds = to_dataset(parsed, markup + ".csv")
    assert ds["about"]["name"] == markup + ".csv"
    assert [row[1] for row in ds["about"]["classes"]] == [markup, "ok"]
    message = refused((rows_text(12) + "1,2," + markup + ",4,5,6\n").encode())  # a message keeps it too
    assert f"line 13, column 3: '{markup}' is not a number" in message


# --- detection --------------------------------------------------------------------------------

@pytest.mark.parametrize("line, delimiter, decimal", [
    ("a;b,c\t1.5\t2.5", "\t", "."),      # a tab wins over ';' and ','
    ("a\t1,5\t2,5", "\t", ","),
    ("a,b;1,5;2,5", ";", ","),          # ';' wins over ',', and then ',' is a decimal mark
    ("ab,1.5,2.5", ",", "."),
    ("ab  1.5 2.5", "whitespace", "."),
])
def test_delimiter_and_decimal_mark_are_detected(line, delimiter, decimal):
    parsed = parse(((line + "\n") * 12).encode(), "f.txt")
    assert parsed["options"]["delimiter"] == delimiter and parsed["options"]["decimal"] == decimal
    assert parsed["x"][0].tolist() == [1.5, 2.5] and parsed["labels"][0] == line[:line.index("1") - 1].strip()


def test_comma_is_a_delimiter_not_a_decimal_mark_when_no_other_delimiter():
    parsed = parse(("1,5,2,5\n" * 12).encode(), "f.csv", {"labels": "none"})
    assert parsed["options"]["decimal"] == "." and parsed["x"].shape == (12, 4)
    # so a whitespace table with decimal commas needs its delimiter named; the comma is then found
    parsed = parse(("1 2,5 3\n" * 12).encode(), "f.txt", {"delimiter": "whitespace", "labels": "none"})
    assert parsed["options"]["decimal"] == "," and parsed["x"][0].tolist() == [1.0, 2.5, 3.0]


@pytest.mark.parametrize("first, second, header", [
    ("0.5,1.5,2.5", "0.1,0.2,0.3", False),
    ("a,b,c", "0.1,0.2,0.3", True),
    (",0,1", "7,0.5,0.25", True),                     # pandas: an empty first cell over an index column
    ("label,1,2", "3,0.5,0.25", True),                # text above a number
    ("normal,0.5,0.25", "abnormal,0.5,0.25", False),  # text labels on every line are data
    ("1,x,2", "3,0.5,0.25", True),
])
def test_header_is_detected(first, second, header):
    blob = (first + "\n" + (second + "\n") * 12).encode()
    parsed = parse(blob, "f.csv", {"format": "rows"})
    assert parsed["options"]["header"] is header
    assert parsed["x"].shape[0] == 12 + (not header)


@pytest.mark.parametrize("header, kind", [
    ("value", "series"),
    ("timestamp,value", "series"),
    ("timestamp,value,is_anomaly", "series"),
    ("t,reading,anomaly", "series"),
    ("label,x,y", "rows"),                     # a label first is a rows file's label
    ("label," + ",".join(f"t{i}" for i in range(1, 9)), "rows"),
    ("t,a,b,c,is_anomaly", "series"),          # few columns, many lines: a series with extra columns
])
def test_kind_is_detected_from_columns_and_header(header, kind):
    names = header.split(",")
    lines = [",".join(str(i % 2) if "anomaly" in n else f"{i}.{c + 1}" for c, n in enumerate(names)) for i in range(60)]
    assert parse((header + "\n" + "\n".join(lines) + "\n").encode(), "f.csv")["kind"] == kind


def test_rows_labels_rule():
    # whole numbers, few of them, 2+ other columns: labels
    assert parse(rows_text(12, 3).encode(), "f.csv")["options"]["labels"] == "first"
    # one other column: no labels (and 2 values per sample)
    assert parse(rows_text(12, 2, label=None).encode(), "f.csv")["options"]["labels"] == "none"
    # a first column that is not whole numbers is a value
    parsed = parse(rows_text(12, 4, label=lambda i: f"{i}.5").encode(), "f.csv")
    assert parsed["labels"] is None and parsed["x"].shape == (12, 5)
    # more than 50 distinct whole numbers: values too
    parsed = parse(rows_text(60, 4, label=lambda i: i).encode(), "f.csv")
    assert parsed["labels"] is None and parsed["x"].shape == (60, 5)
    # text labels
    parsed = parse(rows_text(12, 4, label=lambda i: "normal" if i % 2 else "abnormal").encode(), "f.csv")
    assert sorted(set(parsed["labels"])) == ["abnormal", "normal"]


def test_series_columns_are_found_by_name_else_last_number():
    body = "".join(f"2024-01-01 00:{i:02d},{i}.5,{i % 7 == 0:d},{i * 2}\n" for i in range(30))
    parsed = parse(("when,value,label,other\n" + body).encode(), "s.csv", {"format": "series"})
    assert parsed["options"]["value_column"] == 2 and parsed["options"]["label_column"] == 3
    assert parsed["values"][:2].tolist() == [0.5, 1.5] and int(parsed["anomaly"].sum()) == 5
    parsed = parse(("when,reading,outlier\n" + "".join(f"t{i},{i}.25,0\n" for i in range(30))).encode(), "s.csv")
    assert parsed["options"]["value_column"] == 2 and parsed["values"][1] == 1.25


def test_line_numbers_count_blank_lines_and_every_line_ending():
    lines = rows_text(12).splitlines()
    lines[5] = "1,2,x,4,5,6"
    text = "a,b,c,d,e,f\r\n\r\n" + "\r".join(lines[:3]) + "\n\n" + "\n".join(lines[3:]) + "\n"
    # header 1, blank 2, data 3-5 (lone CR), blank 6, data from 7: lines[5] is line 9
    assert "line 9, column 3: 'x' is not a number" in refused(text.encode())


@pytest.mark.parametrize("cell", ["1_0", "\u0661\u0662", "0x10", "1.5e"])
def test_cells_python_would_read_but_numpy_does_not_are_named(cell):
    # float() reads "1_0" and Arabic-Indic digits; NumPy's parser does not, and the message must
    # still name the cell rather than fall back to NumPy's own row count
    message = refused((rows_text(12, label=None) + f"1,2,{cell},4,5\n").encode())
    assert f"line 13, column 3: '{cell}' is not a number" in message


def test_utf16_big_endian_with_bom_is_read():
    text = "label,a,b,c\n" + rows_text(12, 3)
    parsed = parse(b"\xfe\xff" + text.encode("utf-16-be"), "be.csv")
    assert parsed["x"].shape == (12, 3) and parsed["header"] == ["label", "a", "b", "c"]


def test_quoted_numbers_and_names():
    text = '"label","a","b"\n' + "".join(f'{i % 2},"{i}.5",{i}.25\n' for i in range(12))
    parsed = parse(text.encode(), "q.csv")
    assert parsed["header"] == ["label", "a", "b"] and parsed["x"][3].tolist() == [3.5, 3.25]


# --- options ----------------------------------------------------------------------------------

def test_options_override_detection():
    text = rows_text(12, 4)
    assert parse(text.encode(), "f.csv", {"labels": "none"})["x"].shape == (12, 5)
    assert "line 1, column 1: 'label' is not a number" in refused(("label,a,b,c,d\n" + text).encode(),
                                                                  options={"header": False, "labels": "none"})
    parsed = parse(rows_text(30).encode(), "f.csv", {"format": "series", "value_column": 3, "label_column": 0})
    assert parsed["kind"] == "series" and parsed["values"][1] == np.float32(1.15) and parsed["anomaly"] is None
    parsed = parse(text.replace(",", ";").encode(), "f.csv", {"delimiter": ";", "decimal": "."})
    assert parsed["x"].shape == (12, 4)
    assert parse(b"1.5 2.5 3.5\n" * 12, "f.txt", {"delimiter": "whitespace"})["x"].shape == (12, 3)


def test_resolved_options_parse_the_file_the_same_way_again():
    for name in GOOD:
        blob = fixture("good_files", name)
        first = parse(blob, name)
        again = parse(blob, name, first["options"])
        assert again["options"] == first["options"]
        key = "x" if first["kind"] == "rows" else "values"
        assert np.array_equal(first[key], again[key]) and again.get("labels") == first.get("labels")


@pytest.mark.parametrize("options, message", [
    ({"delimiter": "|"}, "options: delimiter '|' is not one of"),
    ({"format": "table"}, "options: format 'table' is not one of 'rows', 'series'"),
    ({"header": "yes"}, "options: header 'yes' is not one of True, False"),
    ({"header": 1}, "options: header '1' is not one of"),
    ({"labels": True}, "options: labels 'True' is not one of"),
    ({"value_column": 0}, "options: value_column '0' is not a column number"),
    ({"value_column": True}, "options: value_column 'True' is not a column number"),
    ({"label_column": -1}, "options: label_column '-1' is not a column number"),
    ({"label_column": "2"}, "options: label_column '2' is not a column number"),
    ({"delimiter": ",", "decimal": ","}, "options: decimal ',' cannot be used with delimiter ','"),
    ({"format": "series", "value_column": 2, "label_column": 2}, "value_column and label_column are both column 2"),
    (["delimiter"], "options must be a dict"),
])
def test_bad_options_are_named(options, message):
    assert message in refused(rows_text(30).encode(), options=options)


# --- limits -----------------------------------------------------------------------------------

def test_size_limit_is_the_stated_one():
    assert user_file.MAX_BYTES == 64 * 1024 * 1024 and "64 MiB" in user_file.__doc__
    # exactly at the limit the size is not what is refused
    assert "only blank lines" in refused(b" " * user_file.MAX_BYTES)
    assert "is over the limit of 64 MB" in refused(b" " * (user_file.MAX_BYTES + 1))


def test_ten_thousand_whole_numbers_are_values_unless_labels_are_asked_for():
    blob = make_fixtures.generated("many_number_labels.csv")
    parsed = parse(blob, "ids.csv")
    assert parsed["labels"] is None and parsed["x"].shape == (10_000, 3)
    assert "10,000 distinct labels" in refused(blob, "ids.csv", {"labels": "first"})


def test_npy_limits_and_format_override():
    def npy(arr):
        out = io.BytesIO()
        np.save(out, arr)
        return out.getvalue()
    assert "one row" in refused(npy(np.zeros((1, 140))), "a.npy")
    assert "9 rows" in refused(npy(np.zeros((9, 140))), "a.npy")
    assert "10,001 values per row" in refused(npy(np.zeros((10, 10_001), np.float32)), "a.npy")
    assert "19 points" in refused(npy(np.zeros(19)), "a.npy")
    assert "point 4: inf is not a finite number" in refused(npy(np.array([0, 1, 2, np.inf] * 10)), "a.npy")
    assert "is too large for float32" in refused(npy(np.full((10, 3), 1e300)), "a.npy")
    parsed = parse(npy(np.arange(30.0).reshape(1, 30)), "a.npy", {"format": "series"})
    assert parsed["kind"] == "series" and parsed["values"].shape == (30,)
    assert "not one series" in refused(npy(np.zeros((10, 3))), "a.npy", {"format": "series"})
    assert "format rows needs a 2-D array" in refused(npy(np.zeros(30)), "a.npy", {"format": "rows"})
    fortran = np.asfortranarray(np.arange(60.0).reshape(12, 5))
    assert np.array_equal(parse(npy(fortran), "f.npy")["x"], fortran.astype(np.float32))


def test_a_renamed_npy_is_known_by_its_magic_and_a_npy_name_alone_means_nothing():
    out = io.BytesIO()
    np.save(out, np.ones((12, 3), np.float32))
    assert parse(out.getvalue(), "data.csv")["x"].shape == (12, 3)
    assert parse(rows_text(12).encode(), "data.npy")["x"].shape == (12, 5)


# --- to_dataset -------------------------------------------------------------------------------

def test_split_is_every_fifth_row_fixed():
    text = "".join(f"{i % 2 + 1},{i}.5,{i}.25\n" for i in range(23))
    ds = to_dataset(parse(text.encode(), "f.csv"), "f.csv")
    assert ds["test_x"][:, 0].tolist() == [4.5, 9.5, 14.5, 19.5]
    assert ds["train_x"].shape == (19, 2) and ds["train_x"][:5, 0].tolist() == [0.5, 1.5, 2.5, 3.5, 5.5]
    assert ds["train_x"].dtype == np.float32 and ds["train_y"].dtype == np.int64 and ds["test_y"].dtype == np.int64
    assert ds["test_y"].tolist() == [1, 2, 1, 2]


def test_classes_are_numbered_in_numeric_order_and_keep_their_text():
    labels = ["10", "9", "-1", "9", "10", "10", "2e0", "9"] * 2
    text = "".join(f"{lab},{i}.5,{i}.25\n" for i, lab in enumerate(labels))
    ds = to_dataset(parse(text.encode(), "f.csv"), "f.csv")
    assert ds["about"]["classes"] == [[1, "-1", "-1"], [2, "2e0", "2e0"], [3, "9", "9"], [4, "10", "10"]]
    assert ds["train_y"][:3].tolist() == [4, 3, 1]
    assert ds["about"]["normal"] == [3]  # 9 and 10 are as frequent: the smaller class wins the tie
    assert ds["about"]["labelled"] is True and ds["about"]["length"] == 2 and ds["about"]["sample"] == "sample"


def test_text_classes_are_in_text_order_and_normal_can_be_chosen():
    labels = ["normal", "abnormal", "normal", "Zed"] * 4
    text = "".join(f"{lab},{i}.5,{i}.25\n" for i, lab in enumerate(labels))
    parsed = parse(text.encode(), "f.csv")
    ds = to_dataset(parsed, "f.csv")
    assert [c[1] for c in ds["about"]["classes"]] == ["Zed", "abnormal", "normal"] and ds["about"]["normal"] == [3]
    assert to_dataset(parsed, "f.csv", normal=[1, 2])["about"]["normal"] == [1, 2]
    with pytest.raises(FileError, match=r"f.csv: normal must list classes among \[1, 2, 3\]"):
        to_dataset(parsed, "f.csv", normal=[4])
    with pytest.raises(FileError, match="normal must list"):
        to_dataset(parsed, "f.csv", normal=[])


def test_unlabelled_rows_are_one_normal_class():
    ds = to_dataset(parse(rows_text(12, 4, label=None).encode(), "u.csv"), "u.csv")
    assert ds["about"]["classes"] == [[0, "Unlabelled", "Unlabelled"]] and ds["about"]["normal"] == [0]
    assert ds["about"]["labelled"] is False and set(ds["train_y"].tolist()) == {0}
    assert about.describe(**{k: ds["about"][k] for k in ("name", "sample", "length", "classes", "normal",
                                                          "labelled")}) == ds["about"]


def test_series_dataset_keeps_time_order():
    parsed = parse(fixture("good_files", "nab_style.csv"), "nab.csv")
    ds = to_dataset(parsed, "nab.csv")
    assert ds["kind"] == "series" and ds["train_end"] == 150 and ds["series"] is parsed["values"]
    assert ds["anomaly"].dtype == np.int8
    assert ds["about"]["classes"] == [[0, "Normal", "Normal"], [1, "Anomaly", "Anomaly"]]
    assert ds["about"]["normal"] == [0] and ds["about"]["labelled"] and ds["about"]["sample"] == "window"
    assert ds["about"]["length"] == 2
    ds = to_dataset(parse(fixture("good_files", "one_column.csv"), "c.csv"), "c.csv")
    assert ds["anomaly"] is None and ds["train_end"] == 100 and ds["about"]["labelled"] is False
    assert ds["about"]["classes"] == [[0, "Unlabelled", "Unlabelled"]]


def test_round_trip_of_ecg5000_rows_as_ucr_csv():
    with open(os.path.join(ecg_dir(), ecg5000.TEST_FILE)) as f:
        lines = f.read().splitlines()[:200]
    beats, classes = ecg5000.parse_ucr("\n".join(lines))
    csv = "".join(",".join(line.split()) + "\n" for line in lines)
    parsed = parse(csv.encode(), "ecg.csv")
    assert parsed["options"]["labels"] == "first" and np.array_equal(parsed["x"], beats)
    assert [float(t) for t in parsed["labels"]] == classes.tolist()
    ds = to_dataset(parsed, "ecg.csv")
    assert [c[1] for c in ds["about"]["classes"]] == sorted(set(parsed["labels"]), key=float)
    assert ds["about"]["normal"] == [1] and ds["about"]["length"] == 140
    assert np.array_equal(parse("\n".join(lines).encode(), "ecg.txt")["x"], beats)  # the UCR text itself


# --- preview ----------------------------------------------------------------------------------

def test_preview_caps_and_json():
    labels = [f"class {i:02d}" for i in range(25)]
    # class 24 comes first in the file, class 00 last and most often
    text = "".join(f"{labels[24 - min(i % 40, 24)]}," + ",".join(f"{i}.{c}" for c in range(700)) + "\n"
                   for i in range(80))
    shown = preview(parse(text.encode(), "p.csv"))
    json.dumps(shown, allow_nan=False)
    assert shown["rows"] == 80 and shown["length"] == 700
    assert len(shown["labels"]) == 20 and shown["more"] == 5 and shown["labels"][0] == ["class 00", 32]
    assert shown["labels"][1] == ["class 01", 2]  # ties in class order, not the order they come in
    assert len(shown["samples"]) == 5 and shown["step"] == 3 and len(shown["samples"][0]) == 234
    assert shown["samples"][1][:2] == [1.0, 1.3] and shown["warnings"] == []


def test_preview_of_a_series_and_its_warnings():
    shown = preview(parse(("\n".join(f"{i / 4}" for i in range(5000)) + "\n").encode(), "s.csv"))
    json.dumps(shown, allow_nan=False)
    assert shown["points"] == 5000 and shown["anomaly_points"] is None and shown["step"] == 7
    assert len(shown["head"]) == 286 and shown["head"][:2] == [0.0, 1.75]
    assert shown["warnings"] == ["no anomaly labels: every point is taken as normal; ROC and AUC need labelled anomalies"]
    body = "".join(f"{i},{i}.5,0\n" for i in range(30))
    shown = preview(parse(("t,value,is_anomaly\n" + body).encode(), "s.csv"))
    assert shown["anomaly_points"] == 0 and "marks no point" in shown["warnings"][0]


def test_one_class_is_accepted_with_a_warning():
    parsed = parse(rows_text(12, 4, label=lambda i: "beat").encode(), "one.csv")
    assert preview(parsed)["warnings"] == ["only one class (beat): ROC and AUC need at least one sample of another class"]
    ds = to_dataset(parsed, "one.csv")
    assert ds["about"]["classes"] == [[1, "beat", "beat"]] and ds["about"]["labelled"] is True
    assert "no labels" in preview(parse(rows_text(12, 4, label=None).encode(), "u.csv"))["warnings"][0]


def test_long_user_text_is_cut_in_messages_only():
    label = "x" * 500
    parsed = parse(rows_text(12, 4, label=lambda i: label).encode(), "one.csv")
    assert parsed["labels"][0] == label and len(preview(parsed)["warnings"][0]) < 200
    message = refused((rows_text(12, 4, label=None) + "1,2," + "y" * 500 + ",4\n").encode())
    assert "y" * 100 + "…'" in message and "y" * 101 not in message

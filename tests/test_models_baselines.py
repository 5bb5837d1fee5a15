"""models/detectors.py: the table of classical detectors compared with the autoencoder, its settings,
and that it imports under the browser's MicroPython."""
import pytest

from models import settings
from models.detectors import BY_NAME, DETECTORS

NAMES = [d["name"] for d in DETECTORS]


def test_the_table_names_settings_of_its_own_group():
    assert NAMES == ["knn", "lof", "ocsvm", "iforest", "pca"] and list(BY_NAME) == NAMES
    for d in DETECTORS:
        assert d["label"] and d["score"]
        assert all(settings.BY_KEY[key]["group"] == "baselines" for key in d["keys"])
    cfg = settings.defaults()
    assert cfg["baselines"] == "off" and cfg["knn_k"] == 5 and cfg["lof_k"] == 20 and cfg["ocsvm_nu"] == 0.05
    assert cfg["ocsvm_gamma"] == "scale" and cfg["iforest_trees"] == 100 and cfg["pca_components"] == 8


@pytest.mark.needs_node_modules
def test_the_table_imports_under_micropython(tmp_path):
    from test_links_micropython import run_micropython
    script = "import json\nfrom models import detectors\nprint(json.dumps(detectors.DETECTORS))\n"
    assert run_micropython(tmp_path, {}, script) == DETECTORS

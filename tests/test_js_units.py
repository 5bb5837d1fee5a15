"""Unit tests of the engine worker's JavaScript, run by Node's own test runner (`node --test`):
the zip reader of static/numpy-wheel.mjs on zips Python's zipfile writes, zip64 and damaged ones
included (tests/zip_reader.test.mjs), and the check that guards the fast start-up paths of
static/pyodide-fast-paths.mjs (tests/fast_paths_check.test.mjs)."""
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("script", ["zip_reader.test.mjs", "fast_paths_check.test.mjs"])
def test_node_unit_tests(script):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the worker's JavaScript is tested in Node")
    out = subprocess.run([node, "--test", "--test-reporter=tap", os.path.join("tests", script)], cwd=ROOT,
                         env=dict(os.environ, PYTHON=sys.executable), capture_output=True, text=True, timeout=120)
    failed = [line for line in out.stdout.splitlines() if line.startswith("not ok")]
    assert out.returncode == 0 and not failed, out.stdout[-6000:] + out.stderr[-2000:]
    passed = re.search(r"^# pass (\d+)$", out.stdout, re.M)
    assert passed and int(passed.group(1)) >= 9, out.stdout[-2000:]

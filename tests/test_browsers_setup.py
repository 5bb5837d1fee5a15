"""`python build.py test` sets up the browsers its tests drive (builder/browsers.py): as root it
installs the missing Debian packages, and only those; otherwise it stops with the apt-get line."""
import os
import subprocess
import types

import pytest

from builder import browsers


def test_every_browser_the_tests_drive_is_here():
    """After `python build.py test`'s set-up (it ran before these tests), nothing is missing."""
    assert browsers.missing() == []
    assert os.access(browsers.minibrowser(), os.X_OK)
    for path in (browsers.CHROMIUM, browsers.FIREFOX, browsers.WEBKIT_DRIVER, browsers.XVFB):
        assert os.access(path, os.X_OK), path


@pytest.fixture
def machine(tmp_path, monkeypatch):
    """Two of the packages missing (their files in tmp_path, absent), apt-get recorded, not run:
    an install that works creates the files of the packages it names."""
    fake = {name: str(tmp_path / name.replace("-", "_")) for name in ("firefox-esr", "xvfb")}
    monkeypatch.setattr(browsers, "PACKAGES", dict(browsers.PACKAGES, **fake))
    m = types.SimpleNamespace(runs=[], apt_works=True, apt_says="")

    def run(command, env=None, **kwargs):
        m.runs.append((command, env.get("DEBIAN_FRONTEND")))
        if command[:2] == ["apt-get", "install"] and m.apt_works:
            for name in command[2:]:
                if name in fake:
                    open(fake[name], "w").close()
        return subprocess.CompletedProcess(command, 0 if m.apt_works else 100, stdout=m.apt_says)

    monkeypatch.setattr(browsers.subprocess, "run", run)
    return m


def test_without_root_it_stops_with_the_exact_apt_get_line_and_installs_nothing(machine, monkeypatch):
    monkeypatch.setattr(browsers.os, "geteuid", lambda: 1000)
    with pytest.raises(SystemExit) as stop:
        browsers.ensure(print)
    assert "apt-get update && apt-get install -y firefox-esr xvfb\n" in str(stop.value) + "\n"
    assert machine.runs == []


def test_as_root_it_installs_only_what_is_missing_quietly_and_says_so_in_one_line(machine, monkeypatch):
    monkeypatch.setattr(browsers.os, "geteuid", lambda: 0)
    said = []
    browsers.ensure(said.append)
    assert machine.runs == [(["apt-get", "update", "-q"], "noninteractive"),
                       (["apt-get", "install", "-y", "-q", "firefox-esr", "xvfb"], "noninteractive")]
    assert len(said) == 1 and said[0].startswith("installed Debian packages for the browser tests: firefox-esr xvfb")
    machine.runs.clear()
    browsers.ensure(said.append)  # now nothing is missing: nothing runs
    assert machine.runs == [] and len(said) == 1


def test_only_the_packages_a_command_needs_are_asked_for(machine, monkeypatch):
    monkeypatch.setattr(browsers.os, "geteuid", lambda: 1000)
    browsers.ensure(print, ("chromium",))  # what `bench` needs is here: no stop
    assert machine.runs == []


def test_a_failing_apt_get_stops_with_its_own_words(machine, monkeypatch):
    monkeypatch.setattr(browsers.os, "geteuid", lambda: 0)
    machine.apt_works, machine.apt_says = False, "E: Unable to locate package firefox-esr"
    with pytest.raises(SystemExit) as stop:
        browsers.ensure(print)
    assert "E: Unable to locate package firefox-esr" in str(stop.value)
    assert "`apt-get update -q` failed (exit 100)" in str(stop.value)


def test_a_package_whose_file_is_still_missing_after_the_install_is_named(machine, monkeypatch, tmp_path):
    monkeypatch.setattr(browsers.os, "geteuid", lambda: 0)
    monkeypatch.setitem(browsers.PACKAGES, "xvfb", str(tmp_path / "elsewhere" / "Xvfb"))
    with pytest.raises(SystemExit) as stop:
        browsers.ensure(print)
    assert "still missing: xvfb (%s)" % (tmp_path / "elsewhere" / "Xvfb") in str(stop.value)

"""The browsers the end-to-end tests drive, all from Debian's packages, and their set-up.

Chromium through Playwright for Python, Firefox ESR over WebDriver BiDi through npm puppeteer-core,
and WebKit (WebKitGTK's MiniBrowser, Safari's engine) through WebKitWebDriver and PyPI selenium,
on a virtual X display (Xvfb): MiniBrowser's own --headless mode hung. `python build.py test`
installs what is missing when it runs as root, and otherwise stops with the `apt-get` line to run.
Standard library only: build.py calls it before anything else is set up.
"""
import glob
import os
import subprocess
import sys
import time

CHROMIUM = "/usr/bin/chromium"
FIREFOX = "/usr/bin/firefox-esr"
WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
XVFB = "/usr/bin/Xvfb"
# libwebkit2gtk-4.1-0 (a dependency of webkit2gtk-driver) ships it under the machine's multiarch folder
MINIBROWSER_PATTERN = "/usr/lib/*/webkit2gtk-4.1/MiniBrowser"

# Debian package -> a file it installs, whose absence means the package is missing.
PACKAGES = {
    "chromium": CHROMIUM,
    "firefox-esr": FIREFOX,
    "webkit2gtk-driver": WEBKIT_DRIVER,
    "libwebkit2gtk-4.1-0": MINIBROWSER_PATTERN,
    "xvfb": XVFB,
}


def minibrowser():
    """WebKitGTK's MiniBrowser, or None when it is not installed."""
    found = sorted(glob.glob(MINIBROWSER_PATTERN))
    return found[0] if found else None


def missing(packages=tuple(PACKAGES)):
    return [p for p in packages if not glob.glob(PACKAGES[p])]


def install_line(packages):
    return "apt-get update && apt-get install -y " + " ".join(packages)


def ensure(log, packages=tuple(PACKAGES)):
    """Install the missing `packages` from Debian (as root), or exit saying what to run."""
    wanted = missing(packages)
    if not wanted:
        return
    if os.geteuid() != 0:
        sys.exit("[build] the browser tests need Debian packages that are missing: %s\n"
                 "[build] install them as root, then run this again:\n    %s"
                 % (", ".join(wanted), install_line(wanted)))
    t = time.perf_counter()
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *wanted]):
        done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if done.returncode != 0:
            sys.exit("%s\n[build] `%s` failed (exit %d): the browser tests need %s"
                     % (done.stdout[-4000:], " ".join(command), done.returncode, ", ".join(wanted)))
    still = missing(wanted)
    if still:
        sys.exit("[build] apt-get installed %s, yet these are still missing: %s"
                 % (", ".join(wanted), ", ".join("%s (%s)" % (p, PACKAGES[p]) for p in still)))
    log("installed Debian packages for the browser tests: %s (apt-get, %.0f s)"
        % (" ".join(wanted), time.perf_counter() - t))

"""Same-run A/B of the app's start-up: another build's dist/ against this one's, visits alternating.

    .venv/bin/python -m builder.ab OTHER_DIST [ROUNDS]

This machine's speed drifts by tens of percent within minutes, so two `python build.py bench` runs
cannot say whether a change made start-up slower; alternating visits to both builds in one run can.
Each build is served from an origin of its own (its own service worker and Python snapshot); each
round makes one cold visit and four warm reloads of each, the first build going first in even
rounds. Prints medians: engine ready cold and warm, first paint, click to reconstruction, and the
warm visits' engine milestones (builder/bench.py visit() measures them as the benchmark does).
"""
import statistics
import sys

from builder import bench, csp_waits, server


def main(argv):
    other, rounds = argv[0], int(argv[1]) if len(argv) > 1 else 4
    from playwright.sync_api import sync_playwright
    csp_waits.install()  # the page's Content-Security-Policy forbids eval (builder/csp_waits.py)
    builds = {"other": other, "this": bench.DIST}
    urls = {name: server.start_in_background(folder, counter=bench.Counter())[1] for name, folder in builds.items()}
    got = {name: {"cold": [], "warm": [], "paint": [], "click": [], "marks": []} for name in builds}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=bench.CHROMIUM, args=bench.ARGS)
        for r in range(rounds):
            for name in (list(builds) if r % 2 == 0 else list(reversed(list(builds)))):
                ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                ctx.add_init_script(bench.LONGEST_TASK)
                page = ctx.new_page()
                counter = bench.Counter()
                cold = bench.visit(page, counter, urls[name])
                got[name]["cold"].append(cold[0])
                got[name]["paint"].append(cold[1])
                for _ in range(4):
                    warm = bench.visit(page, counter, None)
                    got[name]["warm"].append(warm[0])
                    got[name]["marks"].append(warm[3])
                got[name]["click"].append(bench.click_to_reconstruction(page))
                ctx.close()
        browser.close()
    for name, v in got.items():
        marks = [m for m in v["marks"][0] if all(m in x for x in v["marks"])]
        print("%s: ready cold %.2f s, warm %.2f s; first paint %.2f s; click %.1f ms (medians of %d rounds)"
              % (name, statistics.median(v["cold"]), statistics.median(v["warm"]),
                 statistics.median(v["paint"]), statistics.median(v["click"]), rounds))
        print("  warm milestones (ms):", {m: statistics.median(x[m] for x in v["marks"]) for m in marks})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Dashboard speed, measured in a real browser (headless Debian chromium) against a served
dashboard: first render from a cold start and with a preheated kernel, beside the control (the
same page in a browser that refuses plotly.js: what Voila's front end and the widgets take
without the figures); and the time from a control change (Enter in a slider's box) to the MADR
bars of the figure drawn anew, measured in the page. Also the kernel's side of a change,
in-process.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from _timing import best_of, report

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "data" / "scenarios"


def kernel_side() -> None:
    from tariffmodel.dashboards.madr import MadrDashboard

    page = MadrDashboard(SCENARIOS, "nedc-base.yaml")
    values = iter([1.6, 1.7] * 100)

    def change():
        page.x_control.value = next(values)

    report("kernel: one change (edits, engine, views, downloads)", 1e3 * best_of(change, 20), "ms")
    report("kernel: of which the engine and scenario edit", 1e3 * page.last_compute_s, "ms")


def in_browser() -> None:
    from playwright.sync_api import sync_playwright

    # the browser driver lives with the browser tests
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from browser import driver as db

    logs = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    with sync_playwright() as pw:
        browser = db.launch_chromium(pw)
        with db.serve(SCENARIOS, logs / "cold.log", pool_size=0) as srv:
            page, cold = db.open_dashboard(browser, srv.page_url())
            page.close()
        report("first render, cold start (no preheated kernel)", cold, "s", "< 8 s")

        with db.serve(SCENARIOS, logs / "warm.log", pool_size=1) as srv:
            # three renders, each followed by the control (the same page without its figures:
            # Voila's own front end and the widgets), alternately, so that both see the same
            # host
            warm, control = [], []
            for k in range(6):
                srv.wait_pool(count=k + 1)
                # the pool reports "filled" once its kernels have started: wait until they
                # have run the dashboards too (server and kernels idle)
                srv.wait_quiet(seconds=1.0)
                if k % 2:
                    control.append(db.open_without_figures(browser, srv.page_url()))
                    continue
                page, seconds = db.open_dashboard(browser, srv.page_url())
                warm.append(seconds)
                if k < 4:
                    page.close()
            report("first render, preheated kernel (best of 3)", min(warm), "s")
            report("first render, preheated kernel (median of 3)", statistics.median(warm), "s",
                   "< 1.5 s")  # fmt: skip
            report("first render, preheated kernel (worst of 3)", max(warm), "s")
            report("control: no figures, MADR table shown (median of 3)",
                   statistics.median(control), "s")  # fmt: skip

            latencies = []
            for k in range(12):
                value = "1.60" if k % 2 else "1.70"
                latencies.append(db.set_slider(page, "tm-x", value, measure=True))
                time.sleep(0.3)
            report("control change to figure drawn, median of 12", statistics.median(latencies),
                   "ms", "< 300 ms")  # fmt: skip
            report("control change to figure drawn, worst of 12", max(latencies), "ms")
            page.close()
        browser.close()


def main() -> None:
    kernel_side()
    in_browser()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()

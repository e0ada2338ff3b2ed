"""Dashboards under load, in a real browser (headless Debian chromium): ten visitors open pages
within ten seconds (six MADR, four AMR, one every second, each in a fresh browser profile);
prints the time from each visitor's arrival to the page rendered, the server's and each
kernel's memory with every page open, and the seconds until the kernels are back to the
preheated pool once every visitor has left.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from _timing import report

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "data" / "scenarios"
VISITORS = ("madr", "amr") * 2 + ("madr",) * 2 + ("madr", "amr") * 2  # 6 MADR, 4 AMR
READY = {"madr": ".tm-madr", "amr": ".tm-amr-npv_allowance"}


def main() -> None:
    from playwright.sync_api import sync_playwright

    # the browser driver lives with the browser tests
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import driver as db

    logs = Path(tempfile.mkdtemp(prefix="bench-dashboard-load-"))
    with sync_playwright() as pw, db.serve(SCENARIOS, logs / "load.log", pool_size=1) as srv:
        browser = db.launch_chromium(pw)
        srv.wait_pool("amr_dashboard.ipynb")
        srv.wait_pool("madr_dashboard.ipynb")
        srv.wait_quiet(seconds=1.0)
        pool = len(srv.kernels())
        # the visitors' browsers open first (fresh profiles), then one arrives a second
        tabs = [browser.new_page(viewport={"width": 1440, "height": 900}) for _ in VISITORS]
        pages, arrived = [], []
        t0 = time.perf_counter()
        for k, (kind, page) in enumerate(zip(VISITORS, tabs, strict=True)):
            time.sleep(max(0.0, t0 + k - time.perf_counter()))
            arrived.append(time.perf_counter())
            # navigation started, not awaited: the next visitor comes a second later whatever
            # the server is doing
            page.evaluate("url => { window.location.href = url; }",
                          srv.page_url(f"{kind}_dashboard.ipynb"))  # fmt: skip
            pages.append((kind, page))
        rendered = []
        for (kind, page), start in zip(pages, arrived, strict=True):
            page.wait_for_selector(READY[kind], timeout=300_000)
            page.wait_for_selector(db.FIGURE_BAR, state="attached", timeout=300_000)
            rendered.append(time.perf_counter() - start)
        print(f"  {len(pages)} visitors within {arrived[-1] - arrived[0]:.1f} s; rendered after "
              + ", ".join(f"{s:.1f}" for s in rendered) + " s")  # fmt: skip
        report("visitor's wait to a rendered page, median of 10", statistics.median(rendered), "s")
        report("visitor's wait to a rendered page, worst of 10", max(rendered), "s")
        kernels = [db.memory_mb(pid) for pid in srv.kernels()]
        report("server memory, every page open", db.memory_mb(srv.proc.pid), "MB")
        report(f"kernel memory, median of {len(kernels)}", statistics.median(kernels), "MB",
               "< 150 MB")  # fmt: skip
        report(f"all {len(kernels)} kernels", sum(kernels), "MB")
        for _kind, page in pages:
            db.leave(page)
        waited = srv.wait_kernels(at_most=pool, timeout=120)
        report("every page left to kernels back to the pool", waited, "s", "< 60 s")
        browser.close()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()

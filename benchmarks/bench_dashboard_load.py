"""Dashboards under load, in a real browser (headless Debian chromium), each visitor in a fresh
browser profile: five pages opened at once (three MADR, two AMR) on a server whose pool holds
three preheated kernels per dashboard (first visits, then visitors who have opened the page
before), then ten visitors within ten seconds (six MADR, four AMR, one every second) on the
server's defaults (a pool of one). Prints the time from each visitor's arrival to the page
rendered (and to its first widgets shown), beside a control (the five first visits in
browsers that refuse plotly.js: what Voila's front end and the widgets take without the
figures), the server's and each kernel's memory with every page open, and the seconds until
the pages' kernels are shut down once every visitor has left.
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
FIVE = ("madr", "amr", "madr", "amr", "madr")
READY = {"madr": ".tm-madr", "amr": ".tm-amr-npv_allowance"}


def visitors(db, srv, contexts, kinds, every: float, figures: bool = True):
    """Open a page per kind in ``kinds``, one every ``every`` seconds, each in a browser profile
    of its own (``contexts``); return (kind, page, seconds from arrival to the first widgets
    shown, seconds to the page rendered) for each (``figures`` False: the browsers refuse
    plotly.js, and a page is rendered once its first widgets are shown)."""
    # the visitors' browsers open first, then they arrive
    tabs = [context.new_page() for context in contexts]
    pages, arrived = [], []
    t0 = time.perf_counter()
    for k, (kind, page) in enumerate(zip(kinds, tabs, strict=True)):
        time.sleep(max(0.0, t0 + k * every - time.perf_counter()))
        arrived.append(time.perf_counter())
        # navigation started, not awaited: the next visitor comes whatever the server is doing
        page.evaluate("url => { window.location.href = url; }",
                      srv.page_url(f"{kind}_dashboard.ipynb"))  # fmt: skip
        pages.append((kind, page))
    out = []
    for (kind, page), start in zip(pages, arrived, strict=True):
        page.wait_for_selector(READY[kind], timeout=300_000)
        shown = time.perf_counter() - start
        if figures:
            page.wait_for_selector(db.FIGURE_BAR, state="attached", timeout=300_000)
        out.append((kind, page, shown, time.perf_counter() - start))
    print(f"  {len(kinds)} visitors within {arrived[-1] - arrived[0]:.1f} s; first widgets "
          "after " + ", ".join(f"{s:.1f}" for *_, s, _ in out) + " s; rendered after "
          + ", ".join(f"{s:.1f}" for *_, s in out) + " s")  # fmt: skip
    return out


def session(pw, db, *, pool_size: int, refill: float, kinds, every: float, label: str,
            target: str = "", returning: bool = False, figures: bool = True) -> None:  # fmt: skip
    """One server with ``pool_size`` preheated kernels per dashboard, refilled ``refill``
    seconds after a kernel is taken; the visitors come (``returning``: each has opened the
    page once before, so that their browser holds its code; ``figures`` False: their browsers
    refuse plotly.js, the control), the figures are printed, every visitor leaves."""
    logs = Path(tempfile.mkdtemp(prefix="bench-dashboard-load-"))
    extra = ["--refill-delay", f"{refill:g}"]
    with db.serve(SCENARIOS, logs / "load.log", pool_size=pool_size, extra=extra) as srv:
        browser = db.launch_chromium(pw)
        srv.wait_pool("amr_dashboard.ipynb")
        srv.wait_pool("madr_dashboard.ipynb")
        srv.wait_quiet(seconds=1.0)
        pool = len(srv.kernels())
        contexts = [browser.new_context(viewport={"width": 1440, "height": 900}) for _ in kinds]
        if not figures:
            for context in contexts:
                db.refuse_figures(context)
        if returning:
            for context, kind in zip(contexts, kinds, strict=True):
                page = context.new_page()
                page.goto(srv.page_url(f"{kind}_dashboard.ipynb"))
                page.wait_for_selector(db.FIGURE_BAR, state="attached", timeout=300_000)
                db.leave(page)
            deadline = time.monotonic() + 300
            while len(srv.kernels()) != pool and time.monotonic() < deadline:  # refilled
                time.sleep(0.5)
            srv.wait_quiet(seconds=1.0)
        done = visitors(db, srv, contexts, kinds, every, figures)
        waits = [s for *_, s in done]
        report(f"{label}: wait to the first widgets, worst", max(s for *_, s, _ in done), "s")
        report(f"{label}: wait to a rendered page, median", statistics.median(waits), "s")
        report(f"{label}: wait to a rendered page, worst", max(waits), "s", target)
        kernels = [db.memory_mb(pid) for pid in srv.kernels()]
        report(f"{label}: server memory, every page open", db.memory_mb(srv.proc.pid), "MB")
        report(f"{label}: kernel memory, median of {len(kernels)}", statistics.median(kernels),
               "MB", "< 150 MB")  # fmt: skip
        report(f"{label}: all {len(kernels)} kernels", sum(kernels), "MB")
        for _kind, page, *_ in done:
            db.leave(page)
        # the pages' kernels shut down (the pool may refill meanwhile: at most as many as
        # were running beside the pages)
        waited = srv.wait_kernels(at_most=len(kernels) - len(done), timeout=120)
        report(f"{label}: every page left to its kernel shut down", waited, "s", "< 60 s")
        browser.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    # the browser driver lives with the browser tests
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import driver as db

    with sync_playwright() as pw:
        # five pages at once (three MADR, two AMR), the pool holding a kernel for each and
        # refilled once they have rendered (--pool-size 3 --refill-delay 30): first visits,
        # then visitors whose browser has opened the page before
        meeting = {"pool_size": 3, "refill": 30.0, "kinds": FIVE, "every": 0.0, "target": "< 8 s"}
        session(pw, db, **meeting, label="5 at once, first visit")
        session(pw, db, **meeting, label="5 at once, returning", returning=True)
        # the control: the same five first visits in browsers that refuse plotly.js, what
        # Voila's front end and the widgets take without the figures
        session(pw, db, **meeting, label="5 at once, no figures (control)",
                figures=False)  # fmt: skip
        # ten visitors over ten seconds, the default pool (one kernel per dashboard, refilled
        # after 5 s): the first two preheated, the others cold starts
        session(pw, db, pool_size=1, refill=5.0, kinds=VISITORS, every=1.0,
                label="10 in 10 s, defaults")  # fmt: skip


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()

"""The dashboards on a phone, a tablet and a desktop; no request leaves the server; a page's
kernel goes when the page goes.

Every page of this module records each request it makes: any host but the server's fails the
test (no CDN, no font service). Screenshots at each width go to test-artifacts/.
"""

from __future__ import annotations

import os
import re
import signal
from urllib.parse import urlsplit

import psutil
import pytest

from . import driver as db

WIDTHS = (390, 768, 1440)

#: What each dashboard shows as results: each must be on the screen at every width.
RESULTS = {
    "madr_dashboard.ipynb": (".tm-status", ".tm-headline", ".tm-figure .js-plotly-plot",
                             ".tm-buildup .js-plotly-plot", ".tm-bills", ".tm-compliance",
                             ".tm-downloads", ".tm-model", ".tm-why .js-plotly-plot",
                             ".tm-calendar"),
    "amr_dashboard.ipynb": (".tm-status", ".tm-headline", ".tm-figure .js-plotly-plot",
                            ".tm-downloads"),
}  # fmt: skip
READY = {"madr_dashboard.ipynb": db.MADR, "amr_dashboard.ipynb": ".tm-amr-npv_allowance"}

# Elements of the page (the dashboard and everything in it) whose right edge passes the
# viewport: what a visitor could only see by scrolling sideways.
_OVERFLOW = """
() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('.tm-dash, .tm-dash *')) {
    // a figure's drawing is clipped to its <svg>: the <svg> counts, not what it holds
    if (el instanceof SVGElement && el.tagName !== 'svg') continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > width + 0.5 || r.left < -0.5)) {
      const cls = typeof el.className === 'string' ? el.className : el.tagName;
      out.push(`${cls} [${Math.round(r.left)}, ${Math.round(r.right)}]`);
    }
  }
  return {width, scroll: document.documentElement.scrollWidth, overflow: out.slice(0, 10)};
}
"""


def _record_hosts(page, hosts: set[str]) -> None:
    """Record the host of every request of ``page`` over the network (data: and blob: URLs
    stay in the page)."""

    def seen(request) -> None:
        url = urlsplit(request.url)
        if url.scheme not in ("data", "blob"):
            hosts.add(f"{url.scheme}://{url.netloc}")

    page.on("request", seen)
    page.on("websocket", lambda ws: seen(type("R", (), {"url": ws.url})))


def _open(browser, server, notebook: str, width: int, hosts: set[str],
          kernels: list[str] | None = None):  # fmt: skip
    """A dashboard's page opened and rendered; the hosts it asks go to ``hosts`` and the ids of
    the kernels it connects to (from its websockets) to ``kernels``."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    _record_hosts(page, hosts)
    if kernels is not None:
        page.on("websocket",
                lambda ws: kernels.extend(re.findall(r"/kernels/([0-9a-f-]{36})/", ws.url)))  # fmt: skip
    page.goto(server.page_url(notebook), wait_until="commit")
    page.wait_for_selector(READY[notebook], timeout=90_000)
    page.wait_for_selector(db.FIGURE_BAR, state="attached", timeout=90_000)
    return page


def _check_width(page, notebook: str, width: int, artifacts) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_timeout(400)  # the figures redraw at their new width
    for css in RESULTS[notebook]:
        box = page.locator(css).first.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0, (css, width)
    # every figure at least 250 px wide, and as wide as its column (no figure cut off)
    for css in (
        ".tm-figure .js-plotly-plot",
        ".tm-buildup .js-plotly-plot",
        ".tm-why .js-plotly-plot",
    ):
        if page.locator(css).count():
            fig, column = page.evaluate(
                f"[document.querySelector('{css}').getBoundingClientRect().width,"
                f" document.querySelector('.tm-views').getBoundingClientRect().width]"
            )
            assert fig >= min(250, column) and fig <= column + 0.5, (css, width, fig, column)
    seen = page.evaluate(_OVERFLOW)
    assert seen["overflow"] == [] and seen["scroll"] <= seen["width"], (width, seen)
    if page.locator(".tm-calendar").count():  # the calendar's table within the screen
        table = page.locator(".tm-calendar").bounding_box()
        assert table["x"] >= 0 and table["x"] + table["width"] <= width + 0.5, (width, table)
    controls = page.locator(".tm-controls").bounding_box()
    views = page.locator(".tm-views").bounding_box()
    if width < 1000:  # phone, tablet upright: the controls above the results
        assert controls["y"] + controls["height"] <= views["y"] + 0.5
    else:  # the results beside the controls
        assert views["x"] >= controls["x"] + controls["width"] - 0.5
        assert views["y"] < controls["y"] + controls["height"]
    tall = page.evaluate("document.getElementById('rendered_cells').scrollHeight")
    page.set_viewport_size({"width": width, "height": tall + 20})
    page.wait_for_timeout(300)
    page.screenshot(path=artifacts / f"{notebook.split('_')[0]}-{width}px.png")


@pytest.mark.parametrize("notebook", list(RESULTS))
def test_every_result_shows_at_phone_tablet_and_desktop_widths(
    server, browser, artifacts, notebook
):
    hosts: set[str] = set()
    # the MADR page opened on a phone, the AMR page on a desktop; each then resized through
    # the other widths (the figures follow their column)
    widths = WIDTHS if notebook.startswith("madr") else WIDTHS[::-1]
    page = _open(browser, server, notebook, widths[0], hosts)
    try:
        if notebook.startswith("madr"):
            # on the phone: an Effective Date for the calendar, and an edit whose difference
            # from the scenario the waterfall by driver splits
            page.fill(".tm-calendar-date input", "2026-07-01")
            page.wait_for_selector(".tm-calendar :text('ISMS certified')", timeout=30_000)
            db.set_slider(page, "tm-x", "2.5")
            page.wait_for_function(
                "document.querySelector('.tm-why .js-plotly-plot')?.data?.[0]?.x?.length > 1",
                timeout=30_000,
            )
        for width in widths:
            _check_width(page, notebook, width, artifacts)
    finally:
        db.leave(page)
    assert hosts <= {server.url.rstrip("/"), f"ws://127.0.0.1:{server.port}"}, hosts


def test_a_page_left_shuts_its_kernel_down(server, browser, artifacts):
    """Two pages opened and left: within 60 s the server runs no more kernels than before
    (the preheated pool refilled), and no shutdown call was refused (Voila's own call carries
    the _xsrf cookie the page now asks for)."""
    server.wait_pool("amr_dashboard.ipynb")
    before = len(server.kernels())
    hosts: set[str] = set()
    pages = [_open(browser, server, nb, 1440, hosts) for nb in RESULTS]
    # each page runs a kernel of its own (earlier tests' kernels may be shutting down meanwhile,
    # so the count is not compared with before here)
    assert len(server.kernels()) >= len(pages)
    # printed (or saved as PDF) for a board paper: the results headed by the scenario, the
    # edits and the readings; no controls, buttons or downloads
    madr = pages[0]
    madr.emulate_media(media="print")
    assert madr.locator(".tm-controls").is_hidden() and madr.locator(".tm-print").is_hidden()
    header = madr.inner_text(".tm-print-header")
    assert "Worked example, 2026-2029" in header and "R1 loss_deadband" in header
    # what the browser's print does first (page.pdf does not): the figures at paper width
    madr.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    width = "document.querySelector('.tm-figure .main-svg').getAttribute('width')"
    madr.wait_for_function(f"{width} == '680'")
    madr.pdf(path=artifacts / "madr-print.pdf", format="A4", print_background=True)
    # the whole page on paper (the screen's shell scrolls inside the window): three A4 pages or more
    pdf = (artifacts / "madr-print.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 3
    madr.evaluate("window.dispatchEvent(new Event('afterprint'))")
    madr.emulate_media(media="screen")
    assert madr.locator(".tm-print-header").is_hidden() and madr.locator(".tm-print").is_visible()
    # one page goes back to the list of dashboards, the other to another site
    pages[0].goto(server.url)
    pages[0].close()
    db.leave(pages[1])
    waited = server.wait_kernels(at_most=before, timeout=60)
    log = server.log_text()
    assert "403 POST" not in log and "_xsrf' argument missing" not in log, log[-2000:]
    assert waited < 60
    assert hosts <= {server.url.rstrip("/"), f"ws://127.0.0.1:{server.port}"}, hosts


def _open_page_and_kernel(browser, server, notebook: str):
    """A dashboard's page opened at 1440 px, and the id of its kernel (from its websocket)."""
    kernels: list[str] = []
    page = _open(browser, server, notebook, 1440, set(), kernels)
    assert kernels, "the page opened no kernel websocket"
    return page, kernels[0]


def _chromium_pids() -> set[int]:
    return {p.pid for p in psutil.process_iter(["name"]) if "chrom" in (p.info["name"] or "")}


def _browser_tree(before: set[int]) -> set[int]:
    """The processes of the one chromium started since ``before`` (its browser process and all
    its descendants): not a renderer another browser of the tests started meanwhile."""
    mains = [
        p for p in psutil.process_iter(["name", "cmdline"])
        if p.pid not in before and p.info["name"] == "chromium"
        and not any(a.startswith("--type=") for a in p.info["cmdline"] or [])
    ]  # fmt: skip
    assert len(mains) == 1, mains
    return {mains[0].pid} | {c.pid for c in mains[0].children(recursive=True)}


def _page_then(server, browser, notebook: str, sig: int) -> tuple[str, float, str]:
    """Open ``notebook`` in a browser of its own, send ``sig`` to every process of that
    browser, and wait for the server to shut the page's kernel down.

    Returns the kernel, the seconds from the signal to the kernel shut down, and the server's
    log.
    """
    old = _chromium_pids()
    own = browser.browser_type.launch(executable_path=db.CHROMIUM, headless=True,
                                      args=db.CHROMIUM_ARGS)  # fmt: skip
    pids: set[int] = set()
    try:
        _page, kernel = _open_page_and_kernel(own, server, notebook)
        pids = _browser_tree(old)  # the browser's processes, the page's renderer among them
        for pid in pids:
            os.kill(pid, sig)
        waited = server.wait_log(f"Kernel shutdown: {kernel}", timeout=60)
        return kernel, waited, server.log_text()
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        own.close()


def test_a_browser_that_crashes_loses_its_kernel_within_60_s(server, browser):
    """A page that disappears without unloading (its browser killed: no shutdown call can be
    sent): the server sees its websocket closed and shuts the kernel down itself."""
    kernel, waited, log = _page_then(server, browser, "madr_dashboard.ipynb", signal.SIGKILL)
    assert waited < 60
    assert f"Kernel {kernel}: its page is gone" in log, log[-3000:]
    assert f"/api/shutdown/{kernel}" not in log, log[-3000:]


def test_a_page_that_loses_the_network_loses_its_kernel_within_60_s(server, browser):
    """A visitor whose connection drops (a phone out of the network) leaves a websocket open
    that nobody answers: here a browser frozen with SIGSTOP. The server's pings go
    unanswered, it closes the websocket and then shuts the kernel down, all within 60 s."""
    kernel, waited, log = _page_then(server, browser, "amr_dashboard.ipynb", signal.SIGSTOP)
    assert waited < 60
    assert f"Kernel {kernel}: its page is gone" in log, log[-3000:]
    assert f"/api/shutdown/{kernel}" not in log, log[-3000:]


def test_landing_page_lists_the_dashboards_and_asks_no_other_host(server, browser, artifacts):
    hosts: set[str] = set()
    page = browser.new_page(viewport={"width": 390, "height": 800})
    _record_hosts(page, hosts)
    try:
        page.goto(server.url)
        links = page.locator("a.tm-dashboard-link")
        assert links.all_inner_texts() == [
            "Maximum allowed distribution revenue (MADR)",
            "Smart-meter (AMR) programme",
        ]
        assert "Start from a scenario" in page.inner_text("body")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=artifacts / "landing-390px.png", full_page=True)
        # a missing dashboard: a plain answer, nothing asked of another host either
        page.goto(f"{server.url}voila/render/no-such-dashboard.ipynb")
        assert "Traceback" not in page.content()
        page.goto(server.url)
        links.nth(0).click()
        page.wait_for_selector(db.MADR, timeout=90_000)
    finally:
        db.leave(page)
    assert hosts <= {server.url.rstrip("/"), f"ws://127.0.0.1:{server.port}"}, hosts


@pytest.mark.parametrize(
    "path",
    ["voila/templates/tariffmodel/static/..%2f..%2f..%2f..%2fetc/passwd",
     "voila/templates/lab/static/..%2f..%2fetc/passwd"],
)  # fmt: skip
def test_a_path_out_of_the_static_folders_is_a_plain_404(server, path):
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server.url + path, timeout=10)
    assert refused.value.code == 404
    assert "root:" not in refused.value.read().decode()
    log = server.log_text()
    assert "Uncaught exception" not in log and "Traceback" not in log

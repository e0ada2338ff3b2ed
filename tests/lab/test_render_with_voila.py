"""Render with Voila in JupyterLab, in a real browser (Debian's chromium at 1440 px): each
dashboard notebook opened in Lab and rendered by the Voila extension's toolbar button shows the
engine's numbers and its figure, and neither the Voila page nor Lab logs a module federation
error.

Voila 0.5 loads the front-end extensions installed in the environment into its own build of
JupyterLab's modules (4.2); those built for the environment's Lab (4.6) fail there. Voila's
configuration in the environment (``make setup`` writes it from
``tariffmodel.dashboards.extensions``) lets in only the extensions the dashboards use.

Slow: a JupyterLab server, a browser, two dashboards' kernels (about 30 s).
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import tariffmodel as tm
from tariffmodel.dashboards.extensions import FRONTEND_EXTENSIONS, voila_config
from tariffmodel.model import amr

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "data" / "scenarios" / "nedc-base.yaml"  # the MADR notebook's parameter
PLAN = ROOT / "data" / "amr" / "nedc-amr-plan.yaml"  # the AMR notebook's parameter
FIGURE = ".tm-figure .js-plotly-plot"

#: Each dashboard: the element of a rendered page, and the numbers it shows read in the page.
PAGES = {
    "madr_dashboard": (
        ".tm-madr[data-year='2029']",
        "[...document.querySelectorAll('.tm-madr')].map(td => Number(td.dataset.value))",
    ),
    "amr_dashboard": (
        ".tm-amr-npv_allowance",
        "[Number(document.querySelector('.tm-amr-npv_allowance').dataset.value)]",
    ),
}
VOILA_CONFIG = Path(sys.prefix) / "etc" / "jupyter" / "voila.json"

#: Words of the console messages of an extension that fails in Voila's page (an extension
#: built for a newer JupyterLab: its module cannot be created, the federation runtime warns).
FEDERATION_FAILURE = re.compile(r"failed to create module|federat", re.IGNORECASE)

#: The Lab modules that the two widget managers the dashboards need ask in versions newer than
#: Voila 0.5.13's page provides (4.2.5): Voila's own widgets-manager8 is built against Lab 4.5,
#: ipywidgets' extension (3.0.17) against Lab 4.6. Their warnings ("Unsatisfied version ... of
#: shared singleton module") are Voila's and ipywidgets' builds; the page takes 4.2.5 and the
#: widgets work. A warning about any other module comes from an extension that has no business
#: in the page.
WIDGET_MANAGER_MODULES = {
    f"@jupyterlab/{name}"
    for name in ("console", "coreutils", "logconsole", "mainmenu", "notebook", "outputarea",
                 "rendermime", "services", "settingregistry", "statedb", "translation")
}  # fmt: skip
VERSION_WARNING = re.compile(r"(?:Unsatisfied|No satisfying) version.*?module (@[\w/.-]+)", re.S)

#: Hosts that Voila's "lab" template asks (an icon font style sheet and MathJax from CDNs): the
#: test keeps the browser on this machine, so those requests are stopped and fail.
CDN_HOSTS = {"cdn.jsdelivr.net", "cdnjs.cloudflare.com"}

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


def _off_machine(url: str) -> bool:
    return urlsplit(url).hostname not in ("127.0.0.1", "localhost", None)


def _expected(name: str) -> tuple[list[float], list[float] | None]:
    """The numbers a page must show (the engine's, exactly) and its figure's bars, if checked."""
    if name == "madr_dashboard":
        madr = tm.project(tm.load_scenario(SCENARIO))["MADR"].tolist()
        return madr, [v / 1e6 for v in madr]  # the "this case" bars [m RO]
    return [amr.summary(amr.load_plan(PLAN))["npv_allowance"]], None


@pytest.mark.parametrize("name", list(PAGES))
def test_render_with_voila_shows_the_dashboard_without_federation_errors(lab, browser, name):
    # the configuration is the environment's, as `make lab` finds it
    assert VOILA_CONFIG.is_file(), f"no {VOILA_CONFIG}: run `make setup`"
    assert json.loads(VOILA_CONFIG.read_text()) == voila_config(), f"{VOILA_CONFIG} is stale"

    page = browser.new_page(viewport={"width": 1440, "height": 900})
    messages: list[tuple[str, str, str]] = []  # (type, text, url of the script or resource)
    stopped: list[str] = []

    def _stop(route):
        stopped.append(route.request.url)
        route.abort()

    page.on("console", lambda m: messages.append((m.type, m.text, m.location.get("url", ""))))
    page.route(lambda url: _off_machine(url), _stop)
    try:
        notebook = f"notebooks/dashboards/{name}.ipynb"
        page.goto(f"{lab['url']}/lab/tree/{notebook}?token={lab['token']}&reset")
        button = page.locator("[data-jp-item-name='voilaRender']")
        button.wait_for(timeout=60_000)
        lab_before = len(messages)

        started = time.monotonic()
        button.click()
        # a notebook never rendered here asks first (Voila's preview runs trusted notebooks only)
        anyway = page.get_by_role("button", name="Render anyway")
        voila = page.frame_locator("iframe[src*='/voila/render/']")
        asked = False
        ready, numbers = PAGES[name]
        while voila.locator(ready).count() == 0:
            if anyway.is_visible():
                anyway.click()
                asked = True
            assert time.monotonic() - started < 180, "the dashboard did not render in 180 s"
            time.sleep(0.25)
        voila.locator(f"{FIGURE} .barlayer .point path").first.wait_for(timeout=60_000)
        rendered = time.monotonic() - started
        time.sleep(3)  # messages logged once the page has drawn

        frame = next(f for f in page.frames if "/voila/render/" in f.url)
        config = json.loads(frame.locator("#jupyter-config-data").text_content())
        loaded = {e["name"] for e in config["federated_extensions"]}
        shown = frame.evaluate(numbers)
        bars = frame.evaluate(f"document.querySelector('{FIGURE}').data[1].y")
        out = ROOT / "test-artifacts"
        out.mkdir(exist_ok=True)
        voila.locator(ready).scroll_into_view_if_needed()  # the numbers and the figure
        page.screenshot(path=str(out / f"lab-render-with-voila-{name}-1440.png"))
        (out / f"lab-render-with-voila-{name}-console.txt").write_text(
            "".join(f"{t}\t{u}\t{x}\n" for t, x, u in messages), encoding="utf-8"
        )
    finally:
        page.close()

    print(f"rendered with Voila in {rendered:.1f} s after the click (asked to trust: {asked})")
    # the dashboard with its numbers: the engine's for the notebook's input, exactly
    expected, expected_bars = _expected(name)
    assert shown == expected
    if expected_bars is not None:
        assert bars == expected_bars

    # only the extensions of the shared list were loaded into the page
    assert loaded == set(FRONTEND_EXTENSIONS)

    # the console after the click: the Voila page's messages and those Lab's preview repeats
    after = messages[lab_before:]
    errors = [
        m for m in after
        if m[0] == "error" and not (m[1].startswith("Failed to load resource") and _off_machine(m[2]))
    ]  # fmt: skip
    assert errors == [], "errors in the console:\n" + "\n".join(m[1][:300] for m in errors)
    federation = [m for m in after if FEDERATION_FAILURE.search(m[1])]
    assert federation == [], "extensions failing:\n" + "\n".join(m[1][:300] for m in federation)
    foreign = {
        module
        for m in after
        if not m[1].startswith("[[Voil")  # Lab's copy, shortened in the middle
        for module in VERSION_WARNING.findall(m[1])
        if module not in WIDGET_MANAGER_MODULES
    }
    assert foreign == set(), f"version warnings from other extensions: {sorted(foreign)}"
    assert {urlsplit(u).hostname for u in stopped} <= CDN_HOSTS, stopped
    lab_errors = [m for m in messages[:lab_before] if m[0] == "error"]
    assert lab_errors == [], "errors in Lab before the click:\n" + "\n".join(
        m[1][:300] for m in lab_errors
    )

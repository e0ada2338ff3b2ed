"""Fixtures of the browser tests: a served dashboard (``tariffmodel dashboard`` on a free port)
and Debian's chromium driven by playwright-python.

The browser must start: when it cannot, the tests fail (never skip). Screenshots and the
server's log go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from . import driver as db

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
WORKED_EXAMPLE = ROOT / "tests" / "data" / "worked-example.yaml"
BROKEN = "zz-broken-cpi.yaml"


def pytest_collection_modifyitems(items):
    # one worker runs every browser test, so that they share one server and one browser
    # (pytest-xdist 3.8 keeps the group under pytest < 9.2 only: pyproject.toml); each
    # worker's server logs to a file of its own all the same (`server` below)
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.xdist_group("browser"))
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def scenarios_dir(tmp_path_factory) -> Path:
    """The worked example, and a copy with CPI written as a percent (a bad value)."""
    folder = tmp_path_factory.mktemp("dashboard-scenarios")
    shutil.copy(WORKED_EXAMPLE, folder / "worked-example.yaml")
    bad = yaml.safe_load(WORKED_EXAMPLE.read_text())
    bad["name"] = "Broken: CPI as a percent"
    bad["inputs"][1]["CPI"] = 0.9 * 100  # 90 %: an input error, not a rate
    (folder / BROKEN).write_text(yaml.safe_dump(bad, sort_keys=False))
    return folder


@pytest.fixture(scope="session")
def broken_scenario(scenarios_dir) -> str:
    return BROKEN


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def server(scenarios_dir, worker_id):
    """``tariffmodel dashboard`` serving the test scenarios, one preheated kernel; its log is
    the test worker's own (``voila-test-gw0.log``; ``voila-test-master.log`` without workers)."""
    with db.serve(scenarios_dir, ARTIFACTS / f"voila-test-{worker_id}.log", pool_size=1) as srv:
        srv.wait_pool()
        yield srv


@pytest.fixture
def dashboard(server, browser, request):
    """A fresh MADR dashboard page (its own kernel), fully rendered.

    When the whole suite loads both cores (kernels of the batch tests starting beside this one),
    a page has once been seen not to render within the timeout; its screenshot is kept and the
    page is opened once more, as a user would reload it. A second failure fails the test.
    """
    from playwright.sync_api import TimeoutError as PageTimeout

    try:
        page, _seconds = db.open_dashboard(browser, server.page_url())
    except PageTimeout:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        stale = browser.contexts[-1]  # new_page() made a context of its own for the page
        for p in stale.pages:
            p.screenshot(path=str(ARTIFACTS / f"not-rendered-{request.node.name}.png"))
        # the server's log so far (kernels started, restarted, culled), to tell why
        (ARTIFACTS / f"not-rendered-{request.node.name}.log").write_text(server.log_text())
        stale.close()
        page, _seconds = db.open_dashboard(browser, server.page_url())
    yield page
    db.leave(page)

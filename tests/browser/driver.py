"""Driving the dashboards in a real browser: a served dashboard and a headless chromium.

Shared by the browser tests and the dashboard benchmark. The server is ``tariffmodel dashboard``
itself on a free port; the browser is Debian's chromium (``/usr/bin/chromium``) driven by
playwright-python (never a downloaded browser).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tariffmodel.cli.commands.dashboard import PLOTLY_BUNDLE_FOLDER

CHROMIUM = os.environ.get("TARIFFMODEL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

#: CSS selectors of the MADR dashboard.
MADR = ".tm-madr"
FIGURE_BAR = ".tm-figure .barlayer .point path"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running ``tariffmodel dashboard``: its URL, log file and process."""

    def __init__(self, proc: subprocess.Popen, port: int, log: Path) -> None:
        self.proc, self.port, self.log = proc, port, log
        self.url = f"http://127.0.0.1:{port}/"

    def page_url(self, notebook: str = "madr_dashboard.ipynb") -> str:
        return f"{self.url}voila/render/{notebook}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_pool(self, notebook: str = "madr_dashboard.ipynb", count: int = 1, timeout=120.0):
        """Wait until the preheated pool of ``notebook`` has been filled ``count`` times."""
        needle = f"Kernel pool of {notebook} is filled"
        deadline = time.monotonic() + timeout
        while self.log_text().count(needle) < count:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the dashboard server stopped:\n{self.log_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"no preheated kernel after {timeout} s:\n{self.log_text()}")
            time.sleep(0.1)

    def wait_quiet(self, seconds: float = 1.0, cpu_share: float = 0.05, timeout: float = 120.0):
        """Wait until the server and its kernels have used under ``cpu_share`` of one core for
        ``seconds`` in a row: a preheated kernel has finished running its dashboard.

        (Voila reports a pool filled when its kernels have started, seconds before they have
        run the notebook.) Reads /proc; elsewhere it only waits ``seconds``.
        """
        if not Path("/proc/self/stat").exists():  # pragma: no cover - not Linux
            time.sleep(seconds)
            return
        tick = os.sysconf("SC_CLK_TCK")
        deadline = time.monotonic() + timeout
        last, quiet_since = _tree_cpu_seconds(self.proc.pid, tick), time.monotonic()
        while time.monotonic() - quiet_since < seconds:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the dashboard server stopped:\n{self.log_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the dashboard server did not go quiet in {timeout} s")
            time.sleep(0.1)
            now = _tree_cpu_seconds(self.proc.pid, tick)
            if now - last > cpu_share * 0.1:
                quiet_since = time.monotonic()
            last = now

    def wait_log(self, needle: str, timeout: float) -> float:
        """Wait until the server's log holds ``needle``; returns the seconds waited.

        Raises TimeoutError (with the end of the log) when it does not within ``timeout``.
        """
        t0 = time.monotonic()
        while needle not in self.log_text():
            if time.monotonic() - t0 > timeout:
                raise TimeoutError(f"no {needle!r} after {timeout} s:\n{self.log_text()[-2000:]}")
            time.sleep(0.25)
        return time.monotonic() - t0

    def kernels(self) -> list[int]:
        """The process ids of the server's kernels (preheated or serving a page)."""
        return [pid for pid in _tree(self.proc.pid) - {self.proc.pid} if _is_kernel(pid)]

    def wait_kernels(self, at_most: int, timeout: float) -> float:
        """Wait until the server runs at most ``at_most`` kernels; returns the seconds waited.

        Raises TimeoutError (with the count) when it does not happen within ``timeout``.
        """
        t0 = time.monotonic()
        while len(self.kernels()) > at_most:
            if time.monotonic() - t0 > timeout:
                raise TimeoutError(
                    f"{len(self.kernels())} kernels after {timeout} s, expected {at_most} at most"
                )
            time.sleep(0.5)
        return time.monotonic() - t0


def _is_kernel(pid: int) -> bool:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:  # ended meanwhile
        return False
    return any(part.endswith(b"ipykernel_launcher") for part in cmd)


def _tree(pid: int) -> set[int]:
    """``pid`` and its descendants (from /proc)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(text[text.rindex(")") + 2 :].split()[1])
    tree, grew = {pid}, True
    while grew:
        more = {c for c, p in parents.items() if p in tree} - tree
        tree |= more
        grew = bool(more)
    return tree


def memory_mb(pid: int) -> float:
    """Resident memory of one process [MB], from /proc (0 when it has ended)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def _tree_cpu_seconds(pid: int, tick: int) -> float:
    """CPU seconds (user and system) used so far by process ``pid`` and its descendants."""
    used = 0.0
    for p in _tree(pid):
        try:
            text = Path(f"/proc/{p}/stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        fields = text[text.rindex(")") + 2 :].split()
        used += (int(fields[11]) + int(fields[12])) / tick
    return used


@contextlib.contextmanager
def serve(
    scenarios: Path, log: Path, *, pool_size: int = 1, extra: list[str] | None = None,
    timeout: float = 60.0, command: list[str] | None = None,
) -> Iterator[Server]:  # fmt: skip
    """Start ``tariffmodel dashboard`` on a free port; stop it (and its kernels) at the end.

    ``command`` replaces ``python -m tariffmodel`` (a benchmark's runner, say).
    """
    port = free_port()
    argv = [*(command or [sys.executable, "-m", "tariffmodel"]), "dashboard", "--port", str(port),
            "--scenarios", str(scenarios), "--pool-size", str(pool_size), *(extra or [])]  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as fh:
        proc = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(proc, port, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the dashboard server stopped:\n{server.log_text()[-3000:]}")
            try:
                with urllib.request.urlopen(server.url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the dashboard server did not answer:\n{server.log_text()}")
            time.sleep(0.1)
        yield server
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # Voila shuts its kernels down
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the session started for this server only
            proc.wait(timeout=10)


def launch_chromium(playwright):
    """Debian's chromium, headless. Raises when it cannot start (a test fails, never skips)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"no chromium at {CHROMIUM}: install the Debian package 'chromium'")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


#: The browser window of :func:`open_dashboard`.
VIEWPORT = {"width": 1400, "height": 1700}

#: The served plotly.js, as a URL pattern of the browser (see :func:`refuse_figures`).
PLOTLY_PATTERN = f"**/{PLOTLY_BUNDLE_FOLDER}**"


def refuse_figures(context) -> None:
    """Make the browser ``context`` refuse plotly.js: its pages draw no figure.

    The benchmarks' control: what Voila's own front end and the widgets take without the
    figures (the figure views fail to load plotly.js and draw nothing).
    """
    context.route(PLOTLY_PATTERN, lambda route: route.abort())


def open_dashboard(browser, url: str, timeout_ms: float = 60_000):
    """Open a dashboard page; return (page, seconds until the MADR and the figure are shown)."""
    page = browser.new_page(viewport=VIEWPORT, accept_downloads=True)
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(MADR, timeout=timeout_ms)
    page.wait_for_selector(FIGURE_BAR, state="attached", timeout=timeout_ms)
    return page, time.perf_counter() - t0


def open_without_figures(browser, url: str, timeout_ms: float = 60_000) -> float:
    """Open a MADR page in a browser that refuses plotly.js (:func:`refuse_figures`), as
    :func:`open_dashboard` otherwise; return the seconds until its MADR table is shown."""
    context = browser.new_context(viewport=VIEWPORT)
    refuse_figures(context)
    page = context.new_page()
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(MADR, timeout=timeout_ms)
    seconds = time.perf_counter() - t0
    context.close()
    return seconds


def leave(page) -> None:
    """Leave a dashboard's page as a visitor does (to another page), then close it: the page
    asks the server to shut its kernel down on the way out.

    (A page closed at once by the test harness never sends that request: the browser drops
    it with the page.)
    """
    page.goto("about:blank")
    page.close()


def madr_shown(page, year: int) -> float:
    """The MADR of ``year`` shown in the page, at full precision [RO]."""
    return float(page.get_attribute(f"{MADR}[data-year='{year}']", "data-value"))


#: Installs the in-page clock: the time of the Enter key (capture phase) and the time of the
#: first animation frame in which the MADR bars of the figure differ from before.
_ARM_CLOCK = """
() => {
  const bar = () => {
    const p = document.querySelectorAll('.tm-figure .barlayer .trace')[1];
    return p ? Array.from(p.querySelectorAll('path')).map(e => e.getAttribute('d')).join('|')
             : '';
  };
  const before = bar();
  window.__tmClock = {t0: null, t1: null};
  const onKey = (e) => {
    if (e.key !== 'Enter') return;
    document.removeEventListener('keydown', onKey, true);
    window.__tmClock.t0 = performance.now();
    const poll = () => {
      if (bar() !== before) { window.__tmClock.t1 = performance.now(); }
      else { requestAnimationFrame(poll); }
    };
    requestAnimationFrame(poll);
  };
  document.addEventListener('keydown', onKey, true);
}
"""


def set_slider(page, css_class: str, value: str, *, measure: bool = False) -> float | None:
    """Type ``value`` into the readout of the slider with ``css_class`` and press Enter.

    With ``measure``, returns the milliseconds from the key press to the figure drawn anew,
    measured in the page.
    """
    readout = page.locator(f".{css_class} .widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    if measure:
        page.evaluate(_ARM_CLOCK)
    page.keyboard.press("Enter")
    if not measure:
        return None
    page.wait_for_function("window.__tmClock && window.__tmClock.t1 !== null", timeout=30_000)
    clock = page.evaluate("window.__tmClock")
    return clock["t1"] - clock["t0"]

"""``tariffmodel dashboard``: serve the Voila dashboards on this machine.

Only the dashboards folder (``notebooks/dashboards``) is served, on 127.0.0.1 by default, with
tracebacks kept out of the page, a pool of preheated kernels (each has already run the
dashboard when a browser asks for it) and idle kernels culled. The page is Voila's "lab"
template tuned for a quick first render (see :data:`TEMPLATE`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from jupyter_core.paths import jupyter_config_path

from tariffmodel.dashboards.assets import (
    PAGE_GONE,
    PLANS_ENV,
    PLOTLY_URL_ENV,
    SCENARIOS_ENV,
    TOKEN_ENV,
    plotly_module,
    plotly_module_digest,
)
from tariffmodel.dashboards.extensions import FRONTEND_EXTENSIONS
from tariffmodel.inputs.errors import InputError
from tariffmodel.inputs.locations import data_dir, notebooks_dir

DASHBOARDS = notebooks_dir("dashboards")
SCENARIOS = data_dir("scenarios")
PLANS = data_dir("amr")


#: The folder (under the server's base URL) of the dashboards' plotly.js; a subfolder per version.
PLOTLY_BUNDLE_FOLDER = "voila/labextensions/tariffmodel-plotly/"

#: Seconds between two pings of a page's websocket, and to wait for an answer before closing it
#: (tornado: the wait may not be longer than the interval).
WS_PING_INTERVAL, WS_PING_TIMEOUT = 10, 10

#: The Voila template of the dashboards (see :data:`TEMPLATE`).
TEMPLATE_NAME = "tariffmodel"

#: Voila's "lab" template with a quicker first render: the browser fetches and compiles plotly.js
#: (1.3 MB, cached for good: its path names its content) with the page itself, while
#: the front end starts, instead of once the figure's model exists (the widgets then show
#: together, sooner); and no style sheet from a CDN (font icons no dashboard uses; a
#: render-blocking request that waits for a network).
TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}
{{ super() }}
<link rel="modulepreload" href="{{ resources.base_url }}@BUNDLE@">
<script>
  // Leaving the page, Voila asks the server to shut its kernel down, a POST that must carry
  // the _xsrf cookie; a dashboard's page does not set that cookie (a known gap of Voila 0.5,
  // answered with 403 and the kernel left running), the landing page does: ask for it once.
  window.addEventListener("load", () => {
    if (!/(^|;\\s*)_xsrf=/.test(document.cookie)) {
      fetch("{{ resources.base_url }}", { credentials: "same-origin" }).catch(() => {});
    }
  });
</script>
{%- endblock html_head_js -%}
{%- block notebook_css -%}
  {% if frontend == "voila" %}
    {{ resources.include_js("static/voila-style.js") }}
  {% endif %}
  {{ spinner.css() }}
  <style>
    .jp-mod-noOutputs.jp-mod-noInput { display: none; }
    /* the page is as wide as the screen, never wider: a phone scrolls down, not sideways;
       the lab template's card keeps 12ex of padding each side, the whole width of a phone */
    html, body { max-width: 100%; }
    .jp-Cell, .jp-OutputArea, .jp-OutputArea-child, .jp-OutputArea-output {
      min-width: 0; max-width: 100%; }
    @media (max-width: 1240px) {
      #rendered_cells { padding-left: 8px !important; padding-right: 8px !important; }
      #rendered_cells > div { padding: 3ex 3ex 6ex 3ex !important; }
    }
    @media (max-width: 700px) {
      body { padding: 0 !important; }
      #rendered_cells { padding: 0 !important; }
      #rendered_cells > div { padding: 8px 6px 24px 6px !important; box-shadow: none !important; }
      .jp-Cell { padding: 0 !important; }
    }
  </style>
  {{ super.super() }}
{%- endblock notebook_css -%}
"""


#: The dashboards the landing page lists: notebook -> (title, what it is for).
DASHBOARD_PAGES = {
    "madr_dashboard.ipynb": (
        "Maximum allowed distribution revenue (MADR)",
        "Start from a scenario and move inflation, the efficiency factor, losses, growth and "
        "the readings of the licence: the cap of each year, its build-up term by term, the "
        "loss incentive, the bill impact and the revenue tests, with downloads of the case.",
    ),
    "amr_dashboard.ipynb": (
        "Smart-meter (AMR) programme",
        "Start from an AMR plan and change the roll-out pace, the unit costs and the cost of "
        "capital: meters installed, the asset value, the allowance (AMR) and its cost per "
        "account.",
    ),
}

# The server's own pages (the list of dashboards, errors): plain HTML, nothing from another
# host (Voila's ask a CDN for icon fonts), and the landing page sets the _xsrf cookie.
_PAGE_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:;base64,=">
<title>@TITLE@</title>
<style>
  body { font-family: sans-serif; margin: 0 auto; padding: 16px; max-width: 760px;
         color: #222; line-height: 1.45; }
  h1 { font-size: clamp(20px, 5vw, 28px); margin: 8px 0 4px 0; }
  .tm-lead { color: #555; margin: 0 0 18px 0; }
  .tm-cards { list-style: none; padding: 0; margin: 0; }
  .tm-cards li { border: 1px solid #ddd; border-radius: 6px; padding: 12px 14px;
                 margin-bottom: 12px; }
  .tm-cards a { font-size: 18px; font-weight: bold; color: #1f5fa8; text-decoration: none; }
  .tm-cards p { margin: 6px 0 0 0; }
</style></head><body>
"""


def landing_page(notebooks: Sequence[str]) -> str:
    """The landing page (a Jinja template of the server) listing ``notebooks``.

    >>> "Smart-meter (AMR) programme" in landing_page(["amr_dashboard.ipynb"])
    True
    """
    import html

    items = []
    for nb in notebooks:
        title, text = DASHBOARD_PAGES.get(nb, (Path(nb).stem.replace("_", " "), ""))
        items.append(
            f'<li><a class="tm-dashboard-link" href="{{{{ base_url }}}}voila/render/'
            f'{html.escape(nb)}">{html.escape(title)}</a><p>{html.escape(text)}</p></li>'
        )
    return (
        _PAGE_HEAD.replace("@TITLE@", "Dashboards of the distribution price control")
        + "<h1>Dashboards of the distribution price control</h1>\n"
        + '<p class="tm-lead">Schedule 2 of the distribution licence: the cap on revenue '
        "and the smart-meter programme. Each dashboard opens on a case; moving a control "
        "recomputes it.</p>\n"
        + '<ul class="tm-cards">\n'
        + "\n".join(items)
        + "\n</ul>\n</body></html>\n"
    )


#: Every error page of the server: the status in plain words, no traceback, a way back.
ERROR_PAGE = (
    _PAGE_HEAD.replace("@TITLE@", "{{ status_code }} {{ status_message }}")
    + "<h1>{{ status_code }} {{ status_message }}</h1>\n"
    + '<p class="tm-lead">{% if status_code == 404 %}There is no such page.'
    "{% else %}The server could not answer this request.{% endif %}</p>\n"
    + '<p><a href="{{ base_url }}">The list of dashboards</a></p>\n</body></html>\n'
)


def _serve_file(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` unless it holds them (a file, never a link)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # a copy: the server serves no file that resolves outside the folder
    if target.is_symlink() or not target.is_file() or target.read_bytes() != data:
        staging = target.with_suffix(".tmp")
        staging.write_bytes(data)
        os.replace(staging, target)


def plotly_bundle_dir() -> tuple[Path, str]:
    """A folder served beside the front-end extensions, holding the dashboards' plotly.js.

    The figures' widget otherwise carries plotly's code through the kernel to every page;
    served as a file, the browser fetches (and caches) it by itself. Returns the folder and
    the path of the code under the server's base URL: it names a digest of the content, so a
    browser may keep it for good.
    """
    import tempfile

    folder = Path(tempfile.gettempdir()) / f"tariffmodel-dashboard-{os.getuid()}"
    digest = plotly_module_digest()
    _serve_file(folder / "tariffmodel-plotly" / digest / "plotly.js",
                plotly_module().encode("utf-8"))  # fmt: skip
    return folder, f"{PLOTLY_BUNDLE_FOLDER}{digest}/plotly.js"


def voila_setup(folder: Path, bundle_url: str, root: Path = DASHBOARDS) -> tuple[Path, Path]:
    """Write the dashboards' Voila template and configuration into ``folder``.

    Returns the data folder holding ``voila/templates/tariffmodel`` (for $JUPYTER_PATH) and
    the folder of ``voila.json``, which lets browsers keep plotly's code without asking again
    (its path changes with its content).
    """
    import json

    data = folder / "jupyter"
    template = data / "voila" / "templates" / TEMPLATE_NAME
    template.mkdir(parents=True, exist_ok=True)
    (template / "conf.json").write_text(json.dumps({"base_template": "lab"}))
    (template / "index.html.j2").write_text(TEMPLATE.replace("@BUNDLE@", bundle_url))
    found = {p.name for p in Path(root).glob("*.ipynb")}
    # the dashboards in the order of DASHBOARD_PAGES (the cap first), then any other
    notebooks = [nb for nb in DASHBOARD_PAGES if nb in found] + sorted(found - set(DASHBOARD_PAGES))
    for name in ("tree-lab.html", "tree.html"):  # the landing page, whatever its kind
        (template / name).write_text(landing_page(notebooks))
    (template / "error.html").write_text(ERROR_PAGE)
    config = folder / "config"
    config.mkdir(parents=True, exist_ok=True)
    settings = {
        "static_immutable_cache": ["/" + PLOTLY_BUNDLE_FOLDER],
        # a page's websocket is pinged, and closed when a ping has no answer (a phone that
        # lost the network): its kernel then goes with the page watch
        "ws_ping_interval": WS_PING_INTERVAL * 1000,
        "ws_ping_timeout": WS_PING_TIMEOUT * 1000,
    }
    (config / "voila.json").write_text(json.dumps({"Voila": {"tornado_settings": settings}}))
    return data, config


def voila_argv(
    root: Path,
    *,
    port: int,
    ip: str = "127.0.0.1",
    pool_size: int = 1,
    refill_delay: float = 5.0,
    cull_idle: int = 600,
    cull_interval: int = 60,
    page_gone: float = PAGE_GONE,
    extra_labextensions: Path | None = None,
    template: str | None = None,
    config_dirs: Sequence[Path] = (),
    certfile: Path | None = None,
    keyfile: Path | None = None,
) -> list[str]:
    """The Voila command line serving ``root``.

    >>> argv = voila_argv(Path("dash"), port=8866)
    >>> argv[3:6]
    ['dash', '--port=8866', '--Voila.ip=127.0.0.1']
    >>> "--show_tracebacks=False" in argv and "--preheat_kernel=True" in argv
    True
    """
    argv = [
        sys.executable,
        "-m",
        "tariffmodel.dashboards.server",  # Voila, a bad static path answered with 404
        str(root),
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--no-browser",
        "--show_tracebacks=False",
        "--VoilaExecutor.show_tracebacks=False",
        # widgets come from the local labextensions, never from a CDN
        "--VoilaConfiguration.file_allowlist",
        "^$",  # no file of the folder is served as a file, only the dashboards
        # only the front-end extensions the dashboards use (widgets; figures draw through
        # anywidget): a quicker first render, and none built for a newer JupyterLab
        *(f"--VoilaConfiguration.extension_allowlist={name}" for name in FRONTEND_EXTENSIONS),
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        f"--MappingKernelManager.cull_interval={cull_interval}",
        "--MappingKernelManager.cull_connected=False",
        # a kernel whose page is gone (closed, crashed, lost the network) is shut down this
        # long after its websocket closed (tariffmodel.dashboards.server.PageWatch)
        f"--DashboardServer.page_gone={page_gone:g}",
        # kernels talk over files of this user's runtime folder, not TCP ports: no other
        # program on the machine can reach them, and no port picked for a kernel can be
        # taken meanwhile by another program starting kernels (a kernel that cannot bind
        # restarts empty, and its page finds none of its widgets)
        "--KernelManager.transport=ipc",
    ]
    if extra_labextensions is not None:
        argv += ["--VoilaConfiguration.extra_labextensions_path", str(extra_labextensions)]
    if template is not None:
        argv += [f"--template={template}"]
    for path in config_dirs:
        argv += ["--Voila.config_file_paths", str(path)]
    if certfile is not None:
        argv += [f"--DashboardServer.certfile={certfile}", f"--DashboardServer.keyfile={keyfile}"]
    if pool_size > 0:
        argv += ["--preheat_kernel=True", f"--pool_size={pool_size}"]
        # a kernel taken from the pool is replaced only once its page has rendered: starting
        # the next one (a process importing the package and running the dashboard) while the
        # browser builds the page would share this machine's cores with it
        argv += [f"--VoilaKernelManager.fill_delay={refill_delay:g}"]
    else:
        argv += ["--preheat_kernel=False"]
    return argv


#: The shortest access token accepted [characters].
TOKEN_MIN = 16


def access_token(host: str, token: str | None) -> str:
    """The access token to serve with: ``token`` as given, a new one for ``"generate"``, and
    none on this machine's loopback when none is given.

    >>> access_token("127.0.0.1", None)
    ''
    >>> len(access_token("0.0.0.0", "generate")) >= TOKEN_MIN
    True
    >>> access_token("192.0.2.10", None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tariffmodel.inputs.errors.InputError: key '--host': serving on 192.0.2.10 ...
    """
    import ipaddress
    import secrets

    if token == "generate":
        return secrets.token_urlsafe(24)
    if token:
        if len(token) < TOKEN_MIN:
            raise InputError(f"an access token has at least {TOKEN_MIN} characters",
                             key="--token")  # fmt: skip
        return token
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise InputError(
            f"serving on {host} lets other machines reach the dashboards: give an access "
            "token (--token generate prints a new one, or --token YOUR-TOKEN)",
            key="--host",
        )
    return ""


def serve(args) -> int:
    token = access_token(args.ip, args.token)
    certfile = keyfile = None
    if args.certfile or args.keyfile:
        if not (args.certfile and args.keyfile):
            raise InputError("TLS needs both --certfile and --keyfile", key="--certfile")
        certfile, keyfile = Path(args.certfile).resolve(), Path(args.keyfile).resolve()
        for path, key in ((certfile, "--certfile"), (keyfile, "--keyfile")):
            if not path.is_file():
                raise InputError("no such file", file=path.name, key=key)
    root = Path(args.root).resolve()
    if not root.is_dir():
        raise InputError("no such folder of dashboards", file=str(root))
    scenarios = Path(args.scenarios).resolve()
    if not scenarios.is_dir():
        raise InputError("no such folder of scenarios", file=str(scenarios), key="--scenarios")
    env = dict(os.environ)
    env[SCENARIOS_ENV] = str(scenarios)
    env[PLANS_ENV] = str(Path(args.plans).resolve())
    env.pop(TOKEN_ENV, None)
    if token:
        env[TOKEN_ENV] = token
    folder, bundle_url = plotly_bundle_dir()
    env[PLOTLY_URL_ENV] = bundle_url
    data, config = voila_setup(folder, bundle_url, root)
    env["JUPYTER_PATH"] = os.pathsep.join([str(data), *filter(None, [env.get("JUPYTER_PATH")])])
    argv = voila_argv(
        root,
        port=args.port,
        ip=args.ip,
        pool_size=args.pool_size,
        refill_delay=args.refill_delay,
        cull_idle=args.cull_idle,
        cull_interval=args.cull_interval,
        page_gone=args.page_gone,
        extra_labextensions=folder,
        template=TEMPLATE_NAME,
        # Voila's own search path, then ours (the first has the highest priority)
        config_dirs=[root, *jupyter_config_path(), config],
        certfile=certfile,
        keyfile=keyfile,
    )
    scheme = "https" if certfile else "http"
    query = f"?token={token}" if token else ""
    print(f"tariffmodel dashboard: {scheme}://{args.ip}:{args.port}/{query} (Ctrl-C stops)",
          flush=True)  # fmt: skip
    os.chdir(root)
    if os.name == "posix":
        # become the Voila server: one process, which stops and culls its kernels on a signal
        os.execve(sys.executable, argv, env)
    return subprocess.call(argv, env=env)  # pragma: no cover - not POSIX


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "dashboard",
        help="serve the Voila dashboards (MADR, AMR programme) on this machine",
        description="Serve the dashboards folder through Voila on 127.0.0.1, tracebacks "
        "hidden, kernels preheated and idle ones culled.",
    )
    p.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    p.add_argument(
        "--host",
        "--ip",
        dest="ip",
        metavar="ADDR",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only); another address "
        "needs --token",
    )
    p.add_argument(
        "--token",
        default=None,
        help="access token every request must carry (at least 16 characters), or 'generate' "
        "for a new one; printed in the address to open",
    )
    p.add_argument("--certfile", default=None, help="TLS certificate (PEM): serve HTTPS")
    p.add_argument("--keyfile", default=None, help="private key (PEM) of --certfile")
    p.add_argument(
        "--scenarios",
        default=str(SCENARIOS),
        help="folder of scenario files the dashboards offer (default data/scenarios)",
    )
    p.add_argument(
        "--plans", default=str(PLANS), help="folder of AMR plan files (default data/amr)"
    )
    p.add_argument("--root", default=str(DASHBOARDS), help=argparse_hidden())
    p.add_argument(
        "--pool-size",
        type=int,
        default=1,
        help="preheated kernels kept ready per dashboard (0: none; default 1)",
    )
    p.add_argument(
        "--refill-delay",
        type=float,
        default=5.0,
        help="seconds after a preheated kernel is taken before the next is started, so that "
        "it does not slow the page being opened (default 5)",
    )
    p.add_argument(
        "--cull-idle",
        type=int,
        default=600,
        help="shut a kernel down after this many idle seconds (default 600)",
    )
    p.add_argument("--cull-interval", type=int, default=60, help=argparse_hidden())
    p.add_argument(
        "--page-gone",
        type=float,
        default=PAGE_GONE,
        help="shut a kernel down this many seconds after its page closed, crashed or lost the "
        f"network without saying so (0: leave it to --cull-idle; default {PAGE_GONE:g})",
    )
    p.set_defaults(func=serve)


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS

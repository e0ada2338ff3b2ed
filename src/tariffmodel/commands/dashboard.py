"""``tariffmodel dashboard``: serve the Voila dashboards on this machine.

Only the dashboards folder (``notebooks/dashboards``) is served, on 127.0.0.1 by default, with
tracebacks kept out of the page, a pool of preheated kernels (each has already run the
dashboard when a browser asks for it) and idle kernels culled.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..dashboard import PLOTLY_BUNDLE_ENV, SCENARIOS_ENV
from ..dashboard_amr import PLANS_ENV
from ..errors import InputError

REPO = Path(__file__).resolve().parents[3]
DASHBOARDS = REPO / "notebooks" / "dashboards"
SCENARIOS = REPO / "data" / "scenarios"
PLANS = REPO / "data" / "amr"


#: Where the page finds plotly's widget code (see tariffmodel.dashboard.figure_widget).
PLOTLY_BUNDLE_URL = "voila/labextensions/tariffmodel-plotly/widgetbundle.js"


def plotly_bundle_dir() -> Path:
    """A folder served beside the front-end extensions, holding plotly's widget code.

    A FigureWidget otherwise sends its 5 MB of JavaScript through the kernel to every page;
    served as a file, the browser fetches (and caches) it by itself.
    """
    import tempfile

    import plotly

    folder = Path(tempfile.gettempdir()) / f"tariffmodel-dashboard-{os.getuid()}"
    target = folder / "tariffmodel-plotly" / "widgetbundle.js"
    target.parent.mkdir(parents=True, exist_ok=True)
    source = Path(plotly.__file__).parent / "package_data" / "widgetbundle.js"
    # a copy: the server serves no file that resolves outside the folder
    if target.is_symlink() or not target.is_file() or target.read_bytes() != source.read_bytes():
        staging = target.with_suffix(".tmp")
        shutil.copyfile(source, staging)
        os.replace(staging, target)
    return folder


def voila_argv(
    root: Path,
    *,
    port: int,
    ip: str = "127.0.0.1",
    pool_size: int = 1,
    cull_idle: int = 600,
    cull_interval: int = 60,
    extra_labextensions: Path | None = None,
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
        "voila",
        str(root),
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--no-browser",
        "--show_tracebacks=False",
        "--VoilaExecutor.show_tracebacks=False",
        # widgets come from the local labextensions, never from a CDN
        "--VoilaConfiguration.file_allowlist",
        "^$",  # no file of the folder is served as a file, only the dashboards
        # front-end extensions of JupyterLab the dashboards do not use (plotly draws through
        # anywidget): not loaded, for a quicker first render
        "--VoilaConfiguration.extension_denylist",
        "jupyterlab-jupytext",
        "--VoilaConfiguration.extension_denylist",
        "jupyterlab-plotly",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        f"--MappingKernelManager.cull_interval={cull_interval}",
        "--MappingKernelManager.cull_connected=False",
    ]
    if extra_labextensions is not None:
        argv += ["--VoilaConfiguration.extra_labextensions_path", str(extra_labextensions)]
    if pool_size > 0:
        argv += ["--preheat_kernel=True", f"--pool_size={pool_size}"]
    else:
        argv += ["--preheat_kernel=False"]
    return argv


def serve(args) -> int:
    root = Path(args.root).resolve()
    if not root.is_dir():
        raise InputError("no such folder of dashboards", file=str(root))
    scenarios = Path(args.scenarios).resolve()
    if not scenarios.is_dir():
        raise InputError("no such folder of scenarios", file=str(scenarios), key="--scenarios")
    env = dict(os.environ)
    env[SCENARIOS_ENV] = str(scenarios)
    env[PLANS_ENV] = str(Path(args.plans).resolve())
    env[PLOTLY_BUNDLE_ENV] = PLOTLY_BUNDLE_URL
    argv = voila_argv(
        root,
        port=args.port,
        ip=args.ip,
        pool_size=args.pool_size,
        cull_idle=args.cull_idle,
        cull_interval=args.cull_interval,
        extra_labextensions=plotly_bundle_dir(),
    )
    print(f"tariffmodel dashboard: http://{args.ip}:{args.port}/ (Ctrl-C stops)", flush=True)
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
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
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
        "--cull-idle",
        type=int,
        default=600,
        help="shut a kernel down after this many idle seconds (default 600)",
    )
    p.add_argument("--cull-interval", type=int, default=60, help=argparse_hidden())
    p.set_defaults(func=serve)


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS

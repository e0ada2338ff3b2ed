"""The JupyterLab front-end extensions that Voila loads into the dashboards' pages: one list for
both ways of showing them, ``tariffmodel dashboard`` (Voila on its own) and "Render with Voila"
in JupyterLab (Voila as an extension of Lab's server, pages at ``/voila/render/...``).

Voila 0.5 builds its pages on its own copy of JupyterLab's modules (4.2) and, unless told
otherwise, loads every front-end extension installed in the environment into them, built for the
environment's JupyterLab (4.6): jupyterlab-jupytext's cannot start there ("Failed to create
module", an error of the module federation runtime). The pages need only the widgets, so Voila's
``VoilaConfiguration.extension_allowlist`` names the few they use, and no extension installed
later reaches them unasked.

``python -m tariffmodel.dashboards.extensions FILE`` writes Voila's configuration file holding
the list; ``make setup`` writes it into the environment (``.venv/etc/jupyter/voila.json``), where
Voila looks for it whichever way JupyterLab is started (docs/dashboards.md).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

#: The front-end extensions of the dashboards' pages (``VoilaConfiguration.extension_allowlist``):
#: Voila's widget manager for ipywidgets 8; ipywidgets' own extension, whose plugins register
#: the widget models (base, controls, output: without it no control is drawn, "No version of
#: module @jupyter-widgets/controls is registered"); anywidget, which draws the figures.
FRONTEND_EXTENSIONS: tuple[str, ...] = (
    "@voila-dashboards/widgets-manager8",
    "@jupyter-widgets/jupyterlab-manager",
    "anywidget",
)


def voila_config() -> dict:
    """Voila's configuration loading only :data:`FRONTEND_EXTENSIONS` into a page.

    >>> voila_config()["VoilaConfiguration"]["extension_allowlist"][-1]
    'anywidget'
    """
    return {"VoilaConfiguration": {"extension_allowlist": list(FRONTEND_EXTENSIONS)}}


def write_voila_config(path: Path) -> Path:
    """Write :func:`voila_config` as the JSON file ``path`` (Voila reads ``voila.json`` from
    each folder of Jupyter's configuration path and from the folder it starts in)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(voila_config(), indent=2) + "\n", encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tariffmodel.dashboards.extensions FILE``: write Voila's configuration."""
    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) != 1:
        print("usage: python -m tariffmodel.dashboards.extensions FILE", file=sys.stderr)
        return 2
    print(f"wrote {write_voila_config(Path(args[0]))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

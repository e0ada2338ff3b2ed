"""Where the project's bundled data and notebooks are.

A setting, ``$TARIFFMODEL_HOME`` (a folder holding ``data/`` and ``notebooks/``), with the source
checkout that holds the package as its default; an installed package run from a folder of its own
sets it. Nothing here depends on the working folder.
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "TARIFFMODEL_HOME"


def project_home() -> Path:
    """The folder of ``data/`` and ``notebooks/``: ``$TARIFFMODEL_HOME``, else the checkout.

    The checkout is the nearest folder above the package with a ``pyproject.toml`` beside a
    ``data/`` folder; without one (an installed package, no setting) the working folder.
    """
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file() and (parent / "data").is_dir():
            return parent
    return Path.cwd()


def data_dir(*parts: str) -> Path:
    """A folder under the bundled ``data/`` (``data_dir("scenarios")``)."""
    return project_home().joinpath("data", *parts)


def notebooks_dir(*parts: str) -> Path:
    """A folder under ``notebooks/`` (``notebooks_dir("dashboards")``)."""
    return project_home().joinpath("notebooks", *parts)

"""Write environment.yml from pyproject.toml, so conda users get the same packages.

Run by ``make lock``; tests/test_project_files.py checks the two agree.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    deps = (
        list(project["dependencies"])
        + list(extras["test"])
        + [d for d in extras["dev"] if not d.startswith("tariffmodel")]
    )
    lines = [
        "# Conda environment for tariffmodel; kept in step with pyproject.toml (a test checks it).",
        "# Written by scripts/sync_environment.py (make lock).",
        "# conda env create -f environment.yml && conda activate tariffmodel",
        "name: tariffmodel",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        "  - pip:",
        *[f'      - "{d}"' for d in deps],
        '      - "-e ."',
    ]
    (ROOT / "environment.yml").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

"""A dashboard's kernel loads only what its page needs: none of the analysis layer's heavy
libraries (each adds memory to every visitor's kernel and seconds to its start)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT

#: Libraries of the analyses and the batch, never needed to show a dashboard (and pyarrow, which
#: pandas 3 loads whenever it is installed: 76 MB in every kernel).
HEAVY = ("scipy", "matplotlib", "SALib", "papermill", "dask", "statsmodels", "pyarrow")

# What a kernel runs for each page (the notebooks' code cell), then the modules loaded.
_PAGES = f"""
import json, sys
from tariffmodel.dashboards.madr import MadrDashboard
from tariffmodel.dashboards.amr import AmrDashboard
MadrDashboard({str(ROOT / "data" / "scenarios")!r}, "nedc-base.yaml")
AmrDashboard({str(ROOT / "data" / "amr")!r})
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}})))
"""


@pytest.mark.slow  # a fresh Python building both pages
def test_dashboard_kernel_imports_no_heavy_library():
    done = subprocess.run([sys.executable, "-c", _PAGES], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "tariffmodel" in loaded and "plotly" in loaded  # the pages were built
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))

"""The dashboard notebooks: paired with jupytext, stored without outputs, thin (a parameters cell
and two lines), and runnable in a kernel to the page's widget (marked slow)."""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import nbformat
import pytest

from tariffmodel.batch.runner import KERNEL_NAME, _ipc_kernel_manager_class, require_parameters_cell

DASHBOARDS = Path(__file__).resolve().parents[2] / "notebooks" / "dashboards"
NAMES = ["madr_dashboard", "amr_dashboard"]
WIDGET = "application/vnd.jupyter.widget-view+json"


def test_every_dashboard_is_listed():
    assert sorted(p.stem for p in DASHBOARDS.glob("*.ipynb")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_stored_thin_and_without_outputs(name):
    nb = json.loads((DASHBOARDS / f"{name}.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert len(code) == 2
    body = [line for line in "".join(code[1]["source"]).splitlines() if line.strip()]
    assert len(body) == 2  # the import and the page


@pytest.mark.parametrize("name", NAMES)
def test_the_py_file_is_the_notebook_written_by_jupytext(name):
    nb = jupytext.read(DASHBOARDS / f"{name}.ipynb")
    assert jupytext.writes(nb, fmt="py:percent") == (DASHBOARDS / f"{name}.py").read_text()
    assert nb.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    assert nb.metadata["kernelspec"]["name"] == KERNEL_NAME
    require_parameters_cell(DASHBOARDS / f"{name}.ipynb")


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_runs_to_the_page(name):
    from nbclient import NotebookClient

    nb = nbformat.read(DASHBOARDS / f"{name}.ipynb", as_version=4)
    client = NotebookClient(
        nb, kernel_name=KERNEL_NAME, timeout=180,
        resources={"metadata": {"path": str(DASHBOARDS)}},
        kernel_manager_class=_ipc_kernel_manager_class(),
    )  # fmt: skip
    client.execute()  # raises on an error in a cell
    shown = [o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any(WIDGET in data for data in shown)

"""The dashboard notebooks: paired with jupytext, stored without outputs, thin (a parameters cell
and two lines), and runnable in a kernel to the page's widget (Papermill, marked slow)."""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import nbformat
import pytest

from tariffmodel.batch import KERNEL_NAME, _ipc_kernel_manager_class, require_parameters_cell

DASHBOARDS = Path(__file__).resolve().parents[1] / "notebooks" / "dashboards"
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
def test_paired_py_percent_matches_ipynb(name):
    ipynb = nbformat.read(DASHBOARDS / f"{name}.ipynb", as_version=4)
    py = jupytext.read(DASHBOARDS / f"{name}.py", fmt="py:percent")
    assert ipynb.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    assert [(c.cell_type, c.source) for c in ipynb.cells] == [
        (c.cell_type, c.source) for c in py.cells
    ]
    assert ipynb.metadata["kernelspec"]["name"] == KERNEL_NAME
    require_parameters_cell(DASHBOARDS / f"{name}.ipynb")


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_runs_to_the_page(name, tmp_path):
    import papermill as pm

    out = tmp_path / f"{name}.ipynb"
    pm.execute_notebook(
        str(DASHBOARDS / f"{name}.ipynb"),
        str(out),
        kernel_name=KERNEL_NAME,
        cwd=str(DASHBOARDS),
        progress_bar=False,
        kernel_manager_class=_ipc_kernel_manager_class(),
    )
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert [o for o in outputs if o.output_type == "error"] == []
    assert any(WIDGET in o.get("data", {}) for o in outputs)

"""The notebooks of notebooks/: paired with jupytext, stored without outputs, parameterised, and
each runnable top to bottom on the default data (real Papermill executions, marked slow)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jupytext
import nbformat
import pytest

from tariffmodel.batch.runner import KERNEL_NAME, _ipc_kernel_manager_class, require_parameters_cell

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NAMES = [
    "price_control_review",
    "scenario_explorer",
    "loss_incentive",
    "amr_cost_recovery",
    "sensitivity",
    "compare_scenarios",
]


def test_every_notebook_is_listed():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_stored_without_outputs(name):
    nb = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("name", NAMES)
def test_paired_py_percent_matches_ipynb(name):
    ipynb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    py = jupytext.read(NOTEBOOKS / f"{name}.py", fmt="py:percent")
    assert ipynb.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    assert [(c.cell_type, c.source) for c in ipynb.cells] == [
        (c.cell_type, c.source) for c in py.cells
    ]
    assert ipynb.metadata["kernelspec"]["name"] == KERNEL_NAME


@pytest.mark.parametrize("name", NAMES)
def test_has_a_parameters_cell(name):
    require_parameters_cell(NOTEBOOKS / f"{name}.ipynb")


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_runs_top_to_bottom_on_default_data(name, tmp_path):
    import papermill as pm

    out = tmp_path / f"{name}.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(out),
        kernel_name=KERNEL_NAME,
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        kernel_manager_class=_ipc_kernel_manager_class(),
    )
    nb = nbformat.read(out, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert errors == []
    # every cell below the parameters ran and showed something
    shown = [c for c in code if c.outputs]
    assert len(shown) >= len(code) // 2
    assert any("image/png" in o.get("data", {}) for c in code for o in c.outputs)


@pytest.mark.slow
def test_review_notebook_writes_the_scenario_outputs(tmp_path):
    import papermill as pm

    pm.execute_notebook(
        str(NOTEBOOKS / "price_control_review.ipynb"),
        str(tmp_path / "out.ipynb"),
        parameters={"output_dir": str(tmp_path / "run"), "readings": {"call_centre": "as_drafted"}},
        kernel_name=KERNEL_NAME,
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        kernel_manager_class=_ipc_kernel_manager_class(),
    )
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["readings"]["call_centre"] == "as_drafted"
    assert (tmp_path / "run" / "madr.csv").is_file()


class _Markup(HTMLParser):
    """The tags, attributes and script text of an HTML page."""

    def __init__(self):
        super().__init__()
        self.attributes: set[str] = set()
        self.scripts: list[str] = []
        self.tags: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.update(name for name, _ in attrs)
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


@pytest.mark.slow
def test_text_of_the_scenario_is_escaped_in_the_html_report(tmp_path, renamed_example):
    """A scenario's name and a KPI's name are shown as text in report.html, never as markup."""
    import papermill as pm

    from tariffmodel.reporting.review import export_html

    name = "<script>alert(1)</script><img src=x onerror=alert(2)> [x](http://evil.example)"
    kpi = "<b onmouseover=alert(3)>kpi</b>"
    path = renamed_example(name, kpi)
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS / "price_control_review.ipynb"),
        str(out),
        parameters={"scenario": str(path)},
        kernel_name=KERNEL_NAME,
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        kernel_manager_class=_ipc_kernel_manager_class(),
    )
    html = export_html(out, tmp_path / "report.html").read_text(encoding="utf-8")
    page = _Markup()
    page.feed(html)
    assert not any("alert(" in s for s in page.scripts)
    assert not {"onerror", "onmouseover"} & page.attributes
    assert "http://evil.example" not in {a for a in re.findall(r'href="([^"]*)"', html)}
    # shown as written: the name on top of the report, the KPI in the explanation
    assert "<strong>&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;b onmouseover=alert(3)&gt;kpi&lt;/b&gt;" in html

"""The dashboards' figure widget and the plotly.js it draws with."""

from __future__ import annotations

import hashlib
from pathlib import Path

import plotly.graph_objects as go
import pytest

import tariffmodel
from tariffmodel.dashboards import assets
from tariffmodel.dashboards import figure_view as fv

STATIC = Path(tariffmodel.__file__).parent / "dashboards" / "static"


def test_vendored_plotly_is_the_recorded_release():
    code = (STATIC / assets.PLOTLY_JS_FILE).read_bytes()
    assert hashlib.sha256(code).hexdigest() == assets.PLOTLY_JS_SHA256
    assert f"plotly.js (finance - minified) v{assets.PLOTLY_JS_VERSION}" in code[:200].decode()
    assert "MIT License" in (STATIC / "LICENSE.plotly.js.txt").read_text()


def test_vendored_plotly_is_of_the_major_version_plotly_py_writes_for():
    from plotly.offline import get_plotlyjs_version

    assert get_plotlyjs_version().split(".")[0] == assets.PLOTLY_JS_VERSION.split(".")[0]


def test_view_carries_the_figure_as_json():
    fig = go.Figure(go.Waterfall(x=["DB", "MADR"], y=[1.5, 1.5], measure=["relative", "total"]))
    fig.update_layout(title_text="build-up")
    view = fv.FigureView(fig)
    assert view.figure is fig
    assert view.traces == [
        {"type": "waterfall", "x": ["DB", "MADR"], "y": [1.5, 1.5],
         "measure": ["relative", "total"]}
    ]  # fmt: skip
    assert view.figure_layout["title"] == {"text": "build-up"}
    assert "template" in view.figure_layout


def test_refresh_sends_traces_and_layout_in_one_message(monkeypatch):
    fig = go.Figure(go.Bar(x=["2027"], y=[1.0]))
    view = fv.FigureView(fig)
    sent = []
    monkeypatch.setattr(view, "_send", lambda msg, buffers=None: sent.append(msg))
    fig.data[0].y = [2.0]
    fig.layout.shapes = [{"type": "line", "x0": 0, "x1": 1, "y0": 1, "y1": 1}]
    view.refresh()
    assert view.traces[0]["y"] == [2.0] and view.figure_layout["shapes"][0]["y0"] == 1
    assert [set(msg["state"]) for msg in sent] == [{"traces", "figure_layout"}]


def test_refresh_of_an_unchanged_figure_sends_nothing(monkeypatch):
    view = fv.FigureView(go.Figure(go.Bar(x=["2027"], y=[1.0])))
    sent = []
    monkeypatch.setattr(view, "_send", lambda msg, buffers=None: sent.append(msg))
    view.refresh()
    assert sent == []


@pytest.mark.parametrize("trace", [go.Scatter3d(x=[1], y=[1], z=[1]), go.Heatmap(z=[[1]])])
def test_trace_type_plotly_cannot_draw_here_is_an_error(trace):
    with pytest.raises(ValueError, match=f"trace type {trace.type} is not drawn") as info:
        fv.FigureView(go.Figure([go.Bar(y=[1]), trace]))
    assert "waterfall" in str(info.value)  # says what can be drawn


def test_served_view_imports_plotly_from_the_server(monkeypatch):
    monkeypatch.setenv(assets.PLOTLY_URL_ENV, "voila/labextensions/x/0123/plotly.js")
    esm = fv.FigureView(go.Figure(go.Bar(y=[1])))._esm
    assert '"voila/labextensions/x/0123/plotly.js"' in esm and "import(url)" in esm
    assert len(esm) < 5_000  # plotly's code is not in it


def test_view_elsewhere_carries_plotly_inside(monkeypatch):
    monkeypatch.delenv(assets.PLOTLY_URL_ENV, raising=False)
    esm = fv.FigureView(go.Figure(go.Bar(y=[1])))._esm
    assert assets.plotly_js() in esm and "export default {" in esm
    assert "import(" not in esm.replace(assets.plotly_js(), "")


def test_served_module_exports_plotly():
    code = assets.plotly_module()
    assert code.startswith(assets._MODULE_HEAD) and code.endswith("export default PLOTLY;\n")
    assert assets.plotly_js() in code
    assert len(assets.plotly_module_digest()) == 16


def test_dashboard_command_serves_the_module_under_a_path_naming_its_digest():
    from tariffmodel.cli.commands.dashboard import PLOTLY_BUNDLE_FOLDER, plotly_bundle_dir

    folder, url = plotly_bundle_dir()
    assert url == f"{PLOTLY_BUNDLE_FOLDER}{assets.plotly_module_digest()}/plotly.js"
    served = folder / "tariffmodel-plotly" / assets.plotly_module_digest() / "plotly.js"
    assert served.read_text(encoding="utf-8") == assets.plotly_module()

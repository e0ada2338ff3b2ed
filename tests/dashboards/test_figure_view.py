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


def test_narrow_layout_stacks_the_panels_and_travels_with_the_figure(monkeypatch):
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=2, cols=2, specs=[[{}, {}], [{"colspan": 2}, None]],
                        subplot_titles=("a", "b", "c"))  # fmt: skip
    for row, col in ((1, 1), (1, 2), (2, 1)):
        fig.add_trace(go.Bar(x=["2027"], y=[1.0]), row, col)
    fig.update_layout(margin={"t": 60, "b": 40})
    view = fv.FigureView(fig, narrow=lambda lay: fv.stacked_layout(lay, 3, panel_height=200,
                                                                     gap=50), narrow_below=600)  # fmt: skip
    narrow = view.narrow_layout
    assert view.narrow_below == 600
    # three panels of 200 px and two gaps of 50 px, one above the other, each the full width
    assert narrow["height"] == 3 * 200 + 2 * 50 + 60 + 40
    domains = [narrow[f"yaxis{s}"]["domain"] for s in ("", "2", "3")]
    assert domains[0][1] == 1.0 and domains[2][0] == 0.0
    heights = [(hi - lo) * 700 for lo, hi in domains]
    assert heights == pytest.approx([200, 200, 200], abs=1e-9)
    assert [narrow[f"xaxis{s}"]["domain"] for s in ("", "2", "3")] == [[0.0, 1.0]] * 3
    assert [a["y"] for a in narrow["annotations"]] == [hi for _lo, hi in domains]
    # the wide layout keeps its grid
    assert view.figure_layout["xaxis"]["domain"][1] < 0.5
    sent = []
    monkeypatch.setattr(view, "_send", lambda msg, buffers=None: sent.append(msg))
    fig.layout.annotations[2].text = "c, 2027"
    view.refresh()
    assert [set(msg["state"]) for msg in sent] == [{"figure_layout", "narrow_layout"}]
    assert view.narrow_layout["annotations"][2]["text"] == "c, 2027"


def test_a_figure_without_a_narrow_layout_sends_none():
    view = fv.FigureView(go.Figure(go.Bar(x=["2027"], y=[1.0])))
    assert view.narrow_layout == {} and view.narrow_below == 0

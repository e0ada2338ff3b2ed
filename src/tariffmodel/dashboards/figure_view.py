"""A plotly figure shown in a page, updated in place: the dashboards' figure widget.

The figure is an ordinary :class:`plotly.graph_objects.Figure` held in the kernel; the widget
(:class:`FigureView`, an anywidget) carries its JSON and draws it in the browser with
``Plotly.react``, which changes what is drawn without building the figure again. A change of
traces and layout made together (:meth:`FigureView.refresh`) reaches the page as one message and
is drawn once.

The page draws with plotly.js's "finance" distribution (:data:`TRACE_TYPES`), vendored in
``tariffmodel/dashboards/static`` from the npm package ``plotly.js-finance-dist-min`` (MIT licence, its
text beside it; ``scripts/vendor_plotly.sh`` refreshes it). It is a quarter of the code of
plotly's own FigureWidget, which bundles every trace type of plotly.js; the browser compiles
and starts it that much sooner, which is most of a dashboard's first render. Measured by
``python benchmarks/run.py workarounds`` (the MADR dashboard's first render with a preheated
kernel in headless chromium, this build and the full plotly.js of the plotly package served
alternately, four servers each, on two cores): 4.0 s against 5.3 s with the full plotly.js
(x 1.49, load average 5-6) and 4.8 s against 10.6 s (x 2.35, load average 8-9).

Under ``tariffmodel dashboard`` the server serves that code as a file (:func:`plotly_module`)
and the widget's JavaScript only imports it (the browser fetches and caches it once, beside
the page); elsewhere (JupyterLab) the code travels inside the widget.
"""

from __future__ import annotations

import functools
import json
import os

import anywidget
import traitlets

from tariffmodel.dashboards.assets import PLOTLY_JS_PACKAGE, PLOTLY_URL_ENV, plotly_run

#: The trace types that build of plotly.js draws (its README); any other is an error here,
#: not a figure silently missing from the page.
TRACE_TYPES = frozenset(
    ["bar", "candlestick", "funnel", "funnelarea", "histogram", "indicator", "ohlc", "pie",
     "scatter", "waterfall"]
)  # fmt: skip

# The view: draws the figure, then redraws it in place when traces or layout change; both
# changed in one message are drawn once. Plotly keeps and alters what it is given: copies.
_VIEW = """
const CONFIG = { displaylogo: false, responsive: false };
const PRINT_WIDTH = 680;
export default {
  async render({ model, el }) {
    const Plotly = await loadPlotly();
    const div = document.createElement("div");
    el.appendChild(div);
    let queued = false;
    let drawnWidth = 0;
    // the figure takes the width of its column; below `narrow_below` pixels it is drawn with
    // the narrow layout (its panels one above the other)
    let printing = false;
    const draw = () => {
      queued = false;
      // printed: the width of a portrait A4 or Letter page's text, whatever the screen's
      const width = printing ? PRINT_WIDTH : Math.floor(el.getBoundingClientRect().width);
      if (width <= 0) return;  // not shown yet: drawn when the page lays it out
      drawnWidth = width;
      const narrow = width < model.get("narrow_below") && model.get("narrow_layout") &&
                     Object.keys(model.get("narrow_layout")).length > 0;
      const layout = structuredClone(model.get(narrow ? "narrow_layout" : "figure_layout"));
      layout.width = width;
      layout.autosize = false;
      return Plotly.react(div, structuredClone(model.get("traces")), layout, CONFIG);
    };
    const later = () => {
      if (!queued) { queued = true; queueMicrotask(draw); }
    };
    const resized = new ResizeObserver(() => {
      const width = Math.floor(el.getBoundingClientRect().width);
      if (width !== drawnWidth && !queued) { queued = true; requestAnimationFrame(draw); }
    });
    resized.observe(el);
    const beforePrint = () => { printing = true; draw(); };
    const afterPrint = () => { printing = false; draw(); };
    window.addEventListener("beforeprint", beforePrint);
    window.addEventListener("afterprint", afterPrint);
    model.on("change:traces", later);
    model.on("change:figure_layout", later);
    await draw();
    return () => {
      resized.disconnect();
      window.removeEventListener("beforeprint", beforePrint);
      window.removeEventListener("afterprint", afterPrint);
      model.off("change:traces", later);
      model.off("change:figure_layout", later);
      Plotly.purge(div);
    };
  },
};
"""

_IMPORT_LOADER = """
const loadPlotly = async () => {
  const cfg = JSON.parse(document.getElementById("jupyter-config-data")?.textContent || "{}");
  const url = new URL((cfg.baseUrl || "/") + %s, window.location.href).href;
  return (await import(url)).default;
};
"""

_INLINE_LOADER = """
const loadPlotly = async () => PLOTLY;
"""


@functools.cache
def view_code(url: str | None) -> str:
    """The widget's JavaScript: importing plotly from ``url`` (under the server's base URL), or
    with plotly's code inside when ``url`` is None."""
    if url:
        return _IMPORT_LOADER % json.dumps(url) + _VIEW
    return plotly_run() + _INLINE_LOADER + _VIEW


def figure_json(figure) -> tuple[list, dict]:
    """The traces and the layout of ``figure`` as plotly.js reads them (JSON types only).

    Raises
    ------
    ValueError
        When a trace is of a type the page cannot draw (not in :data:`TRACE_TYPES`).
    """
    import plotly.io as pio

    unknown = sorted({trace.type for trace in figure.data} - TRACE_TYPES)
    if unknown:
        raise ValueError(
            f"trace type {', '.join(unknown)} is not drawn by the dashboards' plotly.js "
            f"({PLOTLY_JS_PACKAGE}); use one of: {', '.join(sorted(TRACE_TYPES))}"
        )
    spec = json.loads(pio.to_json(figure, validate=False))
    return spec.get("data", []), spec.get("layout", {})


def stacked_layout(
    layout: dict,
    panels: int,
    *,
    panel_height: float = 280.0,
    gap: float = 80.0,
    legends: dict[str, int] | None = None,
) -> dict:
    """A layout of subplots (``make_subplots``) with the panels one above the other.

    For narrow screens: panel ``k`` (axes ``xaxis{k+1}``/``yaxis{k+1}``, title
    ``annotations[k]``, in the order ``make_subplots`` names them) takes the whole width and
    the ``k``-th band of the height. The figure's height grows to hold every panel.

    Parameters
    ----------
    layout : dict
        The layout as :func:`figure_json` gives it (not changed).
    panels : int
        The number of panels.
    panel_height, gap : float
        Height of a panel and the space between two (room for a title and an axis) [px].
    legends : dict, optional
        Legend name (``"legend2"``) -> panel: that legend is put below the panel.

    Returns
    -------
    dict
        A new layout.

    Examples
    --------
    >>> narrow = stacked_layout({"margin": {"t": 50, "b": 30},
    ...                          "annotations": [{"text": "A"}, {"text": "B"}]}, 2,
    ...                         panel_height=100, gap=20)
    >>> narrow["height"], narrow["yaxis"]["domain"], narrow["yaxis2"]["domain"]
    (300, [0.5454545454545454, 1.0], [0.0, 0.4545454545454546])
    >>> narrow["xaxis2"]["domain"], narrow["annotations"][1]["y"]
    ([0.0, 1.0], 0.4545454545454546)
    """
    import copy

    out = copy.deepcopy(layout)
    margin = out.get("margin", {})
    plot = panels * panel_height + (panels - 1) * gap
    out["height"] = plot + margin.get("t", 80) + margin.get("b", 80)
    tops = []
    for k in range(panels):
        suffix = "" if k == 0 else str(k + 1)
        top = 1.0 - k * (panel_height + gap) / plot
        bottom = 0.0 if k == panels - 1 else top - panel_height / plot
        tops.append(top)
        out.setdefault(f"xaxis{suffix}", {})["domain"] = [0.0, 1.0]
        out.setdefault(f"yaxis{suffix}", {})["domain"] = [bottom, top]
        if k < len(out.get("annotations", [])):
            out["annotations"][k].update(x=0.5, y=top, xanchor="center", yanchor="bottom")
    if "legend" in out and "legend" not in (legends or {}):
        # the figure's legend above the first panel's title
        out["legend"].update(y=1.0 + 30.0 / plot, yanchor="bottom")
    for name, k in (legends or {}).items():
        # below the panel's axis title, clear of what the panel draws
        bottom = tops[k] - panel_height / plot
        out.setdefault(name, {}).update(
            x=0.0, y=bottom - 58.0 / plot, xanchor="left", yanchor="top", orientation="v"
        )
        if k == panels - 1:
            out.setdefault("margin", {})["b"] = margin.get("b", 80) + 110
            out["height"] += 110
    return out


class FigureView(anywidget.AnyWidget):
    """A widget drawing the plotly figure ``figure``; :meth:`refresh` after changing it.

    The figure is drawn at the width of its column (its layout's width is not used). Below
    ``narrow_below`` pixels it is drawn with ``narrow(layout)`` instead (say
    :func:`stacked_layout`): the panels of a grid one above the other on a phone.

    Parameters
    ----------
    figure : plotly.graph_objects.Figure
        The figure shown; kept (not copied) as :attr:`figure`.
    narrow : callable, optional
        The layout for narrow columns, from the figure's layout (a dict).
    narrow_below : int
        The column width under which ``narrow`` applies [px].

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> view = FigureView(go.Figure(go.Bar(x=["2024"], y=[1.0])))
    >>> view.traces[0]["type"], view.traces[0]["y"]
    ('bar', [1.0])
    >>> view.figure.data[0].y = [2.0]
    >>> view.refresh()
    >>> view.traces[0]["y"]
    [2.0]
    """

    traces = traitlets.List().tag(sync=True)
    figure_layout = traitlets.Dict().tag(sync=True)
    narrow_layout = traitlets.Dict().tag(sync=True)
    narrow_below = traitlets.Int(0).tag(sync=True)

    @property
    def _esm(self) -> str:
        # read when the widget is made: the served page imports plotly, elsewhere it travels
        return view_code(os.environ.get(PLOTLY_URL_ENV) or None)

    def __init__(self, figure, *, narrow=None, narrow_below: int = 0, **kwargs) -> None:
        traces, layout = figure_json(figure)
        self._narrow = narrow
        super().__init__(
            traces=traces, figure_layout=layout, narrow_layout=self._narrow_of(layout),
            narrow_below=narrow_below if narrow is not None else 0, **kwargs,
        )  # fmt: skip
        self.figure = figure

    def _narrow_of(self, layout: dict) -> dict:
        return {} if self._narrow is None else self._narrow(layout)

    def refresh(self) -> None:
        """Send the figure as it is now to the page: traces and layouts in one message."""
        traces, layout = figure_json(self.figure)
        with self.hold_sync():
            self.traces = traces
            self.figure_layout = layout
            self.narrow_layout = self._narrow_of(layout)

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
export default {
  async render({ model, el }) {
    const Plotly = await loadPlotly();
    const div = document.createElement("div");
    el.appendChild(div);
    let queued = false;
    const draw = () => {
      queued = false;
      return Plotly.react(div, structuredClone(model.get("traces")),
                          structuredClone(model.get("figure_layout")), CONFIG);
    };
    const later = () => {
      if (!queued) { queued = true; queueMicrotask(draw); }
    };
    model.on("change:traces", later);
    model.on("change:figure_layout", later);
    await draw();
    return () => {
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


class FigureView(anywidget.AnyWidget):
    """A widget drawing the plotly figure ``figure``; :meth:`refresh` after changing it.

    Parameters
    ----------
    figure : plotly.graph_objects.Figure
        The figure shown; kept (not copied) as :attr:`figure`.

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

    @property
    def _esm(self) -> str:
        # read when the widget is made: the served page imports plotly, elsewhere it travels
        return view_code(os.environ.get(PLOTLY_URL_ENV) or None)

    def __init__(self, figure, **kwargs) -> None:
        traces, layout = figure_json(figure)
        super().__init__(traces=traces, figure_layout=layout, **kwargs)
        self.figure = figure

    def refresh(self) -> None:
        """Send the figure as it is now to the page: traces and layout in one message."""
        traces, layout = figure_json(self.figure)
        with self.hold_sync():
            self.traces = traces
            self.figure_layout = layout

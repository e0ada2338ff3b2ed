"""The figure widget's JavaScript in chromium, outside Voila: the code a JupyterLab page runs
(plotly.js inside the widget's module), given a stand-in for the widget's model."""

from __future__ import annotations

import plotly.graph_objects as go

from tariffmodel.dashboards import figure_view as fv

# Imports the widget's module as anywidget does (from its text), renders it with a stand-in
# model, and counts how often plotly draws.
_RENDER = """
async ([esm, traces, layout]) => {
  const url = URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
  const widget = (await import(url)).default;
  const state = { traces, figure_layout: layout };
  const handlers = {};
  window.__model = {
    get: (key) => state[key],
    on: (event, fn) => { (handlers[event] ||= []).push(fn); },
    off: (event, fn) => { handlers[event] = (handlers[event] || []).filter((f) => f !== fn); },
    set: (changes) => {  // one message: every key set, then the change events
      Object.assign(state, changes);
      for (const key of Object.keys(changes)) (handlers["change:" + key] || []).forEach((f) => f());
    },
    handlers,
  };
  const el = document.createElement("div");
  document.body.appendChild(el);
  window.__cleanup = await widget.render({ model: window.__model, el });
  window.__gd = el.querySelector(".js-plotly-plot");
  window.__draws = 0;
  window.__gd.on("plotly_afterplot", () => { window.__draws += 1; });
  return { globalPlotly: typeof window.Plotly, bars: el.querySelectorAll(".barlayer .point").length };
}
"""


def test_widget_code_draws_and_redraws_in_place(browser):
    fig = go.Figure(go.Bar(x=["2026", "2027"], y=[1.0, 2.0]))
    traces, layout = fv.figure_json(fig)
    page = browser.new_page()
    try:
        page.set_content("<html><body></body></html>")
        first = page.evaluate(_RENDER, [fv.view_code(None), traces, layout])
        assert first == {"globalPlotly": "undefined", "bars": 2}  # no global left behind

        fig.data[0].update(x=["2026", "2027", "2028"], y=[1.0, 2.0, 4.0])
        fig.layout.title = "three years"
        traces, layout = fv.figure_json(fig)
        page.evaluate(
            "([t, l]) => window.__model.set({ traces: t, figure_layout: l })", [traces, layout]
        )
        page.wait_for_function("document.querySelectorAll('.barlayer .point').length === 3")
        page.wait_for_timeout(200)
        drawn = page.evaluate(
            "({ draws: window.__draws, y: Array.from(window.__gd.data[0].y),"
            "  title: document.querySelector('.gtitle').textContent })"
        )
        # traces and layout changed in one message: drawn once
        assert drawn == {"draws": 1, "y": [1.0, 2.0, 4.0], "title": "three years"}
        # what the widget holds is not altered by plotly (it draws copies)
        held = page.evaluate("window.__model.get('figure_layout')")
        assert held == layout

        page.evaluate("window.__cleanup()")
        assert page.evaluate("Object.values(window.__model.handlers).flat().length") == 0
    finally:
        page.close()

"""The MADR dashboard for decision makers (served by Voila; see docs/dashboards.md).

The notebook ``notebooks/dashboards/madr_dashboard.ipynb`` is a parameters cell and

    from tariffmodel.dashboards.madr import MadrDashboard
    MadrDashboard(scenarios_dir, scenario).show()

Every figure is created once and only its data change. A change of a control is debounced and
then costs one call of :func:`tariffmodel.evaluate`: variant 0 is the edited scenario, the
other variants move the actual losses of the year shown in detail along a grid, which draws the
loss incentive curve. The edited scenario is ``Scenario.with_values(edits)``, so the YAML the page
offers reproduces the page's numbers exactly under ``tariffmodel run``.
"""

from __future__ import annotations

import asyncio
import base64
import html
import math
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import tariffmodel as tm
from tariffmodel.dashboards import view_model as dm
from tariffmodel.dashboards.assets import SCENARIOS_ENV
from tariffmodel.dashboards.figure_view import FigureView, stacked_layout
from tariffmodel.inputs.errors import InputError
from tariffmodel.inputs.locations import data_dir
from tariffmodel.licence.schedule2 import (
    READING_IDS,
    READINGS,
    actual_losses,
    bulk_supplies_for_losses,
)
from tariffmodel.licence.terms import BY_SYMBOL, MADR_TERMS
from tariffmodel.model import amr, engine
from tariffmodel.model.scenario import load_scenario
from tariffmodel.reporting.compliance import compliance_sentences
from tariffmodel.reporting.provenance import provenance
from tariffmodel.reporting.run_outputs import bill_impact
from tariffmodel.reporting.workbook import workbook_bytes

#: Environment variable naming the folder of scenarios (set by ``tariffmodel dashboard``).
DEFAULT_SCENARIOS = data_dir("scenarios")

#: The terms of MADR_t in the order of the waterfall: DB_t first, then paragraph 1's order
#: (K_Dt enters with a minus sign).
WATERFALL_TERMS = ("DB", *(t for t in MADR_TERMS if t != "DB"))

READING_LABELS = {
    "loss_deadband": "Loss dead band (R1)",
    "call_centre": "Call centre incentive (R2)",
    "para4_excess": "Excess revenue, para 4 (R3)",
    "para5_substitution": "Substitute test, para 5 (R4)",
    "cpi_basis": "Inflation basis (R5)",
    "specified_rate_months": "Interest rate months (R6)",
    "licence_fee_true_up": "Licence fee true-up sign (R7)",
    "call_centre_cap": "Call centre cap (R8)",
}

#: Column widths of the page [px]: the controls' column, and the width under which the
#: results go below the controls instead of beside them (a phone, a tablet upright).
CONTROLS_WIDTH = 360
RESULTS_MIN_WIDTH = 560
#: Under this width of its column a figure shows its panels one above the other [px].
NARROW_FIGURE = 620

#: The button that builds the live Excel model of the cap, and the type of an .xlsx file.
MODEL_BUTTON = "Excel model of the cap (live formulas)"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CSS = """
<style>
.tm-dash { font-family: sans-serif; max-width: 100%; }
.tm-main { display: flex; flex-flow: row wrap; gap: 12px 24px; align-items: flex-start; }
.tm-controls, .tm-views { min-width: 0; max-width: 100%; }
.tm-dash .widget-inline-hbox .widget-label { white-space: normal; line-height: 1.15;
  overflow-wrap: anywhere; }
.tm-dash .tm-control, .tm-dash .widget-dropdown { height: auto;
  min-height: var(--jp-widgets-inline-height, 28px); }
.tm-dash h2 { font-size: clamp(17px, 4.5vw, 24px); margin: 4px 0 8px 0; }
.tm-buildup { margin-top: 14px; }
.tm-print { margin: 0 0 6px 0; }
.tm-print-header { display: none; }
@media print {
  .tm-controls, .tm-print, .tm-model, .tm-downloads-box, .tm-model-note {
    display: none !important; }
  .tm-print-header { display: block; font-size: 12px; margin-bottom: 6px; }
  .tm-views { flex: 1 1 100% !important; }
  /* the page's shell scrolls inside the window on screen: on paper, every page of it */
  html, body, #main, #jp-main-content-panel, #rendered_cells, #rendered_cells > div {
    position: static !important; height: auto !important; overflow: visible !important;
    contain: none !important; width: auto !important;
    padding: 0 !important; box-shadow: none !important; }
  .tm-print-header { white-space: normal; }
  .tm-figure, .tm-buildup, .tm-tables { break-inside: avoid; }
}
.tm-tables { display: flex; flex-flow: row wrap; gap: 8px 28px; }
.tm-tables > * { min-width: 0; max-width: 100%; }
.tm-note { color: #555; font-size: 12px; margin: 2px 0 4px 0; line-height: 1.35; }
.tm-dash .tm-ok { line-height: 1.35; display: inline-block; }
.tm-dash .widget-html-content { line-height: 1.4; }
.tm-table td { white-space: nowrap; }
.tm-dash .tm-table td.tm-amr-opening { white-space: normal; text-align: left; }
.tm-dash h3 { margin: 6px 0 2px 0; font-size: 14px; }
.tm-error { color: #a00000; font-weight: bold; padding: 4px; border: 1px solid #a00000; }
.tm-ok { color: #555; font-size: 12px; }
.tm-table { border-collapse: collapse; font-size: 13px; max-width: 100%; }
.tm-table th { white-space: normal; vertical-align: bottom; }
.tm-table td, .tm-table th { padding: 2px 6px; text-align: right; border-bottom: 1px solid #ddd; }
.tm-table th:first-child, .tm-table td:first-child { text-align: left; }
.tm-hit { color: #a00000; font-weight: bold; }
.tm-pass { color: #1b6e20; }
.tm-downloads a { margin-right: 14px; }
.tm-model-note { color: #555; font-size: 12px; margin: 2px 0 0 8px; }
.tm-model-note a { font-weight: bold; }
.tm-panel { margin-top: 14px; min-width: 0; max-width: 100%; }
.tm-dash .tm-calendar { width: 100%; table-layout: auto; }
.tm-dash .tm-calendar td, .tm-dash .tm-calendar th { white-space: normal;
  overflow-wrap: break-word; vertical-align: top; text-align: left; }
.tm-dash .tm-calendar td.tm-cal-date { white-space: nowrap; }
.tm-cal-src { color: #555; font-size: 12px; }
.tm-cal-list { max-height: 560px; overflow-y: auto; overflow-x: hidden;
  border-bottom: 1px solid #bbb; }
@media print { .tm-calendar-date, .tm-why-year { display: none !important; }
  .tm-cal-list { max-height: none; overflow: visible; } }
</style>
"""


def scenarios_folder(folder=None) -> Path:
    """The folder of scenarios: ``folder``, else $TARIFFMODEL_SCENARIOS, else data/scenarios."""
    return Path(folder or os.environ.get(SCENARIOS_ENV) or DEFAULT_SCENARIOS).resolve()


def list_scenarios(folder: Path) -> list[str]:
    """The scenario files of a folder (file names, sorted): the only choices the page offers."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))


def named_choices(folder: Path, files: list[str]) -> list[tuple[str, str]]:
    """The choices of a dropdown of files: (the file's ``name:``, the file), in file order.

    A file without a readable name shows its file name; a name two files share shows the
    file name beside it.
    """
    import yaml

    names = {}
    for f in files:
        try:
            data = yaml.safe_load((folder / f).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            data = None
        name = data.get("name") if isinstance(data, dict) else None
        names[f] = name.strip() if isinstance(name, str) and name.strip() else f
    shared = {n for n in names.values() if list(names.values()).count(n) > 1}
    return [(f"{n} ({f})" if n in shared and n != f else n, f) for f, n in names.items()]


def plain_message(exc: Exception, folder: Path | None = None) -> str:
    """The message of an error for the page: a file by its name, never the server's path.

    >>> plain_message(InputError("must be a fraction", file="/srv/data/s.yaml", key="notified.X"))
    "s.yaml, key 'notified.X': must be a fraction"
    """
    if isinstance(exc, InputError) and exc.file:
        exc = InputError(exc.rule, file=Path(exc.file).name, key=exc.key, year=exc.year)
    text = str(exc)
    if folder is not None:
        text = text.replace(f"{folder}{os.sep}", "").replace(str(folder), "the folder")
    return text


def pct_to_fraction(value: float) -> float:
    """A percentage from a control as a fraction, without decimal noise.

    >>> pct_to_fraction(0.9), 0.9 / 100
    (0.009, 0.009000000000000001)
    """
    return float(f"{value / 100.0:.12g}")


def fraction_to_pct(value: float) -> float:
    """A fraction as a percentage for a control, without decimal noise.

    >>> fraction_to_pct(0.0125)
    1.25
    """
    return float(f"{value * 100.0:.12g}")


def slug(text: str) -> str:
    """A file-name stem from a scenario name.

    >>> slug("Worked example, 2026-2029")
    'worked-example-2026-2029'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "scenario"


def in_kernel() -> bool:
    """Whether this Python is a Jupyter kernel (whose event loop runs between messages)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of ipywidgets
        return False
    return getattr(get_ipython(), "kernel", None) is not None


class Debouncer:
    """Call ``fn`` once, ``delay`` seconds after the last of a burst of calls.

    In a kernel the call is scheduled on its running event loop; elsewhere (plain Python, tests,
    a script that happens to run an event loop of its own) it runs at once.
    """

    def __init__(self, fn: Callable[[], None], delay: float, deferred=in_kernel) -> None:
        self.fn = fn
        self.delay = delay
        self.deferred = deferred
        self._handle = None

    def __call__(self, *_args) -> None:
        loop = None
        if self.delay > 0 and self.deferred():
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
        if loop is None:
            self.fn()
            return
        if self._handle is not None:
            self._handle.cancel()
        self._handle = loop.call_later(self.delay, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self.fn()

    def flush(self) -> None:
        """Make a call still waiting for its delay now."""
        if self._handle is not None:
            self._handle.cancel()
            self._fire()


def data_link(data: bytes | str, filename: str, mime: str, css_class: str, label: str) -> str:
    """An HTML link that downloads ``data`` as ``filename`` (a data: URI, no server round trip)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    b64 = base64.b64encode(raw).decode("ascii")
    return (
        f'<a class="{css_class}" download="{html.escape(filename)}" '
        f'href="data:{mime};base64,{b64}">{html.escape(label)}</a>'
    )


def term_label(symbol: str, width: int = 26) -> str:
    """A term of MADR_t in plain words with its symbol second, wrapped for a chart's axis.

    K_Dt, which the cap subtracts, shows as "-K".

    >>> term_label("LOSS")
    'Loss incentive (LOSS)'
    >>> term_label("K")
    'Correction factor for past<br>over- or under-recovery<br>(-K)'
    """
    import textwrap

    if symbol == "MADR":
        words = "maximum allowed distribution revenue"
    else:
        words = BY_SYMBOL[symbol].words
    shown = "-K" if symbol == "K" else symbol
    text = f"{words[0].upper()}{words[1:]} ({shown})"
    return "<br>".join(textwrap.wrap(text, width, break_on_hyphens=False))


#: The button that prints the page (the browser's dialog also saves it as PDF).
PRINT_BUTTON = (
    '<button class="tm-print" type="button" onclick="window.print()">Print or save as PDF</button>'
)


def print_header(name: str, edits: dict, readings: dict) -> str:
    """What a printed page is headed by: the scenario, every edit and the readings.

    >>> print(print_header("Base", {"notified.X": 0.02}, {"loss_deadband": "as_drafted"}))
    <div class="tm-print-header"><b>Base</b>; edits: notified.X = 0.02; readings: R1 loss_deadband as_drafted</div>
    """
    shown = "; ".join(f"{k} = {v!r}" for k, v in edits.items()) or "none (as in the file)"
    reads = ", ".join(f"{READING_IDS[k]} {k} {v}" for k, v in readings.items())
    return (
        f'<div class="tm-print-header"><b>{html.escape(name)}</b>; edits: {html.escape(shown)}; '
        f"readings: {html.escape(reads)}</div>"
    )


def _edited(n: int) -> str:
    """How many values of the file the page edits, in words.

    >>> _edited(0), _edited(1), _edited(3)
    ('as in the file', '1 value edited', '3 values edited')
    """
    return "as in the file" if n == 0 else f"{n} value{'s' if n != 1 else ''} edited"


def _model_note(text: str) -> str:
    return f"<div class='tm-model-note'>{html.escape(text)}</div>"


def wrap_label(text: str, width: int = 24) -> str:
    """A label wrapped for a chart's axis (plotly breaks lines at ``<br>``).

    >>> wrap_label("Efficiency factor (X)", 12)
    'Efficiency<br>factor (X)'
    """
    import textwrap

    return "<br>".join(textwrap.wrap(html.escape(text, quote=False), width, break_on_hyphens=False))


def waterfall_figure(go, title: str, *, height: int, value_format: str, tick_format: str,
                     margin: dict):  # fmt: skip
    """A horizontal waterfall in m RO, the bars named on the left (wrapped words) and each
    labelled with its value; rises green, falls red, totals blue."""
    fig = go.Figure(go.Waterfall(
        orientation="h", showlegend=False, connector={"line": {"color": "#999"}},
        increasing={"marker": {"color": "#2e7d32"}},
        decreasing={"marker": {"color": "#c62828"}},
        totals={"marker": {"color": "#1f5fa8"}},
        hovertemplate=f"%{{y}}<br>%{{x:{value_format}}} m RO<extra></extra>",
        texttemplate=f"%{{x:{value_format}}}", textposition="outside", cliponaxis=False,
        textfont={"size": 11},
    ))  # fmt: skip
    fig.update_layout(
        height=height, template="plotly_white",
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 15}},
        margin={**margin, "t": 40, "b": 46, "autoexpand": False},
        yaxis={"autorange": "reversed", "tickfont": {"size": 11}},
        xaxis={"title": {"text": "m RO"}, "tickformat": tick_format},
    )  # fmt: skip
    return fig


def calendar_html(cal, effective_date) -> str:
    """The calendar of obligations as an HTML table in words, with its notes.

    One row per occurrence: the date (1 Jul 2026, or "on event") with its status beneath it,
    and the obligation with its source, period and note beneath it (two columns: a phone's
    width holds them).
    """
    rows = dm.calendar_rows(cal)
    body = "".join(
        f'<tr><td class="tm-cal-date">{html.escape(r.date)}'
        f"<div class='tm-cal-src tm-cal-status'>{html.escape(r.status)}</div></td>"
        f"<td>{html.escape(r.obligation)}<div class='tm-cal-src'>{html.escape(r.source)}"
        + (f"; {html.escape(r.period)}" if r.period else "")
        + (f"; {html.escape(r.note)}" if r.note else "")
        + "</div></td></tr>"
        for r in rows.itertuples(index=False)
    )
    when = (
        f"Effective Date of the regulation {dm.plain_date(effective_date)}"
        if effective_date
        else "no Effective Date of the regulation chosen"
    )
    head = (
        f"<p class='tm-note'>{len(rows)} obligations from {dm.plain_date(cal.start)} to "
        f"{dm.plain_date(cal.end)}; {html.escape(when)}.</p>"
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in dm.calendar_notes(cal))
    return (
        head
        + "<div class='tm-cal-list'><table class='tm-table tm-calendar'><tr><th>date, status</th>"
        "<th>obligation</th></tr>" + body + "</table></div>"
        f"<ul class='tm-note tm-cal-notes'>{notes}</ul>"
    )


def _m(x: float) -> str:
    """Money for display [m RO]."""
    return f"{x / 1e6:,.2f}"


class DashboardPage:
    """What the dashboards share: controls made alike, a status line, display."""

    _w = None  # ipywidgets, imported when a page is built
    status = None

    _quiet = False  # True while the page sets its own controls

    def _ready(self) -> bool:  # pragma: no cover - overridden
        """Whether there is a case to compute."""
        raise NotImplementedError

    def _choice_changed(self, change) -> None:
        """A file chosen (scenario, plan): start from it."""
        if not self._quiet and change["new"]:
            self.load(change["new"])

    def _changed(self, _change=None) -> None:
        """A control moved: compute once the burst of changes is over."""
        if not self._quiet and self._ready():
            self._schedule()

    def _shared(self, key: str, make: Callable[[], object]):
        """One layout or style model for every widget of the page made alike: fewer models
        for the browser to create before it shows the page."""
        models = self.__dict__.setdefault("_shared_models", {})
        if key not in models:
            models[key] = make()
        return models[key]

    def _control_look(self, style: str) -> dict:
        from ipywidgets.widgets.widget_description import DescriptionStyle

        w = self._w
        styles = {"slider": w.SliderStyle, "description": DescriptionStyle}
        return {
            "style": self._shared(style, lambda: styles[style](description_width="150px")),
            # the width of the controls' column, whatever the screen
            "layout": self._shared("control", lambda: w.Layout(width="100%")),
        }

    def _columns(self, controls: list, views: list):
        """The page: the controls' column beside the results, or above them when the screen
        is too narrow for both (the row wraps)."""
        w = self._w
        left = w.VBox(
            controls,
            layout=w.Layout(flex=f"1 1 {CONTROLS_WIDTH}px", max_width=f"{CONTROLS_WIDTH + 60}px"),
        )
        left.add_class("tm-controls")
        right = w.VBox(views, layout=w.Layout(flex=f"999 1 {RESULTS_MIN_WIDTH}px"))
        right.add_class("tm-views")
        main = w.Box([left, right])
        main.add_class("tm-main")
        return main

    def _html(self, value: str = ""):
        """An HTML widget sharing its (default) layout and style with the page's others."""
        from ipywidgets.widgets.widget_string import HTMLStyle

        w = self._w
        return w.HTML(
            value,
            layout=self._shared("html-layout", w.Layout),
            style=self._shared("html-style", HTMLStyle),
        )

    def _slider(self, desc, value, lo, hi, step, css_class, fmt=".2f"):
        w = self._w
        s = w.FloatSlider(
            value=value, min=lo, max=hi, step=step, description=desc, readout_format=fmt,
            continuous_update=False, **self._control_look("slider"),
        )  # fmt: skip
        s.add_class("tm-control")
        s.add_class(css_class)
        s.observe(self._changed, "value")
        return s

    def _dropdown(self, desc, css_class, on_change, options=()):
        # options: values, or (label, value) pairs
        w = self._w
        dd = w.Dropdown(options=options, description=desc, **self._control_look("description"))
        dd.add_class(css_class)
        dd.observe(on_change, "value")
        return dd

    def _start(self, choice, files: list[str], wanted, empty: str) -> None:
        """Offer ``files`` in ``choice`` (by their names) and start from ``wanted`` (default the
        first); the message ``empty`` when there is none."""
        choice.options = named_choices(self.folder, files)
        if not files:
            self._error(empty)
            return
        self._quiet = True
        choice.value = wanted if wanted in files else files[0]
        self._quiet = False
        self.load(choice.value)

    def _error(self, message: str) -> None:
        self.status.value = f'<div class="tm-status tm-error">{html.escape(message)}</div>'

    def _value_controls(self) -> list:
        """The controls that edit a loaded file (not the choice of the file)."""
        return []

    def _failed(self, what: str, exc: Exception) -> None:
        """A file that cannot be used or computed: the message (the file by its name), no
        numbers, and its controls off (they would show values of another file)."""
        self._error(f"{what}: {plain_message(exc, self.folder)}")
        for ctl in self._value_controls():
            ctl.disabled = True

    def show(self) -> None:
        """Display the page (in a notebook, or served by Voila)."""
        from IPython.display import display

        display(self.widget)


class MadrDashboard(DashboardPage):
    """The MADR dashboard: controls, views and downloads for one folder of scenarios.

    Parameters
    ----------
    scenarios_dir : path, optional
        The folder of scenario files offered (see :func:`scenarios_folder`).
    scenario : str, optional
        The file name in that folder to start from (default: the first).
    debounce : float
        Seconds to wait after the last change before computing [s].
    grid_points : int
        Points of the loss incentive curve.

    Attributes
    ----------
    widget : ipywidgets.Widget
        The page.
    engine_calls : int
        How many times the engine ran (once per change, once more per scenario loaded for
        the base case).
    frame : pandas.DataFrame or None
        The results shown (madr.csv columns).
    edited : Scenario or None
        The edited scenario shown (what the YAML download holds).
    """

    def __init__(self, scenarios_dir=None, scenario=None, *, debounce=0.06, grid_points=61):
        import ipywidgets as w

        self._w = w
        self._engine = engine
        self.folder = scenarios_folder(scenarios_dir)
        self.grid_points = int(grid_points)
        self.engine_calls = 0
        self.last_compute_s = math.nan
        self.base = None  # the scenario as loaded
        self.base_frame = None
        self.frame = None
        self.edited = None
        self._readings_cache: dict = {}
        self._quiet = False
        self._shown: dict[str, float] = {}
        self._provenance: dict = {}
        self._schedule = Debouncer(self.refresh, debounce)
        self._build()
        self._start(self.scenario_choice, list_scenarios(self.folder), scenario,
                    "No scenario files (*.yaml) in the scenarios folder.")  # fmt: skip

    # -- building the page --------------------------------------------------------------------
    def _build(self) -> None:
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        w = self._w
        self.title = self._html(CSS + "<h2>Maximum Allowed Distribution Revenue</h2>")
        self.status = self._html('<div class="tm-status tm-ok">starting</div>')
        self.scenario_choice = self._dropdown("Scenario", "tm-scenario", self._choice_changed)
        self.reading_controls = {
            switch: self._dropdown(READING_LABELS[switch], f"tm-reading-{switch}", self._changed,
                                   options=[(v.replace("_", " "), v) for v in allowed])
            for switch, allowed in READINGS.items()
        }  # fmt: skip
        self.cpi_box = w.VBox([])
        self.cpi_note = self._html()
        self.cpi_controls: dict[int, object] = {}
        self.x_control = self._slider("Efficiency factor (X) [%]", 1.5, 0.0, 10.0, 0.05, "tm-x")
        self.tl_control = self._slider("Loss target (TL) [%]", 8.0, 0.0, 20.0, 0.05, "tm-tl")
        self.al_control = self._slider("Actual losses (AL) [%]", 8.0, 0.0, 30.0, 0.05, "tm-al")
        self.ca_growth = self._slider(
            "Growth of customer accounts (CA) [% a year]", 0.0, -5.0, 5.0, 0.1, "tm-ca-growth"
        )
        self.units_growth = self._slider(
            "Growth of units sold (RUD) [% a year]", 0.0, -5.0, 5.0, 0.1, "tm-units-growth"
        )
        self.ws_control = self._slider("Customer service score (WS)", 0.85, 0.0, 2.0, 0.01, "tm-ws")
        self.recovery_control = self._slider(
            "Revenue collected (ARDR/MADR) [%]", 100.0, 50.0, 150.0, 0.5, "tm-recovery"
        )
        self.amr_pace = self._slider(
            "Smart-meter roll-out pace (AMR) [x]", 1.0, 0.25, 3.0, 0.05, "tm-amr-pace"
        )
        self.amr_cost = self._slider(
            "Smart-meter unit cost (AMR) [x]", 1.0, 0.25, 3.0, 0.05, "tm-amr-cost"
        )
        self.amr_note = self._html()
        self.year_choice = self._dropdown("Year shown in detail", "tm-year", self._changed)
        self.reset_button = w.Button(description="Back to the scenario")
        self.reset_button.add_class("tm-reset")
        self.reset_button.on_click(lambda _b: self.reset())

        controls = [
            self.scenario_choice,
            self._html("<h3>Inflation (CPI) by year</h3>"),
            self.cpi_box,
            self.cpi_note,
            self._html("<h3>Notified values</h3>"),
            self.x_control,
            self.tl_control,
            self._html("<h3>Forecasts</h3>"),
            self.al_control,
            self.ca_growth,
            self.units_growth,
            self.ws_control,
            self.recovery_control,
            self._html("<h3>Smart-meter (AMR) programme</h3>"),
            self.amr_pace,
            self.amr_cost,
            self.amr_note,
            self._html("<h3>Readings of the licence</h3>"),
            *self.reading_controls.values(),
            self._html("<h3>View</h3>"),
            self.year_choice,
            self.reset_button,
        ]

        fig = make_subplots(
            rows=2, cols=2, vertical_spacing=0.2, horizontal_spacing=0.12,
            specs=[[{}, {}], [{"colspan": 2}, None]],
            subplot_titles=("Allowed revenue (MADR) by year [m RO]",
                            "Bill impact [baisa per kWh]", "Loss incentive (LOSS) [m RO]"),
        )  # fmt: skip
        money = "%{y:,.2f} m RO"
        fig.add_trace(go.Bar(name="base scenario", marker_color="#9aa5b1",
                             hovertemplate=f"%{{x}}: {money}<extra>base scenario</extra>"),
                      1, 1)  # fmt: skip
        fig.add_trace(go.Bar(name="this case", marker_color="#1f5fa8",
                             hovertemplate=f"%{{x}}: {money}<extra>this case</extra>"), 1, 1)  # fmt: skip
        bill = "%{x}: %{y:.3f} baisa per kWh"
        fig.add_trace(go.Bar(name="base scenario", marker_color="#9aa5b1", showlegend=False,
                             hovertemplate=f"{bill}<extra>base scenario</extra>"), 1, 2)  # fmt: skip
        fig.add_trace(go.Bar(name="this case", marker_color="#1f5fa8", showlegend=False,
                             hovertemplate=f"{bill}<extra>this case</extra>"), 1, 2)  # fmt: skip
        # the loss incentive panel has a legend of its own: band, caps, curve, point; the band
        # is drawn first and pale, under the curve
        loss = {"legend": "legend2"}
        fig.add_trace(go.Scatter(name="dead band, TL to TL + BAND", mode="none", fill="toself",
                                 fillcolor="rgba(242, 201, 76, 0.28)", hoverinfo="skip",
                                 **loss), 2, 1)  # fmt: skip
        fig.add_trace(go.Scatter(name="cap and floor, 3 % of DB", mode="lines",
                                 line={"dash": "dot", "color": "#c62828", "width": 1.5},
                                 hovertemplate="%{y:,.2f} m RO<extra>cap or floor</extra>",
                                 **loss), 2, 1)  # fmt: skip
        fig.add_trace(go.Scatter(
            name="loss incentive at each level of losses", mode="lines",
            line={"color": "#1f5fa8", "width": 2.5},
            hovertemplate="actual losses %{x:.2f} %: %{y:,.2f} m RO<extra></extra>", **loss,
        ), 2, 1)  # fmt: skip
        fig.add_trace(go.Scatter(
            name="this case", mode="markers", marker={"size": 11, "color": "#c62828"},
            hovertemplate="this case: actual losses %{x:.2f} %, %{y:,.2f} m RO<extra></extra>",
            **loss,
        ), 2, 1)  # fmt: skip
        fig.update_layout(
            height=640, barmode="group", template="plotly_white",
            # margins fixed (room for the legend): plotly draws the figure once, not twice
            margin={"l": 56, "r": 16, "t": 70, "b": 46, "autoexpand": False},
            legend={"orientation": "h", "y": 1.06, "yanchor": "bottom", "x": 0.0},
            legend2={"x": 1.0, "y": 0.4, "xanchor": "right", "yanchor": "top",
                     "bgcolor": "rgba(255, 255, 255, 0.8)", "font": {"size": 11}},
            hoverlabel={"namelength": -1},
        )  # fmt: skip
        fig.update_xaxes(title_text="actual losses of the year before (AL) [%]", row=2, col=1)
        self.fig = fig
        self.figure_view = FigureView(
            fig, narrow_below=NARROW_FIGURE,
            narrow=lambda layout: stacked_layout(layout, 3, legends={"legend2": 2}),
        )  # fmt: skip
        self.figure_view.add_class("tm-figure")

        # the build-up: one bar per term in plain words, the symbol second (a figure of its
        # own, its left margin holding the words)
        buildup = waterfall_figure(
            go, "Build-up of MADR [m RO]", height=110 + 34 * len(WATERFALL_TERMS),
            value_format=",.2f", tick_format=",.0f", margin={"l": 190, "r": 56},
        )  # fmt: skip
        self.buildup = buildup
        self.buildup_view = self._waterfall_view(buildup)
        self.buildup_view.add_class("tm-buildup")

        self.headline = self._html()
        self.bills = self._html()
        self.compliance = self._html()
        self.downloads = self._html()
        self.downloads.add_class("tm-downloads-box")
        self.model_button = w.Button(
            description=MODEL_BUTTON, icon="file-excel-o", layout=w.Layout(width="auto"),
            tooltip="Build the Excel workbook of this case: every term of the cap as a formula",
        )  # fmt: skip
        self.model_button.add_class("tm-model")
        self.model_button.on_click(lambda _b: self.build_model())
        self.model_link = self._html()
        tables = w.Box([self.bills, self.compliance])
        tables.add_class("tm-tables")
        model = w.Box([self.model_button, self.model_link])
        model.add_class("tm-tables")
        # for a board paper: the browser's print (or save as PDF) of the results, headed by
        # what produced them
        self.print_note = self._html(PRINT_BUTTON)
        self.print_header = self._html()
        why = self._build_why(go)
        calendar = self._build_calendar()
        views = [self.print_header, self.print_note, self.status, self.headline,
                 self.figure_view, self.buildup_view, tables, why, calendar,
                 self.downloads, model]  # fmt: skip
        self.widget = w.VBox([self.title, self._columns(controls, views)])
        self.widget.add_class("tm-dash")

    def _waterfall_view(self, fig):
        """The widget of a horizontal waterfall: narrower words' margin on a narrow screen."""
        return FigureView(
            fig, narrow_below=NARROW_FIGURE,
            narrow=lambda layout: {**layout, "margin": {**layout["margin"], "l": 140}},
        )  # fmt: skip

    def _build_why(self, go):
        """The panel "why does this case differ from the scenario": the difference of MADR
        split by driver (Shapley attribution of ``tm.compare``), drawn as a waterfall."""
        w = self._w
        self.why_year = self._dropdown("Year", "tm-why-year", lambda _c: self._draw_why())
        self.why_year.layout = self._shared("panel-control", lambda: w.Layout(width="100%",
                                            max_width=f"{CONTROLS_WIDTH + 60}px"))  # fmt: skip
        self.why_note = self._html()
        fig = waterfall_figure(
            go, "Difference of MADR by driver [m RO]", height=260, value_format="+,.2f",
            tick_format=",.2~f", margin={"l": 200, "r": 64},
        )  # fmt: skip
        self.why_fig = fig
        self.why_view = self._waterfall_view(fig)
        self.why_view.add_class("tm-why")
        self.comparison = None
        box = w.VBox([
            self._html("<h3>Why does this case differ from the scenario it started from?</h3>"),
            self.why_year, self.why_note, self.why_view,
        ])  # fmt: skip
        box.add_class("tm-panel")
        return box

    def _build_calendar(self):
        """The panel of the calendar of obligations, for an Effective Date the user chooses."""
        w = self._w
        self.effective_date = w.DatePicker(
            description="Effective Date of the cyber security regulation", value=None,
            **self._control_look("description"),
        )  # fmt: skip
        self.effective_date.layout = self._shared("panel-control", lambda: w.Layout(
            width="100%", max_width=f"{CONTROLS_WIDTH + 60}px"))  # fmt: skip
        self.effective_date.add_class("tm-calendar-date")
        self.effective_date.observe(lambda _c: self.update_calendar(), "value")
        self.calendar = None
        self.calendar_html = self._html()
        box = w.VBox([
            self._html("<h3>Calendar of obligations</h3>"), self.effective_date,
            self.calendar_html,
        ])  # fmt: skip
        box.add_class("tm-panel")
        return box

    def update_calendar(self) -> None:
        """List the obligations over the scenario's years for the Effective Date chosen (none:
        the regulation's obligations are left out, and the notes say so)."""
        if self.base is None:
            self.calendar, self.calendar_html.value = None, ""
            return
        start, end = dm.calendar_span(self.base.years)
        try:
            cal = tm.calendar(self.base, start=start, end=end,
                              effective_date=self.effective_date.value)  # fmt: skip
        except (InputError, ValueError) as exc:
            self.calendar = None
            self.calendar_html.value = (
                f'<div class="tm-error">The calendar cannot be made: '
                f"{html.escape(plain_message(exc, self.folder))}</div>"
            )
            return
        self.calendar = cal
        self.calendar_html.value = calendar_html(cal, self.effective_date.value)

    def _update_why(self, sc, edited, edits) -> None:
        """Compare the case with the scenario as loaded, when anything was changed."""
        self.comparison = None
        if not edits and edited.readings == self.base.readings:
            self.why_note.value = (
                '<div class="tm-ok">This case is the scenario as loaded: move a control or '
                "choose another reading to see what each change does to the allowed revenue."
                "</div>"
            )
            self._draw_why()
            return
        try:
            self.comparison = tm.compare(self.base, edited)
        except (InputError, ValueError) as exc:
            self.why_note.value = (
                f'<div class="tm-ok">The difference cannot be split by driver: '
                f"{html.escape(plain_message(exc, self.folder))}</div>"
            )
        else:
            self.why_note.value = ""
        self._draw_why()

    def _draw_why(self) -> None:
        c = self.comparison
        trace = self.why_fig.data[0]
        if c is None or self.why_year.value is None:
            trace.update(x=[], y=[], measure=[])
            self.why_fig.layout.height = 120
            self.why_view.refresh()
            return
        year = self.why_year.value
        bars = dm.attribution_bars(c, year)
        total = dm.madr_difference(c, year)
        labels = [*(wrap_label(t) for t in bars["words"]),
                  wrap_label("Difference of MADR, this case less the scenario")]  # fmt: skip
        values = [*(bars["contribution"] / 1e6), total / 1e6]
        trace.update(y=labels, x=values, measure=["relative"] * len(bars) + ["total"])
        # room on both sides for the values written beside the bars
        running = np.concatenate([[0.0], np.cumsum(values[:-1]), [values[-1]]])
        lo, hi = float(running.min()), float(running.max())
        pad = 0.4 * max(hi - lo, 1e-3)
        self.why_fig.layout.xaxis.range = [lo - pad, hi + pad]
        when = "over the years" if year == "period" else f"of {year}"
        self.why_fig.layout.title.text = f"Difference of MADR {when} by driver [m RO]"
        self.why_fig.layout.height = 110 + 54 * (len(bars) + 1)
        self.why_view.refresh()

    # -- scenario and controls ----------------------------------------------------------------
    def load(self, name: str) -> None:
        """Start from the scenario file ``name`` of the folder: reset every control, compute."""
        path = self.folder / name
        try:
            sc = load_scenario(path)
            self._readings_cache = {}
            self.base = sc
            self.base_frame = self._engine.project(sc)
            self._provenance = provenance(
                inputs=sc.sources, command="tariffmodel dashboard (MADR dashboard)"
            )
            self.engine_calls += 1
            self._cpi_acts = self._cpi_years_that_act(sc)
        except (InputError, ValueError, KeyError) as exc:
            self.base = None
            self._clear_views()
            self.cpi_box.children = ()
            self.cpi_note.value = ""
            self._failed("This scenario cannot be used", exc)
            return
        self._reset_controls()
        self._quiet = True
        try:
            self.why_year.options = [("all years (the period)", "period"),
                                     *((str(y), str(y)) for y in sc.years)]  # fmt: skip
            self.why_year.value = "period"
        finally:
            self._quiet = False
        self.update_calendar()
        self.refresh()

    def _value_controls(self) -> list:
        return [*self._scalar_controls().values(), *self.cpi_controls.values(),
                *self.reading_controls.values(), self.year_choice, self.reset_button,
                self.model_button, self.effective_date, self.why_year]  # fmt: skip

    def _cpi_years_that_act(self, sc) -> dict[int, bool]:
        """Whether CPI_t of each modelled year changes any MADR of the scenario (readings as
        loaded): one engine call, variant k moving CPI of the k-th year by a point.

        CPI_t of a year whose a, c and p are notified enters no indexation, so its control
        would move and change nothing.
        """
        years = [y for y in sc.years if sc.rows[y].get("CPI") is not None]
        if not years:
            return {}
        n = len(years) + 1
        overrides = {}
        for k, y in enumerate(years):
            v = float(sc.rows[y]["CPI"])
            values = np.full(n, v)
            values[k + 1] = v + 0.01
            overrides[f"inputs.CPI@{y}"] = values
        madr = np.asarray(self._engine.evaluate(sc, overrides=overrides)["MADR"])
        self.engine_calls += 1
        return {y: bool(np.any(madr[k + 1] != madr[0])) for k, y in enumerate(years)}

    def _cpi_note(self, sc, inert: list[int]) -> str:
        if not inert:
            return ""
        notified = [y for y in inert
                    if all(math.isfinite(sc.notified_value(k, y)) for k in ("a", "c", "p"))]  # fmt: skip
        parts = []
        if notified:
            ys = ", ".join(map(str, notified))
            parts.append(f"Inflation (CPI) of {ys} has no control: the indexation factors "
                         f"a, c and p of {ys} are notified, so it changes no number of this "
                         "scenario.")  # fmt: skip
        other = [y for y in inert if y not in notified]
        if other:
            ys = ", ".join(map(str, other))
            parts.append(f"Inflation (CPI) of {ys} has no control: it changes no number of "
                         "this scenario under the readings it gives.")  # fmt: skip
        return f"<div class='tm-note tm-cpi-note'>{html.escape(' '.join(parts))}</div>"

    def _reset_controls(self) -> None:
        sc = self.base
        first = sc.years[0]
        self._quiet = True
        try:
            for ctl in self._value_controls():
                ctl.disabled = False
            cpis = {}
            for y in sc.years:
                v = sc.rows[y].get("CPI", math.nan)
                v = 0.0 if v is None or math.isnan(v) else v
                s = self._slider(
                    f"Inflation (CPI) {y} [%]", fraction_to_pct(v), -2.0, 10.0, 0.05,
                    f"tm-cpi-{y}",
                )  # fmt: skip
                cpis[y] = s
            self.cpi_controls = cpis
            # a year's control only where its CPI acts; the note says why the others are not
            acts = getattr(self, "_cpi_acts", {})
            self.cpi_box.children = tuple(c for y, c in cpis.items() if acts.get(y, True))
            self.cpi_note.value = self._cpi_note(sc, [y for y in cpis if not acts.get(y, True)])
            b = self.base_frame
            # what each control shows at the start, in the model's units
            pct = {
                "X": sc.notified_value("X", first),
                "TL": float(b["TL"].iloc[0]),
                "AL": float(b["AL"].iloc[0]),
                "CA": 0.0,
                "units": 0.0,
                "recovery": 1.0,
            }
            plain = {"WS": self._initial_ws(sc), "pace": 1.0, "cost": 1.0}
            controls = self._scalar_controls()
            for key, value in pct.items():
                controls[key].value = fraction_to_pct(value)
            for key, value in plain.items():
                controls[key].value = float(f"{value:.12g}")
            self._shown = {k: pct_to_fraction(controls[k].value) for k in pct}
            self._shown |= {k: float(f"{controls[k].value:.12g}") for k in plain}
            self._shown |= {f"CPI@{y}": pct_to_fraction(ctl.value) for y, ctl in cpis.items()}
            for switch, dd in self.reading_controls.items():
                dd.value = sc.readings[switch]
            self.year_choice.options = [str(y) for y in sc.years]
            self.year_choice.value = str(first)
            rec_years = dm.recovery_years(sc)
            self.recovery_control.disabled = not rec_years
            self._amr_plan = self._load_amr_plan(sc)
            enabled = self._amr_plan is not None
            self.amr_pace.disabled = not enabled
            self.amr_cost.disabled = not enabled
            self.amr_note.value = (
                '<span class="tm-ok">AMR_t from the plan at this pace and unit cost; the plan\'s '
                "loss reduction stays as in the scenario.</span>"
                if enabled
                else '<span class="tm-ok">The scenario gives AMR_t as amounts (no AMR plan): '
                "pace and unit cost are fixed.</span>"
            )
        finally:
            self._quiet = False

    def _initial_ws(self, sc) -> float:
        v = sc.rows[sc.years[0]].get("WS")
        if v is None or (isinstance(v, float) and math.isnan(v)):
            v = sc.notified_value("TS", sc.years[0])
        return float(v)

    def _scalar_controls(self) -> dict:
        return {
            "X": self.x_control,
            "TL": self.tl_control,
            "AL": self.al_control,
            "CA": self.ca_growth,
            "units": self.units_growth,
            "WS": self.ws_control,
            "recovery": self.recovery_control,
            "pace": self.amr_pace,
            "cost": self.amr_cost,
        }

    def _load_amr_plan(self, sc):
        raw = sc.to_dict(resolved=False)
        if not raw.get("amr"):
            return None
        try:
            return amr.load_plan(Path(sc.path).parent / raw["amr"])
        except (ImportError, AttributeError, InputError, OSError):
            return None

    def reset(self) -> None:
        """Every control back to the scenario's own values."""
        if self.base is not None:
            self._reset_controls()
            self.refresh()

    def _ready(self) -> bool:
        return self.base is not None

    def _changed(self, _change=None) -> None:
        # a link to the Excel model of an earlier case goes at once, before the case is computed
        self.model_link.value = ""
        super()._changed(_change)

    def controls(self) -> dm.Controls:
        """The page's control values as :class:`dashboard_model.Controls` (untouched: None).

        A control counts as touched when its value, read at the 12 significant digits a
        control carries, differs from the value it was given: a browser's slider that hands
        back 0.9000000000000004 for 0.9 edits nothing.
        """

        def read(ctl, pct=True):
            return pct_to_fraction(ctl.value) if pct else float(f"{ctl.value:.12g}")

        def edit(key, ctl, pct=True):
            value = read(ctl, pct)
            return None if value == self._shown[key] else value

        cpi = {y: read(ctl) for y, ctl in self.cpi_controls.items()
               if read(ctl) != self._shown[f"CPI@{y}"]}  # fmt: skip
        c = self._scalar_controls()
        amr = {}
        pace, cost = edit("pace", c["pace"], False), edit("cost", c["cost"], False)
        if self._amr_plan is not None and (pace is not None or cost is not None):
            amr = self.amr_allowance(read(c["pace"], False), read(c["cost"], False))
        return dm.Controls(
            cpi=cpi, X=edit("X", c["X"]), TL=edit("TL", c["TL"]), AL=edit("AL", c["AL"]),
            accounts_growth=edit("CA", c["CA"]), units_growth=edit("units", c["units"]),
            WS=edit("WS", c["WS"], False), recovery=edit("recovery", c["recovery"]), amr=amr,
        )  # fmt: skip

    def amr_allowance(self, pace: float, cost: float) -> dict[int, float]:
        """AMR_t [RO] of the scenario's plan with the roll-out at ``pace`` and unit costs x cost."""
        import dataclasses

        plan = self._amr_plan
        rollout = dm.rollout_at_pace(plan.rollout, pace)
        capex = tuple(dataclasses.replace(k, unit_cost=k.unit_cost * cost) for k in plan.capex)
        end = max(plan.horizon_end, max(rollout))
        plan2 = dataclasses.replace(plan, rollout=rollout, capex=capex, horizon_end=end)
        series = amr.allowance(plan2)
        return {int(y): float(v) for y, v in series.items()}

    def readings(self) -> dict[str, str]:
        return {k: dd.value for k, dd in self.reading_controls.items()}

    def _with_readings(self):
        key = tuple(sorted(self.readings().items()))
        if key not in self._readings_cache:
            changed = {k: v for k, v in self.readings().items() if self.base.readings[k] != v}
            self._readings_cache[key] = self.base.with_readings(**changed) if changed else self.base
        return self._readings_cache[key]

    # -- computing ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Compute the case on the page (one engine call) and update every view in place."""
        if self.base is None:
            return
        t0 = time.perf_counter()
        self.model_link.value = ""
        try:
            sc = self._with_readings()
            self._follow_cpi(sc)
            edits = dm.scenario_edits(sc, self.controls())
            edited = sc.with_values(edits) if edits else sc
            year = int(self.year_choice.value or edited.years[0])
            target, grid_al, rud_prev = self._loss_grid(edited, year)
            rbs_own = edited.rows[year - 1]["RBS"]
            overrides = {
                target: np.concatenate([[rbs_own], bulk_supplies_for_losses(rud_prev, grid_al)])
            }
            result = self._engine.evaluate(edited, overrides=overrides)
            self.engine_calls += 1
            frame = self._engine.to_frame(result, edited.years, draw=0)
        except (InputError, ValueError, KeyError) as exc:
            self._clear_views()
            self._error(f"This case cannot be computed: {plain_message(exc, self.folder)}")
            return
        self.edited, self.frame = edited, frame
        j = edited.years.index(year)
        self._update_views(frame, grid_al, result["LOSS"][1:, j], j)
        self.last_compute_s = time.perf_counter() - t0
        self.status.value = (
            f'<div class="tm-status tm-ok" data-engine-calls="{self.engine_calls}">'
            f"{html.escape(edited.name)}: {_edited(len(edits))}; computed in "
            f"{1000 * self.last_compute_s:.0f} ms.</div>"
        )
        self._update_downloads(edited, frame, edits)
        self.print_header.value = print_header(edited.name, edits, self.readings())
        self._update_why(sc, edited, edits)

    def _follow_cpi(self, sc) -> None:
        """CPI sliders not moved show CPI_t of the readings chosen (R5 changes a linked CPI)."""
        self._quiet = True
        try:
            for y, ctl in self.cpi_controls.items():
                v = sc.rows[y].get("CPI")
                key = f"CPI@{y}"
                if pct_to_fraction(ctl.value) == self._shown[key] and v is not None:
                    ctl.value = fraction_to_pct(0.0 if math.isnan(v) else v)
                    self._shown[key] = pct_to_fraction(ctl.value)
        finally:
            self._quiet = False

    def _loss_grid(self, sc, year):
        """The target, the grid of AL_{t-1} and RUD_{t-1} of the loss incentive curve."""
        b = self.base_frame
        prev = sc.rows[year - 1]
        rud, rbs = prev["RUD"], prev["RBS"]
        al = actual_losses(rud, rbs)
        j = sc.years.index(year)
        tl = sc.notified_value("TL", year - 1)
        band = sc.notified_value("BAND", year - 1)
        if math.isnan(tl):
            tl = float(b["TL"].iloc[j])
        band = 0.0 if math.isnan(band) else band
        lo = max(0.0, min(al, tl) - 0.04)
        hi = min(0.6, max(al, tl + band) + 0.04)
        # the band edges on the grid: reading R1 as drafted has D_t = 0 exactly at TL + BAND
        grid = np.unique(np.concatenate([np.linspace(lo, hi, self.grid_points), [tl, tl + band]]))
        return f"inputs.RBS@{year - 1}", grid, rud

    # -- views --------------------------------------------------------------------------------
    def _update_views(self, f, grid_al, grid_loss, j) -> None:
        b = self.base_frame
        years = [str(y) for y in f["year"]]
        row = f.iloc[j]
        bill, bill_base = bill_impact(f), bill_impact(b)
        terms = [t for t in WATERFALL_TERMS if t == "DB" or row[t] != 0.0]
        values = [(-row[t] if t == "K" else row[t]) / 1e6 for t in terms]
        al, tl, band, cap = row["AL"], row["TL"], row["BAND"], row["loss_cap"]
        fig = self.fig
        fig.data[0].update(x=years, y=(b["MADR"] / 1e6).tolist())
        fig.data[1].update(x=years, y=(f["MADR"] / 1e6).tolist())
        fig.data[2].update(x=years, y=bill_base["baisa_per_kWh"].tolist())
        fig.data[3].update(x=years, y=bill["baisa_per_kWh"].tolist())
        x_lo, x_hi = 100 * float(grid_al[0]), 100 * float(grid_al[-1])
        y_hi = 1.1 * max(cap, float(np.max(np.abs(grid_loss)))) / 1e6
        band_x = [100 * tl, 100 * tl, 100 * (tl + band), 100 * (tl + band)]
        fig.data[4].update(x=band_x, y=[-y_hi, y_hi, y_hi, -y_hi])
        # the cap and the floor as one trace, broken between the two lines
        fig.data[5].update(x=[x_lo, x_hi, None, x_lo, x_hi],
                           y=[cap / 1e6, cap / 1e6, None, -cap / 1e6, -cap / 1e6])  # fmt: skip
        fig.data[6].update(x=(100 * grid_al).tolist(), y=(grid_loss / 1e6).tolist())
        fig.data[7].update(x=[100 * al], y=[row["LOSS"] / 1e6])
        fig.layout.annotations[2].text = f"Loss incentive (LOSS) of {years[j]} [m RO]"
        self.figure_view.refresh()
        self.buildup.data[0].update(
            y=[*(term_label(t) for t in terms), term_label("MADR")], x=[*values, row["MADR"] / 1e6],
            measure=["relative"] * len(values) + ["total"],
        )  # fmt: skip
        self.buildup.layout.title.text = f"Build-up of the allowed revenue of {years[j]} [m RO]"
        # the axis starts near the smallest running total, so that terms of a few m RO beside
        # DB_t of some hundreds show; the bars carry their values
        running = np.cumsum(values)
        lo = min(0.0, float(running.min())) if running.min() <= 0 else 0.9 * float(running.min())
        hi = 1.03 * max(float(running.max()), row["MADR"] / 1e6)
        self.buildup.layout.xaxis.range = [lo, hi]
        self.buildup.layout.xaxis.title.text = (
            f"m RO (the axis starts at {lo:,.0f}, not zero)" if lo > 0 else "m RO"
        )
        self.buildup_view.refresh()
        self.headline.value = self._headline_html(f, b)
        self.bills.value = self._bills_html(bill, bill_base)
        self.compliance.value = self._compliance_html(f)

    def _headline_html(self, f, b) -> str:
        rows = []
        for (_, r), (_, rb) in zip(f.iterrows(), b.iterrows(), strict=True):
            y, v, vb = int(r["year"]), float(r["MADR"]), float(rb["MADR"])
            change = 100.0 * (v / vb - 1.0)
            rows.append(
                f"<tr><td>{y}</td><td>{_m(vb)}</td>"
                f'<td class="tm-madr" data-year="{y}" data-value="{v!r}"><b>{_m(v)}</b></td>'
                f"<td>{change:+.2f} %</td></tr>"
            )
        return (
            '<table class="tm-table tm-headline"><tr><th>year</th><th>MADR base [m RO]</th>'
            "<th>MADR this case [m RO]</th><th>change</th></tr>" + "".join(rows) + "</table>"
        )

    def _bills_html(self, bill, base) -> str:
        rows = "".join(
            f"<tr><td>{int(y)}</td><td>{kb:.3f}</td>"
            f'<td class="tm-bill-kwh" data-year="{int(y)}" data-value="{k!r}">{k:.3f}</td>'
            f"<td>{ab:.2f}</td>"
            f'<td class="tm-bill-account" data-year="{int(y)}" data-value="{a!r}">{a:.2f}</td>'
            "</tr>"
            for y, k, kb, a, ab in zip(
                bill["year"], bill["baisa_per_kWh"], base["baisa_per_kWh"],
                bill["RO_per_account"], base["RO_per_account"], strict=True,
            )
        )  # fmt: skip
        return (
            "<h3>Bill impact</h3><table class='tm-table tm-bills'><tr><th>year</th>"
            "<th>base [baisa per kWh]</th><th>this case [baisa per kWh]</th>"
            "<th>base [RO per account a year]</th><th>this case [RO per account a year]</th>"
            "</tr>" + rows + "</table>"
        )

    def _compliance_html(self, f) -> str:
        items = "".join(
            f'<li class="{"tm-hit" if hit else "tm-pass"}">{html.escape(text)}</li>'
            for _, text, hit in compliance_sentences(f)
        )
        return f"<h3>Revenue tests (paragraphs 3-5)</h3><ul class='tm-compliance'>{items}</ul>"

    def _update_downloads(self, edited, frame, edits) -> None:
        name = slug(edited.name)
        table = dm.with_unit_headers(dm.results_table(frame))
        about = dm.about_table(self._provenance, edited.readings, edits)
        links = [
            data_link(edited.to_yaml(), f"{name}-edited.yaml", "application/x-yaml",
                      "tm-dl-yaml", "Scenario (YAML)"),
            data_link(table.to_csv(index=False), f"{name}-madr.csv", "text/csv",
                      "tm-dl-csv", "Results (CSV)"),
            data_link(dm.to_xlsx_bytes({"madr": table, "about": about}), f"{name}-madr.xlsx",
                      XLSX_MIME, "tm-dl-xlsx", "Results (XLSX)"),
        ]  # fmt: skip
        self.downloads.value = (
            "<h3>Downloads</h3><div class='tm-downloads'>" + "".join(links) + "</div>"
        )

    def build_model(self) -> None:
        """Offer the live Excel model of the cap for the case on the page (built on request:
        about a tenth of a second, too slow for every move of a slider)."""
        self._schedule.flush()  # a change still waiting: compute it first
        edited = self.edited
        if edited is None:
            self.model_link.value = _model_note("There is no case to build the model of.")
            return
        self.model_link.value = _model_note("Building the Excel model of this case ...")
        record = provenance(
            inputs=edited.sources,
            readings={f"{READING_IDS[k]} {k}": v for k, v in edited.readings.items()},
            command="tariffmodel dashboard (MADR dashboard, Excel model of the cap)",
        )
        try:
            data = workbook_bytes(edited, record)
        except (InputError, ValueError, KeyError) as exc:
            self.model_link.value = _model_note(f"The Excel model cannot be built: {exc}")
            return
        if self.edited is not edited:  # pragma: no cover - the case changed meanwhile
            self.model_link.value = ""
            return
        link = data_link(data, f"{slug(edited.name)}-cap-model.xlsx", XLSX_MIME, "tm-dl-model",
                         "Download the Excel model of this case")  # fmt: skip
        self.model_link.value = (
            f"<div class='tm-model-note'>{link} (built for the values now on the page; "
            "changing any of them removes this link)</div>"
        )

    def _clear_views(self) -> None:
        """No numbers of an earlier case stay on the page beside an error."""
        self.frame = self.edited = None
        self.headline.value = '<table class="tm-table tm-headline"></table>'
        self.bills.value = self.compliance.value = self.downloads.value = ""
        self.model_link.value = self.why_note.value = self.calendar_html.value = ""
        self.comparison = self.calendar = None
        for fig, view in ((self.fig, self.figure_view), (self.buildup, self.buildup_view),
                          (self.why_fig, self.why_view)):  # fmt: skip
            for trace in fig.data:
                trace.update(x=[], y=[])
            view.refresh()

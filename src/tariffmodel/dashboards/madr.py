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

from tariffmodel.dashboards import view_model as dm
from tariffmodel.dashboards.assets import SCENARIOS_ENV
from tariffmodel.dashboards.figure_view import FigureView
from tariffmodel.inputs.errors import InputError
from tariffmodel.inputs.locations import data_dir
from tariffmodel.licence.schedule2 import (
    READING_IDS,
    READINGS,
    actual_losses,
    bulk_supplies_for_losses,
)
from tariffmodel.licence.terms import MADR_TERMS
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
    "loss_deadband": "R1 loss dead band",
    "call_centre": "R2 call centre",
    "para4_excess": "R3 para 4 excess",
    "para5_substitution": "R4 para 5",
    "cpi_basis": "R5 CPI basis",
    "specified_rate_months": "R6 Specified Rate months",
    "licence_fee_true_up": "R7 licence fee true-up",
    "call_centre_cap": "R8 call centre cap",
}

#: The button that builds the live Excel model of the cap, and the type of an .xlsx file.
MODEL_BUTTON = "Excel model of the cap (live formulas)"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CSS = """
<style>
.tm-dash { font-family: sans-serif; }
.tm-dash h3 { margin: 6px 0 2px 0; font-size: 14px; }
.tm-error { color: #a00000; font-weight: bold; padding: 4px; border: 1px solid #a00000; }
.tm-ok { color: #555; font-size: 12px; }
.tm-table { border-collapse: collapse; font-size: 13px; }
.tm-table td, .tm-table th { padding: 2px 8px; text-align: right; border-bottom: 1px solid #ddd; }
.tm-table th:first-child, .tm-table td:first-child { text-align: left; }
.tm-hit { color: #a00000; font-weight: bold; }
.tm-pass { color: #1b6e20; }
.tm-downloads a { margin-right: 14px; }
.tm-model-note { color: #555; font-size: 12px; margin: 2px 0 0 8px; }
.tm-model-note a { font-weight: bold; }
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


def _model_note(text: str) -> str:
    return f"<div class='tm-model-note'>{html.escape(text)}</div>"


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
            "layout": self._shared("control", lambda: w.Layout(width="380px")),
        }

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
        w = self._w
        dd = w.Dropdown(options=options, description=desc, **self._control_look("description"))
        dd.add_class(css_class)
        dd.observe(on_change, "value")
        return dd

    def _start(self, choice, files: list[str], wanted, empty: str) -> None:
        """Offer ``files`` in ``choice`` and start from ``wanted`` (default the first); the
        message ``empty`` when there is none."""
        choice.options = files
        if not files:
            self._error(empty)
            return
        self._quiet = True
        choice.value = wanted if wanted in files else files[0]
        self._quiet = False
        self.load(choice.value)

    def _error(self, message: str) -> None:
        self.status.value = f'<div class="tm-status tm-error">{html.escape(message)}</div>'

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
                    f"No scenario files (*.yaml) in {self.folder}.")  # fmt: skip

    # -- building the page --------------------------------------------------------------------
    def _build(self) -> None:
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        w = self._w
        self.title = self._html(CSS + "<h2>Maximum Allowed Distribution Revenue</h2>")
        self.status = self._html('<div class="tm-status tm-ok">starting</div>')
        self.scenario_choice = self._dropdown("Start from", "tm-scenario", self._choice_changed)
        self.reading_controls = {
            switch: self._dropdown(READING_LABELS[switch], f"tm-reading-{switch}", self._changed,
                                   options=list(allowed))
            for switch, allowed in READINGS.items()
        }  # fmt: skip
        self.cpi_box = w.VBox([])
        self.cpi_controls: dict[int, object] = {}
        self.x_control = self._slider("X factor [%]", 1.5, 0.0, 10.0, 0.05, "tm-x")
        self.tl_control = self._slider("Loss target TL [%]", 8.0, 0.0, 20.0, 0.05, "tm-tl")
        self.al_control = self._slider("Actual losses AL [%]", 8.0, 0.0, 30.0, 0.05, "tm-al")
        self.ca_growth = self._slider(
            "Accounts growth [+% a yr]", 0.0, -5.0, 5.0, 0.1, "tm-ca-growth"
        )
        self.units_growth = self._slider(
            "Units growth [+% a yr]", 0.0, -5.0, 5.0, 0.1, "tm-units-growth"
        )
        self.ws_control = self._slider("Customer KPI score WS", 0.85, 0.0, 2.0, 0.01, "tm-ws")
        self.recovery_control = self._slider(
            "Revenue recovery [%]", 100.0, 50.0, 150.0, 0.5, "tm-recovery"
        )
        self.amr_pace = self._slider("AMR roll-out pace [x]", 1.0, 0.25, 3.0, 0.05, "tm-amr-pace")
        self.amr_cost = self._slider("AMR unit cost [x]", 1.0, 0.25, 3.0, 0.05, "tm-amr-cost")
        self.amr_note = self._html()
        self.year_choice = self._dropdown("Year in detail", "tm-year", self._changed)
        self.reset_button = w.Button(description="Back to the scenario")
        self.reset_button.add_class("tm-reset")
        self.reset_button.on_click(lambda _b: self.reset())

        controls = w.VBox(
            [
                self.scenario_choice,
                self._html("<h3>CPI path (CPI_t)</h3>"),
                self.cpi_box,
                self._html("<h3>Notified values</h3>"),
                self.x_control,
                self.tl_control,
                self._html("<h3>Forecasts</h3>"),
                self.al_control,
                self.ca_growth,
                self.units_growth,
                self.ws_control,
                self.recovery_control,
                self._html("<h3>AMR programme</h3>"),
                self.amr_pace,
                self.amr_cost,
                self.amr_note,
                self._html("<h3>Readings of the licence</h3>"),
                *self.reading_controls.values(),
                self._html("<h3>View</h3>"),
                self.year_choice,
                self.reset_button,
            ],
            layout=w.Layout(width="400px", min_width="400px", flex="0 0 auto"),
        )

        fig = make_subplots(
            rows=2, cols=2, vertical_spacing=0.16, horizontal_spacing=0.1,
            subplot_titles=("MADR by year [m RO]", "Build-up of MADR [m RO]",
                            "Loss incentive LOSS_t [m RO]", "Bill impact [baisa per kWh]"),
        )  # fmt: skip
        fig.add_trace(go.Bar(name="base scenario", marker_color="#9aa5b1"), 1, 1)
        fig.add_trace(go.Bar(name="this case", marker_color="#1f5fa8"), 1, 1)
        fig.add_trace(
            go.Waterfall(
                name="terms", showlegend=False, connector={"line": {"color": "#999"}},
                increasing={"marker": {"color": "#2e7d32"}},
                decreasing={"marker": {"color": "#c62828"}},
                totals={"marker": {"color": "#1f5fa8"}},
            ), 1, 2,
        )  # fmt: skip
        fig.add_trace(go.Scatter(name="LOSS_t", mode="lines", showlegend=False,
                                 line={"color": "#1f5fa8"}), 2, 1)  # fmt: skip
        fig.add_trace(
            go.Scatter(name="this case", mode="markers", showlegend=False,
                       marker={"size": 11, "color": "#c62828"}), 2, 1,
        )  # fmt: skip
        fig.add_trace(go.Bar(name="base", marker_color="#9aa5b1", showlegend=False), 2, 2)
        fig.add_trace(go.Bar(name="case", marker_color="#1f5fa8", showlegend=False), 2, 2)
        fig.update_layout(
            height=640, width=900, barmode="group",
            # margins fixed (room for the legend): plotly draws the figure once, not twice
            margin={"l": 50, "r": 20, "t": 70, "b": 40, "autoexpand": False},
            legend={"orientation": "h", "y": 1.08, "x": 0.0}, template="plotly_white",
        )  # fmt: skip
        fig.update_xaxes(title_text="actual losses AL_t-1 [%]", row=2, col=1)
        self.fig = fig
        self.figure_view = FigureView(fig)
        self.figure_view.add_class("tm-figure")

        self.headline = self._html()
        self.bills = self._html()
        self.compliance = self._html()
        self.downloads = self._html()
        self.model_button = w.Button(
            description=MODEL_BUTTON, icon="file-excel-o", layout=w.Layout(width="auto"),
            tooltip="Build the Excel workbook of this case: every term of the cap as a formula",
        )  # fmt: skip
        self.model_button.add_class("tm-model")
        self.model_button.on_click(lambda _b: self.build_model())
        self.model_link = self._html()
        views = w.VBox(
            [
                self.status,
                self.headline,
                self.figure_view,
                w.HBox([self.bills, self.compliance]),
                self.downloads,
                w.HBox([self.model_button, self.model_link], layout=w.Layout(align_items="center")),
            ]
        )
        self.widget = w.VBox([self.title, w.HBox([controls, views])])
        self.widget.add_class("tm-dash")

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
        except InputError as exc:
            self.base = None
            self._clear_views()
            self._error(f"This scenario cannot be used: {exc}")
            return
        self._reset_controls()
        self.refresh()

    def _reset_controls(self) -> None:
        sc = self.base
        first = sc.years[0]
        self._quiet = True
        try:
            cpis = {}
            for y in sc.years:
                v = sc.rows[y].get("CPI", math.nan)
                v = 0.0 if v is None or math.isnan(v) else v
                s = self._slider(
                    f"CPI {y} [%]", fraction_to_pct(v), -2.0, 10.0, 0.05, f"tm-cpi-{y}"
                )
                cpis[y] = s
            self.cpi_controls = cpis
            self.cpi_box.children = tuple(cpis.values())
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
            self._error(f"This case cannot be computed: {exc}")
            return
        self.edited, self.frame = edited, frame
        j = edited.years.index(year)
        self._update_views(frame, grid_al, result["LOSS"][1:, j], j)
        self.last_compute_s = time.perf_counter() - t0
        self.status.value = (
            f'<div class="tm-status tm-ok" data-engine-calls="{self.engine_calls}">'
            f"{html.escape(edited.name)}: {len(edits)} value(s) edited; computed in "
            f"{1000 * self.last_compute_s:.0f} ms.</div>"
        )
        self._update_downloads(edited, frame, edits)

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
        labels = [("-K" if t == "K" else t) for t in terms] + ["MADR"]
        al, tl, band, cap = row["AL"], row["TL"], row["BAND"], row["loss_cap"]
        fig = self.fig
        fig.data[0].update(x=years, y=(b["MADR"] / 1e6).tolist())
        fig.data[1].update(x=years, y=(f["MADR"] / 1e6).tolist())
        fig.data[2].update(
            x=labels, y=[*values, row["MADR"] / 1e6],
            measure=["relative"] * len(values) + ["total"],
            name=f"MADR {years[j]}",
        )  # fmt: skip
        fig.data[3].update(x=(100 * grid_al).tolist(), y=(grid_loss / 1e6).tolist())
        fig.data[4].update(x=[100 * al], y=[row["LOSS"] / 1e6])
        fig.data[5].update(x=years, y=bill_base["baisa_per_kWh"].tolist())
        fig.data[6].update(x=years, y=bill["baisa_per_kWh"].tolist())
        fig.layout.shapes = [
            {"type": "rect", "xref": "x3", "yref": "y3 domain", "x0": 100 * tl,
             "x1": 100 * (tl + band), "y0": 0, "y1": 1, "fillcolor": "#f2c94c",
             "opacity": 0.35, "line": {"width": 0}},
            {"type": "line", "xref": "x3 domain", "yref": "y3", "x0": 0, "x1": 1,
             "y0": cap / 1e6, "y1": cap / 1e6, "line": {"dash": "dot", "color": "#c62828"}},
            {"type": "line", "xref": "x3 domain", "yref": "y3", "x0": 0, "x1": 1,
             "y0": -cap / 1e6, "y1": -cap / 1e6, "line": {"dash": "dot", "color": "#c62828"}},
        ]  # fmt: skip
        fig.layout.annotations[2].text = f"Loss incentive LOSS_{years[j]} [m RO]"
        fig.layout.annotations[1].text = f"Build-up of MADR {years[j]} [m RO]"
        self.figure_view.refresh()
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
            "<h3>Bill impact</h3><table class='tm-table'><tr><th>year</th>"
            "<th>base [baisa/kWh]</th><th>this case [baisa/kWh]</th>"
            "<th>base [RO/account/yr]</th><th>this case [RO/account/yr]</th></tr>"
            + rows
            + "</table>"
        )

    def _compliance_html(self, f) -> str:
        items = "".join(
            f'<li class="{"tm-hit" if hit else "tm-pass"}">{html.escape(text)}</li>'
            for _, text, hit in compliance_sentences(f)
        )
        return f"<h3>Revenue tests (paragraphs 3-5)</h3><ul class='tm-compliance'>{items}</ul>"

    def _update_downloads(self, edited, frame, edits) -> None:
        name = slug(edited.name)
        table = dm.results_table(frame)
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
        self.model_link.value = ""
        for trace in self.fig.data:
            trace.update(x=[], y=[])
        self.fig.layout.shapes = []
        self.figure_view.refresh()

"""The AMR programme dashboard (served by Voila beside the MADR dashboard).

The notebook ``notebooks/dashboards/amr_dashboard.ipynb`` is a parameters cell and

    from tariffmodel.dashboards.amr import AmrDashboard
    AmrDashboard(plans_dir, plan).show()

Controls: the plan (a choice among the plan files of data/amr/), the roll-out pace, the per-meter
unit costs, the WACC, the building-block convention and the levelised profile. Views: roll-out,
RAV, AMR_t and its blocks, RO per account and year, and the summary figures (NPVs, levelised
cost per meter, payback year) of :func:`tariffmodel.model.amr.summary`, all from the plan as edited.
"""

from __future__ import annotations

import dataclasses
import html
import os
import time
from pathlib import Path

from tariffmodel.dashboards import view_model as dm
from tariffmodel.dashboards.assets import PLANS_ENV
from tariffmodel.dashboards.figure_view import FigureView, stacked_layout
from tariffmodel.dashboards.madr import (
    CSS,
    NARROW_FIGURE,
    DashboardPage,
    Debouncer,
    data_link,
    fraction_to_pct,
    pct_to_fraction,
    plain_message,
    slug,
)
from tariffmodel.inputs.errors import InputError
from tariffmodel.inputs.locations import data_dir
from tariffmodel.model import amr

#: Environment variable naming the folder of AMR plans (set by ``tariffmodel dashboard``).
DEFAULT_PLANS = data_dir("amr")
CONVENTIONS = ("year_end", "half_year", "as_incurred")


def _mro(v: float) -> str:
    """Money for display [m RO] (no '-0.00')."""
    return f"{round(v / 1e6, 2) + 0.0:,.2f}"


#: Summary figures shown, with their labels and formats.
SUMMARY = (
    ("npv_allowance", "NPV of the allowance [m RO]", _mro),
    ("npv_costs", "NPV of the costs [m RO]", _mro),
    ("levelised_cost_per_meter_year", "levelised cost [RO per meter-year]", "{:,.2f}".format),
    ("ro_per_account_year_levelised", "levelised [RO per account-year]", "{:,.2f}".format),
    ("ro_per_account_year_peak", "peak [RO per account-year]", "{:,.2f}".format),
    ("payback_year", "payback year (benefits cover costs)", str),
    ("payback_year_discounted", "payback year, discounted at the WACC", str),
    ("closing_rav_last_year", "closing RAV, last year [m RO]", _mro),
)


def opening_words(plan) -> str:
    """The plan's opening position in words: the meters installed before its first year, their
    vintages and where their capital is recovered (never in AMR_t twice).

    >>> opening_words(type("P", (), {"opening": None})())
    'none stated: the plan starts from zero'
    """
    opening = plan.opening
    if opening is None:
        return "none stated: the plan starts from zero"
    years = [v.year for v in opening.vintages]
    where = (
        "their capital in AMR_t (the opening RAV)"
        if opening.recovered_in == "amr"
        else "their capital recovered elsewhere, not in AMR_t"
    )
    return f"{opening.meters:,.0f} meters of {min(years)}-{max(years)}; {where}"


def plans_folder(folder=None) -> Path:
    """The folder of AMR plans: ``folder``, else $TARIFFMODEL_AMR_PLANS, else data/amr."""
    return Path(folder or os.environ.get(PLANS_ENV) or DEFAULT_PLANS).resolve()


def list_plans(folder: Path) -> list[str]:
    """The YAML files of the folder that are AMR plans (the only choices the page offers)."""
    import yaml

    out = []
    for p in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        try:
            data = yaml.safe_load(p.read_text())
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and "rollout" in data:
            out.append(p.name)
    return out


def edited_plan(plan, *, pace: float, unit_cost: float, wacc: float | None):
    """The plan with the roll-out at ``pace``, per-meter unit costs x ``unit_cost``, ``wacc``.

    Classes costed as amounts by year (central systems) keep their amounts.
    """
    rollout = dm.rollout_at_pace(plan.rollout, pace) if pace != 1.0 else dict(plan.rollout)
    capex = tuple(dataclasses.replace(k, unit_cost=k.unit_cost * unit_cost) for k in plan.capex)
    return dataclasses.replace(
        plan,
        rollout=rollout,
        capex=capex,
        horizon_end=max(plan.horizon_end, max(rollout)),
        wacc=plan.wacc if wacc is None else wacc,
    )


class AmrDashboard(DashboardPage):
    """The AMR programme dashboard for one folder of plans.

    Attributes
    ----------
    widget : ipywidgets.Widget
    table : DataFrame or None
        :func:`tariffmodel.model.amr.table` of the plan as edited.
    summary : dict or None
        :func:`tariffmodel.model.amr.summary` of the plan as edited.
    """

    def __init__(self, plans_dir=None, plan=None, *, debounce=0.06):
        import ipywidgets as w

        self._w = w
        self.folder = plans_folder(plans_dir)
        self.plan = self.table = self.summary = None
        self.computations = 0
        self._quiet = False
        self._schedule = Debouncer(self.refresh, debounce)
        self._build()
        self._start(self.plan_choice, list_plans(self.folder), plan,
                    "No AMR plan files in the plans folder.")  # fmt: skip

    def _build(self) -> None:
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        w = self._w
        self.title = w.HTML(
            CSS + "<h2>Smart-meter (AMR) programme: roll-out, asset value and allowance</h2>"
        )
        self.status = w.HTML('<div class="tm-status tm-ok">starting</div>')
        self.plan_choice = self._dropdown("AMR plan", "tm-plan", self._choice_changed)
        self.pace = self._slider("Roll-out pace [x]", 1.0, 0.25, 3.0, 0.05, "tm-amr-pace")
        self.unit_cost = self._slider("Unit costs per meter [x]", 1.0, 0.25, 3.0, 0.05,
                                      "tm-amr-cost")  # fmt: skip
        self.wacc = self._slider("Cost of capital (WACC) [%]", 6.0, 0.0, 20.0, 0.05, "tm-wacc")
        self.convention = self._dropdown(
            "When costs count", "tm-convention", self._changed,
            options=[(c.replace("_", " "), c) for c in CONVENTIONS],
        )  # fmt: skip
        self.levelise = w.Checkbox(description="Levelised profile", indent=False)
        self.levelise.add_class("tm-levelise")
        self.levelise.observe(self._changed, "value")
        controls = [self.plan_choice, self.pace, self.unit_cost, self.wacc, self.convention,
                    self.levelise]  # fmt: skip
        fig = make_subplots(
            rows=2, cols=2, vertical_spacing=0.2, horizontal_spacing=0.12,
            subplot_titles=("Meters [thousands]", "Regulatory asset value (RAV) [m RO]",
                            "Allowance (AMR) and its blocks [m RO]",
                            "Allowance per account [RO a year]"),
        )  # fmt: skip
        m_ro = "%{x}: %{y:,.2f} m RO"
        fig.add_trace(go.Bar(name="meters installed", marker_color="#9aa5b1",
                             hovertemplate="%{x}: %{y:,.1f} thousand installed<extra></extra>"),
                      1, 1)  # fmt: skip
        fig.add_trace(go.Scatter(
            name="meters in service (to the plan's horizon)", mode="lines+markers",
            line={"color": "#1f5fa8"},
            hovertemplate="%{x}: %{y:,.1f} thousand in service<extra></extra>"), 1, 1)  # fmt: skip
        fig.add_trace(go.Bar(name="investment (capex)", marker_color="#f2c94c",
                             hovertemplate=f"{m_ro}<extra>capex</extra>"), 1, 2)  # fmt: skip
        fig.add_trace(go.Scatter(name="closing RAV", mode="lines", line={"color": "#6d4c41"},
                                 hovertemplate=f"{m_ro}<extra>closing RAV</extra>"), 1, 2)  # fmt: skip
        for name, color in (("depreciation", "#1f5fa8"), ("return on RAV", "#2e7d32"),
                            ("operating costs (opex)", "#8e44ad")):  # fmt: skip
            fig.add_trace(go.Bar(name=name, marker_color=color,
                                 hovertemplate=f"{m_ro}<extra>{name}</extra>"), 2, 1)  # fmt: skip
        fig.add_trace(go.Scatter(name="allowance (AMR)", mode="lines",
                                 line={"color": "#c62828"},
                                 hovertemplate=f"{m_ro}<extra>allowance (AMR)</extra>"), 2, 1)  # fmt: skip
        fig.add_trace(go.Scatter(name="RO per account", mode="lines+markers",
                                 line={"color": "#00838f"}, showlegend=False,
                                 hovertemplate="%{x}: %{y:,.2f} RO per account<extra></extra>"),
                      2, 2)  # fmt: skip
        fig.update_layout(
            height=680, barmode="stack", template="plotly_white",
            margin={"l": 50, "r": 16, "t": 140, "b": 40, "autoexpand": False},
            legend={"orientation": "h", "y": 1.06, "yanchor": "bottom", "x": 0.0},
            hoverlabel={"namelength": -1},
        )  # fmt: skip
        self.fig = fig
        self.figure_view = FigureView(
            fig, narrow_below=NARROW_FIGURE,
            narrow=lambda layout: {**stacked_layout(layout, 4, panel_height=240),
                                   "margin": {**layout["margin"], "t": 190}},
        )  # fmt: skip
        self.figure_view.add_class("tm-figure")
        self.headline = w.HTML()
        self.downloads = w.HTML()
        views = [self.status, self.headline, self.figure_view, self.downloads]
        self.widget = w.VBox([self.title, self._columns(controls, views)])
        self.widget.add_class("tm-dash")

    def load(self, name: str) -> None:
        """Start from the plan file ``name``: every control back to the plan's values."""
        try:
            self.plan = amr.load_plan(self.folder / name)
        except InputError as exc:
            self.plan = self.table = self.summary = None
            self._clear_views()
            self._failed("This plan cannot be used", exc)
            return
        self._quiet = True
        try:
            for ctl in self._value_controls():
                ctl.disabled = False
            self.pace.value, self.unit_cost.value = 1.0, 1.0
            self.wacc.value = fraction_to_pct(self.plan.wacc)
            self.convention.value = self.plan.convention
            self.levelise.value = bool(self.plan.levelise)
        finally:
            self._quiet = False
        self.refresh()

    def _ready(self) -> bool:
        return self.plan is not None

    def _value_controls(self) -> list:
        return [self.pace, self.unit_cost, self.wacc, self.convention, self.levelise]

    def _clear_views(self) -> None:
        """No numbers of an earlier plan beside an error: tables and figure emptied."""
        self.headline.value = self.downloads.value = ""
        for trace in self.fig.data:
            trace.update(x=[], y=[])
        self.figure_view.refresh()

    def edited(self):
        """The plan as the controls edit it (the WACC only when moved from the plan's)."""
        wacc = pct_to_fraction(self.wacc.value)
        same = wacc == pct_to_fraction(fraction_to_pct(self.plan.wacc))
        return edited_plan(
            self.plan,
            pace=float(f"{self.pace.value:.12g}"),
            unit_cost=float(f"{self.unit_cost.value:.12g}"),
            wacc=None if same else wacc,
        )

    def refresh(self) -> None:
        """Compute the plan as edited and update every view in place."""
        if self.plan is None:
            return
        t0 = time.perf_counter()
        try:
            plan = self.edited()
            conv, lev = self.convention.value, self.levelise.value
            table = amr.table(plan, convention=conv, levelise=lev)
            summary = amr.summary(plan, convention=conv, levelise=lev)
            self.computations += 1
        except (InputError, ValueError) as exc:
            self.table = self.summary = None
            self._clear_views()
            self._error(f"This plan cannot be computed: {plain_message(exc, self.folder)}")
            return
        self.table, self.summary = table, summary
        self._update_views(table, summary)
        ms = 1000 * (time.perf_counter() - t0)
        self.status.value = (
            f'<div class="tm-status tm-ok">{html.escape(plan.name)}: computed in {ms:.0f} ms.</div>'
        )
        name = slug(plan.name)
        headed = dm.with_unit_headers(table)  # amr.csv's columns with their units
        self.downloads.value = (
            "<h3>Downloads</h3><div class='tm-downloads'>"
            + data_link(headed.to_csv(index=False), f"{name}-amr.csv", "text/csv",
                        "tm-dl-csv", "Building block (CSV)")
            + data_link(dm.to_xlsx_bytes({"amr": headed}), f"{name}-amr.xlsx",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        "tm-dl-xlsx", "Building block (XLSX)")
            + "</div>"
        )  # fmt: skip

    def _update_views(self, t, summary) -> None:
        years = t["year"].tolist()
        m = 1e6
        fig = self.fig
        fig.data[0].update(x=years, y=(t["meters_installed"] / 1e3).tolist())
        # the plan counts meters in service to its horizon only: no line after it (the
        # fleet does not vanish, the plan stops counting)
        horizon = self.plan.horizon_end
        in_service = [v / 1e3 if y <= horizon else None
                      for y, v in zip(years, t["meters_in_service"], strict=True)]  # fmt: skip
        fig.data[1].update(x=years, y=in_service)
        fig.data[2].update(x=years, y=(t["capex"] / m).tolist())
        fig.data[3].update(x=years, y=(t["closing_rav"] / m).tolist())
        fig.data[4].update(x=years, y=(t["depreciation"] / m).tolist())
        fig.data[5].update(x=years, y=(t["return"] / m).tolist())
        fig.data[6].update(x=years, y=(t["opex"] / m).tolist())
        fig.data[7].update(x=years, y=(t["AMR"] / m).tolist())
        fig.data[8].update(x=years, y=t["ro_per_account"].tolist())
        self.figure_view.refresh()
        rows = []
        for key, label, fmt in SUMMARY:
            v = summary.get(key)
            shown = "never" if v is None else fmt(v)
            exact = "" if v is None else repr(v)
            rows.append(
                f'<tr><td>{html.escape(label)}</td><td class="tm-amr-{key}" '
                f'data-value="{exact}">{html.escape(shown)}</td></tr>'
            )
        rows.append(
            f"<tr><td>meters installed before {years[0]} (opening position)</td>"
            f'<td class="tm-amr-opening">{html.escape(opening_words(self.plan))}</td></tr>'
        )
        self.headline.value = "<table class='tm-table tm-headline'>" + "".join(rows) + "</table>"

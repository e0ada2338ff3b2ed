"""A scenario's last history row set against the published record of NEDC's predecessors."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from tariffmodel.model.scenario import Scenario

__all__ = ["history_figure", "scenario_point"]

#: Panels of the figure: measure, title, axis label.
_PANELS = (
    ("customers", "Customer accounts", "accounts [thousands]"),
    ("units_sold", "Units sold (RUD)", "TWh"),
    ("losses", "Losses", "percent of units entering"),
)


def scenario_point(scenario: Scenario) -> dict[str, tuple[int, float]]:
    """The scenario's figures to compare with the record, by measure: (year, value).

    Customers are CA of the first modelled year (the history row carries none), units RUD and
    losses 1 - RUD/RBS of the history year, in the units of the history file.
    """
    rows = scenario.rows
    h = scenario.history_year
    out: dict[str, tuple[int, float]] = {}
    first = min(y for y in rows if y > h)
    if "CA" in rows[first]:
        out["customers"] = (first, rows[first]["CA"])
    if "RUD" in rows[h]:
        out["units_sold"] = (h, rows[h]["RUD"] / 1e6)
        if rows[h].get("RBS"):
            out["losses"] = (h, 100 * (1 - rows[h]["RUD"] / rows[h]["RBS"]))
    return out


def history_figure(history: pd.DataFrame, scenario: Scenario | None = None) -> Figure:
    """Customers, units sold and losses by company and year, with the scenario's figures.

    Parameters
    ----------
    history : pandas.DataFrame
        :func:`tariffmodel.inputs.history.load_history`.
    scenario : Scenario, optional
        Its :func:`scenario_point` is drawn as a black diamond and labelled.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 3.8), layout="constrained")
    axes = fig.subplots(1, 3)
    point = scenario_point(scenario) if scenario is not None else {}
    scale = {"customers": 1e3, "units_sold": 1e3, "losses": 1.0}
    # one colour per company across the panels
    companies = sorted(history["company"].unique())
    colour = {c: f"C{i}" for i, c in enumerate(companies)}
    for ax, (measure, title, label) in zip(axes, _PANELS, strict=True):
        part = history[history["measure"] == measure]
        for company, rows in part.groupby("company"):
            rows = rows.sort_values("year")
            ax.plot(
                rows["year"],
                rows["value"] / scale[measure],
                marker="o",
                color=colour[company],
                label=company,
            )
        if measure in point:
            year, value = point[measure]
            ax.plot([year], [value / scale[measure]], "kD", label=f"{scenario.name} ({year})")
        ax.set_title(title)
        ax.set_ylabel(label)
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("Published record of NEDC and its predecessors (data/history), and the scenario")
    return fig

"""Plotting helpers shared by the package: each returns a matplotlib Figure.

The figures are made without pyplot (no global state): a notebook displays a returned Figure
as it is, and :func:`save_figure` writes one to a file (PNG, SVG or PDF by the suffix). Money is
shown in millions of RO; the numbers behind a figure are never rounded.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # matplotlib is imported when the first figure is made, not with the module
    from matplotlib.figure import Figure


def _figure(width: float = 7.0, height: float = 4.2):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _millions():
    """An axis formatter for money in millions of RO (one per axis: formatters keep their axis)."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v / 1e6:,.1f}")


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0)


def save_figure(fig: Figure, path: str | os.PathLike, dpi: int = 120) -> Path:
    """Write a figure to ``path`` (format from the suffix) and return the path."""
    path = Path(path)
    fig.savefig(path, dpi=dpi)
    return path


def tornado_figure(table: pd.DataFrame, year="period", value: str = "MADR") -> Figure:
    """Tornado of a :func:`tariffmodel.analysis.sensitivity.tornado` table for one year or the period.

    Bars run from the base value to the value at each target's low (light) and high (dark)
    input; the widest swing is on top.
    """
    t = table[table["year"] == str(year)].sort_values("swing")
    fig, ax = _figure(7.5, 0.45 * max(len(t), 3) + 1.2)
    if t.empty:
        return fig
    base = float(t["base"].iloc[0])
    pos = np.arange(len(t))
    ax.barh(pos, t["at_low"] - base, left=base, color="#9ecae1", label="at low input")
    ax.barh(pos, t["at_high"] - base, left=base, color="#3182bd", label="at high input")
    ax.axvline(base, color="black", lw=0.8)
    labels = [f"{r.target}  [{r.low:.4g}, {r.high:.4g}]" for r in t.itertuples()]
    ax.set_yticks(pos, labels, fontsize=8)
    ax.xaxis.set_major_formatter(_millions())
    ax.set_xlabel(f"{value} {_when(year)} [million RO]")
    ax.set_title(f"One-way sensitivity of {value}")
    ax.legend(fontsize=8, loc="lower right")
    return fig


def spider_figure(frame: pd.DataFrame, year="period", value: str = "MADR") -> Figure:
    """Spider plot of a :func:`tariffmodel.analysis.sensitivity.spider` frame: value against the
    change of each target (relative for amounts, percentage points for rates)."""
    fig, ax = _figure()
    col = str(year)
    for target, g in frame.groupby("target", sort=False):
        # a rate's change is in percentage points: 1 point is drawn at 1 %
        points = "change" in g and (g["change"] == "percentage points").all()
        x = g["delta"] / 100.0 if points else g["delta"]
        ax.plot(x, g[col], marker="o", ms=3, label=f"{target} (points)" if points else target)
    ax.xaxis.set_major_formatter(_percent())
    ax.yaxis.set_major_formatter(_millions())
    ax.set_xlabel("change of the input from its base value [%; rates (points): percentage points]")
    ax.set_ylabel(f"{value} {_when(col)} [million RO]")
    ax.set_title(f"Spider plot of {value}")
    ax.legend(fontsize=8)
    return fig


def _when(year) -> str:
    return "over the period" if str(year) == "period" else str(year)


def heatmap_figure(grid: pd.DataFrame, value: str = "MADR", year="") -> Figure:
    """Heatmap of a :func:`tariffmodel.analysis.sensitivity.grid` table (rows: y values; columns: x)."""
    year = _when(year)
    fig, ax = _figure(7.0, 5.0)
    data = grid.to_numpy(dtype=float)
    im = ax.imshow(data, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(grid.shape[1]), [f"{v:.4g}" for v in grid.columns], rotation=45, fontsize=8)
    ax.set_yticks(range(grid.shape[0]), [f"{v:.4g}" for v in grid.index], fontsize=8)
    ax.set_xlabel(str(grid.columns.name))
    ax.set_ylabel(str(grid.index.name))
    bar = fig.colorbar(im, ax=ax)
    bar.formatter = _millions()
    bar.update_ticks()
    bar.set_label(f"{value} {year} [million RO]")
    ax.set_title(f"{value} {year} on a grid of two inputs")
    return fig


def fan_chart(summary: pd.DataFrame, column: str = "MADR") -> Figure:
    """Monte Carlo fan chart from a ``montecarlo.csv`` table: the 5-95 % band, the median and
    the mean of one column by year, and the scenario's own deterministic path where the table
    has it (``MADR_deterministic``)."""
    fig, ax = _figure()
    y = summary["year"].to_numpy()
    ax.fill_between(
        y,
        summary[f"{column}_p5"],
        summary[f"{column}_p95"],
        alpha=0.3,
        label="5th to 95th percentile",
    )
    ax.plot(y, summary[f"{column}_p50"], marker="o", label="median")
    ax.plot(y, summary[f"{column}_mean"], ls="--", label="mean")
    if f"{column}_deterministic" in summary:  # the scenario's own path, without uncertainty
        ax.plot(y, summary[f"{column}_deterministic"], color="black", marker="x", lw=1,
                label="the scenario (deterministic)")  # fmt: skip
    ax.set_xticks(y, [str(v) for v in y])
    ax.yaxis.set_major_formatter(_millions())
    ax.set_ylabel(f"{column} [million RO]")
    ax.set_title(f"Monte Carlo: {column} by year")
    ax.legend(fontsize=8)
    return fig


def histogram_densities(values: np.ndarray, bins: int = 60) -> list[tuple[np.ndarray, np.ndarray]]:
    """Density [1/unit] and bin edges [unit] of each column of draws (n, T), as
    :func:`numpy.histogram` with ``density=True`` gives them; numpy only, no figure.

    >>> [(d.tolist(), e.tolist()) for d, e in histogram_densities(np.array([[0.0], [1.0]]), 2)]
    [([1.0, 1.0], [0.0, 0.5, 1.0])]
    """
    values = np.asarray(values, dtype=float)
    return [np.histogram(values[:, j], bins=bins, density=True) for j in range(values.shape[1])]


def histogram_figure(values: np.ndarray, years, column: str = "MADR", bins: int = 60) -> Figure:
    """Histograms of one column of Monte Carlo draws (n, T), one outline per year."""
    return density_figure(histogram_densities(values, bins), years, column)


def density_figure(densities, years, column: str = "MADR") -> Figure:
    """Outlines of the histograms of :func:`histogram_densities`, one per year."""
    fig, ax = _figure()
    for (density, edges), y in zip(densities, years, strict=True):
        ax.stairs(density, edges, label=str(y))
    ax.xaxis.set_major_formatter(_millions())
    ax.set_xlabel(f"{column} [million RO]")
    ax.set_ylabel("density")
    ax.set_title(f"Monte Carlo: distribution of {column}")
    ax.legend(fontsize=8)
    return fig


def _select(table: pd.DataFrame, output: str, year) -> pd.DataFrame:
    """The rows of a Sobol or Morris table for one output and one year (or the period)."""
    return table[(table["output"] == output) & (table["year"] == str(year))]


def sobol_figure(table: pd.DataFrame, output: str = "MADR", year="period") -> Figure:
    """First- and total-order Sobol indices with their confidence intervals."""
    t = _select(table, output, year)
    fig, ax = _figure(7.5, 0.4 * max(len(t), 3) + 1.2)
    pos = np.arange(len(t))
    ax.barh(pos - 0.2, t["S1"], 0.4, xerr=t["S1_conf"], label="first order S1")
    ax.barh(pos + 0.2, t["ST"], 0.4, xerr=t["ST_conf"], label="total order ST")
    ax.set_yticks(pos, list(t["target"]), fontsize=8)
    ax.set_xlabel("share of the variance")
    ax.set_title(f"Sobol indices of {output} {_when(year)}")
    ax.legend(fontsize=8)
    return fig


def morris_figure(table: pd.DataFrame, output: str = "MADR", year="period") -> Figure:
    """Morris screening: mu* (overall effect) against sigma (interaction or non-linearity)."""
    t = _select(table, output, year)
    fig, ax = _figure()
    ax.scatter(t["mu_star"], t["sigma"])
    for r in t.itertuples():
        ax.annotate(
            r.target, (r.mu_star, r.sigma), fontsize=8, xytext=(3, 3), textcoords="offset points"
        )
    ax.xaxis.set_major_formatter(_millions())
    ax.yaxis.set_major_formatter(_millions())
    ax.set_xlabel("mu* [million RO per whole range]")
    ax.set_ylabel("sigma [million RO]")
    ax.set_title(f"Morris screening of {output} {_when(year)}")
    return fig


def loss_curve_figure(curve: pd.DataFrame) -> Figure:
    """LOSS_t against AL_{t-1} (a :func:`tariffmodel.analysis.loss_incentive.scenario_curve` frame),
    both readings of R1, with the band [TL, TL + BAND], the caps and the scenario's AL marked."""
    a = curve.attrs
    fig, ax = _figure()
    ax.axvspan(a["TL"], a["TL"] + a["BAND"], color="grey", alpha=0.15, label="band [TL, TL+BAND]")
    ax.axvline(a["TL"], color="grey", lw=0.8)
    for sign in (1, -1):
        ax.axhline(sign * a["cap"], color="red", lw=0.8, ls=":")
    ax.plot(curve["AL"], curve["LOSS_as_drafted"], label="R1 as drafted")
    ax.plot(curve["AL"], curve["LOSS_every_year"], ls="--", label="R1 dead band every year")
    ax.axvline(a["AL_actual"], color="black", lw=0.8, ls="-.", label="scenario AL")
    ax.text(
        curve["AL"].iloc[0], a["cap"], " +cap (3 % of DB)", va="bottom", fontsize=8, color="red"
    )
    ax.xaxis.set_major_formatter(_percent())
    ax.yaxis.set_major_formatter(_millions())
    ax.set_xlabel(f"actual losses AL_{a['year'] - 1}")
    ax.set_ylabel(f"LOSS_{a['year']} [million RO]")
    ax.set_title(f"Loss incentive {a['year']}")
    ax.legend(fontsize=8)
    return fig

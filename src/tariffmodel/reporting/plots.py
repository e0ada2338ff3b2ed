"""Plotting helpers shared by the package: each returns a matplotlib Figure.

The figures are made without pyplot (no global state): a notebook displays a returned Figure
as it is, and :func:`save_figure` writes one to a file (PNG, SVG or PDF by the suffix). Money is
shown in millions of RO, rates in percent, energy in GWh, by the units of
:mod:`tariffmodel.reporting.formatting`; the numbers behind a figure are never rounded.

Every figure has a title and axis labels naming their units; a legend stands outside the plotted
data (beside or below the axes), and labels placed at points are moved apart so that none
covers another (``tests/reporting/test_figures.py`` checks both on the drawn figures).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tariffmodel.reporting import formatting as fm

if TYPE_CHECKING:  # matplotlib is imported when the first figure is made, not with the module
    from matplotlib.figure import Figure


#: Colours and line styles of many lines: every pair distinct (10 colours x 4 styles x 5 markers).
_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
_STYLES = ("-", "--", ":", "-.")
_MARKERS = ("o", "s", "^", "D", "v")


def line_style(i: int) -> dict:
    """The colour, line style and marker of the i-th line of a figure: no two of the first 40
    lines look alike (a colour repeats only with another line style).

    >>> line_style(0) == line_style(10), line_style(0)["color"] == line_style(10)["color"]
    (False, True)
    """
    return {
        "color": _COLOURS[i % 10],
        "ls": _STYLES[(i // 10) % 4],
        "marker": _MARKERS[i % 5],
    }


def _figure(width: float = 7.0, height: float = 4.2):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _unit_formatter(unit: str, decimals: int | None = None):
    """An axis formatter showing values of ``unit`` as :mod:`formatting` does, without the
    unit (the axis label names it; one per axis: formatters keep their axis)."""
    from matplotlib.ticker import FuncFormatter

    fmt = fm.formatter(unit, decimals=decimals)
    return FuncFormatter(lambda v, _: fmt(v))


def _millions():
    """An axis formatter for money in millions of RO."""
    return _unit_formatter("RO")


def _percent(decimals: int = 1):
    return _unit_formatter("fraction", decimals)


def _legend_below(fig, ax, ncols: int = 2):
    """A legend under the axes, outside the plotted data."""
    return fig.legend(
        *ax.get_legend_handles_labels(), loc="outside lower center", ncols=ncols, fontsize=8
    )


def _legend_right(fig, ax):
    """A legend to the right of the axes, outside the plotted data."""
    return fig.legend(*ax.get_legend_handles_labels(), loc="outside right upper", fontsize=8)


def target_unit(target: str) -> str | None:
    """The unit of an engine target (``inputs.CPI@2027`` -> ``fraction``), from the field
    table.

    >>> target_unit("inputs.CPI@2027"), target_unit("notified.p"), target_unit("inputs.RBS")
    ('fraction', 'RO per kWh', 'kWh')
    """
    key = str(target).split(".", 1)[-1].split("@", 1)[0]
    return fm.unit_of(key)


def _shown_unit(unit: str | None) -> str:
    display = fm.DISPLAYS.get(fm.canonical_unit(unit) or "")
    return display.symbol if display is not None else (unit or "")


def target_label(target: str) -> str:
    """An engine target with the unit it is shown in: ``inputs.CPI@2027 [%]``."""
    unit = target_unit(target)
    return f"{target} [{_shown_unit(unit)}]" if unit else str(target)


def _value_text(value, unit: str | None) -> str:
    return fm.format_value(value, unit, with_unit=False)


def save_figure(fig: Figure, path: str | os.PathLike, dpi: int = 120) -> Path:
    """Write a figure to ``path`` (format from the suffix) and return the path."""
    path = Path(path)
    fig.savefig(path, dpi=dpi)
    return path


def _when(year) -> str:
    return "over the period" if str(year) == "period" else str(year)


def tornado_figure(table: pd.DataFrame, year="period", value: str = "MADR") -> Figure:
    """Tornado of a :func:`tariffmodel.analysis.sensitivity.tornado` table for one year or the period.

    Bars run from the base value to the value at each target's low (light) and high (dark)
    input; the widest swing is on top. Each target is labelled with its range, low to high, in
    its unit, and each bar's end with the value there [m RO].
    """
    t = table[table["year"] == str(year)].sort_values("swing")
    fig, ax = _figure(8.0, 0.55 * max(len(t), 3) + 1.6)
    ax.set_title(f"One-way sensitivity of {value} {_when(year)}")
    ax.set_xlabel(f"{value} {_when(year)} [m RO]")
    ax.set_ylabel("input, from its low to its high value")
    if t.empty:
        return fig
    base = float(t["base"].iloc[0])
    pos = np.arange(len(t))
    ax.barh(pos, t["at_low"] - base, left=base, color="#9ecae1", label="at the low input")
    ax.barh(pos, t["at_high"] - base, left=base, color="#3182bd", label="at the high input")
    ax.axvline(base, color="black", lw=0.8, label=f"base {fm.format_value(base, 'RO')}")
    labels = []
    for r in t.itertuples():
        unit = target_unit(r.target)
        suffix = f" {_shown_unit(unit)}" if unit else ""
        labels.append(
            f"{r.target}\n{_value_text(r.low, unit)} to {_value_text(r.high, unit)}{suffix}"
        )
    ax.set_yticks(pos, labels, fontsize=8)
    ax.xaxis.set_major_formatter(_millions())
    span = float(np.nanmax(np.abs(np.r_[t["at_low"], t["at_high"]] - base))) or 1.0
    ax.set_xlim(base - 1.25 * span, base + 1.25 * span)
    _legend_below(fig, ax, ncols=3)
    return fig


def spider_figure(frame: pd.DataFrame, year="period", value: str = "MADR") -> Figure:
    """Spider plot of a :func:`tariffmodel.analysis.sensitivity.spider` frame: value against the
    relative change of each target, every line in its own colour, style and marker, the legend
    beside the axes."""
    targets = list(dict.fromkeys(frame["target"]))
    fig, ax = _figure(9.0, max(4.2, 0.22 * len(targets) + 1.5))
    col = str(year)
    for i, (target, g) in enumerate(frame.groupby("target", sort=False)):
        ax.plot(g["delta"], g[col], ms=4, lw=1.2, label=target, **line_style(i))
    ax.xaxis.set_major_formatter(_percent(0))
    ax.yaxis.set_major_formatter(_millions())
    ax.set_xlabel("change of the input from its base value [%]")
    ax.set_ylabel(f"{value} {_when(col)} [m RO]")
    ax.set_title(f"Spider plot of {value} {_when(col)}")
    _legend_right(fig, ax)
    return fig


def heatmap_figure(grid: pd.DataFrame, value: str = "MADR", year=None) -> Figure:
    """Heatmap of a :func:`tariffmodel.analysis.sensitivity.grid` table (rows: y values;
    columns: x), the axes in the units of their targets, each cell with its value [m RO] and
    the title with its year (``year``, else the grid's own ``attrs["year"]``)."""
    year = grid.attrs.get("year") if year in (None, "") else year
    if year in (None, ""):
        raise ValueError("heatmap_figure: give the year of the grid (or 'period')")
    when = _when(year)
    fig, ax = _figure(7.5, 5.2)
    data = grid.to_numpy(dtype=float)
    im = ax.imshow(data, origin="lower", aspect="auto", cmap="viridis")
    x, y = str(grid.columns.name), str(grid.index.name)
    xu, yu = target_unit(x), target_unit(y)
    ax.set_xticks(range(grid.shape[1]), [_value_text(v, xu) for v in grid.columns], fontsize=8)
    ax.set_yticks(range(grid.shape[0]), [_value_text(v, yu) for v in grid.index], fontsize=8)
    ax.set_xlabel(target_label(x))
    ax.set_ylabel(target_label(y))
    if data.size <= 144:  # values in the cells while they stay readable
        mid = np.nanmin(data) + 0.5 * (np.nanmax(data) - np.nanmin(data))
        size = 8 if max(grid.shape) <= 8 else 6
        for (i, j), v in np.ndenumerate(data):
            colour = "black" if v > mid else "white"
            ax.text(
                j, i, _value_text(v, "RO"), ha="center", va="center", fontsize=size, color=colour
            )
    bar = fig.colorbar(im, ax=ax)
    bar.formatter = _millions()
    bar.update_ticks()
    bar.set_label(f"{value} {when} [m RO]")
    ax.set_title(f"{value} {when} on a grid of two inputs")
    return fig


def fan_chart(summary: pd.DataFrame, column: str = "MADR") -> Figure:
    """Monte Carlo fan chart from a ``montecarlo.csv`` table: the 5-95 % band, the median and
    the mean of one column by year."""
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
    ax.set_xticks(y, [str(v) for v in y])
    ax.yaxis.set_major_formatter(_millions())
    ax.set_xlabel("Relevant Year")
    ax.set_ylabel(f"{column} [m RO]")
    ax.set_title(f"Monte Carlo: {column} by year")
    _legend_below(fig, ax, ncols=3)
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
    """Histograms of one column of Monte Carlo draws (n, T) [RO], one panel per year."""
    return density_figure(histogram_densities(values, bins), years, column)


def density_figure(densities, years, column: str = "MADR", ncols: int = 2) -> Figure:
    """The histograms of :func:`histogram_densities` [RO] as small multiples, one panel per
    year with its own scale (a narrow year does not flatten the others), the density per m RO
    on an axis in m RO."""
    import math

    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    years = list(years)
    ncol = max(1, min(ncols, len(years)))
    nrows = max(1, math.ceil(len(years) / ncol))
    fig = Figure(figsize=(4.2 * ncol, 2.8 * nrows + 0.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncol)).ravel()
    for ax, (density, edges), y in zip(axes, densities, years, strict=False):
        # per m RO: edges in m RO, density x 1e6 (the area stays 1)
        ax.stairs(np.asarray(density) * 1e6, np.asarray(edges) / 1e6, fill=True, alpha=0.6)
        ax.set_title(str(y), fontsize=10)
        ax.set_xlabel(f"{column} [m RO]", fontsize=8)
        ax.set_ylabel("density [per m RO]", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(5))
    for ax in axes[len(years) :]:
        ax.set_visible(False)
    fig.suptitle(f"Monte Carlo: distribution of {column} by year")
    return fig


def _select(table: pd.DataFrame, output: str, year) -> pd.DataFrame:
    """The rows of a Sobol or Morris table for one output and one year (or the period)."""
    return table[(table["output"] == output) & (table["year"] == str(year))]


def sobol_figure(table: pd.DataFrame, output: str = "MADR", year="period") -> Figure:
    """First- and total-order Sobol indices with their confidence intervals, the input with
    the largest total-order index on top, the legend below the axes."""
    t = _select(table, output, year).sort_values("ST")
    fig, ax = _figure(8.0, 0.45 * max(len(t), 3) + 1.8)
    pos = np.arange(len(t))
    ax.barh(pos - 0.2, t["S1"], 0.4, xerr=t["S1_conf"], label="first order S1")
    ax.barh(pos + 0.2, t["ST"], 0.4, xerr=t["ST_conf"], label="total order ST")
    ax.set_yticks(pos, list(t["target"]), fontsize=8)
    ax.xaxis.set_major_formatter(_percent(0))
    ax.set_xlabel("share of the variance [%]")
    ax.set_ylabel("input")
    ax.set_title(f"Sobol indices of {output} {_when(year)}")
    _legend_below(fig, ax)
    return fig


def morris_figure(table: pd.DataFrame, output: str = "MADR", year="period") -> Figure:
    """Morris screening: mu* (overall effect) against sigma (interaction or non-linearity),
    each point labelled, no label over another."""
    t = _select(table, output, year)
    fig, ax = _figure(8.0, 5.0)
    ax.scatter(t["mu_star"], t["sigma"], s=18, zorder=3)
    ax.xaxis.set_major_formatter(_millions())
    ax.yaxis.set_major_formatter(_millions())
    ax.set_xlabel("mu* [m RO per whole range]")
    ax.set_ylabel("sigma [m RO]")
    ax.set_title(f"Morris screening of {output} {_when(year)}")
    if not t.empty:
        # both are sizes (never below 0): room to the right and above for the labels
        xr = float(t["mu_star"].max()) or 1.0
        yr = float(t["sigma"].max()) or 1.0
        ax.set_xlim(-0.03 * xr, 1.2 * xr)
        ax.set_ylim(-0.04 * yr, 1.2 * yr)
        place_labels(ax, list(t["mu_star"]), list(t["sigma"]), [str(v) for v in t["target"]])
    return fig


def place_labels(ax, xs, ys, labels, fontsize: int = 8) -> list:
    """Label points of ``ax`` so that no label covers another label or a point: each label
    tries offsets around its point, nearest first, and takes the first free place inside the
    axes (a thin line joins a label set apart to its point). Returns the annotations.
    """
    from matplotlib.transforms import Bbox

    fig = ax.figure
    renderer = _renderer(fig)
    points = ax.transData.transform(np.column_stack([xs, ys]))
    marks = [Bbox.from_extents(px - 4, py - 4, px + 4, py + 4) for px, py in points]
    taken: list = []
    frame = ax.get_window_extent(renderer)
    px_per_pt = fig.dpi / 72.0
    steps = [(dx, dy) for r in (4, 12, 22, 34, 48, 64, 84, 108, 136) for dx, dy in _around(r)]
    out = []
    order = np.argsort(-np.asarray(ys, dtype=float), kind="stable")
    for k in order:
        (px, py), text = points[k], labels[k]
        probe = ax.text(0, 0, text, fontsize=fontsize, transform=None)
        size = probe.get_window_extent(renderer)
        probe.remove()
        w, h = size.width, size.height
        chosen = None
        for dx, dy in steps:
            x0 = px + dx * px_per_pt - (w if dx < 0 else 0.0)
            y0 = py + dy * px_per_pt - (h if dy < 0 else 0.0)
            box = Bbox.from_bounds(x0, y0, w, h)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1
            inside = inside and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(b) for b in taken + marks):
                chosen = (dx, dy, box)
                break
        if chosen is None:  # no free place: the nearest, so that the point is still named
            dx, dy = steps[0]
            chosen = (dx, dy, Bbox.from_bounds(px + dx * px_per_pt, py + dy * px_per_pt, w, h))
        dx, dy, box = chosen
        far = abs(dx) + abs(dy) > 10
        ann = ax.annotate(
            text,
            (xs[k], ys[k]),
            xytext=(dx, dy),
            textcoords="offset points",
            fontsize=fontsize,
            ha="right" if dx < 0 else "left",
            va="top" if dy < 0 else "bottom",
            arrowprops={"arrowstyle": "-", "lw": 0.5, "color": "grey"} if far else None,
        )
        taken.append(box)
        out.append(ann)
    return out


def _around(r: float) -> list[tuple[float, float]]:
    """Offsets [points] at distance r around a point, in 16 directions from the right."""
    angles = np.linspace(0.0, 2.0 * np.pi, 16, endpoint=False)
    return [(round(r * np.cos(a), 1), round(r * np.sin(a), 1)) for a in angles]


def _renderer(fig):
    """A renderer of the figure at its final layout (Agg; the figure keeps its canvas)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()  # lay out (constrained layout) before measuring
    fig.set_layout_engine("none")  # keep the measured positions
    return canvas.get_renderer()


def loss_curve_figure(curve: pd.DataFrame) -> Figure:
    """LOSS_t against AL_{t-1} (a :func:`tariffmodel.analysis.loss_incentive.scenario_curve` frame),
    both readings of R1, with the band [TL, TL + BAND], both caps and the scenario's AL marked;
    the legend says which reading of R1 the scenario uses."""
    a = curve.attrs
    reading = a.get("reading")
    fig, ax = _figure(7.5, 5.0)
    ax.axvspan(a["TL"], a["TL"] + a["BAND"], color="grey", alpha=0.15, label="band [TL, TL+BAND]")
    ax.axvline(a["TL"], color="grey", lw=0.8)
    share = a.get("cap_share")
    share_text = f"{fm.format_value(share, 'fraction', decimals=0)} of DB" if share else "of DB"
    cap_text = fm.format_value(a["cap"], "RO")
    for sign, word in ((1, "upper"), (-1, "lower")):
        ax.axhline(sign * a["cap"], color="red", lw=0.8, ls=":")
        ax.annotate(
            f"{word} cap {'+' if sign > 0 else '-'}{cap_text} ({share_text})",
            (0.01, sign * a["cap"]),
            xycoords=("axes fraction", "data"),
            xytext=(0, 3 if sign > 0 else -3),
            textcoords="offset points",
            va="bottom" if sign > 0 else "top",
            fontsize=8,
            color="red",
        )
    names = {"as_drafted": "R1 as drafted", "every_year": "R1 dead band every year"}
    for (key, name), ls in zip(names.items(), ("-", "--"), strict=True):
        mine = " (this scenario's reading)" if key == reading else ""
        lw = 2.0 if key == reading else 1.2
        ax.plot(curve["AL"], curve[f"LOSS_{key}"], ls=ls, lw=lw, label=name + mine)
    al = a["AL_actual"]
    ax.axvline(
        al, color="black", lw=0.8, ls="-.", label=f"scenario AL {fm.format_value(al, 'fraction')}"
    )
    ax.set_ylim(-1.35 * a["cap"], 1.35 * a["cap"])
    ax.xaxis.set_major_formatter(_percent(1))
    ax.yaxis.set_major_formatter(_millions())
    ax.set_xlabel(f"actual losses AL_{a['year'] - 1} [%]")
    ax.set_ylabel(f"loss incentive LOSS_{a['year']} [m RO]")
    ax.set_title(f"Loss incentive {a['year']}")
    _legend_below(fig, ax)
    return fig


def amr_allowance_figure(by_convention: pd.DataFrame) -> Figure:
    """AMR_t [RO] by year under each convention (columns), on an axis in m RO."""
    fig, ax = _figure(7.5, 4.2)
    for i, (name, series) in enumerate(by_convention.items()):
        ax.plot(series.index, series.to_numpy(), ms=3, label=str(name), **line_style(i))
    ax.yaxis.set_major_formatter(_millions())
    ax.set_xlabel("Relevant Year")
    ax.set_ylabel("AMR_t [m RO]")
    ax.set_title("AMR allowance by convention")
    _legend_below(fig, ax, ncols=min(4, max(1, by_convention.shape[1])))
    return fig

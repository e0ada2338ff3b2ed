"""Every figure of reporting.plots (and the review's waterfall), drawn with Agg and measured by
bounding boxes: a title, axis labels naming a unit, no legend over the plotted data or over any
other text, no text over another."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

import tariffmodel as tm
from tariffmodel.analysis import loss_incentive, sensitivity
from tariffmodel.model import amr
from tariffmodel.reporting import plots, review

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "data" / "scenarios" / "nedc-base.yaml"
DRAWS = ROOT / "data" / "draws" / "nedc-base.yaml"
UNITS = ("[m RO", "[%]", "[GWh]", "[per m RO]", "[baisa/kWh]", "[accounts]", "[score]")


def _renderer(fig):
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _hidden_tick_labels(fig) -> set[int]:
    """Tick labels outside their axis's limits: they exist but are not drawn."""
    hidden = set()
    for ax in fig.axes:
        for axis, i, lim in ((ax.xaxis, 0, ax.get_xlim()), (ax.yaxis, 1, ax.get_ylim())):
            lo, hi = sorted(lim)
            for t in axis.get_ticklabels(which="both"):
                v = t.get_position()[i]
                if not lo - 1e-9 * abs(hi - lo) <= v <= hi + 1e-9 * abs(hi - lo):
                    hidden.add(id(t))
    return hidden


def _texts(fig, renderer):
    """Visible, non-empty texts with their boxes (shrunk by a pixel: touching is not over)."""
    out = []
    hidden = _hidden_tick_labels(fig)
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip() or id(t) in hidden:
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        box = Text.get_window_extent(t, renderer)  # the text alone, not an annotation's line
        if box.width <= 0 or box.height <= 0:
            continue
        out.append((t, box.expanded(1.0, 1.0).padded(-1.0)))
    return out


def _legends(fig):
    found = list(fig.legends)
    found += [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    return found


def _data_boxes(ax, renderer):
    """Display boxes of an axes' plotted data: line vertices (as points), bars, markers."""
    points = []
    for line in ax.get_lines():
        if line.get_visible() and len(line.get_xdata()):
            xy = np.column_stack([line.get_xdata(), line.get_ydata()]).astype(float)
            points.append(line.get_transform().transform(xy))
    for coll in ax.collections:
        offsets = coll.get_offsets()
        if len(offsets):
            points.append(coll.get_offset_transform().transform(offsets))
    boxes = [p.get_window_extent(renderer) for p in ax.patches if p.get_visible()]
    boxes += [im.get_window_extent(renderer) for im in ax.images]
    return (np.vstack(points) if points else np.empty((0, 2))), boxes


def figure_problems(fig: Figure) -> list[str]:
    """What is wrong with a drawn figure (empty when nothing)."""
    renderer = _renderer(fig)
    problems = []
    axes = [a for a in fig.axes if a.get_visible() and a.get_label() != "<colorbar>"]
    suptitle = fig.get_suptitle()
    for ax in axes:
        if not (ax.get_title() or suptitle):
            problems.append("an axes without a title")
        xl, yl = ax.get_xlabel(), ax.get_ylabel()
        if not xl or not yl:
            problems.append(f"an axis without a label: {xl!r}, {yl!r}")
        if not any(u in xl or u in yl for u in UNITS):
            problems.append(f"no unit in the axis labels {xl!r}, {yl!r}")
    texts = _texts(fig, renderer)
    legend_texts = {id(t) for lg in _legends(fig) for t in lg.findobj(Text)}
    others = [(t, b) for t, b in texts if id(t) not in legend_texts]
    for lg in _legends(fig):
        box = lg.get_window_extent(renderer)
        for t, b in others:
            if box.overlaps(b):
                problems.append(f"the legend covers the text {t.get_text()!r}")
        for ax in axes:
            points, boxes = _data_boxes(ax, renderer)
            inside = (
                (points[:, 0] > box.x0)
                & (points[:, 0] < box.x1)
                & (points[:, 1] > box.y0)
                & (points[:, 1] < box.y1)
            )
            if inside.any():
                problems.append(f"the legend covers {int(inside.sum())} plotted points")
            if any(box.overlaps(b) for b in boxes):
                problems.append("the legend covers a bar or an image")
    for (t1, b1), (t2, b2) in itertools.combinations(others, 2):
        if b1.overlaps(b2):
            problems.append(f"text {t1.get_text()!r} over text {t2.get_text()!r}")
    return problems


@pytest.fixture(scope="module")
def base():
    return tm.load_scenario(BASE)


@pytest.fixture(scope="module")
def ranges():
    return sensitivity.ranges_from_draws(DRAWS)


def _gsa_table(kind: str) -> pd.DataFrame:
    """A Sobol or Morris table of 13 inputs, several crowded near the origin (labels must move
    apart)."""
    rng = np.random.default_rng(3)
    targets = [f"inputs.CPI@{y}" for y in range(2020, 2030)] + ["notified.X", "notified.p", "a"]
    n = len(targets)
    frame = pd.DataFrame({"output": "MADR", "year": "period", "target": targets})
    if kind == "sobol":
        st = rng.uniform(0, 0.4, n)
        frame["S1"], frame["ST"] = 0.8 * st, st
        frame["S1_conf"], frame["ST_conf"] = 0.05, 0.04
    else:
        frame["mu_star"] = np.r_[rng.uniform(0, 3e5, 8), rng.uniform(1e6, 2e7, n - 8)]
        frame["sigma"] = np.r_[rng.uniform(0, 1e5, 8), rng.uniform(1e5, 1.5e6, n - 8)]
    return frame


FIGURES = {
    "tornado": lambda sc, r: plots.tornado_figure(sensitivity.tornado(sc, r)),
    "spider": lambda sc, r: plots.spider_figure(
        sensitivity.spider(
            sc,
            [t for t in r if sensitivity.base_value(sc, t) is not None],
            np.linspace(-0.2, 0.2, 5),
        )
    ),
    "grid": lambda sc, r: plots.heatmap_figure(
        sensitivity.grid(sc, "notified.X", [0.0, 0.01, 0.02], "inputs.CPI", [0.0, 0.01, 0.02])
    ),
    "fan": lambda sc, r: plots.fan_chart(
        pd.DataFrame(
            {
                "year": [2026, 2027, 2028],
                "MADR_p5": [180e6, 185e6, 190e6],
                "MADR_p50": [190e6, 196e6, 202e6],
                "MADR_p95": [200e6, 207e6, 214e6],
                "MADR_mean": [190e6, 196.2e6, 202.4e6],
            }
        )
    ),
    "histogram": lambda sc, r: plots.histogram_figure(
        np.random.default_rng(1).normal([190e6, 198e6, 203e6], [0.1e6, 3e6, 4e6], (2000, 3)),
        [2026, 2027, 2028],
    ),
    "sobol": lambda sc, r: plots.sobol_figure(_gsa_table("sobol")),
    "morris": lambda sc, r: plots.morris_figure(_gsa_table("morris")),
    "loss_curve": lambda sc, r: plots.loss_curve_figure(
        loss_incentive.scenario_curve(sc, sc.years[0])
    ),
    "amr": lambda sc, r: plots.amr_allowance_figure(
        pd.DataFrame(
            {
                c: amr.allowance(amr.load_plan(ROOT / "data/amr/nedc-amr-plan.yaml"), convention=c)
                for c in amr.CONVENTIONS
            }
        )
    ),
    "waterfall": lambda sc, r: review.plot_madr_waterfall(tm.project(sc)),
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_reads_well(name, base, ranges):
    fig = FIGURES[name](base, ranges)
    assert figure_problems(fig) == []


def test_heatmap_title_names_its_year(base):
    g = sensitivity.grid(base, "notified.X", [0.0, 0.02], "inputs.CPI", [0.0, 0.02], year=2027)
    fig = plots.heatmap_figure(g)
    assert fig.axes[0].get_title() == "MADR 2027 on a grid of two inputs"
    assert fig.axes[0].get_xlabel() == "notified.X [%]"


def test_spider_lines_all_look_different():
    styles = [tuple(sorted(plots.line_style(i).items())) for i in range(13)]
    assert len(set(styles)) == 13


def test_loss_curve_labels_both_caps_and_the_reading(base):
    fig = plots.loss_curve_figure(loss_incentive.scenario_curve(base, base.years[0]))
    texts = [t.get_text() for t in fig.findobj(Text)]
    assert any(t.startswith("upper cap +") for t in texts)
    assert any(t.startswith("lower cap -") for t in texts)
    assert any("(this scenario's reading)" in t for t in texts)


def test_histogram_density_is_per_million_ro():
    draws = np.random.default_rng(2).normal(200e6, 2e6, (4000, 1))
    fig = plots.histogram_figure(draws, [2026])
    (patch,) = fig.axes[0].patches
    heights, edges, _ = patch.get_data()
    assert np.sum(heights * np.diff(edges)) == pytest.approx(1.0)  # area 1 on the m RO axis
    assert edges[0] == pytest.approx(draws.min() / 1e6)


def test_the_check_finds_a_legend_over_data_and_overlapping_labels():
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.plot(np.linspace(0, 1, 50), np.full(50, 0.5), label="a line under the legend")
    ax.set_title("t")
    ax.set_xlabel("x [%]")
    ax.set_ylabel("y [m RO]")
    ax.legend(loc="center")
    ax.annotate("one label", (0.2, 0.8))
    ax.annotate("one label", (0.2, 0.8))
    problems = figure_problems(fig)
    assert any("legend covers" in p and "points" in p for p in problems)
    assert any("over text" in p for p in problems)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    assert any("no unit" in p for p in figure_problems(fig))

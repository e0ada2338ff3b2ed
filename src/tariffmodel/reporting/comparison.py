"""What ``tariffmodel compare`` writes: compare.csv, attribution.csv, the waterfall, a manifest.

* ``compare.csv``: per year, the ``period`` (the plain sum over the years) and, with a discount
  rate, the ``present_value``: MADR of both scenarios, their difference and the difference of
  every term [RO] (:func:`tariffmodel.analysis.compare.compare`).
* ``attribution.csv``: the difference of MADR split among the drivers (long form: ``year``,
  ``driver``, ``contribution`` [RO], ``standard_error`` [RO], ``description``).
* ``waterfall.png``: from BASE to OTHER, one panel per year and one for the period, the drivers
  sorted by size, in million RO.
* ``manifest.json``: both scenarios' input files and hashes, their readings, the method of the
  split (exact or sampled orderings, with the seed) and the notes.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tariffmodel.analysis.compare import Comparison, compare
from tariffmodel.inputs.errors import InputError
from tariffmodel.licence.schedule2 import READING_IDS
from tariffmodel.licence.terms import TERMS
from tariffmodel.model.scenario import load_scenario
from tariffmodel.reporting import formatting as fm
from tariffmodel.reporting.plots import save_figure
from tariffmodel.reporting.provenance import write_manifest
from tariffmodel.reporting.staging import staged_output

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Drivers shown one by one in a panel of the waterfall; the smaller rest share one bar.
WATERFALL_BARS = 10

_UP, _DOWN, _TOTAL = "#2b8cbe", "#e34a33", "#636363"


def _panel_label(label: str) -> str:
    if label == "period":
        return "the period (sum over the years)"
    if label == "present_value":
        return "present value of the period"
    return label


def _short(text: str, width: int = 72) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def waterfall_figure(comparison: Comparison, bars: int = WATERFALL_BARS) -> Figure:
    """Waterfall from BASE to OTHER: one panel per year and one for the period.

    Each panel starts from MADR of the base scenario, adds the contribution of each driver
    (largest first; the smallest beyond ``bars`` together) and ends at MADR of the other
    scenario. The horizontal axis is in million RO and does not start at zero, so that
    differences of a few per cent are visible; the totals are written on their bars.
    """
    from matplotlib.figure import Figure

    table = comparison.table.set_index("year")
    att = comparison.attribution
    labels = [str(y) for y in comparison.base.years] + ["period"]
    panels = []
    for label in labels:
        rows = att[att["year"] == label]
        order = np.argsort(-np.abs(rows["contribution"].to_numpy()), kind="stable")
        rows = rows.iloc[order]
        named = [
            (words, value)
            for words, value in zip(rows["description"], rows["contribution"], strict=True)
            if value != 0
        ]
        silent = len(rows) - len(named)
        if len(named) > bars:
            rest = named[bars - 1 :]
            named = named[: bars - 1] + [
                (f"{len(rest)} smaller drivers together", sum(v for _, v in rest))
            ]
        panels.append((label, named, silent))
    heights = [len(named) + 2 for _, named, _ in panels]
    fig = Figure(
        figsize=(10.0, 0.34 * sum(heights) + 1.1 * len(panels) + 0.6), layout="constrained"
    )
    axes = fig.subplots(len(panels), 1, height_ratios=heights, squeeze=False)[:, 0]
    base_name = _short(comparison.base.name, 40)
    other_name = _short(comparison.other.name, 40)
    for ax, (label, named, silent) in zip(axes, panels, strict=True):
        start = float(table.loc[label, "MADR_base"])
        end = float(table.loc[label, "MADR_other"])
        names = [f"MADR of {base_name}"] + [_short(n) for n, _ in named] + [f"MADR of {other_name}"]
        running = start
        lefts, widths, colours = [], [], []
        for _, value in named:
            lefts.append(running if value >= 0 else running + value)
            widths.append(abs(value))
            colours.append(_UP if value >= 0 else _DOWN)
            running += value
        levels = [start, end, *np.cumsum([start] + [v for _, v in named])]
        lo, hi = min(levels), max(levels)
        pad = max((hi - lo) * 0.35, abs(hi) * 0.002, 1.0)
        left_edge = lo - pad
        pos = np.arange(len(names))[::-1]
        ax.barh(pos[0], start - left_edge, left=left_edge, color=_TOTAL, height=0.6)
        ax.barh(pos[-1], end - left_edge, left=left_edge, color=_TOTAL, height=0.6)
        ax.barh(pos[1:-1], widths, left=lefts, color=colours, height=0.6)
        for p, (_, value), lft, w in zip(pos[1:-1], named, lefts, widths, strict=True):
            ax.text(lft + w + pad * 0.02, p, f"{value / 1e6:+,.2f}", va="center", fontsize=8)
        for p, total in ((pos[0], start), (pos[-1], end)):
            ax.text(total + pad * 0.02, p, f"{total / 1e6:,.2f}", va="center", fontsize=8)
        ax.set_yticks(pos, names, fontsize=8)
        ax.set_xlim(left_edge, hi + pad)
        ax.xaxis.set_major_formatter(_millions())
        ax.set_xlabel("MADR [m RO] (the axis does not start at zero)", fontsize=8)
        ax.set_ylabel("driver", fontsize=8)
        diff = end - start
        quiet = f"\n({silent} of the drivers change nothing here, not shown)" if silent else ""
        ax.set_title(
            f"{_panel_label(label)}: MADR {diff / 1e6:+,.2f} m RO{quiet}",
            fontsize=10,
            loc="left",
        )
        ax.tick_params(axis="x", labelsize=8)
    method = (
        "exact Shapley values"
        if comparison.method == "exact"
        else f"Shapley values estimated from {comparison.orderings} sampled orderings"
    )
    fig.suptitle(
        f"Why the cap differs: {base_name} to {other_name}\n"
        f"change of MADR split among the inputs that differ ({method})",
        fontsize=11,
    )
    return fig


def _millions():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v / 1e6:,.1f}")


def _readings(scenario) -> dict[str, str]:
    return {f"{READING_IDS[k]} {k}": v for k, v in scenario.readings.items()}


def write_comparison(
    comparison: Comparison,
    out_dir: str | os.PathLike,
    command: str | None = None,
    plots: bool = True,
    seed: int | None = None,
) -> list[str]:
    """Write compare.csv, attribution.csv, waterfall.png (unless ``plots`` is False) and
    manifest.json into ``out_dir``, all or nothing; return the names of the files written."""
    for name, frame in (
        ("compare.csv", comparison.table),
        ("attribution.csv", comparison.attribution),
    ):
        numbers = frame.select_dtypes("number").to_numpy()
        if not np.isfinite(numbers).all():  # the engine refuses these; a last guard
            raise ValueError(f"{name} would hold a number that is not finite")
    outputs = ["compare.csv", "attribution.csv"] + (["waterfall.png"] if plots else [])
    with staged_output(out_dir) as stage:
        comparison.table.to_csv(stage / "compare.csv", index=False)
        comparison.attribution.to_csv(stage / "attribution.csv", index=False)
        if plots:
            save_figure(waterfall_figure(comparison), stage / "waterfall.png")
        base, other = comparison.base, comparison.other
        write_manifest(
            stage,
            inputs=[*base.sources, *other.sources],
            readings=_readings(base),
            seed=seed if comparison.method != "exact" else None,
            command=command,
            extra={
                "base": {
                    "scenario": base.name,
                    "file": str(base.path),
                    "readings": _readings(base),
                },
                "other": {
                    "scenario": other.name,
                    "file": str(other.path),
                    "readings": _readings(other),
                },
                "years": base.years,
                "drivers_by": comparison.by,
                "drivers": [d.name for d in comparison.drivers],
                "method": comparison.method,
                "sampled_orderings": comparison.orderings,
                "variants_evaluated": comparison.variants,
                "engine_calls": comparison.engine_calls,
                "discount_rate": comparison.discount_rate,
                "notes": comparison.notes,
                "outputs": outputs,
            },
        )
    return outputs


def summary_lines(comparison: Comparison, top: int = 5) -> list[str]:
    """A few lines for the console: the difference over the period and its largest drivers."""
    t = comparison.table.set_index("year")
    diff = float(t.loc["period", "MADR_diff"])
    lines = [
        f"MADR over the period: {t.loc['period', 'MADR_base'] / 1e6:,.2f} -> "
        f"{t.loc['period', 'MADR_other'] / 1e6:,.2f} million RO ({diff / 1e6:+,.2f} million RO); "
        f"{len(comparison.drivers)} drivers, {comparison.method}"
    ]
    att = comparison.attribution[comparison.attribution["year"] == "period"]
    att = att.iloc[np.argsort(-np.abs(att["contribution"].to_numpy()), kind="stable")]
    for r in att.head(top).itertuples():
        se = (
            ""
            if r.standard_error == 0 or math.isnan(r.standard_error)
            else (f" (standard error {r.standard_error / 1e6:,.2f})")
        )
        lines.append(f"  {r.contribution / 1e6:+,.2f} million RO  {r.description}{se}")
    lines += [f"note: {n}" for n in comparison.notes]
    return lines


def difference_view(comparison: Comparison) -> pd.DataFrame:
    """compare.csv for people: one column per year (and the period), MADR of both scenarios and
    each term that differs somewhere, in million RO (display only)."""
    t = comparison.table.set_index("year").T
    keep = [
        c for c in t.index if not c.endswith("_diff") or c == "MADR_diff" or (t.loc[c] != 0).any()
    ]
    words = {term.symbol: term.words for term in TERMS}
    words["ARDR"] = "actual regulated distribution revenue"
    label = {
        "MADR_base": f"MADR of {comparison.base.name}",
        "MADR_other": f"MADR of {comparison.other.name}",
        "MADR_diff": "change of MADR",
    }
    for c in keep:
        if c not in label:
            sym = c.removesuffix("_diff")
            label[c] = f"change of {words.get(sym, sym)} ({sym})"
    out = t.loc[keep].astype(float) / 1e6
    out.index = [f"{label[c]} [million RO]" for c in keep]
    out.columns = [
        _panel_label(str(c)) if str(c) in ("period", "present_value") else str(c)
        for c in out.columns
    ]
    return out


def attribution_view(comparison: Comparison) -> pd.DataFrame:
    """attribution.csv for people: one row per driver in plain words, one column per year and
    the period, in million RO, the largest over the period first (display only)."""
    a = comparison.attribution
    if a.empty:
        return pd.DataFrame()
    table = a.pivot(index="description", columns="year", values="contribution") / 1e6
    order = [c for c in a["year"].drop_duplicates()]
    table = table[order].reindex(table["period"].abs().sort_values(ascending=False).index)
    table.index.name = "driver [million RO]"
    table.columns = [
        _panel_label(c) if c in ("period", "present_value") else c for c in table.columns
    ]
    return table


# --- a review's scenarios against its base scenario ---------------------------------------------


def _same_file(a, b) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return str(a) == str(b)


def review_comparison(
    records: Sequence[Mapping[str, Any]],
    labels: Mapping[str, str],
    base: str | None = None,
    root: str | os.PathLike | None = None,
) -> tuple[str | None, pd.DataFrame]:
    """Every scenario of a review compared with its base scenario (the file ``base``, default
    the first scenario that ran): MADR of both, the difference and its split by driver, per
    year and for the period [RO].

    Parameters
    ----------
    records : sequence of mapping
        The review's scenarios (``slug``, ``path``, ``status``, ``readings``).
    labels : mapping
        Slug -> the scenario's label in the summary.
    base : str, optional
        The scenario file of the base scenario.
    root : path, optional
        The folder the records' paths are relative to (the batch folder).

    Returns
    -------
    (str or None, DataFrame)
        The base's label, and rows ``scenario``, ``item`` (MADR of the base, of the scenario,
        the difference, then each driver in plain words), one column per year and ``period``.
        A scenario that cannot be compared (other years) gets one row saying why.
    """
    ok = [r for r in records if r.get("status") == "ok"]

    def path(rec) -> Path:
        return Path(root or ".") / rec["path"]  # an absolute path stays as it is

    chosen = next((r for r in ok if base is None or _same_file(path(r), base)), None)
    if chosen is None or len(ok) < 2:
        return None, pd.DataFrame(columns=["scenario", "item"])
    base_label = labels.get(chosen["slug"], chosen["slug"])

    def load(rec):
        return load_scenario(path(rec)).with_readings(**dict(rec.get("readings") or {}))

    try:
        base_sc = load(chosen)
    except InputError as exc:  # the file changed or went since it ran: say so, do not fail
        return base_label, pd.DataFrame([{"scenario": base_label, "item": f"not loaded: {exc}"}])
    cols = [str(y) for y in base_sc.years] + ["period"]
    rows = []
    for rec in ok:
        if rec is chosen:
            continue
        label = labels.get(rec["slug"], rec["slug"])
        try:
            result = compare(base_sc, load(rec))
        except InputError as exc:
            rows.append({"scenario": label, "item": f"not compared: {exc}"})
            continue
        t = result.table.set_index("year")
        for name, item in (
            ("MADR_base", "MADR of the base scenario"),
            ("MADR_other", "MADR of this scenario"),
            ("MADR_diff", "difference of MADR"),
        ):
            rows.append({"scenario": label, "item": f"{item} [RO]", **t.loc[cols, name].to_dict()})
        att = result.attribution
        for driver, g in att.groupby("driver", sort=False):
            values = g.set_index("year")["contribution"]
            words = g["description"].iloc[0]
            rows.append(
                {
                    "scenario": label,
                    "item": f"  driver: {words} [{driver}]",
                    **values[cols].to_dict(),
                }
            )
        if result.method != "exact":
            rows.append({"scenario": label, "item": f"  note: {result.notes[0]}"})
    return labels.get(chosen["slug"], chosen["slug"]), pd.DataFrame(
        rows, columns=["scenario", "item", *cols]
    )


def write_comparison_sheet(wb, base_label: str | None, frame: pd.DataFrame) -> None:
    """Add the sheet "Comparison with base" to an openpyxl workbook (see
    :func:`review_comparison`)."""
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = wb.create_sheet("Comparison with base")
    bold = Font(bold=True)
    fm.write_cell(ws, 1, 1, f"Every scenario against the base scenario: {base_label}").font = bold
    fm.write_cell(
        ws,
        2,
        1,
        "The difference of MADR split among the inputs, readings and linked files that "
        "differ (Shapley values; they add up to the difference) [RO]",
    ).font = Font(italic=True)
    head = list(frame.columns)
    for j, v in enumerate(head, start=1):
        c = fm.write_cell(ws, 3, j, v)
        c.font = bold
        c.fill = PatternFill("solid", fgColor="DDEBF7")
        c.alignment = Alignment(wrap_text=True, vertical="top")
    for i, rec in enumerate(frame.itertuples(index=False), start=4):
        for j, v in enumerate(rec, start=1):
            if isinstance(v, float) and math.isnan(v):
                continue
            c = fm.write_cell(ws, i, j, float(v) if isinstance(v, (float, np.floating)) else v)
            if j > 2:
                c.number_format = "#,##0.00"
        if str(rec[1]).startswith("difference"):
            for j in range(1, len(head) + 1):
                ws.cell(row=i, column=j).font = bold
    ws.freeze_panes = "C4"
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 70
    for j in range(3, len(head) + 1):
        ws.column_dimensions[ws.cell(row=3, column=j).column_letter].width = 18

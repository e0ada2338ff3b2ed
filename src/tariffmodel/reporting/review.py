"""Reports: what a notebook shows and what a batch writes beside it.

Per scenario (called from the notebooks, so that a notebook holds no formula):
``write_scenario_outputs`` (``madr.csv`` and ``results.json``), ``inputs_at_a_glance``,
``madr_buildup`` and ``plot_madr_waterfall`` (DB to MADR), ``term_table``, ``loss_incentive_view``,
``amr_view``, ``uncertainty_view``, ``compliance_in_words``.

Per batch: ``write_summary`` (``summary.xlsx`` formatted for people with numbers kept as numbers,
``summary.csv`` for machines) and ``export_html`` (an executed notebook as HTML without code).

Every figure shown here comes from the engine's ``madr.csv`` columns; the only arithmetic is
display arithmetic (sums for a waterfall, ratios for a bill), each checked or documented.
"""

from __future__ import annotations

import json
import math
import os
import posixpath
import re
import tempfile
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd

import tariffmodel as tm
from tariffmodel import __version__
from tariffmodel.licence.terms import BY_SYMBOL, FLAG_COLUMNS, MADR_TERMS, TESTS
from tariffmodel.model import amr
from tariffmodel.model.engine import MADR_COLUMNS
from tariffmodel.reporting import formatting as fm
from tariffmodel.reporting.comparison import review_comparison, write_comparison_sheet
from tariffmodel.reporting.compliance import compliance_sentences
from tariffmodel.reporting.provenance import write_json_atomic
from tariffmodel.reporting.run_outputs import bill_impact, write_run
from tariffmodel.reporting.staging import use_umask

# --------------------------------------------------------------------------------------------
# Column metadata (display only)
# --------------------------------------------------------------------------------------------
#: madr.csv columns that are not terms of MADR_t or flags: their unit and what they are.
_OTHER_COLUMNS: dict[str, tuple[str, str]] = {
    "a": ("RO", "a_t, fixed element of DB"),
    "c": ("RO/account", "c_t, per customer account"),
    "p": ("RO/kWh", "p_t, price of losses"),
    "CA": ("accounts", "CA_t, customer accounts"),
    "AL": ("fraction", "AL_{t-1}, actual losses"),
    "TL": ("fraction", "TL_{t-1}, target losses"),
    "BAND": ("fraction", "BAND_{t-1}, loss band"),
    "D": ("0/1", "D_t, dead-band factor"),
    "LD": ("fraction", "LD_t, loss difference"),
    "BL": ("RO", "BL_t, base loss incentive"),
    "KS": ("ratio", "KS_t, KPI score factor"),
    "i": ("fraction", "i_t as applied"),
    "MADR": ("RO", "MADR_t, maximum allowed distribution revenue"),
    "ARDR": ("RO", "ARDR_t, actual (or assumed) revenue"),
}


def _column_meaning(col: str) -> tuple[str, str]:
    if col in BY_SYMBOL:
        term = BY_SYMBOL[col]
        minus = " (enters with a minus sign)" if term.sign < 0 else ""
        return "RO", f"{term.licence}, {term.words}{minus}"
    if col in TESTS:
        test = TESTS[col]
        return "flag", f"paragraph {test.paragraph}: {test.test.format(t='t', prev='t-1')}"
    return _OTHER_COLUMNS[col]


#: madr.csv columns with their unit and what they are, in the order of scenario-format.md.
COLUMNS: dict[str, tuple[str, str]] = {c: _column_meaning(c) for c in MADR_COLUMNS[1:]}
FLAGS = FLAG_COLUMNS
#: The terms that add up to MADR (K subtracts), in the order of the licence's formula.
CAP_TERMS = tuple(t for t, sign in MADR_TERMS.items() if sign > 0)

#: Units of the figures of an AMR plan's summary (:func:`tariffmodel.model.amr.summary`).
AMR_SUMMARY_UNITS: dict[str, str] = {
    "name": "text",
    "plan": "text",
    "convention": "text",
    "levelised_profile": "flag",
    "wacc": "fraction",
    "first_year": "year",
    "horizon_end": "year",
    "last_year": "year",
    "meters": "meters",
    "levelised_cost_per_meter_year": "RO per meter",
    "ro_per_account_year_levelised": "RO per account",
    "ro_per_account_year_peak": "RO per account",
    "ro_per_account_year_peak_year": "year",
    "payback_year": "year",
    "payback_year_discounted": "year",
    "loss_reduction_peak": "fraction",
}


def _read_madr(path: str | os.PathLike) -> pd.DataFrame:
    """madr.csv at full precision (pandas reads floats round-trip by default)."""
    return pd.read_csv(path)


# --------------------------------------------------------------------------------------------
# Per-scenario outputs
# --------------------------------------------------------------------------------------------
def headline_results(sc, table: pd.DataFrame, engine_seconds: float | None = None) -> dict:
    """The headline figures of one scenario, as written to ``results.json``."""
    years = [int(y) for y in table["year"]]

    def by_year(col):
        return {str(y): float(v) for y, v in zip(years, table[col], strict=True)}

    bill = bill_impact(table)
    return {
        "scenario": sc.name,
        "path": None if getattr(sc, "path", None) is None else str(sc.path),
        "years": years,
        "readings": dict(sc.readings),
        "MADR": by_year("MADR"),
        "MADR_total": float(table["MADR"].sum()),
        "DB": by_year("DB"),
        "K": by_year("K"),
        "ARDR": by_year("ARDR"),
        "RO_per_account": {
            str(y): float(v) for y, v in zip(years, bill["RO_per_account"], strict=True)
        },
        "baisa_per_kWh": {
            str(y): float(v) for y, v in zip(years, bill["baisa_per_kWh"], strict=True)
        },
        "compliance": {
            flag: [y for y, v in zip(years, table[flag], strict=True) if bool(v)] for flag in FLAGS
        },
        "engine_seconds": engine_seconds,
        "package_version": __version__,
    }


def write_scenario_outputs(sc, out_dir: str | os.PathLike = ".") -> pd.DataFrame:
    """Project a scenario and write ``madr.csv`` (through the engine's writer when there is one)
    and ``results.json`` (headline figures) into ``out_dir``; return the projection.

    ``results.json`` records ``engine_seconds``, the wall time of the projection [s].
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    table = tm.project(sc)
    engine_seconds = time.perf_counter() - t0
    write_run(sc, out)
    write_json_atomic(out / "results.json", headline_results(sc, table, engine_seconds))
    return table


def _write_csv_atomic(frame: pd.DataFrame, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    use_umask(fd)  # 0600 from tempfile otherwise
    os.close(fd)
    try:
        frame.to_csv(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------------
# What the review notebook shows
# --------------------------------------------------------------------------------------------
def inputs_at_a_glance(sc) -> dict[str, Any]:
    """The scenario's inputs as tables: ``overview`` (name, years, readings), ``notified``
    (Notified Values by year) and ``inputs`` (the year table)."""
    d = sc.to_dict()
    overview = pd.Series(
        {
            "name": sc.name,
            "file": str(sc.path) if getattr(sc, "path", None) else "(in memory)",
            "years": f"{sc.years[0]}-{sc.years[-1]}",
            **{f"reading {k}": v for k, v in sc.readings.items()},
        },
        name="value",
    )
    notified = {}
    for key, value in (d.get("notified") or {}).items():
        notified[key] = value if isinstance(value, Mapping) else {"every year": value}
    notified_frame = pd.DataFrame(notified).T
    notified_frame.columns = [str(c) for c in notified_frame.columns]
    order = sorted(notified_frame.columns, key=lambda c: (c != "every year", c))
    notified_frame = notified_frame[order]
    rows = d.get("inputs")
    inputs = pd.DataFrame(rows).set_index("year") if isinstance(rows, list) else pd.DataFrame()
    return {"overview": overview, "notified": notified_frame, "inputs": inputs}


def madr_buildup(table: pd.DataFrame) -> pd.DataFrame:
    """The build-up of MADR_t from DB_t, term by term, for every year: a long table with
    ``year``, ``step``, ``amount`` [RO] and ``running`` [RO] (the total after the step).

    The steps are DB, the other terms of the cap in the licence's order, minus K, and the total
    MADR. The running total after the last term must equal the engine's MADR_t (to 1e-9
    relative); otherwise this raises, so that a picture never hides a mismatch.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2026], "DB": [100.0], "LOSS": [5.0], "K": [2.0],
    ...                   "MADR": [103.0]})
    >>> madr_buildup(t)[["step", "amount", "running"]].values.tolist()
    [['DB', 100.0, 100.0], ['LOSS', 5.0, 105.0], ['-K', -2.0, 103.0], ['MADR', 103.0, 103.0]]
    """
    terms = ["DB"] + [t for t in CAP_TERMS if t != "DB" and t in table.columns]
    rows = []
    for _, r in table.iterrows():
        year = int(r["year"])
        running = 0.0
        steps = [(t, float(r[t])) for t in terms] + [("-K", 0.0 - float(r.get("K", 0.0)))]
        for step, amount in steps:
            running += amount
            rows.append((year, step, amount, running))
        madr = float(r["MADR"])
        if not math.isclose(running, madr, rel_tol=1e-9, abs_tol=1e-6):
            raise ValueError(
                f"year {year}: the terms add up to {running:,.2f} but MADR is {madr:,.2f}; "
                "a term of the cap is missing from the build-up"
            )
        rows.append((year, "MADR", madr, madr))
    return pd.DataFrame(rows, columns=["year", "step", "amount", "running"])


def buildup_table(table: pd.DataFrame) -> pd.DataFrame:
    """The steps of :func:`madr_buildup` as rows (in the licence's order) and years as columns
    [RO]."""
    steps = madr_buildup(table)
    order = list(dict.fromkeys(steps["step"]))
    wide = steps.pivot(index="step", columns="year", values="amount").reindex(order)
    wide.columns = [str(int(c)) for c in wide.columns]
    return wide


def plot_madr_waterfall(table: pd.DataFrame, *, ncols: int = 2, skip_zero: bool = True):
    """A waterfall from DB_t to MADR_t for each year (a matplotlib Figure made without pyplot;
    amounts in RO m)."""
    from matplotlib.figure import Figure

    steps = madr_buildup(table)
    years = list(dict.fromkeys(steps["year"]))
    nrows = max(1, math.ceil(len(years) / ncols))
    ncol = min(ncols, len(years))
    fig = Figure(figsize=(6.5 * ncol, 3.6 * nrows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncol)).ravel()
    for ax, year in zip(axes, years, strict=False):
        s = steps[steps["year"] == year]
        if skip_zero:
            s = s[(s["amount"] != 0) | s["step"].isin(["DB", "MADR"])]
        labels = list(s["step"])
        amount = s["amount"].to_numpy() / 1e6
        running = s["running"].to_numpy() / 1e6
        bottom = np.where(s["step"].isin(["DB", "MADR"]), 0.0, running - amount)
        colours = np.where(
            s["step"].isin(["DB", "MADR"]), "#4c72b0", np.where(amount >= 0, "#55a868", "#c44e52")
        )
        ax.bar(labels, amount, bottom=bottom, color=colours)
        tops = np.maximum(bottom, bottom + amount)
        base = running.min() - max(abs(amount[1:-1]).max(initial=0.0), 1.0) * 2
        low = max(0.0, base)
        # headroom above the highest bar for its label, so that no label reaches the title
        ax.set_ylim(bottom=low, top=tops.max() + 0.12 * (tops.max() - low))
        ax.set_title(f"{year}: from DB to MADR")
        ax.set_ylabel("amount [m RO]")
        ax.set_xlabel("term of MADR_t (K with a minus sign)")
        ax.tick_params(axis="x", labelrotation=60)
        for x, (a, top) in enumerate(zip(amount, tops, strict=True)):
            text = fm.format_value(a * 1e6, "RO", with_unit=False)
            ax.annotate(text, (x, top), ha="center", va="bottom", fontsize=7)
    for ax in axes[len(years) :]:
        ax.set_visible(False)
    return fig


def term_table(table: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The terms as rows and the years as columns, with each row's unit and meaning."""
    cols = [c for c in (columns or COLUMNS) if c in table.columns]
    body = table.set_index("year")[cols].T
    body.columns = [int(c) for c in body.columns]
    body.insert(0, "unit", [COLUMNS.get(c, ("", ""))[0] for c in cols])
    body.insert(1, "meaning", [COLUMNS.get(c, ("", ""))[1] for c in cols])
    body.index.name = "term"
    return body


def format_term_table(terms: pd.DataFrame) -> pd.DataFrame:
    """A :func:`term_table` as text, each row in the format of its unit
    (:mod:`tariffmodel.reporting.formatting`), the unit column naming the shown unit (display
    only)."""
    years = [c for c in terms.columns if c not in ("unit", "meaning")]
    units = dict(zip(terms.index, terms["unit"], strict=True))
    out = fm.format_frame(terms[years], units, by="rows", headers=False)
    out.insert(0, "unit", [_shown_unit(u) for u in terms["unit"]])
    out.insert(1, "meaning", terms["meaning"])
    return out


def styled_terms(terms: pd.DataFrame):
    """A :func:`format_term_table` for a notebook: numbers right-aligned on one line, the
    meaning left-aligned and wrapped within a narrow column, so that the table fits the page."""
    return (
        terms.style.set_properties(**{"text-align": "right", "white-space": "nowrap"})
        .set_properties(
            subset=["meaning"],
            **{
                "text-align": "left",
                "white-space": "normal",
                "min-width": "16em",
                "max-width": "24em",
            },
        )
        .set_table_styles([{"selector": "th", "props": "text-align: left;"}])
    )


def _shown_unit(unit: str) -> str:
    display = fm.DISPLAYS.get(fm.canonical_unit(unit) or "")
    if unit == "flag":
        return "Yes/No"
    return display.symbol if display is not None else unit


def loss_incentive_view(table: pd.DataFrame) -> pd.DataFrame:
    """The loss incentive of each year against its band and cap (the engine's columns AL, TL,
    BAND, D, LD, BL, ``loss_cap`` and LOSS), with the band's upper edge TL + BAND and whether
    the cap bound (LOSS_t differs from BL_t)."""
    t = table.set_index("year")
    view = pd.DataFrame(
        {
            "AL (t-1)": t["AL"],
            "TL (t-1)": t["TL"],
            "BAND (t-1)": t["BAND"],
            "TL + BAND": t["TL"] + t["BAND"],
            "D": t["D"],
            "LD": t["LD"],
            "BL [RO]": t["BL"],
            "cap [RO]": t["loss_cap"],
            "LOSS [RO]": t["LOSS"],
            "cap binds": t["LOSS"] != t["BL"],
        }
    )
    view.index = view.index.astype(int)
    share = ("AL (t-1)", "TL (t-1)", "BAND (t-1)", "TL + BAND", "LD")
    view.attrs["units"] = {**dict.fromkeys(share, "fraction"), "D": "0/1"}
    return view


def amr_plan_path(sc) -> Path | None:
    """The AMR plan a scenario names (``amr: PLAN``), or None."""
    raw = sc.to_dict(resolved=False) if hasattr(sc, "to_dict") else {}
    value = raw.get("amr") if isinstance(raw, Mapping) else None
    if not value:
        return None
    base = Path(sc.path).parent if getattr(sc, "path", None) else Path(".")
    return (base / value).resolve()


def amr_view(sc, table: pd.DataFrame) -> dict[str, Any]:
    """AMR cost recovery: ``by_year`` (AMR_t beside MADR_t and its share of the cap) and, when
    the scenario names an AMR plan, ``plan`` (the plan's building block by year, from
    :func:`tariffmodel.model.amr.table`) and ``summary`` (NPVs, levelised costs, payback)."""
    t = table.set_index("year")
    by_year = pd.DataFrame(
        {
            "AMR [RO]": t["AMR"],
            "MADR [RO]": t["MADR"],
            "AMR share of MADR": t["AMR"] / t["MADR"],
        }
    )
    by_year.index = by_year.index.astype(int)
    by_year.attrs["units"] = {"AMR share of MADR": "fraction"}
    out: dict[str, Any] = {"by_year": by_year, "source": sc.filled.get("AMR", "the year table")}
    path = amr_plan_path(sc)
    if path is not None:
        plan = amr.load_plan(path)
        cols = ["year", "capex", "opening_rav", "depreciation", "return", "closing_rav", "opex"]
        block = amr.table(plan)
        plan_block = block[[c for c in [*cols, "AMR"] if c in block.columns]].set_index("year")
        out["plan"] = plan_block.rename(columns=lambda c: f"{c} [RO]")
        summary = amr.summary(plan)
        out["summary"] = pd.Series(summary, name="value")
        out["summary_text"] = amr_summary_table(summary)
    return out


def amr_summary_table(summary: Mapping[str, Any]) -> pd.DataFrame:
    """An AMR plan's summary figures (:func:`tariffmodel.model.amr.summary`) as text by their
    units: RO in m RO, the WACC and loss reduction in %, a payback year that never comes as
    "not within the horizon", the levelised figures with the years they average over."""
    units = {k: AMR_SUMMARY_UNITS.get(k, "RO") for k in summary}
    table = fm.describe(summary, units)
    # a levelised figure averages over the years of the plan's table, which the convention
    # sets: say which years
    span = f"{summary.get('first_year')}-{summary.get('last_year')}"
    table.index = [
        f"{k} (over {span}, discounted at the WACC)"
        if k.startswith("levelised_") and k != "levelised_profile" or k.endswith("_levelised")
        else k
        for k in table.index
    ]
    table.index.name = "figure"
    return table


def uncertainty_view(result) -> pd.DataFrame:
    """The headline of a Monte Carlo run (:func:`tariffmodel.analysis.montecarlo.monte_carlo`): by
    year, the mean and the 5th, 50th and 95th percentiles of MADR [RO] and the probability
    [fraction] that each of paragraphs 3-5 is triggered."""
    s = result.summary.set_index("year")
    cols = ["MADR_mean", "MADR_p5", "MADR_p50", "MADR_p95"]
    cols += ["para3_prob", "para4_prob", "para5_prob"]
    view = s[[c for c in cols if c in s.columns]].copy()
    view.index = view.index.astype(int)
    return view


def _m(x: float) -> str:
    return fm.format_value(x, "RO")


def compliance_in_words(table: pd.DataFrame) -> list[str]:
    """K_Dt and the tests of paragraphs 3-5 for each year, in plain words, from the engine's
    columns (nothing is recomputed here); the sentences on paragraphs 3-5 are those of the
    dashboards (:func:`tariffmodel.reporting.compliance.compliance_sentences`)."""

    sentences: dict[int, list[str]] = {}
    for year, text, _ in compliance_sentences(table):
        sentences.setdefault(year, []).append(text.removeprefix(f"{year}: "))
    lines = []
    for _, r in table.iterrows():
        y = int(r["year"])
        k = float(r["K"])
        if k > 0:
            ktext = f"K = {_m(k)}: revenue was over-recovered in {y - 1}, so MADR is cut by it"
        elif k < 0:
            ktext = f"K = {_m(k)}: revenue was under-recovered in {y - 1}, so MADR rises by it"
        else:
            ktext = f"K = 0: revenue in {y - 1} matched the cap"
        ktext += f" (interest at i = {fm.format_value(float(r['i']), 'fraction')})."
        ardr, madr = float(r["ARDR"]), float(r["MADR"])
        head = f"{y}: MADR {_m(madr)}, ARDR {_m(ardr)}. {ktext}"
        lines.append(" ".join([head, *(t[0].upper() + t[1:] for t in sentences.get(y, []))]))
    return lines


def styled_values(frame: pd.DataFrame, by: str = "rows"):
    """A pandas Styler for an input table of :func:`inputs_at_a_glance` (display only): each
    value by the unit of its field (keys down with ``by="rows"``, columns with
    ``by="columns"``), blanks where a value is not given."""
    return fm.styler(frame, by=by, missing="")


def year_table(inputs: pd.DataFrame) -> pd.DataFrame:
    """The year table of :func:`inputs_at_a_glance` turned for reading: fields down (in the
    order of the file), years across, so that it fits a page however many columns it has."""
    out = inputs.T
    out.columns = [str(int(c)) for c in out.columns]
    out.index.name = "field"
    return out


def styled(frame: pd.DataFrame, units: Mapping[Any, str] | None = None, unit: str | None = None):
    """A pandas Styler for a view of this module (display only; the numbers are unchanged):
    every column in the format of its unit (:mod:`tariffmodel.reporting.formatting`), from
    ``units``, the view's own ``attrs["units"]``, the column's name, or ``unit`` for all."""
    known = dict(frame.attrs.get("units") or {})
    if unit is not None:
        known.update(dict.fromkeys(frame.columns, unit))
    known.update(units or {})
    return fm.styler(frame, known, missing="")


def before_after(before: pd.DataFrame, after: pd.DataFrame, terms: Sequence[str]) -> pd.DataFrame:
    """Terms before and after an edit, and the change: (term, ``before`` | ``after`` |
    ``change``) down, years across [RO], so that the table stays narrow however many terms.

    >>> b = pd.DataFrame({"year": [2026], "MADR": [10.0]})
    >>> a = pd.DataFrame({"year": [2026], "MADR": [12.5]})
    >>> before_after(b, a, ["MADR"])[2026].tolist()
    [10.0, 12.5, 2.5]
    """
    b, a = before.set_index("year")[list(terms)], after.set_index("year")[list(terms)]
    parts = {}
    for term in terms:
        parts[(term, "before")] = b[term]
        parts[(term, "after")] = a[term]
        parts[(term, "change")] = a[term] - b[term]
    out = pd.DataFrame(parts).T
    out.columns = [int(c) for c in out.columns]
    out.index.names = ["term", ""]
    return out


# --------------------------------------------------------------------------------------------
# HTML export
# --------------------------------------------------------------------------------------------
def export_html(notebook: str | os.PathLike, html_path: str | os.PathLike) -> Path:
    """Write an executed notebook as an HTML report without code cells or prompts."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook), as_version=4)
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(nb)
    out = Path(html_path)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    use_umask(fd)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body)
    os.replace(tmp, out)
    return out


# --------------------------------------------------------------------------------------------
# Batch summary
# --------------------------------------------------------------------------------------------
def scenario_labels(records: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The column label of each scenario in the summary (slug -> label): its name, with the
    folder name added where two scenarios share a name.

    >>> scenario_labels([{"slug": "a", "name": "Base"}, {"slug": "b", "name": "Base"},
    ...                  {"slug": "c", "name": None}])
    {'a': 'Base', 'b': 'Base [b]', 'c': 'c'}
    """
    labels: dict[str, str] = {}
    for rec in records:
        label = str(rec.get("name") or rec["slug"])
        if label in labels.values():
            label = f"{label} [{rec['slug']}]"
        labels[rec["slug"]] = label
    return labels


def collect_tables(
    out_dir: Path, records: Iterable[Mapping[str, Any]], labels: Mapping[str, str]
) -> dict[str, pd.DataFrame]:
    """madr.csv of every finished scenario, keyed by its label in the summary."""
    return {
        labels[rec["slug"]]: _read_madr(Path(out_dir) / rec["folder"] / "madr.csv")
        for rec in records
    }


def summary_frame(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """All scenarios in one long table (``summary.csv``): scenario, then the madr.csv columns
    and the bill per account, one row per scenario and year."""
    parts = []
    for label, t in tables.items():
        t = t.copy()
        bill = bill_impact(t)
        t["RO_per_account"] = bill["RO_per_account"].to_numpy()
        t["baisa_per_kWh"] = bill["baisa_per_kWh"].to_numpy()
        t.insert(0, "scenario", label)
        parts.append(t)
    if not parts:
        return pd.DataFrame(columns=["scenario", "year"])
    return pd.concat(parts, ignore_index=True)


def side_by_side(tables: Mapping[str, pd.DataFrame], column: str) -> pd.DataFrame:
    """One column of every scenario: years as rows, scenarios as columns."""
    cols = {label: t.set_index("year")[column] for label, t in tables.items()}
    frame = pd.DataFrame(cols, columns=list(cols))
    frame.index = frame.index.astype(int)
    frame.index.name = "year"
    return frame.sort_index()


def write_summary(
    out_dir: str | os.PathLike,
    records: Sequence[Mapping[str, Any]],
    batch: Mapping[str, Any],
    *,
    all_records: Sequence[Mapping[str, Any]] | None = None,
    base: str | None = None,
) -> tuple[Path, Path]:
    """Write ``summary.xlsx`` and ``summary.csv`` of a batch folder.

    Parameters
    ----------
    out_dir : path
        The batch folder; each record's ``folder`` holds its ``madr.csv``.
    records : sequence of mapping
        The finished scenarios (manifest records with ``slug``, ``name``, ``folder``).
    batch : mapping
        The batch manifest (its provenance goes to the sheet "About").
    all_records : sequence of mapping, optional
        Every scenario of the batch, failed ones included (listed on the sheet "Scenarios").
    base : str, optional
        The scenario file every other scenario is compared with on the sheet "Comparison with
        base" (default the first scenario that ran).
    """
    out = Path(out_dir)
    every = list(all_records or records)
    labels = scenario_labels(every)
    tables = collect_tables(out, records, labels)
    long = summary_frame(tables)
    csv_path = out / "summary.csv"
    # text that a spreadsheet would read as a formula is quoted (numbers stay numbers)
    _write_csv_atomic(fm.csv_safe(long), csv_path)
    xlsx_path = out / "summary.xlsx"
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".summary.", suffix=".xlsx")
    use_umask(fd)
    os.close(fd)
    try:
        comparison = review_comparison(records, labels, base, root=out)
        _write_workbook(Path(tmp), tables, batch, every, labels, comparison)
        os.replace(tmp, xlsx_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return xlsx_path, csv_path


#: A cell with a number in a worksheet part: its attributes and the text of its value.
_NUMBER_CELL = re.compile(rb"<c\b([^>]*)>(\s*)<v>([^<]*)</v>")
_CELL_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_TEXT_TYPE = re.compile(rb'\bt="(?!n")')


def _save_exact(wb, path: Path) -> None:
    """Save an openpyxl workbook with every float written as its shortest exact form.

    openpyxl (and xlsxwriter) write a number with 16 significant digits, which does not give
    every double back, so a cell could differ in its last digit from the madr.csv it comes
    from; neither has an option for more. The file format stores a number as the decimal text
    of the cell's ``<v>`` element (ECMA-376 Part 1, 18.3.1.96), so after saving, the text of
    every float cell is replaced by ``repr(value)``, which reads back as the same double.
    """
    wb.save(path)
    exact: dict[str, dict[bytes, bytes]] = {}
    for ws in wb.worksheets:
        cells = {
            c.coordinate.encode(): repr(float(c.value)).encode()
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, float) and math.isfinite(c.value)
        }
        if cells:
            exact[ws.title] = cells
    if not exact:
        return
    parts = _worksheet_parts(path)

    def fix(cells):
        def sub(m):
            ref = _CELL_REF.search(m.group(1))
            if ref is None or ref.group(1) not in cells or _TEXT_TYPE.search(m.group(1)):
                return m.group(0)
            return b"<c" + m.group(1) + b">" + m.group(2) + b"<v>" + cells[ref.group(1)] + b"</v>"

        return sub

    fd, tmp = tempfile.mkstemp(dir=Path(path).parent, prefix=".exact.", suffix=".xlsx")
    use_umask(fd)
    os.close(fd)
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w") as dst:
            for info in src.infolist():
                data = src.read(info)
                title = parts.get(info.filename)
                if title in exact:
                    data = _NUMBER_CELL.sub(fix(exact[title]), data)
                dst.writestr(info, data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _worksheet_parts(path: Path) -> dict[str, str]:
    """Zip member of each worksheet of a saved workbook -> the sheet's title (from the
    workbook part and its relationships, as the file format lays them out)."""
    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    ns_pkg = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{ns_pkg}Relationship"):
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[rel.get("Id")] = posixpath.normpath(target)
    parts = {}
    for sheet in book.iter(f"{ns_main}sheet"):
        part = targets.get(sheet.get(f"{ns_rel}id"))
        if part is not None:
            parts[part] = sheet.get("name")
    return parts


def _write_workbook(path, tables, batch, records, scenario_label, comparison=None) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    flag_fill = PatternFill("solid", fgColor="F8CBAD")
    labels = list(tables)
    fmt_ro = fm.excel_format("RO")

    wb = Workbook()

    def header(ws, row, values, col=1):
        for j, v in enumerate(values):
            c = fm.write_cell(ws, row, col + j, v)
            c.font = bold
            c.fill = head_fill
            c.alignment = Alignment(wrap_text=True, vertical="top")

    def widths(ws, first=28, rest=18):
        ws.column_dimensions["A"].width = first
        for j in range(2, ws.max_column + 1):
            ws.column_dimensions[get_column_letter(j)].width = rest
        _fit_header_rows(ws)

    # Scenarios: one row each, failed ones with their error.
    ws = wb.active
    ws.title = "Scenarios"
    years = sorted({int(y) for t in tables.values() for y in t["year"]})
    header(
        ws,
        1,
        ["scenario", "status", "file", "readings"]
        + [f"MADR {y} [RO]" for y in years]
        + ["MADR total [RO]", "years flagged para3", "para4", "para5", "error"],
    )
    for i, rec in enumerate(records, start=2):
        label = scenario_label[rec["slug"]]
        table = tables.get(label) if rec.get("status") == "ok" else None
        readings = rec.get("readings") or {}
        row = [
            label,
            rec.get("status"),
            rec.get("path"),
            ", ".join(f"{k}={v}" for k, v in readings.items()),
        ]
        if table is not None:
            madr = table.set_index("year")["MADR"]
            row += [float(madr[y]) if y in madr.index else None for y in years]
            row += [float(madr.sum())]
            row += [
                ", ".join(str(int(y)) for y in table.loc[table[f].astype(bool), "year"]) or "none"
                for f in FLAGS
            ]
        else:
            row += [None] * (len(years) + 4)
        row.append((rec.get("error") or {}).get("message"))
        for j, v in enumerate(row, start=1):
            c = fm.write_cell(ws, i, j, v)
            if isinstance(v, float):
                c.number_format = fmt_ro
        if rec.get("status") != "ok":
            ws.cell(row=i, column=2).fill = flag_fill
    ws.freeze_panes = "B2"
    widths(ws)

    # MADR by year and the bill impact: years down, scenarios across.
    def year_block(ws, row, note, frame, fmt) -> int:
        fm.write_cell(ws, row, 1, note).font = Font(italic=True)
        header(ws, row + 1, ["year"] + labels)
        for i, (year, vals) in enumerate(frame.iterrows(), start=row + 2):
            fm.write_cell(ws, i, 1, int(year)).font = bold
            for j, label in enumerate(labels, start=2):
                v = vals.get(label, np.nan)
                c = fm.write_cell(ws, i, j, None if pd.isna(v) else float(v))
                c.number_format = fmt
        return row + 3 + len(frame)

    def new_year_sheet(title):
        ws = wb.create_sheet(title)
        ws.freeze_panes = "B3"
        return ws

    ws = new_year_sheet("MADR")
    year_block(ws, 1, "MADR_t [RO], by scenario", side_by_side(tables, "MADR"), fmt_ro)
    widths(ws, first=10, rest=24)
    bills = {label: bill_impact(t) for label, t in tables.items()}
    ws = new_year_sheet("Bill impact")
    row = year_block(
        ws,
        1,
        "MADR_t per customer account [RO per account per year], by scenario",
        side_by_side(bills, "RO_per_account"),
        fm.excel_format("RO per account"),
    )
    year_block(
        ws,
        row,
        "MADR_t per kWh distributed [baisa per kWh], by scenario",
        side_by_side(bills, "baisa_per_kWh"),
        fm.excel_format("baisa per kWh"),
    )
    widths(ws, first=10, rest=24)

    # Every term: (term, year) down, scenarios across; values exactly those of madr.csv.
    ws = wb.create_sheet("Terms")
    header(ws, 1, ["term", "unit", "year"] + labels)
    terms = terms_columns(tables.values())
    row = 2
    for term in terms:
        unit = COLUMNS[term][0] if term in COLUMNS else fm.unit_of(term) or ""
        frame = side_by_side({k: t for k, t in tables.items() if term in t.columns}, term)
        for year, vals in frame.iterrows():
            fm.write_cell(ws, row, 1, term).font = bold
            fm.write_cell(ws, row, 2, unit)
            fm.write_cell(ws, row, 3, int(year))
            for j, label in enumerate(labels, start=4):
                v = vals.get(label, np.nan)
                c = fm.write_cell(ws, row, j, None if pd.isna(v) else float(v))
                c.number_format = fm.excel_format(unit)
            row += 1
    ws.freeze_panes = "D2"
    widths(ws, first=10, rest=22)
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 8

    # Compliance flags: (paragraph, year) down, scenarios across, TRUE highlighted.
    ws = wb.create_sheet("Compliance")
    header(ws, 1, ["paragraph", "year"] + labels)
    row = 2
    for flag in FLAGS:
        frame = side_by_side(tables, flag) if tables else pd.DataFrame()
        for year, vals in frame.iterrows():
            fm.write_cell(ws, row, 1, COLUMNS[flag][1])
            fm.write_cell(ws, row, 2, int(year))
            for j, label in enumerate(labels, start=3):
                v = vals[label]
                held = None if pd.isna(v) else _as_bool(v)
                # Yes/No as text: a boolean cell prints as 1/0 or TRUE/FALSE by application
                c = fm.write_cell(
                    ws, row, j, None if held is None else fm.format_value(held, "flag")
                )
                if held:
                    c.fill = flag_fill
            row += 1
    ws.freeze_panes = "C2"
    widths(ws, first=60, rest=20)
    ws.column_dimensions["B"].width = 8

    if comparison is not None and comparison[0] is not None:
        write_comparison_sheet(wb, *comparison)

    # About: what produced the batch.
    ws = wb.create_sheet("About")
    header(ws, 1, ["item", "value"])
    about = [
        ("tool", "tariffmodel"),
        ("package version", batch.get("package_version")),
        ("git commit", batch.get("git_commit")),
        ("notebook", (batch.get("notebook") or {}).get("path")),
        ("notebook sha256", (batch.get("notebook") or {}).get("sha256")),
        ("readings imposed", json.dumps(batch.get("readings") or {})),
        ("seed", batch.get("seed")),
        ("draws", batch.get("draws")),
        ("started (UTC)", batch.get("started_utc")),
        ("command", batch.get("command")),
    ]
    about += [(f"input sha256: {p}", h) for p, h in input_hashes(batch, records).items()]
    for i, (k, v) in enumerate(about, start=2):
        fm.write_cell(ws, i, 1, k).font = bold
        fm.write_cell(ws, i, 2, None if v is None else str(v))
    widths(ws, first=60, rest=70)
    for ws in wb.worksheets:
        _page_setup(ws)
    _save_exact(wb, path)


def terms_columns(tables: Iterable[pd.DataFrame]) -> list[str]:
    """The numeric madr.csv columns of the Terms sheet: those of the scenario-format contract
    in its order, then every other numeric column (CPI, X, SR, RUD, RBS, DNS, s, ...) in the
    order madr.csv has them; no flag, no year."""
    tables = list(tables)
    seen: list[str] = []
    for t in tables:
        for c in t.columns:
            if c not in seen and c != "year" and c not in FLAGS:
                if pd.api.types.is_numeric_dtype(t[c]) and not pd.api.types.is_bool_dtype(t[c]):
                    seen.append(c)
    return [c for c in COLUMNS if c in seen] + [c for c in seen if c not in COLUMNS]


def input_hashes(batch: Mapping[str, Any], records: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Every input file of a batch -> its SHA-256: the batch's own and each scenario's (the
    scenario file and the files it names), as the manifests record them."""
    out: dict[str, str] = {}
    for source in [batch, *records]:
        for p, h in (source.get("inputs") or {}).items():
            out.setdefault(str(p), str(h))
    return dict(sorted(out.items()))


def _fit_header_rows(ws) -> None:
    """Make each header row (bold, filled) tall enough for its wrapped text, so that a wrapped
    header does not run over the first row of values when printed."""
    from openpyxl.utils import get_column_letter

    for row in ws.iter_rows():
        lines = 1
        is_header = False
        for c in row:
            if c.value is None or not (c.font and c.font.b) or not c.alignment.wrap_text:
                continue
            is_header = True
            width = ws.column_dimensions[get_column_letter(c.column)].width or 8.43
            lines = max(lines, math.ceil(len(str(c.value)) / max(1.0, width - 1)))
        if is_header:
            ws.row_dimensions[row[0].row].height = 15 * lines + 2


def _page_setup(ws) -> None:
    """Print a sheet as people read it: A4 landscape, every column on one page's width (as many
    pages down as it needs), the header rows repeated on each page, gridlines printed."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    header_rows = 2 if ws.freeze_panes and ws.freeze_panes.endswith("3") else 1
    ws.print_title_rows = f"1:{header_rows}"
    ws.page_margins.left = ws.page_margins.right = 0.4


def _as_bool(v) -> bool:
    if isinstance(v, str):
        return v.strip().lower() == "true"
    return bool(v)

"""What ``tariffmodel run`` writes: madr.csv, the licence statement, the bill impact, a manifest.

* ``madr.csv``: one row per modelled year, the columns of the scenario-format contract first,
  full precision.
* ``statement.md``: the specified items of paragraph 12 for each year, the paragraph 9 view
  (do paragraphs 3-5 apply in consequence of t-1 and t-2; best estimate of K_Dt), and the
  compliance tests in plain words.
* ``bill_impact.csv``: MADR per kWh distributed [baisa/kWh] and per customer account [RO].
* ``terms.png`` (asked for with ``plots=True``): every term of MADR_t over the years, stacked,
  with MADR_t itself, in million RO.
* ``present_value.csv`` (with a discount rate): the present value of MADR and of each term over
  the period, at the start of the first modelled year.
* ``manifest.json``: input hashes, package version, git commit, readings used.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tariffmodel.analysis.compare import check_discount_rate, present_value
from tariffmodel.inputs.errors import InputError
from tariffmodel.licence.schedule2 import READING_IDS, para3_test
from tariffmodel.licence.terms import TERMS, TESTS
from tariffmodel.model.engine import project
from tariffmodel.model.scenario import Scenario
from tariffmodel.reporting.provenance import write_manifest
from tariffmodel.reporting.staging import staged_output

if TYPE_CHECKING:  # matplotlib is imported when the figure is made, not with the module
    from matplotlib.figure import Figure

BAISA_PER_RO = 1000.0


def bill_impact(table: pd.DataFrame) -> pd.DataFrame:
    """MADR per kWh distributed and per customer account, by year.

    .. math:: \\text{baisa per kWh}_t = 1000 \\times MADR_t / RUD_t, \\qquad
              \\text{RO per account}_t = MADR_t / CA_t

    Parameters
    ----------
    table : DataFrame
        The output of :func:`tariffmodel.project` (columns year, MADR, RUD, CA).

    Returns
    -------
    DataFrame
        year, MADR [RO], RUD [kWh], CA [accounts], baisa_per_kWh [baisa/kWh],
        RO_per_account [RO per account per year].

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2026], "MADR": [180e6], "RUD": [30e9], "CA": [1.2e6]})
    >>> bill_impact(t)[["baisa_per_kWh", "RO_per_account"]].iloc[0].tolist()
    [6.0, 150.0]
    """
    out = table[["year", "MADR", "RUD", "CA"]].copy()
    out["baisa_per_kWh"] = BAISA_PER_RO * out["MADR"] / out["RUD"]
    out["RO_per_account"] = out["MADR"] / out["CA"]
    return out


def _ro(x: float) -> str:
    return f"{x:,.2f}"


def _yes(flag) -> str:
    return "yes" if bool(flag) else "no"


def readings_lines(scenario: Scenario) -> list[str]:
    return [f"- {READING_IDS[k]} {k}: {v}" for k, v in scenario.readings.items()]


def warning_lines(scenario: Scenario) -> list[str]:
    """The scenario's warnings (:attr:`Scenario.warnings`) as a Markdown list, or nothing."""
    if not scenario.warnings:
        return []
    return ["Warnings:", *(f"- {w}" for w in scenario.warnings), ""]


def _forecast_line(scenario: Scenario) -> str:
    if scenario.cpi_forecasts:
        years = ", ".join(str(y) for y in scenario.cpi_forecasts)
        return (
            f"CPI_t is a forecast agreed with the Authority, the index not yet published "
            f"(paragraph 1a), in: {years}. a_t, c_t and p_t of those years rest on it."
        )
    return "CPI_t: the scenario marks no value as a forecast (cpi_forecasts)."


def connection_revenue(row: dict, r) -> tuple[float, str]:
    """The connection revenue of paragraph 12(a)(ii) [RO] and how it was found: the year
    table's ``ARDR_connection`` when given, else C_t (the connection charges due), assumed."""
    if "ARDR_connection" in row:
        return float(row["ARDR_connection"]), " (ARDR_connection, given)"
    return float(r["C"]), " (not given: assumed equal to C_t)"


def _year_notes(scenario: Scenario, t: int, r, use_of_system: float) -> list[str]:
    notes = []
    if t in scenario.cpi_forecasts:
        notes.append(
            f"CPI_{t} = {r['CPI'] * 100:.4f} % is a forecast agreed with the Authority (paragraph "
            "1a: the index for June of the year before is not yet published)."
        )
    if use_of_system < 0:
        notes.append(
            f"Connection revenue exceeds ARDR_{t}: use of system revenue is negative; check "
            "ARDR_connection and ARDR (or recovery) of the year table."
        )
    return [*notes, ""] if notes else []


def statement(scenario: Scenario, table: pd.DataFrame) -> str:
    """The licence statement of a run, as Markdown text (see the module docstring)."""
    h = scenario.history_year
    hist = scenario.rows[h]
    lines = [
        f"# {scenario.name}",
        "",
        f"Scenario file: {scenario.path if scenario.path else '(in memory)'}  ",
        f"Licensee: {scenario.licensee or 'NEDC'}; modelled years {scenario.years[0]}-"
        f"{scenario.years[-1]}; history year {h}.",
        "",
        "Readings of unclear licence text used:",
        *readings_lines(scenario),
        "",
        *warning_lines(scenario),
        _forecast_line(scenario),
        "",
        "Amounts in RO; rates as percentages; figures rounded for reading (madr.csv has full "
        "precision).",
        "",
    ]
    prev = {
        "year": h,
        "ARDR": hist["ARDR"],
        "MADR": hist["MADR"],
        "para3": None,
        "para4": None,
        "para5": None,
    }
    for _, r in table.iterrows():
        t = int(r["year"])
        row = scenario.rows[t]
        connection, connection_note = connection_revenue(row, r)
        use_of_system = r["ARDR"] - connection
        ardr_note = (
            ""
            if "ARDR" in row
            else (
                " (not given: recovery x MADR_t, a forecast)"
                if "recovery" in row
                else " (not given: taken equal to MADR_t)"
            )
        )
        lines += [
            f"## Relevant Year {t}",
            "",
            "### Specified items (paragraph 12)",
            "",
            "| item | value |",
            "|---|---:|",
            f"| (a) ARDR_t{ardr_note} | {_ro(r['ARDR'])} |",
            f"| (a)(i) use of system revenue (ARDR_t less (a)(ii)) | {_ro(use_of_system)} |",
            f"| (a)(ii) connection revenue{connection_note} | {_ro(connection)} |",
            f"| (b) C_t | {_ro(r['C'])} |",
            f"| (c) LOSS_t | {_ro(r['LOSS'])} |",
            f"| (d) LD_t | {r['LD'] * 100:.4f} % |",
            f"| (d) AL_{{t-1}} | {r['AL'] * 100:.4f} % |",
            f"| (e) NSF_t | {_ro(r['NSF'])} |",
            f"| (f) DNS_t [MVA] | {r['DNS']:,.3f} |",
            f"| (g) RUD_t [kWh] | {r['RUD']:,.0f} |",
            f"| (h) RBS_t [kWh] | {r['RBS']:,.0f} |",
            f"| (i) CA_t [accounts] | {r['CA']:,.0f} |",
            f"| (j) a_t | {_ro(r['a'])} |",
            f"| (j) c_t [RO per account] | {r['c']:,.4f} |",
            f"| (k) p_t [RO per kWh] | {r['p']:.6f} |",
            f"| (l) s_t [RO per MVA] | {r['s']:,.2f} |",
            "",
            *_year_notes(scenario, t, r, use_of_system),
            "### Paragraph 9 view at the start of the year",
            "",
        ]
        if prev["para3"] is None:
            p3 = _yes(para3_test(prev["ARDR"], prev["MADR"]))
            lines.append(
                f"- Paragraph 3 in consequence of {h}: {p3} "
                f"(ARDR {h} is {_share_of_madr(scenario, h, prev['ARDR'], prev['MADR'])} of MADR)."
            )
            lines.append(
                f"- Paragraphs 4 and 5 in consequence of {h - 1} and {h}: not assessed "
                f"({h - 1} is not in the scenario)."
            )
        else:
            lines.append(f"- Paragraph 3 in consequence of {t - 1}: {_yes(prev['para3'])}.")
            lines.append(
                f"- Paragraph 4 in consequence of {t - 2} and {t - 1}: {_yes(prev['para4'])}."
            )
            lines.append(
                f"- Paragraph 5 in consequence of {t - 2} and {t - 1}: {_yes(prev['para5'])}."
            )
        lines += [
            f"- Best estimate of K_D{t}: {_ro(r['K'])} (i_t = {r['i'] * 100:.4f} %; ARDR_{{t-1}} "
            f"used {_ro(r['ARDR_in_K'])}).",
            "",
            "### The cap and the tests of the year",
            "",
            f"MADR_{t} = {_ro(r['MADR'])}; ARDR_{t} = {_ro(r['ARDR'])} "
            f"({_share_of_madr(scenario, t, r['ARDR'], r['MADR'])} of MADR).",
            "",
            *(_test_line(flag, t, r[flag]) for flag in TESTS),
            "",
        ]
        prev = r
    return "\n".join(lines) + "\n"


def _share_of_madr(scenario: Scenario, year: int, ardr: float, madr: float) -> str:
    """ARDR_t as a percentage of MADR_t for the statement, or an :class:`InputError` when the
    ratio is no number (a MADR_t of zero, or so small that ARDR/MADR overflows), since the
    statement never prints ``inf`` or ``nan``."""
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        share = np.float64(ardr) / np.float64(madr) * 100.0
    if np.isfinite(share):
        return f"{share:.2f} %"
    if year == scenario.history_year:
        line = (scenario.inputs_lines or {}).get(year)
        where = f"{scenario.inputs_file}, line {line}" if line else scenario.inputs_file
        raise InputError(
            f"the history row's MADR ({madr:g}) is too small for ARDR/MADR to be a number "
            f"(ARDR {ardr:g} / MADR {madr:g} is {share}); give the history year's MADR in RO",
            file=where,
            key="MADR",
            year=year,
        )
    raise InputError(
        f"MADR_{year} comes out as {madr:g}, too small for ARDR/MADR to be a number "
        f"(ARDR {ardr:g} / MADR {madr:g} is {share}); check the inputs of {year}",
        file=str(scenario.path) if scenario.path else None,
        year=year,
    )


def _test_line(flag: str, t: int, held) -> str:
    """A test of paragraphs 3-5 in the statement: the licence's test, the answer, what follows."""
    test = TESTS[flag]
    line = f"- Paragraph {test.paragraph} ({test.test.format(t=t, prev=t - 1)}): {_yes(held)}."
    if held:
        consequence = test.consequence.format(t=t, prev=t - 1, next=t + 1)
        line += f" {consequence[0].upper()}{consequence[1:]}."
    return line


def present_values(table: pd.DataFrame, rate: float) -> pd.DataFrame:
    """The present value of MADR and of each term over the period [RO], at the start of the
    first modelled year, each year's amount at its end (see
    :func:`tariffmodel.analysis.compare.present_value`): one row."""
    rate = check_discount_rate(rate)
    row = {
        "discount_rate": rate,
        "valued_at_start_of": int(table["year"].iloc[0]),
        "MADR": present_value(table["MADR"].to_numpy(), rate),
    }
    for t in TERMS:
        row[t.symbol] = present_value(table[t.symbol].to_numpy(), rate)
    return pd.DataFrame([row])


def terms_figure(table: pd.DataFrame, title: str = "") -> Figure:
    """The terms of MADR_t over the years, in million RO: above, MADR_t and DB_t, the large
    ones; below, every other term that is not zero in every year (K_Dt with the sign it has in
    the cap, so a term below zero lowers the cap)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=(9.5, 7.4), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1, 1.4])
    years = table["year"].to_numpy()
    millions = FuncFormatter(lambda v, _: f"{v / 1e6:,.1f}")
    top.plot(years, table["MADR"], color="black", marker="o", label="MADR_t, the cap")
    top.plot(
        years,
        table["DB"],
        color="#1f77b4",
        marker="s",
        label="distribution business revenue (DB_t)",
    )
    top.set_ylabel("MADR_t and DB_t [m RO]")
    top.set_xlabel("Relevant Year")
    top.tick_params(labelbottom=True)
    top.yaxis.set_major_formatter(millions)
    fig.suptitle(f"The terms of MADR by year{': ' + title if title else ''}")
    top.set_title("the cap and its largest term", fontsize=10)
    top.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    markers = iter("ov^<>sphDd*PX8")
    for t in TERMS:
        if t.symbol == "DB":
            continue
        values = t.sign * table[t.symbol].to_numpy()
        if not np.any(values):
            continue  # zero in every year: kept out of the figure and its legend
        sign = ", subtracted" if t.sign < 0 else ""
        bottom.plot(
            years, values, marker=next(markers), ms=4, label=f"{t.words} ({t.licence}{sign})"
        )
    bottom.axhline(0, color="black", lw=0.6)
    bottom.set_ylabel("term as it enters the cap [m RO]")
    bottom.yaxis.set_major_formatter(millions)
    bottom.set_xlabel("Relevant Year")
    bottom.set_xticks(years, [str(y) for y in years])
    bottom.set_title("the other terms", fontsize=10)
    bottom.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def write_run(
    scenario: Scenario,
    out_dir: str | os.PathLike,
    command: str | None = None,
    *,
    plots: bool = False,
    discount_rate: float | None = None,
) -> pd.DataFrame:
    """Project ``scenario`` and write madr.csv, statement.md, bill_impact.csv, manifest.json,
    with ``plots`` terms.png, with ``discount_rate`` [fraction per year] present_value.csv.

    Nothing is written unless every file is complete (see :func:`staged_output`).

    Returns
    -------
    DataFrame
        The projection (as in madr.csv).
    """
    rate = check_discount_rate(discount_rate)
    table = project(scenario)
    outputs = ["madr.csv", "statement.md", "bill_impact.csv"]
    text = statement(scenario, table)  # before any file: it refuses a ratio that is no number
    with staged_output(out_dir) as stage:
        table.to_csv(stage / "madr.csv", index=False)
        (stage / "statement.md").write_text(text, encoding="utf-8")
        bill_impact(table).to_csv(stage / "bill_impact.csv", index=False)
        if rate is not None:
            present_values(table, rate).to_csv(stage / "present_value.csv", index=False)
            outputs.append("present_value.csv")
        if plots:
            fig = terms_figure(table, scenario.name)
            fig.savefig(stage / "terms.png", dpi=120)
            outputs.append("terms.png")
        write_manifest(
            stage,
            inputs=scenario.sources,
            readings={f"{READING_IDS[k]} {k}": v for k, v in scenario.readings.items()},
            seed=None,
            command=command,
            extra={
                "scenario": scenario.name,
                "years": scenario.years,
                "filled_from_links": scenario.filled,
                "cpi_forecasts": list(scenario.cpi_forecasts),
                "warnings": scenario.warnings,
                "discount_rate": rate,
                "outputs": outputs,
            },
        )
    return table

"""The columns of the output files, documented from the same field table as the inputs.

``tariffmodel fields --outputs`` prints, for madr.csv, amr.csv, wpra.csv, montecarlo.csv and
compare.csv, every column with its unit, the licence paragraph it comes from and its meaning. A
column that echoes an input takes its unit and meaning from :data:`INPUT_FIELDS` or
:data:`NOTIFIED_FIELDS`; a term of MADR_t from :data:`tariffmodel.licence.terms.TERMS`; the
others are written here once. The tests check that every column the engine writes is listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from tariffmodel.inputs.fields import INPUT_FIELDS, NOTIFIED_FIELDS, Field
from tariffmodel.licence.terms import TERMS, TESTS


@dataclass(frozen=True)
class OutputColumn:
    """A column of an output file: the field (name, unit, meaning) and where the licence
    defines it (``-`` for a figure of the tool, not of the licence)."""

    field: Field
    paragraph: str

    @property
    def name(self) -> str:
        return self.field.name


def _col(name: str, unit: str, meaning: str, paragraph: str = "-") -> OutputColumn:
    return OutputColumn(Field(name, unit, meaning), paragraph)


def _echo(name: str, paragraph: str, notified: bool = False, note: str = "") -> OutputColumn:
    spec = NOTIFIED_FIELDS[name][0] if notified else INPUT_FIELDS[name]
    return OutputColumn(Field(name, spec.unit, spec.description + note), paragraph)


_TERMS = {t.symbol: t for t in TERMS}


def _term(symbol: str) -> OutputColumn:
    t = _TERMS[symbol]
    sign = ", subtracted from the cap" if t.sign < 0 else ""
    return _col(symbol, "RO", f"{t.licence}, {t.words}{sign}", t.paragraph)


def _test(flag: str) -> OutputColumn:
    t = TESTS[flag]
    return _col(
        flag,
        "yes/no",
        f"paragraph {t.paragraph} holds in year t ({t.test.format(t='t', prev='t-1')})",
        t.paragraph,
    )


#: madr.csv: the columns of the scenario-format contract, then the extra ones.
MADR_CSV: tuple[OutputColumn, ...] = (
    _col("year", "year", "the Relevant Year t"),
    _col("a", "RO", "a_t, fixed element of DB_t (notified, or a_{t-1}(1 + CPI_t - X_Dt))", "1a"),
    _col("c", "RO per account", "c_t, element of DB_t per customer account (as a_t)", "1a"),
    _col("p", "RO per kWh", "p_t, value of losses (notified, or p_{t-1}(1 + CPI_t))", "1b"),
    _echo("CA", "1a"),
    _term("DB"),
    _col("AL", "fraction", "AL_{t-1}, Actual Losses of t-1: 1 - RUD_{t-1} / RBS_{t-1}", "1b"),
    _echo("TL", "1b", notified=True, note=" of t-1, which LOSS_t reads"),
    _echo("BAND", "1b", notified=True, note=" of t-1, which LOSS_t reads"),
    _col("D", "0/1", "D_t, whether the loss incentive applies (the dead band, reading R1)", "1b"),
    _col("LD", "fraction", "LD_t, loss difference (TL_{t-1} - AL_{t-1}) x D_t", "1b"),
    _col("BL", "RO", "BL_t, the loss incentive before its cap: RUD_{t-1} p_t LD_t", "1b"),
    _term("LOSS"),
    _term("NSF"),
    _col("KS", "fraction", "KS_t, KPI score factor: WS_{t-1}/TS_{t-1} within 1 -/+ CAP_t", "1d"),
    _term("CS"),
    _term("CC"),
    *(_term(t.symbol) for t in TERMS if t.given),
    _col(
        "i", "fraction", "i_t, interest rate applied in K_Dt (SR, + 0.03 after over-recovery)", "1"
    ),
    _term("K"),
    _col("MADR", "RO", "MADR_t, Maximum Allowed Distribution Revenue: the sum of the terms", "1"),
    _col(
        "ARDR",
        "RO",
        "ARDR_t, Actual Regulated Distribution Revenue (given, or recovery x MADR_t)",
        "12(a)",
    ),
    *(_test(flag) for flag in TESTS),
    _echo("CPI", "1a"),
    _echo("X", "1a", notified=True),
    _echo("SR", "1"),
    _col("loss_cap", "RO", "the cap of LOSS_t either side: loss_cap_share x DB_t", "1b"),
    _echo("RUD", "1b"),
    _echo("RBS", "1b"),
    _echo("DNS", "1c"),
    _echo("s", "1c", notified=True),
    _col("WS_prev", "score", "WS_{t-1}, the weighted KPI score CS_t reads (TS where absent)", "1d"),
    _col("TS_prev", "score", "TS_{t-1}, the target KPI score CS_t reads", "1d"),
    _col(
        "ARDR_in_K", "RO", "ARDR_{t-1} as K_Dt uses it (after any substitution, reading R4)", "1, 5"
    ),
)

#: amr.csv (one row per year of the AMR plan; the AMR building block, docs/amr.md).
AMR_CSV: tuple[OutputColumn, ...] = (
    _col("year", "year", "the year of the plan"),
    _col("meters_installed", "meters", "smart meters installed in the year"),
    _col("meters_in_service", "meters", "smart meters in service at the end of the year"),
    _col("accounts", "accounts", "customer accounts the cost is spread over"),
    _col("capex", "RO", "capital expenditure of the year, every class", "Condition 6.3"),
    _col("opening_rav", "RO", "AMR Regulatory Asset Value at the start of the year"),
    _col("depreciation", "RO", "depreciation of the year (straight line over each class's life)"),
    _col("return", "RO", "return on the opening RAV at the WACC"),
    _col("closing_rav", "RO", "RAV at the end of the year: opening + capex - depreciation"),
    _col("opex", "RO", "operating expenditure of the year", "Condition 6.3"),
    _col("building_block", "RO", "depreciation + return + opex"),
    _col(
        "AMR",
        "RO",
        "AMR_t, the allowance of the cap (the building block or its levelised profile)",
        "1",
    ),
    _col("ro_per_account", "RO per account", "AMR_t / accounts"),
    _col("benefits", "RO", "benefits of the plan (kept apart from the allowance)"),
    _col(
        "loss_reduction",
        "fraction",
        "fall of Actual Losses from the plan (share of bulk supplies)",
        "1b",
    ),
    _col("delta_CPL", "RO", "change of the cost of purchasing losses from the loss reduction", "1"),
    _col("delta_LOSS", "RO", "change of LOSS_t from the loss reduction", "1b"),
    _col("wacc", "fraction", "the weighted average cost of capital of the plan"),
    _col("convention", "text", "capitalisation convention (year_end, half_year, as_incurred)"),
    _col(
        "capex_*",
        "RO",
        "capital expenditure of each asset class (meters, hubs, ...)",
        "Condition 6.3",
    ),
    _col(
        "opex_*",
        "RO",
        "operating expenditure of each item (communications, security, ...)",
        "Condition 6.3",
    ),
)

#: wpra.csv (one row per year of the capex verification file).
WPRA_CSV: tuple[OutputColumn, ...] = (
    _col("year", "year", "the year"),
    _col(
        "provisional_capex",
        "RO",
        "capex allowed provisionally, before verification",
        "1, footnote 3",
    ),
    _col("opening_rav", "RO", "RAV at the start of the year, before any write-down"),
    _col("write_down", "RO", "capex found not verified, written off the RAV", "1, footnote 3"),
    _col("depreciation", "RO", "depreciation of the year"),
    _col("return", "RO", "return on the RAV at the WACC"),
    _col("closing_rav", "RO", "opening - write_down + provisional_capex - depreciation"),
    _col("allowed", "RO", "revenue allowed on the provisional capex"),
    _col(
        "WPRA",
        "RO",
        "WPRA_t, the within-period revenue adjustment (zero or negative)",
        "1, footnote 3",
    ),
    _col("wacc", "fraction", "the weighted average cost of capital"),
    _col("roll_forward", "yes/no", "whether the clawback is rolled forward at the WACC"),
)

#: montecarlo.csv: COL is MADR, each term of MADR_t or ARDR.
MONTECARLO_CSV: tuple[OutputColumn, ...] = (
    _col("year", "year", "the Relevant Year t"),
    _col("COL_mean", "RO", "mean of COL over the draws"),
    _col("COL_std", "RO", "standard deviation of COL over the draws (ddof 0)"),
    _col("COL_p5", "RO", "5th percentile of COL over the draws (numpy's linear method)"),
    _col("COL_p50", "RO", "median of COL over the draws"),
    _col("COL_p95", "RO", "95th percentile of COL over the draws"),
    *(
        _col(
            f"{flag}_prob",
            "fraction",
            f"share of the draws in which paragraph {t.paragraph} holds",
            t.paragraph,
        )
        for flag, t in TESTS.items()
    ),
    _col("MADR_deterministic", "RO", "MADR_t of the scenario itself, without uncertainty", "1"),
)

#: compare.csv (tariffmodel compare).
COMPARE_CSV: tuple[OutputColumn, ...] = (
    _col("year", "year", "the Relevant Year t; period: the sum over the years; present_value"),
    _col("MADR_base", "RO", "MADR_t of the base scenario", "1"),
    _col("MADR_other", "RO", "MADR_t of the other scenario", "1"),
    _col("MADR_diff", "RO", "MADR_other - MADR_base", "1"),
    _col(
        "TERM_diff",
        "RO",
        "the difference of a term of MADR_t (C, DB, LOSS, ..., K) or of ARDR_t",
        "1",
    ),
)

#: Output file -> its columns.
OUTPUT_FILES: dict[str, tuple[OutputColumn, ...]] = {
    "madr.csv": MADR_CSV,
    "amr.csv": AMR_CSV,
    "wpra.csv": WPRA_CSV,
    "montecarlo.csv": MONTECARLO_CSV,
    "compare.csv": COMPARE_CSV,
}


def outputs_markdown() -> str:
    """Every output file's columns as Markdown tables: column, unit, paragraph, meaning."""
    lines = []
    for name, columns in OUTPUT_FILES.items():
        lines += [
            f"### `{name}`",
            "",
            "| column | unit | paragraph | meaning |",
            "|---|---|---|---|",
        ]
        for c in columns:
            lines.append(f"| `{c.name}` | {c.field.unit} | {c.paragraph} | {c.field.description} |")
        lines.append("")
    return "\n".join(lines)

"""One source of truth for the fields of a scenario: name, unit, description, constraints.

The scenario loader validates against these specifications and the documentation (README tables,
``tariffmodel fields``) is generated from them, so the two cannot drift apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tariffmodel.licence.terms import GIVEN_TERMS

#: The years any input file may name: a year outside is a typing mistake (20266, 99999).
YEAR_MIN, YEAR_MAX = 1900, 2200

#: Upper bounds of the sizes of the inputs, far above any Omani distribution licensee's figures
#: and far below the floating-point range, so that no term of the model can overflow.
MONEY_MAX = 1e13  # [RO]
ENERGY_MAX = 1e14  # [kWh]
ACCOUNTS_MAX = 1e9  # [accounts], [meters]
DEMAND_MAX = 1e6  # [MVA]
PER_ACCOUNT_MAX = 1e6  # [RO per account]
PER_MVA_MAX = 1e9  # [RO per MVA]
SCORE_MAX = 1e6  # [score]


@dataclass(frozen=True)
class Field:
    """A field of the scenario file.

    Attributes
    ----------
    name : str
        The key (``notified``) or column (``inputs``).
    unit : str
        Unit in the brackets of the docs ([RO], [kWh], [fraction], ...).
    description : str
        What it is, in the licence's terms.
    minimum, maximum : float, optional
        Inclusive bounds of plausible values.
    strict_minimum : bool
        The minimum itself is not allowed (a target of zero, a cap of zero).
    fraction : bool
        A rate or share: a value of 1 or more (or -1 or less) looks like a percent.
    percent_limit : float
        For ``fraction`` fields, the size from which a value is taken for a percent.
    """

    name: str
    unit: str
    description: str
    minimum: float | None = None
    maximum: float | None = None
    strict_minimum: bool = False
    fraction: bool = False
    percent_limit: float = 1.0
    integer: bool = False

    def check(self, value: float) -> str | None:
        """The rule ``value`` breaks, or None."""
        if not math.isfinite(value):
            return f"{self.name} must be a finite number, not {value!r}"
        if self.integer and value != int(value):
            return f"{self.name} must be a whole number, not {value!r}"
        if self.fraction and abs(value) >= self.percent_limit:
            return (
                f"{self.name} is a fraction (0.025 means 2.5 %); {value!r} looks like a percent: "
                f"write {float(f'{value / 100:.12g}')!r}"  # 0.014, not 0.013999999999999999
            )
        if self.minimum is not None:
            if self.strict_minimum and value <= self.minimum:
                return f"{self.name} must be above {self.minimum:g} [{self.unit}], not {value!r}"
            if value < self.minimum:
                return f"{self.name} must be at least {self.minimum:g} [{self.unit}], not {value!r}"
        if self.maximum is not None and value > self.maximum:
            return f"{self.name} must be at most {self.maximum:g} [{self.unit}], not {value!r}"
        return None

    def check_values(self, values, allow_missing: bool = False) -> str | None:
        """The rule the worst of ``values`` (any shape) breaks, or None.

        The bounds, the finite and the percent rules hold for every value when they hold for
        the smallest and the largest (NaN is carried by both): two passes over the values.
        With ``allow_missing``, NaN stands for a value not given (an optional column) and only
        the others are checked.

        >>> Field("CA", "accounts", "", minimum=0, strict_minimum=True).check_values([5.0, -2.0])
        'CA must be above 0 [accounts], not -2.0'
        """
        v = np.asarray(values, dtype=float)
        if allow_missing:
            v = v[~np.isnan(v)]
        if v.size == 0:
            return None
        for extreme in (float(np.min(v)), float(np.max(v))):
            rule = self.check(extreme)
            if rule:
                return rule
        if self.integer:
            off = v[v != np.round(v)]
            return self.check(float(off.flat[0])) if off.size else None
        return None


def _money(name, description, minimum=-MONEY_MAX, strict_minimum=False):
    return Field(
        name,
        "RO",
        description,
        minimum=minimum,
        maximum=MONEY_MAX,
        strict_minimum=strict_minimum,
    )


#: Columns of the year table (``inputs``).
INPUT_FIELDS: dict[str, Field] = {
    f.name: f
    for f in [
        Field(
            "year",
            "year",
            "the Relevant Year of the row",
            minimum=YEAR_MIN,
            maximum=YEAR_MAX,
            integer=True,
        ),
        Field(
            "RUD",
            "kWh",
            "Regulated Units Distributed in the year",
            minimum=0,
            strict_minimum=True,
            maximum=ENERGY_MAX,
        ),
        Field(
            "RBS",
            "kWh",
            "Regulated Bulk Supplies in the year (not below RUD)",
            minimum=0,
            strict_minimum=True,
            maximum=ENERGY_MAX,
        ),
        Field(
            "WS",
            "score",
            "the Licensee's Weighted KPI Score in the year; absent: on target",
            minimum=0,
            maximum=SCORE_MAX,
        ),
        _money("ARDR", "Actual Regulated Distribution Revenue; absent: recovery x MADR", 0),
        _money(
            "MADR",
            "Maximum Allowed Distribution Revenue of the history year (paragraph 1 divides by it)",
            0,
            strict_minimum=True,
        ),
        _money(
            "DB",
            "Distribution Business Revenue of the history year (CS_t divides by it)",
            0,
            strict_minimum=True,
        ),
        Field(
            "CPI",
            "fraction",
            "CPI_t: change of the Omani CPI over the 12 months to June of t-1",
            minimum=-0.2,
            maximum=0.5,
            fraction=True,
        ),
        Field(
            "CA",
            "accounts",
            "Customer Accounts registered",
            minimum=0,
            strict_minimum=True,
            maximum=ACCOUNTS_MAX,
        ),
        Field(
            "DNS",
            "MVA",
            "Demand Not Secured (measured in relation to t-1)",
            minimum=0,
            maximum=DEMAND_MAX,
        ),
        Field(
            "SR",
            "fraction",
            "Specified Rate i_t before any +0.03 penalty",
            minimum=0,
            maximum=0.5,
            fraction=True,
        ),
        _money("C", "connection charges due in the year"),
        _money("NPI", "Network Performance Incentive"),
        _money("FM", "force majeure recovery"),
        _money("OM", "Omanisation expenditure allowed"),
        _money("AMR", "Automated Meter Reading allowance"),
        _money("UC", "Usufruct Charges"),
        _money("LF", "Distribution Business share of the licence fee (LF_Dt)"),
        _money("CPL", "cost of purchasing network losses"),
        _money("WPRA", "within-period revenue adjustment (capex clawback)"),
        _money(
            "ARDR_connection",
            "the distribution connection revenue within ARDR_t (paragraph 12(a)(ii)), reported "
            "only; absent: taken as C_t",
            0,
        ),
        Field(
            "recovery",
            "fraction",
            "ARDR_t / MADR_t where ARDR_t is not given (default 1)",
            minimum=0,
            maximum=3,
            fraction=True,
            percent_limit=3.0,
        ),
    ]
}

#: Columns required in the history row (it may carry others, unused).
HISTORY_REQUIRED = ("year", "RUD", "RBS", "WS", "ARDR", "MADR", "DB")

#: The amounts of year t that default to zero.
AMOUNT_COLUMNS = GIVEN_TERMS  # C, NPI, FM, OM, AMR, UC, LF, CPL, WPRA

#: Columns allowed in a modelled row, and those required there.
MODELLED_REQUIRED = ("year", "RUD", "RBS", "CA", "SR")
MODELLED_ALLOWED = (
    "year",
    "RUD",
    "RBS",
    "WS",
    "ARDR",
    "CPI",
    "CA",
    "DNS",
    "SR",
    *AMOUNT_COLUMNS,
    "ARDR_connection",
    "recovery",
)

#: Columns of a modelled row that enter no term of MADR_t: reported in the statement only
#: (not targets of the engine).
REPORTED_COLUMNS = ("ARDR_connection",)

#: Notified Values (``notified``): how they are keyed.
#: ``"t"``: by year t; ``"own"``: by their own year (LOSS_t and CS_t read the t-1 entry);
#: ``"scalar"``: one number.
NOTIFIED_FIELDS: dict[str, tuple[Field, str]] = {
    f.name: (f, keyed)
    for f, keyed in [
        (Field("a", "RO", "a_t, fixed element of DB_t", minimum=0, maximum=MONEY_MAX), "t"),
        (
            Field(
                "c",
                "RO per account",
                "c_t, element of DB_t per customer account",
                minimum=0,
                maximum=PER_ACCOUNT_MAX,
            ),
            "t",
        ),
        (
            Field(
                "p",
                "RO per kWh",
                "p_t, value of losses (RO per kWh, not baisa)",
                minimum=0,
                maximum=1,
            ),
            "t",
        ),
        (
            Field(
                "X", "fraction", "X_Dt, efficiency factor", minimum=-0.2, maximum=0.5, fraction=True
            ),
            "t",
        ),
        (Field("TL", "fraction", "Target Losses", minimum=0, fraction=True), "own"),
        (
            Field("BAND", "fraction", "dead band above Target Losses", minimum=0, fraction=True),
            "own",
        ),
        (
            Field(
                "s",
                "RO per MVA",
                "s_t, value of Demand Not Secured",
                minimum=0,
                maximum=PER_MVA_MAX,
            ),
            "t",
        ),
        (
            Field(
                "r",
                "fraction",
                "r_t, customer satisfaction revenue at risk (share of DB_{t-1})",
                minimum=0,
                fraction=True,
            ),
            "t",
        ),
        (
            Field(
                "CAP",
                "fraction",
                "CAP_t, customer satisfaction cap on the score ratio",
                minimum=0,
                strict_minimum=True,
                fraction=True,
            ),
            "t",
        ),
        (
            Field(
                "TS",
                "score",
                "target KPI score",
                minimum=0,
                strict_minimum=True,
                maximum=SCORE_MAX,
            ),
            "own",
        ),
        (
            Field(
                "loss_cap_share",
                "fraction",
                "cap of LOSS_t as a share of DB_t (default 0.03)",
                minimum=0,
                fraction=True,
            ),
            "scalar",
        ),
        (
            Field(
                "k_penalty_threshold",
                "fraction",
                "over-recovery above which i_t takes the penalty (default 0.02)",
                minimum=0,
                fraction=True,
            ),
            "scalar",
        ),
        (
            Field(
                "k_penalty_rate",
                "fraction",
                "penalty added to the Specified Rate (default 0.03)",
                minimum=0,
                fraction=True,
            ),
            "scalar",
        ),
        (
            Field(
                "nsf_last_year",
                "year",
                "last year of NSF_t (default 2026, footnote 2)",
                minimum=YEAR_MIN,
                maximum=YEAR_MAX,
                integer=True,
            ),
            "scalar",
        ),
    ]
}

NOTIFIED_REQUIRED = ("a", "c", "p", "X", "TL", "BAND", "s", "r", "CAP", "TS")
NOTIFIED_DEFAULTS = {
    "loss_cap_share": 0.03,
    "k_penalty_threshold": 0.02,
    "k_penalty_rate": 0.03,
    "nsf_last_year": 2026,
}

#: Top-level keys of the scenario file.
TOP_LEVEL_KEYS = {
    "name": "a title for reports (required)",
    "licensee": "e.g. NEDC",
    "years": "the modelled Relevant Years, consecutive and ascending (required)",
    "first_relevant_year": "the licence's First Relevant Year (default 2023)",
    "interpretation": "the readings R1-R8 (see READINGS)",
    "notified": "the Authority's Notified Values (required)",
    "call_centre": "KPIs, allowance and actuals for CC_t (absent: CC_t = 0)",
    "inputs": "the year table: a list of rows or the path of a CSV file (required)",
    "description": "free text for reports",
    "cpi_series": "{groups: CSV, weights: CSV}: fill CPI_t from the Omani CPI basket (reading R5)",
    "deposit_rates": "CSV of monthly deposit rates: fill SR (the Specified Rate) by year",
    "amr": "AMR plan file: AMR_t of the cap comes from it",
    "amr_loss_reduction": "true: apply the AMR plan's loss reduction to RBS (default false)",
    "wpra": "capex verification file: WPRA_t of the cap comes from it",
    "licence_fee": "Condition 13 inputs (estimated_costs, share, actual_costs, actual_share, "
    "distribution_share): LF_Dt of the cap is computed from them",
    "cpi_forecasts": "the modelled years whose CPI_t is a forecast agreed with the Authority, "
    "the index not yet published (paragraph 1a), e.g. [2028, 2029]; shown in the statement",
}

#: Keys of ``licence_fee`` (Condition 13): unit, and the years each is needed for, relative to
#: the modelled years ("h..T": history year to last year; "h..T-1": history year to the one
#: before the last; "t": every modelled year).
LICENCE_FEE_KEYS = {
    "estimated_costs": ("RO", "h..T", "the Authority's estimated costs of year t"),
    "share": ("fraction", "h..T", "the proportion of them apportioned to the Licensee"),
    "actual_costs": ("RO", "h..T-1", "the Authority's actual total costs of the year"),
    "actual_share": ("fraction", "h..T-1", "the proportion actually attributable to the Licensee"),
    "distribution_share": ("fraction", "t", "the Distribution Business share of the fee"),
}
TOP_LEVEL_REQUIRED = ("name", "years", "notified", "inputs")


def markdown_tables() -> str:
    """The field tables in Markdown, for the documentation."""
    lines = ["### `inputs` columns", "", "| column | unit | meaning | rule |", "|---|---|---|---|"]
    for f in INPUT_FIELDS.values():
        lines.append(f"| `{f.name}` | {f.unit} | {f.description} | {_rule(f)} |")
    lines += [
        "",
        "### `notified` keys",
        "",
        "| key | unit | meaning | keyed by | rule |",
        "|---|---|---|---|---|",
    ]
    keyed_words = {"t": "year t", "own": "own year (read at t-1)", "scalar": "one number"}
    for f, keyed in NOTIFIED_FIELDS.values():
        lines.append(
            f"| `{f.name}` | {f.unit} | {f.description} | {keyed_words[keyed]} | {_rule(f)} |"
        )
    return "\n".join(lines) + "\n"


def _rule(f: Field) -> str:
    parts = []
    if f.minimum is not None:
        parts.append(f"{'>' if f.strict_minimum else '>='} {f.minimum:g}")
    if f.maximum is not None:
        parts.append(f"<= {f.maximum:g}")
    if f.fraction:
        parts.append(f"|v| < {f.percent_limit:g} (else taken for a percent)")
    if f.integer:
        parts.append("whole number")
    return ", ".join(parts)

"""The terms of MADR_t and the tests of paragraphs 3-5: one table each, used everywhere.

Paragraph 1 of Schedule 2 writes the cap as

    MADR_t = C_t + DB_t + LOSS_t + NSF_t + CS_t + NPI_t + FM_t + OM_t + AMR_t + UC_t + CC_t
             + LF_Dt + CPL_t + WPRA_t - K_Dt

:data:`TERMS` lists those terms in that order with their sign, the licence's symbol, plain words
for people who do not read licence symbols, and the paragraph that defines them. The engine sums
them, reports and workbooks label them, the dashboards draw them and the schema of the year table
takes the ones given as inputs from here.

:data:`TESTS` holds what paragraphs 3, 4 and 5 test and what follows when a test holds, with the
thresholds (3 %, 4 %, 90 %) that the formulas of :mod:`tariffmodel.licence.schedule2` use.

>>> " + ".join(s for s, sign in MADR_TERMS.items() if sign > 0)[:24]
'C + DB + LOSS + NSF + CS'
>>> [s for s, sign in MADR_TERMS.items() if sign < 0]
['K']
>>> TESTS["para3"].threshold
0.03
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """A term of MADR_t.

    Attributes
    ----------
    symbol : str
        The column of madr.csv (``LF`` for LF_Dt, ``K`` for K_Dt).
    licence : str
        As the licence writes it.
    words : str
        Plain words, for decision makers.
    paragraph : str
        Where Schedule 2 defines it.
    sign : int
        +1, or -1 for K_Dt, which the cap subtracts.
    given : bool
        An amount given in the year table (Notified or forecast) rather than computed.
    """

    symbol: str
    licence: str
    words: str
    paragraph: str
    sign: int = 1
    given: bool = False


#: The terms of MADR_t in the order of paragraph 1.
TERMS: tuple[Term, ...] = (
    Term("C", "C_t", "connection charges", "1", given=True),
    Term("DB", "DB_t", "distribution business revenue", "1a"),
    Term("LOSS", "LOSS_t", "loss incentive", "1b"),
    Term("NSF", "NSF_t", "network security factor", "1c"),
    Term("CS", "CS_t", "customer satisfaction incentive", "1d"),
    Term("NPI", "NPI_t", "network performance incentive", "1", given=True),
    Term("FM", "FM_t", "force majeure recovery", "1", given=True),
    Term("OM", "OM_t", "Omanisation initiative", "1", given=True),
    Term("AMR", "AMR_t", "smart metering (AMR) expenditure", "1", given=True),
    Term("UC", "UC_t", "usufruct charges", "1", given=True),
    Term("CC", "CC_t", "call centre incentive", "1e"),
    Term("LF", "LF_Dt", "licence fee (distribution share)", "1, Condition 13", given=True),
    Term("CPL", "CPL_t", "cost of purchasing network losses", "1", given=True),
    Term(
        "WPRA",
        "WPRA_t",
        "within-period revenue adjustment (unverified capex)",
        "1, footnote 3",
        given=True,
    ),
    Term("K", "K_Dt", "correction factor for past over- or under-recovery", "1", sign=-1),
)

#: Every term that enters MADR_t, with its sign, in the order of paragraph 1.
MADR_TERMS: dict[str, int] = {t.symbol: t.sign for t in TERMS}

#: The terms given as amounts in the year table [RO], in the order of paragraph 1.
GIVEN_TERMS: tuple[str, ...] = tuple(t.symbol for t in TERMS if t.given)

#: Term symbol -> its entry of :data:`TERMS`.
BY_SYMBOL: dict[str, Term] = {t.symbol: t for t in TERMS}


@dataclass(frozen=True)
class ComplianceTest:
    """What a paragraph of 3-5 tests, in symbols and in words, and what follows when it holds.

    The texts are templates: ``{t}`` is the year tested, ``{prev}`` the year before, ``{next}``
    the year after.
    """

    paragraph: int
    threshold: float
    test: str  # in licence symbols
    held: str  # plain words, the test holds
    not_held: str  # plain words, it does not
    consequence: str  # plain words: what the licence then allows or requires


#: The tests of paragraphs 3, 4 and 5, keyed by the flag column of madr.csv.
TESTS: dict[str, ComplianceTest] = {
    "para3": ComplianceTest(
        3,
        0.03,
        "ARDR_{t} more than 3 % above MADR_{t}",
        "revenue is more than 3 % above the cap",
        "revenue is not more than 3 % above the cap",
        "NEDC must explain to the Authority, and may not raise charges in {next} unless it "
        "shows they will not exceed the {next} cap",
    ),
    "para4": ComplianceTest(
        4,
        0.04,
        "excess of ARDR over MADR in {prev} and {t} more than 4 % of MADR_{t}",
        "the over-recovery of {prev} and {t} together is more than 4 % of the {t} cap",
        "the over-recovery of {prev} and {t} together is within 4 % of the cap",
        "the Authority may require charges to be cut in {next}",
    ),
    "para5": ComplianceTest(
        5,
        0.9,
        "ARDR below 90 % of MADR in {prev} and {t}",
        "revenue was below 90 % of the cap in both {prev} and {t}",
        "revenue was not below 90 % of the cap in both {prev} and {t}",
        "the Authority may put a higher figure for {t} revenue, up to 0.9 x MADR_{t}, into the "
        "{next} correction K",
    ),
}

#: The flag columns of madr.csv, paragraphs 3, 4, 5.
FLAG_COLUMNS: tuple[str, ...] = tuple(TESTS)


@dataclass(frozen=True)
class Formula:
    """How the licence writes one quantity of MADR_t, and the same formula to evaluate.

    Attributes
    ----------
    symbol : str
        The quantity as the licence writes it (``BL_t``, ``AL_{t-1}``).
    words : str
        Plain words.
    paragraph : str
        Where Schedule 2 (or the Condition named) defines it.
    unit : str
        ``RO``, ``fraction``, ``0/1``, ...
    licence : str
        The formula as the licence writes it (cases and notation of the licence).
    expression : str
        The formula as the engine evaluates it, over the names of the engine's columns
        (``tariffmodel.model.engine``) and the inputs they read: ``+ - * /``, ``min``, ``max``,
        comparisons (beyond the edge tolerance of ``licence.schedule2``) and ``x if cond else
        y``. Empty for a value the licence defines in words and a linked file supplies.
    readings : tuple of str
        The switches of ``licence.schedule2.READINGS`` that decide it.
    summand : str
        For a sum over the call-centre KPIs: the term of KPI i (names ending ``_i``); the
        expression names the sum ``SUM``.
    """

    symbol: str
    words: str
    paragraph: str
    unit: str
    licence: str
    expression: str = ""
    readings: tuple[str, ...] = ()
    summand: str = ""


def _madr_expression() -> str:
    text = ""
    for t in TERMS:
        text += (" - " if t.sign < 0 else " + ") + t.symbol if text else t.symbol
    return text


_P5 = TESTS["para5"].threshold

#: The licence's definitions of the terms of MADR_t given as amounts (paragraph 1 and its
#: footnote 3), in the words of the licence.
_GIVEN_DEFINITIONS = {
    "C": "amounts due (measured on an accruals basis) in respect of charges for the Connection to "
    "a Distribution System or Transmission System in Relevant Year t",
    "NPI": "the Network Performance Incentive mechanism in Relevant Year t",
    "FM": "the amount determined by the Authority for the recovery in Relevant Year t of "
    "expenditure arising from force majeure events",
    "OM": "the amount of expenditure allowed for the Omanisation initiative in the Relevant Year t",
    "AMR": "the amount approved for recovery by the Authority in Relevant Year t for the allowed "
    "expenditure related to Automated Meter Reading",
    "UC": "Usufruct Charges approved in Relevant Year t",
    "LF": "the Distribution Business share of the License fee payable pursuant to Condition 13 in "
    "Relevant Year t",
    "CPL": "cost of purchasing network losses in Relevant Year t",
    "WPRA": "within-period revenue adjustment to address capital expenditure outturns that cannot "
    "be fully verified due to insufficient supporting evidence",
}

#: The readings that decide a given term when a linked input computes it (LF_Dt from the
#: licence_fee block, by Condition 13).
_GIVEN_READINGS = {"LF": ("licence_fee_true_up",)}

#: The formulas of MADR_t and of every quantity it is built from, keyed by the engine's column
#: (a key with ``:`` names one case of a quantity). ``tariffmodel explain`` prints them with
#: the scenario's numbers in.
FORMULAS: dict[str, Formula] = {
    **{
        t.symbol: Formula(
            t.licence,
            t.words,
            t.paragraph,
            "RO",
            f"{t.licence} means {_GIVEN_DEFINITIONS[t.symbol]}",
            readings=_GIVEN_READINGS.get(t.symbol, ()),
        )
        for t in TERMS
        if t.given
    },
    "MADR": Formula(
        "MADR_t",
        "Maximum Allowed Distribution Revenue",
        "1",
        "RO",
        "MADR_t = C_t + DB_t + LOSS_t + NSF_t + CS_t + NPI_t + FM_t + OM_t + AMR_t + UC_t + CC_t "
        "+ LF_Dt + CPL_t + WPRA_t - K_Dt",
        _madr_expression(),
    ),
    "DB": Formula(
        "DB_t",
        "distribution business revenue",
        "1a",
        "RO",
        "DB_t = a_t + (c_t × CA_t)",
        "a + c * CA",
    ),
    "a": Formula(
        "a_t",
        "fixed element of DB_t, indexed",
        "1a",
        "RO",
        "a_t = (a_{t-1}) × (1 + CPI_t - X_Dt) in Relevant Years after the Notified Value",
        "a_prev * (1 + CPI - X)",
    ),
    "c": Formula(
        "c_t",
        "element of DB_t per customer account, indexed",
        "1a",
        "RO per account",
        "c_t = (c_{t-1}) × (1 + CPI_t - X_Dt) in Relevant Years after the Notified Value",
        "c_prev * (1 + CPI - X)",
    ),
    "p": Formula(
        "p_t",
        "value of losses, indexed",
        "1b",
        "RO per kWh",
        "p_t = (p_{t-1}) × (1 + CPI_t) in Relevant Years after the Notified Value",
        "p_prev * (1 + CPI)",
    ),
    "CPI": Formula(
        "CPI_t",
        "change of the Omani Consumer Price Index",
        "1a",
        "fraction",
        "CPI_t is the percentage change in the Omani Consumer Price Index in the twelve month "
        "period ending on 30th June in the previous Relevant Year",
        readings=("cpi_basis",),
    ),
    "LOSS": Formula(
        "LOSS_t",
        "loss incentive",
        "1b",
        "RO",
        "LOSS_t = max(min(BL_t, Cap_t), -Cap_t)",
        "max(min(BL, loss_cap), -loss_cap)",
    ),
    "BL": Formula(
        "BL_t",
        "base loss incentive, before the cap",
        "1b",
        "RO",
        "Base Loss (BL_t) = RUD_{t-1} × p_t × LD_t",
        "RUD_prev * p * LD",
    ),
    "loss_cap": Formula(
        "Cap_t", "cap of the loss incentive", "1b", "RO", "Cap_t = 3% × DB_t", "loss_cap_share * DB"
    ),
    "LD": Formula(
        "LD_t",
        "loss difference, target minus actual",
        "1b",
        "fraction",
        "LD_t = (TL_{t-1} - AL_{t-1}) × D_t",
        "(TL - AL) * D",
    ),
    "AL": Formula(
        "AL_{t-1}",
        "Actual Losses of year t-1",
        "1b",
        "fraction",
        "AL_{t-1} = 1 - RUD_{t-1} / RBS_{t-1}",
        "1 - RUD_prev / RBS_prev",
    ),
    "D:first": Formula(
        "D_t",
        "dead-band factor (First Relevant Year)",
        "1b",
        "0/1",
        "In the First Relevant Year D_t = 1 if AL_{t-1} < TL_{t-1} or AL_{t-1} > TL_{t-1} + "
        "BAND_{t-1}; otherwise D_t = 0",
        "1 if AL < TL or AL > TL + BAND else 0",
        ("loss_deadband",),
    ),
    "D:later": Formula(
        "D_t",
        "dead-band factor (subsequent Relevant Years, as drafted)",
        "1b",
        "0/1",
        "In subsequent Relevant Years D_t = 1 if AL_{t-1} < TL_{t-1} + BAND_{t-1} or AL_{t-1} > "
        "TL_{t-1} + BAND_{t-1}; otherwise D_t = 0",
        "1 if AL < TL + BAND or AL > TL + BAND else 0",
        ("loss_deadband",),
    ),
    "D:every_year": Formula(
        "D_t",
        "dead-band factor (the First Relevant Year's rule in every year)",
        "1b",
        "0/1",
        "D_t = 1 if AL_{t-1} < TL_{t-1} or AL_{t-1} > TL_{t-1} + BAND_{t-1}; otherwise D_t = 0 "
        "(the licence writes this for the First Relevant Year)",
        "1 if AL < TL or AL > TL + BAND else 0",
        ("loss_deadband",),
    ),
    "NSF": Formula(
        "NSF_t", "network security factor", "1c", "RO", "NSF_t = DNS_t × s_t", "DNS * s"
    ),
    "NSF:removed": Formula(
        "NSF_t",
        "network security factor (removed)",
        "1c, footnote 2",
        "RO",
        "The term will be removed after 2026 when the financial impact of the term from t-1 has "
        "been reflected: NSF_t = 0",
        "0",
    ),
    "CS": Formula(
        "CS_t",
        "customer satisfaction incentive",
        "1d",
        "RO",
        "CS_t = (KS_t - 1) × r_t × DB_{t-1} × (1 / CAP_t)",
        "(KS - 1) * r * DB_prev / CAP",
    ),
    "KS": Formula(
        "KS_t",
        "KPI score ratio, clamped",
        "1d",
        "ratio",
        "KS_t = 1 + CAP_t if WS_{t-1} / TS_{t-1} ≥ 1 + CAP_t; KS_t = 1 - CAP_t if WS_{t-1} / "
        "TS_{t-1} ≤ 1 - CAP_t; KS_t = WS_{t-1} / TS_{t-1} in between",
        "min(max(WS_prev / TS_prev, 1 - CAP), 1 + CAP)",
    ),
    "CC:penalty_only:total": Formula(
        "CC_t",
        "call centre incentive (penalty only, the total capped at the allowance)",
        "1e",
        "RO",
        "CC_t = Σ_i max(0, Deviation_i × W_i × CallCenterAllowance_t); if Deviation_i ≥ 0 the "
        "KPI attracts no reward (penalty only); the allowance represents the cap",
        "max(SUM, -CC_allowance)",
        ("call_centre", "call_centre_cap"),
        "min(0, Deviation_i * W_i * CC_allowance)",
    ),
    "CC:penalty_only:per_kpi": Formula(
        "CC_t",
        "call centre incentive (penalty only, each KPI's penalty capped at its weight times the "
        "allowance)",
        "1e",
        "RO",
        "CC_t = Σ_i max(0, Deviation_i × W_i × CallCenterAllowance_t); if Deviation_i ≥ 0 the "
        "KPI attracts no reward (penalty only); the allowance represents the cap",
        "SUM",
        ("call_centre", "call_centre_cap"),
        "max(min(0, Deviation_i * W_i * CC_allowance), -W_i * CC_allowance)",
    ),
    "CC:as_drafted": Formula(
        "CC_t",
        "call centre incentive (as drafted)",
        "1e",
        "RO",
        "CC_t = Σ_i max(0, Deviation_i × W_i × CallCenterAllowance_t); if Deviation_i ≥ 0 the "
        "KPI is set to zero in the formula",
        "SUM",
        ("call_centre",),
        "max(0, 0 if Deviation_i >= 0 else Deviation_i * W_i * CC_allowance)",
    ),
    "Deviation:higher": Formula(
        "Deviation_i",
        "deviation of a KPI from its target (more is better)",
        "1e",
        "fraction",
        "Deviation_i = (A_i - T_i) / T_i",
        "(A_i - T_i) / T_i",
        ("call_centre",),
    ),
    "Deviation:lower": Formula(
        "Deviation_i",
        "deviation of a KPI from its target (less is better: sign turned, so that a shortfall "
        "is negative)",
        "1e",
        "fraction",
        "Deviation_i = (A_i - T_i) / T_i, taken as (T_i - A_i) / T_i for a KPI where less is "
        "better",
        "(T_i - A_i) / T_i",
        ("call_centre", "call_centre_cap"),
    ),
    "SR": Formula(
        "SR_t",
        "Specified Rate",
        "1 (K_Dt), definition of Specified Rate",
        "fraction",
        "the average of the Weighted Average Interest Rates on Deposits (Total Deposits All "
        "Sectors: Rial Omani) published in the Monthly Statistical Bulletin of the Central Bank "
        "of Oman during Relevant Year t-1",
        readings=("specified_rate_months",),
    ),
    "i": Formula(
        "i_t",
        "interest rate of the correction",
        "1 (K_Dt)",
        "fraction",
        "i_t means the Specified Rate save that when ARDR_{t-1} exceeds MADR_{t-1} by more than "
        "2 per cent, the Specified Rate plus 3 (points; rates here are fractions)",
        "SR + k_penalty_rate if ARDR_prev > (1 + k_penalty_threshold) * MADR_prev else SR",
    ),
    "K": Formula(
        "K_Dt",
        "correction factor for past over- or under-recovery",
        "1",
        "RO",
        "K_Dt = (ARDR_{t-1} - MADR_{t-1}) × (1 + (i_t / 100)) (i_t in percent; here a fraction)",
        "(ARDR_in_K - MADR_prev) * (1 + i)",
    ),
    "ARDR_in_K:none": Formula(
        "ARDR_{t-1}",
        "the revenue of t-1 used in K_Dt (nothing substituted under paragraph 5)",
        "1, 5",
        "RO",
        "ARDR_{t-1} as reported",
        "ARDR_prev",
        ("para5_substitution",),
    ),
    "ARDR_in_K:cap_at_90pct": Formula(
        "ARDR_{t-1}",
        "the revenue of t-1 used in K_Dt (paragraph 5 substitution)",
        "5",
        "RO",
        "If in 2 successive Relevant Years ARDR is less than 90 per cent of MADR, there should "
        "be substituted for ARDR_{t-1} such figure as the Authority may specify, not less than "
        f"ARDR_{{t-1}} and not more than {_P5:g} × MADR_{{t-1}}",
        f"max(ARDR_prev, {_P5!r} * MADR_prev) if para5_prev else ARDR_prev",
        ("para5_substitution",),
    ),
    "ARDR_prev:recovery": Formula(
        "ARDR_{t-1}",
        "revenue of t-1 not reported: the scenario's recovery share of MADR_{t-1}",
        "1 (K_Dt); the model's assumption",
        "RO",
        "ARDR_{t-1} not given: recovery_{t-1} × MADR_{t-1} (recovery 1 by default: revenue "
        "recovered exactly)",
        "recovery_prev * MADR_prev",
    ),
}

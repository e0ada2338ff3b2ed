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

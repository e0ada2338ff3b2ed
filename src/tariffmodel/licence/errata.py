"""The errata register: places where the licence's own text is off, and the reading the model takes.

Schedule 2 (modified 1 January 2026) was renumbered without its cross-references: most point
three paragraphs on (the statement of paragraph 10 is sent to "paragraph 15", the specified
items of paragraph 12 to the statements of "paragraph 13"). Each entry says where the text is,
what it says, and what the model reads it as; none of them moves a number, but a reviewer who
follows a reference of the licence lands on the wrong paragraph without them.
``tariffmodel readings --list`` prints this register with the readings R1-R8, and docs/readings.md
lists it. Data only.
"""

from __future__ import annotations

from typing import NamedTuple


class Erratum(NamedTuple):
    """One place where the licence's text is off."""

    where: str  # the paragraph or definition that holds the text
    says: str  # what the text says
    reading: str  # what the model takes it to mean


#: Every erratum found in Schedule 2, its Definitions and Condition 13, in the order of the text.
ERRATA: tuple[Erratum, ...] = (
    Erratum(
        "Schedule 2, paragraph 1, definition of CC_t",
        'CC_t is "calculated according to the formula in paragraph 1d below"',
        "paragraph 1e (1d is CS_t, the Customer Satisfaction Incentive)",
    ),
    Erratum(
        "Schedule 2, paragraph 1a and 1b, the rule for CPI_t when the index is unavailable",
        'a forecast of CPI_t is used "when complying with the requirements of paragraphs 12 and '
        '13"',
        "paragraphs 9 and 10 (the statement at the start of year t and the statement of the "
        "specified items after its end; 12 and 13 are the old numbers, three on), and the "
        "forecasts of paragraphs 6 and 7; the scenario's cpi_forecasts lists such years",
    ),
    Erratum(
        "Schedule 2, paragraph 1b, BL_t and LOSS_t",
        'BL_t and LOSS_t are defined "for Regulatory Year t"',
        "Relevant Year t (the licence defines no Regulatory Year)",
    ),
    Erratum(
        "Schedule 2, paragraph 1 and the Definitions",
        'MADR and ARDR are also called "Maximum Allowed Distribution Business Revenue" and "Actual '
        'Regulated Distribution Business Revenue"',
        "the same quantities, MADR_t and ARDR_t",
    ),
    Erratum(
        "Schedule 2: the paragraph numbers",
        "the paragraphs run 1 (with 1a-1e), then 3: there is no paragraph 2",
        "the paragraphs are cited by the numbers printed (3, 4, 5, ...)",
    ),
    Erratum(
        "Schedule 2, paragraph 7",
        'the forecast is due when the Licensee "has not made any such change in its charges as '
        'referred to in paragraphs 5 or 8"',
        "paragraph 6 (the change in charges; 5 is the substitution in K_Dt, 8 the assumptions "
        "of a forecast)",
    ),
    Erratum(
        "Schedule 2, paragraph 8",
        'the assumptions accompany "any forecast or estimate provided in accordance with '
        'paragraphs 9 or 10"',
        "paragraphs 6 or 7 (the forecasts and estimates; 9 and 10 are the statements)",
    ),
    Erratum(
        "Schedule 2, paragraph 9",
        'items (a) and (b) end "; and" but there is no item (c)',
        "the statement of paragraph 9 holds items (a) and (b) only",
    ),
    Erratum(
        "Schedule 2, paragraph 10",
        'the statement shows "the specified items referred to in paragraph 15"',
        "paragraph 12 (the specified items; 15 is the disapplication notice)",
    ),
    Erratum(
        "Schedule 2, paragraph 11",
        "the auditors' report and the director's certificate refer to \"the specified items "
        'referred to in paragraph 15" and the calculations "under paragraph 15"',
        "paragraph 12",
    ),
    Erratum(
        "Schedule 2, paragraph 12",
        'the specified items are those "shown in the statements referred to in paragraph 13"',
        "paragraph 10 (the statement after the end of year t; 13 is the duration of the "
        "conditions)",
    ),
    Erratum(
        "Schedule 2, paragraph 12(m)",
        'item (m) is empty ("(m) ; and")',
        "no item (m): the statement shows (a)-(l) and what directions add under (n)",
    ),
    Erratum(
        'Schedule 2, Definitions, "Distribution Business Services"',
        'the Licensed Activities "listed in Paragraph 4(a), 4(c), 4(d) and 4(e) of Part 1"',
        "Part I, paragraph 4 lists (a)-(d) only: the activities of 4(a), 4(c) and 4(d)",
    ),
    Erratum(
        'Schedule 2, Definitions, "Omani Consumer Price Index"',
        'w_i = weight_i / (the sum of weight_i for i = 1 to 12), "where i = 1 - 3, 5 - 12"',
        "the sum runs over the basket, groups 1-3 and 5-12, so that the eleven weights sum to "
        "one (a sum over 1-12 would keep group 4's weight in the denominator)",
    ),
    Erratum(
        'Schedule 2, Definitions, "Monthly Statistical Bulletin" and "Specified Rate"',
        "the Monthly Statistical Bulletin is defined as that of the National Centre for "
        'Statistics and Information, yet the Specified Rate cites "the Monthly Statistical '
        'Bulletin of the Central Bank of Oman"',
        "the CPI from NCSI's Bulletin, the deposit rates from the Central Bank of Oman's "
        "Monthly Statistical Bulletin (reading R6 for its months)",
    ),
    Erratum(
        "Schedule 2, Definitions, paragraph 2",
        'words "not defined in paragraphs 1 and 2 above" take their meaning from Part I',
        "not defined in the Definitions of Schedule 2 (they are not numbered as paragraph 1)",
    ),
    Erratum(
        "Condition 13, paragraph 2, against Schedule 2's Definitions",
        'Condition 13 counts fees from "the year beginning on 1st June 2023" and calls 1 June to '
        "31 December 2023 the First Relevant Year; Schedule 2 defines the First Relevant Year "
        "from 1 January 2023 and a Relevant Year as 12 calendar months from 1 January",
        "the fee years are Relevant Years (calendar years), the first one cut short to start on "
        "1 June 2023; LF_Dt of Relevant Year t is the share of the fee of calendar year t "
        "(reading R7)",
    ),
)

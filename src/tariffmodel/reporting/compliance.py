"""The tests of paragraphs 3-5 in plain words, for statements, review reports and dashboards.

The words and thresholds come from :data:`tariffmodel.licence.terms.TESTS`; this module only
puts a year's numbers into them.
"""

from __future__ import annotations

import pandas as pd

from tariffmodel.licence.terms import TESTS


def _words(text: str, t: int) -> str:
    return text.format(t=t, prev=t - 1, next=t + 1)


def test_sentence(flag: str, t: int, held: bool, ardr=None, madr=None) -> str:
    """One test of year ``t`` in plain words, with what follows when it holds.

    >>> test_sentence("para4", 2028, True)
    '2028: the over-recovery of 2027 and 2028 together is more than 4 % of the 2028 cap (paragraph 4): the Authority may require charges to be cut in 2029.'
    """
    test = TESTS[flag]
    text = _words(test.held if held else test.not_held, t)
    if flag == "para3" and ardr is not None and madr is not None:
        # the ratio says how far from the 3 % line the year is
        text = f"revenue is {100.0 * ardr / madr:.1f} % of the cap, " + (
            "more than 3 % above it" if held else "not more than 3 % above it"
        )
    if held:
        return f"{t}: {text} (paragraph {test.paragraph}): {_words(test.consequence, t)}."
    return f"{t}: {text}."


def compliance_sentences(frame: pd.DataFrame) -> list[tuple[int, str, bool]]:
    """The tests of paragraphs 3-5 of each year, in plain words.

    Parameters
    ----------
    frame : DataFrame
        madr.csv-like: ``year``, ``MADR``, ``ARDR``, ``para3``, ``para4``, ``para5``.

    Returns
    -------
    list of (year, sentence, triggered)

    Examples
    --------
    >>> f = pd.DataFrame({"year": [2026], "MADR": [100.0], "ARDR": [104.0],
    ...                   "para3": [True], "para4": [False], "para5": [False]})
    >>> [s for _, s, hit in compliance_sentences(f) if hit]  # doctest: +ELLIPSIS
    ['2026: revenue is 104.0 % of the cap, more than 3 % above it (paragraph 3)...']
    """
    out = []
    for row in frame.to_dict("records"):
        t = int(row["year"])
        for flag in TESTS:
            held = bool(row[flag])
            out.append((t, test_sentence(flag, t, held, row["ARDR"], row["MADR"]), held))
    return out

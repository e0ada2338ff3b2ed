"""Explaining every number: the time to build the explanation of every year of a scenario and
to write it as text, Markdown and JSON, and its size.

Target (set here, the issue names none): the whole explanation of a 4-year scenario in well
under a second, so that the command answers at once and the review notebook pays nothing for it.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_of, report  # noqa: E402

import tariffmodel as tm  # noqa: E402
from tariffmodel.analysis.explain import agrees  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "data" / "scenarios" / "nedc-base.yaml"


def main() -> None:
    sc = tm.load_scenario(SCENARIO)
    expl = tm.explain(sc)
    t_build = best_of(lambda: tm.explain(sc), repeat=10)
    report("explain(): every year of nedc-base (4 years)", t_build * 1e3, "ms", "< 1000 ms")
    t_one = best_of(lambda: tm.explain(sc, year=2027, term="LOSS"), repeat=10)
    report("explain(): one term of one year (LOSS_2027)", t_one * 1e3, "ms")
    for fmt in ("text", "md", "json"):
        t = best_of(lambda fmt=fmt: tm.render_explanation(expl, fmt), repeat=10)
        size = len(tm.render_explanation(expl, fmt).encode())
        report(f"render_explanation(): {fmt}", t * 1e3, "ms")
        report(f"  size of the {fmt} output", size / 1e3, "kB")
    steps = [s for _, s in expl.steps()]
    report("numbers shown (4 years)", len(steps), "steps")
    report("formulas with numbers substituted (4 years)", sum(bool(s.substituted) for s in steps),
           "formulas")  # fmt: skip
    t_check = best_of(lambda: all(agrees(s) for s in steps if s.substituted), repeat=5)
    report("evaluating every printed substitution", t_check * 1e3, "ms")


if __name__ == "__main__":
    main()

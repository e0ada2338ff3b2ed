"""Fill the months nothing was published for, so the default series reproduce every published
figure: the deposit rates (data/rates/deposit-rates.csv) and the Sultanate CPI group indices
(data/cpi/sultanate-cpi-groups.csv).

    python scripts/fill_series.py rates   # rewrite the estimate and illustrative months
    python scripts/fill_series.py cpi     # refit the group indices

Deposit rates: the `reported` and `published` rows of the file are kept as they are; every month
between two of them is their straight-line interpolation (`estimate`); the months after the last
reported one run in straight lines through the illustrative points of ILLUSTRATIVE_RATES.

CPI: the log index of each of the 12 groups, every month of FIT_START..FIT_END, is chosen to
change as smoothly as possible (least sum of squared second differences, month on month) while
reproducing exactly (as written) every figure of
data/cpi/sultanate-cpi-published.csv (group and all-items year-on-year changes, the all-items
level, averages over months), the all-items index being the weighted mean of the 12 groups with
the weights of data/cpi/sultanate-cpi-weights.csv (a Laspeyres index on the base-2018 basket).
After FIT_END every group grows at the illustrative all-items rate of ILLUSTRATIVE_CPI.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tariffmodel.inputs.csvio import read_csv  # noqa: E402
from tariffmodel.inputs.series import load_cpi_weights  # noqa: E402

RATES = ROOT / "data" / "rates" / "deposit-rates.csv"
GROUPS = ROOT / "data" / "cpi" / "sultanate-cpi-groups.csv"
WEIGHTS = ROOT / "data" / "cpi" / "sultanate-cpi-weights.csv"
PUBLISHED = ROOT / "data" / "cpi" / "sultanate-cpi-published.csv"

#: Illustrative deposit rates [fraction] after the last reported month (straight lines between).
ILLUSTRATIVE_RATES = {"2026-12": 0.02450, "2027-12": 0.02400, "2028-12": 0.02400}
RATES_END = "2028-12"

FIT_START, FIT_END, CPI_END = "2020-06", "2025-09", "2029-06"
#: Illustrative all-items growth after FIT_END [fraction a year], from the month named.
ILLUSTRATIVE_CPI = {"2025-10": 0.010, "2026-07": 0.012, "2027-07": 0.015}

TOOL = "tariffmodel (scripts/fill_series.py)"


def _write(path: Path, header: str, frame: pd.DataFrame) -> None:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    path.write_text(header + buf.getvalue(), encoding="utf-8")


def _header(path: Path) -> str:
    """The comment lines at the top of a file, kept as they are."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(ln for ln in lines if ln.startswith("#"))


# ------------------------------------------------------------------------------- rates


def fill_rates() -> None:
    table = read_csv(RATES)
    cited = [r for r in table.records if r["status"] in ("published", "reported")]
    frame = pd.DataFrame(cited)
    frame["rate"] = frame["rate"].astype(float)
    months = pd.PeriodIndex(frame["month"], freq="M")
    known = pd.Series(frame["rate"].to_numpy(), index=months).sort_index()
    span = known[known.index >= pd.Period("2021-01", "M")]
    last = span.index.max()
    points = pd.concat(
        [
            span,
            pd.Series(ILLUSTRATIVE_RATES).set_axis(
                pd.PeriodIndex(list(ILLUSTRATIVE_RATES), freq="M")
            ),
        ]
    )
    every = pd.period_range(span.index.min(), RATES_END, freq="M")
    ords = every.asi8
    filled = np.interp(ords, points.index.asi8, points.to_numpy())
    rows = [r for r in cited if pd.Period(r["month"], "M") < span.index.min()]
    by_month = {r["month"]: r for r in cited}
    for m, value in zip(every, filled, strict=True):
        key = str(m)
        if key in by_month:
            rows.append(by_month[key])
            continue
        before = span.index[span.index < m].max()
        after = span.index[span.index > m].min() if m < last else None
        if after is not None:
            status, doc = (
                "estimate",
                f"straight line between the reported months {before} and {after}",
            )
        else:
            nxt = min(p for p in ILLUSTRATIVE_RATES if pd.Period(p, "M") >= m)
            status, doc = (
                "illustrative",
                f"after the last reported month {last}: straight line towards the illustrative "
                f"point {nxt} ({ILLUSTRATIVE_RATES[nxt]:.3%})",
            )
        rows.append(
            {
                "month": key,
                "rate": f"{value:.5f}",
                "status": status,
                "publisher": TOOL,
                "document": doc,
                "date": "",
                "url": "",
                "note": "",
            }
        )
    out = pd.DataFrame(rows, columns=list(table.header))
    _write(RATES, _header(RATES), out)


# ------------------------------------------------------------------------------- CPI


def _published() -> pd.DataFrame:
    frame = read_csv(PUBLISHED).frame()
    frame["decimals"] = frame["value"].map(lambda v: len(v.split(".")[1]) if "." in v else 0)
    frame["x"] = frame["value"].astype(float)
    return frame


def fit_cpi() -> None:
    weights = load_cpi_weights(WEIGHTS)
    w = weights.reindex(range(1, 13)).to_numpy(float)
    w = w / w.sum()
    months = pd.period_range(FIT_START, FIT_END, freq="M")
    pos = {m: i for i, m in enumerate(months)}
    G, M = 12, len(months)
    n = G * M

    def ix(g: int, m: pd.Period) -> int:
        return (g - 1) * M + pos[m]

    pub = _published()
    lin_rows, lin_target = [], []  # linear in the log levels [percent of log change]
    nl = []  # (A months, B months, target, kind): all-items figures
    for rec in pub.to_dict("records"):
        m = pd.Period(rec["month"], "M")
        if rec["measure"] == "yoy" and rec["group"] != "all":
            row = np.zeros(n)
            g = int(rec["group"])
            row[ix(g, m)], row[ix(g, m - 12)] = 100.0, -100.0
            lin_rows.append(row)
            lin_target.append(100 * np.log1p(rec["x"] / 100))
        elif rec["measure"] == "yoy":
            nl.append(([m], [m - 12], rec["x"], "ratio"))
        elif rec["measure"] == "average_yoy":
            span = list(pd.period_range(rec["first_month"], m, freq="M"))
            nl.append((span, [p - 12 for p in span], rec["x"], "ratio"))
        elif rec["measure"] == "index":
            nl.append(([m], [], rec["x"], "level"))
    A_lin = np.array(lin_rows)
    b_lin = np.array(lin_target)

    def levels(x):
        return np.exp(x.reshape(G, M))

    def residuals(x):
        """Each all-items figure as the series give it less the figure published."""
        allitems = w @ levels(x)
        out = []
        for A, B, target, kind in nl:
            num = sum(allitems[pos[p]] for p in A)
            val = 100 * (num / sum(allitems[pos[p]] for p in B) - 1) if kind == "ratio" else num
            out.append(val - target)
        return np.array(out)

    def jacobian(x):
        lv = levels(x)
        allitems = w @ lv
        part = w[:, None] * lv  # d allitems_m / d x[g, m]
        rows = []
        for A, B, _target, kind in nl:
            d = np.zeros((G, M))
            num = sum(allitems[pos[p]] for p in A)
            if kind == "ratio":
                den = sum(allitems[pos[p]] for p in B)
                for p in A:
                    d[:, pos[p]] += 100 / den * part[:, pos[p]]
                for p in B:
                    d[:, pos[p]] -= 100 * num / den**2 * part[:, pos[p]]
            else:
                for p in A:
                    d[:, pos[p]] += part[:, pos[p]]
            rows.append(d.ravel())
        return np.array(rows)

    # The fit's objective, a quadratic form in the log levels x:
    # - smoothness: second differences of each group's log level, month on month;
    # - togetherness (weight MU): each group's monthly growth less the weighted mean growth of
    #   all groups, so that where no figure binds a group it moves with the others;
    # - anchor (weight LAM): each group's log level relative to the others' less a plausible
    #   relative level (the earlier illustrative file's, Jan 2022), which fixes what the figures
    #   leave free: the groups' levels relative to each other.
    MU, LAM, STEPS = 1.0, 1e-3, 30
    D = np.zeros((G * (M - 2), n))
    r = 0
    for g in range(G):
        for m in range(M - 2):
            D[r, g * M + m : g * M + m + 3] = (1.0, -2.0, 1.0)
            r += 1
    diff = np.zeros((G * (M - 1), n))  # monthly growth of each group
    r = 0
    for g in range(G):
        for m in range(M - 1):
            diff[r, g * M + m], diff[r, g * M + m + 1] = -1.0, 1.0
            r += 1
    growth = diff.reshape(G, M - 1, n)
    common = np.tensordot(w, growth, axes=1)  # (M-1) x n
    T = (growth - common[None, :, :]).reshape(G * (M - 1), n)
    prior = np.log(
        np.array([108.0, 114.0, 96.0, 102.0, 100.5, 105.5, 103.5, 98.0, 99.7, 107.5, 106.5, 102.5])
    )
    # relative level of each group: its log level less the weighted mean of all groups' (the
    # anchor leaves trends common to all groups free, and the overall level to the figures)
    level = np.eye(n).reshape(G, M, n)
    R = (level - np.tensordot(w, level, axes=1)[None, :, :]).reshape(n, n)
    anchor = np.repeat(prior - w @ prior, M)
    H = 2 * (D.T @ D + MU * T.T @ T + LAM * R.T @ R)
    f = -2 * LAM * R.T @ anchor

    # Every figure is met as written (a group change of 3.4 % is taken as 3.4 %, not anything
    # that rounds to it). Sequential quadratic programming: the objective's minimum on the
    # figures linearised at x, approached by half steps, each put back onto the figures by
    # Newton steps (the least change of x in the objective's metric).
    Minv = np.linalg.inv(H + 1e-8 * np.eye(n))  # the ridge fixes the overall level's freedom
    x_free = -Minv @ f  # the objective's minimum, no figure met

    def constraints(x):
        return np.concatenate([residuals(x), A_lin @ x - b_lin]), np.vstack([jacobian(x), A_lin])

    def feasible(x):
        for _ in range(30):
            c, J = constraints(x)
            x = x - Minv @ J.T @ np.linalg.solve(J @ Minv @ J.T, c)
            if np.abs(constraints(x)[0]).max() < 1e-10:
                break
        return x

    # start: each group at its plausible level, growing 1.8 % a year
    x = feasible(np.concatenate([np.full(M, v) + 0.0015 * np.arange(M) for v in prior]))
    for _ in range(STEPS):
        c, J = constraints(x)
        target = x_free - Minv @ J.T @ np.linalg.solve(J @ Minv @ J.T, c + J @ (x_free - x))
        x = feasible(x + 0.5 * (target - x))
    worst = np.abs(constraints(x)[0]).max()
    print(f"fit: {len(pub)} figures, largest miss {worst:.1e} [percent or index points]")
    if worst > 1e-8:
        raise SystemExit("the fit does not reproduce every published figure")
    lv = levels(x)

    # illustrative forecast after FIT_END: every group at the same monthly growth
    future = pd.period_range(pd.Period(FIT_END, "M") + 1, CPI_END, freq="M")
    starts = sorted(pd.Period(k, "M") for k in ILLUSTRATIVE_CPI)
    growth = np.array(
        [ILLUSTRATIVE_CPI[str(max(s for s in starts if s <= m))] for m in future], dtype=float
    )
    steps = np.cumsum(np.log1p(growth) / 12)
    fut = lv[:, -1:] * np.exp(steps)[None, :]

    matched: dict[str, list[str]] = {}
    for rec in pub.to_dict("records"):
        what = "all-items" if rec["group"] == "all" else f"group {rec['group']}"
        matched.setdefault(rec["month"], []).append(f"{what} {rec['measure']} {rec['value']}")
    rows = []
    for i, m in enumerate(months):
        figs = matched.get(str(m))
        rows.append(
            [
                str(m),
                *(f"{v:.4f}" for v in lv[:, i]),
                "estimate",
                TOOL,
                "fitted to the NCSI figures of sultanate-cpi-published.csv",
                "",
                "",
                ("reproduces " + "; ".join(figs)) if figs else "",
            ]
        )
    for i, m in enumerate(future):
        rows.append(
            [
                str(m),
                *(f"{v:.4f}" for v in fut[:, i]),
                "illustrative",
                TOOL,
                f"illustrative forecast: every group at {growth[i]:.1%} a year",
                "",
                "",
                "",
            ]
        )
    cols = [
        "month",
        *map(str, range(1, 13)),
        "status",
        "publisher",
        "document",
        "date",
        "url",
        "note",
    ]
    _write(GROUPS, _header(GROUPS), pd.DataFrame(rows, columns=cols))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("series", choices=["rates", "cpi"])
    args = parser.parse_args()
    {"rates": fill_rates, "cpi": fit_cpi}[args.series]()


if __name__ == "__main__":
    main()

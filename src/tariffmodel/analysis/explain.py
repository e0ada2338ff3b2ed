"""Every number of MADR_t explained: the hand calculation a reviewer would otherwise write.

:func:`explain` runs the engine once (:func:`tariffmodel.model.engine.evaluate`, with the
intermediate values of :data:`~tariffmodel.model.engine.TRACE_COLUMNS`) and, for each modelled
year asked for, builds a tree of :class:`Step`: MADR_t, then each of its terms, then the
quantities each term is computed from (LOSS_t -> BL_t -> LD_t -> AL_{t-1}, D_t; DB_t -> a_t,
c_t, CA_t; K_Dt -> the ARDR used, MADR_{t-1}, i_t), down to the inputs. A computed step carries
the licence paragraph, the formula as the licence writes it (:data:`tariffmodel.licence.terms.
FORMULAS`), the same formula with this scenario's numbers substituted and the result; an input
carries where its value comes from (the scenario key, the year-table column and row or CSV
line, or the linked file that produced it); a step decided by a reading of unclear text names
the reading and the value used.

The numbers are the engine's, never recomputed here. The substitution is printed at full
precision, so that evaluating it (:func:`evaluate_substitution`, a restricted evaluator of the
arithmetic printed) gives the printed result; the tests check that for every step of every
bundled scenario.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tariffmodel.analysis.readings import check_readings
from tariffmodel.inputs.errors import InputError, did_you_mean
from tariffmodel.inputs.fields import INPUT_FIELDS, NOTIFIED_DEFAULTS, NOTIFIED_FIELDS
from tariffmodel.licence.schedule2 import READING_IDS, strictly_greater
from tariffmodel.licence.terms import BY_SYMBOL, FORMULAS, TERMS, Formula
from tariffmodel.model.engine import ALL_COLUMNS, TRACE_COLUMNS, evaluate
from tariffmodel.model.scenario import Scenario

#: How close evaluating a printed substitution must come to the printed result [relative].
SUBSTITUTION_TOLERANCE = 1e-9


@dataclass
class Step:
    """One number of the explanation: a computed quantity or an input.

    Attributes
    ----------
    name : str
        The engine's name of the quantity (``BL``, ``RUD_prev``, ``Deviation_2``).
    symbol : str
        As the licence writes it (``BL_t``, ``RUD_{t-1}``).
    words : str
        Plain words.
    value : float or bool
        The engine's value.
    unit : str
    paragraph : str
        Where the licence defines it (empty for a plain input).
    licence : str
        The formula (or the definition) as the licence writes it.
    substituted : str
        The formula with the numbers in (empty for an input); evaluating it gives ``value``.
    source : str
        Where an input comes from.
    readings : dict
        ``"R1 loss_deadband"`` -> the value of the reading that decided this step.
    note : str
        What else a reader needs (a value of year t-1 from the same run, a step shown above).
    uses : list of Step
        The quantities the formula reads, in the order it reads them.
    """

    name: str
    symbol: str
    words: str
    value: float | bool
    unit: str
    paragraph: str = ""
    licence: str = ""
    substituted: str = ""
    source: str = ""
    readings: dict[str, str] = field(default_factory=dict)
    note: str = ""
    uses: list[Step] = field(default_factory=list)

    def walk(self) -> Iterator[Step]:
        """This step and every step below it, depth first."""
        yield self
        for step in self.uses:
            yield from step.walk()

    def find(self, name: str) -> Step | None:
        """The first step named ``name`` that is explained in full (not a reference)."""
        return next(
            (s for s in self.walk() if s.name == name and not s.note.startswith(_REF)), None
        )

    def to_dict(self) -> dict[str, Any]:
        """The step as plain data (JSON)."""
        d: dict[str, Any] = {
            "name": self.name,
            "symbol": self.symbol,
            "words": self.words,
            "value": self.value if isinstance(self.value, bool) else float(self.value),
            "unit": self.unit,
        }
        for key in ("paragraph", "licence", "substituted", "source", "note"):
            if getattr(self, key):
                d[key] = getattr(self, key)
        if self.readings:
            d["readings"] = dict(self.readings)
        if self.uses:
            d["uses"] = [s.to_dict() for s in self.uses]
        return d


@dataclass
class Explanation:
    """The explanation of one scenario: one tree of :class:`Step` per year asked for.

    Attributes
    ----------
    scenario : str
        Its name.
    file : str
        The scenario file.
    readings : dict
        ``"R1 loss_deadband"`` -> value, every reading of the run.
    years : dict
        Year -> the step explained (MADR_t, or the term asked for).
    term : str or None
        The term asked for, or None for MADR_t.
    """

    scenario: str
    file: str
    readings: dict[str, str]
    years: dict[int, Step]
    term: str | None = None

    def steps(self) -> Iterator[tuple[int, Step]]:
        """(year, step) for every step of every year."""
        for year, root in self.years.items():
            for step in root.walk():
                yield year, step

    def to_dict(self) -> dict[str, Any]:
        """The explanation as plain data (``tariffmodel explain --format json``)."""
        return {
            "scenario": self.scenario,
            "file": self.file,
            "readings": dict(self.readings),
            "term": self.term,
            "years": {str(y): step.to_dict() for y, step in self.years.items()},
        }


_REF = "shown above"


# --- the substitution and its evaluation ------------------------------------------------------

_NAME = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_WORDS = {"min", "max", "if", "else", "and", "or", "not", "True", "False", "SUM"}


def number_text(value: float | bool) -> str:
    """A number as printed in a substitution: exact (it reads back as the same double),
    whole numbers without a decimal point, negatives in brackets.

    >>> number_text(181000000.0), number_text(0.0258), number_text(-750000.0), number_text(True)
    ('181000000', '0.0258', '(-750000)', 'True')
    """
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    v = float(value)
    text = str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if v == 0:
        text = "0"
    return f"({text})" if text.startswith("-") else text


def substitute(expression: str, values: dict[str, float | bool]) -> str:
    """``expression`` with each name replaced by its value (:func:`number_text`).

    >>> substitute("a + c * CA", {"a": 62e6, "c": 88.0, "CA": 1.32e6})
    '62000000 + 88 * 1320000'
    """

    def one(match: re.Match) -> str:
        name = match.group(0)
        if name in _WORDS:
            return name
        if name not in values:
            raise KeyError(f"no value for {name!r} in {expression!r}")
        return number_text(values[name])

    return _NAME.sub(one, expression)


_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv}  # fmt: skip
_FUNCTIONS = {"min": min, "max": max}
#: The longest substitution evaluated [characters]: far above the longest printed (MADR_t).
MAX_EXPRESSION = 4000


def _greater(x: float, y: float) -> bool:
    return bool(strictly_greater(x, y))


_COMPARE = {
    ast.Gt: _greater,
    ast.Lt: lambda x, y: _greater(y, x),
    ast.GtE: lambda x, y: not _greater(y, x),
    ast.LtE: lambda x, y: not _greater(x, y),
}


def evaluate_substitution(text: str) -> float | bool:
    """Evaluate a printed substitution: numbers, ``+ - * /``, brackets, ``min``, ``max``,
    comparisons, ``and``, ``or``, ``not`` and ``x if cond else y``; nothing else.

    Comparisons are made as the engine makes them, beyond the edge tolerance of
    :func:`tariffmodel.licence.schedule2.strictly_greater` (so that ``0.085 > 0.08 + 0.005`` is
    false, as it is in decimal).

    Raises
    ------
    ValueError
        For anything else (a name, an attribute, a call of another function, a power).

    Examples
    --------
    >>> evaluate_substitution("max(min(3 * 2, 5), (-5))")
    5
    >>> evaluate_substitution("1 if 0.085 < 0.08 or 0.085 > 0.08 + 0.005 else 0")
    0
    >>> evaluate_substitution("__import__('os')")
    Traceback (most recent call last):
    ...
    ValueError: not arithmetic: Call
    """
    if len(text) > MAX_EXPRESSION:
        raise ValueError(f"longer than {MAX_EXPRESSION} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"not an expression: {exc.msg}") from None
    return _eval(tree.body)


def _eval(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | bool):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_eval(node.left), _eval(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd | ast.Not):
        value = _eval(node.operand)
        if isinstance(node.op, ast.Not):
            return not value
        return -value if isinstance(node.op, ast.USub) else +value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and node.args
        and not node.keywords
    ):
        return _FUNCTIONS[node.func.id](*(_eval(a) for a in node.args))
    if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        left = _eval(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        values = (_eval(v) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.IfExp):
        return _eval(node.body) if _eval(node.test) else _eval(node.orelse)
    raise ValueError(f"not arithmetic: {type(node).__name__}")


def agrees(step: Step) -> bool:
    """Evaluating the step's printed substitution gives its printed result (to
    :data:`SUBSTITUTION_TOLERANCE` relative; exactly for a 0/1 or a test)."""
    got = evaluate_substitution(step.substituted)
    if isinstance(step.value, bool):
        return bool(got) == step.value
    return math.isclose(float(got), float(step.value), rel_tol=SUBSTITUTION_TOLERANCE,
                        abs_tol=SUBSTITUTION_TOLERANCE * 1e-6)  # fmt: skip


# --- building the explanation -----------------------------------------------------------------


def explain(
    scenario: Scenario,
    year: int | None = None,
    term: str | None = None,
    readings: dict[str, str] | None = None,
) -> Explanation:
    """Explain every number of MADR_t (or of one term) in one or every modelled year.

    Parameters
    ----------
    scenario : Scenario
    year : int, optional
        A modelled year; default every modelled year.
    term : str, optional
        A term or any quantity it is built from, by the engine's name or the licence's symbol
        (``LOSS``, ``LOSS_t``, ``BL``, ``AL``, ``K_Dt``, ``i``, ``KS``); default MADR_t.
    readings : dict, optional
        Readings to use instead of the scenario's (switch -> value).

    Returns
    -------
    Explanation

    Raises
    ------
    InputError
        For a year that is not modelled or a term that is not one of MADR_t's quantities,
        naming the option and what is allowed.
    """
    if readings:
        readings = check_readings(readings, key="readings")
        changed = {k: v for k, v in readings.items() if scenario.readings.get(k) != v}
        if changed:
            scenario = scenario.with_readings(**changed)
    if year is not None and year not in scenario.years:
        raise InputError(
            f"not a modelled year of this scenario ({scenario.years[0]}-{scenario.years[-1]})",
            file=scenario._file,
            key="--year",
            year=year,
        )
    result = evaluate(scenario, columns=ALL_COLUMNS + TRACE_COLUMNS)
    out = {name: values[0] for name, values in result.items()}
    builder = _Builder(scenario, out)
    years = [year] if year is not None else list(scenario.years)
    trees = {}
    for y in years:
        root = builder.year(scenario.years.index(y))
        if term is not None:
            root = _find_term(root, term, scenario)
        trees[y] = root
    reading_labels = {_reading_label(s): v for s, v in scenario.readings.items()}
    return Explanation(scenario.name, scenario._file, reading_labels, trees, term)


def term_names(root: Step) -> list[str]:
    """The names ``--term`` accepts for a year's tree (each computed quantity once)."""
    return list(dict.fromkeys(s.name for s in root.walk() if s.substituted))


def _find_term(root: Step, term: str, scenario: Scenario) -> Step:
    wanted = term.strip()
    steps = [s for s in root.walk() if not s.note.startswith(_REF)]
    for step in steps:
        if wanted in (step.name, step.symbol):
            return step
    folded = [s for s in steps if wanted.lower() in (s.name.lower(), s.symbol.lower())]
    if len({s.name for s in folded}) == 1:
        return folded[0]
    names = list(dict.fromkeys([s.name for s in steps] + [s.symbol for s in steps]))
    raise InputError(
        f"no quantity {wanted!r} in MADR_t{did_you_mean(wanted, names)}; the terms are "
        + ", ".join(t.symbol for t in TERMS),
        file=scenario._file,
        key="--term",
    )


def _once(step: Step, shown: set[str]) -> Step:
    """The tree with every computed quantity explained in full once, where a reader meets it
    first (depth first); later it shows its value and points above."""
    if step.uses and step.name in shown:
        return Step(step.name, step.symbol, step.words, step.value, step.unit,
                    note=f"{_REF} ({step.symbol})")  # fmt: skip
    if step.uses:
        shown.add(step.name)
    step.uses = [_once(u, shown) for u in step.uses]
    return step


def _plain_words(description: str) -> str:
    """A field's description for a line of the explanation: without the symbol it starts with
    (``X_Dt, efficiency factor``) or the rule after a semicolon."""
    head, sep, rest = description.partition(", ")
    if sep and " " not in head and "_" in head:
        description = rest
    description = description.split(";")[0].strip()
    return re.sub(r" \([^()]*\)$", "", description)


def _reading_label(switch: str) -> str:
    return f"{READING_IDS.get(switch, '?')} {switch}"


class _Builder:
    """The trees of one engine run: ``out`` is column -> values by year (one variant)."""

    def __init__(self, sc: Scenario, out: dict[str, np.ndarray]):
        self.sc = sc
        self.out = out
        self.A = sc.arrays()
        raw = sc.to_dict(resolved=False)
        cpi = raw.get("cpi_series") or {}
        self.linked_files = {
            "CPI": ", ".join(f"{k} {v}" for k, v in cpi.items()),
            "SR": str(raw.get("deposit_rates") or ""),
            "RBS": str(raw.get("amr") or ""),
        }

    # -- values and sources --
    def v(self, name: str, j: int) -> float | bool:
        value = self.out[name][j]
        return bool(value) if isinstance(value, np.bool_) else float(value)

    def row_source(self, col: str, year: int, absent: str) -> str:
        sc = self.sc
        where = self.linked_files.get(col)
        linked = f"{sc.filled.get(col)}" + (f" ({where})" if where else "")
        if col in sc.filled and col != "RBS" and year in sc.years:
            return f"linked file: {linked}"
        if col not in sc.rows.get(year, {}):
            return absent
        if sc.inputs_lines:
            place = f"{sc.inputs_file}, line {sc.inputs_lines[year]}, column {col}"
        else:
            place = f"{sc.inputs_file}, inputs, row of {year}, column {col}"
        if col in sc.filled:  # RBS under amr_loss_reduction: the table's value, then reduced
            return f"{place}, less {linked}"
        return place

    def notified_source(self, key: str, year: int | None) -> str:
        given = self.sc.notified.get(key)
        file = self.sc._file
        if isinstance(given, dict):
            return f"{file}, notified.{key}[{year}] (Notified Value)"
        if given is not None:
            return f"{file}, notified.{key} (Notified Value, one number for every year)"
        return f"not in {file}: notified.{key} takes its default {NOTIFIED_DEFAULTS[key]:g}"

    # -- steps --
    def leaf(self, name, symbol, words, value, unit, source="", note="") -> Step:
        return Step(name, symbol, words, value, unit, source=source, note=note)

    def computed(
        self, name: str, key: str, value, uses: list[Step], kpi: int | None = None
    ) -> Step:
        f: Formula = FORMULAS[key]
        values = {u.name: u.value for u in uses}
        expression = f.expression
        symbol = f.symbol
        if kpi is not None:  # one KPI's formula: A_i, T_i of KPI k
            expression = re.sub(r"\b(\w+)_i\b", rf"\g<1>_{kpi}", expression)
            symbol = symbol.replace("_i", f"_{kpi}")
        if f.summand:
            parts = [u.name.rsplit("_", 1)[1] for u in uses if u.name.startswith("Deviation_")]
            expression = expression.replace(
                "SUM",
                " + ".join(re.sub(r"\b(\w+)_i\b", rf"\g<1>_{k}", f.summand) for k in parts) or "0",
            )
        return Step(
            name,
            symbol,
            f.words,
            value,
            f.unit,
            paragraph=f.paragraph,
            licence=f.licence,
            substituted=substitute(expression, values),
            readings={_reading_label(s): self.sc.readings[s] for s in f.readings},
            uses=uses,
        )

    def year(self, j: int) -> Step:
        uses = [self.term(term.symbol, j) for term in TERMS]
        return _once(self.computed("MADR", "MADR", self.v("MADR", j), uses), set())

    def term(self, symbol: str, j: int) -> Step:
        build = getattr(self, f"_{symbol}", None)
        if build is not None:
            return build(j)
        return self.given(symbol, j)

    def given(self, symbol: str, j: int) -> Step:
        """A term given as an amount: C_t, NPI_t, FM_t, OM_t, AMR_t, UC_t, LF_Dt, CPL_t,
        WPRA_t."""
        t = self.sc.years[j]
        term = BY_SYMBOL[symbol]
        source = self.row_source(symbol, t, "not given in the year table: 0")
        step = self.leaf(symbol, term.licence, term.words, self.v(symbol, j), "RO", source)
        f = FORMULAS[symbol]
        step.paragraph, step.licence = term.paragraph, f.licence
        if symbol in self.sc.filled:  # computed by a linked input: its readings decide it
            step.readings = {_reading_label(s): self.sc.readings[s] for s in f.readings}
        return step

    def year_input(self, col: str, symbol: str, j: int, value, year: int | None = None,
                   absent: str = "") -> Step:  # fmt: skip
        y = self.sc.years[j] if year is None else year
        spec = INPUT_FIELDS[col]
        label = f"{_plain_words(spec.description)} ({y})"
        return self.leaf(col, symbol, label, value, spec.unit, self.row_source(col, y, absent))

    def notified(self, key: str, name: str, symbol: str, j: int, value, year: int | None) -> Step:
        spec = NOTIFIED_FIELDS[key][0]
        words = _plain_words(spec.description) + (f" ({year})" if year is not None else "")
        return self.leaf(name, symbol, words, value, spec.unit, self.notified_source(key, year))

    # CPI_t and the Specified Rate: values defined in words by the licence
    def _defined(self, key: str, col: str, j: int) -> Step:
        t = self.sc.years[j]
        f = FORMULAS[key]
        step = self.leaf(col, f.symbol, f"{f.words} ({t})", self.v(col, j), f.unit,
                         self.row_source(col, t, ""))  # fmt: skip
        step.paragraph, step.licence = f.paragraph, f.licence
        if col in self.sc.filled:
            step.readings = {_reading_label(s): self.sc.readings[s] for s in f.readings}
        if col == "CPI" and t in self.sc.cpi_forecasts:
            step.note = (
                "a forecast of the percentage change agreed with the Authority (paragraph 1a: "
                "the index for the period is not yet published); listed in cpi_forecasts"
            )
        return step

    # -- DB_t and its indexation --
    def _DB(self, j: int) -> Step:
        uses = [self.indexed("a", j), self.indexed("c", j),
                self.year_input("CA", "CA_t", j, self.v("CA", j))]  # fmt: skip
        return self.computed("DB", "DB", self.v("DB", j), uses)

    def indexed(self, key: str, j: int) -> Step:
        """a_t, c_t or p_t: the Notified Value, or the year before rolled forward."""
        t = self.sc.years[j]
        value = self.v(key, j)
        if j == 0 or not math.isnan(self.A[key][0, j]):
            return self.notified(key, key, f"{key}_t", j, value, t)
        prev = self.leaf(f"{key}_prev", f"{key}_{{t-1}}", f"{key}_t of {t - 1}",
                         self.v(key, j - 1), FORMULAS[key].unit,
                         note=f"from {t - 1} of this run")  # fmt: skip
        uses = [prev, self._defined("CPI", "CPI", j)]
        if key != "p":
            uses.append(self.notified("X", "X", "X_Dt", j, float(self.A["X"][0, j]), t))
        return self.computed(key, key, value, uses)

    # -- LOSS_t --
    def _LOSS(self, j: int) -> Step:
        t = self.sc.years[j]
        rud = self.year_input("RUD", "RUD_{t-1}", j, self.v("RUD_prev", j), t - 1)
        rud.name = "RUD_prev"
        rbs = self.year_input("RBS", "RBS_{t-1}", j, self.v("RBS_prev", j), t - 1)
        rbs.name = "RBS_prev"
        al = self.computed("AL", "AL", self.v("AL", j), [rud, rbs])
        tl = self.notified("TL", "TL", "TL_{t-1}", j, self.v("TL", j), t - 1)
        band = self.notified("BAND", "BAND", "BAND_{t-1}", j, self.v("BAND", j), t - 1)
        if self.sc.readings["loss_deadband"] == "every_year":
            case = "D:every_year"
        elif t == self.sc.first_relevant_year:
            case = "D:first"
        else:
            case = "D:later"
        d = self.computed("D", case, self.v("D", j), [(al), tl, band])
        ld = self.computed("LD", "LD", self.v("LD", j), [tl, al, d])
        rud_bl = self.year_input("RUD", "RUD_{t-1}", j, self.v("RUD_prev", j), t - 1)
        rud_bl.name = "RUD_prev"
        bl = self.computed("BL", "BL", self.v("BL", j), [rud_bl, self.indexed("p", j), ld])
        share = self.notified("loss_cap_share", "loss_cap_share", "loss_cap_share", j,
                              float(self.A["loss_cap_share"][0, 0]), None)  # fmt: skip
        cap = self.computed("loss_cap", "loss_cap", self.v("loss_cap", j),
                            [share, (self._DB(j))])  # fmt: skip
        return self.computed("LOSS", "LOSS", self.v("LOSS", j), [bl, cap])

    # -- NSF_t --
    def _NSF(self, j: int) -> Step:
        t = self.sc.years[j]
        last = int(self.A["nsf_last_year"])
        if t > last:
            step = self.computed("NSF", "NSF:removed", self.v("NSF", j), [])
            step.note = f"nsf_last_year {last}: NSF_t applies up to {last} only"
            return step
        dns = self.year_input("DNS", "DNS_t", j, self.v("DNS", j), absent="not given: 0")
        s = self.notified("s", "s", "s_t", j, self.v("s", j), t)
        return self.computed("NSF", "NSF", self.v("NSF", j), [dns, s])

    # -- CS_t --
    def _CS(self, j: int) -> Step:
        t = self.sc.years[j]
        ws = self.year_input("WS", "WS_{t-1}", j, self.v("WS_prev", j), t - 1,
                             absent="not given: on target, WS_{t-1} = TS_{t-1}")  # fmt: skip
        ws.name = "WS_prev"
        ts = self.notified("TS", "TS_prev", "TS_{t-1}", j, self.v("TS_prev", j), t - 1)
        cap = self.notified("CAP", "CAP", "CAP_t", j, self.v("CAP", j), t)
        ks = self.computed("KS", "KS", self.v("KS", j), [ws, ts, cap])
        r = self.notified("r", "r", "r_t", j, self.v("r", j), t)
        if j == 0:
            db_prev = self.year_input("DB", "DB_{t-1}", j, self.v("DB_prev", j), t - 1)
        else:
            db_prev = self.leaf("DB_prev", "DB_{t-1}", f"DB_t of {t - 1}",
                                self.v("DB_prev", j), "RO", note=f"from {t - 1} of this run")  # fmt: skip
        db_prev.name = "DB_prev"
        return self.computed("CS", "CS", self.v("CS", j), [ks, r, db_prev, cap])

    # -- CC_t --
    def _CC(self, j: int) -> Step:
        t = self.sc.years[j]
        cc = self.sc.call_centre
        reading = self.sc.readings["call_centre"]
        if cc is None:
            step = self.leaf("CC", "CC_t", BY_SYMBOL["CC"].words, self.v("CC", j), "RO",
                             "no call_centre section in the scenario: CC_t = 0")  # fmt: skip
            step.paragraph = "1e"
            return step
        file = self.sc._file
        allowance = self.leaf(
            "CC_allowance",
            "CallCenterAllowance_t",
            f"Call Centre Allowance ({t})",
            self.v("CC_allowance", j),
            "RO",
            f"{file}, call_centre.allowance[{t}]"
            if t in cc["actuals"]
            else f"no call_centre.actuals for {t}: no KPI is assessed, the allowance counts 0",
        )
        uses = []
        for k, kpi in enumerate(cc["kpis"], start=1):
            dev = float(self.A["cc_dev"][j, k - 1])
            name = kpi["name"]
            if t in cc["actuals"]:
                a = self.leaf(f"A_{k}", f"A_{k}", f"{name}: actual ({t})",
                              float(cc["actuals"][t][name]), "",
                              f"{file}, call_centre.actuals[{t}].{name}")  # fmt: skip
                tgt = self.leaf(f"T_{k}", f"T_{k}", f"{name}: target", float(kpi["target"]), "",
                                f"{file}, call_centre.kpis[{k}].target")  # fmt: skip
                case = "Deviation:higher" if kpi["higher_is_better"] else "Deviation:lower"
                step = self.computed(f"Deviation_{k}", case, dev, [a, tgt], kpi=k)
                step.words = f"{name}: {step.words}"
            else:
                step = self.leaf(f"Deviation_{k}", f"Deviation_{k}", f"{name}: no actuals for {t}",
                                 dev, "fraction", "no call_centre.actuals for this year: 0")  # fmt: skip
            w = self.leaf(f"W_{k}", f"W_{k}", f"{name}: weight", float(kpi["weight"]), "fraction",
                          f"{file}, call_centre.kpis[{k}].weight")  # fmt: skip
            uses += [step, w]
        uses.append(allowance)
        case = (
            f"CC:{reading}"
            if reading == "as_drafted"
            else (f"CC:{reading}:{self.sc.readings['call_centre_cap']}")
        )
        return self.computed("CC", case, self.v("CC", j), uses)

    # -- K_Dt --
    def _K(self, j: int) -> Step:
        t = self.sc.years[j]
        madr_prev = self.prev_madr(j)
        ardr_prev = self.prev_ardr(j)
        reading = self.sc.readings["para5_substitution"]
        ardr_uses = [ardr_prev]
        if reading == "cap_at_90pct":
            held = self.leaf(
                "para5_prev",
                "paragraph 5 held on t-1",
                f"ARDR below 90 % of MADR in {t - 2} and {t - 1}",
                self.v("para5_prev", j),
                "true/false",
                note=(
                    f"{t - 2} is not in the scenario: not tested"
                    if j == 0
                    else f"the test of paragraph 5 on {t - 1} in this run (madr.csv para5)"
                ),
            )
            ardr_uses = [ardr_prev, madr_prev, held]
        ardr_k = self.computed("ARDR_in_K", f"ARDR_in_K:{reading}", self.v("ARDR_in_K", j),
                               ardr_uses)  # fmt: skip
        sr = self._defined("SR", "SR", j)
        thr = self.notified("k_penalty_threshold", "k_penalty_threshold", "k_penalty_threshold", j,
                            float(self.A["k_penalty_threshold"][0, 0]), None)  # fmt: skip
        rate = self.notified("k_penalty_rate", "k_penalty_rate", "k_penalty_rate", j,
                             float(self.A["k_penalty_rate"][0, 0]), None)  # fmt: skip
        i = self.computed("i", "i", self.v("i", j),
                          [sr, rate, (ardr_prev), thr, madr_prev])  # fmt: skip
        return self.computed("K", "K", self.v("K", j), [ardr_k, madr_prev, i])

    def prev_madr(self, j: int) -> Step:
        t = self.sc.years[j]
        value = self.v("MADR_prev", j)
        if j == 0:
            step = self.year_input("MADR", "MADR_{t-1}", j, value, t - 1)
        else:
            step = self.leaf("MADR", "MADR_{t-1}", f"MADR_t of {t - 1}", value, "RO",
                             note=f"from {t - 1} of this run (explain {t - 1} for its terms)")  # fmt: skip
        step.name = "MADR_prev"
        return step

    def prev_ardr(self, j: int) -> Step:
        t = self.sc.years[j]
        value = self.v("ARDR_prev", j)
        if j == 0 or not math.isnan(self.A["ARDR"][0, j]):
            step = self.year_input("ARDR", "ARDR_{t-1}", j, value, t - 1)
            step.name = "ARDR_prev"
            return (step) if j else step
        recovery = float(self.A["recovery"][0, j - 1])
        rec = self.leaf("recovery_prev", "recovery_{t-1}", f"ARDR / MADR where ARDR is not given "
                        f"({t - 1})", recovery, "fraction",
                        self.row_source("recovery", t - 1, "not given: 1 (revenue recovered "
                                        "exactly)"))  # fmt: skip
        return self.computed("ARDR_prev", "ARDR_prev:recovery", value, [rec, self.prev_madr(j)])

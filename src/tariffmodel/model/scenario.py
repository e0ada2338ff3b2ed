"""The scenario the engine runs on: a checked scenario file with its linked columns filled.

:func:`link` composes the linked inputs into the year table: CPI_t from the Omani CPI basket
(paragraph 1a, reading R5), SR from the monthly deposit rates (the Specified Rate), AMR_t and the
AMR loss reduction of RBS from a smart-metering plan, WPRA_t from a capex verification file
(footnote 3) and LF_Dt from the inputs of Condition 13. A value given both in the year table and
by a linked file is an error naming both places.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from tariffmodel.inputs.errors import ScenarioError, unknown_key_error
from tariffmodel.inputs.fields import (
    AMOUNT_COLUMNS,
    HISTORY_REQUIRED,
    INPUT_FIELDS,
    MODELLED_ALLOWED,
    MODELLED_REQUIRED,
    NOTIFIED_DEFAULTS,
    NOTIFIED_FIELDS,
    REPORTED_COLUMNS,
)
from tariffmodel.inputs.scenario import Links, ScenarioFile, check_scenario, read_scenario
from tariffmodel.licence.amr import reduced_bulk_supplies
from tariffmodel.licence.condition13 import (
    distribution_share_of_fee,
    licence_fee,
    licence_fee_part_a,
)
from tariffmodel.licence.indices import publication_lag
from tariffmodel.licence.schedule2 import READING_IDS, READINGS, kpi_deviation
from tariffmodel.model import amr
from tariffmodel.model.indices import cpi_by_year, omani_cpi_index, specified_rate_by_year
from tariffmodel.model.wpra import wpra_series

#: The readings that decide how linked files fill the year table (R5 CPI_t, R6 SR, R7 LF_Dt):
#: changing one links the scenario again; the others only change the engine's formulas.
LINKED_READINGS = ("cpi_basis", "specified_rate_months", "licence_fee_true_up")

# --- the scenario ---------------------------------------------------------------------------


@dataclass
class Scenario:
    """A validated scenario.

    Build one with :func:`load_scenario` or :func:`scenario_from_dict`: a checked scenario file
    (:class:`~tariffmodel.inputs.scenario.ScenarioFile`) with the columns its linked files fill.

    Attributes
    ----------
    name : str
    years : list of int
        The modelled Relevant Years.
    first_relevant_year : int
    readings : dict
        Switch -> chosen reading, for every switch of :data:`READINGS`.
    notified : dict
        Key -> number (every year) or {year: number}.
    call_centre : dict or None
        ``allowance`` ({year: RO}), ``kpis`` (list), ``actuals`` ({year: {kpi: value}}).
    rows : dict
        Year -> {column: value}, the year table after filling linked data (CPI, SR, AMR, WPRA).
    path : Path or None
        The scenario file.
    sources : list of Path
        Every file read (the scenario, its CSV, linked series and plans), for the manifest.
    filled : dict
        Column -> the source that filled it (for reports).
    cpi_forecasts : tuple of int
        The modelled years whose CPI_t is a forecast agreed with the Authority (paragraph 1a).
    links : Links
        The linked files as read (the monthly CPI and deposit-rate series, the licence-fee
        figures, the AMR plan, the WPRA file): the live workbook writes the series and computes
        CPI_t, SR_t and LF_Dt from them. Empty for a standalone copy (:meth:`with_values`).
    """

    name: str
    years: list[int]
    first_relevant_year: int
    readings: dict[str, str]
    notified: dict[str, Any]
    call_centre: dict[str, Any] | None
    rows: dict[int, dict[str, float]]
    licensee: str | None = None
    description: str | None = None
    path: Path | None = None
    sources: list[Path] = field(default_factory=list)
    filled: dict[str, str] = field(default_factory=dict)
    cpi_forecasts: tuple[int, ...] = ()
    links: Links = field(default_factory=Links, repr=False, compare=False)
    _raw: dict[str, Any] = field(default_factory=dict, repr=False)
    _base_dir: Path | None = field(default=None, repr=False)
    _file: str = field(default="<memory>", repr=False)
    _arrays: dict[str, Any] | None = field(default=None, repr=False)

    # -- derived --
    @property
    def history_year(self) -> int:
        return self.years[0] - 1

    def notified_value(self, key: str, year: int | None = None) -> float:
        """The Notified Value of ``key`` for ``year`` (NaN when not notified)."""
        value = self.notified.get(key, NOTIFIED_DEFAULTS.get(key, math.nan))
        if isinstance(value, dict):
            return float(value.get(year, math.nan))
        return float(value)

    # -- editing --
    def to_dict(self, resolved: bool = True) -> dict[str, Any]:
        """The scenario as a mapping that :func:`scenario_from_dict` accepts.

        ``resolved=True`` (default) gives a standalone scenario: the year table inline, with the
        values that linked files filled (CPI, SR, AMR, WPRA, RBS under the AMR loss reduction)
        written out and the links dropped. ``resolved=False`` gives the file as it was written.
        """
        if not resolved:
            return copy.deepcopy(self._raw)
        d: dict[str, Any] = {"name": self.name}
        if self.licensee is not None:
            d["licensee"] = self.licensee
        if self.description is not None:
            d["description"] = self.description
        d["years"] = list(self.years)
        d["first_relevant_year"] = self.first_relevant_year
        d["interpretation"] = dict(self.readings)
        if self.cpi_forecasts:
            d["cpi_forecasts"] = list(self.cpi_forecasts)
        d["notified"] = copy.deepcopy(self.notified)
        if self.call_centre is not None:
            d["call_centre"] = copy.deepcopy(self.call_centre)
        d["inputs"] = [
            {"year": y, **{k: _plain(v) for k, v in row.items() if k != "year"}}
            for y, row in sorted(self.rows.items())
        ]
        return d

    def to_yaml(self) -> str:
        """A standalone YAML scenario (see :meth:`to_dict`), valid input to ``tariffmodel run``."""
        header = f"# Scenario written by tariffmodel: {self.name}\n"
        if self.filled:
            header += (
                "# Values filled from linked files: "
                + "; ".join(f"{k} from {v}" for k, v in sorted(self.filled.items()))
                + "\n"
            )
        return header + yaml.safe_dump(
            self.to_dict(), sort_keys=False, allow_unicode=True, default_flow_style=None, width=100
        )

    def with_readings(self, **readings: str) -> Scenario:
        """A copy with other readings R1-R8.

        Linked files are composed again when a reading that fills the year table changes (R5
        CPI_t from the basket, R6 SR from the deposit rates, R7 LF_Dt from Condition 13); the
        other readings only change the engine's formulas, and the copy keeps the year table.
        """
        for switch, value in readings.items():
            if switch not in READINGS:
                raise unknown_key_error(
                    switch, READINGS, file=self._file, key_prefix="interpretation."
                )
            if value not in READINGS[switch]:
                raise ScenarioError(
                    f"reading {READING_IDS[switch]} must be one of "
                    f"{', '.join(READINGS[switch])}, not {value!r}",
                    file=self._file,
                    key=f"interpretation.{switch}",
                )
        raw = self.to_dict(resolved=False)
        chosen = {**self.readings, **readings}
        raw["interpretation"] = chosen
        if any(chosen[k] != self.readings[k] for k in LINKED_READINGS):
            return scenario_from_dict(raw, base_dir=self._base_dir, file=self._file, path=self.path)
        return dataclasses.replace(
            self,
            readings=chosen,
            rows=copy.deepcopy(self.rows),
            sources=list(self.sources),
            filled=dict(self.filled),
            _raw=raw,
            _arrays=None,
        )

    @property
    def warnings(self) -> list[str]:
        """What a reader of the results must know about this scenario, in plain words.

        * a single number for ``a``, ``c`` or ``p`` over more than one modelled year: the
          scenario format reads it as a value notified for every year, so the value is never
          indexed (paragraphs 1a and 1b index it by CPI_t after the First Relevant Year);
        * a reading chosen away from its default that can move no number of this scenario.
        """
        out = []
        years = self.years
        single = [k for k in ("a", "c", "p") if not isinstance(self.notified.get(k), dict)]
        if len(years) > 1 and single:
            how = {"a": "a_t by 1 + CPI_t - X_Dt (paragraph 1a)",
                   "c": "c_t by 1 + CPI_t - X_Dt (paragraph 1a)",
                   "p": "p_t by 1 + CPI_t (paragraph 1b)"}  # fmt: skip
            out.append(
                f"notified {', '.join(single)}: one number"
                f"{' each' if len(single) > 1 else ''}, which the scenario format reads as a "
                f"value notified for every year {years[0]}-{years[-1]}, so "
                f"{'they are' if len(single) > 1 else 'it is'} never indexed after {years[0]} "
                f"({'; '.join(how[k] for k in single)}), as the licence requires in a year the "
                f"Authority notifies no value. Write {{{years[0]}: value}} to index from "
                f"{years[0]}."
            )
        for switch, why in self._inert_readings().items():
            value = self.readings[switch]
            out.append(
                f"reading {READING_IDS[switch]} {switch}={value} changes nothing here: {why}"
            )
        return out

    def _inert_readings(self) -> dict[str, str]:
        """Readings chosen away from their default that can move no number (switch -> why)."""
        has_actuals = bool(self.call_centre and self.call_centre.get("actuals"))
        why = {
            "cpi_basis": None if "CPI" in self.filled else "CPI_t is given in the year table",
            "specified_rate_months": (
                None if "SR" in self.filled else "SR is given in the year table"
            ),
            "licence_fee_true_up": (
                None if "LF" in self.filled else "LF_Dt is given in the year table"
            ),
            "call_centre_cap": (
                "no call-centre actuals"
                if not has_actuals
                else (
                    "reading R2 call_centre=as_drafted gives CC_t = 0 whatever the cap"
                    if self.readings["call_centre"] == "as_drafted"
                    else None
                )
            ),
            "call_centre": None if has_actuals else "no call-centre actuals",
        }
        return {
            k: w for k, w in why.items() if w is not None and self.readings[k] != READINGS[k][0]
        }

    def with_values(self, values: dict[str, float]) -> Scenario:
        """A copy with some values edited, validated again.

        ``values`` maps a target to a number: ``inputs.COL`` (every modelled year),
        ``inputs.COL@YEAR``, ``notified.KEY`` (one number for every year) or ``notified.KEY@YEAR``.
        The copy is standalone (see :meth:`to_dict`).
        """
        d = self.to_dict(resolved=True)
        rows = {r["year"]: r for r in d["inputs"]}
        for target, value in values.items():
            section, key, year = parse_target(target, self)
            value = float(value)
            if section == "inputs":
                for y in [year] if year is not None else self.years:
                    rows[y][key] = value
            elif year is None:
                d["notified"][key] = value
            else:
                current = d["notified"].get(key)
                if not isinstance(current, dict):
                    years = range(self.history_year, self.years[-1] + 1)
                    current = {y: current for y in years} if current is not None else {}
                current[year] = value
                d["notified"][key] = current
        d["inputs"] = [rows[y] for y in sorted(rows)]
        return scenario_from_dict(d, base_dir=self._base_dir, file=self._file)

    def arrays(self) -> dict[str, Any]:
        """The scenario as numpy arrays for the engine (built once, then cached)."""
        if self._arrays is None:
            self._arrays = _build_arrays(self)
        return self._arrays


def _plain(v):
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    return v


# --- targets (shared by with_values and the engine's overrides) -----------------------------

#: Columns that may be set in the history row through a target.
HISTORY_TARGET_COLUMNS = HISTORY_REQUIRED[1:]


def parse_target(target: str, scenario: Scenario) -> tuple[str, str, int | None]:
    """Split ``inputs.COL@YEAR`` / ``notified.KEY`` into (section, key, year), checking each part."""
    file = scenario._file
    text = str(target)
    base, _, year_text = text.partition("@")
    section, _, key = base.partition(".")
    if section not in ("inputs", "notified") or not key:
        raise ScenarioError(
            "a target is inputs.COLUMN[@YEAR] or notified.KEY[@YEAR]", file=file, key=text
        )
    year = None
    if year_text:
        try:
            year = int(year_text)
        except ValueError:
            raise ScenarioError(f"'{year_text}' is not a year", file=file, key=text) from None
    if section == "inputs":
        allowed = [c for c in MODELLED_ALLOWED if c not in ("year", *REPORTED_COLUMNS)]
        allowed += ["MADR", "DB"]
        if key not in allowed:
            raise unknown_key_error(key, allowed, file=file, key_prefix="inputs.")
        if year is None:
            if key in ("MADR", "DB"):
                raise ScenarioError(
                    f"{key} is given for the history year only: write inputs.{key}@"
                    f"{scenario.history_year}",
                    file=file,
                    key=text,
                )
        elif year == scenario.history_year:
            if key not in HISTORY_TARGET_COLUMNS:
                raise ScenarioError(
                    f"{key} is not a column of the history row", file=file, key=text, year=year
                )
        elif year not in scenario.years or key in ("MADR", "DB"):
            raise ScenarioError(
                f"no such year for {key}: modelled years are {scenario.years[0]}-"
                f"{scenario.years[-1]}, history year {scenario.history_year}",
                file=file,
                key=text,
                year=year,
            )
    else:
        if key not in NOTIFIED_FIELDS:
            raise unknown_key_error(key, NOTIFIED_FIELDS, file=file, key_prefix="notified.")
        keyed = NOTIFIED_FIELDS[key][1]
        if year is not None:
            if keyed == "scalar":
                raise ScenarioError(f"{key} is one number, not keyed by year", file=file, key=text)
            lo = scenario.history_year if keyed == "own" else scenario.years[0]
            hi = scenario.years[-1] - (1 if keyed == "own" else 0)
            if not lo <= year <= hi:
                raise ScenarioError(
                    f"{key} is used for years {lo}-{hi} only", file=file, key=text, year=year
                )
    return section, key, year


# --- loading --------------------------------------------------------------------------------


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        The YAML scenario file.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Naming the file, key or column, year and rule of the first problem found.
    """
    return link(read_scenario(path))


def scenario_from_dict(
    data: Any, base_dir: str | Path | None = None, file: str = "<memory>", path: Path | None = None
) -> Scenario:
    """Validate a scenario given as a mapping (the parsed YAML) and fill its linked columns."""
    return link(check_scenario(data, base_dir=base_dir, file=file, path=path))


# --- linking ----------------------------------------------------------------------------------


def link(sf: ScenarioFile) -> Scenario:
    """The scenario of a checked file: linked files fill their columns, then every modelled row
    must hold what the engine needs."""
    rows = copy.deepcopy(sf.rows)
    filled: dict[str, str] = {}
    years, links = sf.years, sf.links

    def error(rule, key=None, year=None, file=None):
        return ScenarioError(rule, file=file or sf.file, key=key, year=year)

    def fill(col, series, key, what):
        for y in years:
            if col in rows[y]:
                raise error(
                    f"{col} is given both in the year table and by '{key}': give it one way",
                    f"inputs.{col}",
                    y,
                    sf.inputs_file,
                )
            value = float(series.loc[y]) if y in series.index else math.nan
            rule = INPUT_FIELDS[col].check(value)
            if rule:
                raise error(f"{rule} (from {what})", key, y)
            rows[y][col] = value
        filled[col] = what

    def fill_amounts(col, series, key):
        source = sf.data[key]
        for y in years:
            if col in rows[y]:
                raise error(
                    f"{col} is given both in the year table ({sf.inputs_file}, year {y}) and "
                    f"by '{key}'"
                    + (f" ({source})" if isinstance(source, str) else "")
                    + ": give it one way",
                    f"inputs.{col}",
                    y,
                    sf.inputs_file,
                )
            rows[y][col] = float(series.get(y, 0.0))
        filled[col] = f"{key}: {source}" if isinstance(source, str) else key

    if links.cpi_groups is not None:
        basis = sf.readings["cpi_basis"]
        cpi = omani_cpi_index(links.cpi_groups, links.cpi_weights)
        series = cpi_by_year(cpi, years, basis)
        fill("CPI", series, "cpi_series", f"the Omani CPI basket ({basis})")
    if links.deposit_rates is not None:
        months = sf.readings["specified_rate_months"]
        series = specified_rate_by_year(links.deposit_rates, years, publication_lag(months))
        fill("SR", series, "deposit_rates", f"monthly deposit rates ({months})")
    if links.amr_plan is not None:
        fill_amounts("AMR", amr.allowance(links.amr_plan), "amr")
        if links.amr_loss_reduction:
            reduction = amr.loss_reduction(links.amr_plan)
            for y, row in rows.items():
                delta = float(reduction.get(y, 0.0))
                if delta:
                    row["RBS"] = float(reduced_bulk_supplies(row["RBS"], row["RUD"], delta))
            filled["RBS"] = "the AMR plan's loss reduction"
    if links.wpra is not None:
        fill_amounts("WPRA", wpra_series(links.wpra), "wpra")
    if links.licence_fee is not None:
        true_up = sf.readings["licence_fee_true_up"]
        fill_amounts("LF", licence_fee_by_year(links.licence_fee, years, true_up), "licence_fee")
    _require_rows(sf, rows, error)
    return Scenario(
        name=sf.name,
        years=list(years),
        first_relevant_year=sf.first_relevant_year,
        readings=dict(sf.readings),
        notified=sf.notified,
        call_centre=sf.call_centre,
        rows=rows,
        licensee=sf.licensee,
        description=sf.description,
        path=sf.path,
        sources=list(sf.sources),
        filled=filled,
        cpi_forecasts=sf.cpi_forecasts,
        links=links,
        _raw=copy.deepcopy(sf.data),
        _base_dir=sf.base_dir,
        _file=sf.file,
    )


def licence_fee_by_year(
    got: dict[str, dict[int, float]], years, reading: str = "owed_minus_paid"
) -> dict[int, float]:
    """LF_Dt of each modelled year from the inputs of Condition 13 [RO]: part (a) of year t,
    the true-up of the fee of t-1 (its sign by reading R7), and the Distribution Business share
    of year t over both. The fee of t-1 is taken as its part (a): its own part (b) cancels in
    the true-up (:func:`~tariffmodel.licence.condition13.licence_fee_true_up`)."""
    amounts = {}
    for t in years:
        paid_a = licence_fee_part_a(got["estimated_costs"][t - 1], got["share"][t - 1])
        fee = licence_fee(
            got["estimated_costs"][t],
            got["share"][t],
            paid_a,
            got["actual_costs"][t - 1],
            got["actual_share"][t - 1],
            reading=reading,
        )
        amounts[t] = distribution_share_of_fee(fee, got["distribution_share"][t])
    return amounts


def _require_rows(sf: ScenarioFile, rows, error) -> None:
    years, notified = sf.years, sf.notified
    for y in years:
        row = rows[y]
        for col in MODELLED_REQUIRED[1:]:
            if col not in row:
                raise error("required in every modelled row", f"inputs.{col}", y, sf.inputs_file)
    for i, y in enumerate(years):
        rolled = [
            k
            for k in ("a", "c", "p")
            if i > 0 and (not isinstance(notified[k], float) and y not in notified[k])
        ]
        if rolled and "CPI" not in rows[y]:
            raise error(
                f"CPI is required: {', '.join(rolled)} rolled forward by the licence formula",
                "inputs.CPI",
                y,
                sf.inputs_file,
            )
        if any(k in rolled for k in ("a", "c")):
            val = notified["X"]
            if isinstance(val, dict) and y not in val:
                raise error(
                    "Notified Value missing for this year (a and c roll forward by CPI - X)",
                    "notified.X",
                    y,
                )


# --- arrays for the engine ------------------------------------------------------------------


def _build_arrays(sc: Scenario) -> dict[str, Any]:
    years = np.asarray(sc.years, dtype=int)
    T = len(years)
    h = sc.history_year
    all_years = list(range(h, sc.years[-1] + 1))

    def col(name, yrs, default=math.nan):
        return np.array([sc.rows[y].get(name, default) for y in yrs], dtype=float)[np.newaxis, :]

    def notified(key, yrs):
        return np.array([sc.notified_value(key, y) for y in yrs], dtype=float)[np.newaxis, :]

    A: dict[str, Any] = {
        "years": years,
        "history_year": h,
        "first_year": years == sc.first_relevant_year,
        "readings": dict(sc.readings),
    }
    # year table: (1, T+1) arrays include the history year at index 0
    for name in ("RUD", "RBS", "WS", "ARDR"):
        A[name] = col(name, all_years)
    A["MADR_hist"] = np.array([[sc.rows[h]["MADR"]]], dtype=float)
    A["DB_hist"] = np.array([[sc.rows[h]["DB"]]], dtype=float)
    for name in ("CPI", "CA", "SR"):
        A[name] = col(name, sc.years)
    A["DNS"] = col("DNS", sc.years, 0.0)
    for name in AMOUNT_COLUMNS:
        A[name] = col(name, sc.years, 0.0)
    recovery = col("recovery", sc.years, 1.0)
    A["recovery"] = recovery
    # notified values: (1, T) keyed by t; (1, T+1) keyed by own year from the history year
    for key in ("a", "c", "p", "X", "s", "r", "CAP"):
        A[key] = notified(key, sc.years)
    for key in ("TL", "BAND", "TS"):
        A[key] = notified(key, all_years)
    for key in ("loss_cap_share", "k_penalty_threshold", "k_penalty_rate"):
        A[key] = np.array([[sc.notified_value(key)]], dtype=float)
    A["nsf_last_year"] = int(sc.notified_value("nsf_last_year"))
    # call centre: deviations (T, K), weights (K,), allowance (T,), whether actuals exist (T,)
    cc = sc.call_centre
    if cc is None:
        A["cc_dev"] = np.zeros((T, 1))
        A["cc_weight"] = np.zeros(1)
        A["cc_allowance"] = np.zeros(T)
    else:
        kpis = cc["kpis"]
        dev = np.zeros((T, len(kpis)))
        for j, y in enumerate(sc.years):
            if y in cc["actuals"]:
                actual = [cc["actuals"][y][k["name"]] for k in kpis]
                dev[j] = kpi_deviation(
                    actual, [k["target"] for k in kpis], [k["higher_is_better"] for k in kpis]
                )
        A["cc_dev"] = dev
        A["cc_weight"] = np.array([k["weight"] for k in kpis], dtype=float)
        A["cc_allowance"] = np.array(
            [cc["allowance"].get(y, 0.0) if y in cc["actuals"] else 0.0 for y in sc.years]
        )
    return A

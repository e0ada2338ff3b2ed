"""Scenario files: reading and checking them, and the files they link to.

A scenario is YAML per the scenario-format contract (see the README): Notified Values, the readings
R1-R5, call-centre KPIs, a year table of one history row and one row per modelled year, and links
to other input files (the CPI basket, deposit rates, an AMR plan, a WPRA file, the licence fee's
inputs). Every rule broken raises :class:`~tariffmodel.inputs.errors.ScenarioError` naming the
file, the key or column, the year and the rule; the field rules come from
:mod:`tariffmodel.inputs.fields`. Nothing here computes a term: :mod:`tariffmodel.model.scenario`
turns a checked :class:`ScenarioFile` into the scenario the engine runs on.
"""

from __future__ import annotations

import copy
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from tariffmodel.inputs.amr_plan import AmrPlan, load_plan
from tariffmodel.inputs.errors import ScenarioError, did_you_mean, unknown_key_error
from tariffmodel.inputs.fields import (
    HISTORY_REQUIRED,
    INPUT_FIELDS,
    LICENCE_FEE_KEYS,
    MODELLED_ALLOWED,
    NOTIFIED_DEFAULTS,
    NOTIFIED_FIELDS,
    NOTIFIED_REQUIRED,
    TOP_LEVEL_KEYS,
    TOP_LEVEL_REQUIRED,
)
from tariffmodel.inputs.series import load_cpi, load_deposit_rates
from tariffmodel.inputs.wpra_file import WpraFile, load_wpra
from tariffmodel.inputs.yamlio import read_yaml
from tariffmodel.licence.schedule2 import READING_IDS, READINGS

CALL_CENTRE_KEYS = ("allowance", "kpis", "actuals")
KPI_KEYS = ("name", "weight", "target", "higher_is_better")


@dataclass(frozen=True)
class Links:
    """The files a scenario links to, read and checked (None where not linked)."""

    cpi: pd.Series | None = None  # the monthly Omani CPI (cpi_series)
    deposit_rates: pd.Series | None = None  # monthly deposit rates (deposit_rates)
    amr_plan: AmrPlan | None = None  # amr
    amr_loss_reduction: bool = False
    wpra: WpraFile | None = None  # wpra
    licence_fee: dict[str, dict[int, float]] | None = None  # key -> {year: value}


@dataclass(frozen=True, eq=False)
class ScenarioFile:
    """A checked scenario file: its values as written, the year table before linked files fill
    it, and the linked files read."""

    name: str
    years: list[int]
    first_relevant_year: int
    readings: dict[str, str]
    notified: dict[str, Any]
    call_centre: dict[str, Any] | None
    rows: dict[int, dict[str, float]]
    links: Links
    licensee: str | None
    description: str | None
    path: Path | None
    base_dir: Path | None
    file: str
    inputs_file: str
    sources: list[Path]
    data: dict[str, Any]


def read_scenario(path: str | Path) -> ScenarioFile:
    """Read and check a scenario file (YAML) and the files it links to."""
    path = Path(path)
    data = read_yaml(path, ScenarioError)
    return check_scenario(data, base_dir=path.parent, file=str(path), path=path)


def check_scenario(
    data: Any, base_dir: str | Path | None = None, file: str = "<memory>", path: Path | None = None
) -> ScenarioFile:
    """Check a scenario given as a mapping (the parsed YAML)."""
    return _Builder(data, Path(base_dir) if base_dir is not None else None, file, path).build()


#: The earliest First Relevant Year accepted (the licence's is 2023): catches a mistyped year.
FIRST_RELEVANT_YEAR_MIN = 2000


class _Builder:
    def __init__(self, data, base_dir, file, path):
        self.data = data
        self.base_dir = base_dir
        self.file = file
        self.path = path
        self.sources: list[Path] = [path] if path is not None else []

    def error(self, rule, key=None, year=None, file=None):
        return ScenarioError(rule, file=file or self.file, key=key, year=year)

    # -- numbers --
    def number(self, value, key, year=None, file=None):
        if isinstance(value, bool) or not isinstance(value, int | float):
            if isinstance(value, str):
                raise self.error(f"text where a number is due: {value!r}", key, year, file)
            raise self.error(
                f"a number is due, not {type(value).__name__} {value!r}", key, year, file
            )
        return float(value)

    def checked(self, spec, value, key, year=None, file=None):
        v = self.number(value, key, year, file)
        rule = spec.check(v)
        if rule:
            raise self.error(rule, key, year, file)
        return v

    def year_value(self, value, key, file=None):
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)  # a quoted year key, e.g. "2026": 0.02
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise self.error(f"a year is a whole number, not {value!r}", key, file=file)
        return value

    def resolve_path(self, value, key) -> Path:
        if not isinstance(value, str) or not value.strip():
            raise self.error("a file path is due", key)
        p = Path(value)
        if not p.is_absolute() and self.base_dir is not None:
            p = self.base_dir / p
        if p.is_dir():
            raise self.error(f"names a folder, not a file: {value}", key)
        if not p.is_file():
            raise self.error(f"file not found: {value}", key)
        self.sources.append(p)
        return p

    # -- the whole --
    def build(self) -> ScenarioFile:
        d = self.data
        if not isinstance(d, dict):
            raise self.error("a scenario file is a mapping of keys (name, years, notified, inputs)")
        for key in d:
            if key not in TOP_LEVEL_KEYS:
                raise unknown_key_error(key, TOP_LEVEL_KEYS, file=self.file)
        for key in TOP_LEVEL_REQUIRED:
            if d.get(key) is None:
                raise self.error("required key missing", key)
        name = d["name"]
        if not isinstance(name, str) or not name.strip():
            raise self.error("name must be a non-empty text", "name")
        years = self.years(d["years"])
        fry = self.year_value(d.get("first_relevant_year", 2023), "first_relevant_year")
        if not FIRST_RELEVANT_YEAR_MIN <= fry <= years[0]:
            raise self.error(
                f"the licence's First Relevant Year (2023 as licensed) must lie between "
                f"{FIRST_RELEVANT_YEAR_MIN} and the first modelled year {years[0]}",
                "first_relevant_year",
                fry,
            )
        readings = self.readings(d.get("interpretation"))
        notified = self.notified(d["notified"], years)
        rows = self.inputs(d["inputs"], years)
        links = self.links(d, years)
        call_centre = self.call_centre(d.get("call_centre"), years)
        licensee = d.get("licensee")
        description = d.get("description")
        for key, val in (("licensee", licensee), ("description", description)):
            if val is not None and not isinstance(val, str):
                raise self.error("must be text", key)
        return ScenarioFile(
            name=name,
            years=years,
            first_relevant_year=fry,
            readings=readings,
            notified=notified,
            call_centre=call_centre,
            rows=rows,
            links=links,
            licensee=licensee,
            description=description,
            path=self.path,
            base_dir=self.base_dir,
            file=self.file,
            inputs_file=self.inputs_file,
            sources=list(dict.fromkeys(self.sources)),
            data=copy.deepcopy(d),
        )

    def years(self, value) -> list[int]:
        if not isinstance(value, list) or not value:
            raise self.error("years is a non-empty list such as [2026, 2027, 2028, 2029]", "years")
        years = [self.year_value(y, "years") for y in value]
        for prev, y in zip(years, years[1:], strict=False):
            if y == prev:
                raise self.error("duplicate year", "years", y)
            if y != prev + 1:
                raise self.error(
                    "years must be consecutive and ascending"
                    + (f" (gap after {prev})" if y > prev else ""),
                    "years",
                    y,
                )
        return years

    def readings(self, value) -> dict[str, str]:
        chosen = {k: v[0] for k, v in READINGS.items()}
        if value is None:
            return chosen
        if not isinstance(value, dict):
            raise self.error("interpretation is a mapping of reading switches", "interpretation")
        for k, v in value.items():
            if k not in READINGS:
                raise unknown_key_error(k, READINGS, file=self.file, key_prefix="interpretation.")
            if v not in READINGS[k]:
                raise self.error(
                    f"reading {READING_IDS[k]} must be one of {', '.join(READINGS[k])}"
                    f"{did_you_mean(str(v), READINGS[k])}, not {v!r}",
                    f"interpretation.{k}",
                )
            chosen[k] = v
        return chosen

    def notified(self, value, years) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error("notified is a mapping of Notified Values", "notified")
        out: dict[str, Any] = {}
        for key, val in value.items():
            if key not in NOTIFIED_FIELDS:
                raise unknown_key_error(
                    key, NOTIFIED_FIELDS, file=self.file, key_prefix="notified."
                )
            spec, keyed = NOTIFIED_FIELDS[key]
            full = f"notified.{key}"
            if isinstance(val, dict):
                if keyed == "scalar":
                    raise self.error("one number is due, not a mapping by year", full)
                out[key] = {
                    self.year_value(y, full): self.checked(spec, v, full, y) for y, v in val.items()
                }
                for y in out[key]:
                    # an entry no year reads would be ignored without a word
                    if not years[0] - 1 <= y <= years[-1]:
                        raise self.error(
                            f"outside the scenario's years: Notified Values by year run from the "
                            f"history year {years[0] - 1} to the last modelled year {years[-1]}",
                            full,
                            y,
                        )
            else:
                if val is None:
                    raise self.error("a value is due", full)
                out[key] = self.checked(spec, val, full)
        for key in NOTIFIED_REQUIRED:
            if key not in out:
                raise self.error("required Notified Value missing", f"notified.{key}")
        first = years[0]
        for key in ("a", "c", "p"):
            if isinstance(out[key], dict) and first not in out[key]:
                raise self.error(
                    f"{key} needs a value for the first modelled year (later years roll forward)",
                    f"notified.{key}",
                    first,
                )
        last_nsf = out.get("nsf_last_year", NOTIFIED_DEFAULTS["nsf_last_year"])
        for t in years:
            for key in ("r", "CAP"):
                self.need(out, key, t)
            if t <= last_nsf:
                self.need(out, key="s", year=t, why="NSF_t applies up to nsf_last_year")
            for key in ("TL", "BAND", "TS"):
                self.need(
                    out,
                    key,
                    t - 1,
                    why=f"{'LOSS' if key != 'TS' else 'CS'}_{t} reads the entry of {t - 1}",
                )
        return out

    def need(self, out, key, year, why=None):
        val = out[key]
        if isinstance(val, dict) and year not in val:
            rule = "Notified Value missing for this year" + (f" ({why})" if why else "")
            raise self.error(rule, f"notified.{key}", year)

    # -- the year table --
    def inputs(self, value, years) -> dict[int, dict[str, float]]:
        file = self.file
        if isinstance(value, str):
            csv_path = self.resolve_path(value, "inputs")
            file = str(csv_path)
            raw_rows = self.read_csv(csv_path)
        elif isinstance(value, list):
            raw_rows = value
        else:
            raise self.error("inputs is a list of rows or the path of a CSV file", "inputs")
        history = years[0] - 1
        rows: dict[int, dict[str, float]] = {}
        for n, raw in enumerate(raw_rows, start=1):
            if not isinstance(raw, dict):
                raise self.error(f"row {n} is not a mapping of columns", "inputs", file=file)
            if raw.get("year") is None:
                raise self.error(f"row {n} has no year", "inputs.year", file=file)
            year = self.year_value(raw["year"], "inputs.year", file=file)
            if year in rows:
                raise self.error("duplicate row for this year", "inputs.year", year, file)
            if year != history and year not in years:
                raise self.error(
                    f"a row for a year that is neither the history year ({history}) nor a "
                    f"modelled year ({years[0]}-{years[-1]})",
                    "inputs.year",
                    year,
                    file,
                )
            # the history row may carry columns of a modelled row (a CSV year table has them
            # all); they are not used. MADR and DB are computed for modelled years, so giving
            # them there is an error.
            allowed = INPUT_FIELDS if year == history else MODELLED_ALLOWED
            row: dict[str, float] = {}
            for col, val in raw.items():
                if col == "year":
                    continue
                if col not in INPUT_FIELDS:
                    raise unknown_key_error(
                        col,
                        [c for c in INPUT_FIELDS if c != "year"],
                        file=file,
                        key_prefix="inputs.",
                        year=year,
                    )
                if val is None:
                    continue
                if col not in allowed:
                    raise self.error(
                        f"{col} is not a column of a modelled row"
                        + (" (it is computed)" if col in ("MADR", "DB") else ""),
                        f"inputs.{col}",
                        year,
                        file,
                    )
                row[col] = self.checked(INPUT_FIELDS[col], val, f"inputs.{col}", year, file)
            if "ARDR" in row and "recovery" in row:
                raise self.error("give ARDR or recovery, not both", "inputs.recovery", year, file)
            if "RUD" in row and "RBS" in row and row["RBS"] < row["RUD"]:
                raise self.error(
                    f"RBS ({row['RBS']:g}) is below RUD ({row['RUD']:g}): bulk supplies cannot be "
                    "less than units distributed",
                    "inputs.RBS",
                    year,
                    file,
                )
            rows[year] = row
        if history not in rows:
            raise self.error(
                "the history row (the year before the first modelled year) is missing",
                "inputs",
                history,
                file,
            )
        for y in years:
            if y not in rows:
                raise self.error("missing row for a modelled year", "inputs", y, file)
        for col in HISTORY_REQUIRED[1:]:
            if col not in rows[history]:
                raise self.error("required in the history row", f"inputs.{col}", history, file)
        self.inputs_file = file
        return rows

    def read_csv(self, path: Path) -> list[dict[str, Any]]:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise self.error("not a CSV text file (UTF-8)", "inputs", file=str(path)) from None
        except OSError as exc:
            raise self.error(
                f"cannot read the file: {exc.strerror}", "inputs", file=str(path)
            ) from None
        lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
        reader = csv.DictReader(io.StringIO("\n".join(lines)))
        if not reader.fieldnames:
            raise self.error("the CSV file has no header row", "inputs", file=str(path))
        header = [str(c).strip() for c in reader.fieldnames]
        for col in header:
            if header.count(col) > 1:
                # csv would keep the last column of the name and drop the other unseen
                raise self.error("the column appears twice in the header", f"inputs.{col}",
                                 file=str(path))  # fmt: skip
        rows = []
        for line_no, rec in enumerate(reader, start=2):
            if None in rec:
                raise self.error(
                    f"line {line_no} has more cells than the header", "inputs", file=str(path)
                )
            row: dict[str, Any] = {}
            for col, cell in rec.items():
                col = col.strip()
                cell = (cell or "").strip()
                if cell == "":
                    continue
                try:
                    row[col] = int(cell) if col == "year" else float(cell)
                except ValueError:
                    year = rec.get("year")
                    raise self.error(
                        f"text where a number is due: {cell!r}",
                        f"inputs.{col}",
                        int(year) if year and year.strip().isdigit() else None,
                        str(path),
                    ) from None
            rows.append(row)
        return rows

    # -- linked files: checked and read here, turned into columns by tariffmodel.model.scenario --
    def links(self, d, years) -> Links:
        cpi = rates = plan = wpra = None
        if d.get("cpi_series") is not None:
            spec = d["cpi_series"]
            if isinstance(spec, dict):
                for key in spec:
                    if key not in ("groups", "weights"):
                        raise unknown_key_error(
                            str(key), ["groups", "weights"], file=self.file,
                            key_prefix="cpi_series.",
                        )  # fmt: skip
            if not isinstance(spec, dict) or set(spec) != {"groups", "weights"}:
                raise self.error("cpi_series is {groups: CSV, weights: CSV}", "cpi_series")
            groups = self.resolve_path(spec["groups"], "cpi_series.groups")
            weights = self.resolve_path(spec["weights"], "cpi_series.weights")
            cpi = load_cpi(groups, weights)
        if d.get("deposit_rates") is not None:
            rates = load_deposit_rates(self.resolve_path(d["deposit_rates"], "deposit_rates"))
        switch = d.get("amr_loss_reduction", False)
        if not isinstance(switch, bool):
            raise self.error("true or false", "amr_loss_reduction")
        if d.get("amr") is not None:
            plan = load_plan(self.resolve_path(d["amr"], "amr"))
        elif switch:
            raise self.error(
                "amr_loss_reduction needs an AMR plan ('amr: PLAN')", "amr_loss_reduction"
            )
        if d.get("wpra") is not None:
            wpra = load_wpra(self.resolve_path(d["wpra"], "wpra"))
        fee = self.licence_fee(d.get("licence_fee"), years)
        return Links(
            cpi=cpi,
            deposit_rates=rates,
            amr_plan=plan,
            amr_loss_reduction=switch,
            wpra=wpra,
            licence_fee=fee,
        )

    def licence_fee(self, value, years) -> dict[str, dict[int, float]] | None:
        """The inputs of Condition 13 by key and year (LF_Dt is computed by the model)."""
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.error(
                "licence_fee is a mapping of " + ", ".join(LICENCE_FEE_KEYS), "licence_fee"
            )
        h, last = years[0] - 1, years[-1]
        spans = {"h..T": range(h, last + 1), "h..T-1": range(h, last), "t": years}
        got = {}
        for key, val in value.items():
            if key not in LICENCE_FEE_KEYS:
                raise unknown_key_error(
                    key, LICENCE_FEE_KEYS, file=self.file, key_prefix="licence_fee."
                )
            unit, span, _ = LICENCE_FEE_KEYS[key]
            full = f"licence_fee.{key}"
            by_year = (
                {self.year_value(y, full): v for y, v in val.items()}
                if isinstance(val, dict)
                else {y: val for y in spans[span]}
            )
            for y in spans[span]:
                if y not in by_year:
                    raise self.error("value missing for this year", full, y)
                v = self.number(by_year[y], full, y)
                if v < 0 or (unit == "fraction" and v > 1):
                    raise self.error(
                        "a fraction in [0, 1] is due"
                        if unit == "fraction"
                        else "cannot be negative",
                        full,
                        y,
                    )
            got[key] = {y: float(by_year[y]) for y in spans[span]}
        for key in LICENCE_FEE_KEYS:
            if key not in got:
                raise self.error("required", f"licence_fee.{key}")
        return got

    def call_centre(self, value, years):
        if value is None:
            return None
        key = "call_centre"
        if not isinstance(value, dict):
            raise self.error("call_centre is a mapping: allowance, kpis, actuals", key)
        for k in value:
            if k not in CALL_CENTRE_KEYS:
                raise unknown_key_error(
                    k, CALL_CENTRE_KEYS, file=self.file, key_prefix="call_centre."
                )
        kpis_raw = value.get("kpis")
        if not isinstance(kpis_raw, list) or not kpis_raw:
            raise self.error("a non-empty list of KPIs is due", "call_centre.kpis")
        kpis = []
        names = set()
        for n, kpi in enumerate(kpis_raw, start=1):
            where = f"call_centre.kpis[{n}]"
            if not isinstance(kpi, dict):
                raise self.error(
                    "a KPI is a mapping: name, weight, target, higher_is_better", where
                )
            for k in kpi:
                if k not in KPI_KEYS:
                    raise unknown_key_error(k, KPI_KEYS, file=self.file, key_prefix=f"{where}.")
            kname = kpi.get("name")
            if not isinstance(kname, str) or not kname:
                raise self.error("a KPI needs a name", f"{where}.name")
            if kname in names:
                raise self.error(f"duplicate KPI name {kname!r}", f"{where}.name")
            names.add(kname)
            for k in ("weight", "target"):
                if k not in kpi:
                    raise self.error("required", f"{where}.{k}")
            weight = self.number(kpi["weight"], f"{where}.weight")
            if weight < 0:
                raise self.error(f"a KPI weight cannot be negative ({weight:g})", f"{where}.weight")
            target = self.number(kpi["target"], f"{where}.target")
            if target == 0:
                raise self.error(
                    "a KPI target of zero: Deviation = (A - T) / T is undefined", f"{where}.target"
                )
            hib = kpi.get("higher_is_better", True)
            if not isinstance(hib, bool):
                raise self.error("true or false", f"{where}.higher_is_better")
            kpis.append(
                {"name": kname, "weight": weight, "target": target, "higher_is_better": hib}
            )
        actuals_raw = value.get("actuals") or {}
        if not isinstance(actuals_raw, dict):
            raise self.error("actuals is a mapping {year: {kpi: value}}", "call_centre.actuals")
        actuals = {}
        for y, vals in actuals_raw.items():
            y = self.year_value(y, "call_centre.actuals")
            if y not in years:
                raise self.error(
                    "actuals for a year that is not modelled", "call_centre.actuals", y
                )
            if not isinstance(vals, dict):
                raise self.error("a mapping {kpi: value} is due", "call_centre.actuals", y)
            for k in vals:
                if k not in names:
                    raise unknown_key_error(
                        k, names, file=self.file, key_prefix="call_centre.actuals.", year=y
                    )
            for k in names:
                if k not in vals:
                    raise self.error(
                        "actual value missing for this KPI", f"call_centre.actuals.{k}", y
                    )
            actuals[y] = {k: self.number(v, f"call_centre.actuals.{k}", y) for k, v in vals.items()}
        allowance_raw = value.get("allowance")
        allowance: dict[int, float] = {}
        if isinstance(allowance_raw, dict):
            for y, v in allowance_raw.items():
                y = self.year_value(y, "call_centre.allowance")
                allowance[y] = self.number(v, "call_centre.allowance", y)
        elif allowance_raw is not None:
            v = self.number(allowance_raw, "call_centre.allowance")
            allowance = {y: v for y in years}
        for y, v in allowance.items():
            if v < 0:
                raise self.error("the allowance cannot be negative", "call_centre.allowance", y)
        for y in actuals:
            if y not in allowance:
                raise self.error(
                    "allowance missing for a year with actuals", "call_centre.allowance", y
                )
        return {"allowance": allowance, "kpis": kpis, "actuals": actuals}

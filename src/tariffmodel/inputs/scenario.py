"""Scenario files: reading and checking them, and the files they link to.

A scenario is YAML per the scenario-format contract (see the README): Notified Values, the readings
R1-R8, call-centre KPIs, a year table of one history row and one row per modelled year, and links
to other input files (the CPI basket, deposit rates, an AMR plan, a WPRA file, the licence fee's
inputs). Every rule broken raises :class:`~tariffmodel.inputs.errors.ScenarioError` naming the
file, the key or column, the year and the rule; the field rules come from
:mod:`tariffmodel.inputs.fields`. Nothing here computes a term: :mod:`tariffmodel.model.scenario`
turns a checked :class:`ScenarioFile` into the scenario the engine runs on.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from pydantic import AfterValidator, BeforeValidator, ValidationInfo, create_model, model_validator
from pydantic_core import PydanticCustomError

from tariffmodel.inputs.amr_plan import AmrPlan, load_plan
from tariffmodel.inputs.csvio import number_cell, read_csv
from tariffmodel.inputs.errors import ScenarioError, did_you_mean
from tariffmodel.inputs.fields import (
    HISTORY_REQUIRED,
    INPUT_FIELDS,
    LICENCE_FEE_KEYS,
    MODELLED_ALLOWED,
    MONEY_MAX,
    NOTIFIED_DEFAULTS,
    NOTIFIED_FIELDS,
    NOTIFIED_REQUIRED,
    TOP_LEVEL_KEYS,
    Field,
)
from tariffmodel.inputs.schema import (
    Name,
    Number,
    Schema,
    Text,
    Year,
    check_year,
    describe,
    field_type,
    not_a_mapping,
    number_or_by_year,
    rule_error,
    validate,
    year_type,
)
from tariffmodel.inputs.series import load_cpi_groups, load_cpi_weights, load_deposit_rates
from tariffmodel.inputs.sources import TEXT_COLUMNS
from tariffmodel.inputs.wpra_file import WpraFile, load_wpra
from tariffmodel.inputs.yamlio import read_yaml
from tariffmodel.licence.schedule2 import READING_IDS, READINGS


@dataclass(frozen=True)
class Links:
    """The files a scenario links to, read and checked (None where not linked)."""

    cpi_groups: pd.DataFrame | None = None  # monthly CPI group indices (cpi_series.groups)
    cpi_weights: pd.Series | None = None  # CPI group weights (cpi_series.weights)
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
    cpi_forecasts: tuple[int, ...]
    licensee: str | None
    description: str | None
    path: Path | None
    base_dir: Path | None
    file: str
    inputs_file: str
    sources: list[Path]
    data: dict[str, Any]
    #: year -> the line of its row in the CSV year table (empty for rows written in the YAML)
    inputs_lines: dict[int, int] = field(default_factory=dict)


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

# --------------------------------------------------------------------------- the schema


def _years_list(value: Any) -> Any:
    if not isinstance(value, list) or not value:
        raise rule_error("years is a non-empty list such as [2026, 2027, 2028, 2029]")
    return value


def _forecast_years(value: Any) -> Any:
    if not isinstance(value, list):
        raise rule_error("cpi_forecasts is a list of years such as [2028, 2029]")
    return value


def _loose(value: Any) -> Any:
    return value  # checked by the model of its section, once the years are known


class ScenarioTop(Schema):
    """The top-level keys of a scenario file; each section is checked by a model of its own."""

    name: Name
    licensee: str | None = None
    description: Text | None = None
    years: Annotated[list[Year], BeforeValidator(_years_list)]
    first_relevant_year: year_type(0, 9999) = 2023
    interpretation: Annotated[Any, BeforeValidator(_loose)] = None
    notified: Annotated[Any, BeforeValidator(_loose)]
    call_centre: Annotated[Any, BeforeValidator(_loose)] = None
    inputs: Annotated[Any, BeforeValidator(_loose)]
    cpi_series: Annotated[Any, BeforeValidator(_loose)] = None
    deposit_rates: Text | None = None
    amr: Text | None = None
    amr_loss_reduction: bool = False
    wpra: Text | None = None
    licence_fee: Annotated[Any, BeforeValidator(_loose)] = None
    cpi_forecasts: Annotated[list[Year], BeforeValidator(_forecast_years)] = []

    @model_validator(mode="after")
    def _years_in_order(self) -> ScenarioTop:
        years = self.years
        for prev, y in zip(years, years[1:], strict=False):
            if y == prev:
                raise rule_error("duplicate year", key="years", year=y)
            if y != prev + 1:
                raise rule_error(
                    "years must be consecutive and ascending"
                    + (f" (gap after {prev})" if y > prev else ""),
                    key="years",
                    year=y,
                )
        fry = self.first_relevant_year
        if not FIRST_RELEVANT_YEAR_MIN <= fry <= years[0]:
            raise rule_error(
                f"the licence's First Relevant Year (2023 as licensed) must lie between "
                f"{FIRST_RELEVANT_YEAR_MIN} and the first modelled year {years[0]}",
                key="first_relevant_year",
                year=fry,
            )
        seen: set[int] = set()
        for y in self.cpi_forecasts:
            if y in seen:
                raise rule_error("a year listed twice", key="cpi_forecasts", year=y)
            seen.add(y)
            if y not in years:
                raise rule_error(
                    f"not a modelled year ({years[0]}-{years[-1]}): cpi_forecasts lists the "
                    "modelled years whose CPI_t is a forecast",
                    key="cpi_forecasts",
                    year=y,
                )
        if self.amr_loss_reduction and self.amr is None:
            raise rule_error(
                "amr_loss_reduction needs an AMR plan ('amr: PLAN')", key="amr_loss_reduction"
            )
        return self


TOP_MODEL_KEYS = set(ScenarioTop.model_fields)
assert TOP_MODEL_KEYS == set(TOP_LEVEL_KEYS), "fields.TOP_LEVEL_KEYS and ScenarioTop disagree"


def _reading(switch: str):
    def check(value: Any) -> Any:
        if value not in READINGS[switch]:
            raise rule_error(
                f"reading {READING_IDS[switch]} must be one of {', '.join(READINGS[switch])}"
                f"{did_you_mean(str(value), READINGS[switch])}, not {describe(value)}"
            )
        return value

    return Annotated[Any, BeforeValidator(check)]


Interpretation = create_model(
    "Interpretation",
    __base__=Schema,
    **{k: (_reading(k), v[0]) for k, v in READINGS.items()},
)


class _NotifiedRules(Schema):
    """The rules between Notified Values and the scenario's years (``context['years']``)."""

    @model_validator(mode="after")
    def _years_covered(self, info: ValidationInfo):
        years = info.context["years"]
        given = self.model_fields_set
        for key in given:
            val = getattr(self, key)
            if isinstance(val, dict):
                for y in val:
                    # an entry no year reads would be ignored without a word
                    if not years[0] - 1 <= y <= years[-1]:
                        raise rule_error(
                            f"outside the scenario's years: Notified Values by year run from the "
                            f"history year {years[0] - 1} to the last modelled year {years[-1]}",
                            key=key,
                            year=y,
                        )
        first = years[0]
        for key in ("a", "c", "p"):
            val = getattr(self, key)
            if isinstance(val, dict) and first not in val:
                raise rule_error(
                    f"{key} needs a value for the first modelled year (later years roll forward)",
                    key=key,
                    year=first,
                )
        last_nsf = self.nsf_last_year
        for t in years:
            for key in ("r", "CAP"):
                self._need(key, t)
            if t <= last_nsf:
                self._need("s", t, "NSF_t applies up to nsf_last_year")
            for key in ("TL", "BAND", "TS"):
                self._need(
                    key, t - 1, f"{'LOSS' if key != 'TS' else 'CS'}_{t} reads the entry of {t - 1}"
                )
        return self

    def _need(self, key: str, year: int, why: str | None = None) -> None:
        val = getattr(self, key)
        if isinstance(val, dict) and year not in val:
            rule = "Notified Value missing for this year" + (f" ({why})" if why else "")
            raise rule_error(rule, key=key, year=year)


def _notified_type(spec: Field, keyed: str) -> Any:
    if keyed == "scalar":
        return Annotated[
            field_type(spec),
            BeforeValidator(not_a_mapping("one number is due, not a mapping by year")),
        ]
    return number_or_by_year(field_type(spec))


#: The Notified Values, one field per entry of ``fields.NOTIFIED_FIELDS``.
Notified = create_model(
    "Notified",
    __base__=_NotifiedRules,
    **{
        key: (
            _notified_type(spec, keyed),
            ... if key in NOTIFIED_REQUIRED else NOTIFIED_DEFAULTS[key],
        )
        for key, (spec, keyed) in NOTIFIED_FIELDS.items()
    },
)


class _RowRules(Schema):
    """Rules between the columns of one row of the year table."""

    @model_validator(mode="after")
    def _row(self):
        if self.ARDR is not None and self.recovery is not None:
            raise rule_error("give ARDR or recovery, not both", key="recovery")
        if (
            self.ARDR is not None
            and self.ARDR_connection is not None
            and self.ARDR_connection > self.ARDR
        ):
            raise rule_error(
                f"ARDR_connection ({self.ARDR_connection:g}) is above ARDR ({self.ARDR:g}): "
                "connection revenue is a part of ARDR_t (paragraph 12(a))",
                key="ARDR_connection",
            )
        if self.RUD is not None and self.RBS is not None and self.RBS < self.RUD:
            raise rule_error(
                f"RBS ({self.RBS:g}) is below RUD ({self.RUD:g}): bulk supplies cannot be "
                "less than units distributed",
                key="RBS",
            )
        return self


def _modelled_columns(value: Any) -> Any:
    # MADR and DB are computed for modelled years: giving them there is an error
    if isinstance(value, dict):
        for col, val in value.items():
            if col in INPUT_FIELDS and col not in MODELLED_ALLOWED and val is not None:
                raise rule_error(
                    f"{col} is not a column of a modelled row"
                    + (" (it is computed)" if col in ("MADR", "DB") else ""),
                    key=col,
                )
    return value


class _ModelledRowRules(_RowRules):
    @model_validator(mode="before")
    @classmethod
    def _only_modelled(cls, value: Any) -> Any:
        return _modelled_columns(value)


_ROW_FIELDS = {
    col: (field_type(spec) | None, None) for col, spec in INPUT_FIELDS.items() if col != "year"
}
#: A row of the year table: the history row may carry every column (a CSV year table has them
#: all; those a history row does not use are ignored), a modelled row only MODELLED_ALLOWED.
HistoryRow = create_model("HistoryRow", __base__=_RowRules, **_ROW_FIELDS)
ModelledRow = create_model("ModelledRow", __base__=_ModelledRowRules, **_ROW_FIELDS)


class CpiSeries(Schema):
    groups: Text
    weights: Text


def _kpi_target(value: float) -> float:
    if value == 0:
        raise rule_error("a KPI target of zero: Deviation = (A - T) / T is undefined")
    if value < 0:
        raise rule_error(f"a KPI target must be above 0, not {value!r}")
    if value > KPI_VALUE_MAX:
        raise rule_error(f"a KPI target must be at most {KPI_VALUE_MAX:g}, not {value!r}")
    return value


def _kpi_weight(value: float) -> float:
    if value < 0:
        raise rule_error(f"a KPI weight cannot be negative ({value:g})")
    if value > 1:
        raise rule_error(f"a KPI weight is a share of the score, at most 1, not {value!r}")
    return value


def _kpi_actual(value: float) -> float:
    if value < 0:
        raise rule_error(f"an actual value cannot be negative ({value:g})")
    if value > KPI_VALUE_MAX:
        raise rule_error(f"an actual value must be at most {KPI_VALUE_MAX:g}, not {value!r}")
    return value


#: The largest KPI target or actual accepted (shares, seconds, counts of calls).
KPI_VALUE_MAX = 1e9


def _allowance(value: float) -> float:
    if value < 0:
        raise rule_error("the allowance cannot be negative")
    if value > MONEY_MAX:
        raise rule_error(f"the allowance must be at most {MONEY_MAX:g} [RO], not {value!r}")
    return value


class Kpi(Schema):
    name: Name
    weight: Annotated[Number, AfterValidator(_kpi_weight)]
    target: Annotated[Number, AfterValidator(_kpi_target)]
    higher_is_better: bool = True


def _kpis(value: Any) -> Any:
    if not isinstance(value, list) or not value:
        raise rule_error("a non-empty list of KPIs is due")
    return value


Allowance = Annotated[Number, AfterValidator(_allowance)]


class CallCentre(Schema):
    kpis: Annotated[list[Kpi], BeforeValidator(_kpis)]
    actuals: dict[Year, dict[str, Annotated[Number, AfterValidator(_kpi_actual)]]] | None = None
    allowance: number_or_by_year(Allowance) | None = None

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo):
        years = info.context["years"]
        names: list[str] = []
        for n, kpi in enumerate(self.kpis, start=1):
            if kpi.name in names:
                raise rule_error(f"duplicate KPI name {kpi.name!r}", key=f"kpis[{n}].name")
            names.append(kpi.name)
        for y, vals in (self.actuals or {}).items():
            if y not in years:
                raise rule_error("actuals for a year that is not modelled", key="actuals", year=y)
            for k in vals:
                if k not in names:
                    raise rule_error(
                        f"unknown key{did_you_mean(k, names)}; allowed: {', '.join(sorted(names))}",
                        key=f"actuals.{k}",
                        year=y,
                    )
            for k in names:
                if k not in vals:
                    raise rule_error(
                        "actual value missing for this KPI", key=f"actuals.{k}", year=y
                    )
        allowance = self.allowances(years)
        for y in self.actuals or {}:
            if y not in allowance:
                raise rule_error(
                    "allowance missing for a year with actuals", key="allowance", year=y
                )
        return self

    def allowances(self, years) -> dict[int, float]:
        if isinstance(self.allowance, dict):
            return dict(self.allowance)
        if self.allowance is None:
            return {}
        return {y: self.allowance for y in years}


def _licence_fee_type(unit: str) -> Any:
    if unit == "fraction":
        return number_or_by_year(
            Annotated[Number, AfterValidator(_between(0.0, 1.0, "a fraction in [0, 1] is due"))]
        )
    return number_or_by_year(
        Annotated[Number, AfterValidator(_between(0.0, MONEY_MAX, "cannot be negative"))]
    )


def _between(lo: float, hi: float, below: str):
    def check(value: float) -> float:
        if value < lo or (hi <= 1.0 and value > hi):
            raise rule_error(below)
        if value > hi:
            raise rule_error(f"must be at most {hi:g}, not {value!r}")
        return value

    return check


class _LicenceFeeRules(Schema):
    @model_validator(mode="after")
    def _spans(self, info: ValidationInfo):
        years = info.context["years"]
        for key, (_, span, _) in LICENCE_FEE_KEYS.items():
            val = getattr(self, key)
            if isinstance(val, dict):
                for y in _span(span, years):
                    if y not in val:
                        raise rule_error("value missing for this year", key=key, year=y)
        return self

    def by_year(self, years) -> dict[str, dict[int, float]]:
        out = {}
        for key, (_, span, _) in LICENCE_FEE_KEYS.items():
            val = getattr(self, key)
            out[key] = {
                y: float(val[y] if isinstance(val, dict) else val) for y in _span(span, years)
            }
        return out


def _span(span: str, years) -> range | list[int]:
    h, last = years[0] - 1, years[-1]
    return {"h..T": range(h, last + 1), "h..T-1": range(h, last), "t": years}[span]


#: Condition 13's inputs, one field per entry of ``fields.LICENCE_FEE_KEYS``.
LicenceFee = create_model(
    "LicenceFee",
    __base__=_LicenceFeeRules,
    **{key: (_licence_fee_type(unit), ...) for key, (unit, _, _) in LICENCE_FEE_KEYS.items()},
)


# --------------------------------------------------------------------------- the builder


class _Builder:
    def __init__(self, data, base_dir, file, path):
        self.data = data
        self.base_dir = base_dir
        self.file = file
        self.path = path
        self.sources: list[Path] = [path] if path is not None else []
        self.inputs_lines: dict[int, int] = {}

    def error(self, rule, key=None, year=None, file=None):
        return ScenarioError(rule, file=file or self.file, key=key, year=year)

    def check(self, model, data, prefix="", *, year=None, file=None, missing=None, years=None):
        return validate(
            model,
            data,
            file=file or self.file,
            prefix=prefix,
            year=year,
            context={"years": years},
            missing=missing or "required key missing",
            cls=ScenarioError,
        )

    def year_value(self, value, key, file=None):
        try:
            return check_year(value)
        except PydanticCustomError as exc:
            raise self.error(exc.context["rule"], key, file=file) from None

    def resolve_path(self, value, key) -> Path:
        if not isinstance(value, str) or not value.strip():
            raise self.error("a file path is due", key)
        p = Path(value)
        if not p.is_absolute() and self.base_dir is not None:
            p = self.base_dir / p
        if p.is_dir():
            raise self.error(f"names a folder, not a file: {value}", key)
        if not p.exists():
            raise self.error(f"file not found: {value}", key)
        if not p.is_file():  # a pipe or a device: its reading could wait or never end
            raise self.error(f"not a regular file (a pipe, a device or a socket): {value}", key)
        self.sources.append(p)
        return p

    # -- the whole --
    def build(self) -> ScenarioFile:
        d = self.data
        if not isinstance(d, dict):
            raise self.error("a scenario file is a mapping of keys (name, years, notified, inputs)")
        top = self.check(ScenarioTop, d)
        years = list(top.years)
        readings = dict(self.check(Interpretation, top.interpretation or {}, "interpretation"))
        if not isinstance(top.notified, dict):
            raise self.error("notified is a mapping of Notified Values", "notified")
        notified_model = self.check(
            Notified,
            top.notified,
            "notified",
            missing="required Notified Value missing",
            years=years,
        )
        notified = {
            k: (dict(v) if isinstance(v := getattr(notified_model, k), dict) else v)
            for k in top.notified
        }
        rows = self.inputs(top.inputs, years)
        links = self.links(top, years)
        call_centre = self.call_centre(top.call_centre, years)
        return ScenarioFile(
            name=top.name,
            years=years,
            first_relevant_year=top.first_relevant_year,
            readings=readings,
            notified=notified,
            call_centre=call_centre,
            rows=rows,
            links=links,
            cpi_forecasts=tuple(top.cpi_forecasts),
            licensee=top.licensee,
            description=top.description,
            path=self.path,
            base_dir=self.base_dir,
            file=self.file,
            inputs_file=self.inputs_file,
            sources=list(dict.fromkeys(self.sources)),
            data=copy.deepcopy(d),
            inputs_lines=dict(self.inputs_lines),
        )

    # -- the year table --
    def inputs(self, value, years) -> dict[int, dict[str, float]]:
        file = self.file
        lines: list[int] = []
        if isinstance(value, str):
            csv_path = self.resolve_path(value, "inputs")
            file = str(csv_path)
            raw_rows, lines = self.read_csv(csv_path)
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
            model = HistoryRow if year == history else ModelledRow
            cells = {k: v for k, v in raw.items() if k != "year"}
            checked = self.check(model, cells, "inputs", year=year, file=file)
            row = {c: getattr(checked, c) for c in cells if getattr(checked, c) is not None}
            rows[year] = row
            if lines:
                self.inputs_lines[year] = lines[n - 1]
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

    def read_csv(self, path: Path) -> tuple[list[dict[str, Any]], list[int]]:
        """The rows of a CSV year table, and the line of each in the file."""
        # the status and source columns of a data file may stand beside the fields (kept for
        # people, never read as numbers)
        allowed = [*INPUT_FIELDS, *TEXT_COLUMNS]
        table = read_csv(path, allowed=allowed, cls=ScenarioError, key_prefix="inputs.")
        rows = []
        for rec in table.records:
            row: dict[str, Any] = {}
            for col, cell in rec.items():
                if cell == "" or col in TEXT_COLUMNS:
                    continue
                row[col] = cell if col == "year" else number_cell(cell)
            rows.append(row)
        return rows, list(table.lines)

    # -- linked files: checked and read here, turned into columns by tariffmodel.model.scenario --
    def links(self, top: ScenarioTop, years) -> Links:
        groups = weights = rates = plan = wpra = None
        if top.cpi_series is not None:
            spec = self.check(CpiSeries, top.cpi_series, "cpi_series")
            groups_csv = self.resolve_path(spec.groups, "cpi_series.groups")
            weights_csv = self.resolve_path(spec.weights, "cpi_series.weights")
            groups = load_cpi_groups(groups_csv)
            weights = load_cpi_weights(weights_csv)
        if top.deposit_rates is not None:
            rates = load_deposit_rates(self.resolve_path(top.deposit_rates, "deposit_rates"))
        if top.amr is not None:
            plan = load_plan(self.resolve_path(top.amr, "amr"))
        if top.wpra is not None:
            wpra = load_wpra(self.resolve_path(top.wpra, "wpra"))
        fee = None
        if top.licence_fee is not None:
            fee = self.check(
                LicenceFee, top.licence_fee, "licence_fee", missing="required", years=years
            ).by_year(years)
        return Links(
            cpi_groups=groups,
            cpi_weights=weights,
            deposit_rates=rates,
            amr_plan=plan,
            amr_loss_reduction=top.amr_loss_reduction,
            wpra=wpra,
            licence_fee=fee,
        )

    def call_centre(self, value, years):
        if value is None:
            return None
        cc = self.check(CallCentre, value, "call_centre", missing="required", years=years)
        return {
            "allowance": cc.allowances(years),
            "kpis": [k.model_dump() for k in cc.kpis],
            "actuals": {y: dict(v) for y, v in (cc.actuals or {}).items()},
        }

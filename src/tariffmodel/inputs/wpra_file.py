"""The capex verification file of WPRA_t (Schedule 2, footnote 3): reading and checking it.

The format is in ``docs/amr.md``; every rule broken raises
:class:`~tariffmodel.inputs.errors.InputError` naming the file, the key, the year and the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BeforeValidator, Discriminator, Tag, model_validator

from tariffmodel.inputs.errors import InputError
from tariffmodel.inputs.schema import (
    PLAN_YEAR_MAX,
    PLAN_YEAR_MIN,
    Amount,
    Life,
    Name,
    PlanYear,
    Rate,
    Schema,
    Text,
    WholeNumber,
    amount,
    check_year,
    rule_error,
    validate,
)
from tariffmodel.inputs.yamlio import read_yaml_mapping
from tariffmodel.licence.wpra import WPRA_PERIOD

TOP_KEYS = (
    "name",
    "status",
    "period",
    "wacc",
    "life",
    "roll_forward",
    "provisional_capex",
    "determinations",
    "source",
)
VINTAGE_KEYS = ("amount", "life", "source")
DETERMINATION_KEYS = ("year", "vintage", "share", "source")


@dataclass(frozen=True)
class Vintage:
    """Provisional capex of one year [RO] and its asset life [years]."""

    year: int
    amount: float
    life: int


@dataclass(frozen=True)
class Determination:
    """The Authority's determination in ``year`` recognising ``share`` of ``vintage``."""

    year: int
    vintage: int
    share: float


@dataclass(frozen=True, eq=False)
class WpraFile:
    """A checked capex verification file. Build it with :func:`load_wpra`."""

    name: str
    file: str
    first_year: int
    last_year: int
    wacc: float
    roll_forward: bool
    vintages: tuple[Vintage, ...]
    determinations: tuple[Determination, ...]
    path: Path | None = None

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.first_year, self.last_year + 1)


# --------------------------------------------------------------------------- the schema


def _period(value: Any) -> Any:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise rule_error("must be [first year, last year]")
    lo, hi = (check_year(y, PLAN_YEAR_MIN, PLAN_YEAR_MAX) for y in value)
    if hi < lo:
        raise rule_error(f"the last year {hi} is before the first {lo}", year=hi)
    first, last = WPRA_PERIOD
    for year in (lo, hi):
        if not first <= year <= last:
            raise rule_error(
                f"must lie within {first}-{last}: the licence provides WPRA for the price control "
                f"period {first}-{last} only, reconciled within it (Schedule 2, footnote 3)",
                year=year,
            )
    return (lo, hi)


def _capex(value: Any) -> Any:
    if not isinstance(value, Mapping) or not value:
        raise rule_error("must be a non-empty mapping {year: amount}")
    return value


def _determinations(value: Any) -> Any:
    if value is None:
        return []
    if not isinstance(value, list):
        raise rule_error("must be a list of {year, vintage, share}")
    return value


class VintageSpec(Schema):
    """Provisional capex of one year as written: an amount, and a life unless the default."""

    amount: Amount
    life: Life | None = None
    source: Text | None = None


class DeterminationSpec(Schema):
    """A determination as written."""

    year: PlanYear
    vintage: WholeNumber
    share: amount(minimum=None)
    source: Text | None = None

    @model_validator(mode="wrap")
    @classmethod
    def _share(cls, data: Any, handler):
        det = handler(data)
        if not 0.0 <= det.share <= 1.0:
            share = data.get("share") if isinstance(data, Mapping) else det.share
            raise rule_error(
                f"the share recognised must be between 0 and 1, got {share!r}",
                key="share",
                year=det.year,
            )
        return det


#: Provisional capex of a year: an amount, or a mapping with the amount and a life.
_Spent = Annotated[
    Annotated[VintageSpec, Tag("<vintage>")] | Annotated[Amount, Tag("<amount>")],
    Discriminator(lambda v: "<vintage>" if isinstance(v, Mapping | VintageSpec) else "<amount>"),
]


class WpraSpec(Schema):
    """A capex verification file as written."""

    name: Name
    status: Any = None
    period: Annotated[tuple[int, int], BeforeValidator(_period)]
    wacc: Rate
    life: Life | None = None
    roll_forward: bool = False
    provisional_capex: Annotated[dict[PlanYear, _Spent], BeforeValidator(_capex)]
    determinations: Annotated[list[DeterminationSpec], BeforeValidator(_determinations)] = []
    source: Text | None = None

    @model_validator(mode="after")
    def _vintages(self):
        spent: dict[int, float] = {}
        for year, spec in self.provisional_capex.items():
            if isinstance(spec, VintageSpec):
                amount, life = spec.amount, spec.life if spec.life is not None else self.life
            else:
                amount, life = spec, self.life
            if life is None:
                raise rule_error(
                    "has no life: give life here or a default life",
                    key=f"provisional_capex.{year}.life",
                    year=year,
                )
            spent[year] = amount
        done: dict[int, int] = {}
        for n, det in enumerate(self.determinations, start=1):
            key, year, vintage = f"determinations[{n}]", det.year, det.vintage
            if not spent.get(vintage):
                spent_years = ", ".join(str(y) for y, x in spent.items() if x) or "none"
                raise rule_error(
                    f"determines vintage {vintage}, but no provisional capex was spent in "
                    f"{vintage} (spent: {spent_years})",
                    key=f"{key}.vintage",
                    year=year,
                )
            if year <= vintage:
                raise rule_error(
                    f"a determination must come after the year its capex was spent ({vintage})",
                    key=f"{key}.year",
                    year=year,
                )
            if vintage in done:
                raise rule_error(
                    f"vintage {vintage} is already determined in {done[vintage]}",
                    key=f"{key}.vintage",
                    year=year,
                )
            done[vintage] = year
        return self


assert set(WpraSpec.model_fields) == set(TOP_KEYS), "TOP_KEYS and WpraSpec disagree"


def _span(data: Mapping) -> tuple[int, int] | None:
    """The file's period when it is valid, else None (the schema then says what is wrong)."""
    try:
        return _period(data.get("period"))
    except ValueError:
        return None


def wpra_from_dict(data: Mapping, *, file: str = "<memory>") -> WpraFile:
    """Check a capex verification file given as a mapping and build a WpraFile."""
    if not isinstance(data, Mapping):
        raise InputError("must be a YAML mapping at the top level", file=file)
    spec = validate(WpraSpec, data, file=file, context={"span": _span(data)}, missing="is required")
    vintages = []
    for year, v in spec.provisional_capex.items():
        if isinstance(v, VintageSpec):
            vintages.append(Vintage(year, v.amount, v.life if v.life is not None else spec.life))
        else:
            vintages.append(Vintage(year, v, spec.life))
    dets = {d.vintage: Determination(d.year, d.vintage, d.share) for d in spec.determinations}
    lo, hi = spec.period
    return WpraFile(
        name=spec.name,
        file=file,
        first_year=lo,
        last_year=hi,
        wacc=spec.wacc,
        roll_forward=spec.roll_forward,
        vintages=tuple(sorted(vintages, key=lambda v: v.year)),
        determinations=tuple(sorted(dets.values(), key=lambda x: x.vintage)),
    )


def load_wpra(path: str | Path) -> WpraFile:
    """Read and check a capex verification file (YAML); InputError names file, key, year."""
    p = Path(path)
    return replace(wpra_from_dict(read_yaml_mapping(p), file=str(p)), path=p)

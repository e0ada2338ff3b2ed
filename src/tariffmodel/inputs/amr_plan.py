"""The AMR plan file: reading and checking it.

A plan file (YAML) states a smart-metering (Automated Meter Reading) programme as a regulator
and a licensee would cost it: roll-out, capex by asset class with lives, opex (including the
obligations of the metering cyber security regulation), the WACC and the benefits. The format is
documented in ``docs/amr.md``. Every rule broken raises :class:`tariffmodel.inputs.errors.InputError`
naming the file, the key, the year where it applies and the rule.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationInfo, model_validator
from pydantic import Field as Key

from tariffmodel.inputs.errors import InputError, did_you_mean
from tariffmodel.inputs.schema import (
    Amount,
    Life,
    Name,
    PlanYear,
    PositiveAmount,
    Rate,
    Schema,
    Text,
    Year,
    amount,
    check_year,
    number_or_year_map,
    rate,
    rule_error,
    validate,
    year_map,
)
from tariffmodel.inputs.sources import STATUSES
from tariffmodel.inputs.yamlio import read_yaml_mapping
from tariffmodel.licence.amr import CONVENTIONS

#: A loss reduction at or above this [fraction of bulk supplies] looks like percentage points.
LOSS_REDUCTION_LIMIT = 0.1

TOP_KEYS = (
    "name",
    "status",
    "currency",
    "first_year",
    "horizon_end",
    "run_off",
    "wacc",
    "convention",
    "levelise",
    "escalation",
    "exchange_rates",
    "accounts",
    "rollout",
    "capex",
    "opex",
    "cyber_security",
    "benefits",
    "opening",
    "sources",
)
OPENING_KEYS = ("recovered_in", "life", "why", "vintages")
VINTAGE_KEYS = ("meters", "rav", "status", "source")
#: Where the capital of the meters installed before the plan's first year is recovered.
RECOVERED_IN = ("amr", "elsewhere")
CAPEX_KEYS = ("unit_cost", "amounts", "share", "life", "currency", "source")
OPEX_KEYS = ("per_meter_year", "per_year", "amounts", "from", "until", "currency", "source")
CYBER_KEYS = (
    "effective_date",
    "isms_certification",
    "security_audit",
    "supplier_assurance",
    "currency",
    "source",
)
BENEFIT_KEYS = (
    "manual_read_per_meter_year",
    "estimated_bills_per_meter_year",
    "loss_reduction",
    "bulk_supplies_kwh",
    "baseline_losses",
    "loss_energy_price",
    "p",
    "source",
)


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class CapexClass:
    """One asset class: either a unit cost per meter installed or amounts by year, in RO."""

    name: str
    life: int
    unit_cost: float = 0.0  # [RO per meter installed], after exchange
    share: float = 1.0  # [fraction] of installed meters that get one
    amounts: Mapping[int, float] = field(default_factory=dict)  # [RO] by year, after exchange
    source: str | None = None


@dataclass(frozen=True)
class OpexItem:
    """One operating cost: per meter in service per year, per year, or amounts by year, in RO."""

    name: str
    per_meter_year: float = 0.0
    per_year: float = 0.0
    amounts: Mapping[int, float] = field(default_factory=dict)
    first: int | None = None
    last: int | None = None
    source: str | None = None


@dataclass(frozen=True)
class CyberSecurity:
    """Costs of the metering cyber security regulation (paragraphs 2.2.1-2.2.9), in RO."""

    effective_date: _dt.date
    isms_certification: float  # one-off, in the 12 months after the effective date
    security_audit: float  # per year, from certification (effective date + 12 months)
    supplier_assurance: float  # per year, from the effective date
    source: str | None = None


@dataclass(frozen=True)
class OpeningVintage:
    """Meters installed in one year before the plan's first year."""

    year: int
    meters: float  # [meters]
    rav: float | None  # [RO] its regulatory asset value at the start of the first year
    status: str
    source: str


@dataclass(frozen=True)
class Opening:
    """Where the roll-out stands at the start of the price control.

    ``recovered_in`` says where the capital of these meters is recovered: ``amr`` (each
    vintage's ``rav`` enters AMR_t, depreciated over the rest of its ``life``) or ``elsewhere``
    (already in DB_t or never charged: AMR_t carries none of it). Either way the meters count as
    in service (operating costs, accounts) and are replaced at the end of their life.
    """

    recovered_in: str
    life: int  # [years] of the meters installed before the first year
    vintages: tuple[OpeningVintage, ...]
    why: str | None = None

    @property
    def meters(self) -> float:
        return float(sum(v.meters for v in self.vintages))


@dataclass(frozen=True)
class Benefits:
    """What the programme saves, kept apart from the allowance."""

    manual_read_per_meter_year: float = 0.0  # [RO per meter-year]
    estimated_bills_per_meter_year: float = 0.0  # [RO per meter-year]
    loss_reduction_full: float | None = 0.0  # [fraction of RBS] at full roll-out
    loss_reduction_by_year: Mapping[int, float] = field(default_factory=dict)
    bulk_supplies_kwh: Mapping[int, float] = field(default_factory=dict)
    baseline_losses: float = 0.0  # [fraction]
    loss_energy_price: float = 0.0  # [RO per kWh]
    p: float = 0.0  # [RO per kWh], p_t of paragraph 1b
    source: str | None = None


@dataclass(frozen=True, eq=False)
class AmrPlan:
    """A checked AMR plan. Build it with :func:`load_plan` or :func:`plan_from_dict`.

    Compared and hashed by identity (derived arrays are cached per plan object)."""

    name: str
    file: str
    first_year: int
    horizon_end: int
    run_off: bool
    wacc: float
    convention: str
    levelise: bool
    escalation: float
    accounts: Mapping[int, float]
    rollout: Mapping[int, float]
    capex: tuple[CapexClass, ...]
    opex: tuple[OpexItem, ...]
    cyber: CyberSecurity | None
    benefits: Benefits
    exchange_rates: Mapping[str, float]
    sources: Mapping[str, str]
    path: Path | None = None
    opening: Opening | None = None

    @property
    def class_names(self) -> list[str]:
        return [c.name for c in self.capex]

    @property
    def opex_names(self) -> list[str]:
        names = [o.name for o in self.opex]
        if self.cyber is not None:
            names += ["isms_certification", "security_audit", "supplier_assurance"]
        return names

    @property
    def total_meters(self) -> float:
        """Meters the plan installs (its roll-out), the opening position left out."""
        return float(sum(self.rollout.values()))

    @property
    def opening_meters(self) -> float:
        """Meters installed before the first year [meters]."""
        return 0.0 if self.opening is None else self.opening.meters


def check_convention(value: Any, file: str) -> str:
    """A capitalisation convention of :data:`tariffmodel.licence.amr.CONVENTIONS`."""
    if value not in CONVENTIONS:
        raise InputError(_convention_rule(value), file=file, key="convention")
    return value


def _convention_rule(value: Any) -> str:
    return (
        f"unknown convention {value!r}{did_you_mean(str(value), CONVENTIONS)}; "
        f"allowed: {', '.join(CONVENTIONS)}"
    )


# --------------------------------------------------------------------------- the schema


def _convention(value: Any) -> Any:
    if value not in CONVENTIONS:
        raise rule_error(_convention_rule(value))
    return value


def _date(value: Any) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return _dt.date(value, 1, 1)
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise rule_error(f"must be a date YYYY-MM-DD or a year, got {value!r}") from None


def _share(value: Any, x: float) -> float:
    if x > 1:
        raise rule_error(f"a share of meters must be between 0 and 1, got {value!r}")
    return x


def _price(value: Any, x: float) -> float:
    """A price [RO per kWh]: above 1 it was written in baisa (1 RO = 1,000 baisa), as the
    scenario format's p is."""
    if x > 1.0:
        raise rule_error(
            f"a price in RO per kWh is at most 1, not {value!r}: in baisa? write {x / 1000!r}"
        )
    return x


def _loss(value: Any, x: float) -> float:
    if x >= LOSS_REDUCTION_LIMIT:
        raise rule_error(
            f"must be a fraction of bulk supplies (0.004 for 0.4 percentage points), "
            f"got {value!r}, which looks like percentage points"
        )
    return x


def _mapping_of(what: str, *, empty: bool = False):
    """A before-validator: a mapping (non-empty unless ``empty``) with text keys."""

    def check(value: Any) -> Any:
        if not isinstance(value, Mapping) or (not empty and not value):
            raise rule_error(what)
        return {str(k): v for k, v in value.items()}

    return check


def _sources(value: Any) -> Any:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise rule_error("must be a mapping {key: source}")
    for k in value:
        if str(k) not in TOP_KEYS:
            raise rule_error(
                f"unknown key{did_you_mean(str(k), TOP_KEYS)}; allowed: {', '.join(sorted(TOP_KEYS))}",
                key=str(k),
            )
    return {str(k): str(v) for k, v in value.items()}


def _currency(value: Any) -> Any:
    if value not in ("RO", "OMR"):
        raise rule_error(f"plan figures are in RO (Omani Rial); got {value!r}")
    return value


Price = amount(_price)
LossReduction = amount(_loss)
Currency = Text


class _Priced(Schema):
    """A section whose figures may be in a currency of ``exchange_rates``."""

    currency: Currency = "RO"

    def fx(self, rates: Mapping[str, float]) -> float:
        """RO per unit of this section's currency (1 for RO)."""
        return 1.0 if self.currency in ("RO", "OMR") else rates[self.currency]

    @model_validator(mode="after")
    def _known_currency(self, info: ValidationInfo):
        rates = (info.context or {}).get("rates")
        if rates is not None and self.currency not in ("RO", "OMR") and self.currency not in rates:
            raise rule_error(
                f"currency {self.currency!r} has no rate in exchange_rates (RO per unit); "
                f"known: {', '.join(['RO', *sorted(rates)])}",
                key="currency",
            )
        return self


class CapexSpec(_Priced):
    """An asset class as written: a unit cost per meter installed or amounts by year."""

    unit_cost: Amount = 0.0
    amounts: year_map() | None = None
    share: amount(_share) = 1.0
    life: Life
    source: Text | None = None

    @model_validator(mode="after")
    def _one_cost(self):
        if ("unit_cost" in self.model_fields_set) == ("amounts" in self.model_fields_set):
            raise rule_error("give exactly one of unit_cost (per meter) or amounts ({year: cost})")
        return self


class OpexSpec(_Priced):
    """An operating cost as written: per meter in service per year, per year, or by year."""

    per_meter_year: Amount = 0.0
    per_year: Amount = 0.0
    amounts: year_map() | None = None
    first: PlanYear | None = Key(None, alias="from")
    last: PlanYear | None = Key(None, alias="until")
    source: Text | None = None

    @model_validator(mode="after")
    def _one_kind(self):
        kinds = [k for k in ("per_meter_year", "per_year", "amounts") if k in self.model_fields_set]
        if len(kinds) != 1:
            raise rule_error("give exactly one of per_meter_year, per_year or amounts")
        if self.first is not None and self.last is not None and self.last < self.first:
            raise rule_error(
                f"until ({self.last}) is before from ({self.first})", key="until", year=self.last
            )
        return self


class CyberSpec(_Priced):
    """The costs of the metering cyber security regulation as written."""

    effective_date: Annotated[_dt.date, BeforeValidator(_date)]
    isms_certification: Amount
    security_audit: Amount
    supplier_assurance: Amount
    source: Text | None = None

    @model_validator(mode="after")
    def _in_plan(self, info: ValidationInfo):
        span = (info.context or {}).get("span")
        if span is not None and not span[0] <= self.effective_date.year <= span[1]:
            raise rule_error(
                f"the effective date must fall in the plan's years {span[0]}-{span[1]}",
                key="effective_date",
                year=self.effective_date.year,
            )
        return self


class BenefitsSpec(Schema):
    """What the programme saves, as written."""

    manual_read_per_meter_year: Amount = 0.0
    estimated_bills_per_meter_year: Amount = 0.0
    loss_reduction: number_or_year_map(LossReduction) = 0.0
    bulk_supplies_kwh: number_or_year_map(Amount) = 0.0
    baseline_losses: rate(1.0) = 0.0
    loss_energy_price: Price = 0.0
    p: Price = 0.0
    source: Text | None = None

    @model_validator(mode="after")
    def _bulk_supplies(self):
        lr, rbs = self.loss_reduction, self.bulk_supplies_kwh
        saves = any(lr.values()) if isinstance(lr, dict) else bool(lr)
        given = any(rbs.values()) if isinstance(rbs, dict) else bool(rbs)
        if saves and not given:
            raise rule_error(
                "is required (and above 0) when loss_reduction is given", key="bulk_supplies_kwh"
            )
        return self


def _opening_status(value: Any) -> Any:
    if value not in STATUSES:
        raise rule_error(
            f"status {value!r} is not one of {', '.join(STATUSES)}{did_you_mean(value, STATUSES)}"
        )
    return value


class VintageSpec(Schema):
    """Meters installed in one year before the first year, with what they are and whence."""

    meters: PositiveAmount
    rav: Amount | None = None
    status: Annotated[str, BeforeValidator(_opening_status)]
    source: Text


def _recovered_in(value: Any) -> Any:
    if value not in RECOVERED_IN:
        raise rule_error(
            f"{value!r} is not one of {', '.join(RECOVERED_IN)} (where the capital of the meters "
            "installed before the first year is recovered)"
        )
    return value


class OpeningSpec(Schema):
    """The opening position: meters installed by vintage and where their capital is recovered."""

    recovered_in: Annotated[str, BeforeValidator(_recovered_in)]
    life: Life
    why: Text | None = None
    vintages: Annotated[
        dict[Year, VintageSpec],
        BeforeValidator(_mapping_of("must be a non-empty mapping {year: vintage}")),
    ]

    @model_validator(mode="after")
    def _rav_once(self):
        # the capital of a vintage is recovered in one place only: a rav under `elsewhere`
        # would be silently dropped, a missing one under `amr` silently zero
        for year, v in self.vintages.items():
            if self.recovered_in == "elsewhere" and v.rav is not None:
                raise rule_error(
                    "rav given but recovered_in is elsewhere: the capital of these meters is "
                    "recovered outside AMR_t (in DB_t); give recovered_in: amr to recover it in "
                    "AMR_t instead, never both",
                    key=f"vintages.{year}.rav",
                    year=year,
                )
            if self.recovered_in == "amr" and v.rav is None:
                raise rule_error(
                    "recovered_in is amr: every vintage needs its rav (RO at the start of the "
                    "first year), labelled by its status",
                    key=f"vintages.{year}.rav",
                    year=year,
                )
        return self


class PlanSpec(Schema):
    """An AMR plan file as written (figures in the currencies given)."""

    name: Name
    status: Any = None
    currency: Annotated[str, BeforeValidator(_currency)] = "RO"
    first_year: PlanYear
    horizon_end: PlanYear
    run_off: bool = True
    wacc: Rate
    convention: Annotated[str, BeforeValidator(_convention)] = "year_end"
    levelise: bool = False
    escalation: Rate = 0.0
    exchange_rates: Annotated[
        dict[str, PositiveAmount],
        BeforeValidator(_mapping_of("must be a mapping {currency: RO per unit}", empty=True)),
    ] = Key(default_factory=dict)
    accounts: number_or_year_map(Amount)
    rollout: year_map(Amount)
    capex: Annotated[
        dict[str, CapexSpec],
        BeforeValidator(_mapping_of("must be a non-empty mapping of asset classes")),
    ]
    opex: Annotated[
        dict[str, OpexSpec],
        BeforeValidator(
            _mapping_of("must be a non-empty mapping of operating costs (leave opex out for none)")
        ),
    ] = Key(default_factory=dict)
    cyber_security: CyberSpec | None = None
    benefits: Annotated[BenefitsSpec, BeforeValidator(lambda v: {} if v is None else v)] = Key(
        default_factory=BenefitsSpec
    )
    opening: OpeningSpec | None = None
    sources: Annotated[dict[str, str], BeforeValidator(_sources)] = Key(default_factory=dict)

    @model_validator(mode="after")
    def _plan(self):
        lo, hi = self.first_year, self.horizon_end
        if hi < lo:
            raise rule_error(
                f"horizon_end ({hi}) is before first_year ({lo})", key="horizon_end", year=hi
            )
        accounts = self.accounts_by_year()
        if lo not in accounts:
            raise rule_error(
                f"must give the accounts of the first year {lo}", key="accounts", year=lo
            )
        opening = 0.0
        if self.opening is not None:
            for year, v in self.opening.vintages.items():
                if year >= lo:
                    raise rule_error(
                        f"an opening vintage is installed before the first year {lo}",
                        key=f"opening.vintages.{year}",
                        year=year,
                    )
                if self.opening.recovered_in == "amr" and year + self.opening.life <= lo:
                    if v.rav:
                        raise rule_error(
                            f"meters of {year} with a life of {self.opening.life} years are fully "
                            f"depreciated by {lo}: their rav must be 0",
                            key=f"opening.vintages.{year}.rav",
                            year=year,
                        )
            opening = sum(v.meters for v in self.opening.vintages.values())
        # Cumulative installs may not pass the customer accounts of their year.
        installed, held = opening, accounts[lo]
        for y in range(lo, hi + 1):
            held = accounts.get(y, held)
            installed += self.rollout.get(y, 0.0)
            if installed > held:
                raise rule_error(
                    f"the roll-out (with the opening position) has installed {installed:,.0f} "
                    "meters by the end of the year, "
                    f"more than the {held:,.0f} customer accounts",
                    key="rollout",
                    year=y,
                )
        return self

    def accounts_by_year(self) -> dict[int, float]:
        if isinstance(self.accounts, dict):
            return dict(self.accounts)
        return {self.first_year: self.accounts}


assert set(PlanSpec.model_fields) == set(TOP_KEYS), "TOP_KEYS and PlanSpec disagree"


def _span(data: Mapping) -> tuple[int, int] | None:
    """The plan's years (first_year, horizon_end) when both are years in order, else None
    (the schema then says what is wrong with them)."""
    try:
        lo, hi = check_year(data.get("first_year")), check_year(data.get("horizon_end"))
    except ValueError:
        return None
    return (lo, hi) if lo <= hi else None


def _rates(data: Mapping) -> dict[str, Any] | None:
    rates = data.get("exchange_rates", {})
    return {str(c): x for c, x in rates.items()} if isinstance(rates, Mapping) else None


# --------------------------------------------------------------------------- the plan built


def plan_from_dict(data: Mapping, *, file: str = "<memory>") -> AmrPlan:
    """Check a plan given as a mapping (the content of a plan file) and build an AmrPlan."""
    if not isinstance(data, Mapping):
        raise InputError("must be a YAML mapping at the top level", file=file)
    spec = validate(
        PlanSpec,
        data,
        file=file,
        context={"span": _span(data), "rates": _rates(data)},
        missing="is required",
    )
    rates = dict(spec.exchange_rates)

    def by_year(amounts, fx):
        return {y: x * fx for y, x in (amounts or {}).items()}

    capex = tuple(
        CapexClass(
            name,
            c.life,
            c.unit_cost * (fx := c.fx(rates)),
            c.share,
            by_year(c.amounts, fx),
            c.source,
        )
        for name, c in spec.capex.items()
    )
    opex = tuple(
        OpexItem(
            name,
            per_meter_year=o.per_meter_year * (fx := o.fx(rates)),
            per_year=o.per_year * fx,
            amounts=by_year(o.amounts, fx),
            first=o.first,
            last=o.last,
            source=o.source,
        )
        for name, o in spec.opex.items()
    )
    cyber = None
    if (c := spec.cyber_security) is not None:
        fx = c.fx(rates)
        cyber = CyberSecurity(
            c.effective_date,
            c.isms_certification * fx,
            c.security_audit * fx,
            c.supplier_assurance * fx,
            source=c.source,
        )
    b = spec.benefits
    lr, rbs = b.loss_reduction, b.bulk_supplies_kwh
    benefits = Benefits(
        manual_read_per_meter_year=b.manual_read_per_meter_year,
        estimated_bills_per_meter_year=b.estimated_bills_per_meter_year,
        loss_reduction_full=None if isinstance(lr, dict) else lr,
        loss_reduction_by_year=dict(lr) if isinstance(lr, dict) else {},
        bulk_supplies_kwh=dict(rbs) if isinstance(rbs, dict) else {spec.first_year: rbs},
        baseline_losses=b.baseline_losses,
        loss_energy_price=b.loss_energy_price,
        p=b.p,
        source=b.source,
    )
    opening = None
    if (o := spec.opening) is not None:
        opening = Opening(
            recovered_in=o.recovered_in,
            life=o.life,
            why=o.why,
            vintages=tuple(
                OpeningVintage(y, v.meters, v.rav, v.status, v.source)
                for y, v in sorted(o.vintages.items())
            ),
        )
    return AmrPlan(
        name=spec.name,
        file=file,
        first_year=spec.first_year,
        horizon_end=spec.horizon_end,
        run_off=spec.run_off,
        wacc=spec.wacc,
        convention=spec.convention,
        levelise=spec.levelise,
        escalation=spec.escalation,
        accounts=spec.accounts_by_year(),
        rollout=dict(spec.rollout),
        capex=capex,
        opex=opex,
        cyber=cyber,
        benefits=benefits,
        exchange_rates=rates,
        sources=dict(spec.sources),
        opening=opening,
    )


def load_plan(path: str | Path) -> AmrPlan:
    """Read and check an AMR plan file (YAML); raises InputError naming file, key and year."""
    p = Path(path)
    return replace(plan_from_dict(read_yaml_mapping(p), file=str(p)), path=p)

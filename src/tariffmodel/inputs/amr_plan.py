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
from typing import Any

from tariffmodel.inputs.checks import Checker
from tariffmodel.inputs.errors import InputError, did_you_mean, unknown_key_error
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
    "sources",
)
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
        return float(sum(self.rollout.values()))


def check_convention(value: Any, file: str) -> str:
    """A capitalisation convention of :data:`tariffmodel.licence.amr.CONVENTIONS`."""
    if value not in CONVENTIONS:
        raise InputError(
            f"unknown convention {value!r}{did_you_mean(str(value), CONVENTIONS)}; "
            f"allowed: {', '.join(CONVENTIONS)}",
            file=file,
            key="convention",
        )
    return value


def _date(ck: Checker, value: Any, key: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return _dt.date(value, 1, 1)
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise ck.error(f"must be a date YYYY-MM-DD or a year, got {value!r}", key) from None


def _money(ck: Checker, spec: Mapping, rates: Mapping[str, float], key: str) -> float:
    """RO per unit of the currency named in ``spec`` (1 for RO)."""
    cur = spec.get("currency", "RO")
    if cur in ("RO", "OMR"):
        return 1.0
    if cur not in rates:
        raise ck.error(
            f"currency {cur!r} has no rate in exchange_rates (RO per unit); "
            f"known: {', '.join(['RO', *sorted(rates)])}",
            f"{key}.currency",
        )
    return rates[cur]


def _source(ck: Checker, spec: Mapping, key: str) -> str | None:
    return ck.text(spec["source"], f"{key}.source") if "source" in spec else None


def _capex_class(ck, name, spec, rates, lo, hi) -> CapexClass:
    key = f"capex.{name}"
    spec = ck.keys(spec, CAPEX_KEYS, key, required=("life",))
    if ("unit_cost" in spec) == ("amounts" in spec):
        raise ck.error("give exactly one of unit_cost (per meter) or amounts ({year: cost})", key)
    fx = _money(ck, spec, rates, key)
    life = ck.life(spec["life"], f"{key}.life")
    share = ck.number(spec.get("share", 1.0), f"{key}.share")
    if share > 1:
        raise ck.error(f"a share of meters must be between 0 and 1, got {share!r}", f"{key}.share")
    unit = ck.number(spec.get("unit_cost", 0.0), f"{key}.unit_cost") * fx
    amounts = {}
    if "amounts" in spec:
        amounts = {
            y: x * fx for y, x in ck.year_map(spec["amounts"], f"{key}.amounts", lo, hi).items()
        }
    return CapexClass(name, life, unit, share, amounts, _source(ck, spec, key))


def _opex_item(ck, name, spec, rates, lo, hi) -> OpexItem:
    key = f"opex.{name}"
    spec = ck.keys(spec, OPEX_KEYS, key)
    kinds = [k for k in ("per_meter_year", "per_year", "amounts") if k in spec]
    if len(kinds) != 1:
        raise ck.error("give exactly one of per_meter_year, per_year or amounts", key)
    fx = _money(ck, spec, rates, key)
    first = ck.year(spec["from"], f"{key}.from", lo, hi) if "from" in spec else None
    last = ck.year(spec["until"], f"{key}.until", lo, hi) if "until" in spec else None
    if first is not None and last is not None and last < first:
        raise ck.error(f"until ({last}) is before from ({first})", f"{key}.until", last)
    amounts = {}
    if "amounts" in spec:
        amounts = {
            y: x * fx for y, x in ck.year_map(spec["amounts"], f"{key}.amounts", lo, hi).items()
        }
    return OpexItem(
        name,
        per_meter_year=ck.number(spec.get("per_meter_year", 0.0), f"{key}.per_meter_year") * fx,
        per_year=ck.number(spec.get("per_year", 0.0), f"{key}.per_year") * fx,
        amounts=amounts,
        first=first,
        last=last,
        source=_source(ck, spec, key),
    )


def _cyber(ck, spec, rates, lo, hi) -> CyberSecurity:
    key = "cyber_security"
    spec = ck.keys(
        spec,
        CYBER_KEYS,
        key,
        required=("effective_date", "isms_certification", "security_audit", "supplier_assurance"),
    )
    fx = _money(ck, spec, rates, key)
    eff = _date(ck, spec["effective_date"], f"{key}.effective_date")
    if not lo <= eff.year <= hi:
        raise ck.error(
            f"the effective date must fall in the plan's years {lo}-{hi}",
            f"{key}.effective_date",
            eff.year,
        )
    return CyberSecurity(
        eff,
        *(ck.number(spec[k], f"{key}.{k}") * fx for k in CYBER_KEYS[1:4]),
        source=_source(ck, spec, key),
    )


def _price_per_kwh(ck, value, key) -> float:
    """A price [RO per kWh]: above 1 it was written in baisa (1 RO = 1,000 baisa), as the
    scenario format's p is."""
    x = ck.number(value, key)
    if x > 1.0:
        raise ck.error(
            f"a price in RO per kWh is at most 1, not {value!r}: in baisa? write {x / 1000!r}", key
        )
    return x


def _benefits(ck, spec, lo, hi) -> Benefits:
    key = "benefits"
    spec = ck.keys(spec, BENEFIT_KEYS, key)

    def loss(x, k, y=None):
        v = ck.number(x, k, y)
        if v >= LOSS_REDUCTION_LIMIT:
            raise ck.error(
                f"must be a fraction of bulk supplies (0.004 for 0.4 percentage points), "
                f"got {x!r}, which looks like percentage points",
                k,
                y,
            )
        return v

    lr = spec.get("loss_reduction", 0.0)
    full, by_year = None, {}
    if isinstance(lr, Mapping):
        by_year = ck.year_map(lr, f"{key}.loss_reduction", lo, hi, check=loss)
    else:
        full = loss(lr, f"{key}.loss_reduction")
    rbs = spec.get("bulk_supplies_kwh", 0.0)
    if isinstance(rbs, Mapping):
        rbs_map = ck.year_map(rbs, f"{key}.bulk_supplies_kwh", lo, hi)
    else:
        rbs_map = {lo: ck.number(rbs, f"{key}.bulk_supplies_kwh")}
    if (full or any(by_year.values())) and not any(rbs_map.values()):
        raise ck.error(
            "is required (and above 0) when loss_reduction is given", "benefits.bulk_supplies_kwh"
        )
    baseline = ck.rate(spec.get("baseline_losses", 0.0), f"{key}.baseline_losses", limit=1.0)
    return Benefits(
        manual_read_per_meter_year=ck.number(
            spec.get("manual_read_per_meter_year", 0.0), f"{key}.manual_read_per_meter_year"
        ),
        estimated_bills_per_meter_year=ck.number(
            spec.get("estimated_bills_per_meter_year", 0.0), f"{key}.estimated_bills_per_meter_year"
        ),
        loss_reduction_full=full,
        loss_reduction_by_year=by_year,
        bulk_supplies_kwh=rbs_map,
        baseline_losses=baseline,
        loss_energy_price=_price_per_kwh(
            ck, spec.get("loss_energy_price", 0.0), f"{key}.loss_energy_price"
        ),
        p=_price_per_kwh(ck, spec.get("p", 0.0), f"{key}.p"),
        source=_source(ck, spec, key),
    )


def plan_from_dict(data: Mapping, *, file: str = "<memory>") -> AmrPlan:
    """Check a plan given as a mapping (the content of a plan file) and build an AmrPlan."""
    ck = Checker(file)
    d = ck.keys(
        data,
        TOP_KEYS,
        "",
        required=("name", "first_year", "horizon_end", "wacc", "accounts", "rollout", "capex"),
    )
    cur = d.get("currency", "RO")
    if cur not in ("RO", "OMR"):
        raise ck.error(f"plan figures are in RO (Omani Rial); got {cur!r}", "currency")
    lo = ck.year(d["first_year"], "first_year")
    hi = ck.year(d["horizon_end"], "horizon_end")
    if hi < lo:
        raise ck.error(f"horizon_end ({hi}) is before first_year ({lo})", "horizon_end", hi)
    conv = check_convention(d.get("convention", "year_end"), file)
    for flag in ("run_off", "levelise"):
        if flag in d and not isinstance(d[flag], bool):
            raise ck.error(f"must be true or false, got {d[flag]!r}", flag)
    rates = {}
    if "exchange_rates" in d:
        if not isinstance(d["exchange_rates"], Mapping):
            raise ck.error("must be a mapping {currency: RO per unit}", "exchange_rates")
        rates = {
            str(c): ck.number(x, f"exchange_rates.{c}", positive=True)
            for c, x in d["exchange_rates"].items()
        }
    wacc = ck.rate(d["wacc"], "wacc")
    if isinstance(d["accounts"], Mapping):
        accounts = ck.year_map(d["accounts"], "accounts", lo, hi)
    else:
        accounts = {lo: ck.number(d["accounts"], "accounts")}
    if lo not in accounts:
        raise ck.error(f"must give the accounts of the first year {lo}", "accounts", lo)
    rollout = ck.year_map(d["rollout"], "rollout", lo, hi)
    # Cumulative installs may not pass the customer accounts of their year.
    installed, held = 0.0, accounts[lo]
    for y in range(lo, hi + 1):
        held = accounts.get(y, held)
        installed += rollout.get(y, 0.0)
        if installed > held:
            raise ck.error(
                f"the roll-out has installed {installed:,.0f} meters by the end of the year, "
                f"more than the {held:,.0f} customer accounts",
                "rollout",
                y,
            )
    if not isinstance(d["capex"], Mapping) or not d["capex"]:
        raise ck.error("must be a non-empty mapping of asset classes", "capex")
    capex = tuple(_capex_class(ck, str(n), s, rates, lo, hi) for n, s in d["capex"].items())
    opex_spec = d.get("opex", {})
    if not isinstance(opex_spec, Mapping) or ("opex" in d and not opex_spec):
        raise ck.error(
            "must be a non-empty mapping of operating costs (leave opex out for none)", "opex"
        )
    opex = tuple(_opex_item(ck, str(n), s, rates, lo, hi) for n, s in opex_spec.items())
    cyber = _cyber(ck, d["cyber_security"], rates, lo, hi) if "cyber_security" in d else None
    benefits = _benefits(ck, d.get("benefits") or {}, lo, hi)
    sources = d.get("sources") or {}
    if not isinstance(sources, Mapping):
        raise ck.error("must be a mapping {key: source}", "sources")
    for k in sources:
        if str(k) not in TOP_KEYS:
            raise unknown_key_error(
                str(k), TOP_KEYS, file=file, key_prefix="sources.", cls=InputError
            )
    return AmrPlan(
        name=ck.text(d["name"], "name"),
        file=file,
        first_year=lo,
        horizon_end=hi,
        run_off=d.get("run_off", True),
        wacc=wacc,
        convention=conv,
        levelise=d.get("levelise", False),
        escalation=ck.rate(d.get("escalation", 0.0), "escalation"),
        accounts=accounts,
        rollout=rollout,
        capex=capex,
        opex=opex,
        cyber=cyber,
        benefits=benefits,
        exchange_rates=rates,
        sources={str(k): str(v) for k, v in sources.items()},
    )


def load_plan(path: str | Path) -> AmrPlan:
    """Read and check an AMR plan file (YAML); raises InputError naming file, key and year."""
    p = Path(path)
    return replace(plan_from_dict(read_yaml_mapping(p), file=str(p)), path=p)

"""The capex verification file of WPRA_t (Schedule 2, footnote 3): reading and checking it.

The format is in ``docs/amr.md``; every rule broken raises
:class:`~tariffmodel.inputs.errors.InputError` naming the file, the key, the year and the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from tariffmodel.inputs.checks import Checker
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


def wpra_from_dict(data: Mapping, *, file: str = "<memory>") -> WpraFile:
    """Check a capex verification file given as a mapping and build a WpraFile."""
    ck = Checker(file)
    d = ck.keys(data, TOP_KEYS, "", required=("name", "period", "wacc", "provisional_capex"))
    per = d["period"]
    if not isinstance(per, list | tuple) or len(per) != 2:
        raise ck.error("must be [first year, last year]", "period")
    lo, hi = ck.year(per[0], "period"), ck.year(per[1], "period")
    if hi < lo:
        raise ck.error(f"the last year {hi} is before the first {lo}", "period", hi)
    first, last = WPRA_PERIOD
    for year in (lo, hi):
        if not first <= year <= last:
            raise ck.error(
                f"must lie within {first}-{last}: the licence provides WPRA for the price control "
                f"period {first}-{last} only, reconciled within it (Schedule 2, footnote 3)",
                "period",
                year,
            )
    wacc = ck.rate(d["wacc"], "wacc")
    default_life = ck.life(d["life"], "life") if "life" in d else None
    if "roll_forward" in d and not isinstance(d["roll_forward"], bool):
        raise ck.error(f"must be true or false, got {d['roll_forward']!r}", "roll_forward")
    caps = d["provisional_capex"]
    if not isinstance(caps, Mapping) or not caps:
        raise ck.error("must be a non-empty mapping {year: amount}", "provisional_capex")
    vintages = []
    for y, spec in caps.items():
        key = f"provisional_capex.{y}"
        year = ck.year(y, key, lo, hi)
        if isinstance(spec, Mapping):
            spec = ck.keys(spec, VINTAGE_KEYS, key, required=("amount",))
            amount = ck.number(spec["amount"], f"{key}.amount", year)
            life = ck.life(spec["life"], f"{key}.life") if "life" in spec else default_life
        else:
            amount, life = ck.number(spec, key, year), default_life
        if life is None:
            raise ck.error("has no life: give life here or a default life", f"{key}.life", year)
        vintages.append(Vintage(year, amount, life))
    spent = {v.year: v for v in vintages}
    dets: dict[int, Determination] = {}
    raw = d.get("determinations") or []
    if not isinstance(raw, list):
        raise ck.error("must be a list of {year, vintage, share}", "determinations")
    for i, spec in enumerate(raw):
        key = f"determinations[{i}]"
        spec = ck.keys(spec, DETERMINATION_KEYS, key, required=("year", "vintage", "share"))
        year = ck.year(spec["year"], f"{key}.year", lo, hi)
        vintage = ck.integer(spec["vintage"], f"{key}.vintage")
        share = ck.number(spec["share"], f"{key}.share", year, minimum=None)
        if not 0.0 <= share <= 1.0:
            raise ck.error(
                f"the share recognised must be between 0 and 1, got {spec['share']!r}",
                f"{key}.share",
                year,
            )
        if vintage not in spent or spent[vintage].amount == 0:
            raise ck.error(
                f"determines vintage {vintage}, but no provisional capex was spent in "
                f"{vintage} (spent: {', '.join(str(y) for y, v in spent.items() if v.amount) or 'none'})",
                f"{key}.vintage",
                year,
            )
        if year <= vintage:
            raise ck.error(
                f"a determination must come after the year its capex was spent ({vintage})",
                f"{key}.year",
                year,
            )
        if vintage in dets:
            raise ck.error(
                f"vintage {vintage} is already determined in {dets[vintage].year}",
                f"{key}.vintage",
                year,
            )
        dets[vintage] = Determination(year, vintage, share)
    return WpraFile(
        name=ck.text(d["name"], "name"),
        file=file,
        first_year=lo,
        last_year=hi,
        wacc=wacc,
        roll_forward=d.get("roll_forward", False),
        vintages=tuple(sorted(vintages, key=lambda v: v.year)),
        determinations=tuple(sorted(dets.values(), key=lambda x: x.vintage)),
    )


def load_wpra(path: str | Path) -> WpraFile:
    """Read and check a capex verification file (YAML); InputError names file, key, year."""
    p = Path(path)
    return replace(wpra_from_dict(read_yaml_mapping(p), file=str(p)), path=p)

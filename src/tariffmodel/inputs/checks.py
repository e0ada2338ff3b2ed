"""Checks shared by the readers of input files: one error per rule, naming file, key and year."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tariffmodel.inputs.errors import InputError, unknown_key_error
from tariffmodel.inputs.fields import MONEY_MAX
from tariffmodel.inputs.schema import describe

#: The years a plan or a capex verification file may cover.
PLAN_YEAR_MIN, PLAN_YEAR_MAX = 2000, 2100
#: The largest amount, count or energy of a plan or capex verification file (RO, meters, kWh).
AMOUNT_MAX = 100 * MONEY_MAX
#: The longest asset life [years].
LIFE_MAX = 100

#: A WACC or other yearly rate at or above this is taken for a percent given by mistake.
RATE_LIMIT = 0.3


class Checker:
    """Checks values of one input file and raises InputError naming the file."""

    def __init__(self, file: str | Path, cls=InputError) -> None:
        self.file = str(file)
        self.cls = cls

    def error(self, rule: str, key: str | None = None, year: int | None = None) -> InputError:
        return self.cls(rule, file=self.file, key=key, year=year)

    def keys(self, mapping: Any, allowed, key: str, required=()) -> dict:
        """``mapping`` as a dict with only ``allowed`` keys and every ``required`` one."""
        if not isinstance(mapping, Mapping):
            raise self.error(f"must be a mapping, got {type(mapping).__name__}", key)
        prefix = f"{key}." if key else ""
        for k in mapping:
            if str(k) not in allowed:
                raise unknown_key_error(
                    str(k), allowed, file=self.file, key_prefix=prefix, cls=self.cls
                )
        for k in required:
            if k not in mapping:
                raise self.error("is required", f"{prefix}{k}")
        return dict(mapping)

    def number(
        self,
        value: Any,
        key: str,
        year: int | None = None,
        *,
        minimum: float | None = 0.0,
        positive: bool = False,
    ) -> float:
        """A finite number; not negative (unless ``minimum`` is None); above 0 if ``positive``."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(f"must be a number, got {describe(value)}", key, year)
        if isinstance(value, int) and abs(value) > AMOUNT_MAX:
            raise self.error(f"{describe(value)} is too large, at most {AMOUNT_MAX:g}", key, year)
        x = float(value)
        if not math.isfinite(x):
            raise self.error(f"must be a finite number, got {value!r}", key, year)
        if abs(x) > AMOUNT_MAX:
            raise self.error(f"must be at most {AMOUNT_MAX:g} in size, got {value!r}", key, year)
        if positive and x <= 0:
            raise self.error(f"must be greater than 0, got {value!r}", key, year)
        if minimum is not None and x < minimum:
            raise self.error(f"must not be negative, got {value!r}", key, year)
        return x

    def integer(self, value: Any, key: str, *, minimum: int | None = None) -> int:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (isinstance(value, float) and not math.isfinite(value))
            or value != int(value)
        ):
            raise self.error(f"must be a whole number, got {describe(value)}", key)
        if minimum is not None and value < minimum:
            raise self.error(f"must be at least {minimum}, got {value!r}", key)
        return int(value)

    def rate(self, value: Any, key: str, year: int | None = None, limit=RATE_LIMIT) -> float:
        """A rate as a fraction (0.07 for 7 %); a value that looks like a percent is an error."""
        x = self.number(value, key, year)
        if x >= limit:
            raise self.error(
                f"must be a fraction (0.07 for 7 %), got {value!r}, which looks like a percent",
                key,
                year,
            )
        return x

    def life(self, value: Any, key: str) -> int:
        """An asset life: a whole number of years, at least 1."""
        x = self.number(value, key)
        if x == 0:
            raise self.error("an asset life must be at least 1 year, got 0", key)
        if x > LIFE_MAX:
            raise self.error(f"an asset life must be at most {LIFE_MAX} years, got {value!r}", key)
        return self.integer(value, key, minimum=1)

    def year(self, value: Any, key: str, lo: int | None = None, hi: int | None = None) -> int:
        y = self.integer(value, key)
        if not PLAN_YEAR_MIN <= y <= PLAN_YEAR_MAX:
            raise self.error(
                f"a year between {PLAN_YEAR_MIN} and {PLAN_YEAR_MAX} is due, not {describe(y)}", key
            )
        if (lo is not None and y < lo) or (hi is not None and y > hi):
            raise self.error(f"year {y} is outside the years {lo}-{hi} of this file", key, y)
        return y

    def year_map(self, value: Any, key: str, lo: int, hi: int, *, check=None) -> dict[int, float]:
        """A mapping ``{year: number}`` with years in [lo, hi]; ``check(x, key, year)`` per value."""
        check = check or self.number
        if not isinstance(value, Mapping) or not value:
            raise self.error("must be a non-empty mapping {year: value}", key)
        out = {}
        for y, x in value.items():
            yy = self.year(y, f"{key}.{y}", lo, hi)
            out[yy] = check(x, key, yy)
        return dict(sorted(out.items()))

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error("must be a non-empty text", key)
        return value

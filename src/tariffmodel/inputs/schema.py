"""The schema of the input files: strict pydantic types built from the field table, and the one
formatter that turns a :class:`pydantic.ValidationError` into an
:class:`~tariffmodel.inputs.errors.InputError` naming the file, the key, the year and the rule.

Every model of an input file derives from :class:`Schema`: unknown keys are errors, numbers are
strict (a text such as ``"1,300,000"`` or a boolean is never read as a number; an integer where a
float is due is fine), NaN and infinity are refused, and a checked value cannot be changed.
A rule of the project is raised as a pydantic custom error of type ``rule`` whose context may
carry the ``key`` (relative to the model) and the ``year`` it applies to; the formatter reads
them from there or from the location pydantic reports.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Strict,
    Tag,
    ValidationError,
    ValidationInfo,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from tariffmodel.inputs.errors import InputError, did_you_mean
from tariffmodel.inputs.fields import MONEY_MAX, YEAR_MAX, YEAR_MIN, Field

MODEL_CONFIG = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


class Schema(BaseModel):
    """Base of every model of an input file."""

    model_config = MODEL_CONFIG


def rule_error(rule: str, *, key: str | None = None, year: int | None = None) -> Exception:
    """The error a validator raises for a broken rule; ``key`` (relative to the model being
    validated) and ``year`` say where, when the location pydantic reports does not."""
    ctx: dict[str, Any] = {"rule": rule}
    if key is not None:
        ctx["key"] = key
    if year is not None:
        ctx["year"] = int(year)
    return PydanticCustomError("rule", "{rule}", ctx)


# --------------------------------------------------------------------------- types

#: A number: a float or an int of float range; never a text, a boolean, NaN or infinity.
Number = Annotated[float, Strict()]


def check_year(value: Any, lo: int = YEAR_MIN, hi: int = YEAR_MAX) -> int:
    """A year as an int: a whole number (a quoted year such as "2026" too) in [lo, hi]."""
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 6:
        value = int(value)  # a quoted year key, e.g. "2026": 0.02
    elif isinstance(value, float) and value.is_integer() and abs(value) < 1e6:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise rule_error(f"a year is a whole number, not {describe(value)}")
    if not lo <= value <= hi:
        raise rule_error(f"a year between {lo} and {hi} is due, not {describe(value)}")
    return value


def year_type(lo: int = YEAR_MIN, hi: int = YEAR_MAX) -> Any:
    """The type of a year in [lo, hi]."""
    return Annotated[int, BeforeValidator(lambda v: check_year(v, lo, hi))]


#: A year: a whole number in [YEAR_MIN, YEAR_MAX] (a quoted year such as "2026" is read too).
Year = year_type()


#: Characters a text of an input file may not hold: control characters but tab and line feed
#: (a carriage return or an escape acts on a terminal; a spreadsheet cannot store most), and
#: the bidirectional overrides, which show a text other than the one read.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _text(value: str) -> str:
    if not value.strip():
        raise rule_error("must be a non-empty text")
    bad = _CONTROL_RE.search(value)
    if bad:
        raise rule_error(
            f"holds the control character U+{ord(bad.group()):04X} (position {bad.start() + 1}); "
            "a text may hold none but tab and line feed"
        )
    return value


def _name(value: str) -> str:
    if "\n" in value:
        raise rule_error("a name is one line: it holds a line break")
    return value


#: A non-empty text without control characters (tab and line feed allowed).
Text = Annotated[str, AfterValidator(_text)]
#: A name shown in reports: a :data:`Text` of one line.
Name = Annotated[str, AfterValidator(_text), AfterValidator(_name)]


def field_type(spec: Field) -> Any:
    """The type of a field of the table of :mod:`tariffmodel.inputs.fields`: a strict number
    with the field's bounds, its fraction rule and its whole-number rule."""

    def check(value: float) -> float:
        rule = spec.check(float(value))
        if rule:
            raise rule_error(rule)
        return float(value)

    return Annotated[float, Strict(), AfterValidator(check)]


def bounded(
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    positive: bool = False,
    unit: str = "",
) -> Any:
    """A strict number within bounds (``positive``: above ``minimum``, not at it)."""
    spec = Field(
        "the value",
        unit,
        "",
        minimum=minimum,
        maximum=maximum,
        strict_minimum=positive,
    )
    return field_type(spec)


def not_a_mapping(rule: str) -> Callable[[Any], Any]:
    """A before-validator that refuses a mapping with ``rule`` (one number is due)."""

    def check(value: Any) -> Any:
        if isinstance(value, Mapping):
            raise rule_error(rule)
        return value

    return check


_NUMBER, _BY_YEAR = "<number>", "<by year>"


def number_or_by_year(number: Any) -> Any:
    """One number for every year, or a mapping ``{year: number}``."""
    return Annotated[
        Union[  # noqa: UP007 - the members carry tags
            Annotated[number, Tag(_NUMBER)],
            Annotated[dict[Year, number], Tag(_BY_YEAR)],
        ],
        Discriminator(lambda v: _BY_YEAR if isinstance(v, Mapping) else _NUMBER),
    ]


# --------------------------------------------------------------------------- plan files

#: The years a plan or a capex verification file may cover.
PLAN_YEAR_MIN, PLAN_YEAR_MAX = 2000, 2100
#: The largest amount, count or energy of a plan or capex verification file (RO, meters, kWh).
AMOUNT_MAX = 100 * MONEY_MAX
#: The longest asset life [years].
LIFE_MAX = 100
#: A WACC or other yearly rate at or above this is taken for a percent given by mistake.
RATE_LIMIT = 0.3


def amount(*checks: Callable[[Any, float], Any], minimum: float | None = 0.0) -> Any:
    """A number of a plan file: finite, at most AMOUNT_MAX in size, not below ``minimum`` (None:
    any sign); then each ``check(value as written, number)`` in turn, which raises a
    :func:`rule_error` or returns the number (it may turn it, e.g. into an int)."""

    def wrap(value: Any, handler: Callable[[Any], float]) -> Any:
        x = handler(value)
        if abs(x) > AMOUNT_MAX:
            raise rule_error(f"must be at most {AMOUNT_MAX:g} in size, got {describe(value)}")
        if minimum is not None and x < minimum:
            raise rule_error(f"must not be negative, got {value!r}")
        for check in checks:
            x = check(value, x)
        return x

    return Annotated[float, Strict(), WrapValidator(wrap)]


def _positive(value: Any, x: float) -> float:
    if x <= 0:
        raise rule_error(f"must be greater than 0, got {value!r}")
    return x


def _whole(value: Any) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not value.is_integer())
    ):
        raise rule_error(f"must be a whole number, got {describe(value)}")
    return int(value)


def _life(value: Any, x: float) -> int:
    if x == 0:
        raise rule_error("an asset life must be at least 1 year, got 0")
    if x > LIFE_MAX:
        raise rule_error(f"an asset life must be at most {LIFE_MAX} years, got {value!r}")
    return _whole(value)


def rate(limit: float = RATE_LIMIT) -> Any:
    """A rate as a fraction (0.07 for 7 %), not negative; one at or above ``limit`` looks like
    a percent and is an error."""

    def check(value: Any, x: float) -> float:
        if x >= limit:
            raise rule_error(
                f"must be a fraction (0.07 for 7 %), got {value!r}, which looks like a percent"
            )
        return x

    return amount(check)


#: An amount, count or energy of a plan file: not negative, at most AMOUNT_MAX.
Amount = amount()
#: An amount above zero.
PositiveAmount = amount(_positive)
#: A yearly rate as a fraction, below RATE_LIMIT.
Rate = rate()
#: An asset life: a whole number of years from 1 to LIFE_MAX.
Life = amount(_life)
#: A whole number (of any sign).
WholeNumber = Annotated[int, BeforeValidator(_whole)]


def _plan_year(value: Any, info: ValidationInfo) -> int:
    year = check_year(value, PLAN_YEAR_MIN, PLAN_YEAR_MAX)
    span = (info.context or {}).get("span")
    if span is not None and not span[0] <= year <= span[1]:
        raise rule_error(
            f"year {year} is outside the years {span[0]}-{span[1]} of this file", year=year
        )
    return year


#: A year of a plan file: in [PLAN_YEAR_MIN, PLAN_YEAR_MAX] and within the file's own years
#: (``context['span']``, a pair, when known).
PlanYear = Annotated[int, BeforeValidator(_plan_year)]


def _year_map(value: Any) -> Any:
    if not isinstance(value, Mapping) or not value:
        raise rule_error("must be a non-empty mapping {year: value}")
    return value


def year_map(number: Any = Amount) -> Any:
    """A non-empty mapping ``{year: number}`` of plan years, sorted by year."""
    return Annotated[
        dict[PlanYear, number],
        BeforeValidator(_year_map),
        AfterValidator(lambda d: dict(sorted(d.items()))),
    ]


def number_or_year_map(number: Any = Amount) -> Any:
    """One number, or a mapping ``{year: number}`` of plan years."""
    return Annotated[
        Union[  # noqa: UP007 - the members carry tags
            Annotated[number, Tag(_NUMBER)],
            Annotated[year_map(number), Tag(_BY_YEAR)],
        ],
        Discriminator(lambda v: _BY_YEAR if isinstance(v, Mapping) else _NUMBER),
    ]


# --------------------------------------------------------------------------- messages


def describe(value: Any) -> str:
    """A value for a message: short, never a whole file's worth of text or digits."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**18:
        digits = len(str(abs(value))) if value.bit_length() < 10_000 else None
        return f"a whole number of {digits or 'thousands of'} digits"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _what(value: Any) -> str:
    """The kind and the value of ``value`` for a message ("bool True", "a list")."""
    if isinstance(value, Mapping | list | tuple):
        return describe(value)
    return f"{type(value).__name__} {describe(value)}"


def _type_rule(kind: str, value: Any) -> str:
    if value is None:
        return "a value is due"
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing", "finite_number"):
        if isinstance(value, str):
            return f"text where a number is due: {describe(value)}"
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{describe(value)} is too large for a number of this file"
        if isinstance(value, float):
            return f"a finite number is due, not {value!r}"
        return f"a number is due, not {_what(value)}"
    due = {
        "dict_type": "a mapping",
        "model_type": "a mapping",
        "model_attributes_type": "a mapping",
        "list_type": "a list",
        "tuple_type": "a list",
        "bool_type": "true or false",
        "string_type": "a text",
        "date_type": "a date YYYY-MM-DD",
    }.get(kind)
    if due:
        return f"{due} is due, not {_what(value)}"
    return ""


def _unwrap(tp: Any) -> Any:
    """The model, list or dict type inside Annotated, Optional and tagged unions."""
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin is Union or str(origin) == "<class 'types.UnionType'>":
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            models = [a for a in args if _is_model(_unwrap(a))]
            tp = models[0] if models else args[0]
        else:
            return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def keys_at(model: type[BaseModel], loc: Iterable[Any]) -> list[str]:
    """The keys the model allows at the location ``loc`` (for a suggestion)."""
    tp: Any = model
    for part in loc:
        if isinstance(part, str) and part.startswith("<"):
            continue  # the tag of a member of a union
        tp = _unwrap(tp)
        if _is_model(tp):
            by_alias = {f.alias or n: f for n, f in tp.model_fields.items()}
            field = by_alias.get(part)
            if field is None:
                return []
            tp = field.annotation
        elif typing.get_origin(tp) in (list, tuple, dict):
            tp = typing.get_args(tp)[-1]
        else:
            return []
    tp = _unwrap(tp)
    return _keys_of(tp) if _is_model(tp) else []


def _priority(err: Mapping) -> int:
    return {"extra_forbidden": 0}.get(err["type"], 1)


def input_error(
    exc: ValidationError,
    model: type[BaseModel],
    *,
    file: str | None,
    prefix: str = "",
    year: int | None = None,
    missing: str = "required key missing",
    cls: type[InputError] = InputError,
) -> InputError:
    """The first error of ``exc`` as an InputError: the file, the key as a dotted path under
    ``prefix`` (list items as ``[n]``, counted from 1), the year (a year key of the location, or
    ``year``), the rule in plain words, and a suggestion for an unknown key."""
    err = sorted(exc.errors(), key=_priority)[0]
    loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("<"))]
    ctx = err.get("ctx") or {}
    if "key" in ctx:
        loc.append(ctx["key"])
    parts: list[str] = [prefix] if prefix else []
    model_loc: list[Any] = []
    where_year = year
    for i, part in enumerate(loc):
        if i + 1 < len(loc) and loc[i + 1] == "[key]":
            continue  # a key that is not a year: the rule says so, the key is the mapping's
        if part == "[key]":
            continue
        if isinstance(part, int) and not isinstance(part, bool) and 1000 <= part:
            where_year = part
        elif isinstance(part, str) and part.isdigit() and len(part) == 4:
            where_year = int(part)
        elif isinstance(part, int) and not isinstance(part, bool):
            if parts:
                parts[-1] += f"[{part + 1}]"
            else:
                parts.append(f"[{part + 1}]")
        else:
            parts.append(str(part))
        model_loc.append(part)
    if "year" in ctx:
        where_year = ctx["year"]
    kind, value = err["type"], err.get("input")
    if kind == "rule":
        rule = ctx["rule"]
    elif kind == "extra_forbidden":
        allowed = keys_at(model, err["loc"][:-1]) if model else []
        word = str(err["loc"][-1])
        rule = f"unknown key{did_you_mean(word, allowed)}; allowed: {', '.join(sorted(allowed))}"
    elif kind == "missing":
        rule = missing
    elif kind == "too_short":
        rule = "must not be empty"
    else:
        rule = _type_rule(kind, value) or err["msg"]
    return cls(rule, file=file, key=".".join(parts) or None, year=where_year)


def validate(
    model: type[BaseModel],
    data: Any,
    *,
    file: str | None,
    prefix: str = "",
    year: int | None = None,
    context: Mapping[str, Any] | None = None,
    missing: str = "required key missing",
    cls: type[InputError] = InputError,
):
    """``model`` checked from ``data``; a broken rule raises ``cls`` (see :func:`input_error`)."""
    try:
        return model.model_validate(data, context=dict(context or {}))
    except ValidationError as exc:
        raise input_error(
            exc, model, file=file, prefix=prefix, year=year, missing=missing, cls=cls
        ) from None

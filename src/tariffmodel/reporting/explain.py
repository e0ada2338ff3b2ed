"""The explanation of MADR_t as text, Markdown or JSON (``tariffmodel explain``).

Each computed number shows its licence paragraph, the formula as the licence writes it, the
same formula with the scenario's numbers in (``numbers:``, at full precision, so that it can be
checked by evaluating it) and the result, exact and rounded for reading; each input shows where
its value comes from; a number decided by a reading of unclear text names the reading.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from tariffmodel.analysis.explain import Explanation, Step, number_text
from tariffmodel.reporting.formatting import markdown_text

FORMATS = ("text", "md", "json")


def readable(value: float | bool, unit: str) -> str:
    """A number rounded for reading, with its unit.

    >>> readable(190123456.789, "RO"), readable(0.0756302521, "fraction"), readable(True, "")
    ('190,123,456.79 RO', '7.5630 %', 'yes')
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit == "0/1":
        return f"{value:g}"
    if unit == "RO":
        return f"{value:,.2f} RO"
    if unit == "fraction":
        return f"{value * 100:.4f} %"
    if unit in ("kWh", "accounts"):
        return f"{value:,.0f} {unit}"
    return f"{value:,.6g}" + (f" {unit}" if unit else "")


def _exact(value: float | bool) -> str:
    return number_text(value).strip("()")


def _readings_line(expl: Explanation) -> str:
    return ", ".join(f"{k} = {v}" for k, v in expl.readings.items())


def _what(expl: Explanation) -> str:
    return expl.years[next(iter(expl.years))].symbol if expl.term else "MADR_t"


def _title(expl: Explanation) -> str:
    return f"{_what(expl)} explained for {expl.scenario} ({expl.file})"


# --- text and Markdown ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    """How a step is written: text (indented blocks) or Markdown (nested lists)."""

    head: str  # {pad} {symbol} {words}
    paragraph: str
    value: str  # {symbol} {exact} {readable}
    item: str  # {pad} {label} {text}
    code: str  # {text} of a formula
    text: Callable[[str], str] = str  # how words that may come from an input file are written


_TEXT = _Style("{pad}{symbol}  {words}", "  [paragraph {p}]", "{symbol} = {exact}  ({readable})",
               "{pad}  {label:<8} {text}", "{text}")  # fmt: skip
_MD = _Style("{pad}- **`{symbol}`** {words}", " (paragraph {p})",
             "**{readable}** (`{exact}`)", "{pad}  - {label} {text}", "`{text}`",
             markdown_text)  # fmt: skip


def _step_lines(step: Step, depth: int, style: _Style, lines: list[str]) -> None:
    pad = "  " * depth
    text = style.text  # names of KPIs, files and sources come from the scenario's files
    head = style.head.format(pad=pad, symbol=step.symbol, words=text(step.words))
    if step.paragraph:
        head += style.paragraph.format(p=step.paragraph)
    value = style.value.format(
        symbol=step.symbol, exact=_exact(step.value), readable=readable(step.value, step.unit)
    )

    def item(label: str, text: str) -> None:
        lines.append(style.item.format(pad=pad, label=label + ":", text=text))

    if step.substituted:
        lines.append(head)
        item("licence", style.code.format(text=step.licence))
        item("numbers", style.code.format(text=step.substituted))
        item("result", value)
    else:
        lines.append(f"{head}: {value}")
        if step.licence:
            item("licence", text(step.licence))
        if step.source:
            item("source", text(step.source))
    for label, choice in step.readings.items():
        item("reading", text(f"{label} = {choice}"))
    if step.note:
        item("note", text(step.note))
    for child in step.uses:
        _step_lines(child, depth + 1, style, lines)


def to_text(expl: Explanation) -> str:
    """The explanation as plain text, one indented block per number."""
    lines = [_title(expl), f"Readings: {_readings_line(expl)}", ""]
    for year, root in expl.years.items():
        lines.append(f"=== {year} " + "=" * 60)
        _step_lines(root, 0, _TEXT, lines)
        lines.append("")
    return "\n".join(lines)


def to_markdown(expl: Explanation, level: int = 1) -> str:
    """The explanation as Markdown: a heading per year, a nested list of numbers.

    ``level`` is the level of the title heading (2 or 3 inside a notebook section)."""
    h = "#" * level
    # the scenario's name and file as text, never markup (they come from the user's files)
    title = (
        f"`{_what(expl)}` explained for {markdown_text(expl.scenario)} ({markdown_text(expl.file)})"
    )
    lines = [f"{h} {title}", "", f"Readings: {markdown_text(_readings_line(expl))}", ""]
    for year, root in expl.years.items():
        lines += [f"{h}# {year}", ""]
        _step_lines(root, 0, _MD, lines)
        lines.append("")
    return "\n".join(lines)


# --- all formats ------------------------------------------------------------------------------


def to_json(expl: Explanation) -> str:
    """The explanation as JSON (every field of every step)."""
    return json.dumps(expl.to_dict(), indent=2, ensure_ascii=False)


def render_explanation(expl: Explanation, fmt: str = "text") -> str:
    """The explanation in one of :data:`FORMATS`."""
    if fmt == "md":
        return to_markdown(expl)
    if fmt == "json":
        return to_json(expl)
    if fmt == "text":
        return to_text(expl)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")

"""``tariffmodel fields``: the scenario fields, units and rules (from the one schema)."""

from __future__ import annotations

from tariffmodel.inputs.fields import TOP_LEVEL_KEYS, markdown_tables
from tariffmodel.licence.schedule2 import READING_IDS, READINGS


def register(sub) -> None:
    p = sub.add_parser("fields", help="print the scenario file's keys, columns, units and rules")
    p.set_defaults(func=run)


def run(args) -> int:
    print("### Top-level keys\n\n| key | meaning |\n|---|---|")
    for key, text in TOP_LEVEL_KEYS.items():
        print(f"| `{key}` | {text} |")
    print(
        "\n### `interpretation` (readings)\n\n| switch | id | values (default first) |\n|---|---|---|"
    )
    for key, values in READINGS.items():
        print(f"| `{key}` | {READING_IDS[key]} | {', '.join(values)} |")
    print()
    print(markdown_tables())
    return 0

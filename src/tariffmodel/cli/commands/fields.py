"""``tariffmodel fields``: the scenario fields, units and rules (from the one schema)."""

from __future__ import annotations

from tariffmodel.inputs.fields import TOP_LEVEL_KEYS, markdown_tables
from tariffmodel.inputs.output_fields import outputs_markdown
from tariffmodel.licence.schedule2 import READING_IDS, READINGS


def register(sub) -> None:
    p = sub.add_parser(
        "fields",
        help="print the scenario file's keys, columns, units and rules (--outputs: the output "
        "files' columns)",
    )
    p.add_argument(
        "--outputs",
        action="store_true",
        help="document every column of madr.csv, amr.csv, wpra.csv, montecarlo.csv and "
        "compare.csv: unit, licence paragraph, meaning",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    if getattr(args, "outputs", False):
        print(outputs_markdown())
        return 0
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

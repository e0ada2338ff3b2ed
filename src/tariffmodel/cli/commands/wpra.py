"""``tariffmodel wpra FILE --out DIR``: the WPRA clawback of a capex verification file.

Writes ``DIR/wpra.csv`` (one row per year of the period: provisional RAV, write-downs,
depreciation, return, WPRA_t, the WACC used), ``DIR/summary.json`` and ``DIR/manifest.json``.
"""

from __future__ import annotations

from tariffmodel.cli.commands.amr import add_switch, switch_words, write_result
from tariffmodel.model import wpra


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "wpra",
        help="WPRA_t: clawback on provisional capex the Authority does not recognise",
        description="Compute WPRA_t (Schedule 2, footnote 3) from a capex verification file "
        "(format: docs/amr.md).",
    )
    p.add_argument("file", help="the capex verification file (YAML)")
    p.add_argument("--out", required=True, help="output folder (wpra.csv, summary.json)")
    add_switch(
        p,
        "roll-forward",
        "carry each clawed-back amount to the determination year at the WACC",
        "claw back the amounts as allowed, without time value",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    w = wpra.load_wpra(args.file)
    frame = wpra.wpra_table(w, args.roll_forward)
    figures = wpra.wpra_summary(w, args.roll_forward)
    command = ["tariffmodel", "wpra", str(args.file), "--out", str(args.out)]
    command += switch_words("roll-forward", args.roll_forward)
    write_result(args.out, "wpra.csv", frame, figures, args.file, command)
    print(
        f"wpra: {w.name}: WPRA total RO {figures['wpra_total']:,.0f} over "
        f"{w.first_year}-{w.last_year}; wrote {args.out}/wpra.csv"
    )
    return 0

"""``tariffmodel amr PLAN --out DIR``: the AMR building block of a plan file.

Writes ``DIR/amr.csv`` (one row per year: roll-forward, AMR_t, costs by class and item,
benefits, the effect on LOSS_t and CPL_t, the WACC used), ``DIR/summary.json`` (NPVs, levelised
cost per meter, RO per account, payback year) and ``DIR/manifest.json``.
"""

from __future__ import annotations

import json

from tariffmodel.licence.amr import CONVENTIONS
from tariffmodel.model import amr
from tariffmodel.reporting.formatting import format_value
from tariffmodel.reporting.provenance import write_manifest
from tariffmodel.reporting.staging import staged_output


def add_switch(parser, name: str, help_on: str, help_off: str) -> None:
    """A pair ``--NAME`` / ``--no-NAME``; None when neither is given (the file decides)."""
    dest = name.replace("-", "_")
    group = parser.add_mutually_exclusive_group()
    group.add_argument(f"--{name}", dest=dest, action="store_true", default=None, help=help_on)
    group.add_argument(f"--no-{name}", dest=dest, action="store_false", help=help_off)


def switch_words(name: str, value: bool | None) -> list[str]:
    """The command-line words that reproduce a switch of :func:`add_switch`."""
    return [] if value is None else [f"--{name}" if value else f"--no-{name}"]


def write_result(out, csv_name: str, frame, figures: dict, source, command: list[str]) -> None:
    """Write ``csv_name``, ``summary.json`` and ``manifest.json`` into ``out``, all or nothing."""
    with staged_output(out) as stage:
        frame.to_csv(stage / csv_name, index=False)
        (stage / "summary.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        write_manifest(stage, inputs=[source], command=" ".join(command))


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "amr",
        help="AMR_t from a smart-metering plan file (building block, NPV, payback)",
        description="Roll the AMR Regulatory Asset Value forward and compute AMR_t and the "
        "summary figures of a plan file (format: docs/amr.md).",
    )
    p.add_argument("plan", help="the AMR plan file (YAML)")
    p.add_argument("--out", required=True, help="output folder (amr.csv, summary.json)")
    p.add_argument(
        "--convention",
        choices=CONVENTIONS,
        default=None,
        help="capitalisation convention (default: the plan's, else year_end)",
    )
    add_switch(
        p,
        "levelise",
        "AMR_t as the flat (annuity) profile of the same NPV",
        "AMR_t as the building block itself",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    plan = amr.load_plan(args.plan)
    frame = amr.table(plan, convention=args.convention, levelise=args.levelise)
    figures = amr.summary(plan, convention=args.convention, levelise=args.levelise)
    command = ["tariffmodel", "amr", str(args.plan), "--out", str(args.out)]
    if args.convention:
        command += ["--convention", args.convention]
    command += switch_words("levelise", args.levelise)
    write_result(args.out, "amr.csv", frame, figures, args.plan, command)
    print(
        f"amr: {plan.name}: {len(frame)} years {figures['first_year']}-{figures['last_year']}, "
        f"NPV of AMR_t {format_value(figures['npv_allowance'], 'RO')} at WACC "
        f"{format_value(plan.wacc, 'fraction')} "
        f"({figures['convention']}); wrote {args.out}/amr.csv"
    )
    return 0

"""Every number every command writes, pinned byte for byte (scripts/pin_outputs.py).

A refactoring proves it changed no number by passing this test. When a number is meant to
change, re-pin deliberately with ``python scripts/pin_outputs.py --write`` and say why in the
commit.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_pin_outputs():
    spec = importlib.util.spec_from_file_location("pin_outputs", ROOT / "scripts/pin_outputs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.xdist_group("pinned")
def test_every_pinned_output_is_unchanged():
    pin = load_pin_outputs()
    pinned = pin.load_pinned()
    actual = pin.compute(jobs=os.cpu_count() or 2)
    diff = pin.differences(pinned, actual)
    assert not diff, (
        f"{len(diff)} of {len(pinned)} pinned output files differ from the pin "
        f"({pin.PINNED.relative_to(ROOT)}):\n"
        + "\n".join(diff)
        + "\nIf a number is meant to change (and only then), re-pin deliberately:"
        "\n    python scripts/pin_outputs.py --write"
    )


def test_the_pin_covers_every_case():
    pin = load_pin_outputs()
    pinned = pin.load_pinned()
    names = {case.name for case in pin.cases()}
    assert {key.rsplit("/", 1)[0] for key in pinned} == names
    for stem in ["nedc-base", "nedc-high-inflation", "worked-example", "case-band-edge"]:
        assert f"run/{stem}/madr.csv" in pinned and f"run/{stem}/bill_impact.csv" in pinned


def test_differences_name_every_changed_missing_and_new_file():
    pin = load_pin_outputs()
    pinned = {"run/a/madr.csv": "0" * 64, "run/a/bill_impact.csv": "1" * 64, "amr/x/amr.csv": "2"}
    actual = {"run/a/madr.csv": "f" * 64, "run/a/bill_impact.csv": "1" * 64, "wpra/y/w.csv": "3"}
    assert pin.differences(pinned, actual) == [
        "missing  amr/x/amr.csv (pinned, no longer written)",
        "changed  run/a/madr.csv: 000000000000 -> ffffffffffff",
        "new      wpra/y/w.csv (written, not pinned)",
    ]
    assert pin.differences(pinned, dict(pinned)) == []

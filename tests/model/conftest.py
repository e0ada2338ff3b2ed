"""Fixtures of the model tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def with_fee(example_dict):
    """The worked example with LF_Dt from a licence_fee block of Condition 13 (illustrative)."""
    for row in example_dict["inputs"][1:]:
        row.pop("LF", None)
    example_dict["licence_fee"] = {
        "estimated_costs": {2025: 20e6, 2026: 21e6, 2027: 22e6, 2028: 23e6, 2029: 24e6},
        "share": 0.05,
        "actual_costs": {2025: 24e6, 2026: 20e6, 2027: 22e6, 2028: 23e6},
        "actual_share": 0.045,
        "distribution_share": 0.75,
    }
    return example_dict

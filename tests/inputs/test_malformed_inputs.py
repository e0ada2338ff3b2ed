"""Random malformed scenarios through the command line: each is refused with exit 2 and a
one-line message (no traceback, nothing written) or runs with exit 0 and finite numbers."""

from __future__ import annotations

import contextlib
import copy
import io
import math
import tempfile
from pathlib import Path

import pandas as pd
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tariffmodel.cli.main import main

from conftest import worked_example_dict

BASE = worked_example_dict()

BAD_VALUES = st.one_of(
    st.just(float("nan")),
    st.just(float("inf")),
    st.just(-1e308),
    st.just(1e308),
    st.just(10**400),
    st.just(-1),
    st.just(0),
    st.just(True),
    st.just(None),
    st.just("1,300,000"),
    st.just([]),
    st.just({}),
    st.text(max_size=8),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.recursive(st.just(1), lambda inner: st.lists(inner, max_size=2), max_leaves=40),
)


def paths(node, prefix=()):
    """Every path to a value of the mapping (keys of mappings, indices of lists)."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, (*prefix, i))


ALL_PATHS = [p for p in paths(BASE) if p]


@st.composite
def mutations(draw):
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(ALL_PATHS))
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]]  # noqa: B018 - the path may be gone after an earlier edit
        except (KeyError, IndexError, TypeError):
            continue
        action = draw(st.sampled_from(["set", "delete", "extra", "deep"]))
        if action == "set":
            parent[path[-1]] = draw(BAD_VALUES)
        elif action == "delete":
            del parent[path[-1]]
        elif action == "extra" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["RUDD", "notifed", "x", "CA ", "Tl"]))] = 1.0
        elif action == "deep":
            value = 1
            for _ in range(draw(st.integers(1, 300))):
                value = [value]
            parent[path[-1]] = value
    return data


@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutations())
def test_malformed_scenario(data):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = tmp / "s.yaml"
        try:
            path.write_text(yaml.safe_dump(data, sort_keys=False))
        except (yaml.YAMLError, RecursionError, OverflowError):
            return
        out = tmp / "out"
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["run", str(path), "--out", str(out)])
        message = err.getvalue()
        assert "Traceback" not in message
        if code == 2:
            assert len(message.strip().splitlines()) == 1, message
            assert not out.exists()
        else:
            assert code == 0, message
            table = pd.read_csv(out / "madr.csv")
            numbers = table.select_dtypes("number").to_numpy().ravel()
            assert all(math.isfinite(x) for x in numbers)

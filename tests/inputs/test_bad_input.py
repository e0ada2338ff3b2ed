"""Every bad-input rule through the command line: exit code 2, a message naming file, key or
column, year and rule, no traceback, and nothing written."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tariffmodel.cli.main import main


def _run(capsys, path, out):
    code = main(["run", str(path), "--out", str(out)])
    err = capsys.readouterr().err
    return code, err


def edit(d, path, value):
    """Set d[path...] = value; path items index mappings and lists."""
    target = d
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value


DELETE = object()

# (id, edits, words the message must contain)
CASES = [
    ("unknown top-level key", [(("notifed",), {"a": 1})], ["notifed", "did you mean 'notified'"]),
    ("unknown notified key", [(("notified", "TLL"), 0.08)], ["notified.TLL", "did you mean 'TL'"]),
    (
        "unknown reading value",
        [(("interpretation", "loss_deadband"), "as_draftd")],
        ["interpretation.loss_deadband", "R1", "did you mean 'as_drafted'"],
    ),
    (
        "unknown reading switch",
        [(("interpretation", "cpi_base"), "june_on_june")],
        ["interpretation.cpi_base", "did you mean 'cpi_basis'"],
    ),
    (
        "unknown column",
        [(("inputs", 1, "RUDD"), 1.0)],
        ["inputs.RUDD", "2026", "did you mean 'RUD'"],
    ),
    (
        "CPI as a percent",
        [(("inputs", 1, "CPI"), 1.2)],
        ["inputs.CPI", "2026", "looks like a percent"],
    ),
    ("X as a percent", [(("notified", "X"), 1.5)], ["notified.X", "looks like a percent"]),
    (
        "TL as a percent",
        [(("notified", "TL", 2026), 8.2)],
        ["notified.TL", "2026", "looks like a percent"],
    ),
    (
        "SR as a percent",
        [(("inputs", 2, "SR"), 2.62)],
        ["inputs.SR", "2027", "looks like a percent"],
    ),
    ("RBS below RUD", [(("inputs", 2, "RBS"), 32.0e9)], ["inputs.RBS", "2027", "below RUD"]),
    ("missing history row", [(("inputs", 0), DELETE)], ["2025", "history row"]),
    ("gap in years", [(("years",), [2026, 2028, 2029])], ["years", "consecutive"]),
    ("duplicate year", [(("years",), [2026, 2026, 2027])], ["years", "duplicate"]),
    ("duplicate row", [(("inputs", 2, "year"), 2026)], ["inputs.year", "2026", "duplicate"]),
    (
        "text in a number",
        [(("inputs", 1, "CA"), "1,300,000")],
        ["inputs.CA", "2026", "text where a number is due"],
    ),
    (
        "zero KPI target",
        [(("call_centre", "kpis", 0, "target"), 0)],
        ["call_centre.kpis[1].target", "zero"],
    ),
    ("zero target score", [(("notified", "TS"), 0)], ["notified.TS", "above 0"]),
    (
        "negative weight",
        [(("call_centre", "kpis", 1, "weight"), -0.3)],
        ["call_centre.kpis[2].weight", "negative"],
    ),
    ("negative count", [(("inputs", 3, "CA"), -5)], ["inputs.CA", "2028", "above 0"]),
    ("negative DNS", [(("inputs", 1, "DNS"), -1.0)], ["inputs.DNS", "2026", "at least 0"]),
    ("missing CA", [(("inputs", 2, "CA"), DELETE)], ["inputs.CA", "2027", "required"]),
    (
        "missing CPI where rolled forward",
        [(("inputs", 3, "CPI"), DELETE)],
        ["inputs.CPI", "2028", "rolled forward"],
    ),
    (
        "missing TL of t-1",
        [(("notified", "TL", 2027), DELETE)],
        ["notified.TL", "2027", "LOSS_2028"],
    ),
    ("missing first-year a", [(("notified", "a"), {2027: 6e7})], ["notified.a", "2026"]),
    ("missing required notified", [(("notified", "CAP"), DELETE)], ["notified.CAP", "required"]),
    ("missing history WS", [(("inputs", 0, "WS"), DELETE)], ["inputs.WS", "2025", "history row"]),
    ("MADR in a modelled row", [(("inputs", 1, "MADR"), 1.0)], ["inputs.MADR", "2026", "computed"]),
    (
        "ARDR and recovery",
        [(("inputs", 1, "recovery"), 1.0)],
        ["inputs.recovery", "2026", "not both"],
    ),
    (
        "actuals of unknown KPI",
        [(("call_centre", "actuals", 2026, "answered_in_60s"), 0.9)],
        ["answered_in_60s", "did you mean 'answered_within_60s'"],
    ),
    (
        "actuals of a year not modelled",
        [(("call_centre", "actuals", 2031), {})],
        ["call_centre.actuals", "2031"],
    ),
    ("boolean where a number is due", [(("inputs", 1, "CA"), True)], ["inputs.CA", "2026"]),
    ("p in baisa", [(("notified", "p"), {2026: 20})], ["notified.p", "at most 1"]),
    ("missing name", [(("name",), DELETE)], ["name", "required"]),
    (
        "notified year no year reads",
        [(("notified", "TL", 2035), 0.08)],
        ["notified.TL", "2035", "history year 2025", "last modelled year 2029"],
    ),
    (
        "first relevant year mistyped",
        [(("first_relevant_year",), 1066)],
        ["first_relevant_year", "1066", "between 2000 and the first modelled year 2026"],
    ),
    (
        "first relevant year after the first modelled year",
        [(("first_relevant_year",), 2027)],
        ["first_relevant_year", "2027"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_rule(case, example_dict, write_scenario, tmp_path, capsys):
    _, edits, words = case
    for path, value in edits:
        edit(example_dict, path, value)
    scenario = write_scenario(example_dict)
    out = tmp_path / "out"
    code, err = _run(capsys, scenario, out)
    assert code == 2
    assert str(scenario) in err
    for word in words:
        assert word in err, (word, err)
    assert "Traceback" not in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_not_valid_yaml(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nyears: [2026\n")
    code, err = _run(capsys, path, tmp_path / "out")
    assert code == 2 and "not valid YAML" in err and "line" in err


def test_duplicate_yaml_key(tmp_path, capsys):
    path = tmp_path / "dup.yaml"
    path.write_text("name: x\nname: y\nyears: [2026]\n")
    code, err = _run(capsys, path, tmp_path / "out")
    assert code == 2 and "duplicate key" in err and "'name'" in err


def test_file_not_found(tmp_path, capsys):
    code, err = _run(capsys, tmp_path / "nope.yaml", tmp_path / "out")
    assert code == 2 and "file not found" in err


def test_csv_text_in_number(example_dict, write_scenario, tmp_path, capsys):
    rows = example_dict["inputs"]
    cols = sorted({k for r in rows for k in r}, key=lambda c: (c != "year", c))
    lines = [",".join(cols)]
    for r in rows:
        lines.append(",".join("" if c not in r else str(r[c]) for c in cols))
    lines[3] = lines[3].replace("1340000", "1.34m")
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text("# year table\n" + "\n".join(lines) + "\n")
    example_dict["inputs"] = "rows.csv"
    code, err = _run(capsys, write_scenario(example_dict), tmp_path / "out")
    assert code == 2 and "rows.csv" in err and "inputs.CA" in err and "2027" in err
    assert "'1.34m'" in err


def test_csv_inputs_equal_inline(example_dict, write_scenario, tmp_path, capsys):
    import pandas as pd

    rows = example_dict["inputs"]
    pd.DataFrame(rows).to_csv(tmp_path / "rows.csv", index=False)
    inline = write_scenario(example_dict, "inline.yaml")
    example_dict["inputs"] = "rows.csv"
    from_csv = write_scenario(example_dict, "csv.yaml")
    assert main(["run", str(inline), "--out", str(tmp_path / "a")]) == 0
    assert main(["run", str(from_csv), "--out", str(tmp_path / "b")]) == 0
    a = pd.read_csv(tmp_path / "a" / "madr.csv")
    b = pd.read_csv(tmp_path / "b" / "madr.csv")
    pd.testing.assert_frame_equal(a, b)


def test_bad_reading_option(tmp_path, capsys):
    from conftest import WORKED_EXAMPLE

    code = main(["run", str(WORKED_EXAMPLE), "--out", str(tmp_path / "o"), "--reading", "R1"])
    assert code == 2 and "SWITCH=VALUE" in capsys.readouterr().err


def test_real_process_has_no_traceback(example_dict, write_scenario, tmp_path):
    example_dict["inputs"][1]["CPI"] = 2.5
    path = write_scenario(example_dict)
    proc = subprocess.run(
        [sys.executable, "-m", "tariffmodel", "run", str(path), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "inputs.CPI" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_existing_output_untouched_on_error(example_dict, write_scenario, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "madr.csv").write_text("old\n")
    example_dict["inputs"][1]["CPI"] = 2.5
    code, _ = _run(capsys, write_scenario(example_dict), out)
    assert code == 2 and (out / "madr.csv").read_text() == "old\n"


def _csv_scenario(example_dict, write_scenario, tmp_path, header_edit=None, data=None):
    """The worked example with its year table in rows.csv (optionally edited or replaced)."""
    import pandas as pd

    csv_path = tmp_path / "rows.csv"
    pd.DataFrame(example_dict["inputs"]).to_csv(csv_path, index=False)
    if header_edit:
        lines = csv_path.read_text().splitlines()
        lines[0] = header_edit(lines[0])
        csv_path.write_text("\n".join(lines) + "\n")
    if data is not None:
        csv_path.write_bytes(data)
    example_dict["inputs"] = "rows.csv"
    return write_scenario(example_dict)


def test_csv_column_twice_is_an_error(example_dict, write_scenario, tmp_path, capsys):
    # the second CA would silently replace the first
    scenario = _csv_scenario(example_dict, write_scenario, tmp_path,
                             header_edit=lambda h: h.replace("RUD", "CA", 1))  # fmt: skip
    code, err = _run(capsys, scenario, tmp_path / "out")
    assert code == 2 and "rows.csv" in err and "inputs.CA" in err and "twice" in err
    assert not (tmp_path / "out").exists()


def test_csv_not_text_is_an_error(example_dict, write_scenario, tmp_path, capsys):
    scenario = _csv_scenario(example_dict, write_scenario, tmp_path, data=b"year,CA\n\x80\xff\n")
    code, err = _run(capsys, scenario, tmp_path / "out")
    assert code == 2 and "rows.csv" in err and "not a CSV text file" in err
    assert "Traceback" not in err


def test_input_path_naming_a_folder(example_dict, write_scenario, tmp_path, capsys):
    (tmp_path / "rows.csv").mkdir()
    example_dict["inputs"] = "rows.csv"
    code, err = _run(capsys, write_scenario(example_dict), tmp_path / "out")
    assert code == 2 and "key 'inputs'" in err and "names a folder, not a file" in err


def test_date_that_does_not_exist(tmp_path, capsys):
    path = tmp_path / "dated.yaml"
    path.write_text("name: x\ndescription: 2026-13-01\nyears: [2026]\n")
    code, err = _run(capsys, path, tmp_path / "out")
    assert code == 2 and "key 'description'" in err and "line 2" in err
    assert "not a date that exists: '2026-13-01'" in err and "Traceback" not in err


def test_weights_csv_column_twice_is_an_error(tmp_path):
    from tariffmodel.inputs import series as indices
    from tariffmodel.inputs.errors import InputError

    path = tmp_path / "w.csv"
    path.write_text("group,weight,weight\nfood,0.5,0.4\n")
    with pytest.raises(InputError, match="twice") as info:
        indices.load_cpi_weights(path)
    assert info.value.key == "weight" and str(path) in str(info.value)


def test_unknown_cpi_series_key_is_named_with_a_suggestion(example_dict, write_scenario,
                                                           tmp_path, capsys):  # fmt: skip
    example_dict["cpi_series"] = {"groups": "g.csv", "weigths": "w.csv"}
    code, err = _run(capsys, write_scenario(example_dict), tmp_path / "out")
    assert code == 2 and "cpi_series.weigths" in err and "did you mean 'weights'" in err

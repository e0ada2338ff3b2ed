"""``tariffmodel explain``: the hand calculation of every number, in three formats, and clear
errors for a bad year, term, reading or format."""

from __future__ import annotations

import json
import subprocess
import sys
from contextlib import nullcontext

import pytest

import tariffmodel as tm
from tariffmodel.analysis.explain import agrees, evaluate_substitution
from tariffmodel.cli.main import main

from conftest import ROOT, WORKED_EXAMPLE

HIGH_INFLATION = ROOT / "data" / "scenarios" / "nedc-high-inflation.yaml"


def test_text_of_every_year(capsys):
    assert main(["explain", str(WORKED_EXAMPLE)]) == 0
    out = capsys.readouterr().out
    for year in (2026, 2027, 2028, 2029):
        assert f"=== {year} " in out
    assert out.count("MADR_t  Maximum Allowed Distribution Revenue  [paragraph 1]") == 4
    # every numbers line evaluates to the result line that follows it
    lines = out.splitlines()
    for n, line in enumerate(lines):
        if line.strip().startswith("numbers:"):
            printed = lines[n + 1].split(" = ", 1)[1].split("  (")[0]
            got = evaluate_substitution(line.split("numbers: ", 1)[1])
            assert float(got) == pytest.approx(float(printed), rel=1e-9, abs=1e-15), line


def test_json_of_one_term_with_a_reading(capsys):
    argv = ["explain", str(WORKED_EXAMPLE), "--year", "2027", "--term", "LOSS",
            "--format", "json", "--reading", "loss_deadband=every_year"]  # fmt: skip
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["readings"]["R1 loss_deadband"] == "every_year"
    loss = data["years"]["2027"]
    assert loss["symbol"] == "LOSS_t" and loss["paragraph"] == "1b"
    d = loss["uses"][0]["uses"][2]["uses"][2]
    assert d["name"] == "D" and d["readings"] == {"R1 loss_deadband": "every_year"}
    # AL_2026 = 8.05 % is below TL_2026 = 8.2 %, outside the band: D = 1 under either reading
    assert d["value"] == 1.0


def test_markdown_names_the_csv_line(capsys):
    assert main(["explain", str(HIGH_INFLATION), "--year", "2028", "--term", "CPI",
                 "--format", "md"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert out.startswith("# `CPI_t` explained for NEDC high inflation")
    assert "nedc-high-inflation.csv, line 15, column CPI" in out


@pytest.mark.parametrize(
    "argv,words",
    [
        (["--year", "2031"], ["--year", "2031", "not a modelled year"]),
        (["--year", "soon"], ["not a year: 'soon'"]),
        (["--term", "LOSSES"], ["--term", "no quantity 'LOSSES'", "did you mean 'LOSS'"]),
        (["--term", " "], ["--term", "a term name is due"]),
        (["--reading", "call_centre=literal"], ["--reading", "unknown reading 'literal'"]),
        (["--format", "html"], ["invalid choice: 'html'"]),
    ],
)
def test_bad_options_exit_2_with_a_message(capsys, argv, words):
    with pytest.raises(SystemExit) if "--format" in argv or "soon" in argv else nullcontext():
        code = main(["explain", str(WORKED_EXAMPLE), *argv])
        assert code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    for word in words:
        assert word in captured.err, captured.err


def test_a_missing_scenario_file(capsys, tmp_path):
    assert main(["explain", str(tmp_path / "none.yaml")]) == 2
    assert "none.yaml" in capsys.readouterr().err


def test_api_agrees_with_the_command(capsys):
    expl = tm.explain(tm.load_scenario(WORKED_EXAMPLE), year=2029)
    assert all(agrees(s) for _, s in expl.steps() if s.substituted)
    assert main(["explain", str(WORKED_EXAMPLE), "--year", "2029"]) == 0
    assert capsys.readouterr().out.strip() == tm.render_explanation(expl, "text").strip()


@pytest.mark.slow
def test_a_reader_that_stops_early_is_not_an_error():
    # `tariffmodel explain ... | head -2`: the pipe closes before the text (about 100 kB, more
    # than a pipe holds) is written
    proc = subprocess.Popen(
        [sys.executable, "-m", "tariffmodel", "explain", str(WORKED_EXAMPLE), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and err == ""

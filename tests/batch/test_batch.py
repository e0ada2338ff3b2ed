"""Papermill batches: real executions of the review notebook over two good scenarios and one
broken one; resume; a failing notebook cell; bad input; interruption; the dask path."""

from __future__ import annotations

import concurrent.futures as cf
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tariffmodel as tm
from tariffmodel.batch import runner as batch
from tariffmodel.cli.main import main
from tariffmodel.inputs.errors import InputError
from tariffmodel.reporting import review as reports
from tariffmodel.reporting.provenance import file_sha256

# The worked example of scenario-format.md (illustrative figures of NEDC's order of magnitude).
WORKED = """\
name: {name}
licensee: NEDC
years: [2026, 2027, 2028, 2029]
first_relevant_year: 2023
interpretation:
  loss_deadband: as_drafted
  call_centre: penalty_only
  para4_excess: positive_part
  para5_substitution: none
notified:
  a: {{2026: 60000000}}
  c: {{2026: 85.0}}
  p: {{2026: 0.020}}
  X: {X}
  TL: {{2025: 0.085, 2026: 0.082, 2027: 0.079, 2028: 0.076}}
  BAND: 0.005
  s: 15000
  r: 0.01
  CAP: 0.10
  TS: 0.85
call_centre:
  allowance: {{2026: 400000, 2027: 410000, 2028: 420000, 2029: 430000}}
  kpis:
    - {{name: answered_within_60s, weight: 0.5, target: 0.90, higher_is_better: true}}
    - {{name: abandonment_rate, weight: 0.3, target: 0.05, higher_is_better: false}}
    - {{name: first_contact_resolution, weight: 0.2, target: 0.75, higher_is_better: true}}
  actuals:
    2026: {{answered_within_60s: 0.86, abandonment_rate: 0.06, first_contact_resolution: 0.78}}
    2027: {{answered_within_60s: 0.91, abandonment_rate: 0.045, first_contact_resolution: 0.76}}
inputs:
  - {{year: 2025, RUD: 30500000000, RBS: 33250000000, WS: 0.87, ARDR: 171000000, MADR: 168000000, DB: 164000000}}
  - {{year: 2026, CPI: {CPI}, CA: 1300000, RUD: 31400000000, RBS: 34150000000, DNS: 12.0, WS: 0.80, SR: 0.0258, ARDR: 180000000, AMR: 9000000, LF: 450000, CPL: 2000000}}
  - {{year: 2027, CPI: 0.012, CA: 1340000, RUD: 32300000000, RBS: 35000000000, DNS: 10.0, WS: 0.86, SR: 0.0262, AMR: 11500000, LF: 460000, CPL: 2100000, WPRA: -750000}}
  - {{year: 2028, CPI: 0.011, CA: 1380000, RUD: 33200000000, RBS: 35900000000, WS: 0.95, SR: 0.0255, ARDR: 150000000, AMR: 12800000, LF: 470000, CPL: 2150000}}
  - {{year: 2029, CPI: 0.010, CA: 1420000, RUD: 34100000000, RBS: 36800000000, WS: 0.90, SR: 0.0250, ARDR: 160000000, AMR: 13200000, LF: 480000, CPL: 2200000}}
"""

NOTEBOOK = "price_control_review.ipynb"
PER_SCENARIO = {NOTEBOOK, "report.html", "madr.csv", "results.json", "workbook.xlsx"}


def write_scenarios(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "base": WORKED.format(name="Worked example", X=0.015, CPI=0.009),
        "tight_x": WORKED.format(name="Tighter X", X=0.025, CPI=0.009),
        # CPI given as a percent where a fraction is due: fails validation.
        "broken": WORKED.format(name="Broken CPI", X=0.015, CPI=2.5),
    }
    out = {}
    for stem, text in files.items():
        out[stem] = folder / f"{stem}.yaml"
        out[stem].write_text(text, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    """One real batch (two processes) over two good scenarios and one broken one."""
    root = tmp_path_factory.mktemp("review")
    files = write_scenarios(root / "scenarios")
    out = root / "batch"
    result = batch.run_batch(
        [files["base"], files["tight_x"], files["broken"]],
        out,
        jobs=2,
        readings={},
        seed=7,
        progress=False,
        command="test",
    )
    return {"files": files, "out": out, "result": result}


def by_slug(manifest):
    return {s["slug"]: s for s in manifest["scenarios"]}


pytestmark = [pytest.mark.xdist_group("batch")]


@pytest.mark.slow
def test_good_scenarios_write_every_output(review):
    out = review["out"]
    for slug in ("base", "tight_x"):
        names = {p.name for p in (out / slug).iterdir()}
        assert PER_SCENARIO <= names
    for name in ("summary.xlsx", "summary.csv", "manifest.json"):
        assert (out / name).is_file()


def cached_defined_value(wb, name: str):
    """The cached value of the one cell a workbook-level defined name points at."""
    ((sheet, ref),) = wb.defined_names[name].destinations
    return wb[sheet][ref.replace("$", "")].value


@pytest.mark.slow
def test_workbook_xlsx_caches_the_madr_of_madr_csv(review):
    out = review["out"]
    recs = by_slug(review["result"].manifest)
    for slug in ("base", "tight_x"):
        path = out / slug / "workbook.xlsx"
        assert path.is_file()
        assert "workbook.xlsx" in recs[slug]["outputs"]
        madr = pd.read_csv(out / slug / "madr.csv")
        last = madr.iloc[-1]
        wb = openpyxl.load_workbook(path, data_only=True)
        got = cached_defined_value(wb, f"MADR_{int(last['year'])}")
        assert got == pytest.approx(float(last["MADR"]), rel=1e-9, abs=0)
    # The scenario that failed has no folder, so no workbook.
    assert not (out / "broken" / "workbook.xlsx").exists()
    assert not list(out.glob("**/.*.tmp.xlsx"))


@pytest.mark.slow
def test_broken_scenario_has_no_folder_and_no_kernel(review):
    out = review["out"]
    assert not (out / "broken").exists()
    rec = by_slug(review["result"].manifest)["broken"]
    assert rec["status"] == "failed"
    assert rec["error"]["stage"] == "validation"
    assert "timings" not in rec  # no kernel, no execution timings


@pytest.mark.slow
def test_broken_scenario_error_is_the_engines_message(review):
    with pytest.raises(tm.ScenarioError) as info:
        tm.load_scenario(review["files"]["broken"])
    rec = by_slug(review["result"].manifest)["broken"]
    assert rec["error"]["message"] == str(info.value)
    assert "CPI" in rec["error"]["message"]


@pytest.mark.slow
def test_madr_csv_is_the_engines_projection(review):
    for stem in ("base", "tight_x"):
        expected = tm.project(tm.load_scenario(review["files"][stem]))
        got = pd.read_csv(review["out"] / stem / "madr.csv")
        assert list(got.columns[: len(expected.columns)]) == list(expected.columns)
        for col in expected.columns:
            assert got[col].tolist() == expected[col].tolist(), col


@pytest.mark.slow
def test_worked_example_madr_reaches_the_csv(review):
    got = pd.read_csv(review["out"] / "base" / "madr.csv")
    hand = [180_804_465.64, 187_446_991.10, 192_912_468.15, 240_708_778.65]
    assert got["MADR"].round(2).tolist() == hand


@pytest.mark.slow
def test_results_json_headlines(review):
    res = json.loads((review["out"] / "base" / "results.json").read_text())
    table = pd.read_csv(review["out"] / "base" / "madr.csv")
    assert res["scenario"] == "Worked example"
    assert res["years"] == [2026, 2027, 2028, 2029]
    assert res["MADR"]["2026"] == table["MADR"][0]
    assert res["MADR_total"] == pytest.approx(table["MADR"].sum(), rel=1e-15)
    assert res["compliance"]["para5"] == [2029]
    assert res["RO_per_account"]["2026"] == table["MADR"][0] / 1_300_000
    assert res["baisa_per_kWh"]["2026"] == 1000 * table["MADR"][0] / 31_400_000_000
    assert res["engine_seconds"] > 0


@pytest.mark.slow
def test_html_report_has_no_code(review):
    html = (review["out"] / "base" / "report.html").read_text(encoding="utf-8")
    assert "Price-control review of one scenario" in html
    assert "write_scenario_outputs" not in html  # code cells left out
    assert "(paragraph 5)" in html  # outputs kept


@pytest.mark.slow
def test_executed_notebook_carries_the_parameters(review):
    nb = nbformat.read(review["out"] / "base" / NOTEBOOK, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert str(review["files"]["base"].resolve()) in injected[0].source
    assert "seed = 7" in injected[0].source


@pytest.mark.slow
def test_manifest_records_what_ran_on_what(review):
    m = json.loads((review["out"] / "manifest.json").read_text())
    assert m["kind"] == batch.MANIFEST_KIND
    assert m["status"] == "complete"
    assert m["counts"] == {"ok": 2, "failed": 1}
    assert m["package_version"] == tm.__version__
    assert "git_commit" in m
    nb_path = review["out"] / m["notebook"]["path"]
    assert nb_path.name == NOTEBOOK
    assert not Path(m["notebook"]["path"]).is_absolute()
    assert m["notebook"]["sha256"] == file_sha256(nb_path)
    assert m["readings"] == {}
    assert m["seed"] == 7
    recs = by_slug(m)
    for stem in ("base", "tight_x"):
        rec = recs[stem]
        path = review["files"][stem].resolve()
        relative = os.path.relpath(path, review["out"].resolve())
        assert rec["status"] == "ok"
        assert rec["path"] == relative
        assert rec["inputs"] == {relative: file_sha256(path)}
        assert rec["duration_s"] > 0
        assert rec["timings"]["execute"] > 0
        assert rec["readings"]["loss_deadband"] == "as_drafted"
        assert set(rec["outputs"]) >= PER_SCENARIO


@pytest.mark.slow
def test_summary_xlsx_terms_equal_madr_csv(review):
    out = review["out"]
    wb = openpyxl.load_workbook(out / "summary.xlsx")
    ws = wb["Terms"]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    assert head[:3] == ("term", "unit", "year")
    labels = {"Worked example": "base", "Tighter X": "tight_x"}
    assert set(head[3:]) == set(labels)
    tables = {
        slug: pd.read_csv(out / slug / "madr.csv").set_index("year") for slug in labels.values()
    }
    checked = 0
    numeric = [c for c in tables["base"].columns if c not in reports.FLAGS]
    assert len(numeric) == 40  # every numeric column of madr.csv, CPI, X, SR, RUD, ... included
    assert list(dict.fromkeys(r[0] for r in rows[1:])) == reports.terms_columns(tables.values())
    assert {r[0] for r in rows[1:]} == set(numeric)
    for row in rows[1:]:
        term, _unit, year = row[:3]
        for label, value in zip(head[3:], row[3:], strict=True):
            expected = tables[labels[label]].loc[year, term]
            assert isinstance(value, float | int)
            assert value == expected, (term, year, label)
            checked += 1
    assert checked == 2 * 4 * 40  # two scenarios, four years, 40 numeric columns


@pytest.mark.slow
def test_summary_xlsx_madr_and_flags(review):
    out = review["out"]
    wb = openpyxl.load_workbook(out / "summary.xlsx")
    base = pd.read_csv(out / "base" / "madr.csv")
    ws = wb["MADR"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    col = rows[0].index("Worked example")
    assert [r[0] for r in rows[1:]] == [2026, 2027, 2028, 2029]
    assert [r[col] for r in rows[1:]] == base["MADR"].tolist()
    assert ws.cell(row=3, column=col + 1).number_format == "#,##0.00"
    flags = list(wb["Compliance"].iter_rows(values_only=True))
    col = flags[0].index("Worked example")
    para5 = [r for r in flags[1:] if r[0].startswith("paragraph 5")]
    assert [r[col] for r in para5] == ["No", "No", "No", "Yes"]
    scen = list(wb["Scenarios"].iter_rows(values_only=True))
    status = {r[0]: r[1] for r in scen[1:]}
    assert status == {"Worked example": "ok", "Tighter X": "ok", "Broken CPI": "failed"}


@pytest.mark.slow
def test_summary_csv_long_table(review):
    s = pd.read_csv(review["out"] / "summary.csv")
    assert len(s) == 8
    base = pd.read_csv(review["out"] / "base" / "madr.csv")
    got = s[s["scenario"] == "Worked example"].reset_index(drop=True)
    assert got["MADR"].tolist() == base["MADR"].tolist()
    assert got["RO_per_account"].tolist() == (base["MADR"] / base["CA"]).tolist()


@pytest.mark.slow
def test_folder_holding_a_batch_is_refused_without_resume(review):
    with pytest.raises(InputError, match="holds another batch.*--resume"):
        batch.run_batch([review["files"]["base"]], review["out"], progress=False)


@pytest.mark.slow
def test_resume_skips_done_work_and_exits_1_on_failure(review, capsys):
    """Second half of the module: changes the review folder (runs last in this group)."""
    out = review["out"]
    nb = out / "base" / NOTEBOOK
    before = nb.stat().st_mtime_ns
    files = review["files"]
    argv = ["batch", str(files["base"]), str(files["tight_x"]), str(files["broken"])]
    code = main([*argv, "--out", str(out), "--resume", "--quiet", "--seed", "7"])
    assert code == 1
    err = capsys.readouterr().err
    assert "broken" in err and "CPI" in err
    assert nb.stat().st_mtime_ns == before
    m = json.loads((out / "manifest.json").read_text())
    recs = by_slug(m)
    assert recs["base"]["reused"] is True
    assert recs["tight_x"]["reused"] is True
    # A changed input is run again; the unchanged one is not.
    files["tight_x"].write_text(
        files["tight_x"].read_text().replace("X: 0.025", "X: 0.03"), encoding="utf-8"
    )
    tight_before = (out / "tight_x" / NOTEBOOK).stat().st_mtime_ns
    argv = ["batch", str(files["base"]), str(files["tight_x"]), "--out", str(out)]
    code = main([*argv, "--resume", "--quiet", "--seed", "7"])
    assert code == 0
    recs = by_slug(json.loads((out / "manifest.json").read_text()))
    assert recs["base"].get("reused") is True
    assert not recs["tight_x"].get("reused")
    assert (out / "tight_x" / NOTEBOOK).stat().st_mtime_ns != tight_before
    assert nb.stat().st_mtime_ns == before
    # A scenario left out of a resumed batch keeps its folder, named in the manifest.
    code = main(
        ["batch", str(files["base"]), "--out", str(out), "--resume", "--quiet"] + ["--seed", "7"]
    )
    assert code == 0
    m = json.loads((out / "manifest.json").read_text())
    assert [s["slug"] for s in m["scenarios"]] == ["base"]
    assert m["other_folders"] == ["tight_x"]


FAILING_NB = """\
# %% tags=["parameters"]
scenario = ""
output_dir = None
readings = {}
draws = 0
seed = None

# %%
import tariffmodel as tm
from tariffmodel.reporting import review as reports

reports.write_scenario_outputs(tm.load_scenario(scenario), ".")

# %%
if "tight_x" in scenario:
    tm.load_scenario(scenario).with_values({"notified.X": float("nan")})

# %%
if "tight_x" in scenario:
    raise RuntimeError("a later cell, never reached")
"""


@pytest.mark.slow
def test_failing_cell_is_reported_and_others_finish(tmp_path, capsys):
    import jupytext

    files = write_scenarios(tmp_path / "sc")
    nb_path = tmp_path / "fails.ipynb"
    nb = jupytext.reads(FAILING_NB, fmt="py:percent")
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    jupytext.write(nb, nb_path)
    out = tmp_path / "out"
    code = main(
        ["batch", str(files["base"]), str(files["tight_x"]), "--out", str(out)]
        + ["--notebook", str(nb_path), "--jobs", "2", "--quiet"]
    )
    assert code == 1
    err = capsys.readouterr().err
    # The package's own message (file, key, rule), not a later cell's consequence.
    message = "key 'notified.X': a finite number is due, not nan"
    assert "tight_x" in err and message in err and "later cell" not in err
    m = by_slug(json.loads((out / "manifest.json").read_text()))
    assert m["base"]["status"] == "ok"
    fail = m["tight_x"]
    assert fail["status"] == "failed"
    assert fail["error"]["stage"] == "notebook"
    assert fail["error"]["ename"] == "ScenarioError"
    assert files["tight_x"].name in fail["error"]["message"]
    assert message in fail["error"]["message"]
    # cell 0 parameters, 1 injected parameters, 2 outputs written, 3 the failing cell
    assert fail["error"]["cell_index"] == 3
    assert fail["error"]["cell_source"].startswith('if "tight_x" in scenario')
    assert (out / "tight_x" / "error.txt").read_text() == fail["error"]["message"] + "\n"
    # The failed notebook is kept for diagnosis, with nothing else but the error: not the
    # madr.csv, results.json and statement.md its earlier cell wrote.
    assert {p.name for p in (out / "tight_x").iterdir()} == {"fails.ipynb", "error.txt"}
    assert not (out / "tight_x" / "workbook.xlsx").exists()
    assert (out / "base" / "workbook.xlsx").is_file()
    # A notebook that writes no outputs: the batch writes madr.csv and results.json itself.
    expected = tm.project(tm.load_scenario(files["base"]))
    got = pd.read_csv(out / "base" / "madr.csv")
    assert got["MADR"].tolist() == expected["MADR"].tolist()


# ------------------------------------------------------------------------------------------
# Bad input: clear errors, no kernel
# ------------------------------------------------------------------------------------------
def test_unknown_notebook_lists_known_ones(tmp_path):
    with pytest.raises(InputError, match="unknown notebook.*price_control_review"):
        batch.run_batch([tmp_path / "x.yaml"], tmp_path / "out", notebook="no_such_nb")
    assert not (tmp_path / "out").exists()


def test_notebook_without_parameters_cell(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    path = tmp_path / "plain.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(InputError, match="no cell tagged 'parameters'") as info:
        batch.run_batch([tmp_path / "x.yaml"], tmp_path / "out", notebook=path)
    assert str(path) in str(info.value)
    assert main(["batch", "x.yaml", "--out", str(tmp_path / "o"), "--notebook", str(path)]) == 2


def test_folder_with_other_files_is_refused(tmp_path):
    files = write_scenarios(tmp_path / "sc")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="holds no batch"):
        batch.run_batch([files["base"]], tmp_path / "out", progress=False)


def test_unknown_reading_gets_a_suggestion(tmp_path):
    files = write_scenarios(tmp_path / "sc")
    with pytest.raises(InputError, match="did you mean 'loss_deadband'"):
        batch.run_batch(
            [files["base"]], tmp_path / "out", readings={"loss_deadbnd": "x"}, progress=False
        )
    with pytest.raises(InputError, match="unknown reading 'sometimes'"):
        batch.run_batch(
            [files["base"]],
            tmp_path / "o2",
            readings={"loss_deadband": "sometimes"},
            progress=False,
        )


def test_folder_without_scenarios(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no scenario"):
        batch.expand_scenarios([tmp_path / "empty"])


def test_only_broken_scenarios_start_no_kernel(tmp_path, monkeypatch):
    files = write_scenarios(tmp_path / "sc")

    def no_kernel(payload):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(batch, "execute_scenario", no_kernel)
    result = batch.run_batch([files["broken"]], tmp_path / "out", progress=False)
    assert [s["status"] for s in result.scenarios] == ["failed"]
    assert result.manifest["status"] == "complete"


def test_interrupted_batch_leaves_a_manifest(tmp_path, monkeypatch):
    files = write_scenarios(tmp_path / "sc")
    calls = []

    def fake(payload):
        calls.append(payload["slug"])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return {"status": "ok", "timings": {"total": 0.5}, "outputs": []}

    monkeypatch.setattr(batch, "execute_scenario", fake)
    with pytest.raises(KeyboardInterrupt):
        batch.run_batch([files["base"], files["tight_x"]], tmp_path / "out", progress=False)
    m = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert m["status"] == "interrupted"
    assert [s["status"] for s in m["scenarios"]] == ["ok", "not run"]


def _quick_or_stuck(payload):
    """A stand-in for execute_scenario in the pool's workers: the first scenario finishes at
    once, the others hang (until the batch stops them)."""
    if payload["slug"] != "quick":
        time.sleep(120)
    return {"status": "ok", "timings": {}, "outputs": []}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers start by fork")
@pytest.mark.parametrize("how", ["interrupt", "close"])
def test_interrupted_pool_stops_its_workers(monkeypatch, how):
    monkeypatch.setattr(batch, "execute_scenario", _quick_or_stuck)
    before = set(multiprocessing.active_children())
    payloads = [{"slug": s} for s in ("quick", "stuck1", "stuck2", "stuck3")]
    t0 = time.monotonic()
    scenarios = batch._iter_local(payloads, jobs=2)
    assert next(scenarios)[0] == "quick"
    workers = set(multiprocessing.active_children()) - before
    assert len(workers) == 2
    if how == "interrupt":
        with pytest.raises(KeyboardInterrupt):
            scenarios.throw(KeyboardInterrupt)
    else:
        scenarios.close()
    assert time.monotonic() - t0 < 60  # stopped, not waited for
    assert all(not p.is_alive() for p in workers)
    assert set(multiprocessing.active_children()) - before == set()


@pytest.mark.slow
@pytest.mark.parametrize("how", ["shutdown", "died"])
def test_kernel_folder_is_removed(how):
    import asyncio
    import signal

    async def run():
        km = batch._ipc_kernel_manager_class()(kernel_name=batch.KERNEL_NAME)
        folder = Path(km.ipc_folder)
        await km.start_kernel()
        try:
            kc = km.client()
            kc.start_channels()
            await kc.wait_for_ready(timeout=60)
            kc.stop_channels()
            assert Path(km.connection_file).parent == folder
            assert any(p.name.startswith("k-") for p in folder.iterdir())  # the sockets
            if how == "shutdown":
                await km.shutdown_kernel(now=True)
            else:  # what nbclient does when the kernel has died: cleanup_resources only
                await km.signal_kernel(signal.SIGKILL)
                for _ in range(100):
                    if not await km.is_alive():
                        break
                    await asyncio.sleep(0.05)
                await km.cleanup_resources()
            return folder.exists()
        finally:
            if await km.is_alive():
                await km.shutdown_kernel(now=True)

    # a thread of its own: an event loop of an earlier test may still run in this one
    with cf.ThreadPoolExecutor(1) as thread:
        assert thread.submit(asyncio.run, run()).result() is False


def test_summary_xlsx_keeps_every_digit(tmp_path):
    files = write_scenarios(tmp_path / "sc")
    table = tm.project(tm.load_scenario(files["base"]))
    # numbers that need 17 significant digits, which openpyxl alone writes with 16
    table["MADR"] = table["MADR"] + 1 / 3
    table["CPI"] = table["CPI"] + 0.1 + 0.2
    (tmp_path / "out" / "base").mkdir(parents=True)
    table.to_csv(tmp_path / "out" / "base" / "madr.csv", index=False)
    madr = pd.read_csv(tmp_path / "out" / "base" / "madr.csv")
    assert any(float(f"{v:.16g}") != v for v in madr["MADR"])
    rec = {"slug": "base", "name": "Base", "folder": "base", "status": "ok", "path": "b.yaml"}
    xlsx, _ = reports.write_summary(tmp_path / "out", [rec], {"command": "x < y & z"})
    wb = openpyxl.load_workbook(xlsx)
    rows = list(wb["MADR"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows[1:]] == madr["MADR"].tolist()
    assert wb["MADR"].cell(row=3, column=2).number_format == "#,##0.00"
    terms = list(wb["Terms"].iter_rows(min_row=2, values_only=True))
    m = madr.set_index("year")
    assert all(value == m.loc[year, term] for term, _unit, year, value in terms)
    assert len(terms) == 4 * 40
    scen = list(wb["Scenarios"].iter_rows(values_only=True))
    assert scen[1][4:8] == tuple(madr["MADR"])
    about = dict(wb["About"].iter_rows(min_row=2, values_only=True))
    assert about["command"] == "x < y & z"


def test_resume_reruns_a_scenario_whose_outputs_went_missing(tmp_path):
    files = write_scenarios(tmp_path / "sc")
    job = batch.prepare_job(
        files["base"], "base", notebook=Path("nb.ipynb"), notebook_sha="0", out_root=tmp_path
    )
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "madr.csv").write_text("x")
    before = {"status": "ok", "key": job.key, "outputs": ["madr.csv"]}
    assert batch._is_done(before, job)
    assert not batch._is_done({**before, "key": "other"}, job)
    assert not batch._is_done({**before, "status": "failed"}, job)
    os.remove(tmp_path / "base" / "madr.csv")
    assert not batch._is_done(before, job)


def test_fingerprint_follows_inputs_notebook_and_parameters(tmp_path):
    files = write_scenarios(tmp_path / "sc")
    kw = {"notebook": Path("nb.ipynb"), "out_root": tmp_path}
    a = batch.prepare_job(files["base"], "base", notebook_sha="1", **kw).key
    assert a == batch.prepare_job(files["base"], "base", notebook_sha="1", **kw).key
    assert a != batch.prepare_job(files["base"], "base", notebook_sha="2", **kw).key
    assert a != batch.prepare_job(files["base"], "base", notebook_sha="1", seed=3, **kw).key
    readings = {"loss_deadband": "every_year"}
    assert (
        a != batch.prepare_job(files["base"], "base", notebook_sha="1", readings=readings, **kw).key
    )


def test_scenario_with_a_csv_year_table_hashes_the_csv(tmp_path):
    (tmp_path / "years.csv").write_text("year\n2025\n")
    yaml_path = tmp_path / "s.yaml"
    yaml_path.write_text("name: x\ninputs: years.csv\n")
    assert batch.referenced_files(yaml_path) == [yaml_path, (tmp_path / "years.csv").resolve()]


def test_review_folder_is_dated():
    from tariffmodel.cli.commands.review import review_folder

    assert review_folder("r").name.startswith("review-20")


# ------------------------------------------------------------------------------------------
# The dask path, on a local cluster
# ------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_batch_on_a_local_dask_cluster(tmp_path):
    from distributed import LocalCluster

    files = write_scenarios(tmp_path / "sc")
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
    ) as cluster:
        result = batch.run_batch(
            [files["base"], files["broken"]],
            tmp_path / "out",
            scheduler=cluster.scheduler_address,
            progress=False,
        )
    recs = by_slug(result.manifest)
    assert recs["base"]["status"] == "ok"
    assert recs["broken"]["status"] == "failed"
    assert result.manifest["scheduler"] == cluster.scheduler_address
    assert PER_SCENARIO <= {p.name for p in (tmp_path / "out" / "base").iterdir()}
    expected = tm.project(tm.load_scenario(files["base"]))
    got = pd.read_csv(tmp_path / "out" / "base" / "madr.csv")
    assert got["MADR"].tolist() == expected["MADR"].tolist()


def test_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    files = write_scenarios(tmp_path / "sc")
    import distributed

    def refuse(*a, **k):
        raise OSError("Timed out trying to connect")

    monkeypatch.setattr(distributed, "Client", refuse)
    with pytest.raises(InputError, match="cannot reach the dask scheduler"):
        batch.run_batch(
            [files["base"]], tmp_path / "out", scheduler="tcp://127.0.0.1:1", progress=False
        )
    assert not (tmp_path / "out").exists()  # nothing written


# ------------------------------------------------------------------------------------------
# Report helpers
# ------------------------------------------------------------------------------------------
def test_madr_buildup_refuses_terms_that_do_not_add_up():
    t = pd.DataFrame({"year": [2026], "DB": [100.0], "LOSS": [5.0], "K": [2.0], "MADR": [104.0]})
    with pytest.raises(ValueError, match="add up to 103.00 but MADR is 104.00"):
        reports.madr_buildup(t)


@pytest.mark.slow
def test_review_command_writes_a_dated_folder_and_resumes(tmp_path, capsys):
    from tariffmodel.cli.commands.review import review_folder

    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "base.yaml").write_text(
        WORKED.format(name="Worked example", X=0.015, CPI=0.009), encoding="utf-8"
    )
    root = tmp_path / "reports"
    assert main(["review", str(folder), "--out", str(root), "--quiet"]) == 0
    out = review_folder(root)
    assert f"summary: {out.resolve() / 'summary.xlsx'}" in capsys.readouterr().out
    assert (out / "base" / "madr.csv").is_file()
    # The same day again: the review continues, nothing changed, nothing re-run.
    assert main(["review", str(folder), "--out", str(root), "--quiet"]) == 0
    assert "1 ok (1 reused)" in capsys.readouterr().out


@given(
    amounts=st.lists(
        st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=15, max_size=15
    )
)
def test_madr_buildup_ends_at_madr_and_keeps_each_amount(amounts):
    terms = list(reports.CAP_TERMS)
    row = dict(zip(terms, amounts[:14], strict=True))
    row["K"] = amounts[14]
    row["MADR"] = sum(amounts[:14]) - amounts[14]
    steps = reports.madr_buildup(pd.DataFrame([{"year": 2026, **row}]))
    assert steps["step"].tolist() == ["DB"] + [t for t in terms if t != "DB"] + ["-K", "MADR"]
    body = steps.set_index("step")["amount"]
    for t in terms:
        assert body[t] == row[t]
    assert body["-K"] == -row["K"]
    assert steps["running"].iloc[-1] == row["MADR"]


@given(stems=st.lists(st.sampled_from(["base", "high", "low", "a b"]), min_size=1, max_size=8))
def test_slugs_are_unique_and_keep_order(stems):
    paths = [Path(f"d{i}") / f"{s}.yaml" for i, s in enumerate(stems)]
    slugs = batch.unique_slugs(paths)
    assert len(set(slugs)) == len(slugs) == len(stems)
    assert [s.split("-")[0] for s in slugs] == [s.replace(" ", "-").split("-")[0] for s in stems]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--jobs", "0"], "--jobs': must be at least 1"),
        (["--n-draws", "0"], "--n-draws': must be at least 1"),
        (["--draws", "no-such-draws.yaml"], "no such draws file"),
        (["--reading", "loss_deadband"], "SWITCH=VALUE"),
    ],
)
def test_bad_options_exit_2_with_a_message(tmp_path, capsys, extra, message):
    files = write_scenarios(tmp_path / "sc")
    code = main(["batch", str(files["base"]), "--out", str(tmp_path / "out"), *extra])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_bad_draws_file_fails_validation_without_a_kernel(tmp_path, monkeypatch):
    files = write_scenarios(tmp_path / "sc")
    draws = tmp_path / "draws.yaml"
    draws.write_text("draws:\n  inputs.NOPE: {dist: norm, loc: 0, scale: 1}\n")
    monkeypatch.setattr(batch, "execute_scenario", lambda p: pytest.fail("kernel started"))
    result = batch.run_batch([files["base"]], tmp_path / "out", draws=draws, progress=False)
    rec = result.scenarios[0]
    assert rec["status"] == "failed"
    assert rec["error"]["stage"] == "validation"
    assert "NOPE" in rec["error"]["message"]


def _two_years():
    return pd.DataFrame(
        {
            "year": [2026, 2027],
            "K": [3_000_000.0, -500_000.0],
            "i": [0.0258, 0.0558],
            "ARDR": [180e6, 210e6],
            "MADR": [200e6, 200e6],
            "para3": [False, True],
            "para4": [False, True],
            "para5": [True, False],
            "AL": [0.08, 0.10],
            "TL": [0.085, 0.082],
            "BAND": [0.005, 0.005],
            "D": [1.0, 1.0],
            "LD": [0.005, -0.018],
            "BL": [1_000_000.0, -9_000_000.0],
            "loss_cap": [5_000_000.0, 5_000_000.0],
            "LOSS": [1_000_000.0, -5_000_000.0],
        }
    )


def test_compliance_in_words_follows_the_engines_flags():
    lines = reports.compliance_in_words(_two_years())
    assert lines[0].startswith("2026: MADR 200.00 m RO, ARDR 180.00 m RO.")
    assert "K = 3.00 m RO: revenue was over-recovered in 2025, so MADR is cut by it" in lines[0]
    assert "Revenue is 90.0 % of the cap, not more than 3 % above it." in lines[0]
    assert "below 90 % of the cap in both 2025 and 2026 (paragraph 5)" in lines[0]
    assert "K = -0.50 m RO: revenue was under-recovered in 2026, so MADR rises by it" in lines[1]
    assert "(interest at i = 5.58 %)" in lines[1]
    assert "(paragraph 3)" in lines[1] and "(paragraph 4)" in lines[1]
    assert "(paragraph 5)" not in lines[1]


def test_loss_incentive_view_marks_the_cap():
    view = reports.loss_incentive_view(_two_years())
    assert view["TL + BAND"].tolist() == [0.085 + 0.005, 0.082 + 0.005]
    assert view["cap binds"].tolist() == [False, True]
    assert view["cap [RO]"].tolist() == [5_000_000.0, 5_000_000.0]


def test_term_table_formats_each_row_by_its_unit():
    terms = reports.term_table(_two_years(), columns=["K", "i", "para3"])
    assert terms.loc["K", "unit"] == "RO"
    text = reports.format_term_table(terms)
    assert text.loc["K", 2026] == "3.00"
    assert text.loc["K", "unit"] == "m RO"
    assert text.loc["i", 2027] == "5.58"
    assert text.loc["i", "unit"] == "%"
    assert text.loc["para3", 2027] == "Yes"

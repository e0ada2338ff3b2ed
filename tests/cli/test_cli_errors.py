"""Bad command-line input and file-system refusals: exit code 2, a one-line message naming the
file or option and the rule, no traceback, and no output folder created or changed."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml

from tariffmodel.analysis import montecarlo
from tariffmodel.batch import runner as batch
from tariffmodel.cli.main import main
from tariffmodel.reporting import provenance

from conftest import ROOT, WORKED_EXAMPLE

DRAWS = {
    "seed": 3,
    "draws": {
        "inputs.CA@2026": {"dist": "uniform", "loc": 1.25e6, "scale": 1e5},
        "notified.p": {"dist": "triang", "c": 0.5, "loc": 0.018, "scale": 0.004},
    },
}


@pytest.fixture
def files(tmp_path):
    """A scenario, a draws file, a ranges file and an AMR plan in a folder of their own."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(WORKED_EXAMPLE, inputs / "s.yaml")
    (inputs / "draws.yaml").write_text(yaml.safe_dump(DRAWS))
    (inputs / "ranges.yaml").write_text(yaml.safe_dump({"ranges": {"notified.X": [0.0, 0.03]}}))
    shutil.copy(ROOT / "data" / "amr" / "nedc-amr-plan.yaml", inputs / "plan.yaml")
    return {p.stem: str(p) for p in inputs.iterdir()}


def snapshot(folder: Path) -> dict:
    """Every path under ``folder`` with its size and modification time."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
    }


def refused(capsys, argv: list[str], *words: str) -> str:
    """Run the command line; assert exit 2, no traceback, and ``words`` in the message."""
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err
    return err


def usage_error(capsys, argv: list[str], *words: str) -> str:
    """Run a command line argparse refuses: exit 2 and ``words`` in its message."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err
    assert info.value.code == 2
    for word in words:
        assert word in err, err
    return err


def commands_writing(files, out) -> dict[str, list[str]]:
    """One command line of each command that writes an output folder, into ``out``."""
    s, d = files["s"], files["draws"]
    return {
        "run": ["run", s, "--out", out],
        "montecarlo": ["montecarlo", s, "--draws", d, "--n", "10", "--no-plots", "--out", out],
        "readings": ["readings", s, "--out", out],
        "breakeven": ["breakeven", "kpi", s, "--out", out],
        "amr": ["amr", files["plan"], "--out", out],
        "tornado": ["tornado", s, "--ranges", files["ranges"], "--no-plots", "--out", out],
        "batch": ["batch", s, "--quiet", "--out", out],
    }


# --------------------------------------------------------------------------------------------
# 1. the output folder: a file, below a file, not writable


@pytest.mark.parametrize("command", ["run", "montecarlo", "readings", "breakeven", "amr", "batch"])
def test_out_that_is_a_file_is_refused(tmp_path, files, capsys, command):
    out = tmp_path / "out"
    out.write_text("mine")
    argv = commands_writing(files, str(out))[command]
    refused(capsys, argv, str(out), "'--out'", "is a file, not a folder")
    assert out.read_text() == "mine"
    assert not list(tmp_path.glob(".*staging*"))


def test_out_below_a_file_is_refused(tmp_path, files, capsys):
    out = Path(files["s"]) / "out"
    refused(capsys, ["run", files["s"], "--out", str(out)], "'--out'", "lies below", files["s"])
    assert Path(files["s"]).is_file()


def test_review_root_that_is_a_file_is_refused(tmp_path, files, capsys):
    root = tmp_path / "reports"
    root.write_text("mine")
    folder = str(Path(files["s"]).parent)
    refused(capsys, ["review", folder, "--out", str(root), "--quiet"], "is a file, not a folder")
    assert root.read_text() == "mine"


def test_out_without_write_permission_is_refused_up_front(tmp_path, files, capsys, monkeypatch):
    # root ignores permissions: the check asks os.access, made to say no here.
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != tmp_path and real_access(p, mode))
    out = tmp_path / "out"
    refused(capsys, ["run", files["s"], "--out", str(out)], str(out), "permission denied")
    assert not out.exists()


def test_staging_folder_refused_by_the_system(tmp_path, files, capsys, monkeypatch):
    # os.access said yes, the system said no (e.g. root squashed on a network drive).
    def no_mkdtemp(**kwargs):
        raise PermissionError(13, "Permission denied", str(kwargs["dir"]))

    monkeypatch.setattr(tempfile, "mkdtemp", no_mkdtemp)
    out = tmp_path / "new" / "deeper" / "out"
    refused(capsys, ["run", files["s"], "--out", str(out)], "cannot be written: permission denied")
    # nothing left behind, not even the folders above the output
    assert not (tmp_path / "new").exists()


def test_output_that_cannot_be_moved_into_place(tmp_path, files, capsys, monkeypatch):
    real_replace = os.replace

    def no_replace(src, dst):
        if ".staging-" in str(dst):  # the files written into the staging folder
            return real_replace(src, dst)
        raise PermissionError(13, "Permission denied", str(dst))  # the move into place

    monkeypatch.setattr(os, "replace", no_replace)
    out = tmp_path / "out"
    refused(capsys, ["amr", files["plan"], "--out", str(out)], "cannot be written")
    assert not list(tmp_path.glob(".*staging*"))


# --------------------------------------------------------------------------------------------
# 2. --year of tornado and grid


@pytest.mark.parametrize("command", ["tornado", "grid"])
def test_year_that_is_not_a_year(tmp_path, files, capsys, command):
    out = tmp_path / "out"
    argv = {
        "tornado": ["tornado", files["s"], "--ranges", files["ranges"]],
        "grid": ["grid", files["s"], "--x", "notified.X=0,0.01", "--y", "inputs.CPI=0.01,0.02"],
    }[command]
    usage_error(capsys, [*argv, "--out", str(out), "--no-plots", "--year", "abc"], "--year", "abc")
    assert not out.exists()


@pytest.mark.parametrize("command", ["tornado", "grid"])
def test_year_outside_the_scenario_names_the_option(tmp_path, files, capsys, command):
    out = tmp_path / "out"
    argv = {
        "tornado": ["tornado", files["s"], "--ranges", files["ranges"]],
        "grid": ["grid", files["s"], "--x", "notified.X=0,0.01", "--y", "inputs.CPI=0.01,0.02"],
    }[command]
    argv = [*argv, "--out", str(out), "--no-plots", "--year", "1999"]
    refused(capsys, argv, "key '--year'", "year 1999", "not a modelled year")
    assert not out.exists()


def test_year_of_grid_still_takes_a_year_and_period(tmp_path, files):
    for year in ("2027", "period"):
        argv = ["grid", files["s"], "--x", "notified.X=0,0.01", "--y", "inputs.CPI=0.01,0.02"]
        assert main([*argv, "--out", str(tmp_path / year), "--no-plots", "--year", year]) == 0


# --------------------------------------------------------------------------------------------
# 3. empty --outputs


@pytest.mark.parametrize("command", ["sobol", "morris"])
@pytest.mark.parametrize("outputs", ["", ","])
def test_empty_outputs_is_refused(tmp_path, files, capsys, command, outputs):
    out = tmp_path / "out"
    argv = [command, files["s"], "--draws", files["draws"], "--out", str(out), "--no-plots"]
    usage_error(capsys, [*argv, "--outputs", outputs], "--outputs", "at least one")
    assert not out.exists()


# --------------------------------------------------------------------------------------------
# 4. sizes beyond the limits


@pytest.mark.parametrize(
    ("argv", "option", "limit"),
    [
        (["montecarlo", "{s}", "--draws", "{d}", "--n", str(10**12)], "--n", "10,000,000"),
        (
            ["sobol", "{s}", "--draws", "{d}", "--base-samples", str(2**40)],
            "--base-samples",
            "1,048,576",
        ),
        (
            ["morris", "{s}", "--draws", "{d}", "--trajectories", str(10**12)],
            "--trajectories",
            "1,000,000",
        ),
        (
            ["grid", "{s}", "--x", "notified.X=0:0.03:1000000000", "--y", "inputs.CPI=0,1"],
            "--x",
            "10,000",
        ),
        (
            ["grid", "{s}", "--x", "notified.X=0:1:5000", "--y", "inputs.CPI=0:1:5000"],
            "--y",
            "1,000,000",
        ),
        (["batch", "{s}", "--draws", "{d}", "--n-draws", str(10**12)], "--n-draws", "10,000,000"),
    ],
)
def test_sizes_beyond_the_limits(tmp_path, files, capsys, argv, option, limit):
    out = tmp_path / "out"
    argv = [a.format(s=files["s"], d=files["draws"]) for a in argv]
    refused(capsys, [*argv, "--out", str(out)], option, limit)
    assert not out.exists()


def test_documented_sizes_are_within_the_limits():
    from tariffmodel.cli.commands import _explore

    assert _explore.MAX_DRAWS >= 10_000_000
    assert _explore.MAX_BASE_SAMPLES >= 2**20
    assert _explore.MAX_AXIS_POINTS >= 10_000


def test_draws_file_asking_too_many_draws(tmp_path, files, capsys):
    draws = tmp_path / "many.yaml"
    draws.write_text(yaml.safe_dump({**DRAWS, "n": 10**12}))
    out = tmp_path / "out"
    argv = ["montecarlo", files["s"], "--draws", str(draws), "--no-plots", "--out", str(out)]
    refused(capsys, argv, str(draws), "key 'n'", "10,000,000")
    assert not out.exists()


def test_memory_error_is_a_plain_message(tmp_path, files, capsys, monkeypatch):
    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(montecarlo, "monte_carlo", out_of_memory)
    out = tmp_path / "out"
    argv = ["montecarlo", files["s"], "--draws", files["draws"], "--no-plots", "--out", str(out)]
    refused(capsys, argv, "not enough memory")
    assert not out.exists()


# --------------------------------------------------------------------------------------------
# 5, 9, 10. batch and review: arguments checked before anything runs or is written


@pytest.fixture
def no_kernel(monkeypatch):
    monkeypatch.setattr(batch, "execute_scenario", lambda p: pytest.fail("a scenario ran"))


def test_batch_scenario_that_cannot_be_read(tmp_path, files, capsys, monkeypatch, no_kernel):
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: p != Path(files["s"]) and real_access(p, mode)
    )
    out = tmp_path / "out"
    refused(capsys, ["batch", files["s"], "--out", str(out)], files["s"], "cannot be read")
    assert not out.exists()


def test_batch_manifest_names_only_the_files_it_could_read(tmp_path, files, monkeypatch):
    # A scenario file that can no longer be read when it is hashed: that scenario fails, the
    # batch does not.
    scenario = str(Path(files["s"]).resolve())

    def refuse(path):
        if str(path) == scenario:
            raise PermissionError(13, "Permission denied", str(path))
        return real_sha(path)

    real_sha = batch.file_sha256
    monkeypatch.setattr(batch, "file_sha256", refuse)
    monkeypatch.setattr(provenance, "file_sha256", refuse)
    monkeypatch.setattr(batch, "execute_scenario", lambda p: pytest.fail("a scenario ran"))
    result = batch.run_batch([files["s"]], tmp_path / "out", progress=False)
    assert result.failed[0]["error"]["message"].endswith("cannot be read (Permission denied)")
    assert scenario not in result.manifest["inputs"]


def test_batch_scenario_that_does_not_exist(tmp_path, capsys, no_kernel):
    out = tmp_path / "out"
    missing = str(tmp_path / "nope.yaml")
    refused(capsys, ["batch", missing, "--out", str(out)], missing, "no such scenario file")
    assert not out.exists()


@pytest.mark.parametrize("what", ["missing", "file"])
def test_review_of_a_folder_that_is_not_one(tmp_path, files, capsys, no_kernel, what):
    folder = files["s"] if what == "file" else str(tmp_path / "nope")
    root = tmp_path / "reports"
    refused(capsys, ["review", folder, "--out", str(root)], folder, "'DIR'", "folder")
    assert not root.exists()


def test_batch_bad_draws_file_is_refused_once(tmp_path, files, capsys, no_kernel):
    draws = tmp_path / "bad.yaml"
    draws.write_text("draws:\n  notified.X: {dist: triangle, loc: 0, scale: 1}\n")
    out = tmp_path / "out"
    argv = ["batch", files["s"], "--draws", str(draws), "--out", str(out)]
    refused(capsys, argv, str(draws), "draws.notified.X.dist", "did you mean 'triang'")
    assert not out.exists()


@pytest.mark.parametrize("with_draws", [False, True])
def test_batch_negative_seed_is_refused(tmp_path, files, capsys, no_kernel, with_draws):
    out = tmp_path / "out"
    extra = ["--draws", files["draws"]] if with_draws else []
    argv = ["batch", files["s"], *extra, "--seed", "-1", "--out", str(out)]
    refused(capsys, argv, "'--seed'", "at least 0")
    assert not out.exists()


@pytest.mark.parametrize("command", ["montecarlo", "sobol", "morris"])
def test_negative_seed_names_the_option(tmp_path, files, capsys, command):
    out = tmp_path / "out"
    argv = [command, files["s"], "--draws", files["draws"], "--no-plots", "--out", str(out)]
    refused(capsys, [*argv, "--seed", "-1"], "key '--seed'", "at least 0")
    assert not out.exists()


# --------------------------------------------------------------------------------------------
# 6. values that must be above 0


@pytest.mark.parametrize("madr", ["-5", "0", "nan"])
def test_breakeven_target_madr_must_be_positive(tmp_path, files, capsys, madr):
    out = tmp_path / "out"
    argv = ["breakeven", "x", files["s"], "--madr", madr, "--out", str(out)]
    usage_error(capsys, argv, "--madr", "above 0")
    assert not out.exists()


@pytest.mark.parametrize("delta", ["0", "-0.1"])
def test_spider_delta_must_be_positive(tmp_path, files, capsys, delta):
    out = tmp_path / "out"
    argv = ["tornado", files["s"], "--ranges", files["ranges"], "--out", str(out)]
    usage_error(capsys, [*argv, "--no-plots", "--spider", delta], "--spider", "above 0")
    assert not out.exists()


# --------------------------------------------------------------------------------------------
# 7. an empty --out


@pytest.mark.parametrize("command", ["run", "amr", "readings", "breakeven", "tornado"])
def test_empty_out_is_refused(tmp_path, files, capsys, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    refused(capsys, commands_writing(files, "")[command], "'--out'", "empty")
    assert snapshot(tmp_path) == before


# --------------------------------------------------------------------------------------------
# 8. --reading of run names the option


@pytest.mark.parametrize(
    ("reading", "words"),
    [
        ("lossdeadband=every_year", ["lossdeadband", "did you mean 'loss_deadband'"]),
        ("loss_deadband=every_yr", ["every_yr", "R1", "did you mean 'every_year'"]),
    ],
)
def test_run_reading_errors_name_the_option(tmp_path, files, capsys, reading, words):
    out = tmp_path / "out"
    err = refused(
        capsys, ["run", files["s"], "--out", str(out), "--reading", reading], "'--reading'", *words
    )
    assert "s.yaml" not in err  # the scenario file is not to blame
    assert not out.exists()


def test_run_reading_still_applies(tmp_path, files):
    out = tmp_path / "out"
    assert (
        main(["run", files["s"], "--out", str(out), "--reading", "loss_deadband=every_year"]) == 0
    )
    assert (out / "madr.csv").is_file()


# --------------------------------------------------------------------------------------------
# 11. the safety net for files the system refuses


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (
            PermissionError(13, "Permission denied", "inputs.csv"),
            ["inputs.csv", "Permission denied"],
        ),
        (IsADirectoryError(21, "Is a directory", "inputs.csv"), ["inputs.csv", "Is a directory"]),
        (UnicodeDecodeError("utf-8", b"\x80", 0, 1, "invalid start byte"), ["not UTF-8 text"]),
    ],
)
def test_file_system_errors_are_plain_messages(tmp_path, files, capsys, monkeypatch, exc, words):
    def fail(path, *args, **kwargs):
        raise exc

    monkeypatch.setattr("tariffmodel.cli.commands.run.load_scenario", fail)
    out = tmp_path / "out"
    err = refused(capsys, ["run", files["s"], "--out", str(out)], "tariffmodel run: error:", *words)
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_programming_errors_are_not_hidden(tmp_path, files, monkeypatch):
    def fail(path, *args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr("tariffmodel.cli.commands.run.load_scenario", fail)
    with pytest.raises(KeyError):
        main(["run", files["s"], "--out", str(tmp_path / "out")])

"""Batches under faults: the lock of the output folder, workers and kernels that die with their
parent, stale staging folders, resume after a kill, permissions and paths of the outputs, and
Dask workers lost mid-batch or gone altogether.

The integration tests (slow) really do each fault, on a small notebook that only sleeps for the
scenarios whose file name holds "slow" (as long as $TARIFFMODEL_TEST_SLEEP says), so that a
fault can catch a scenario under way; the batch writes the scenario's outputs itself.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import jupytext
import pytest

import tariffmodel as tm
from tariffmodel.batch import guard
from tariffmodel.batch import runner as batch
from tariffmodel.batch.lock import LOCK_NAME, lock_output_folder, pid_alive
from tariffmodel.inputs.errors import InputError
from tariffmodel.reporting.provenance import write_json_atomic
from tariffmodel.reporting.staging import remove_stale_staging, umask_mode, write_folder

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux processes")
SRC = Path(batch.__file__).resolve().parents[2]
SLEEP_ENV = "TARIFFMODEL_TEST_SLEEP"

SLEEPING_NOTEBOOK = f"""\
# %% tags=["parameters"]
scenario = ""
output_dir = None
readings = {{}}
draws = None
n_draws = 1000
seed = None

# %%
import os
import time

if "slow" in os.path.basename(scenario):
    time.sleep(float(os.environ.get("{SLEEP_ENV}", "0")))
"""

# The files whose bytes must not depend on how the batch got to its end.
COMPARED = ("madr.csv", "bill_impact.csv", "statement.md")


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------
def sleeping_notebook(folder: Path) -> Path:
    nb = jupytext.reads(SLEEPING_NOTEBOOK, fmt="py:percent")
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "sleeping.ipynb"
    jupytext.write(nb, path)
    return path


def scenarios(folder: Path, example: dict, names=("a", "slow-b", "c")) -> list[Path]:
    """Small scenarios: the worked example with another X factor each."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, name in enumerate(names):
        data = dict(example, name=f"Scenario {name}")
        data["notified"] = dict(example["notified"], X=0.01 + 0.005 * i)
        path = folder / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        out.append(path)
    return out


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (by parent pid, from /proc), whatever its session."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat_line = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat_line.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pids) -> set[int]:
    """The pids that still run (a zombie has finished)."""
    out = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(pid)
    return out


def wait_for(predicate, timeout: float, what: str, step: float = 0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def manifest_of(out: Path) -> dict:
    try:
        return json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        return {}


def statuses(out: Path) -> dict[str, str]:
    return {s["slug"]: s["status"] for s in manifest_of(out).get("scenarios", [])}


def start_batch(files, out: Path, notebook: Path, *extra: str, sleep: float = 120):
    """The batch command in a process group of its own, as a user would start it."""
    env = dict(os.environ, PYTHONPATH=str(SRC), **{SLEEP_ENV: str(sleep)})
    cmd = [sys.executable, "-m", "tariffmodel", "batch", *map(str, files)]
    cmd += ["--out", str(out), "--notebook", str(notebook), "--quiet", *extra]
    return subprocess.Popen(
        cmd, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def kernel_pids(under: int, in_folder: str = "") -> set[int]:
    """The Jupyter kernels among the processes below ``under`` (working in a folder whose name
    holds ``in_folder``)."""
    out = set()
    for pid in descendants(under):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if b"ipykernel" in cmdline and in_folder in cwd:
            out.add(pid)
    return out


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def outputs_bytes(out: Path, slugs, summary: bool = True) -> dict[str, bytes]:
    files = {f"{s}/{name}": (out / s / name).read_bytes() for s in slugs for name in COMPARED}
    if summary:  # the batch's summary covers its scenarios: compare like with like
        files["summary.csv"] = (out / "summary.csv").read_bytes()
    return files


# ------------------------------------------------------------------------------------------
# The lock (fast)
# ------------------------------------------------------------------------------------------
HOLD = """
import sys, time
from tariffmodel.batch.lock import lock_output_folder
lock = lock_output_folder(sys.argv[1], command="holder")
if len(sys.argv) > 2:  # a forked child that outlives its parent, holding no lock of its own
    import os
    if os.fork() == 0:
        time.sleep(60)
        os._exit(0)
print("locked", flush=True)
time.sleep(60)
"""


def hold_lock(folder: Path, fork_child: bool = False) -> subprocess.Popen:
    args = [sys.executable, "-c", HOLD, str(folder)] + (["fork"] if fork_child else [])
    proc = subprocess.Popen(
        args, env=dict(os.environ, PYTHONPATH=str(SRC)), stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


@linux_only
def test_second_batch_is_refused_naming_the_first(tmp_path):
    holder = hold_lock(tmp_path)
    try:
        info = json.loads((tmp_path / LOCK_NAME).read_text())
        assert info["pid"] == holder.pid and info["command"] == "holder"
        with pytest.raises(InputError, match=f"in use by another batch \\(pid {holder.pid}") as e:
            lock_output_folder(tmp_path)
        assert info["started_utc"] in str(e.value)
    finally:
        holder.kill()
        holder.wait()


def test_same_process_cannot_lock_twice_and_release_removes_the_file(tmp_path):
    lock = lock_output_folder(tmp_path)
    with pytest.raises(InputError, match="in use by another batch of this process"):
        lock_output_folder(tmp_path)
    assert stat.S_IMODE((tmp_path / LOCK_NAME).stat().st_mode) == umask_mode()
    lock.release()
    assert not (tmp_path / LOCK_NAME).exists()
    with lock_output_folder(tmp_path) as again:
        assert again.taken_over is None


def test_lock_file_that_is_a_link_is_refused(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep")
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).symlink_to(target)
    with pytest.raises(InputError, match="cannot be locked"):
        lock_output_folder(out)
    assert target.read_text() == "keep"


@linux_only
def test_lock_of_a_killed_batch_is_taken_over_though_its_child_lives(tmp_path):
    # The holder forks a child (as the pool does); killing the holder frees the folder even
    # though the child still runs: the lock belongs to the holder's process alone.
    holder = hold_lock(tmp_path, fork_child=True)
    child = wait_for(lambda: descendants(holder.pid), 10, "the holder's child")
    holder.kill()
    holder.wait()
    try:
        assert alive(child)
        with lock_output_folder(tmp_path) as lock:
            assert lock.taken_over["pid"] == holder.pid
            assert not pid_alive(holder.pid)
    finally:
        for pid in child:
            os.kill(pid, signal.SIGKILL)


@linux_only
def test_run_batch_refuses_a_locked_folder_before_running_anything(tmp_path, example_dict):
    files = scenarios(tmp_path / "sc", example_dict, names=("a",))
    out = tmp_path / "out"
    out.mkdir()
    holder = hold_lock(out)
    try:
        for resume in (False, True):
            with pytest.raises(InputError, match=f"pid {holder.pid}"):
                batch.run_batch(files, out, resume=resume, progress=False)
    finally:
        holder.kill()
        holder.wait()
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]  # nothing written


# ------------------------------------------------------------------------------------------
# Staging, permissions, paths (fast)
# ------------------------------------------------------------------------------------------
def test_stale_staging_and_temporaries_are_removed_and_nothing_else(tmp_path):
    for name in (".a.staging-x1", ".slow-b.staging-old-y", "a", ".hidden-folder"):
        (tmp_path / name).mkdir()
    (tmp_path / ".a.staging-x1" / "madr.csv").write_text("half")
    for name in (".manifest.json.abc.tmp", ".summary.k3.xlsx", "manifest.json", LOCK_NAME):
        (tmp_path / name).write_text("x")
    removed = remove_stale_staging(tmp_path)
    assert removed == sorted(
        [".a.staging-x1", ".manifest.json.abc.tmp", ".slow-b.staging-old-y", ".summary.k3.xlsx"]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".hidden-folder", LOCK_NAME, "a", "manifest.json"]
    )


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002])
def test_outputs_take_the_umasks_permissions(tmp_path, mask):
    before = os.umask(mask)
    try:
        write_json_atomic(tmp_path / "manifest.json", {"a": 1})
        write_folder(tmp_path / "s", {"madr.csv": b"1\n", "sub/x.txt": b"2"})
        write_folder(tmp_path / "s", {"madr.csv": b"3\n"})  # replaced whole
    finally:
        os.umask(before)
    assert stat.S_IMODE((tmp_path / "manifest.json").stat().st_mode) == 0o666 & ~mask
    assert stat.S_IMODE((tmp_path / "s").stat().st_mode) == 0o777 & ~mask
    assert stat.S_IMODE((tmp_path / "s" / "madr.csv").stat().st_mode) == 0o666 & ~mask
    assert [p.name for p in (tmp_path / "s").iterdir()] == ["madr.csv"]
    assert (tmp_path / "s" / "madr.csv").read_bytes() == b"3\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "s"]


def test_write_folder_refuses_names_leaving_the_folder(tmp_path):
    with pytest.raises(InputError, match="leaves the folder"):
        write_folder(tmp_path / "s", {"../evil.txt": b"x"})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("path", "base", "expected"),
    [
        ("/r/data/review/../cpi/g.csv", "/r/out", "../data/cpi/g.csv"),
        ("/r/out/./a/b.yaml", "/r/out", "a/b.yaml"),
        ("/r/out/", "/r/out", "."),
        ("/x/y.yaml", "/r/out/sub", "../../../x/y.yaml"),
    ],
)
def test_manifest_paths_are_normalised_and_relative(path, base, expected):
    assert batch.relative_path(path, base) == expected


def test_guarded_kernel_command_wraps_python_only():
    cmd = ["/venv/bin/python", "-m", "ipykernel_launcher", "-f", "k.json"]
    wrapped = guard.guarded_kernel_command(cmd)
    if sys.platform.startswith("linux"):
        assert wrapped[:2] == ["/venv/bin/python", "-c"] and wrapped[3:] == cmd
    else:
        assert wrapped == cmd
    assert guard.guarded_kernel_command(["julia", "k.json"]) == ["julia", "k.json"]


DIES_WITH_PARENT = """
import os, sys, time
from tariffmodel.batch.guard import die_with_parent
parent = os.getpid()
if os.fork() == 0:
    die_with_parent(parent)
    time.sleep(60)
    os._exit(0)
print("ready", flush=True)
time.sleep(60)
"""


@linux_only
def test_a_guarded_child_dies_with_its_parent_killed_outright():
    proc = subprocess.Popen(
        [sys.executable, "-c", DIES_WITH_PARENT],
        env=dict(os.environ, PYTHONPATH=str(SRC)),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "ready"
    child = wait_for(lambda: descendants(proc.pid), 10, "the child")
    proc.kill()
    proc.wait()
    wait_for(lambda: not alive(child), 5, "the child to die with its parent")


def test_an_input_error_in_a_cell_keeps_the_packages_message():
    class Failed(Exception):
        ename = "ScenarioError"
        evalue = "s.yaml, key 'notified.X', year 2027: a finite number is due, not nan"
        cell_index = 2
        exec_count = 1
        source = "sc = tm.load_scenario(scenario)\nmore"

    info = batch._error_from_papermill(Failed())
    assert info["message"] == f"{Failed.evalue} [cell 2 (sc = tm.load_scenario(scenario))]"
    Failed.ename = "ZeroDivisionError"
    assert batch._error_from_papermill(Failed())["message"].startswith("ZeroDivisionError: ")


def test_nan_in_the_call_centre_block_fails_validation_with_the_engines_message(
    tmp_path, example_dict, monkeypatch
):
    def no_kernel(payload):
        raise AssertionError("a kernel was started")

    example_dict["call_centre"]["allowance"][2027] = float("nan")
    (path,) = scenarios(tmp_path / "sc", example_dict, names=("nan",))
    monkeypatch.setattr(batch, "execute_scenario", no_kernel)
    result = batch.run_batch([path], tmp_path / "out", progress=False)
    (rec,) = result.failed
    assert rec["error"]["stage"] == "validation"
    assert (
        "key 'call_centre.allowance', year 2027: a finite number is due" in rec["error"]["message"]
    )
    assert not (tmp_path / "out" / "nan").exists()


def test_worker_timeout_must_be_positive(tmp_path, example_dict):
    files = scenarios(tmp_path / "sc", example_dict, names=("a",))
    for bad in (0, -1, float("nan")):
        with pytest.raises(InputError, match="--worker-timeout"):
            batch.run_batch(files, tmp_path / "out", worker_timeout=bad, progress=False)
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------------------
# Resume bookkeeping, with a stand-in for the notebook run (fast)
# ------------------------------------------------------------------------------------------
def _fake_run(calls):
    def fake(payload):
        calls.append(payload["slug"])
        if payload["slug"] == "c":
            return {
                "status": "failed",
                "timings": {"total": 0.1},
                "files": {"sleeping.ipynb": b"{}", "error.txt": b"boom\n"},
                "outputs": ["error.txt", "sleeping.ipynb"],
                "error": {"stage": "notebook", "message": "boom"},
            }
        table = tm.project(tm.load_scenario(payload["path"]))
        files = {"madr.csv": table.to_csv(index=False).encode()}
        return {"status": "ok", "timings": {"total": 0.1}, "files": files, "outputs": ["madr.csv"]}

    return fake


def test_resume_after_a_kill_reruns_what_was_not_recorded_and_says_so(
    tmp_path, example_dict, monkeypatch
):
    files = scenarios(tmp_path / "sc", example_dict)
    out = tmp_path / "out"
    calls: list[str] = []
    monkeypatch.setattr(batch, "execute_scenario", _fake_run(calls))
    first = batch.run_batch(files, out, progress=False)
    assert by_status(first.manifest) == {"a": "ok", "slow-b": "ok", "c": "failed"}
    assert (out / "c" / "error.txt").read_text() == "boom\n"
    assert sorted(p.name for p in (out / "c").iterdir()) == ["error.txt", "sleeping.ipynb"]
    # What a batch killed with kill -9 leaves: a manifest that still says "running", one
    # scenario under way, and its worker's scratch folder.
    m = manifest_of(out)
    m["status"] = "running"
    m["pid"] = 999_999_999
    m["scenarios"][1]["status"] = "running"
    (out / "manifest.json").write_text(json.dumps(m))
    (out / ".slow-b.staging-abc").mkdir()
    (out / ".slow-b.staging-abc" / "madr.csv").write_text("half")
    calls.clear()
    again = batch.run_batch(files, out, resume=True, progress=False)
    assert calls == ["slow-b", "c"]  # the failed one and the interrupted one, nothing else
    assert again.manifest["previous_run"] == {
        "started_utc": m["started_utc"],
        "pid": 999_999_999,
        "ended": "killed",
        "interrupted": ["slow-b"],
        "not_started": [],
    }
    assert again.manifest["removed_staging"] == [".slow-b.staging-abc"]
    recs = {s["slug"]: s for s in again.scenarios}
    assert recs["slow-b"]["interrupted_before"] is True and recs["a"]["reused"] is True
    assert not [p for p in out.iterdir() if ".staging-" in p.name]
    assert recs["a"]["path"] == "../sc/a.yaml"
    assert list(recs["a"]["inputs"]) == ["../sc/a.yaml"]
    assert not (out / LOCK_NAME).exists()
    # manifest.json, summary.xlsx, summary.csv and the scenarios' files: all by the umask
    modes = {p.relative_to(out).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*")}
    assert {"manifest.json", "summary.xlsx", "summary.csv", "a/madr.csv"} <= set(modes)
    assert modes == {name: umask_mode(folder=(out / name).is_dir()) for name in modes}


def test_a_summary_that_cannot_be_written_fails_the_batch_with_a_plain_message(
    tmp_path, example_dict, monkeypatch
):
    files = scenarios(tmp_path / "sc", example_dict, names=("a",))
    out = tmp_path / "out"
    monkeypatch.setattr(batch, "execute_scenario", _fake_run([]))

    def broken(*args, **kwargs):
        raise RuntimeError("the writer broke")

    monkeypatch.setattr(batch.reports, "write_summary", broken)
    with pytest.raises(InputError) as caught:
        batch.run_batch(files, out, progress=False)
    message = "the summary (summary.xlsx, summary.csv) could not be written: RuntimeError: "
    assert str(caught.value) == f"{out}: {message}the writer broke"
    m = manifest_of(out)
    assert m["status"] == "failed"
    assert m["error"] == {"stage": "summary", "message": message + "the writer broke"}
    assert by_status(m) == {"a": "ok"}
    assert not (out / LOCK_NAME).exists()


def test_a_scenario_name_with_control_characters_gives_a_complete_batch(
    tmp_path, example_dict, monkeypatch
):
    """The name is listed on the summary's sheet Scenarios whether or not the scenario ran."""
    import openpyxl
    import yaml

    (path,) = scenarios(tmp_path / "sc", example_dict, names=("a",))
    data = yaml.safe_load(path.read_text())
    data["name"] = "NEDC\x1b[31mRED\x07\r\nINJECT\u202e"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    monkeypatch.setattr(batch, "execute_scenario", _fake_run([]))
    result = batch.run_batch([path], tmp_path / "out", progress=False)
    assert result.manifest["status"] == "complete"
    sheet = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")["Scenarios"]
    assert sheet["A2"].value == "NEDC\ufffd[31mRED\ufffd\nINJECT\u202e"


def by_status(manifest) -> dict[str, str]:
    return {s["slug"]: s["status"] for s in manifest["scenarios"]}


# ------------------------------------------------------------------------------------------
# Real faults (slow)
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fault_setup(tmp_path_factory):
    """Scenarios, the sleeping notebook and an uninterrupted batch of them (not asleep)."""
    import yaml

    root = tmp_path_factory.mktemp("faults")
    example = yaml.safe_load(
        (Path(__file__).parents[1] / "data" / "worked-example.yaml").read_text()
    )
    files = scenarios(root / "sc", example)
    notebook = sleeping_notebook(root)
    ref = batch.run_batch(files, root / "reference", jobs=2, notebook=notebook, progress=False)
    assert ref.ok
    return files, notebook, root


@linux_only
@pytest.mark.slow
@pytest.mark.parametrize("how", ["parent", "group"])
def test_kill_9_leaves_no_process_and_resume_is_byte_identical(fault_setup, tmp_path, how):
    """kill -9 of the batch's process (the workers must die of it) or of its whole group (the
    kernels, in sessions of their own, must die of it); then --resume."""
    files, notebook, root = fault_setup
    out = tmp_path / "out"
    proc = start_batch(files, out, notebook, "--jobs", "2")
    try:
        # Caught with "a" done and "slow-b" asleep in its kernel.
        wait_for(lambda: statuses(out).get("a") == "ok", 120, "scenario a to finish")
        wait_for(lambda: kernel_pids(proc.pid), 60, "the kernel of slow-b")
        tree = descendants(proc.pid)
        assert len(tree) >= 2  # pool workers and a kernel
        if how == "parent":
            os.kill(proc.pid, signal.SIGKILL)
        else:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        wait_for(lambda: not alive(tree), 10, f"no process left of {sorted(alive(tree))}")
    finally:
        if proc.poll() is None:
            proc.kill()
    killed = manifest_of(out)
    assert killed["status"] == "running"
    assert killed["scenarios"][1]["status"] == "running"
    assert any(".staging-" in p.name for p in out.iterdir())  # the killed worker's scratch
    if how == "parent":
        return  # the resume is the same after either kill: done once, below

    result = batch.run_batch(files, out, jobs=2, notebook=notebook, resume=True, progress=False)
    assert result.ok
    assert result.manifest["previous_run"]["ended"] == "killed"
    assert "slow-b" in result.manifest["previous_run"]["interrupted"]
    assert [s.get("reused", False) for s in result.scenarios][0] is True
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    slugs = [s["slug"] for s in result.scenarios]
    assert outputs_bytes(out, slugs) == outputs_bytes(root / "reference", slugs)


@linux_only
@pytest.mark.slow
def test_two_batches_at_once_and_sigterm(fault_setup, tmp_path):
    files, notebook, _ = fault_setup
    out = tmp_path / "out"
    proc = start_batch(files[1:2], out, notebook, "--jobs", "1")
    try:
        wait_for(lambda: (out / LOCK_NAME).is_file() and statuses(out), 60, "the first batch")
        for resume in (False, True):
            with pytest.raises(InputError, match=f"in use by another batch \\(pid {proc.pid}"):
                batch.run_batch(files, out, notebook=notebook, resume=resume, progress=False)
        second = start_batch(files, out, notebook, "--resume")
        _, err = second.communicate(timeout=60)
        assert second.returncode == 2
        assert f"pid {proc.pid}" in err.decode()
        wait_for(lambda: kernel_pids(proc.pid), 60, "the first batch's kernel")
        tree = descendants(proc.pid)
        proc.terminate()  # SIGTERM: stops like Ctrl-C
        proc.wait(timeout=30)
        wait_for(lambda: not alive(tree), 10, "no process left")
    finally:
        if proc.poll() is None:
            proc.kill()
    m = manifest_of(out)
    assert m["status"] == "interrupted"
    assert [s["status"] for s in m["scenarios"]] == ["not run"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no lock, no staging


def _wait_on_thread(fn):
    box: dict = {}

    def run():
        try:
            box["result"] = fn()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box


def _folder_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in [folder, *folder.iterdir()]}


@linux_only
@pytest.mark.slow
def test_dask_worker_killed_mid_batch(fault_setup, tmp_path, monkeypatch):
    from distributed import Client, LocalCluster

    files, notebook, root = fault_setup
    monkeypatch.setenv(SLEEP_ENV, "10")
    out = tmp_path / "out"
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        thread, box = _wait_on_thread(
            lambda: batch.run_batch(
                files[:2],
                out,
                notebook=notebook,
                scheduler=cluster.scheduler_address,
                progress=False,
            )
        )

        # The kernel of slow-b (it runs in slow-b's scratch folder), and the worker above it.
        kernels = wait_for(
            lambda: kernel_pids(os.getpid(), in_folder=".slow-b.staging-"), 180, "slow-b's kernel"
        )
        (pid,) = {parent_of(k) for k in kernels}
        assert pid in set(client.run(os.getpid).values())
        # a finished before the kill (usually): its folder must outlive the kill untouched
        a_before = _folder_state(out / "a") if statuses(out).get("a") == "ok" else None
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not alive(kernels), 10, "the killed worker's kernel to die")
        thread.join(timeout=180)
        assert not thread.is_alive() and "error" not in box, box.get("error")
        result = box["result"]
        done_state = {s: _folder_state(out / s) for s in ("a", "slow-b")}
        time.sleep(2)  # anything re-run on the cluster would land now
        assert {s: _folder_state(out / s) for s in done_state} == done_state
        assert a_before in (None, done_state["a"])
    assert result.ok, batch.format_failures(result)
    slugs = [s["slug"] for s in result.scenarios]
    ref = outputs_bytes(root / "reference", slugs, summary=False)
    assert outputs_bytes(out, slugs, summary=False) == ref


@linux_only
@pytest.mark.slow
def test_dask_without_workers_times_out(fault_setup, tmp_path, monkeypatch):
    from distributed import Client, LocalCluster

    files, notebook, _ = fault_setup
    monkeypatch.setenv(SLEEP_ENV, "60")
    out = tmp_path / "out"
    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        thread, box = _wait_on_thread(
            lambda: batch.run_batch(
                files[1:2],
                out,
                notebook=notebook,
                scheduler=cluster.scheduler_address,
                worker_timeout=3,
                progress=False,
            )
        )
        wait_for(lambda: any(client.processing().values()), 60, "the scenario on the worker")
        t0 = time.monotonic()
        cluster.scale(0)
        thread.join(timeout=60)
        assert not thread.is_alive() and "error" not in box, box.get("error")
        waited = time.monotonic() - t0
    rec = box["result"].scenarios[0]
    assert rec["status"] == "failed"
    assert rec["error"]["stage"] == "cluster"
    assert "no Dask worker" in rec["error"]["message"] and "3 s" in rec["error"]["message"]
    assert 3 <= waited < 30
    assert (out / "slow-b" / "error.txt").is_file()

"""Papermill batches: one parameterised notebook run over many scenarios.

A review team runs every scenario of a price-control review through the same notebook on one
command and gets, per scenario, the executed notebook, an HTML report without code, ``madr.csv``,
``results.json`` and ``workbook.xlsx`` (the live Excel model of the cap); for the batch,
``summary.xlsx``, ``summary.csv`` and ``manifest.json``.

How a batch behaves
-------------------
- Every scenario is validated first, in this process (:func:`tariffmodel.load_scenario`). One that
  fails validation is recorded as failed with the engine's message; no kernel is started for it.
- Each valid scenario is one Papermill execution in its own process (a process pool of ``jobs``
  workers, or the workers of a dask.distributed cluster). Kernels talk over IPC sockets in a
  private folder, so simultaneous kernel starts never race for TCP ports.
- The batch locks its output folder (:mod:`tariffmodel.batch.lock`); its workers and their
  kernels die with it however it dies (:mod:`tariffmodel.batch.guard`).
- A worker returns the scenario's files; only the batch's process writes the output folder,
  each scenario's folder built in a staging folder and renamed into place whole.
- One failing scenario never stops the others. The manifest is rewritten whenever a scenario
  starts or finishes, so a batch stopped in any way leaves a manifest that says what finished
  and what was under way.
- ``resume=True`` skips scenarios already done with identical inputs, notebook and parameters,
  after removing what a killed run left half-made.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as _dt
import hashlib
import json
import math
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tariffmodel as tm
from tariffmodel.analysis import montecarlo
from tariffmodel.analysis.readings import check_readings
from tariffmodel.batch.guard import die_with_parent, guarded_kernel_command
from tariffmodel.batch.lock import LOCK_NAME, BatchLock, lock_output_folder
from tariffmodel.inputs import locations
from tariffmodel.inputs.errors import InputError
from tariffmodel.reporting import review as reports
from tariffmodel.reporting.provenance import file_sha256, provenance, write_json_atomic
from tariffmodel.reporting.staging import (
    check_output_folder,
    remove_stale_staging,
    staging_prefix,
    write_folder,
)
from tariffmodel.reporting.workbook import write_workbook

#: The notebook a batch runs unless told otherwise.
DEFAULT_NOTEBOOK = "price_control_review"
#: Kernel registered in the virtualenv by ``make setup`` (sys-prefix).
KERNEL_NAME = "python3"
#: Marks a manifest written by this module.
MANIFEST_KIND = "tariffmodel-batch"
#: The random seed of a batch unless told otherwise (the notebooks' default too).
DEFAULT_SEED = 20260101
#: Name of the HTML report in each scenario folder.
HTML_NAME = "report.html"
#: Name of the live Excel model of the cap in each scenario folder.
WORKBOOK_NAME = "workbook.xlsx"
#: Seconds [s] a batch on Dask waits with no worker connected before failing what is left.
DEFAULT_WORKER_TIMEOUT = 60.0

_NOTEBOOK_DIR_ENV = "TARIFFMODEL_NOTEBOOKS"


# --------------------------------------------------------------------------------------------
# Where things are
# --------------------------------------------------------------------------------------------
def notebooks_dir() -> Path:
    """The folder of the project's parameterised notebooks.

    ``$TARIFFMODEL_NOTEBOOKS`` when set, else ``notebooks/`` of the checkout holding the package.
    """
    env = os.environ.get(_NOTEBOOK_DIR_ENV)
    if env:
        return Path(env)
    return locations.notebooks_dir()


def available_notebooks() -> list[str]:
    """Names of the notebooks in :func:`notebooks_dir` (without ``.ipynb``)."""
    folder = notebooks_dir()
    return sorted(p.stem for p in folder.glob("*.ipynb")) if folder.is_dir() else []


def resolve_notebook(notebook: str | os.PathLike | None = None) -> Path:
    """The notebook file to run: a path to an ``.ipynb``, or the name of one in ``notebooks/``.

    Raises
    ------
    InputError
        When the notebook does not exist (listing the known ones), or has no cell tagged
        ``parameters``.
    """
    name = DEFAULT_NOTEBOOK if notebook is None else str(notebook)
    path = Path(name)
    bare = len(path.parts) == 1
    if bare and not (path.suffix == ".ipynb" and path.is_file()):
        # A name: the notebook of that name in notebooks/.
        path = notebooks_dir() / f"{name.removesuffix('.ipynb')}.ipynb"
    if not path.is_file():
        known = ", ".join(available_notebooks()) or "none found"
        raise InputError(
            f"unknown notebook; give the path of an .ipynb file or one of: {known}",
            file=name,
            key="--notebook",
        )
    require_parameters_cell(path)
    return path.resolve()


def require_parameters_cell(path: str | os.PathLike) -> None:
    """Raise :class:`InputError` unless the notebook has a cell tagged ``parameters``."""
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # a notebook that cannot be read is bad input too
        raise InputError(f"not a readable notebook ({exc})", file=str(path)) from None
    for cell in nb.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return
    raise InputError(
        "the notebook has no cell tagged 'parameters', so a batch cannot set its scenario "
        "(tag the cell that assigns scenario, output_dir, readings)",
        file=str(path),
    )


# --------------------------------------------------------------------------------------------
# Scenario jobs
# --------------------------------------------------------------------------------------------
def referenced_files(path: str | os.PathLike) -> list[Path]:
    """The scenario file and the files it names (``inputs`` CSV, ``amr`` plan, ``wpra`` file).

    Files that do not exist are left out here; validation reports them.
    """
    import yaml

    path = Path(path)
    found = [path]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except Exception:
        return found
    if isinstance(data, Mapping):
        for key in ("inputs", "amr", "wpra"):
            value = data.get(key)
            if isinstance(value, str):
                target = (path.parent / value).resolve()
                if target.is_file():
                    found.append(target)
    return found


def _raw_name(path: Path) -> str | None:
    """The ``name`` of a scenario file that failed validation, when it can be read."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except Exception:
        return None
    name = data.get("name") if isinstance(data, Mapping) else None
    return str(name) if name is not None else None


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _slugify(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return slug or "scenario"


def unique_slugs(paths: Sequence[Path]) -> list[str]:
    """Folder names for the scenarios: the file stem, numbered when two stems clash.

    >>> unique_slugs([Path("a/base.yaml"), Path("b/base.yaml"), Path("high.yaml")])
    ['base', 'base-2', 'high']
    """
    seen: dict[str, int] = {}
    out = []
    for p in paths:
        stem = _slugify(Path(p).stem)
        seen[stem] = seen.get(stem, 0) + 1
        out.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return out


@dataclass
class ScenarioJob:
    """One scenario of a batch: what to run, where, and the fingerprint of its inputs."""

    slug: str
    path: Path
    notebook: Path
    out_dir: Path
    parameters: dict[str, Any]
    inputs: dict[str, str] = field(default_factory=dict)
    key: str = ""
    name: str | None = None
    readings: dict[str, str] | None = None
    error: str | None = None
    validate_seconds: float = 0.0

    def to_payload(self) -> dict[str, Any]:
        """A plain dict a worker process (or a dask worker) can take."""
        return {
            "slug": self.slug,
            "path": str(self.path),
            "notebook": str(self.notebook),
            "parameters": dict(self.parameters),
            # checked again by the worker just before it runs: what ran is what is recorded
            "inputs": dict(self.inputs),
        }


def prepare_job(
    path: str | os.PathLike,
    slug: str,
    *,
    notebook: Path,
    notebook_sha: str,
    out_root: Path,
    readings: Mapping[str, str] | None = None,
    draws: str | os.PathLike | None = None,
    n_draws: int = 1000,
    seed: int | None = DEFAULT_SEED,
) -> ScenarioJob:
    """Validate one scenario (no kernel) and fingerprint its inputs.

    A scenario that fails validation comes back with ``error`` set to the engine's message.
    """
    path = Path(path).resolve()
    params = {
        "scenario": str(path),
        "output_dir": ".",
        "readings": dict(readings or {}),
        "draws": None if draws is None else str(Path(draws).resolve()),
        "n_draws": int(n_draws),
        "seed": seed,
    }
    job = ScenarioJob(
        slug=slug, path=path, notebook=notebook, out_dir=out_root / slug, parameters=params
    )
    t0 = time.perf_counter()
    try:
        job.inputs = {str(p): file_sha256(p) for p in referenced_files(path)}
    except OSError as exc:
        job.error = str(InputError(f"cannot be read ({exc.strerror})", file=exc.filename or path))
        return job
    try:
        sc = tm.load_scenario(path)
        if readings:
            sc = sc.with_readings(**dict(readings))
        job.name = sc.name
        job.readings = dict(sc.readings)
        content = sc.to_yaml()
        if draws is not None:
            montecarlo.load_draws(draws, sc)
        # The projection itself (milliseconds): an input the engine refuses (a number that is
        # not finite in some year) fails here with its message, before any kernel starts.
        tm.project(sc)
        # Every file the scenario read (year tables, CPI and rate series, plans), and the draws.
        sources = [*getattr(sc, "sources", []), *([draws] if draws is not None else [])]
        for source in sources:
            job.inputs.setdefault(str(Path(source).resolve()), file_sha256(source))
    except InputError as exc:
        job.error = str(exc)
        job.name = _raw_name(path)
        return job
    except (OSError, UnicodeDecodeError) as exc:  # a file the scenario names cannot be read
        where = getattr(exc, "filename", None) or path
        job.error = str(InputError(f"cannot be read ({getattr(exc, 'strerror', exc)})", file=where))
        job.name = _raw_name(path)
        return job
    finally:
        job.validate_seconds = time.perf_counter() - t0
    fingerprint = {
        # paths as the manifest records them (relative to the batch folder)
        "inputs": relative_keys(job.inputs, out_root),
        "scenario_sha256": _sha256_text(content),
        "notebook_sha256": notebook_sha,
        "parameters": {k: v for k, v in params.items() if k not in ("scenario", "output_dir")},
    }
    job.key = _sha256_text(json.dumps(fingerprint, sort_keys=True, default=str))
    return job


# --------------------------------------------------------------------------------------------
# Executing one scenario (runs in a worker process)
# --------------------------------------------------------------------------------------------
def _ipc_kernel_manager_class():
    """An async kernel manager whose kernel listens on IPC sockets in a private folder and
    dies with the process that started it (see :mod:`tariffmodel.batch.guard`)."""
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        """The socket files and the connection file live in a folder of their own, removed
        with everything in it once the kernel is shut down for good: by ``shutdown_kernel``
        (which removes the files it knows of) or by ``cleanup_resources`` (what nbclient calls
        after a shutdown, and in place of one when the kernel has died)."""

        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            super().__init__(**kwargs)
            # A short private folder: socket paths stay under the OS limit and never collide.
            self.ipc_folder = tempfile.mkdtemp(prefix="tmk-")
            self.connection_file = os.path.join(self.ipc_folder, "kernel.json")
            self.ip = os.path.join(self.ipc_folder, "k")

        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments=extra_arguments)
            return guarded_kernel_command(cmd)

        async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            await super().shutdown_kernel(now=now, restart=restart)
            if not restart:
                shutil.rmtree(self.ipc_folder, ignore_errors=True)

        async def cleanup_resources(self, restart: bool = False) -> None:
            await super().cleanup_resources(restart=restart)
            if not restart:
                shutil.rmtree(self.ipc_folder, ignore_errors=True)

    return IPCKernelManager


def _input_error_names() -> set[str]:
    """Class names of the package's input errors (InputError and its subclasses)."""
    names, todo = set(), [InputError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def _error_from_papermill(exc: BaseException) -> dict[str, Any]:
    """The first failing cell (index in the executed notebook, execution count, first line of
    its source) and its error. Papermill stops at the first cell that raises, so no later cell's
    consequence can hide the cause; an input error of the package keeps its own message (file,
    key, year, rule) as the message."""
    info: dict[str, Any] = {
        "ename": getattr(exc, "ename", type(exc).__name__),
        "evalue": str(getattr(exc, "evalue", exc)),
    }
    cell_index = getattr(exc, "cell_index", None)
    if cell_index is not None:
        info["cell_index"] = int(cell_index)
        info["execution_count"] = getattr(exc, "exec_count", None)
        source = getattr(exc, "source", "") or ""
        info["cell_source"] = source if len(source) < 400 else source[:400] + "..."
    ours = info["ename"] in _input_error_names()
    info["message"] = info["evalue"] if ours else f"{info['ename']}: {info['evalue']}"
    if cell_index is not None:
        first = (info.get("cell_source") or "").strip().splitlines()
        line = f" ({first[0][:80]})" if first else ""
        info["message"] = f"{info['message']} [cell {info['cell_index']}{line}]"
    return info


def _cell_seconds(nb_path: Path) -> float:
    """Total time [s] the kernel spent running the cells of an executed notebook (Papermill
    records each cell's duration); the rest of the execution is kernel start and Papermill."""
    import nbformat

    nb = nbformat.read(str(nb_path), as_version=4)
    return float(sum((c.metadata.get("papermill", {}).get("duration") or 0.0) for c in nb.cells))


def _changed_inputs(inputs: Mapping[str, str]) -> list[str]:
    """The input files whose content is no longer what the batch checked and fingerprinted."""
    changed = []
    for path, sha in inputs.items():
        try:
            if file_sha256(path) != sha:
                changed.append(path)
        except OSError:
            changed.append(path)
    return changed


def _read_files(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` by its relative (POSIX) name."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def execute_scenario(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Run the notebook on one scenario and return its files; never raises, writes nothing
    outside a private scratch folder.

    The scratch folder is made in ``payload["scratch"]`` (a hidden ``.<slug>.staging-*``
    folder, which a later ``--resume`` removes if this process is killed) or, when that is
    None, in the system's temporary folder (a Dask worker, which need not see the batch's
    folder). Only the batch's own process writes the scenario's folder, from ``files``.

    Returns the scenario's record: ``status`` ("ok" or "failed"), ``files`` (name -> bytes),
    ``outputs`` (their names), timings [s] (``execute``: the whole Papermill run; ``cells``:
    the time spent in its cells; ``html``: the HTML export; ``engine``: the projection as
    measured inside the notebook; ``workbook``: writing ``workbook.xlsx``; ``total``) and, on
    failure, ``error`` with its ``stage`` and ``message`` (and the failing cell). A scenario
    that failed returns only its executed notebook (if the notebook ran) and ``error.txt``.
    """
    import papermill as pm

    t_start = time.perf_counter()
    slug = str(payload["slug"])
    notebook = Path(payload["notebook"])
    record: dict[str, Any] = {"status": "failed", "timings": {}}
    scratch = None
    try:
        changed = _changed_inputs(payload.get("inputs") or {})
        if changed:
            # What ran must be what the manifest records: refuse a file edited meanwhile.
            msg = (
                "an input file changed after the batch checked it: "
                + ", ".join(changed)
                + "; run the batch again (with --resume)"
            )
            record["error"] = {"stage": "inputs", "message": msg}
            return record
        root = payload.get("scratch")
        scratch = Path(tempfile.mkdtemp(dir=root, prefix=staging_prefix(slug)))
        nb_out = scratch / notebook.name
        t0 = time.perf_counter()
        try:
            pm.execute_notebook(
                str(notebook),
                str(nb_out),
                parameters=dict(payload["parameters"]),
                kernel_name=KERNEL_NAME,
                cwd=str(scratch),
                progress_bar=False,
                log_output=False,
                # One write of the executed notebook at the end, not two per cell: the
                # scratch folder is discarded anyway if the run does not finish.
                request_save_on_cell_execute=False,
                start_timeout=120,
                kernel_manager_class=_ipc_kernel_manager_class(),
            )
            failure = None
        except Exception as exc:  # the notebook failed: keep the executed notebook
            failure = {"stage": "notebook", **_error_from_papermill(exc)}
        record["timings"]["execute"] = time.perf_counter() - t0
        if failure is None:
            t0 = time.perf_counter()
            reports.export_html(nb_out, scratch / HTML_NAME)
            record["timings"]["html"] = time.perf_counter() - t0
            sc = tm.load_scenario(payload["path"])
            readings = payload["parameters"].get("readings") or {}
            if readings:
                sc = sc.with_readings(**readings)
            missing = [n for n in ("madr.csv", "results.json") if not (scratch / n).is_file()]
            if missing:
                # A notebook that does not write the scenario outputs: write them here.
                reports.write_scenario_outputs(sc, scratch)
            # The live Excel model of the cap, beside madr.csv.
            t0 = time.perf_counter()
            write_workbook(sc, scratch / WORKBOOK_NAME)
            record["timings"]["workbook"] = time.perf_counter() - t0
            record["timings"]["cells"] = _cell_seconds(nb_out)
            results = json.loads((scratch / "results.json").read_text(encoding="utf-8"))
            if results.get("engine_seconds") is not None:
                record["timings"]["engine"] = float(results["engine_seconds"])
            record["status"] = "ok"
        else:
            # Nothing that looks like a result: the cells before the failing one may have
            # written madr.csv or results.json; only the executed notebook is kept.
            for item in scratch.iterdir():
                if item != nb_out:
                    shutil.rmtree(item) if item.is_dir() else item.unlink()
            (scratch / "error.txt").write_text(failure["message"] + "\n", encoding="utf-8")
            record["error"] = failure
        record["files"] = _read_files(scratch)
        record["outputs"] = sorted(record["files"])
    except Exception as exc:  # anything else (disk, export): a failed scenario, not a crash
        record = {
            "status": "failed",
            "timings": record["timings"],
            "error": {"stage": "outputs", **_crash_record(exc)["error"]},
        }
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        record["timings"]["total"] = time.perf_counter() - t_start
    return record


# --------------------------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------------------------
@dataclass
class BatchResult:
    """What a batch did: its folder, manifest and the scenarios that failed."""

    out_dir: Path
    manifest: dict[str, Any]

    @property
    def scenarios(self) -> list[dict[str, Any]]:
        return self.manifest["scenarios"]

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [s for s in self.scenarios if s["status"] == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed and self.manifest["status"] == "complete"

    @property
    def summary_xlsx(self) -> Path:
        return self.out_dir / "summary.xlsx"


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def read_manifest(out_dir: str | os.PathLike) -> dict[str, Any] | None:
    """The batch manifest of a folder, or None when the folder holds none."""
    path = Path(out_dir) / "manifest.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _check_out_dir(out_dir: Path, resume: bool) -> dict[str, Any] | None:
    """Refuse a folder that holds something else; return the earlier manifest on resume.

    Called under the folder's lock, whose file does not count as content.
    """
    check_output_folder(out_dir)  # not a file, nor below one, and writable
    if not out_dir.exists() or not [p for p in out_dir.iterdir() if p.name != LOCK_NAME]:
        return None
    previous = read_manifest(out_dir)
    if not previous or previous.get("kind") != MANIFEST_KIND:
        raise InputError(
            "the output folder is not empty and holds no batch of tariffmodel; "
            "choose an empty or new folder",
            file=str(out_dir),
            key="--out",
        )
    if not resume:
        n = len(previous.get("scenarios", []))
        raise InputError(
            f"the output folder holds another batch (started {previous.get('started_utc')}, "
            f"{n} scenarios, status {previous.get('status')}); pass --resume to continue it, "
            "or choose a new folder",
            file=str(out_dir),
            key="--out",
        )
    return previous


def relative_path(path: str | os.PathLike, base: str | os.PathLike) -> str:
    """``path`` relative to the folder ``base``, normalised, with ``/`` separators.

    >>> relative_path("/r/data/review/../cpi/groups.csv", "/r/out")
    '../data/cpi/groups.csv'
    """
    full = os.path.normpath(os.path.join(os.fspath(base), os.fspath(path)))
    return Path(os.path.relpath(full, os.path.normpath(os.fspath(base)))).as_posix()


def relative_keys(mapping: Mapping[str, Any], base: str | os.PathLike) -> dict[str, Any]:
    """A mapping of paths with each path made :func:`relative_path` to ``base``."""
    return {relative_path(k, base): v for k, v in mapping.items()}


def _relative_scenario_manifest(content: bytes, folder: Path) -> bytes:
    """A scenario's own ``manifest.json`` with its input paths relative to its folder."""
    try:
        data = json.loads(content)
    except ValueError:
        return content
    if not isinstance(data, dict) or not isinstance(data.get("inputs"), dict):
        return content
    data["inputs"] = relative_keys(data["inputs"], folder)
    return (json.dumps(data, indent=2, default=str) + "\n").encode("utf-8")


def _previous_run(previous: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What an earlier run of this batch that did not complete left undone: the scenarios it
    had under way (``interrupted``) and those it never started (``not_started``)."""
    if not previous or previous.get("status") == "complete":
        return None
    recs = previous.get("scenarios", [])
    # "running" at the top: the process died without a word (kill -9, power cut, OOM);
    # "interrupted": it stopped on Ctrl-C or SIGTERM and said so.
    how = "killed" if previous.get("status") == "running" else previous.get("status")
    return {
        "started_utc": previous.get("started_utc"),
        "pid": previous.get("pid"),
        "ended": how,
        "interrupted": [r["slug"] for r in recs if r.get("status") == "running"],
        "not_started": [r["slug"] for r in recs if r.get("status") in ("pending", "not run")],
    }


def expand_scenarios(items: Iterable[str | os.PathLike]) -> list[Path]:
    """Scenario files from the command line: files as given, folders as their ``*.yaml``."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if not p.exists():
            # A mistyped argument, not a scenario that failed: nothing is run or written.
            raise InputError("no such scenario file or folder", file=str(p), key="SCENARIO")
        if p.is_dir():
            found = sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
            if not found:
                raise InputError("the folder holds no scenario (*.yaml)", file=str(p))
            out.extend(found)
        else:
            out.append(p)
    if not out:
        raise InputError("no scenario given", key="SCENARIO")
    # Like a missing file, a scenario file that cannot be opened is a problem of the command
    # line (or of permissions), found before anything runs; its content is checked per scenario.
    for p in out:
        if not os.access(p, os.R_OK):
            raise InputError("cannot be read: permission denied", file=str(p), key="SCENARIO")
    return out


class _Manifest:
    """The batch manifest, rewritten atomically whenever a scenario finishes."""

    def __init__(self, out_dir: Path, header: dict[str, Any], jobs: list[ScenarioJob]):
        self.path = out_dir / "manifest.json"
        self.data = dict(header)
        self.t0 = time.perf_counter()
        self.by_slug: dict[str, dict[str, Any]] = {}
        for job in jobs:
            rec = {
                "slug": job.slug,
                "name": job.name,
                "path": relative_path(job.path, out_dir),
                "status": "pending",
                "inputs": relative_keys(job.inputs, out_dir),
                "key": job.key or None,
                "readings": job.readings,
                "folder": job.slug,
            }
            self.by_slug[job.slug] = rec
        self.data["scenarios"] = list(self.by_slug.values())

    def update(self, slug: str, **fields: Any) -> None:
        self.by_slug[slug].update(fields)

    def write(self, status: str | None = None) -> None:
        if status:
            self.data["status"] = status
        counts: dict[str, int] = {}
        for rec in self.by_slug.values():
            counts[rec["status"]] = counts.get(rec["status"], 0) + 1
        self.data["counts"] = counts
        self.data["duration_s"] = round(time.perf_counter() - self.t0, 3)
        self.data["updated_utc"] = _now()
        write_json_atomic(self.path, self.data)


def _progress(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="scenarios", unit="scenario", disable=not enabled, leave=True)


def _init_worker(parent: int) -> None:
    """Start of every pool worker: it dies with the batch's process, however that dies, and
    leaves Ctrl-C to the batch, which stops it itself (see :func:`_iter_local`)."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _worker_context():
    """How worker processes start: on Linux by fork, after importing what a worker needs (so
    each worker starts at once instead of importing Papermill and nbconvert anew, about 2 s of
    CPU); elsewhere by spawn."""
    if sys.platform.startswith("linux"):
        import jupyter_client.manager  # noqa: F401
        import nbclient  # noqa: F401
        import nbconvert  # noqa: F401
        import papermill  # noqa: F401

        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _iter_local(payloads: list[dict[str, Any]], jobs: int, on_start=None):
    """Yield (slug, record) as scenarios finish, in a pool of ``jobs`` processes.

    Only ``jobs`` scenarios are handed to the pool at a time, so that when the batch is
    interrupted (or this generator is closed) no further scenario starts: the worker processes
    are terminated, and their kernels die with them. ``on_start(slug)`` is called as each
    scenario is handed to a worker.
    """
    on_start = on_start or (lambda slug: None)
    if jobs <= 1 or len(payloads) <= 1:
        for payload in payloads:
            on_start(payload["slug"])
            yield payload["slug"], execute_scenario(payload)
        return
    ctx = _worker_context()
    workers = min(jobs, len(payloads))
    # The pool's workers are the children this process starts from here on (the pool names
    # none of them); they are the ones stopped when the batch is interrupted.
    earlier = set(multiprocessing.active_children())
    pool = cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(os.getpid(),)
    )
    queue = iter(payloads)
    running: dict[cf.Future, str] = {}
    refused: list[tuple[str, dict[str, Any]]] = []

    def submit_next() -> None:
        payload = next(queue, None)
        if payload is None:
            return
        try:
            running[pool.submit(execute_scenario, payload)] = payload["slug"]
            on_start(payload["slug"])
        except Exception as exc:  # a broken pool takes no more work
            refused.append((payload["slug"], _crash_record(exc)))

    for _ in range(workers):
        submit_next()
    try:
        while running or refused:
            while refused:
                yield refused.pop(0)
                submit_next()
            if not running:
                continue
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                slug = running.pop(fut)
                try:
                    record = fut.result()
                except Exception as exc:  # the worker process died
                    record = _crash_record(exc)
                submit_next()
                yield slug, record
    except BaseException:
        # Interrupted: stop the scenarios under way rather than wait for them.
        for proc in multiprocessing.active_children():
            if proc not in earlier:
                proc.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _dask_client(scheduler: str):
    """A client of the dask.distributed scheduler at ``scheduler``; a clear error if none."""
    from distributed import Client

    try:
        return Client(scheduler, timeout="20s")
    except Exception as exc:
        raise InputError(
            f"cannot reach the dask scheduler ({exc})", key="--scheduler", file=scheduler
        ) from None


def _worker_count(client) -> int:
    """Workers connected to the scheduler now (0 when the scheduler cannot be asked)."""
    try:
        return len(client.nthreads())
    except Exception:  # the scheduler itself is gone: no worker either
        return 0


def _iter_dask(payloads: list[dict[str, Any]], client, worker_timeout: float, on_start=None):
    """Yield (slug, record) as scenarios finish on a dask.distributed cluster.

    Each scenario's future is released as soon as its result is here, so a worker lost later
    makes the scheduler re-run only what was still in flight, never a finished scenario. When
    no worker is connected for ``worker_timeout`` seconds the scenarios not finished are
    cancelled and come back failed with that message. The tasks not yet finished are
    cancelled when the batch is interrupted.
    """
    from distributed import wait

    on_start = on_start or (lambda slug: None)
    futures: dict[Any, str] = {}
    try:
        token = hashlib.sha256(f"{time.time()}{os.getpid()}".encode()).hexdigest()[:10]
        for p in payloads:
            key = f"tariffmodel-{p['slug']}-{token}"
            futures[client.submit(execute_scenario, p, key=key, pure=False)] = p["slug"]
            on_start(p["slug"])
        alone_since = None
        while futures:
            try:
                done, _ = wait(list(futures), timeout=1.0, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            for fut in done:
                slug = futures.pop(fut)
                try:
                    record = fut.result()
                except Exception as exc:  # the task failed on every worker it was given
                    record = _crash_record(exc)
                fut.release()
                yield slug, record
            if done or _worker_count(client):
                alone_since = None
                continue
            alone_since = alone_since or time.monotonic()
            if time.monotonic() - alone_since >= worker_timeout:
                client.cancel(list(futures))
                msg = (
                    f"no Dask worker was connected to the scheduler {client.scheduler.address} "
                    f"for {worker_timeout:g} s (--worker-timeout); the scenario did not finish"
                )
                for fut, slug in list(futures.items()):
                    futures.pop(fut)
                    yield (
                        slug,
                        {
                            "status": "failed",
                            "timings": {},
                            "error": {"stage": "cluster", "message": msg},
                        },
                    )
    except BaseException:
        client.cancel(list(futures))
        raise
    finally:
        client.close()


def _crash_record(exc: BaseException) -> dict[str, Any]:
    msg = f"{type(exc).__name__}: {exc}"
    return {
        "status": "failed",
        "timings": {},
        "error": {"ename": type(exc).__name__, "evalue": str(exc), "message": msg},
    }


class _Terminated(SystemExit):
    """SIGTERM, turned into an exception so the batch records where it stopped."""


@contextlib.contextmanager
def _sigterm_stops_the_batch():
    """Within the block, SIGTERM stops the batch as Ctrl-C does (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise _Terminated(128 + signum)

    before = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def run_batch(
    scenarios: Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    *,
    jobs: int = 1,
    notebook: str | os.PathLike | None = None,
    resume: bool = False,
    scheduler: str | None = None,
    readings: Mapping[str, str] | None = None,
    draws: str | os.PathLike | None = None,
    n_draws: int = 1000,
    seed: int | None = DEFAULT_SEED,
    progress: bool = True,
    command: str | None = None,
    base: str | os.PathLike | None = None,
    worker_timeout: float = DEFAULT_WORKER_TIMEOUT,
) -> BatchResult:
    """Run the notebook over every scenario and write the batch folder.

    Parameters
    ----------
    scenarios : iterable of path
        Scenario files (folders stand for their ``*.yaml``).
    out_dir : path
        The batch folder: one sub-folder per scenario, ``summary.xlsx``, ``summary.csv`` and
        ``manifest.json``. It must be empty or new, or hold this batch when ``resume``, and no
        other batch may be writing it (it is locked while the batch runs).
    jobs : int
        Scenarios run at the same time (processes), ignored with ``scheduler``.
    notebook : str or path, optional
        The name of a notebook of ``notebooks/`` or the path of one; default the review notebook.
    resume : bool
        Skip scenarios whose folder is complete from an earlier run with identical inputs,
        notebook and parameters; run the others (those an interrupted run had under way too).
    scheduler : str, optional
        Address of a running dask.distributed scheduler to run the scenarios on.
    readings : mapping, optional
        Readings R1-R5 to impose on every scenario (``{"loss_deadband": "every_year"}``).
    draws : path, optional
        A draws file (see :mod:`tariffmodel.analysis.montecarlo`) for the notebook's uncertainty
        section; None leaves it out.
    n_draws : int
        Number of Monte Carlo draws [count] when ``draws`` is given.
    seed : int, optional
        The random seed given to the notebook.
    base : path, optional
        The scenario file the others are compared with on the summary's sheet "Comparison
        with base" (default the first scenario); it must be one of the batch's scenarios.
    worker_timeout : float
        With ``scheduler``: seconds [s] without any worker connected after which the
        scenarios not finished fail (instead of waiting for ever).

    Returns
    -------
    BatchResult
        ``failed`` lists the scenarios that failed, each with its error.

    Raises
    ------
    InputError
        Unknown notebook, notebook without a parameters cell, a scenario path that does not
        exist, a bad draws file or seed, an output folder holding another batch (or anything
        else, or that cannot be written) or in use by a running batch (named by its pid and
        start time), unknown reading. A scenario that fails validation (or cannot be read)
        does not raise: it is recorded as failed.
    """
    out = Path(out_dir).resolve()
    if jobs < 1:
        raise InputError("must be at least 1", key="--jobs")
    if n_draws < 1:
        raise InputError("must be at least 1", key="--n-draws")
    if not (isinstance(worker_timeout, int | float) and math.isfinite(worker_timeout)) or (
        worker_timeout <= 0
    ):
        raise InputError("must be a number of seconds above 0", key="--worker-timeout")
    if draws is not None and not Path(draws).is_file():
        raise InputError("no such draws file", file=str(draws), key="--draws")
    # The draws file and the seed are the same for every scenario: a mistake in either is
    # reported once, up front, not as a failure of every scenario's notebook.
    if draws is not None:
        montecarlo.load_draws(draws)
    montecarlo.check_seed(seed, key="--seed")
    nb_path = resolve_notebook(notebook)
    paths = expand_scenarios(scenarios)
    if base is not None and not any(Path(p).resolve() == Path(base).resolve() for p in paths):
        raise InputError("is not one of the batch's scenario files", file=str(base), key="--base")
    readings = check_readings(readings or {})
    check_output_folder(out)
    client = _dask_client(scheduler) if scheduler else None
    made = [p for p in (out, *out.parents) if not p.exists()]
    try:
        out.mkdir(parents=True, exist_ok=True)
        lock = lock_output_folder(out, command=command)
    except BaseException:
        if client is not None:
            client.close()
        _remove_if_empty(made)
        raise
    try:
        with _sigterm_stops_the_batch():
            return _run_locked(
                out,
                lock,
                paths,
                nb_path,
                client=client,
                jobs=jobs,
                resume=resume,
                scheduler=scheduler,
                readings=readings,
                draws=draws,
                n_draws=n_draws,
                seed=seed,
                progress=progress,
                command=command,
                worker_timeout=float(worker_timeout),
                base=base,
            )
    finally:
        if client is not None:
            client.close()
        lock.release()
        _remove_if_empty(made)  # refused before anything was written


def _remove_if_empty(folders: list[Path]) -> None:
    for folder in folders:  # deepest first
        with contextlib.suppress(OSError):
            folder.rmdir()


def _run_locked(
    out: Path,
    lock: BatchLock,
    paths: list[Path],
    nb_path: Path,
    *,
    client,
    jobs: int,
    resume: bool,
    scheduler: str | None,
    readings: Mapping[str, str],
    draws,
    n_draws: int,
    seed: int | None,
    progress: bool,
    command: str | None,
    worker_timeout: float,
    base: str | os.PathLike | None = None,
) -> BatchResult:
    """The batch, once its folder is locked (see :func:`run_batch`)."""
    previous = _check_out_dir(out, resume)
    # Nothing else writes here now: what an interrupted run left half-made goes.
    removed = remove_stale_staging(out)
    nb_sha = file_sha256(nb_path)
    jobs_list = [
        prepare_job(
            p,
            slug,
            notebook=nb_path,
            notebook_sha=nb_sha,
            out_root=out,
            readings=readings,
            draws=draws,
            n_draws=n_draws,
            seed=seed,
        )
        for p, slug in zip(paths, unique_slugs(paths), strict=True)
    ]
    header = provenance(
        # the scenario files that could be read (a failed one is named in its record)
        [j.path for j in jobs_list if str(j.path) in j.inputs],
        readings=readings,
        seed=seed,
        command=command,
        extra={
            "kind": MANIFEST_KIND,
            "status": "running",
            "started_utc": _now(),
            "pid": os.getpid(),
            "notebook": {"path": relative_path(nb_path, out), "sha256": nb_sha},
            "draws": None if draws is None else relative_path(Path(draws).resolve(), out),
            "n_draws": n_draws if draws is not None else None,
            "jobs": jobs,
            "scheduler": scheduler,
            "worker_timeout_s": worker_timeout if scheduler else None,
            "kernel": KERNEL_NAME,
        },
    )
    header["inputs"] = relative_keys(header["inputs"], out)
    earlier_run = _previous_run(previous) if resume else None
    if earlier_run:
        header["previous_run"] = earlier_run
    if lock.taken_over:
        header["lock_taken_over"] = lock.taken_over
    if removed:
        header["removed_staging"] = removed
    manifest = _Manifest(out, header, jobs_list)
    earlier = {s.get("slug"): s for s in (previous or {}).get("scenarios", [])}
    cut_short = set(earlier_run["interrupted"]) if earlier_run else set()

    to_run = []
    for job in jobs_list:
        if job.error is not None:
            manifest.update(
                job.slug,
                status="failed",
                duration_s=round(job.validate_seconds, 4),
                error={"stage": "validation", "message": job.error},
            )
            # A scenario that no longer validates has no results in this batch.
            shutil.rmtree(job.out_dir, ignore_errors=True)
            continue
        before = earlier.get(job.slug)
        if resume and before and _is_done(before, job):
            manifest.update(
                job.slug,
                status="ok",
                reused=True,
                duration_s=before.get("duration_s"),
                timings=before.get("timings", {}),
                outputs=before.get("outputs"),
                finished_utc=before.get("finished_utc"),
            )
            continue
        if job.slug in cut_short:
            manifest.update(job.slug, interrupted_before=True)
        to_run.append(job)

    manifest.write()
    bar = _progress(len(jobs_list), progress)
    bar.update(len(jobs_list) - len(to_run))
    # Pool workers work in hidden scratch folders here (removed by a later run if they are
    # killed); Dask workers in their own temporary folder, since they need not see this one.
    scratch = None if client else str(out)
    payloads = [{**job.to_payload(), "scratch": scratch} for job in to_run]

    def started(slug: str) -> None:
        manifest.update(slug, status="running", started_utc=_now())
        manifest.write()

    runner = (
        _iter_dask(payloads, client, worker_timeout, started)
        if client
        else _iter_local(payloads, jobs, started)
    )
    try:
        for slug, record in runner:
            if manifest.by_slug[slug]["status"] in ("ok", "failed"):
                continue  # recorded already: a finished scenario's folder is never rewritten
            t0 = time.perf_counter()
            _write_scenario(out / slug, record)
            timings = {k: round(v, 4) for k, v in record.get("timings", {}).items()}
            timings["write"] = round(time.perf_counter() - t0, 4)
            fields = {
                "status": record["status"],
                "duration_s": timings.get("total"),
                "timings": timings,
                "outputs": record.get("outputs"),
                "finished_utc": _now(),
            }
            if record.get("error"):
                fields["error"] = {"stage": "worker", **record["error"]}
            manifest.update(slug, **fields)
            manifest.write()
            bar.update(1)
            if record["status"] == "failed":
                bar.write(f"{slug}: failed: {record['error']['message']}")
    except BaseException:
        runner.close()  # stops the scenarios under way
        for rec in manifest.by_slug.values():
            if rec["status"] in ("pending", "running"):
                rec["status"] = "not run"
        remove_stale_staging(out)
        manifest.write(status="interrupted")
        bar.close()
        raise
    bar.close()

    done = [rec for rec in manifest.by_slug.values() if rec["status"] == "ok"]
    with contextlib.suppress(FileNotFoundError):
        (out / "summary.xlsx").unlink()
    try:
        reports.write_summary(
            out,
            done,
            manifest.data,
            all_records=list(manifest.by_slug.values()),
            base=None if base is None else str(base),
        )
    except BaseException as exc:
        # The scenarios' folders are complete; the batch is not: its manifest says why rather
        # than "running", which would read as a batch still under way or killed.
        interrupted = isinstance(exc, KeyboardInterrupt)
        reason = "interrupted" if interrupted else f"{type(exc).__name__}: {exc}"
        message = f"the summary (summary.xlsx, summary.csv) could not be written: {reason}"
        manifest.data["error"] = {"stage": "summary", "message": message}
        manifest.write(status="interrupted" if interrupted else "failed")
        if isinstance(exc, (InputError, OSError)) or not isinstance(exc, Exception):
            raise
        raise InputError(message, file=out) from exc
    manifest.data["finished_utc"] = _now()
    # Folders of scenarios an earlier run of this batch had and this one has not: left alone,
    # but named, since the summary does not cover them.
    slugs = set(manifest.by_slug)
    others = sorted(
        p.name
        for p in out.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in slugs
    )
    if others:
        manifest.data["other_folders"] = others
    manifest.write(status="complete")
    return BatchResult(out, manifest.data)


def _write_scenario(folder: Path, record: dict[str, Any]) -> None:
    """Write a scenario's folder from the files its worker returned (this process alone
    writes the batch folder), replacing an earlier folder of it whole.

    A failed scenario whose worker returned nothing gets ``error.txt`` alone. The scenario's
    own ``manifest.json`` gets its paths relative to its folder.
    """
    files = dict(record.pop("files", None) or {})
    if record["status"] != "ok" and not files:
        files = {"error.txt": (record["error"]["message"] + "\n").encode("utf-8")}
        record["outputs"] = ["error.txt"]
    if "manifest.json" in files:
        files["manifest.json"] = _relative_scenario_manifest(files["manifest.json"], folder)
    try:
        write_folder(folder, files)
    except InputError as exc:  # the batch folder refused the files: a failed scenario
        record.update(
            status="failed",
            outputs=None,
            error={"stage": "write", "message": str(exc)},
        )


def _is_done(before: Mapping[str, Any], job: ScenarioJob) -> bool:
    """True when an earlier run of this scenario finished with the same fingerprint and its
    folder still holds every output it listed."""
    if before.get("status") != "ok" or before.get("key") != job.key:
        return False
    outputs = before.get("outputs") or []
    return bool(outputs) and all((job.out_dir / name).is_file() for name in outputs)


def format_failures(result: BatchResult) -> str:
    """One line per failed scenario: which and why."""
    lines = []
    for rec in result.failed:
        err = rec.get("error") or {}
        lines.append(f"  {rec['slug']} ({rec['path']}): {err.get('message', 'failed')}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: tariffmodel batch SCENARIO... --out DIR")

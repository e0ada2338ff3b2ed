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
- Each scenario folder is built in a staging folder and moved into place when complete.
- One failing scenario never stops the others. The manifest is rewritten after every scenario,
  so an interrupted batch leaves a manifest that says what finished.
- ``resume=True`` skips scenarios already done with identical inputs, notebook and parameters.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as _dt
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tariffmodel as tm
from tariffmodel.analysis import montecarlo
from tariffmodel.analysis.readings import check_readings
from tariffmodel.inputs import locations
from tariffmodel.inputs.errors import InputError
from tariffmodel.reporting import review as reports
from tariffmodel.reporting.provenance import file_sha256, provenance, write_json_atomic
from tariffmodel.reporting.staging import check_output_folder, staged_output
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
            "out_dir": str(self.out_dir),
            "parameters": dict(self.parameters),
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
        "inputs": job.inputs,
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
    """An async kernel manager whose kernel listens on IPC sockets in a private folder."""
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

        async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            await super().shutdown_kernel(now=now, restart=restart)
            if not restart:
                shutil.rmtree(self.ipc_folder, ignore_errors=True)

        async def cleanup_resources(self, restart: bool = False) -> None:
            await super().cleanup_resources(restart=restart)
            if not restart:
                shutil.rmtree(self.ipc_folder, ignore_errors=True)

    return IPCKernelManager


def _error_from_papermill(exc: BaseException) -> dict[str, Any]:
    """The failing cell (index in the executed notebook, execution count, first line of its
    source) and the error message."""
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
    info["message"] = f"{info['ename']}: {info['evalue']}"
    if cell_index is not None:
        first = (info.get("cell_source") or "").strip().splitlines()
        line = f" ({first[0][:80]})" if first else ""
        info["message"] = f"cell {info['cell_index']}{line}: {info['message']}"
    return info


def _cell_seconds(nb_path: Path) -> float:
    """Total time [s] the kernel spent running the cells of an executed notebook (Papermill
    records each cell's duration); the rest of the execution is kernel start and Papermill."""
    import nbformat

    nb = nbformat.read(str(nb_path), as_version=4)
    return float(sum((c.metadata.get("papermill", {}).get("duration") or 0.0) for c in nb.cells))


def execute_scenario(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Run the notebook on one scenario and write its folder; never raises.

    Returns the scenario's record for the manifest: ``status`` ("ok" or "failed"), timings
    [s] (``execute``: the whole Papermill run; ``cells``: the time spent in its cells;
    ``html``: the HTML export; ``engine``: the projection as measured inside the notebook;
    ``workbook``: writing ``workbook.xlsx``; ``total``) and, on failure, ``error`` with the failing cell and message.
    """
    import papermill as pm

    t_start = time.perf_counter()
    out_dir = Path(payload["out_dir"])
    notebook = Path(payload["notebook"])
    record: dict[str, Any] = {"status": "failed", "timings": {}}
    try:
        with staged_output(out_dir) as stage:
            nb_out = stage / notebook.name
            t0 = time.perf_counter()
            try:
                pm.execute_notebook(
                    str(notebook),
                    str(nb_out),
                    parameters=dict(payload["parameters"]),
                    kernel_name=KERNEL_NAME,
                    cwd=str(stage),
                    progress_bar=False,
                    log_output=False,
                    # One write of the executed notebook at the end, not two per cell: the
                    # staging folder is discarded anyway if the run does not finish.
                    request_save_on_cell_execute=False,
                    start_timeout=120,
                    kernel_manager_class=_ipc_kernel_manager_class(),
                )
                failure = None
            except Exception as exc:  # the notebook failed: keep the executed notebook
                failure = _error_from_papermill(exc)
            record["timings"]["execute"] = time.perf_counter() - t0
            if failure is None:
                t0 = time.perf_counter()
                reports.export_html(nb_out, stage / HTML_NAME)
                record["timings"]["html"] = time.perf_counter() - t0
                sc = tm.load_scenario(payload["path"])
                readings = payload["parameters"].get("readings") or {}
                if readings:
                    sc = sc.with_readings(**readings)
                missing = [n for n in ("madr.csv", "results.json") if not (stage / n).is_file()]
                if missing:
                    # A notebook that does not write the scenario outputs: write them here.
                    reports.write_scenario_outputs(sc, stage)
                # The live Excel model of the cap, beside madr.csv.
                t0 = time.perf_counter()
                write_workbook(sc, stage / WORKBOOK_NAME)
                record["timings"]["workbook"] = time.perf_counter() - t0
                record["timings"]["cells"] = _cell_seconds(nb_out)
                results = json.loads((stage / "results.json").read_text(encoding="utf-8"))
                if results.get("engine_seconds") is not None:
                    record["timings"]["engine"] = float(results["engine_seconds"])
                record["status"] = "ok"
            else:
                (stage / "error.txt").write_text(failure["message"] + "\n", encoding="utf-8")
                record["error"] = failure
            record["outputs"] = sorted(p.name for p in stage.iterdir())
            # The folder is replaced whole: nothing of an earlier run survives beside it.
            if out_dir.exists():
                shutil.rmtree(out_dir)
    except Exception as exc:  # anything else (disk, export): a failed scenario, not a crash
        record["status"] = "failed"
        record["error"] = {
            "ename": type(exc).__name__,
            "evalue": str(exc),
            "message": f"{type(exc).__name__}: {exc}",
        }
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
    """Refuse a folder that holds something else; return the earlier manifest on resume."""
    check_output_folder(out_dir)  # not a file, nor below one, and writable
    if not out_dir.exists() or not any(out_dir.iterdir()):
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
                "path": str(job.path),
                "status": "pending",
                "inputs": job.inputs,
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


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the batch, which stops them itself (see :func:`_iter_local`)."""
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


def _iter_local(payloads: list[dict[str, Any]], jobs: int):
    """Yield (slug, record) as scenarios finish, in a pool of ``jobs`` processes.

    Only ``jobs`` scenarios are handed to the pool at a time, so that when the batch is
    interrupted (or this generator is closed) no further scenario starts: the worker processes
    are terminated, and their kernels, whose parent is gone, shut themselves down.
    """
    if jobs <= 1 or len(payloads) <= 1:
        for payload in payloads:
            yield payload["slug"], execute_scenario(payload)
        return
    ctx = _worker_context()
    workers = min(jobs, len(payloads))
    # The pool's workers are the children this process starts from here on (the pool names
    # none of them); they are the ones stopped when the batch is interrupted.
    earlier = set(multiprocessing.active_children())
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_ignore_sigint)
    queue = iter(payloads)
    running: dict[cf.Future, str] = {}
    refused: list[tuple[str, dict[str, Any]]] = []

    def submit_next() -> None:
        payload = next(queue, None)
        if payload is None:
            return
        try:
            running[pool.submit(execute_scenario, payload)] = payload["slug"]
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


def _iter_dask(payloads: list[dict[str, Any]], client):
    """Yield (slug, record) as scenarios finish on a dask.distributed cluster; the tasks not
    yet finished are cancelled when the batch is interrupted."""
    from distributed import as_completed

    futures = {}
    try:
        token = hashlib.sha256(f"{time.time()}{os.getpid()}".encode()).hexdigest()[:10]
        for p in payloads:
            key = f"tariffmodel-{p['slug']}-{token}"
            futures[client.submit(execute_scenario, p, key=key, pure=False)] = p["slug"]
        for fut in as_completed(futures):
            slug = futures[fut]
            try:
                record = fut.result()
            except Exception as exc:  # the dask worker died or lost the task
                record = _crash_record(exc)
            yield slug, record
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
) -> BatchResult:
    """Run the notebook over every scenario and write the batch folder.

    Parameters
    ----------
    scenarios : iterable of path
        Scenario files (folders stand for their ``*.yaml``).
    out_dir : path
        The batch folder: one sub-folder per scenario, ``summary.xlsx``, ``summary.csv`` and
        ``manifest.json``. It must be empty or new, or hold this batch when ``resume``.
    jobs : int
        Scenarios run at the same time (processes), ignored with ``scheduler``.
    notebook : str or path, optional
        The name of a notebook of ``notebooks/`` or the path of one; default the review notebook.
    resume : bool
        Skip scenarios whose folder is complete from an earlier run with identical inputs,
        notebook and parameters.
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

    Returns
    -------
    BatchResult
        ``failed`` lists the scenarios that failed, each with its error.

    Raises
    ------
    InputError
        Unknown notebook, notebook without a parameters cell, a scenario path that does not
        exist, a bad draws file or seed, an output folder holding another batch (or anything
        else, or that cannot be written), unknown reading. A scenario that fails validation
        (or cannot be read) does not raise: it is recorded as failed.
    """
    out = Path(out_dir).resolve()
    if jobs < 1:
        raise InputError("must be at least 1", key="--jobs")
    if n_draws < 1:
        raise InputError("must be at least 1", key="--n-draws")
    if draws is not None and not Path(draws).is_file():
        raise InputError("no such draws file", file=str(draws), key="--draws")
    # The draws file and the seed are the same for every scenario: a mistake in either is
    # reported once, up front, not as a failure of every scenario's notebook.
    if draws is not None:
        montecarlo.load_draws(draws)
    montecarlo.check_seed(seed, key="--seed")
    nb_path = resolve_notebook(notebook)
    nb_sha = file_sha256(nb_path)
    paths = expand_scenarios(scenarios)
    if base is not None and not any(Path(p).resolve() == Path(base).resolve() for p in paths):
        raise InputError("is not one of the batch's scenario files", file=str(base), key="--base")
    previous = _check_out_dir(out, resume)
    readings = check_readings(readings or {})

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
            "notebook": {"path": str(nb_path), "sha256": nb_sha},
            "draws": None if draws is None else str(Path(draws).resolve()),
            "n_draws": n_draws if draws is not None else None,
            "jobs": jobs,
            "scheduler": scheduler,
            "kernel": KERNEL_NAME,
        },
    )
    client = _dask_client(scheduler) if scheduler else None
    out.mkdir(parents=True, exist_ok=True)
    manifest = _Manifest(out, header, jobs_list)
    earlier = {s.get("slug"): s for s in (previous or {}).get("scenarios", [])}

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
        to_run.append(job)

    manifest.write()
    bar = _progress(len(jobs_list), progress)
    bar.update(len(jobs_list) - len(to_run))
    payloads = [job.to_payload() for job in to_run]
    runner = _iter_dask(payloads, client) if client else _iter_local(payloads, jobs)
    try:
        for slug, record in runner:
            timings = {k: round(v, 4) for k, v in record.get("timings", {}).items()}
            fields = {
                "status": record["status"],
                "duration_s": timings.get("total"),
                "timings": timings,
                "outputs": record.get("outputs"),
                "finished_utc": _now(),
            }
            if record.get("error"):
                fields["error"] = {"stage": "notebook", **record["error"]}
            manifest.update(slug, **fields)
            manifest.write()
            bar.update(1)
            if record["status"] == "failed":
                bar.write(f"{slug}: failed: {record['error']['message']}")
    except BaseException:
        runner.close()  # stops the scenarios under way
        for rec in manifest.by_slug.values():
            if rec["status"] == "pending":
                rec["status"] = "not run"
        for stage in out.glob(".*.staging-*"):
            shutil.rmtree(stage, ignore_errors=True)
        manifest.write(status="interrupted")
        bar.close()
        raise
    bar.close()

    done = [rec for rec in manifest.by_slug.values() if rec["status"] == "ok"]
    with contextlib.suppress(FileNotFoundError):
        (out / "summary.xlsx").unlink()
    reports.write_summary(
        out,
        done,
        manifest.data,
        all_records=list(manifest.by_slug.values()),
        base=None if base is None else str(base),
    )
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

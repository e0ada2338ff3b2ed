"""The project's own files agree with each other: environment.yml with pyproject.toml, the Jupyter
set pinned, the README's two commands."""

from __future__ import annotations

import json
import tomllib

import yaml

from conftest import ROOT

JUPYTER_SET = ("jupyterlab", "ipywidgets", "voila", "nbclient", "ipykernel")


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_in_step_with_pyproject():
    project = _pyproject()["project"]
    wanted = (
        list(project["dependencies"])
        + list(project["optional-dependencies"]["test"])
        + [d for d in project["optional-dependencies"]["dev"] if not d.startswith("tariffmodel")]
    )
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert sorted(p for p in pip if p != "-e .") == sorted(wanted)


def test_jupyter_set_pinned_exactly():
    deps = _pyproject()["project"]["dependencies"]
    for name in JUPYTER_SET:
        assert any(d.startswith(f"{name}==") for d in deps), name


def test_lock_pins_the_jupyter_set_to_the_same_versions():
    deps = _pyproject()["project"]["dependencies"]
    lock = (ROOT / "requirements.lock").read_text().lower().splitlines()
    for name in JUPYTER_SET:
        pin = next(d for d in deps if d.startswith(f"{name}=="))
        assert pin.lower() in lock, pin


def test_readme_has_the_two_commands():
    text = (ROOT / "README.md").read_text()
    assert "make review" in text and "make test" in text


def test_ruff_clean():
    import shutil
    import subprocess

    ruff = shutil.which("ruff") or str(ROOT / ".venv" / "bin" / "ruff")
    proc = subprocess.run(
        [ruff, "check", "src", "tests", "benchmarks", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _notebooks():
    return sorted(
        p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )


def test_notebooks_carry_the_metadata_jupyterlab_adds():
    """Opened in JupyterLab, a notebook without kernelspec and language_info is marked unsaved
    at once (Lab writes them when the kernel connects); every committed one has them, and its
    jupytext twin is paired the same way."""
    notebooks = _notebooks()
    assert len(notebooks) >= 7
    for path in notebooks:
        meta = json.loads(path.read_text(encoding="utf-8"))["metadata"]
        name = path.relative_to(ROOT)
        assert meta["kernelspec"]["name"] == "python3", name
        assert meta["kernelspec"]["language"] == "python", name
        info = meta["language_info"]
        assert info["name"] == "python" and info["version"].startswith("3."), name
        assert info["pygments_lexer"] == "ipython3" and info["file_extension"] == ".py", name
        assert meta["jupytext"]["formats"] == "ipynb,py:percent", name
        twin = path.with_suffix(".py").read_text(encoding="utf-8")
        assert "formats: ipynb,py:percent" in twin, name

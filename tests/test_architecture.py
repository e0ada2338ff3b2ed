"""The layers of the package hold: import-linter's contracts, no cycle, no import dodged inside a
function (docs/architecture.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp  # import-linter's graph of imports
import pytest

import tariffmodel

PACKAGE = Path(tariffmodel.__file__).parent
ROOT = Path(__file__).resolve().parents[1]


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def _own(name: str | None) -> bool:
    return name is not None and (name == "tariffmodel" or name.startswith("tariffmodel."))


def own_imports_in_functions(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import of the package's own modules inside a function body."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom):
                if inner.level > 0 or _own(inner.module):
                    found.append((inner.lineno, "." * inner.level + (inner.module or "")))
            elif isinstance(inner, ast.Import):
                found += [(inner.lineno, a.name) for a in inner.names if _own(a.name)]
    return found


def test_the_detector_finds_an_import_dodged_inside_a_function():
    src = "def f():\n    from tariffmodel.model import engine\n    import numpy\n"
    assert own_imports_in_functions(src) == [(2, "tariffmodel.model")]
    assert own_imports_in_functions("def g():\n    from . import x\n") == [(2, ".")]
    assert own_imports_in_functions("import tariffmodel\n") == []


def test_no_import_of_the_package_inside_a_function():
    # a lazy import of a heavy library (matplotlib, plotly, SALib, papermill) is fine; one of
    # the package's own modules would hide a cycle or a layer broken
    bad = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {module}"
        for path in _modules()
        for line, module in own_imports_in_functions(path.read_text(encoding="utf-8"))
    ]
    assert not bad, "imports of the package inside functions:\n" + "\n".join(bad)


@pytest.mark.slow
def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_no_import_cycle_between_modules():
    graph = grimp.build_graph("tariffmodel")
    cycles = [
        (module, dep)
        for module in sorted(graph.modules)
        for dep in sorted(graph.find_modules_directly_imported_by(module))
        if graph.find_shortest_chain(importer=dep, imported=module)
    ]
    assert not cycles, f"modules importing each other: {cycles}"

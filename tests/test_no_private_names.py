"""No module of the package uses a private name (one starting with ``_``) of another library:
such a name can change or go in any release. Read from the source with ``ast``:

(a) ``from X import _name`` (or a private module in ``X``) where X is not tariffmodel;
(b) ``something._name`` (or ``getattr(something, "_name")``) where ``something`` is, at its
    root, a name bound by an import of another library or a value taken from one;
(c) a class of tariffmodel with a base class from another library that defines a ``_name``
    method or attribute the base already has (an override), calls ``super()._name``, or reads
    ``self._name`` that only the base defines.

Dunder names (``__version__``, ``__init__``) are allowed.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tariffmodel"
PACKAGE = "tariffmodel"

#: (where, name): names that start with an underscore yet are documented as public API.
ALLOWED = {
    # os._exit(n): "Exit the process with status n, without calling cleanup handlers, flushing
    # stdio buffers, etc." - documented in the os module (Process Management); the figures
    # worker ends with it so that no handler inherited from the parent runs.
    ("os", "_exit"),
}


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_external(module: str) -> bool:
    return module.split(".")[0] != PACKAGE


def root_name(node: ast.AST) -> str | None:
    """The name an expression starts from: ``st`` for ``st.norm.ppf(q)[0]``, ``st`` for
    ``getattr(st, name)``."""
    while True:
        if isinstance(node, ast.Attribute | ast.Subscript | ast.Await | ast.Starred):
            node = node.value
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id == "getattr" and node.args:
                node = node.args[0]
            else:
                node = node.func
        else:
            return node.id if isinstance(node, ast.Name) else None


def dotted(node: ast.AST, bindings: dict[str, str]) -> str:
    """``scipy.stats.norm`` for ``st.norm`` (with ``import scipy.stats as st``); a ``?`` stands
    for a part that is not a plain attribute."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in bindings:
        return ".".join([bindings[node.id], *reversed(parts)])
    return ".".join(["?", *reversed(parts)])


def resolve(path: str):
    """The object at a dotted path (a module, then attributes), or None."""
    parts = path.split(".")
    if any("?" in p or "<" in p for p in parts):
        return None
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def problems_in(source: str, name: str = "<module>") -> list[str]:
    tree = ast.parse(source)
    found: list[str] = []
    bindings: dict[str, str] = {}  # local name -> what of another library it is bound to

    def report(node, what):
        found.append(f"{name}:{node.lineno}: {what}")

    # imports, wherever they are (a function's imports bind names as well)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not is_external(alias.name):
                    continue
                if any(is_private(p) for p in alias.name.split(".")):
                    report(node, f"import of a private module: {alias.name}")
                if alias.asname:
                    bindings[alias.asname] = alias.name
                else:
                    bindings[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            if node.level or not node.module or not is_external(node.module):
                continue
            if any(is_private(p) for p in node.module.split(".")):
                report(node, f"import from a private module: {node.module}")
            for alias in node.names:
                if is_private(alias.name):
                    report(node, f"from {node.module} import {alias.name}")
                bindings[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    # values taken from another library: x = st.norm, dist = getattr(st, name), ...
    changed = True
    while changed:
        changed = False
        for node in ast.walk(tree):
            targets: list[ast.AST] = []
            value = None
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and node.value is not None:
                targets, value = [node.target], node.value
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                targets, value = [node.optional_vars], node.context_expr
            for t in targets:
                root = root_name(value)
                if isinstance(t, ast.Name) and t.id not in bindings and root in bindings:
                    bindings[t.id] = f"{t.id}<{bindings[root]}>"
                    changed = True

    # (b) private attributes of those names
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            if root_name(node.value) in bindings:
                where = dotted(node.value, bindings)
                if (where, node.attr) not in ALLOWED:
                    report(node, f"private name of another library: {where}.{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and is_private(node.args[1].value)
            and root_name(node.args[0]) in bindings
        ):
            report(node, f"{node.func.id} of a private name of another library")

    # (c) classes built on a class of another library
    for cls in ast.walk(tree):
        if not isinstance(cls, ast.ClassDef):
            continue
        bases = [dotted(b, bindings) for b in cls.bases if root_name(b) in bindings]
        if not bases:
            continue
        objects = [resolve(b) for b in bases]
        known = all(isinstance(o, type) for o in objects)

        def on_base(attr, objects=objects, known=known):
            # unknown base: assume the worst
            return not known or any(hasattr(o, attr) for o in objects)

        own = set()
        for item in cls.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                own.add(item.name)
            elif isinstance(item, ast.Assign):
                own.update(t.id for t in item.targets if isinstance(t, ast.Name))
        for node in ast.walk(cls):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id in ("self", "cls")
            ):
                own.add(node.attr)
        for attr in sorted(own):
            if is_private(attr) and on_base(attr):
                report(cls, f"class {cls.name} overrides {attr} of {', '.join(bases)}")
        for node in ast.walk(cls):
            if not (isinstance(node, ast.Attribute) and is_private(node.attr)):
                continue
            v = node.value
            if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id == "super":
                report(node, f"class {cls.name} uses super().{node.attr} of {', '.join(bases)}")
            elif (
                isinstance(v, ast.Name)
                and v.id in ("self", "cls")
                and node.attr not in own
                and on_base(node.attr)
            ):
                report(node, f"class {cls.name} uses {v.id}.{node.attr} of {', '.join(bases)}")
    return found


MODULES = sorted(SRC.rglob("*.py"))


def test_the_package_has_modules():
    assert len(MODULES) > 20


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_private_name_of_another_library(path):
    assert problems_in(path.read_text(encoding="utf-8"), str(path.relative_to(SRC))) == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import scipy.stats as st\nst.norm._ppf(0.5)\n", "scipy.stats.norm._ppf"),
        ("import scipy.stats as st\nd = getattr(st, 'norm')\nd._isf(0.5)\n", "d<scipy.stats>._isf"),
        ("from openpyxl.cell import _writer\n", "import _writer"),
        ("from scipy.stats._continuous_distns import norm\n", "private module"),
        ("import os\nos._exit(0)\nos._wrap_close\n", "os._wrap_close"),
        (
            "def f():\n    from concurrent.futures import ProcessPoolExecutor as P\n"
            "    pool = P()\n    pool._processes.values()\n",
            "_processes",
        ),
        (
            "from jupyter_client.manager import AsyncKernelManager\n"
            "class K(AsyncKernelManager):\n"
            "    async def _async_cleanup_resources(self, restart=False):\n"
            "        await super()._async_cleanup_resources(restart=restart)\n",
            "overrides _async_cleanup_resources",
        ),
        (
            "from jupyter_client.manager import AsyncKernelManager\n"
            "class K(AsyncKernelManager):\n"
            "    def f(self):\n        return self._kill_kernel()\n",
            "self._kill_kernel",
        ),
        ("import numpy as np\ngetattr(np, '_NoValue')\n", "getattr"),
    ],
)
def test_each_kind_of_use_is_found(source, expected):
    problems = problems_in(source)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    "source",
    [
        "import os\nos._exit(0)\n",
        "from tariffmodel.analysis.montecarlo import _tm\n_tm()._x\n",
        "import tariffmodel as tm\ntm.__version__\n",
        "import numpy as np\nclass A:\n    def _own(self):\n        return self._x\n",
        "from jupyter_client.manager import AsyncKernelManager\n"
        "class K(AsyncKernelManager):\n"
        "    def __init__(self):\n        super().__init__()\n        self._mine = 1\n"
        "    async def cleanup_resources(self, restart=False):\n"
        "        await super().cleanup_resources(restart=restart)\n",
    ],
)
def test_allowed_uses_pass(source):
    assert problems_in(source) == []

"""Give every committed notebook the metadata JupyterLab adds when it opens one.

JupyterLab writes the kernel's ``language_info`` (and the ``kernelspec``) into a notebook as soon
as the kernel connects; a notebook committed without them is marked unsaved the moment it is
opened, and saving it changes the file. This writes them, as the project's kernel reports them,
into every ``notebooks/**/*.ipynb``; the jupytext ``.py`` twin is left as it is (jupytext keeps
``language_info`` out of the text file and keeps the notebook's own when it syncs).

Run after ``jupytext --sync`` made or rewrote a notebook; tests/test_project_files.py checks
that every notebook has them.

    python scripts/notebook_metadata.py          # write
    python scripts/notebook_metadata.py --check  # exit 1 when a notebook lacks them
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The kernel of the notebooks (``make setup`` installs it under this name).
KERNELSPEC = {"display_name": "Python 3 (tariffmodel)", "language": "python", "name": "python3"}


def language_info(version: str | None = None) -> dict:
    """``language_info`` as the IPython kernel reports it (ipykernel's kernel_info reply)."""
    return {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
        "version": version or platform.python_version(),
    }


def notebooks(root: Path = ROOT) -> list[Path]:
    return sorted(
        p for p in (root / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )


def missing(path: Path) -> list[str]:
    """The metadata keys a notebook lacks (or has incomplete)."""
    meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    out = []
    if meta.get("kernelspec", {}).get("name") != KERNELSPEC["name"]:
        out.append("kernelspec")
    info = meta.get("language_info", {})
    if info.get("name") != "python" or not info.get("version"):
        out.append("language_info")
    return out


def write(path: Path) -> bool:
    """Add the metadata to one notebook, in the layout Jupyter writes (indent 1, a final
    newline); True when the file changed."""
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    meta = nb.setdefault("metadata", {})
    meta["kernelspec"] = {**KERNELSPEC, **meta.get("kernelspec", {})}
    meta["language_info"] = {**language_info(), **meta.get("language_info", {})}
    new = json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def main(argv: list[str]) -> int:
    if "--check" in argv:
        bad = {p: m for p in notebooks() if (m := missing(p))}
        for p, m in bad.items():
            print(f"{p.relative_to(ROOT)}: lacks {', '.join(m)}")
        return 1 if bad else 0
    for p in notebooks():
        if write(p):
            print(f"wrote {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

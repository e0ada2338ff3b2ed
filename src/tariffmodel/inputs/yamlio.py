"""The one YAML reader of the project's input files (scenarios, AMR plans, WPRA files, draws, ranges).

YAML 1.2 numbers (``1.3e9`` is a number, not text; ``010`` is ten), a duplicate key is an
error (``2025`` and ``"2025"`` too), a key that is not a word or a number, an alias (``*name``)
and a date that does not exist are errors; every error names the file and the line. A path
that is not a regular file (a pipe, a device) is refused unread. A file larger than
:data:`~tariffmodel.inputs.limits.YAML_MAX_BYTES` is refused before it is read, and one nested
deeper than :data:`~tariffmodel.inputs.limits.YAML_MAX_DEPTH` before it is built.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from tariffmodel.inputs.errors import InputError
from tariffmodel.inputs.limits import (
    YAML_MAX_BYTES,
    YAML_MAX_DEPTH,
    read_text_limited,
)

# --- YAML with floats such as 1.3e9 and no duplicate keys -----------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML loader that reads ``1.3e9`` as a number (YAML 1.2) and rejects duplicate keys."""


#: What the loader reads as a float (YAML 1.2: ``1.3e9`` and ``35.6e9`` too).
FLOAT_RE = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", FLOAT_RE, list("-+0123456789."))

#: What the loader reads as a whole number (YAML 1.2: decimal, ``0o17``, ``0x1F``; not YAML
#: 1.1's ``010`` as octal 8 or ``1:20`` as sexagesimal 80, which are refused as text).
INT_RE = re.compile(r"^(?:[-+]?[0-9][0-9_]*|0o[0-7_]+|0x[0-9a-fA-F_]+)$")
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:int"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", INT_RE, list("-+0123456789"))


def _construct_int(loader, node):
    text = loader.construct_scalar(node).replace("_", "")
    if not INT_RE.match(text):  # an explicit !!int tag on other text
        raise InputError(f"not a whole number: {text!r} (line {node.start_mark.line + 1})")
    return int(text, 0) if text[:2] in ("0o", "0x") else int(text, 10)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def numbers_as_read(data: Any) -> Any:
    """``data`` (parsed elsewhere, e.g. by a YAML 1.1 reader such as Papermill's ``-f``) with
    every string that this module's loader reads as a number turned into that number, in
    nested mappings and lists too, so that such a mapping is accepted as a file would be.

    >>> numbers_as_read({"loc": "35.6e9", "dist": "norm", "n": ["1e3", 2]})
    {'loc': 35600000000.0, 'dist': 'norm', 'n': [1000.0, 2]}
    """
    if isinstance(data, str):
        return yaml.load(data, Loader=_Loader) if FLOAT_RE.match(data) else data  # noqa: S506
    if isinstance(data, Mapping):
        return {k: numbers_as_read(v) for k, v in data.items()}
    if isinstance(data, list):
        return [numbers_as_read(v) for v in data]
    return data


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise InputError(
                f"a key must be a word or a number, not a list or mapping (line {line})"
            )
        key = loader.construct_object(key_node, deep=deep)
        if key is None or isinstance(key, bool):
            raise InputError(
                f"a key must be a word or a number, not {key_node.value!r} (line {line})"
            )
        # 2025 and "2025" name one year: a duplicate, not two keys of which one is read
        if str(key) in seen:
            raise InputError(f"duplicate key (line {line})", key=str(key))
        seen.add(str(key))
        if value_node.tag == "tag:yaml.org,2002:timestamp":
            try:  # a date that does not exist: say under which key
                _construct_timestamp(loader, value_node)
            except InputError as exc:
                raise InputError(exc.rule, key=str(key)) from None
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _construct_timestamp(loader, node):
    # YAML reads 2026-13-01 as a date: a day that does not exist is an input error
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise InputError(
            f"not a date that exists: {node.value!r} (line {node.start_mark.line + 1}): {exc}"
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _check_depth(text: str) -> None:
    """Refuse a document nested deeper than YAML_MAX_DEPTH, or with an alias (read event by
    event, no recursion, before anything is built)."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            # an alias repeats a value: nested aliases grow a small file into billions of values
            raise InputError(
                f"an alias (*{event.anchor}, line {event.start_mark.line + 1}): input files "
                "do not repeat values by anchors and aliases; write each value out"
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > YAML_MAX_DEPTH:
                raise InputError(
                    f"nested deeper than {YAML_MAX_DEPTH} levels of mappings and lists "
                    f"(line {event.start_mark.line + 1}); no input file needs more"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def read_yaml(path: str | Path, cls: type[InputError] = InputError) -> Any:
    """Read a YAML file with the project's loader; errors (``cls``) name the file and the line."""
    path = Path(path)
    try:
        text = read_text_limited(path, YAML_MAX_BYTES, cls=cls)
    except UnicodeDecodeError as exc:
        raise cls(f"cannot read the file: {exc}", file=str(path)) from None
    try:
        _check_depth(text)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except InputError as exc:
        raise cls(exc.rule, file=str(path), key=exc.key) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise cls(f"not valid YAML{where}: {problem}", file=str(path)) from None


def read_yaml_mapping(
    path: str | Path, what: str | None = None, cls: type[InputError] = InputError
) -> dict:
    """A YAML file that must hold a mapping at the top level (``cls`` otherwise)."""
    data = read_yaml(path, cls)
    if not isinstance(data, Mapping):
        rule = (
            f"the {what} must be a mapping" if what else "must be a YAML mapping at the top level"
        )
        raise cls(rule, file=str(path))
    return dict(data)

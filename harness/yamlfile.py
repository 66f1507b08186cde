"""Safe YAML loading that remembers the line of every value, and pydantic errors as file:line.

PyYAML's safe loader drops source positions once it builds Python objects, so the loader
walks the composed node tree itself and records the line of every mapping key and sequence
item under its path (``("scenarios", 3, "turns", 0, "user")``). A pydantic validation error
carries the same kind of path in ``loc``, which :func:`validate` maps back to a line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
import typing
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from harness.errors import ConfigError

__all__ = ["LineMap", "YamlDocument", "load_yaml", "parse_yaml", "validate"]

# libyaml's parser is about ten times faster on large scenario files and keeps the same marks;
# the pure-Python one is the fallback where PyYAML was built without it.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Model = TypeVar("Model", bound=BaseModel)
PathKey = tuple[str | int, ...]


@dataclass
class LineMap:
    """1-based line numbers of the values of a document, keyed by their path."""

    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """Return the line of the deepest known prefix of ``path``."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)


@dataclass
class YamlDocument:
    """A parsed YAML document with the line map of its values."""

    data: Any
    lines: LineMap
    path: Path | None


def load_yaml(path: str | Path) -> YamlDocument:
    """Load one YAML file safely.

    Raises:
        ConfigError: The file is missing, unreadable or not valid YAML.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", path=path, fix="check the path") from None
    except IsADirectoryError:
        raise ConfigError("expected a YAML file, found a folder", path=path, fix="name the file inside it") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"file is not valid UTF-8 (byte {exc.start})", path=path, fix="save it as UTF-8"
        ) from None
    return parse_yaml(text, path)


def parse_yaml(text: str, path: str | Path | None = None) -> YamlDocument:
    """Parse YAML text safely and record the line of every value."""
    source = Path(path) if path is not None else None
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
        if node is None:
            return YamlDocument(data=None, lines=LineMap(), path=source)
        lines = LineMap()
        _record_lines(node, (), lines, source)
        data = yaml.SafeLoader("").construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError(
            f"invalid YAML: {exc.problem}", path=source, line=line, fix="fix the YAML syntax"
        ) from None
    return YamlDocument(data=data, lines=lines, path=source)


def _record_lines(node: yaml.Node, path: PathKey, lines: LineMap, source: Path | None) -> None:
    lines.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            # PyYAML keeps the last of two equal keys without a word; a silently dropped
            # setting is worse than an error.
            if isinstance(key, str) and key in seen and key != "<<":
                field_name = ".".join(str(part) for part in (*path, key))
                raise ConfigError("duplicate key", path=source, line=line, field=field_name, fix="keep one of them")
            seen.add(key)
            lines.lines[(*path, key)] = line
            _record_lines(value_node, (*path, key), lines, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines, source)


def validate(
    model: type[Model],
    data: Any,
    *,
    path: str | Path | None = None,
    lines: LineMap | None = None,
    prefix: PathKey = (),
    first_line: int | None = None,
) -> Model:
    """Validate ``data`` against ``model``, raising the first error as file:line.

    Args:
        model: The pydantic model to validate against.
        data: The parsed data.
        path: The file the data came from, for the message.
        lines: The line map of the file, when the data is YAML.
        prefix: Where ``data`` sits inside the document.
        first_line: A fixed line for every error, for one-record-per-line files (JSONL).

    Raises:
        ConfigError: The data does not match the model.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(
            exc, model=model, path=path, lines=lines, prefix=prefix, line=first_line
        ) from None


def validation_error(
    exc: ValidationError,
    *,
    model: type[BaseModel] | None = None,
    path: str | Path | None,
    lines: LineMap | None,
    prefix: PathKey = (),
    line: int | None = None,
) -> ConfigError:
    """Turn the first error of a pydantic ``ValidationError`` into a located ConfigError."""
    error = exc.errors()[0]
    loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
    full_path = (*prefix, *loc)
    if line is None and lines is not None:
        line = lines.line_of(full_path)
    field_name = ".".join(str(part) for part in full_path) or None
    message, fix = _describe(error, _fields_at(model, loc[:-1]))
    return ConfigError(message, path=path, line=line, field=field_name, fix=fix)


def _is_union_tag(part: Any) -> bool:
    # pydantic puts the tried member of a union or a validator name into ``loc``
    # (``function-after[...]``); they are not fields the user wrote.
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


def _describe(error: dict[str, Any], allowed: str) -> tuple[str, str | None]:
    kind = error["type"]
    found = error.get("input")
    if kind == "extra_forbidden":
        fix = f"remove it or use one of: {allowed}" if allowed else "remove it"
        return "unknown field", fix
    if kind == "missing":
        return "required field is missing", "add it"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"invalid value {found!r}, expected {expected}", None
    message = error["msg"]
    if found is not None and not isinstance(found, (dict, list)):
        message = f"{message} (found {found!r})"
    return message, None


def _fields_at(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> str:
    """List the field names of the model found at ``loc`` inside ``model``."""
    current: Any = model
    for part in loc:
        current = _step_into(current, part)
        if current is None:
            return ""
    if isinstance(current, type) and issubclass(current, BaseModel):
        return ", ".join(current.model_fields)
    return ""


def _step_into(annotation: Any, part: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        info = annotation.model_fields.get(part) if isinstance(part, str) else None
        return _unwrap(info.annotation) if info else None
    if isinstance(part, int):
        args = typing.get_args(annotation)
        return _unwrap(args[0]) if args else None
    if typing.get_origin(annotation) is dict:
        return _unwrap(typing.get_args(annotation)[1])
    return None


def _unwrap(annotation: Any) -> Any:
    """Reduce ``list[X]``, ``X | None`` and ``Annotated[X, ...]`` to the model inside."""
    for _ in range(4):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if not args:
            return annotation
        origin = typing.get_origin(annotation)
        if origin in (list, tuple, set, frozenset, dict):
            return annotation
        annotation = args[0]
    return annotation

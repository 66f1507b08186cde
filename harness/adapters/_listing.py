"""Descriptions of the registered adapters and their options, for ``dm-harness adapters``."""

from __future__ import annotations

import json
import types
import typing
from dataclasses import asdict, dataclass
from typing import Any

from pydantic.fields import FieldInfo

from harness.adapters._base import AdapterSpec, available_adapters

__all__ = ["AdapterInfo", "OptionInfo", "describe_adapter", "describe_adapters", "type_name"]


@dataclass(frozen=True)
class OptionInfo:
    """One option of an adapter."""

    name: str
    type: str
    """The option's type as written in Python, such as ``list[str] | str``."""

    required: bool
    default: str | None
    """The default as JSON (``30.0``, ``"POST"``, ``{}``); ``None`` when the option is required."""

    description: str


@dataclass(frozen=True)
class AdapterInfo:
    """One registered adapter with its options."""

    name: str
    origin: str
    """``built-in``, or the entry point value (``package.module:Class``) of a plugin."""

    summary: str
    options: tuple[OptionInfo, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the description as plain JSON-ready data."""
        return asdict(self)


def describe_adapters() -> list[AdapterInfo]:
    """Describe every registered adapter, built-in and from plugins, sorted by name."""
    return [describe_adapter(spec) for spec in available_adapters().values()]


def describe_adapter(spec: AdapterSpec) -> AdapterInfo:
    """Describe one registered adapter and the fields of its options model."""
    options = tuple(_option(name, field) for name, field in spec.options.model_fields.items())
    return AdapterInfo(name=spec.name, origin=spec.origin, summary=spec.summary, options=options)


def _option(name: str, field: FieldInfo) -> OptionInfo:
    required = field.is_required()
    return OptionInfo(
        name=field.alias or name,
        type=type_name(field.annotation),
        required=required,
        default=None if required else _default_text(field),
        description=" ".join((field.description or "").split()).replace("``", "`"),
    )


def _default_text(field: FieldInfo) -> str:
    value = field.get_default(call_default_factory=True)
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def type_name(annotation: Any) -> str:
    """Write a type annotation the way it reads in Python source: ``dict[str, str] | None``."""
    if annotation is None or annotation is type(None):
        return "None"
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Literal:
        return " | ".join(json.dumps(value) for value in arguments)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(argument) for argument in arguments)
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{', '.join(type_name(argument) for argument in arguments)}]"
    return getattr(annotation, "__name__", str(annotation))

"""Paths into a JSON document, such as ``reply.text``, ``messages[0].text`` or ``messages[*].text``.

A path is a chain of steps: ``.key`` (or a bare key at the start), ``[N]`` for the N-th list
item (negative counts from the end) and ``[*]`` for every item. A path with ``[*]`` returns a
list with one value per item; any other path returns one value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["JsonPath", "PathNotFoundError"]

_STEP = re.compile(r"\.?([^.\[\]]+)|\[(-?\d+|\*)\]")


class PathNotFoundError(LookupError):
    """A path step found no value in the document."""


@dataclass(frozen=True)
class JsonPath:
    """A compiled path into a JSON document."""

    text: str
    steps: tuple[str | int, ...]
    """Keys (``str``), list indexes (``int``) and ``"[*]"`` for every item."""

    @classmethod
    def parse(cls, text: str) -> JsonPath:
        """Compile ``text``.

        Raises:
            ValueError: ``text`` is not a valid path; the message shows where it breaks.
        """
        steps: list[str | int] = []
        position = 0
        while position < len(text):
            match = _STEP.match(text, position)
            if match is None or (position == 0 and text.startswith(".")):
                raise ValueError(f"invalid path {text!r} at character {position + 1}: expected .key, [N] or [*]")
            key, index = match.groups()
            if key is not None:
                steps.append(key)
            elif index == "*":
                steps.append("[*]")
            else:
                steps.append(int(index))
            position = match.end()
        if not steps:
            raise ValueError("empty path: expected a key such as 'reply.text'")
        return cls(text, tuple(steps))

    @property
    def fans_out(self) -> bool:
        """True when the path has a ``[*]`` step and so returns a list."""
        return "[*]" in self.steps

    def extract(self, document: Any) -> Any:
        """Return the value at this path in ``document``.

        Raises:
            PathNotFoundError: A key or index is missing, or a step meets the wrong type; the
                message names the step and what was found there.
        """
        values = [document]
        for depth, step in enumerate(self.steps):
            values = [item for value in values for item in self._step(value, step, depth)]
        return values if self.fans_out else values[0]

    def _step(self, value: Any, step: str | int, depth: int) -> list[Any]:
        where = self._prefix(depth)
        if step == "[*]":
            if not isinstance(value, list):
                raise PathNotFoundError(f"{where} is {_describe(value)}, not a list")
            return list(value)
        if isinstance(step, int):
            if not isinstance(value, list):
                raise PathNotFoundError(f"{where} is {_describe(value)}, not a list")
            if not -len(value) <= step < len(value):
                raise PathNotFoundError(f"{where} has {len(value)} items, so [{step}] is out of range")
            return [value[step]]
        if not isinstance(value, dict):
            raise PathNotFoundError(f"{where} is {_describe(value)}, not an object with key {step!r}")
        if step not in value:
            keys = ", ".join(map(str, value)) or "none"
            raise PathNotFoundError(f"key {step!r} not found in {where} (its keys: {keys})")
        return [value[step]]

    def _prefix(self, depth: int) -> str:
        if depth == 0:
            return "the response"
        parts = [f"[{step}]" if isinstance(step, int) else step for step in self.steps[:depth]]
        text = "".join(part if part.startswith("[") else f".{part}" for part in parts).lstrip(".")
        return repr(text)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(type(value), "a number")

"""Text hygiene shared by the records: strings must survive a round trip through UTF-8."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["clean_text", "clean_texts"]

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: Any) -> Any:
    """Replace lone UTF-16 surrogates in a string with U+FFFD; leave other values alone.

    A bot that cuts an emoji in half sends ``"\\ud83d"`` in its JSON, which Python decodes into
    a lone surrogate that cannot be written as UTF-8, so results.jsonl could not store the turn.
    """
    if isinstance(value, str) and _SURROGATE.search(value):
        return _SURROGATE.sub("\ufffd", value)
    return value


def clean_texts(value: Any) -> Any:
    """Apply :func:`clean_text` to every string of a list or a dict's values."""
    if isinstance(value, list):
        return [clean_text(item) for item in value]
    if isinstance(value, dict):
        return {key: clean_text(item) for key, item in value.items()}
    return clean_text(value)

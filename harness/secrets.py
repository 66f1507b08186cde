"""Masking credentials in everything a run writes: configs, error messages, reports."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["MASK", "is_secret_key", "mask_secrets", "mask_text"]

MASK = "***"

_SECRET_KEY = re.compile(r"(authori[sz]ation|token|secret|password|passwd|api[_-]?key|cookie|signature)", re.I)
_ENV_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")
_LITERAL_CREDENTIAL = re.compile(r"[A-Za-z0-9._~+/=-]{8,}")
_BEARER = re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}")
_QUERY_SECRET = re.compile(
    r"(?i)([?&](?:access_token|token|api[_-]?key|apikey|key|secret|client_secret|signature|sig|password)=)[^&\s#\"']+"
)


def is_secret_key(key: str) -> bool:
    """True for option names that hold credentials (``Authorization``, ``app_secret``, ...)."""
    return bool(_SECRET_KEY.search(key))


def mask_secrets(value: Any, key: str = "") -> Any:
    """Return a copy of ``value`` with every credential replaced by ``***``.

    A value under a secret-looking key is masked unless all it holds besides environment
    references such as ``${IG_APP_SECRET}`` (which name a secret without holding it) is a
    short word like ``Bearer``. Bearer and basic
    credentials inside other strings are masked too.
    """
    if isinstance(value, dict):
        return {k: mask_secrets(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(item, key) for item in value]
    if isinstance(value, str):
        if is_secret_key(key) and _holds_literal_secret(value):
            return MASK
        return mask_text(value)
    return value


def mask_text(text: str) -> str:
    """Mask bearer and basic credentials and secret query parameters (``?access_token=``) in text."""
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    return _QUERY_SECRET.sub(lambda m: f"{m.group(1)}{MASK}", text)


def _holds_literal_secret(value: str) -> bool:
    return bool(_LITERAL_CREDENTIAL.search(_ENV_REFERENCE.sub("", value)))

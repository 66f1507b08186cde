"""Masking credentials in everything a run writes: configs, error messages, reports."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["MASK", "is_secret_key", "mask_secrets", "mask_text"]

MASK = "***"

_SECRET_KEY = re.compile(
    r"(auth|token|secret|password|passwd|passphrase|api[_-]?key|private|credential|cookie|signature|session)",
    re.I,
)
_ENV_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")
_SCHEME_WORDS = frozenset({"", "bearer", "basic", "token"})
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/\s@]+:)[^@\s/]+@", re.I)
_BEARER = re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}")
_QUERY_SECRET = re.compile(
    r"(?i)([?&](?:access_token|token|api[_-]?key|apikey|key|secret|client_secret|signature|sig|password)=)[^&\s#\"']+"
)


def is_secret_key(key: str) -> bool:
    """True for option names that hold credentials (``Authorization``, ``app_secret``, ...)."""
    return bool(_SECRET_KEY.search(key))


def mask_secrets(value: Any, key: str = "") -> Any:
    """Return a copy of ``value`` with every credential replaced by ``***``.

    A value under a secret-looking key is masked unless all it contains besides environment
    references such as ``${IG_APP_SECRET}`` (which name a secret without holding it) is an
    authorization scheme such as ``Bearer``. Passwords in URLs are masked everywhere. Bearer and basic
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
    """Mask bearer and basic credentials, URL passwords and secret query parameters in text."""
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}{MASK}@", text)
    return _QUERY_SECRET.sub(lambda m: f"{m.group(1)}{MASK}", text)


def _holds_literal_secret(value: str) -> bool:
    return _ENV_REFERENCE.sub("", value).strip().lower() not in _SCHEME_WORDS

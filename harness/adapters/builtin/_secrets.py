"""Environment variable references (``${NAME}``) in adapter options, and masking their values.

Secrets such as API keys stay out of config files: an option contains ``${OPENAI_API_KEY}`` and
the adapter substitutes the value only when it builds a request. Every substituted value is
treated as a secret and masked out of error messages and debug logs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

from harness.conversations import Reply
from harness.errors import ConfigError

__all__ = ["SecretMasker", "check_variables", "expand", "missing_variables"]

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

_MASK = "***"

_MIN_SECRET_LENGTH = 4
"""Shorter values are not masked: replacing every "1" or "on" would garble the message."""


def missing_variables(texts: Iterable[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """Return the names referenced as ``${NAME}`` in ``texts`` that are not set, in order."""
    environ = os.environ if environ is None else environ
    names = [match.group(1) for text in texts for match in _REFERENCE.finditer(text)]
    return list(dict.fromkeys(name for name in names if name not in environ))


def expand(
    text: str,
    *,
    field: str,
    masker: SecretMasker | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """Replace every ``${NAME}`` in ``text`` with the environment variable's value.

    Args:
        text: An option value, such as ``"Bearer ${API_TOKEN}"``.
        field: The option's name, for the error message.
        masker: Remembers each substituted value as a secret.
        environ: The environment; ``None`` reads :data:`os.environ`.

    Raises:
        ConfigError: A referenced variable is not set; the message names it.
    """
    environ = os.environ if environ is None else environ

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise ConfigError(
                f"environment variable {name} is not set",
                field=field,
                fix=f"set {name} in the environment of the run",
            )
        if masker is not None:
            masker.add(environ[name])
        return environ[name]

    return _REFERENCE.sub(substitute, text)


def check_variables(options: Mapping[str, str], environ: Mapping[str, str] | None = None) -> None:
    """Raise a :class:`ConfigError` for the first option that references an unset variable.

    Args:
        options: Option values by field name (``{"headers.Authorization": "Bearer ${TOKEN}"}``).
        environ: The environment; ``None`` reads :data:`os.environ`.
    """
    for field, text in options.items():
        missing = missing_variables([text], environ)
        if missing:
            raise ConfigError(
                f"environment variable {missing[0]} is not set",
                field=field,
                fix=f"set {missing[0]} in the environment of the run",
            )


class SecretMasker:
    """Replaces known secret values with ``***`` in text that is logged or shown."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()

    def add(self, value: str) -> None:
        """Remember ``value`` as a secret."""
        if len(value) >= _MIN_SECRET_LENGTH:
            self._secrets.add(value)

    def mask(self, text: str) -> str:
        """Return ``text`` with every known secret replaced by ``***``."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, _MASK)
        return text

    def mask_reply(self, reply: Reply) -> Reply:
        """Return ``reply`` with known secrets masked in every text field.

        A bot that echoes its request (a debug endpoint, a template that repeats the headers)
        would otherwise put the token into results.jsonl and the report.
        """
        if not self._secrets:
            return reply
        data = reply.model_dump()
        return Reply.model_validate(self._mask_value(data))

    def _mask_value(self, value: object) -> object:
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, list):
            return [self._mask_value(item) for item in value]
        if isinstance(value, dict):
            return {key: self._mask_value(item) for key, item in value.items()}
        return value

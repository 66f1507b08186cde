"""The ``X-Hub-Signature-256`` header that Meta puts on every webhook POST."""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["SIGNATURE_HEADER", "sign_body"]

SIGNATURE_HEADER = "X-Hub-Signature-256"


def sign_body(body: bytes, app_secret: str) -> str:
    """Return the header value for ``body``: ``sha256=`` and the hex HMAC-SHA256 of the raw bytes.

    The bot must compute the HMAC over the exact bytes it received, before any JSON parsing,
    because re-serialized JSON rarely matches byte for byte.
    """
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"

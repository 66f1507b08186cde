"""The ``http`` adapter: any bot behind a JSON webhook.

Each turn renders the ``body`` template (Jinja2, sandboxed) into a JSON request, posts it, and
reads the reply out of the JSON response. Without ``reply_path`` the whole response must be a
reply shape that :func:`~harness.adapters._coerce.coerce_reply` accepts. With it, the paths
pick the bubbles, quick replies, handover flag and captured fields out of any JSON layout.

Failures: connection refused or reset before a response raises
:class:`~harness.adapters.TransportError` (the replay engine retries it); an HTTP status of
300 or more, a body that is not JSON, a missing path or the adapter's own timeout raises
:class:`~harness.adapters._coerce.ReplyError` with the status and the first 200 characters of
the body, with secrets masked. An empty body (such as HTTP 204) is an empty reply.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any, Literal

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment
from pydantic import Field, field_validator

from harness.adapters._base import AdapterOptions, ConversationState, adapter
from harness.adapters._coerce import ReplyError, coerce_reply, preview
from harness.adapters.builtin._client import HttpEndpoint, HttpResponse
from harness.adapters.builtin._paths import JsonPath, PathNotFoundError
from harness.adapters.builtin._secrets import SecretMasker, check_variables, expand
from harness.conversations import Reply, Turn

__all__ = ["DEFAULT_BODY", "TEMPLATE_VARIABLES", "HttpAdapter", "template_variables"]

logger = logging.getLogger(__name__)

DEFAULT_BODY = (
    '{"conversation_id": {{ conversation_id | tojson }}, "user_id": {{ user_id | tojson }}, '
    '"text": {{ text | tojson }}, "payload": {{ payload | tojson }}, "turn_index": {{ turn_index }}}'
)
"""The request body when the options give none."""

TEMPLATE_VARIABLES: tuple[str, ...] = (
    "conversation_id",
    "user_id",
    "text",
    "payload",
    "turn_index",
    "history",
    "intent",
)
"""Variables the body template can use; ``history`` is a list of
``{"user", "payload", "reply", "handover"}`` mappings for the earlier turns."""

_ENVIRONMENT = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)


@adapter("http")
class HttpAdapter:
    """Posts each turn to a JSON webhook and reads the reply out of the response."""

    class Options(AdapterOptions):
        url: str = Field(min_length=1)
        """The webhook URL; may reference environment variables as ``${NAME}``."""

        method: Literal["POST", "PUT", "PATCH"] = "POST"
        """HTTP method of the request."""

        headers: dict[str, str] = Field(default_factory=dict)
        """Request headers; values may reference environment variables as ``${NAME}``, which
        are resolved for each request and never logged or written to outputs."""

        body: str = DEFAULT_BODY
        """Jinja2 template (sandboxed) that renders the JSON request body. Variables:
        conversation_id, user_id, text, payload, turn_index, history, intent. Render strings
        with ``| tojson`` so quotes in user text stay valid JSON."""

        reply_path: str | None = None
        """Path to the reply text in the response, such as ``reply.text`` or
        ``messages[*].text``; unset reads the whole response as a reply mapping."""

        quick_replies_path: str | None = None
        """Path to the quick-reply titles, such as ``quick_replies[*].title``."""

        handover_path: str | None = None
        """Path to a boolean that is true when the bot handed over to a person."""

        captured_path: str | None = None
        """Path to an object of captured fields (email, phone, booking time)."""

        timeout: float = Field(30.0, gt=0)
        """Seconds to wait for the whole response before the turn fails."""

        max_connections: int = Field(100, ge=1)
        """Size of the keep-alive connection pool. The replay engine already bounds the calls in
        flight to the run's concurrency, so the pool only needs to be at least that large."""

        @field_validator("url")
        @classmethod
        def _check_url(cls, value: str) -> str:
            # A URL built from ${NAME} references can only be checked once they are resolved.
            if "${" not in value and not re.match(r"^https?://[^/\s]+", value):
                raise ValueError(f"expected an http:// or https:// URL, found {value!r}")
            return value

        @field_validator("reply_path", "quick_replies_path", "handover_path", "captured_path")
        @classmethod
        def _valid_path(cls, value: str | None) -> str | None:
            if value is not None:
                JsonPath.parse(value)
            return value

        @field_validator("body")
        @classmethod
        def _valid_template(cls, value: str) -> str:
            try:
                tree = _ENVIRONMENT.parse(value)
            except jinja2.TemplateSyntaxError as exc:
                raise ValueError(f"invalid Jinja2 template at template line {exc.lineno}: {exc.message}") from None
            unknown = sorted(meta.find_undeclared_variables(tree) - set(TEMPLATE_VARIABLES))
            if unknown:
                raise ValueError(f"unknown template variables {unknown}; valid: {', '.join(TEMPLATE_VARIABLES)}")
            return value

    def __init__(self, options: Options) -> None:
        self.options = options
        check_variables({"url": options.url, **{f"headers.{k}": v for k, v in options.headers.items()}})
        self._template = _ENVIRONMENT.from_string(options.body)
        self._paths = _Paths.from_options(options)
        self._masker = SecretMasker()
        self._endpoint = HttpEndpoint(
            f"{options.method} {options.url}",
            timeout=options.timeout,
            max_connections=options.max_connections,
            masker=self._masker,
        )

    async def reply(self, conversation: ConversationState, message: Turn) -> Reply:
        """Post one turn and convert the response into a reply."""
        body = self._render(conversation, message)
        url, headers = self._resolve()

        start = time.perf_counter()
        response = await self._endpoint.send(self.options.method, url, headers=headers, body=body)
        elapsed_ms = (time.perf_counter() - start) * 1000
        logger.info(
            "http %s: conversation %s turn %d -> HTTP %d in %.0f ms",
            self._endpoint.label, conversation.id, conversation.turn_index, response.status_code, elapsed_ms,
        )
        if logger.isEnabledFor(logging.DEBUG):
            # Masking scans both bodies, so skip it unless the message is logged.
            logger.debug("http request %s; response %s", self._masker.mask(body), self._masker.mask(response.text))
        return self._masker.mask_reply(self._parse(response))

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._endpoint.aclose()

    def _render(self, conversation: ConversationState, message: Turn) -> str:
        variables = template_variables(conversation, message)
        try:
            body = self._template.render(variables)
        except jinja2.TemplateError as exc:
            raise ReplyError(f"http body template failed: {exc}") from None
        try:
            json.loads(body)
        except json.JSONDecodeError as exc:
            raise ReplyError(
                f"http body template rendered invalid JSON ({exc.msg} at character {exc.pos + 1}): "
                f"{preview(body)}; render strings with '| tojson'"
            ) from None
        return body

    def _resolve(self) -> tuple[str, dict[str, str]]:
        url = expand(self.options.url, field="url", masker=self._masker)
        headers = {"Content-Type": "application/json"}
        if any(name.lower() == "content-type" for name in self.options.headers):
            headers = {}
        for name, value in self.options.headers.items():
            headers[name] = expand(value, field=f"headers.{name}", masker=self._masker)
        return url, headers

    def _parse(self, response: HttpResponse) -> Reply:
        # An empty body (HTTP 204 or 200) means the bot sent nothing: an empty reply.
        document = self._endpoint.json_of(response, allow_empty=True)
        if document is None:
            return Reply()
        try:
            return self._paths.reply_from(document, source=self._endpoint.label)
        except PathNotFoundError as exc:
            raise ReplyError(f"{exc}; response: {self._endpoint.shown(response.text)}") from None


class _Paths:
    """The configured paths, and the reply they pick out of a response."""

    def __init__(self, paths: dict[str, JsonPath | None]) -> None:
        self.paths = paths

    @classmethod
    def from_options(cls, options: HttpAdapter.Options) -> _Paths:
        names = ("reply_path", "quick_replies_path", "handover_path", "captured_path")
        values = {name: getattr(options, name) for name in names}
        return cls({name: JsonPath.parse(value) if value else None for name, value in values.items()})

    def reply_from(self, document: Any, *, source: str) -> Reply:
        """Build the reply from ``document``, or read all of it when there is no reply path.

        Raises:
            PathNotFoundError: A configured path is missing from the document.
            ReplyError: The values found have the wrong shape.
        """
        if self.paths["reply_path"] is None:
            return coerce_reply(document, source=source)

        shape: dict[str, Any] = {"messages": _as_list(self._pick("reply_path", document))}
        if self.paths["quick_replies_path"] is not None:
            shape["quick_replies"] = _as_list(self._pick("quick_replies_path", document))
        if self.paths["handover_path"] is not None:
            shape["handover"] = _as_flag(self._pick("handover_path", document), self.paths["handover_path"])
        if self.paths["captured_path"] is not None:
            shape["captured"] = self._pick("captured_path", document)
        return coerce_reply(shape, source=source)

    def _pick(self, name: str, document: Any) -> Any:
        path = self.paths[name]
        assert path is not None
        try:
            return path.extract(document)
        except PathNotFoundError as exc:
            raise PathNotFoundError(f"{name} {path.text!r}: {exc}") from None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [item for item in items if item is not None]


def _as_flag(value: Any, path: JsonPath | None) -> bool:
    values = value if isinstance(value, list) else [value]
    for item in values:
        if item is not None and not isinstance(item, bool):
            shown = path.text if path else "handover_path"
            raise ReplyError(f"handover_path {shown!r} found {item!r}; expected true, false or null")
    return any(values)


def template_variables(conversation: ConversationState, message: Turn) -> dict[str, Any]:
    """Return the variables that the body template can use for one turn."""
    history = [
        {"user": turn.user, "payload": turn.payload, "reply": reply.text, "handover": reply.handover}
        for turn, reply in conversation.history
    ]
    return {
        "conversation_id": conversation.id,
        "user_id": conversation.user_id,
        "text": message.user,
        "payload": message.payload,
        "turn_index": conversation.turn_index,
        "history": history,
        "intent": conversation.scenario.intent,
    }

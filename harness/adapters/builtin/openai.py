"""The ``openai`` adapter: a bot that is an LLM behind an OpenAI-compatible chat endpoint.

Each turn posts ``{base_url}/chat/completions`` with the whole conversation so far: the system
prompt, then a user and an assistant message per earlier turn, then the current user message.
Works with any server that implements the Chat Completions API (vLLM, Ollama, llama.cpp
server, hosted APIs).

Handover: unless ``handover_tool`` is false, the request offers one function tool,
``handover(reason)``, with ``tool_choice: "auto"``. When the model calls it, the reply has
``handover=True`` and the reason in ``captured["handover_reason"]``. Any text the model sent
with the call stays the reply's text. On later turns the call is sent back in the history as
an assistant ``tool_calls`` message followed by a ``tool`` message confirming the handover, as
the Chat Completions API expects. The system prompt should tell the model when to call it.

A turn whose earlier reply failed has no assistant message; its user text is joined to the
next user message, because many chat templates reject two user messages in a row.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from harness.adapters._base import AdapterOptions, ConversationState, adapter
from harness.adapters._coerce import ReplyError, preview
from harness.adapters.builtin._client import HttpEndpoint
from harness.adapters.builtin._secrets import SecretMasker, check_variables, expand
from harness.conversations import Message, Reply, Turn
from harness.errors import ConfigError

__all__ = ["HANDOVER_REASON_FIELD", "HANDOVER_TOOL", "OpenAIAdapter", "build_messages", "user_text"]

logger = logging.getLogger(__name__)

HANDOVER_REASON_FIELD = "handover_reason"
"""Key of ``Reply.captured`` for the reason the model gave for a handover."""

HANDOVER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "handover",
        "description": (
            "Hand the conversation over to a human member of the team. Call it when the user "
            "asks for a person, when the request needs a human decision (a refund, a complaint, "
            "a medical, legal or safety question), or when you cannot help."
        ),
        "parameters": {
            "type": "object",
            "properties": {
                "reason": {"type": "string", "description": "Why a person is needed, in one sentence."}
            },
            "required": ["reason"],
        },
    },
}
"""The function tool offered to the model for handing over to a person."""

_TOOL_RESULT = "The conversation was handed over to a person."


@adapter("openai")
class OpenAIAdapter:
    """Sends the conversation to an OpenAI-compatible chat completions endpoint."""

    class Options(AdapterOptions):
        base_url: str = Field(min_length=1)
        """API root without ``/chat/completions``, such as ``http://127.0.0.1:8000/v1``; may
        reference environment variables as ``${NAME}``."""

        model: str = Field(min_length=1)
        """Model name sent in each request."""

        api_key: str | None = None
        """Bearer token, normally ``${OPENAI_API_KEY}`` so the key stays out of the file;
        unset sends no Authorization header (most local servers need none)."""

        system_prompt_file: str | None = None
        """File holding the system prompt (UTF-8), resolved against the working directory."""

        system_prompt: str | None = None
        """The system prompt itself, for short prompts; give this or system_prompt_file."""

        temperature: float = Field(0.0, ge=0.0, le=2.0)
        """Sampling temperature; 0 keeps runs as repeatable as the server allows."""

        max_tokens: int | None = Field(512, ge=1)
        """Upper bound on the tokens of one reply; unset leaves it to the server."""

        seed: int | None = None
        """Sampling seed, for servers that support it."""

        handover_tool: bool = True
        """Offer the ``handover`` function tool that hands the conversation to a person."""

        timeout: float = Field(60.0, gt=0)
        """Seconds to wait for one completion before the turn fails."""

        max_connections: int = Field(100, ge=1)
        """Size of the keep-alive connection pool. The replay engine already bounds the calls in
        flight to the run's concurrency, so the pool only needs to be at least that large."""

        @model_validator(mode="after")
        def _one_prompt(self) -> OpenAIAdapter.Options:
            if self.system_prompt is not None and self.system_prompt_file is not None:
                raise ValueError("give system_prompt or system_prompt_file, not both")
            return self

    def __init__(self, options: Options) -> None:
        self.options = options
        check_variables({"base_url": options.base_url, "api_key": options.api_key or ""})
        if options.api_key and "${" not in options.api_key:
            logger.warning("openai: api_key is written in the options; reference an environment variable instead")
        self._system_prompt = _system_prompt(options)
        self._masker = SecretMasker()
        url_label = options.base_url.rstrip("/") + "/chat/completions"
        self._endpoint = HttpEndpoint(
            f"POST {url_label}", timeout=options.timeout, max_connections=options.max_connections, masker=self._masker
        )

    async def reply(self, conversation: ConversationState, message: Turn) -> Reply:
        """Send the conversation with the new turn and convert the completion into a reply."""
        request = self._request(conversation, message)
        url, headers = self._resolve()

        start = time.perf_counter()
        body = json.dumps(request, ensure_ascii=False)
        response = await self._endpoint.send("POST", url, headers=headers, body=body)
        elapsed_ms = (time.perf_counter() - start) * 1000
        logger.info(
            "openai %s: conversation %s turn %d -> HTTP %d in %.0f ms",
            self.options.model, conversation.id, conversation.turn_index, response.status_code, elapsed_ms,
        )
        logger.debug("openai request %s; response %s", self._masker.mask(body), self._masker.mask(response.text))
        return self._masker.mask_reply(self._parse(self._endpoint.json_of(response), response.text))

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._endpoint.aclose()

    def _request(self, conversation: ConversationState, message: Turn) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.options.model,
            "messages": build_messages(self._system_prompt, conversation, message),
            "temperature": self.options.temperature,
        }
        if self.options.max_tokens is not None:
            request["max_tokens"] = self.options.max_tokens
        if self.options.seed is not None:
            request["seed"] = self.options.seed
        if self.options.handover_tool:
            request["tools"] = [HANDOVER_TOOL]
            request["tool_choice"] = "auto"
        return request

    def _resolve(self) -> tuple[str, dict[str, str]]:
        base = expand(self.options.base_url, field="base_url", masker=self._masker)
        headers = {"Content-Type": "application/json"}
        if self.options.api_key:
            key = expand(self.options.api_key, field="api_key", masker=self._masker)
            self._masker.add(key)
            headers["Authorization"] = f"Bearer {key}"
        return base.rstrip("/") + "/chat/completions", headers

    def _parse(self, document: Any, text: str) -> Reply:
        message = _first_message(document)
        if message is None:
            raise ReplyError(f"{self._endpoint.label} sent no choices[0].message: {self._endpoint.shown(text)}")
        content = message.get("content")
        if content is not None and not isinstance(content, str):
            raise ReplyError(f"choices[0].message.content is {type(content).__name__}, expected a string or null")

        reason = self._handover_reason(message.get("tool_calls") or [])
        messages = [Message(text=content)] if content and content.strip() else []
        captured = {HANDOVER_REASON_FIELD: reason} if reason else {}
        return Reply(messages=messages, handover=reason is not None, captured=captured)

    def _handover_reason(self, tool_calls: list[Any]) -> str | None:
        reason: str | None = None
        for call in tool_calls:
            function = call.get("function") if isinstance(call, dict) else None
            name = function.get("name") if isinstance(function, dict) else None
            if name != "handover" or not self.options.handover_tool:
                offered = "only 'handover' was" if self.options.handover_tool else "no tool was"
                raise ReplyError(f"the model called tool {name!r}, but {offered} offered")
            reason = _reason_of(function.get("arguments"))
        return reason


def _first_message(document: Any) -> dict[str, Any] | None:
    choices = document.get("choices") if isinstance(document, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    message = choices[0].get("message")
    return message if isinstance(message, dict) else None


def _reason_of(arguments: Any) -> str:
    # The API sends arguments as a JSON string, and models sometimes write invalid JSON there.
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError:
            return preview(arguments)
    reason = arguments.get("reason") if isinstance(arguments, dict) else None
    return str(reason) if reason else "(no reason given)"


def build_messages(system_prompt: str | None, conversation: ConversationState, message: Turn) -> list[dict[str, Any]]:
    """Build the chat messages for one turn: system prompt, earlier turns, the new user turn."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": system_prompt}] if system_prompt else []
    unanswered: list[str] = []
    for index, (turn, reply) in enumerate(conversation.history):
        unanswered.append(user_text(turn))
        if reply.error:
            continue
        messages.append({"role": "user", "content": "\n".join(unanswered)})
        messages.extend(_assistant_messages(reply, index))
        unanswered = []
    messages.append({"role": "user", "content": "\n".join([*unanswered, user_text(message)])})
    return messages


def _assistant_messages(reply: Reply, index: int) -> list[dict[str, Any]]:
    if not reply.handover:
        return [{"role": "assistant", "content": reply.text}]
    call_id = f"call_handover_{index}"
    arguments = json.dumps({"reason": reply.captured.get(HANDOVER_REASON_FIELD, "")})
    call = {"id": call_id, "type": "function", "function": {"name": "handover", "arguments": arguments}}
    return [
        {"role": "assistant", "content": reply.text or None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call_id, "content": _TOOL_RESULT},
    ]


def user_text(turn: Turn) -> str:
    """Return the user message sent to the model for a turn: its text, or the tapped button's
    title or payload, with a note for a story reply and each attachment."""
    text = turn.user.strip() or turn.title or turn.payload or ""
    if turn.story is not None:
        text = f"[replying to your story] {text}".strip()
    notes = [f"[sent {attachment.type}]" for attachment in turn.attachments]
    return " ".join([text, *notes]).strip()


def _system_prompt(options: OpenAIAdapter.Options) -> str | None:
    if options.system_prompt_file is None:
        return options.system_prompt
    path = Path(options.system_prompt_file).expanduser()
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read the system prompt file {path}: {exc.strerror or exc}",
            field="adapter_options.system_prompt_file",
            fix="check the path; a relative path is resolved against the working directory",
        ) from None

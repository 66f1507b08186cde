"""Turning what a bot returned (a string, bubbles, a dict or a Reply) into a :class:`Reply`.

The python, http and exec adapters accept the same reply shapes, so a bot can move between
them without changing what it returns:

- ``str``: one bubble; an empty string is an empty reply.
- ``list``: one bubble per item; an item is a string or a message mapping
  (``{"text", "quick_replies", "buttons", "attachment_url"}``).
- ``dict``: ``{"messages" or "text", "quick_replies", "buttons", "handover", "captured"}``.
  Top-level quick replies and buttons go under the last bubble, as a Send API call puts them
  under the message they belong to.
- :class:`Reply`: used as it is.

Anything else raises :class:`ReplyError` with the value's type and the accepted shapes.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from harness.conversations import Button, Message, Reply

__all__ = ["REPLY_KEYS", "ReplyError", "coerce_reply", "preview"]

REPLY_KEYS: tuple[str, ...] = ("messages", "text", "quick_replies", "buttons", "handover", "captured")
"""Keys a reply mapping may have."""

_SHAPES = "a str, a list of str (bubbles), a dict with " + "/".join(REPLY_KEYS) + " keys, or a Reply"


class ReplyError(Exception):
    """The bot's reply to one turn could not be used: an HTTP error, a malformed body, a
    missing field, a crashed process or a timeout of the adapter's own.

    The replay engine records it on the turn as a ``bot_error`` and the run goes on.
    """


class _QuickReply(BaseModel):
    model_config = ConfigDict(extra="allow")

    title: str


class _MessageShape(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = ""
    quick_replies: list[str | _QuickReply] = Field(default_factory=list)
    buttons: list[Button] = Field(default_factory=list)
    attachment_url: str | None = None


class _ReplyShape(BaseModel):
    model_config = ConfigDict(extra="forbid")

    messages: list[str | _MessageShape] | None = None
    text: str | None = None
    quick_replies: list[str | _QuickReply] | None = None
    buttons: list[Button] | None = None
    handover: bool | None = None
    captured: dict[str, str | int | float | bool | None] | None = None

    @field_validator("captured")
    @classmethod
    def _drop_nulls(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else {key: item for key, item in value.items() if item is not None}


def coerce_reply(value: Any, *, source: str = "the bot") -> Reply:
    """Convert a bot's return value into a :class:`Reply`.

    Args:
        value: What the bot returned, in one of the shapes listed in the module docstring.
        source: Who returned it, for error messages (``"reply() in bot.py"``).

    Raises:
        ReplyError: The value has none of the accepted shapes. The message names what was found.
    """
    if isinstance(value, Reply):
        return value
    if isinstance(value, str):
        return Reply.from_text(value) if value else Reply()
    if isinstance(value, list | tuple):
        return _from_shape(_validate({"messages": list(value)}, source))
    if isinstance(value, dict):
        return _from_shape(_validate(value, source))
    raise ReplyError(f"{source} returned {type(value).__name__}; expected {_SHAPES}")


def preview(text: str, limit: int = 200) -> str:
    """Shorten ``text`` to ``limit`` characters for an error message, marking the cut."""
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"


def _validate(value: dict[str, Any], source: str) -> _ReplyShape:
    unknown = sorted(str(key) for key in value if key not in REPLY_KEYS)
    if unknown:
        raise ReplyError(f"{source} returned unknown reply keys {unknown}; valid keys: {', '.join(REPLY_KEYS)}")
    if value.get("messages") is not None and value.get("text") is not None:
        raise ReplyError(f"{source} returned both 'messages' and 'text'; give one of them")
    try:
        return _ReplyShape.model_validate(value)
    except ValidationError as exc:
        raise ReplyError(f"{source} returned a malformed reply: {_first_problem(exc)}") from None


def _first_problem(exc: ValidationError) -> str:
    # The deepest error is the most specific: for a mapping given where a string or a message
    # was expected, it names the bad key instead of "should be a valid string".
    errors = exc.errors(include_url=False)
    error = max(errors, key=lambda candidate: len(candidate["loc"]))
    location = ".".join(str(part) for part in error["loc"] if not _is_type_tag(part))
    return f"{location}: {error['msg']} (found {preview(repr(error.get('input')), 80)})"


def _is_type_tag(part: object) -> bool:
    # pydantic names the union member it tried (``str``, ``_MessageShape``) inside ``loc``.
    return isinstance(part, str) and (part in ("str", "int", "float", "bool") or part.startswith("_"))


def _from_shape(shape: _ReplyShape) -> Reply:
    messages = [_message(item) for item in shape.messages or []]
    if shape.text:
        messages.append(Message(text=shape.text))

    extra_quick = _titles(shape.quick_replies or [])
    extra_buttons = list(shape.buttons or [])
    if extra_quick or extra_buttons:
        last = messages.pop() if messages else Message()
        messages.append(
            last.model_copy(
                update={
                    "quick_replies": [*last.quick_replies, *extra_quick],
                    "buttons": [*last.buttons, *extra_buttons],
                }
            )
        )

    captured = {key: _text(item) for key, item in (shape.captured or {}).items()}
    return Reply(messages=messages, handover=bool(shape.handover), captured=captured)


def _message(item: str | _MessageShape) -> Message:
    if isinstance(item, str):
        return Message(text=item)
    return Message(
        text=item.text,
        quick_replies=_titles(item.quick_replies),
        buttons=item.buttons,
        attachment_url=item.attachment_url,
    )


def _titles(items: list[str | _QuickReply]) -> list[str]:
    return [item if isinstance(item, str) else item.title for item in items]


def _text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

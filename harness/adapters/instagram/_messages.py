"""Reading the message of a Send API call into a :class:`Message`.

A Send API body is ``{"recipient": {"id"}, "messaging_type", "tag", "message": {...}}``; the
message holds ``text`` and optional ``quick_replies``, or an ``attachment``: a media file
(``image``, ``video``, ``audio``, ``file`` with ``payload.url`` or ``payload.attachment_id``)
or a ``template`` (``button`` with ``text`` and ``buttons``, ``generic`` with ``elements``).
"""

from __future__ import annotations

from typing import Any

from harness.conversations import Button, Message

__all__ = ["SendRequestError", "parse_message"]


class SendRequestError(ValueError):
    """A Send API body the real Graph API would reject; the text is the Graph error message."""


def parse_message(body: dict[str, Any]) -> Message:
    """Read the bubble a Send API body sends.

    Raises:
        SendRequestError: The body has no ``message`` object, or the message has neither text
            nor an attachment.
    """
    message = body.get("message")
    if not isinstance(message, dict):
        raise SendRequestError("(#100) param message must be an object")

    # The Send API takes quick replies inside the message; some clients put them next to it.
    quick_replies = message.get("quick_replies") or body.get("quick_replies") or []
    text, buttons, attachment_url = _attachment(message.get("attachment"))
    text = message.get("text") or text
    if not (text or attachment_url or buttons):
        raise SendRequestError("(#100) message must have text or an attachment")

    return Message(
        text=str(text),
        quick_replies=[_quick_reply_title(item) for item in _as_list(quick_replies)],
        buttons=buttons,
        attachment_url=attachment_url,
        messaging_type=_optional_str(body.get("messaging_type")),
        tag=_optional_str(body.get("tag")),
    )


def _attachment(attachment: Any) -> tuple[str, list[Button], str | None]:
    if not isinstance(attachment, dict):
        return "", [], None
    payload = attachment.get("payload") or {}
    if not isinstance(payload, dict):
        return "", [], None
    if attachment.get("type") != "template":
        return "", [], _media_reference(payload)
    if payload.get("template_type") == "generic":
        return _generic(payload)
    return str(payload.get("text") or ""), _buttons(payload.get("buttons")), None


def _media_reference(payload: dict[str, Any]) -> str | None:
    if payload.get("url"):
        return str(payload["url"])
    if payload.get("attachment_id"):
        return f"attachment_id:{payload['attachment_id']}"
    return None


def _generic(payload: dict[str, Any]) -> tuple[str, list[Button], str | None]:
    lines: list[str] = []
    buttons: list[Button] = []
    for element in _as_list(payload.get("elements")):
        if not isinstance(element, dict):
            continue
        lines.extend(str(element[key]) for key in ("title", "subtitle") if element.get(key))
        element_buttons = _buttons(element.get("buttons"))
        default_url = (element.get("default_action") or {}).get("url")
        # A card without buttons is still a link when tapping it opens its default action.
        if not element_buttons and default_url:
            element_buttons = [Button(title=str(element.get("title") or default_url), url=str(default_url))]
        buttons.extend(element_buttons)
    return "\n".join(lines), buttons, None


def _buttons(raw: Any) -> list[Button]:
    buttons = []
    for item in _as_list(raw):
        if not isinstance(item, dict):
            continue
        url = item.get("url")
        payload = item.get("payload")
        buttons.append(
            Button(
                title=str(item.get("title") or url or payload or ""),
                url=str(url) if url else None,
                payload=str(payload) if payload else None,
            )
        )
    return buttons


def _quick_reply_title(item: Any) -> str:
    if isinstance(item, dict):
        # Email and phone quick replies carry no title; their content type names them.
        return str(item.get("title") or item.get("content_type") or "")
    return str(item)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)

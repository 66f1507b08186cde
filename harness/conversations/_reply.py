"""What a bot sent back for one turn."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from harness.conversations._text import clean_text, clean_texts

__all__ = ["Button", "Message", "Reply", "URL_PATTERN"]

URL_PATTERN = re.compile(r"\bhttps?://[^\s<>\"')]+", re.IGNORECASE)


class Button(BaseModel):
    """A button or template element: a link (``url``) or a postback (``payload``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    url: str | None = None
    payload: str | None = None

    _clean = field_validator("title", "url", "payload", mode="before")(clean_text)


class Message(BaseModel):
    """One bubble the bot sent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = ""
    quick_replies: list[str] = Field(default_factory=list)
    """Titles of the quick replies offered under the bubble."""

    buttons: list[Button] = Field(default_factory=list)
    attachment_url: str | None = None
    messaging_type: str | None = None
    """Instagram Send API ``messaging_type`` (``RESPONSE``, ``UPDATE``, ``MESSAGE_TAG``)."""

    tag: str | None = None
    """Instagram message tag, such as ``HUMAN_AGENT``."""

    _clean = field_validator("text", "quick_replies", "attachment_url", mode="before")(clean_texts)


class Reply(BaseModel):
    """Everything the bot sent for one turn, scored as one ordered whole.

    A reply with ``error`` set is a failed turn tagged ``bot_error``: the bot crashed, timed
    out or sent something the adapter could not read.
    """

    model_config = ConfigDict(extra="forbid")

    messages: list[Message] = Field(default_factory=list)
    handover: bool = False
    """The bot handed the conversation over to a person."""

    captured: dict[str, str] = Field(default_factory=dict)
    """Fields the bot captured (email, phone, booking time), as the bot reported them."""

    latency_ms: float | None = None
    """Time from sending the user's message to the last bubble of the reply."""

    error: str | None = None
    flags: list[str] = Field(default_factory=list)
    """Protocol problems the adapter saw, such as ``outside_24h_window`` or ``duplicate_send``."""

    attempts: int = 1

    _clean = field_validator("captured", "error", "flags", mode="before")(clean_texts)

    @classmethod
    def from_text(cls, text: str, **fields: object) -> Reply:
        """Build a one-bubble reply."""
        return cls(messages=[Message(text=text)], **fields)

    @classmethod
    def failed(cls, reason: str, *, latency_ms: float | None = None, attempts: int = 1) -> Reply:
        """Build the reply of a turn whose bot call failed."""
        return cls(error=reason, latency_ms=latency_ms, attempts=attempts)

    @property
    def text(self) -> str:
        """The text of every bubble, in order, one bubble per line."""
        return "\n".join(message.text for message in self.messages if message.text)

    @property
    def quick_replies(self) -> list[str]:
        """Quick-reply titles of every bubble."""
        return [title for message in self.messages for title in message.quick_replies]

    @property
    def buttons(self) -> list[Button]:
        """Buttons of every bubble."""
        return [button for message in self.messages for button in message.buttons]

    @property
    def links(self) -> list[str]:
        """URLs in the text and in the buttons."""
        found = URL_PATTERN.findall(self.text)
        found.extend(button.url for button in self.buttons if button.url)
        return found

    @property
    def is_empty(self) -> bool:
        """True when the bot sent nothing a user could see or tap, and did not hand over."""
        has_content = self.text.strip() or self.quick_replies or self.buttons
        attachments = any(message.attachment_url for message in self.messages)
        return not (has_content or attachments or self.handover)

"""Records of conversations prepared for replay: turns, expectations, scenarios and suites."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from harness.conversations._text import clean_text

__all__ = [
    "Attachment",
    "Expectation",
    "Policy",
    "POLICIES",
    "Scenario",
    "ScenarioOptions",
    "StoryRef",
    "Suite",
    "Turn",
    "TurnKind",
]

Policy = Literal["answer", "clarify", "escalate"]
POLICIES: tuple[str, ...] = ("answer", "clarify", "escalate")

TurnKind = Literal["text", "quick_reply", "postback", "story_reply", "attachment"]

NextStep = Literal[
    "ask", "confirm", "offer", "complete", "link", "handover", "inform", "booking_link"
]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Attachment(_Record):
    """A file the user sent with a turn (photo, video, audio, share)."""

    type: str
    """Kind of attachment: ``image``, ``video``, ``audio``, ``file``, ``share``, ``story_mention``."""

    url: str | None = None


class StoryRef(_Record):
    """The story a user replied to."""

    id: str
    url: str | None = None


class Expectation(_Record):
    """What a good reply to one turn should do, beyond the rubric's general checks."""

    asks_for: list[str] = Field(default_factory=list)
    """Details the reply should ask the user for (slot names such as ``appointment_time``)."""

    mentions: list[str] = Field(default_factory=list)
    """Facts the reply should state (a price, an address, an opening hour)."""

    confirms: list[str] = Field(default_factory=list)
    """Details the reply should read back before acting."""

    next_step: NextStep | None = None
    """The move that takes the conversation forward: ask a question, confirm the details,
    offer an option, report the completed action, send a link, or hand over to a person."""

    escalate: bool | None = None
    """Whether this turn must be handed over to a person; ``None`` follows the policy."""

    forbidden: list[str] = Field(default_factory=list)
    """Phrases the reply must not contain."""


class Turn(_Record):
    """One user message of a scenario, with the recorded reply and expectations."""

    user: str = ""
    """The user's text. May be empty for a quick-reply tap, a postback or an attachment."""

    kind: TurnKind = "text"
    payload: str | None = None
    """Payload of a quick reply or postback."""

    title: str | None = None
    """Title of the tapped button or quick reply."""

    story: StoryRef | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    reference: str | None = None
    """The reply recorded in the real conversation (a human or an earlier bot)."""

    expect: Expectation | None = None

    _clean = field_validator("user", "reference", "payload", "title", mode="before")(clean_text)

    @model_validator(mode="after")
    def _has_content(self) -> Turn:
        if not (self.user.strip() or self.payload or self.attachments or self.story):
            raise ValueError("a turn needs user text, a payload, a story or an attachment")
        if self.kind in ("quick_reply", "postback") and not self.payload:
            raise ValueError(f"a {self.kind} turn needs a payload")
        if self.kind == "story_reply" and self.story is None:
            raise ValueError("a story_reply turn needs a story")
        return self


class ScenarioOptions(_Record):
    """Replay options of one scenario."""

    duplicate_delivery: bool = False
    """Deliver every webhook event twice, as Meta does after a failed delivery, to check that
    the bot deduplicates by message id (``instagram`` adapter only)."""


class Scenario(_Record):
    """A conversation prepared for replay."""

    id: str = Field(min_length=1)
    intent: str = Field(min_length=1)
    policy: Policy
    source: str | None = None
    """Traffic source, for cohorts: ``dm``, ``story_reply``, ``comment``, ``ad``, ..."""

    campaign: str | None = None
    turns: list[Turn] = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    options: ScenarioOptions = ScenarioOptions()
    metadata: dict[str, str] = Field(default_factory=dict)
    """Free-form provenance, such as the original dialogue id."""

    @field_validator("id")
    @classmethod
    def _id_is_one_line(cls, value: str) -> str:
        if any(char in value for char in "\n\r\t"):
            raise ValueError("a scenario id must be one line without tabs")
        return value


class Suite(_Record):
    """The scenarios of one run."""

    scenarios: list[Scenario]

    @property
    def intents(self) -> list[str]:
        """Intents in first-seen order."""
        return list(dict.fromkeys(scenario.intent for scenario in self.scenarios))

    def by_intent(self) -> dict[str, list[Scenario]]:
        """Group the scenarios by intent, keeping their order."""
        groups: dict[str, list[Scenario]] = {}
        for scenario in self.scenarios:
            groups.setdefault(scenario.intent, []).append(scenario)
        return groups

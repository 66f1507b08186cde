"""The input format of the SGD importer: dialogues of the Schema-Guided Dialogue dataset.

One file contains a JSON list of dialogues. Each dialogue alternates USER and SYSTEM turns,
starting with the user; each turn has one frame per service with the dialogue acts of the
utterance. The models list every field of the public release, so a file in another format fails
with the file, the dialogue index and the field instead of importing half a conversation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.errors import ImportDataError
from harness.importers._threads import load_json_document, read_input
from harness.yamlfile import validation_error

__all__ = ["SgdAction", "SgdDialogue", "SgdFrame", "SgdTurn", "load_dialogues"]


class _SgdRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SgdAction(_SgdRecord):
    """One dialogue act, such as ``REQUEST appointment_time`` or ``CONFIRM city=San Jose``."""

    act: str = Field(min_length=1)
    slot: str = ""
    values: list[str] = Field(default_factory=list)
    """The values as the speaker wrote them ("3:30 pm")."""

    canonical_values: list[str] = Field(default_factory=list)
    """The same values in a normal form ("15:30"), in the same order."""


class SgdSlotSpan(_SgdRecord):
    """Character offsets of a slot value in the utterance."""

    slot: str
    start: int
    exclusive_end: int


class SgdState(_SgdRecord):
    """The dialogue state after a user turn."""

    active_intent: str
    requested_slots: list[str] = Field(default_factory=list)
    slot_values: dict[str, list[str]] = Field(default_factory=dict)


class SgdFrame(_SgdRecord):
    """The acts of one utterance for one service."""

    service: str
    actions: list[SgdAction]
    slots: list[SgdSlotSpan] = Field(default_factory=list)
    state: SgdState | None = None
    """Present on user turns only."""

    service_call: dict[str, Any] | None = None
    """The back-end call the system made (system turns only)."""

    service_results: list[dict[str, Any]] | None = None
    """Results of the back-end call: database facts the bot under test does not share."""


class SgdTurn(_SgdRecord):
    """One utterance of a dialogue."""

    speaker: Literal["USER", "SYSTEM"]
    utterance: str = Field(min_length=1)
    frames: list[SgdFrame]

    @property
    def actions(self) -> list[SgdAction]:
        """The acts of every frame, in order."""
        return [action for frame in self.frames for action in frame.actions]

    @property
    def acts(self) -> set[str]:
        """The names of the acts in this turn."""
        return {action.act for action in self.actions}


class SgdDialogue(_SgdRecord):
    """One dialogue, with the name of the release file it came from."""

    dialogue_id: str = Field(min_length=1)
    services: list[str]
    turns: list[SgdTurn] = Field(min_length=2)
    source: str | None = Field(default=None, alias="_source")
    """The file of the original release, such as ``train/dialogues_036.json``."""


def load_dialogues(path: Path) -> list[SgdDialogue]:
    """Load and validate the dialogues of one SGD file.

    Raises:
        ImportDataError: The file is unreadable, is not a JSON list, or a dialogue is invalid.
            The message names the file, the dialogue index and the field.
    """
    data = load_json_document(read_input(path), path)
    if not isinstance(data, list):
        raise ImportDataError(
            f"expected a JSON list of dialogues, found {type(data).__name__}",
            path=path,
            fix="pass the per-intent dialogue files, not schema.json",
        )

    dialogues = []
    for index, entry in enumerate(data):
        dialogue = _validate_dialogue(entry, path, index)
        _check_turn_order(dialogue, path, index)
        dialogues.append(dialogue)
    return dialogues


def _validate_dialogue(entry: Any, path: Path, index: int) -> SgdDialogue:
    try:
        return SgdDialogue.model_validate(entry)
    except ValidationError as exc:
        error = validation_error(exc, model=SgdDialogue, path=path, lines=None)
        raise ImportDataError(
            f"{_describe_dialogue(entry, index)}: {error.message}",
            path=path,
            field=_dialogue_field(index, error.field),
            fix=error.fix,
        ) from None


def _check_turn_order(dialogue: SgdDialogue, path: Path, index: int) -> None:
    # Each user turn is paired with the system turn after it, so the speakers must alternate.
    for position, turn in enumerate(dialogue.turns):
        expected = "USER" if position % 2 == 0 else "SYSTEM"
        if turn.speaker != expected:
            raise ImportDataError(
                f"dialogue {index} (id {dialogue.dialogue_id}): expected a {expected} turn, "
                f"found {turn.speaker}",
                path=path,
                field=_dialogue_field(index, f"turns.{position}.speaker"),
                fix="the turns must alternate USER, SYSTEM, starting with USER",
            )


def _describe_dialogue(entry: Any, index: int) -> str:
    dialogue_id = entry.get("dialogue_id") if isinstance(entry, dict) else None
    return f"dialogue {index} (id {dialogue_id})" if dialogue_id else f"dialogue {index}"


def _dialogue_field(index: int, inner: str | None) -> str:
    return f"[{index}].{inner}" if inner else f"[{index}]"

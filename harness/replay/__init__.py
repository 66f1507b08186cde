"""The async replay engine."""

from harness.replay._engine import ReplayOptions, Transcript, replay, replay_conversation

__all__ = ["ReplayOptions", "Transcript", "replay", "replay_conversation"]

"""Conversation records (turns, scenarios, suites) and their loaders."""

from harness.conversations._loading import (
    ScenarioFile,
    dump_scenario_file,
    load_scenario_file,
    load_suite,
)
from harness.conversations._reply import URL_PATTERN, Button, Message, Reply
from harness.conversations._records import (
    POLICIES,
    Attachment,
    Expectation,
    Policy,
    Scenario,
    ScenarioOptions,
    StoryRef,
    Suite,
    Turn,
    TurnKind,
)

__all__ = [
    "POLICIES",
    "Attachment",
    "Button",
    "Message",
    "Reply",
    "URL_PATTERN",
    "Expectation",
    "Policy",
    "Scenario",
    "ScenarioFile",
    "ScenarioOptions",
    "StoryRef",
    "Suite",
    "Turn",
    "TurnKind",
    "dump_scenario_file",
    "load_scenario_file",
    "load_suite",
]

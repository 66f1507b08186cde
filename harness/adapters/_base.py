"""The adapter protocol, the conversation state an adapter sees, and the adapter registry.

An adapter is the plug that reaches one kind of bot. Built-in adapters register with the
``@adapter("name")`` decorator; third-party packages add theirs through the entry point group
``dm_harness.adapters``, each entry point naming an adapter class.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict, ValidationError

from harness.conversations import Reply, Scenario, Turn
from harness.errors import AdapterError, ConfigError
from harness.yamlfile import validation_error

__all__ = [
    "TransportError",
    "AdapterOptions",
    "AdapterSpec",
    "BotAdapter",
    "ConversationState",
    "ENTRY_POINT_GROUP",
    "adapter",
    "available_adapters",
    "create_adapter",
    "get_adapter_class",
]

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "dm_harness.adapters"


class AdapterOptions(BaseModel):
    """Base of every adapter's options; unknown options are errors.

    The docstring under each field becomes its description, which ``dm-harness adapters``
    shows.
    """

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


@dataclass
class ConversationState:
    """One conversation as the adapter sees it during replay.

    ``history`` holds the turns sent so far with the replies received, so an adapter that needs
    the whole context (an LLM endpoint) can send it; ``state`` is the adapter's own storage for
    this conversation (a session id, a subprocess, a user id).
    """

    id: str
    scenario: Scenario
    user_id: str
    history: list[tuple[Turn, Reply]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def turn_index(self) -> int:
        """0-based index of the turn being sent."""
        return len(self.history)


@runtime_checkable
class BotAdapter(Protocol):
    """The plug that reaches one kind of bot."""

    async def reply(self, conversation: ConversationState, message: Turn) -> Reply:
        """Send one user turn and return what the bot sent back.

        Raise any exception for a failed call: the replay engine records it as the turn's
        ``bot_error``. Raise :class:`TransportError` for failures worth a retry.
        """
        ...

    async def aclose(self) -> None:
        """Release connections, servers and processes."""
        ...


class TransportError(Exception):
    """A failure to reach the bot (connection refused or reset) that is worth a retry."""


@dataclass(frozen=True)
class AdapterSpec:
    """A registered adapter: its name, class and options model."""

    name: str
    factory: Callable[..., BotAdapter]
    options: type[AdapterOptions]
    summary: str
    origin: str = "built-in"


AdapterClass = TypeVar("AdapterClass")
_REGISTRY: dict[str, AdapterSpec] = {}
_PLUGINS_LOADED = False


def adapter(name: str) -> Callable[[AdapterClass], AdapterClass]:
    """Register an adapter class under ``name``.

    The class must have an ``Options`` attribute (an :class:`AdapterOptions` subclass) and
    a constructor that takes one instance of it.
    """

    def register(cls: AdapterClass) -> AdapterClass:
        _REGISTRY[name] = _spec_for(name, cls, origin="built-in")
        return cls

    return register


def _spec_for(name: str, cls: Any, origin: str) -> AdapterSpec:
    options = getattr(cls, "Options", None)
    if not (isinstance(options, type) and issubclass(options, BaseModel)):
        raise AdapterError(f"adapter {name!r} ({cls!r}) has no Options model")
    summary = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
    return AdapterSpec(name=name, factory=cls, options=options, summary=summary, origin=origin)


def _load_builtins() -> None:
    # Importing the modules runs their @adapter decorators.
    from harness.adapters import builtin  # noqa: F401


def _load_plugins() -> None:
    global _PLUGINS_LOADED
    if _PLUGINS_LOADED:
        return
    _PLUGINS_LOADED = True
    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            cls = point.load()
        except Exception as exc:  # a broken plugin must not stop the other adapters
            logger.warning("adapter plugin %s could not be loaded: %s", point.value, exc)
            continue
        if point.name in _REGISTRY and _REGISTRY[point.name].origin == "built-in":
            logger.warning("adapter plugin %s ignored: name %r is built in", point.value, point.name)
            continue
        _REGISTRY[point.name] = _spec_for(point.name, cls, origin=point.value)


def available_adapters() -> dict[str, AdapterSpec]:
    """Return every registered adapter, built-in and from plugins, by name."""
    _load_builtins()
    _load_plugins()
    return dict(sorted(_REGISTRY.items()))


def get_adapter_class(name: str) -> AdapterSpec:
    """Return the registered adapter ``name``.

    Raises:
        ConfigError: No adapter has that name; the message lists the valid names.
    """
    specs = available_adapters()
    if name not in specs:
        raise ConfigError(
            f"unknown adapter {name!r}",
            field="adapter",
            fix=f"use one of: {', '.join(specs)} (see `dm-harness adapters`)",
        )
    return specs[name]


def create_adapter(name: str, options: dict[str, Any] | None = None, *, path: str | None = None) -> BotAdapter:
    """Create adapter ``name`` with ``options`` validated against its options model.

    Raises:
        ConfigError: Unknown adapter or invalid options.
    """
    spec = get_adapter_class(name)
    try:
        parsed = spec.options.model_validate(options or {})
    except ValidationError as exc:
        error = validation_error(exc, model=spec.options, path=path, lines=None, prefix=("adapter_options",))
        raise error from None
    return spec.factory(parsed)

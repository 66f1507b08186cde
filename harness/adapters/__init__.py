"""Adapters: the plugs that reach the bot under test."""

from harness.adapters._base import (
    ENTRY_POINT_GROUP,
    AdapterOptions,
    AdapterSpec,
    BotAdapter,
    ConversationState,
    TransportError,
    adapter,
    available_adapters,
    create_adapter,
    get_adapter_class,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "AdapterOptions",
    "AdapterSpec",
    "BotAdapter",
    "ConversationState",
    "TransportError",
    "adapter",
    "available_adapters",
    "create_adapter",
    "get_adapter_class",
]

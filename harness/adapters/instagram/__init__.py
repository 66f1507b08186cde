"""The parts of the ``instagram`` adapter: webhook events, signatures, the local Send API.

The adapter itself, with its options, is :class:`harness.adapters.builtin.instagram.InstagramAdapter`.
"""

from harness.adapters.instagram._clock import SimulatedClock
from harness.adapters.instagram._events import echo_body, encode_body, new_mid, turn_body
from harness.adapters.instagram._inbox import Capture, Inbox, Rejection
from harness.adapters.instagram._messages import SendRequestError, parse_message
from harness.adapters.instagram._send_api import GraphError, SendApiServer
from harness.adapters.instagram._signature import SIGNATURE_HEADER, sign_body
from harness.adapters.instagram._turn import TurnSettings, late_flags, replay_turn
from harness.adapters.instagram._webhook import WebhookClient, WebhookError, WebhookResponse

__all__ = [
    "SIGNATURE_HEADER",
    "Capture",
    "GraphError",
    "Inbox",
    "Rejection",
    "SendApiServer",
    "SendRequestError",
    "SimulatedClock",
    "TurnSettings",
    "WebhookClient",
    "WebhookError",
    "WebhookResponse",
    "echo_body",
    "encode_body",
    "late_flags",
    "new_mid",
    "parse_message",
    "replay_turn",
    "sign_body",
    "turn_body",
]

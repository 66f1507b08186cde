"""Response time against a service-level target."""

from __future__ import annotations

from pydantic import Field

from harness.scoring._registry import CheckContext, CheckParams, Outcome, check

__all__ = ["LatencyParams"]


class LatencyParams(CheckParams):
    """Parameters of ``latency``."""

    max_ms: float = Field(default=5000.0, gt=0)
    """Slowest acceptable time, in milliseconds, from the user's message to the last bubble."""


@check("latency", params=LatencyParams)
def latency(ctx: CheckContext, params: LatencyParams) -> Outcome:
    """The reply arrived within ``max_ms``; a rubric usually applies it to the first turn only."""
    elapsed = ctx.reply.latency_ms
    if elapsed is None:
        return Outcome.skip("the adapter measured no latency")
    if elapsed > params.max_ms:
        return Outcome.fail(f"replied in {elapsed:,.0f} ms > {params.max_ms:,.0f} ms", score=params.max_ms / elapsed)
    return Outcome.ok(f"replied in {elapsed:,.0f} ms")

"""Stratified sampling of labelled conversations: N per intent, spread over sources and campaigns.

Within an intent, conversations are grouped into strata by ``(source, campaign)``. Each
stratum first gets one conversation while the quota lasts, then the rest of the quota is shared
in proportion to the strata's remaining sizes (largest remainder). The draw uses a random
generator seeded from the seed, the intent and the stratum, and conversations are ordered by id
before drawing, so the same input and seed give the same sample on every machine.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from harness.conversations import Scenario
from harness.importers._threads import UNLABELLED

__all__ = ["SampleReport", "allocate", "sample_scenarios"]

logger = logging.getLogger(__name__)

Stratum = tuple[str, str]


@dataclass
class SampleReport:
    """Counts of the sample per intent, and the intents that had too few conversations."""

    sampled: dict[str, int] = field(default_factory=dict)
    available: dict[str, int] = field(default_factory=dict)
    short: dict[str, int] = field(default_factory=dict)
    """Intents with fewer conversations than requested, with how many they have."""

    left_out_unlabelled: int = 0


def allocate(sizes: dict[Stratum, int], quota: int) -> dict[Stratum, int]:
    """Share ``quota`` among strata of the given sizes, never more than a stratum holds."""
    total = sum(sizes.values())
    if quota >= total:
        return dict(sizes)
    keys = sorted(sizes)
    shares = {key: 0 for key in keys}
    for key in keys[:quota]:
        shares[key] = 1
    rest = quota - sum(shares.values())
    remaining = {key: sizes[key] - shares[key] for key in keys}
    pool = sum(remaining.values())
    if rest <= 0 or pool == 0:
        return shares

    exact = {key: rest * remaining[key] / pool for key in keys}
    for key in keys:
        shares[key] += int(exact[key])
    leftover = quota - sum(shares.values())
    by_remainder = sorted(keys, key=lambda key: (-(exact[key] - int(exact[key])), key))
    for key in by_remainder[:leftover]:
        shares[key] += 1
    return shares


def sample_scenarios(
    scenarios: Sequence[Scenario],
    per_intent: int,
    *,
    seed: int = 0,
    include_unlabelled: bool = False,
) -> tuple[list[Scenario], SampleReport]:
    """Draw up to ``per_intent`` conversations of each intent, stratified by source and campaign.

    Intents with fewer conversations than ``per_intent`` keep all of them and are listed in
    the report's ``short``. They are logged at INFO level only, because the caller decides how
    loudly to report them (``dm-harness sample`` prints a warning for each).
    """
    report = SampleReport()
    by_intent: dict[str, list[Scenario]] = {}
    for scenario in scenarios:
        if scenario.intent == UNLABELLED and not include_unlabelled:
            report.left_out_unlabelled += 1
            continue
        by_intent.setdefault(scenario.intent, []).append(scenario)

    chosen: list[Scenario] = []
    for intent in sorted(by_intent):
        members = by_intent[intent]
        picked = _sample_intent(intent, members, per_intent, seed)
        chosen.extend(picked)
        report.available[intent] = len(members)
        report.sampled[intent] = len(picked)
        if len(members) < per_intent:
            report.short[intent] = len(members)
            logger.info("intent %s has %d conversations, fewer than the %d requested", intent, len(members), per_intent)
    return chosen, report


def _sample_intent(intent: str, members: list[Scenario], quota: int, seed: int) -> list[Scenario]:
    strata: dict[Stratum, list[Scenario]] = {}
    for scenario in sorted(members, key=lambda scenario: scenario.id):
        strata.setdefault((scenario.source or "", scenario.campaign or ""), []).append(scenario)

    shares = allocate({key: len(group) for key, group in strata.items()}, quota)
    picked: list[Scenario] = []
    for key in sorted(strata):
        generator = random.Random(f"{seed}\0{intent}\0{key[0]}\0{key[1]}")
        picked.extend(generator.sample(strata[key], shares[key]))
    return sorted(picked, key=lambda scenario: scenario.id)

"""The scenarios one process replays next, each claimed in the store that every process shares.

An item that needs results the session does not have yet builds a :class:`ClaimQueue` from
the scenarios it requires and the scenarios ahead of it in the session's plan. The replayer's
slots first take the required scenarios that no process has claimed. Then, while a required
scenario has no results yet (it replays here or in another process), they take the scenarios
ahead, so that no slot idles while the item waits. A scenario is claimed before it is handed
out, so the processes of a session replay it once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence

from harness.conversations import Scenario
from harness.scoring import ConversationResult
from harness.testing._store import ResultStore

__all__ = ["ClaimQueue"]

CarriedOver = Callable[[Scenario], list[ConversationResult] | None]


class ClaimQueue:
    """Scenarios for one process to replay, claimed as they are handed out.

    Args:
        store: The claims and results shared by the processes of the session.
        results: The results this process has, by scenario id; updated in place.
        required: Scenarios whose results the caller needs.
        ahead: Scenarios to replay while a required one is unresolved, best first.
        carried_over: Returns the results to reuse instead of a replay (``--lf``), or None.
    """

    def __init__(
        self,
        store: ResultStore,
        results: dict[str, list[ConversationResult]],
        required: Sequence[Scenario],
        ahead: Iterable[Scenario],
        carried_over: CarriedOver,
    ) -> None:
        self._store = store
        self._results = results
        self._carried_over = carried_over
        unique = {scenario.id: scenario for scenario in required if scenario.id not in results}

        self._unresolved = set(unique)
        self._untried: deque[Scenario] = deque(unique.values())
        self._ahead = iter(ahead)
        # Required scenarios claimed by another process that has not stored their results yet.
        self._elsewhere: dict[str, Scenario] = {}
        self._held: set[str] = set()

    @property
    def resolved(self) -> bool:
        """True when every required scenario has results in this process."""
        return not self._unresolved

    @property
    def waiting(self) -> bool:
        """True while another process has claimed a required scenario and not yet stored its results."""
        return bool(self._elsewhere)

    def next(self) -> Scenario | None:
        """Claim and return the next scenario to replay here; None when there is none for now.

        Before it claims, it takes the results that other processes have stored since the
        last call, and puts back the required scenarios whose claims they dropped.
        """
        self._check_elsewhere()
        while self._untried:
            scenario = self._untried.popleft()
            if self._claim(scenario, required=True):
                return scenario
        while self._unresolved:
            scenario = next(self._ahead, None)
            if scenario is None:
                break
            if self._claim(scenario, required=False):
                return scenario
        return None

    def finish(self, scenario_id: str, results: list[ConversationResult]) -> None:
        """Store the results of a scenario that :meth:`next` handed out, and drop its claim."""
        self._save(scenario_id, results)
        self._held.discard(scenario_id)

    def release_unfinished(self) -> None:
        """Drop the claims of handed-out scenarios without results, so another process can replay them."""
        for scenario_id in self._held:
            self._store.release(scenario_id)
        self._held.clear()

    def _claim(self, scenario: Scenario, *, required: bool) -> bool:
        if scenario.id in self._results or self._take_stored(scenario.id):
            return False
        if not self._store.claim(scenario.id):
            if required:
                self._elsewhere[scenario.id] = scenario
            return False

        # A process that replayed it may have stored its results and dropped its claim between
        # the look-up above and this claim: take those results instead of replaying it again.
        if self._take_stored(scenario.id):
            self._store.release(scenario.id)
            return False
        carried = self._carried_over(scenario)
        if carried is not None:
            self._save(scenario.id, carried)
            return False
        self._held.add(scenario.id)
        return True

    def _check_elsewhere(self) -> None:
        for scenario_id, scenario in list(self._elsewhere.items()):
            if not self._store.settled(scenario_id):
                continue
            del self._elsewhere[scenario_id]
            if not self._take_stored(scenario_id):
                # Its process dropped the claim without results, or died: replay it here.
                self._untried.append(scenario)

    def _take_stored(self, scenario_id: str) -> bool:
        results = self._store.load(scenario_id)
        if results is not None:
            self._resolve(scenario_id, results)
        return results is not None

    def _save(self, scenario_id: str, results: list[ConversationResult]) -> None:
        self._store.save(scenario_id, results)
        self._resolve(scenario_id, results)

    def _resolve(self, scenario_id: str, results: list[ConversationResult]) -> None:
        self._results[scenario_id] = results
        self._unresolved.discard(scenario_id)

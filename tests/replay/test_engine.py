import asyncio

from harness.adapters import ConversationState, TransportError
from harness.conversations import Reply, Scenario, Turn
from harness.replay import ReplayOptions, replay


def make_scenario(scenario_id: str, turns: int = 3) -> Scenario:
    return Scenario(
        id=scenario_id,
        intent="pricing",
        policy="answer",
        turns=[Turn(user=f"message {index}") for index in range(turns)],
    )


class ScriptedAdapter:
    """Answers with the turn text, or fails the way a turn's text asks it to."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls: list[tuple[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.transport_failures: dict[str, int] = {}
        self.ended: list[str] = []

    async def reply(self, conversation: ConversationState, message: Turn) -> Reply:
        self.calls.append((conversation.id, message.user))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            return self._answer(conversation, message)
        finally:
            self.in_flight -= 1

    def _answer(self, conversation: ConversationState, message: Turn) -> Reply:
        if message.user == "crash":
            raise RuntimeError("bot exploded")
        if message.user == "malformed":
            return {"text": "not a Reply"}  # type: ignore[return-value]
        if message.user == "flaky":
            left = self.transport_failures.setdefault(conversation.id, 2)
            if left:
                self.transport_failures[conversation.id] = left - 1
                raise TransportError("connection reset")
        if message.user == "dead":
            raise TransportError("connection refused")
        seen = len(conversation.history)
        return Reply.from_text(f"{message.user} (after {seen} turns)")

    async def end_conversation(self, conversation: ConversationState) -> None:
        self.ended.append(conversation.id)

    async def aclose(self) -> None:
        pass


class SlowAdapter(ScriptedAdapter):
    async def reply(self, conversation: ConversationState, message: Turn) -> Reply:
        if message.user == "hang":
            await asyncio.sleep(10)
        return await super().reply(conversation, message)


def run(scenarios, adapter, **options):
    transcripts = []
    options.setdefault("backoff_s", 0.0)
    total = asyncio.run(replay(scenarios, adapter, ReplayOptions(**options), transcripts.append))
    return total, {t.scenario.id: t for t in transcripts}


def test_turns_in_order_with_history():
    adapter = ScriptedAdapter()
    _, transcripts = run([make_scenario("a")], adapter)
    texts = [reply.text for reply in transcripts["a"].replies]
    assert texts == ["message 0 (after 0 turns)", "message 1 (after 1 turns)", "message 2 (after 2 turns)"]


def test_concurrency_is_bounded():
    adapter = ScriptedAdapter(delay=0.01)
    scenarios = [make_scenario(f"s{i}") for i in range(20)]
    total, transcripts = run(scenarios, adapter, concurrency=4)
    assert total == 20
    assert len(transcripts) == 20
    assert adapter.max_in_flight == 4


def test_crash_becomes_turn_error_and_run_goes_on():
    scenario = Scenario(id="c", intent="x", policy="answer", turns=[Turn(user="crash"), Turn(user="after")])
    _, transcripts = run([scenario, make_scenario("ok", 1)], ScriptedAdapter())
    replies = transcripts["c"].replies
    assert replies[0].error == "RuntimeError: bot exploded"
    assert replies[1].text == "after (after 1 turns)"
    assert transcripts["ok"].replies[0].error is None


def test_malformed_reply_is_turn_error():
    scenario = Scenario(id="m", intent="x", policy="answer", turns=[Turn(user="malformed")])
    _, transcripts = run([scenario], ScriptedAdapter())
    assert "malformed reply" in transcripts["m"].replies[0].error


def test_timeout_is_turn_error():
    scenario = Scenario(id="t", intent="x", policy="answer", turns=[Turn(user="hang"), Turn(user="next")])
    _, transcripts = run([scenario], SlowAdapter(), timeout_s=0.05)
    replies = transcripts["t"].replies
    assert replies[0].error == "timed out after 0.05s"
    assert replies[1].error is None


def test_transport_error_is_retried():
    scenario = Scenario(id="f", intent="x", policy="answer", turns=[Turn(user="flaky")])
    _, transcripts = run([scenario], ScriptedAdapter(), retries=2)
    reply = transcripts["f"].replies[0]
    assert reply.error is None
    assert reply.attempts == 3


def test_transport_error_gives_up_after_retries():
    scenario = Scenario(id="d", intent="x", policy="answer", turns=[Turn(user="dead")])
    adapter = ScriptedAdapter()
    _, transcripts = run([scenario], adapter, retries=1)
    assert transcripts["d"].replies[0].error == "bot unreachable after 2 attempts: connection refused"
    assert len(adapter.calls) == 2


def test_skip_and_repeats():
    adapter = ScriptedAdapter()
    scenarios = [make_scenario("a", 1), make_scenario("b", 1)]
    transcripts = []
    total = asyncio.run(
        replay(scenarios, adapter, ReplayOptions(repeats=2), transcripts.append, skip={("a", 0)})
    )
    assert total == 3
    assert sorted((t.scenario.id, t.repeat) for t in transcripts) == [("a", 1), ("b", 0), ("b", 1)]


def test_end_conversation_called_once_each():
    adapter = ScriptedAdapter()
    run([make_scenario("a"), make_scenario("b")], adapter)
    assert sorted(adapter.ended) == ["a", "b"]


def test_latency_measured_when_adapter_omits_it():
    _, transcripts = run([make_scenario("a", 1)], ScriptedAdapter(delay=0.02))
    assert transcripts["a"].replies[0].latency_ms >= 15


def test_user_id_stable_per_repeat():
    seen = []

    class Recorder(ScriptedAdapter):
        async def reply(self, conversation, message):
            seen.append(conversation.user_id)
            return Reply.from_text("ok")

    for _ in range(2):
        asyncio.run(replay([make_scenario("a", 1)], Recorder(), ReplayOptions(repeats=2), lambda t: None))
    assert seen[0] == seen[2]
    assert seen[1] == seen[3]
    assert seen[0] != seen[1]


def test_error_text_masks_credentials():
    class Leaky(ScriptedAdapter):
        async def reply(self, conversation, message):
            raise RuntimeError("HTTP 401 for Authorization: Bearer sk-live-0123456789abcdef")

    _, transcripts = run([make_scenario("a", 1)], Leaky())
    error = transcripts["a"].replies[0].error
    assert "sk-live-0123456789abcdef" not in error
    assert "Bearer ***" in error


def test_namespace_gives_new_ids_per_run():
    seen = []

    class Recorder(ScriptedAdapter):
        async def reply(self, conversation, message):
            seen.append((conversation.id, conversation.user_id))
            return Reply.from_text("ok")

    for namespace in ("run-a", "run-b"):
        options = ReplayOptions(namespace=namespace)
        asyncio.run(replay([make_scenario("a", 1)], Recorder(), options, lambda t: None))
    (first_id, first_user), (second_id, second_user) = seen
    assert first_id == "a@run-a"
    assert second_id == "a@run-b"
    assert first_user != second_user

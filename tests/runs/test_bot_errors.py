"""A misbehaving HTTP bot: every failure becomes a recorded bot_error and the run completes."""

import asyncio
import json
import textwrap

import pytest
from aiohttp import web

from harness.runs import execute, load_run_config


async def misbehaving_bot(request: web.Request) -> web.StreamResponse:
    text = (await request.json())["text"]
    if text == "hang":
        await asyncio.sleep(5)
    if text == "crash":
        return web.Response(status=500, text="Internal Server Error: NullPointerException")
    if text == "garbage":
        return web.Response(text="<html>not json</html>", content_type="text/html")
    if text == "half emoji":
        return web.Response(text='{"reply": "Sure \\ud83d"}', content_type="application/json")
    if text == "drop":
        assert request.transport is not None
        request.transport.close()
        return web.Response()
    return web.json_response({"reply": "The price is $25. Book here: https://example.test/book"})


SCENARIOS = {
    "hang": ["hang", "how much?"],
    "crash": ["crash", "how much?"],
    "garbage": ["garbage", "how much?"],
    "drop": ["drop", "how much?"],
    "fine": ["how much?"],
    "surrogate": ["half emoji"],
}


def write_project(tmp_path, url):
    lines = ["intent: pricing", "policy: answer", "scenarios:"]
    for scenario_id, texts in SCENARIOS.items():
        lines += [f"  - id: {scenario_id}", "    turns:"] + [f"      - user: {text}" for text in texts]
    (tmp_path / "pricing.yaml").write_text("\n".join(lines) + "\n")
    (tmp_path / "harness.yaml").write_text(
        textwrap.dedent(
            f"""
            scenarios: [pricing.yaml]
            adapter:
              name: http
              options: {{url: "{url}", reply_path: reply, timeout: 30}}
            replay: {{concurrency: 5, timeout_s: 0.5, retries: 1, backoff_s: 0}}
            output: reports
            """
        )
    )
    return load_run_config(tmp_path / "harness.yaml")


async def run_against_bot(tmp_path):
    app = web.Application()
    app.router.add_post("/chat", misbehaving_bot)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        return await execute(write_project(tmp_path, f"http://127.0.0.1:{port}/chat"))
    finally:
        await runner.cleanup()


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    return asyncio.run(run_against_bot(tmp_path_factory.mktemp("bot-errors")))


def test_each_bot_failure_recorded_and_run_completes(outcome):
    results = {result.scenario_id: result for result in outcome.results}

    assert outcome.summary.complete is True
    assert sorted(results) == sorted(SCENARIOS)
    errors = {scenario_id: results[scenario_id].turns[0].reply.error for scenario_id in SCENARIOS}
    assert errors["hang"] == "timed out after 0.5s"
    assert "500" in errors["crash"]
    assert "json" in errors["garbage"].lower()
    assert errors["drop"] is not None
    assert errors["fine"] is None
    assert errors["surrogate"] is None
    assert results["surrogate"].turns[0].reply.text == "Sure \ufffd"


def test_failed_turns_tagged_and_later_turns_replayed(outcome):
    for result in outcome.results:
        if result.scenario_id in ("fine", "surrogate"):
            continue
        first, second = result.turns
        assert first.checks[0].tag == "bot_error"
        assert first.passed is False
        assert second.reply.error is None
        assert result.passed is False
    assert outcome.summary.bot_errors == 4
    assert outcome.summary.tags["bot_error"] == 4


def test_results_file_has_every_conversation(outcome):
    lines = outcome.folder.results_path.read_text().splitlines()
    assert sorted(json.loads(line)["scenario"]["id"] for line in lines) == sorted(SCENARIOS)

"""Tests of the redactor: each detector, consistent placeholders, and quality on the labelled sets."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.importers.redaction import Redactor, iban_valid, luhn_valid, redacted_preview

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"


def load_bench():
    spec = importlib.util.spec_from_file_location("redaction_quality", REPO / "bench" / "redaction_quality.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve string annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail me at jo.b+1@mail.example.co.uk", "mail me at <EMAIL_1>"),
        ("call +44 7700 900123 now", "call <PHONE_1> now"),
        ("card 4111 1111 1111 1111", "card <CARD_1>"),
        ("IBAN GB82 WEST 1234 5698 7654 32", "IBAN <IBAN_1>"),
        ("to 12 Baker Street, London", "to <ADDRESS_1>"),
        ("ask @jane.doe_92", "ask <HANDLE_1>"),
        ("reset https://x.example.com/r?token=abc123def456ghi789", "reset <URL_1>"),
        ("my name is Priya", "my name is <NAME_1>"),
    ],
)
def test_redact_each_type(text, expected):
    assert Redactor().redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "card 4111 1111 1111 1112",
        "order number 40217734",
        "paid $1,250.00 on 2024-05-12 at 10:30",
        "see you @5pm",
        "https://shop.example.com/products/blue-dress?utm_source=ig",
        "I'm Interested in the offer",
        "Will you be open on Monday?",
    ],
)
def test_redact_leaves_non_personal(text):
    assert Redactor().redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my name is Mary-Jane O'Connor", "my name is <NAME_1>"),
        ("This is Dr. Aisha Rahman", "This is Dr. <NAME_1>"),
        ("hi I'm john smith", "hi I'm <NAME_1>"),
        ("my name is priya and I need a refund", "my name is <NAME_1> and I need a refund"),
        ("contact: Maria at the front desk", "contact: <NAME_1> at the front desk"),
        ("Robert here", "<NAME_1> here"),
        ("Hi, Robert here! is it in stock?", "Hi, <NAME_1> here! is it in stock?"),
        ("Thanks, Zoë Ångström", "Thanks, <NAME_1>"),
        ("my name is Zoë Ångström", "my name is <NAME_1>"),
        ("call +33 6 12 34 56 78", "call <PHONE_1>"),
        ("see www.mariagarcia.me", "see <URL_1>"),
        ("write to дмитрий@пример.рф", "write to <EMAIL_1>"),
        ("j\u200bohn@example.com", "<EMAIL_1>"),
        ("my number is 07700\u200b900123", "my number is <PHONE_1>"),
    ],
)
def test_redact_review_cases(text, expected):
    assert Redactor().redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I'm so sorry for the delay",
        "this is urgent, the box is damaged",
        "I'm frank with you, it's too expensive",
        "my name is on the booking",
        "Anyone here? I've been waiting",
        "Parking here is a nightmare",
        "Thank you. That's all.",
        "this is URGENT",
    ],
)
def test_redact_cue_without_name(text):
    assert Redactor().redact(text) == text


def test_redact_personal_site_by_name():
    redactor = Redactor(names=["Maria Garcia"])
    assert redactor.redact("gallery at https://mariagarcia.com/work") == "gallery at <URL_1>"


def test_find_spans_cover_invisible_characters():
    text = "mail j\u200bohn@example.com now"
    spans = Redactor().find(text)
    assert [(span.start, span.end) for span in spans] == [(5, 22)]


def test_redacted_preview_redacts_then_cuts():
    value = "Hi, this is Priya Patel, write to priya.patel@corp.co.in or +91 98765 43210"
    preview = redacted_preview(value)
    assert len(preview) == 40
    assert "Priya" not in preview
    assert "priya" not in preview
    assert preview.endswith("…")


def test_redact_consistent_placeholders():
    redactor = Redactor(names=["Jane Doe"])
    first = redactor.redact("I'm Jane, jane@x.com")
    second = redactor.redact("JANE@X.COM again, Jane Doe")
    assert first == "I'm <NAME_1>, <EMAIL_1>"
    assert second == "<EMAIL_1> again, <NAME_1>"


def test_redact_numbers_values_of_a_type():
    text = Redactor().redact("a@x.com, b@x.com, a@x.com")
    assert text == "<EMAIL_1>, <EMAIL_2>, <EMAIL_1>"


def test_redact_learned_name_in_later_message():
    redactor = Redactor()
    redactor.redact("my name is Oliver")
    assert redactor.redact("oliver again") == "<NAME_1> again"


def test_redact_whole_name_parts_kept():
    redactor = Redactor(whole_names=["Glow Studio"])
    assert redactor.redact("Thanks Glow Studio, I love the studio") == "Thanks <NAME_1>, I love the studio"


def test_redact_url_attachment():
    redactor = Redactor()
    assert redactor.redact_url("https://cdn.example.com/v/123456789_n.jpg?oh=00_AfB9x8") == "<URL_1>"
    assert redactor.redact_url("photos/42_n.jpg") == "photos/42_n.jpg"


@pytest.mark.parametrize(("digits", "valid"), [("4111111111111111", True), ("4111111111111112", False), ("378282246310005", True)])
def test_luhn(digits, valid):
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(("iban", "valid"), [("GB82WEST12345698765432", True), ("GB82WEST12345698765433", False), ("DE89370400440532013000", True)])
def test_iban(iban, valid):
    assert iban_valid(iban) is valid


@given(st.text(max_size=200))
def test_redact_any_text(text):
    assert isinstance(Redactor(names=["Ann Lee"]).redact(text), str)


@given(st.from_regex(r"[a-z]{2,8}\.[a-z]{2,8}@[a-z]{3,8}\.(com|org|net)", fullmatch=True))
def test_redact_email_always_removed(email):
    assert email not in Redactor().redact(f"reach me at {email} thanks")


@pytest.mark.parametrize(
    ("name", "bar"),
    [("redaction_set.jsonl", 0.95), ("redaction_holdout.jsonl", 0.9), ("redaction_review.jsonl", 0.95)],
)
def test_redaction_quality(name, bar):
    bench = load_bench()
    tally = bench.Tally()
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        bench.score_message(json.loads(line), tally)
    scores = tally.scores()
    assert scores["precision"] >= bar
    assert scores["recall"] >= bar

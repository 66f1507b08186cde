import pytest

from harness.runs import MASK, mask_secrets
from harness.secrets import mask_text


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("Authorization", "Bearer sk-live-0123456789abcdef"),
        ("app_secret", "0123456789abcdef0123"),
        ("access_token", "EAAGm0PX4ZCpsBAKZCZA"),
        ("api_key", "sk-0123456789"),
        ("X-Api-Key", "abcdefgh12345678"),
        ("password", "hunter2hunter2"),
    ],
)
def test_literal_secret_masked(key, value):
    assert mask_secrets({key: value}) == {key: MASK}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("app_secret", "${IG_APP_SECRET}"),
        ("Authorization", "Bearer ${BOT_TOKEN}"),
        ("url", "http://127.0.0.1:8808/chat"),
        ("timeout", "10"),
    ],
)
def test_references_and_plain_values_kept(key, value):
    assert mask_secrets({key: value}) == {key: value}


def test_bearer_inside_other_values_masked():
    masked = mask_secrets({"body": "curl -H 'Authorization: Bearer abcdefghijklmnop'"})
    assert "abcdefghijklmnop" not in masked["body"]
    assert "Bearer ***" in masked["body"]


def test_nested_lists_and_dicts():
    config = {"adapter": {"options": {"headers": [{"token": "abcdefgh1234"}]}}}
    assert mask_secrets(config) == {"adapter": {"options": {"headers": [{"token": MASK}]}}}


@pytest.mark.parametrize(
    "url",
    [
        "https://graph.example.test/v21.0/me/messages?access_token=EAAGm0PX4ZCps",
        "http://127.0.0.1/hook?a=1&api_key=abcdef123&b=2",
        "http://127.0.0.1/hook?token=abcdef123#frag",
    ],
)
def test_query_secret_masked(url):
    masked = mask_text(url)
    assert "EAAGm0PX4ZCps" not in masked
    assert "abcdef123" not in masked
    assert "=***" in masked


def test_query_without_secret_kept():
    assert mask_text("http://127.0.0.1/hook?page=2") == "http://127.0.0.1/hook?page=2"


@pytest.mark.parametrize(
    ("key", "value"),
    [("DB_PASSWORD", "hunter2"), ("PRIVATE_KEY", "abc"), ("X-Auth", "letmein"), ("session_id", "s1")],
)
def test_short_literal_secret_masked(key, value):
    assert mask_secrets({key: value}) == {key: MASK}


@pytest.mark.parametrize(
    "url", ["postgres://app:pw@db.internal/app", "http://user:s3cret@127.0.0.1:8808/chat"]
)
def test_url_password_masked(url):
    masked = mask_secrets({"url": url})["url"]
    assert ":***@" in masked
    assert "pw@" not in masked
    assert "s3cret" not in masked

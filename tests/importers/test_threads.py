"""Tests of the shared importer steps: thread digests, input reading and JSON documents."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from harness.errors import ImportDataError
from harness.importers._threads import load_json_document, read_input, thread_digest


def test_digest_unsalted_is_sha256():
    expected = hashlib.sha256(b"csv\0jane_doe").hexdigest()[:10]
    assert thread_digest("csv", "jane_doe") == expected


def test_digest_salted_is_hmac():
    expected = hmac.new(b"s3cret", b"csv\0jane_doe", hashlib.sha256).hexdigest()[:10]
    assert thread_digest("csv", "jane_doe", "s3cret") == expected


def test_digest_salt_changes_id():
    assert thread_digest("csv", "jane_doe", "one") != thread_digest("csv", "jane_doe", "two")


def test_json_document_byte_order_mark():
    assert load_json_document(b'\xef\xbb\xbf{"a": 1}', "x.json") == {"a": 1}


def test_json_document_bad_byte_position():
    with pytest.raises(ImportDataError, match=r"byte 9\)"):
        load_json_document(b'\xef\xbb\xbf{"a": \xff}', "x.json")


def test_read_input_folder(tmp_path):
    with pytest.raises(ImportDataError, match="expected a file, found a folder"):
        read_input(tmp_path)


def test_read_input_missing(tmp_path):
    with pytest.raises(ImportDataError, match="file not found"):
        read_input(tmp_path / "missing.jsonl")

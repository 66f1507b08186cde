import base64
import hashlib
import json
import re
from html import unescape

import pytest

from harness.report import build_remediation, compare_runs, load_run, render_report
from report_fixtures import XSS_TEXTS, check_result, conversation, write_run


@pytest.fixture
def run(mixed_run):
    return load_run(mixed_run)


@pytest.fixture
def html(run) -> str:
    return render_report(run, build_remediation(run.collapsed))


def _data(html: str) -> dict:
    blob = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    return json.loads(blob.group(1))


def test_html_sections_in_order(html):
    positions = [html.index(f'<section id="{name}">') for name in ("gate", "acceptance", "remediation", "transcripts")]
    assert positions == sorted(positions)


def test_html_gate_verdict_and_reasons(html):
    assert "GATE FAILED" in html
    assert "pricing: acceptance 75% is under its bar 80%" in html
    assert "support: 1 conversation(s) with a critical failure" in html


def test_html_under_bar_needs(html):
    gate = html[html.index('<section id="gate">'):html.index('<section id="acceptance">')]
    assert "1 more passing" in gate
    assert "2 more passing" in gate


def test_html_critical_check_listed(html):
    gate = html[html.index('<section id="gate">'):html.index('<section id="acceptance">')]
    assert "Critical checks that failed" in gate
    assert "escalate" in gate


def test_html_acceptance_table_and_chart(html):
    section = html[html.index('<section id="acceptance">'):html.index('<section id="remediation">')]
    assert "6/8" in section
    assert "1/3" in section
    assert section.count("<svg") == 2


def test_html_remediation_ranked(html):
    section = html[html.index('<section id="remediation">'):html.index('<section id="transcripts">')]
    titles = re.findall(r"<h3>\d+\. (\S+) · (\S+)</h3>", section)
    assert titles[0] == ("support", "missed_escalation")
    assert len(titles) == 4


def test_html_remediation_fix_area(html):
    assert "fix in: <strong>escalation policy</strong>" in html


def test_html_untrusted_text_escaped(html):
    for text in XSS_TEXTS[:2]:
        assert text not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html


def test_html_json_blob_cannot_close_script(html):
    blob = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S).group(1)
    assert "<" not in blob


def test_html_transcripts_in_data(html):
    data = _data(html)
    ids = [conversation["id"] for conversation in data["conversations"]]
    assert len(ids) == 11
    assert ids[:4] == ["pricing-0007", "pricing-0008", "support-0001", "support-0002"]


def test_html_hostile_reply_kept_as_data(html):
    hostile = next(c for c in _data(html)["conversations"] if c["id"] == "support-0002")
    message = hostile["t"][0]["m"][0]
    assert message[0] == f"{XSS_TEXTS[0]} {XSS_TEXTS[1]}"
    assert message[2] == [["Open <i>me</i>", "javascript:window.__pwned=3", ""]]


def test_html_no_network_references(html):
    assert not re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "@import" not in html
    assert "url(" not in html


def test_html_csp_hashes_inline_script(html):
    csp = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    script = re.search(r"<script>(.*?)</script>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp


def test_html_one_executable_script(html):
    assert len(re.findall(r"<script>", html)) == 1


def test_html_comparison_section(tmp_path, run):
    base = write_run(tmp_path / "base", [conversation("pricing-0007"), conversation("pricing-0001", failed=[check_result("x", False)])], run_id="base")
    comparison = compare_runs(load_run(base), run)
    html = render_report(run, build_remediation(run.collapsed), comparison)
    section = html[html.index('<section id="comparison">'):html.index('<section id="remediation">')]
    assert "Comparison with run base" in section
    assert "Newly failing (1)" in section
    assert "Newly passing (1)" in section
    assert 'data-open="pricing-0007"' in section


def test_html_no_comparison_without_baseline(html):
    assert 'id="comparison"' not in html


def test_html_config_secret_masked(tmp_path):
    config = {"adapter": {"name": "http", "options": {"headers": {"Authorization": "Bearer sk-live-0123456789abcdef"}}}}
    run = load_run(write_run(tmp_path, [conversation("pricing-1")], config=config))
    html = render_report(run, [])
    assert "sk-live-0123456789abcdef" not in html
    assert "***" in html

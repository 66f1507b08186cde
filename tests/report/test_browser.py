"""The report in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

Skipped when Chromium or Playwright is missing, unless ``DMH_REQUIRE_BROWSER=1`` (set by
``.ci/run``), where a missing browser is a failure.
"""

import os
import shutil
from pathlib import Path

import pytest

from harness.report import write_outputs

CHROMIUM = Path(os.environ.get("DMH_CHROMIUM", "/usr/bin/chromium"))
REQUIRED = os.environ.get("DMH_REQUIRE_BROWSER") == "1"


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        return f"{CHROMIUM} not found (apt-get install chromium)"
    return None


pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if REQUIRED:
            pytest.fail(f"DMH_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if CHROMIUM.exists() else Path(shutil.which("chromium"))
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        launched = playwright.chromium.launch(executable_path=str(executable), args=["--no-sandbox"])
        yield launched
        launched.close()


class _Page:
    """A report opened in a fresh page, with every console message, error and request kept."""

    def __init__(self, browser, path: Path) -> None:
        self.console: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page()
        self.page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.url = path.as_uri()
        self.page.goto(self.url)
        self.page.wait_for_selector("body[data-ready=true]", timeout=10_000)

    def count(self) -> str:
        return self.page.inner_text("#transcript-count")

    def shown_ids(self) -> list[str]:
        return self.page.eval_on_selector_all("#transcript-list details", "nodes => nodes.map(n => n.dataset.scenario)")


@pytest.fixture
def report(browser, mixed_run):
    page = _Page(browser, write_outputs(mixed_run).report)
    yield page
    page.page.close()


def test_browser_no_console_errors(report):
    assert report.console == []
    assert report.errors == []


def test_browser_no_network_requests(report):
    report.page.click("#transcript-list details summary")
    report.page.wait_for_timeout(100)
    assert report.requests == [report.url]


def test_browser_lists_every_conversation(report):
    assert report.count() == "11 of 11 conversations"
    assert len(report.shown_ids()) == 11


def test_browser_verdict_filter(report):
    report.page.select_option("#filter-verdict", "failed")
    assert report.count() == "4 of 11 conversations"
    assert report.shown_ids() == ["pricing-0007", "pricing-0008", "support-0001", "support-0002"]


@pytest.mark.parametrize(("select", "value", "expected"), [
    ("#filter-intent", "support", ["support-0001", "support-0002", "support-0003"]),
    ("#filter-tag", "no_next_step", ["pricing-0008", "support-0002"]),
])
def test_browser_intent_and_tag_filters(report, select, value, expected):
    report.page.select_option(select, value)
    assert report.shown_ids() == expected


def test_browser_search(report):
    report.page.fill("#filter-search", "dm us later")
    # The search waits for a pause in typing; a function (not an expression string) keeps
    # Playwright's polling within the report's Content-Security-Policy, which forbids eval.
    report.page.wait_for_function("() => document.getElementById('transcript-count').textContent.startsWith('1 of')")
    assert report.shown_ids() == ["pricing-0007"]


def test_browser_open_from_remediation(report):
    report.page.click("#remediation button[data-open='support-0001']")
    assert report.shown_ids() == ["support-0001"]
    turns = report.page.locator("#transcript-list details[open] .turn")
    turns.first.wait_for()
    assert turns.count() == 1


def test_browser_hostile_transcript_inert(report):
    report.page.click("#remediation button[data-open='support-0002']")
    transcript = report.page.locator("#transcript-list details[open]")
    # The body of a transcript is drawn when it opens; read it only once its turns are there.
    transcript.locator(".turn").first.wait_for()
    text = transcript.inner_text()
    assert "<script>window.__pwned = 1</script>" in text
    assert '<img src=x onerror="window.__pwned = 2">' in text
    assert "javascript:window.__pwned=3" in text

    assert report.page.evaluate("window.__pwned") is None
    assert transcript.locator("script, img, b, i").count() == 0
    assert transcript.locator("a[href^='javascript']").count() == 0
    assert report.dialogs == []
    assert report.errors == []


def test_browser_hostile_link_not_clickable(report):
    report.page.click("#remediation button[data-open='support-0002']")
    inert = report.page.locator("#transcript-list details[open] code.inert-link")
    assert inert.inner_text() == "javascript:window.__pwned=3"
    inert.click()
    assert report.page.evaluate("window.__pwned") is None


def test_browser_web_links_clickable(report):
    report.page.click("#remediation button[data-open='pricing-0008']")
    links = report.page.locator("#transcript-list details[open] a[href]")
    assert links.first.get_attribute("href") == "https://example.com/book"
    assert links.first.get_attribute("rel") == "noopener noreferrer nofollow"


def test_browser_pages_large_runs(browser, tmp_path):
    from report_fixtures import conversation, write_run

    folder = write_run(tmp_path, [conversation(f"pricing-{i:04d}") for i in range(120)])
    page = _Page(browser, write_outputs(folder).report)
    assert len(page.shown_ids()) == 50
    assert page.page.inner_text("#page-label") == "page 1 of 3"
    page.page.click("#page-next")
    assert page.shown_ids()[0] == "pricing-0050"
    assert page.errors == []
    page.page.close()

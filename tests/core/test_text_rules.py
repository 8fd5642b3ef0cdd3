"""Rules for user text and addresses, shared by forms, imports, restores and the seed."""

import pytest

from app.core.text_rules import control_problem, safe_url, url_problem

GOOD_URLS = [
    "https://example.org/report",
    "http://example.org:8080/a?b=1#c",
    "HTTPS://EXAMPLE.ORG/",
    "https://xn--mgbh0fb.example/%D8%A7",
]
BAD_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//example.org/x",
    "/relative",
    "https://",
    "https:///x",
    "https://example.org:99999/",
    'https://example.org/"onmouseover=x',
    "https://exa mple.org/",
    "https://example.org/\x00",
    "ftp://example.org/",
]


@pytest.mark.parametrize("url", GOOD_URLS)
def test_web_addresses_pass(url):
    assert url_problem(url) is None and safe_url(url) == url


@pytest.mark.parametrize("url", BAD_URLS)
def test_other_addresses_are_refused_and_never_linked(url):
    assert url_problem(url) and safe_url(url) == ""


@pytest.mark.parametrize("text", ["plain", "tab\tnewline\nreturn\r", "عكاشات", ""])
def test_ordinary_text_passes(text):
    assert control_problem(text) is None


@pytest.mark.parametrize(
    "text, code",
    [("a\x00b", "U+0000"), ("\x0b", "U+000B"), ("x\x1fy", "U+001F"), ("del\x7f", "U+007F")],
)
def test_control_characters_are_named(text, code):
    assert code in control_problem(text)

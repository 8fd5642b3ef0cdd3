"""Run axe-core (vendored from npm) in a Playwright page and fail on any violation."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

AXE_PATH = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
AXE_URL_PATH = "/static/vendor/axe-core/axe.min.js"

# WCAG 2.1 A/AA plus axe's best practices; the tags axe documents for these levels.
DEFAULT_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")

_RUN = """async ([tags, exclude]) => {
    const context = exclude.length ? {exclude: exclude.map((s) => [s])} : document;
    const result = await axe.run(context, {runOnly: {type: 'tag', values: tags},
                                           resultTypes: ['violations']});
    return result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => ({target: n.target.join(' '),
                                                summary: n.failureSummary})),
    }));
}"""


def inject_axe(page) -> None:
    """Load axe into the page once; from the app's own static route, so the CSP allows it."""
    if page.evaluate("() => typeof window.axe !== 'undefined'"):
        return
    parts = urlsplit(page.url)
    if parts.scheme in ("http", "https"):
        # A <script src> from 'self' passes script-src; inline content (path=) would need a nonce.
        try:
            page.add_script_tag(url=f"{parts.scheme}://{parts.netloc}{AXE_URL_PATH}")
            return
        except Exception:  # noqa: BLE001 - fall back to inline for pages without the static route
            pass
    page.add_script_tag(path=str(AXE_PATH))


def axe_violations(page, tags=DEFAULT_TAGS, exclude=()) -> list[dict]:
    """axe's violations on the page as it is now (id, impact, help, first nodes)."""
    inject_axe(page)
    return page.evaluate(_RUN, [list(tags), list(exclude)])


def format_violations(violations: list[dict]) -> str:
    """A readable multi-line report of violations."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for n in v["nodes"]:
            lines.append(f"    {n['target']}: {(n['summary'] or '').splitlines()[-1:]}")
    return "\n".join(lines)


def assert_no_axe_violations(page, context: str = "", tags=DEFAULT_TAGS, exclude=()) -> None:
    """Fail with a readable report when axe finds any violation on the page."""
    violations = axe_violations(page, tags=tags, exclude=exclude)
    where = f" on {context or page.url}"
    assert not violations, f"axe found {len(violations)} violation(s){where}:\n" + (
        format_violations(violations)
    )

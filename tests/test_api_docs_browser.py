"""The API documentation page in a real browser (headless Chromium), under the one
Content-Security-Policy every response carries: Swagger UI from the package renders the schema
with no script error and no policy violation."""

from __future__ import annotations

from playwright.sync_api import Browser, ConsoleMessage, expect

from tests.test_web_browser import TIMEOUT_MS, browser, server

__all__ = ["browser", "server"]  # the fixtures, shared with the web browser tests


def test_the_api_docs_render_under_the_content_security_policy(
    browser: Browser, server: str
) -> None:
    context = browser.new_context(base_url=server)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        # any error, and a policy violation whatever its level
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    outside: list[str] = []
    page.on(
        "request",
        lambda request: outside.append(request.url) if not request.url.startswith(server) else None,
    )
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("esgledger API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    # Swagger UI lists a long API virtually (only the operations in view are in the page):
    # count what it parsed from the schema
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.evaluate("window.ui.specSelectors.operations().size") > 100
    assert problems == [] and outside == []
    context.close()

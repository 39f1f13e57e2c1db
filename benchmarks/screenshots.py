"""Refresh the README's screenshots (docs/screenshot-*.png) of the real app at 1440x1000.

    PYTHONPATH=. .venv/bin/python benchmarks/screenshots.py

Starts `python app.py` over a private copy of corpus/ (as the browser tests do, tests/app_server.py)
and drives Debian's Chromium through Playwright with the browser tests' settings. Not part of
`make test`: it writes into docs/.
"""

from __future__ import annotations

import sys
import tempfile
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from app_server import running_app  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from test_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS  # noqa: E402

DOCS = ROOT / "docs"
VIEWPORT = {"width": 1440, "height": 1000}


def open_first_row(page: Page, table: str) -> None:
    page.locator(f"{table} [data-testid='cell-0-3']").click()
    page.locator("#passage mark").wait_for()
    page.wait_for_timeout(800)  # the panel scrolls the highlight into view


def run_view(page: Page, tab: str | None, field: str, button: str, table: str, text: str) -> None:
    """Open a tab, type `text` into its field, run it and open the first row of its table."""
    if tab:
        page.get_by_role("tab", name=tab).click()
    page.locator(f"{field} textarea").fill(text)
    page.locator(button).click()
    page.locator(f"{table} [data-testid='cell-0-3']").wait_for()
    open_first_row(page, table)


def library(page: Page) -> None:
    page.get_by_role("tab", name="Library").click()
    page.locator("#library-table [data-testid='cell-0-1']").click()
    page.wait_for_timeout(800)


VIEWS = {
    "chat": partial(run_view, tab=None, field="#question", button="#ask", table="#sources",
                    text="How do Ashford and Kroenig differ on a peace deal?"),
    "positions": partial(run_view, tab="Positions", field="#positions-question", button="#positions-run",
                         table="#positions-table", text="Would an early peace deal do more harm than good?"),
    "debate": partial(run_view, tab="Debate prep", field="#claim", button="#counter-run", table="#cards-table",
                      text="Negotiating with Putin now would reward aggression."),
    "library": library,
}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, running_app(Path(tmp)) as (url, _corpus), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for name, show in VIEWS.items():
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(url)
            show(page)
            page.screenshot(path=str(DOCS / f"screenshot-{name}.png"))
            print(f"docs/screenshot-{name}.png")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()

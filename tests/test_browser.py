"""The app in headless Chromium (Debian's, driven by Playwright): ask, click a citation, see the
passage highlighted in its article; upload a hostile article and check that nothing executes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from app_server import app_process, shared_app
from conftest import CORPUS
from fake_openai import good_answer, hang
from reliability_helpers import free_port, subprocess_env

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
TIMEOUT_MS = 90_000
PHONE = {"width": 390, "height": 844}
# Symbols that render as empty boxes where the reader's fonts lack them (check marks, warning signs...).
EMOJI = re.compile("[\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\ufe0f\U0001f000-\U0001faff]")
# Words (up to 20 characters: a long URL may break) whose letters the browser laid out on two lines.
MID_WORD_BREAKS_JS = """sel => {
  const broken = [];
  for (const td of document.querySelectorAll(sel + ' [data-testid^="cell-"]')) {
    const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        if (m[0].length > 20) continue;
        const r = document.createRange();
        r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
        const tops = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""
XSS_TXT = """Drone patrols over the Black Sea grain corridor <script>alert(1)</script>

By Zed Quillfeather

Zed Quillfeather is a fellow at the Institute for Maritime Drone Studies.

Unmanned drone patrols over the Black Sea grain corridor would keep shipping lanes open <img src=x onerror=alert(1)> \
without putting sailors at risk, and the grain corridor insurers (https://evil.example/insurers, \
www.evil.example) would accept drone escorts.

The corridor's drone patrols should be funded by the exporting states ${alert(1)} {{constructor}} so that \
no single navy carries the cost of the drone escorts.
"""
XSS_HTML = """<!doctype html><html><head><title>Lighthouse keepers and drone escorts</title></head><body>
<article><h1>Lighthouse keepers and drone escorts</h1>
<p>Lighthouse keepers along the grain corridor <img src=x onerror=alert(2)> report every drone escort by radio.</p>
<p>The keepers say the drone escorts <svg onload=alert(3)></svg> arrive on time and the grain ships follow them.</p>
<script>alert(4)</script></article></body></html>
"""


@pytest.fixture(scope="module")
def app_url(request, tmp_path_factory):
    return shared_app(request, tmp_path_factory)[0]


@pytest.fixture(scope="module")
def app_log(request, tmp_path_factory) -> Path:
    return shared_app(request, tmp_path_factory)[1].parent / "app.log"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app_url, request):
    viewport = getattr(request, "param", {"width": 1440, "height": 1000})
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(app_url)
    yield page
    context.close()


def ask(page, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    page.locator("#sources [data-testid='cell-0-3']").wait_for()


def open_first_citation(page) -> str:
    page.locator("#sources [data-testid='cell-0-3']").click()
    mark = page.locator("#passage mark")
    mark.wait_for()
    return mark.inner_text()


def test_ask_click_citation_shows_highlighted_passage(page):
    ask(page, "How do Ashford and Kroenig differ on a peace deal?")
    chat = page.locator("#chat")
    assert "References" in chat.inner_text()
    assert "extractive" in chat.inner_text()
    speaker = page.locator("#sources [data-testid='cell-0-1']").inner_text().strip()
    marked = open_first_citation(page)
    panel = page.locator("#passage").inner_text()
    assert marked.strip() and marked.strip() in panel
    assert speaker in panel
    assert "Foreign Policy" in panel and "Would a Peace Deal Between Russia and Ukraine" in panel
    # the passage sits inside its whole article, not alone
    assert len(panel) > 3 * len(marked)
    page.wait_for_timeout(600)  # the panel scrolls the highlight into view
    box, view = page.locator("#passage mark").bounding_box(), page.locator("#passage .pv-text").bounding_box()
    assert box["y"] < view["y"] + view["height"] and box["y"] + box["height"] > view["y"], "highlight not in view"
    with page.expect_download() as download:
        page.locator("#export").click()
    exported = Path(download.value.path()).read_text()
    assert "## Q1. How do Ashford and Kroenig differ" in exported and "## References" in exported
    assert not re.search(r"&#?\w+;", exported), "HTML entities in a Markdown file"
    assert page.dialogs == []


def test_chat_shows_the_start_of_the_new_answer_and_no_label_over_it(page):
    ask(page, "What does George Beebe argue about direct talks?")
    ask(page, "How do Ashford and Kroenig differ on a peace deal?")
    page.wait_for_timeout(800)
    box = page.locator("#chat .bubble-wrap").bounding_box()
    answer = page.locator("#chat .bot-row").last.bounding_box()
    assert answer["height"] > box["height"], "the answer is longer than the chat box"
    assert box["y"] - 2 <= answer["y"] < box["y"] + 60, (box, answer)  # its first line, not its references
    assert page.locator("#chat [data-testid='block-label']:visible").count() == 0
    assert not EMOJI.search(page.locator("#chat").inner_text())


def test_unanswerable_question_is_marked(page):
    page.locator("#question textarea").fill("What is the best recipe for sourdough bread?")
    page.locator("#ask").click()
    page.get_by_text("Not grounded").wait_for()
    assert not EMOJI.search(page.locator("#chat").inner_text())


def test_hostile_upload_never_executes(page, tmp_path):
    txt, html_file = tmp_path / "drone <script>.txt", tmp_path / "keepers.html"
    txt.write_text(XSS_TXT)
    html_file.write_text(XSS_HTML)
    page.get_by_role("tab", name="Library").click()
    page.locator("#upload input[type=file]").set_input_files([str(txt), str(html_file)])
    page.locator("#upload-run").click()
    status = page.locator("#upload-status")
    status.get_by_text("Index:").wait_for()
    assert status.inner_text().lower().count("added") >= 2, status.inner_text()
    assert not EMOJI.search(status.inner_text())
    library = page.locator("#library-table")
    library.get_by_text("Quillfeather").first.wait_for()
    assert "<script>" in library.inner_text()  # shown as text, not run

    page.get_by_role("tab", name="Chat").click()
    ask(page, "What does Zed Quillfeather say about drone patrols over the grain corridor?")
    open_first_citation(page)
    passage = page.locator("#passage")
    assert "onerror=alert(1)" in passage.inner_text()
    assert page.locator("#passage img, #passage script, #chat img[src='x']").count() == 0
    assert "https://evil.example/insurers" in page.locator("#chat").inner_text()  # the quote shows the URL...
    assert page.locator("a[href*='evil.example']").count() == 0  # ...as text: no link anywhere on the page
    ask(page, "What do lighthouse keepers report about drone escorts?")
    open_first_citation(page)
    page.wait_for_timeout(1000)
    assert page.locator("#passage svg, #passage img").count() == 0
    assert page.dialogs == []



def test_positions_evidence_and_debate_brief(page):
    page.get_by_role("tab", name="Positions").click()
    page.locator("#positions-question textarea").fill("Should the West negotiate with Putin now?")
    page.locator("#positions-run").click()
    evidence = page.locator("#positions-table [data-testid='cell-0-3']")
    evidence.wait_for()
    author = page.locator("#positions-table [data-testid='cell-0-0']").inner_text().strip()
    evidence.click()
    page.locator("#passage mark").wait_for()
    assert author in page.locator("#passage .pv-speaker").inner_text()

    page.get_by_role("tab", name="Debate prep").click()
    page.locator("#claim textarea").fill("Negotiating with Putin now would reward aggression.")
    page.locator("#counter-run").click()
    page.locator("#cards-table [data-testid='cell-0-3']").wait_for()
    with page.expect_download() as download:
        page.locator("#brief").click()
    brief = Path(download.value.path()).read_text()
    assert brief.startswith("# Debate brief") and "Side not determined" in brief  # offline: no side asserted
    assert not re.search(r"&#?\w+;", brief), "HTML entities in a Markdown file"
    assert page.dialogs == []


@pytest.mark.parametrize("page", [{"width": 1440, "height": 1000}, PHONE], indirect=True, ids=["desktop", "phone"])
def test_tables_use_proportional_type_and_keep_words_whole(page):
    ask(page, "How do Ashford and Kroenig differ on a peace deal?")
    assert_readable(page, "#sources")
    page.get_by_role("tab", name="Positions").click()
    page.locator("#positions-question textarea").fill("Would an early peace deal do more harm than good?")
    page.locator("#positions-run").click()
    page.locator("#positions-table [data-testid='cell-0-3']").wait_for()
    assert_readable(page, "#positions-table")
    if page.viewport_size["width"] < 600:
        return  # on a phone the last tabs sit in Gradio's overflow menu; the cards table is checked on the desktop
    page.get_by_role("tab", name="Debate prep").click()
    page.locator("#claim textarea").fill("An early peace deal would do more harm than good.")
    page.locator("#counter-run").click()
    page.locator("#cards-table [data-testid='cell-0-3']").wait_for()
    assert_readable(page, "#cards-table")
    shown = page.locator("#cards-table").bounding_box()["height"]
    assert shown > 600, f"the cards table shows only {shown}px"


def assert_readable(page, table: str) -> None:
    page.wait_for_timeout(300)
    assert page.evaluate(MID_WORD_BREAKS_JS, table) == [], table
    font = page.locator(f"{table} [data-testid='cell-0-3'] span").first.evaluate("e => getComputedStyle(e).fontFamily")
    assert "mono" not in font.lower(), font


def test_library_row_opens_editor_and_edit_is_saved(page):
    page.get_by_role("tab", name="Library").click()
    row = page.locator("#library-table [data-testid='cell-0-0']")
    row.wait_for()
    article_id = row.inner_text().strip()
    old_title = page.locator("#library-table [data-testid='cell-0-1']").inner_text().strip()
    row.click()
    title = page.locator("#edit-title textarea, #edit-title input").first
    page.wait_for_function("t => document.querySelector('#edit-article input').value.startsWith(t)", arg=old_title)
    assert article_id not in page.locator("#edit-article input").input_value()  # a title, not an id
    title.fill("A Retitled Article <b>bold</b>")
    page.locator("#edit-save").click()
    page.locator("#library-status").get_by_text("re-indexed").wait_for()
    assert "A Retitled Article <b>bold</b>" in page.locator("#library-table").inner_text()
    assert page.locator("#library-table b").count() == 0


def test_upload_then_delete_through_the_ui(page, tmp_path):
    article = tmp_path / "tugboats.md"
    article.write_text("# Tugboat crews in winter\n\nBy Wilma Hawser\n\n"
                       "Tugboat crews in the frozen harbour break the ice for the grain ships every morning.\n")
    page.get_by_role("tab", name="Library").click()
    page.locator("#upload input[type=file]").set_input_files([str(article)])
    page.locator("#upload-run").click()
    page.locator("#upload-status").get_by_text("Index:").wait_for()
    library = page.locator("#library-table")
    library.get_by_text("Tugboat crews in winter").first.wait_for()
    library.get_by_text("Tugboat crews in winter").first.click()
    page.wait_for_function("() => document.querySelector('#edit-title textarea, #edit-title input')"
                           ".value.includes('Tugboat')")
    page.locator("#delete-confirm input").check()
    page.locator("#delete").click()
    page.locator("#library-status").get_by_text(".trash").wait_for()
    page.wait_for_function("() => !document.querySelector('#library-table').innerText.includes('Tugboat')")
    for field in ("#edit-title", "#edit-authors", "#edit-outlet", "#edit-date"):
        assert page.locator(f"{field} textarea, {field} input").first.input_value() == "", field
    assert page.dialogs == []


def test_delete_without_the_tick_warns_and_leaves_the_library_intact(page, app_log):
    page.get_by_role("tab", name="Library").click()
    row = page.locator("#library-table [data-testid='cell-0-1']")
    row.wait_for()
    title = row.inner_text().strip()
    row.click()
    page.wait_for_function("t => document.querySelector('#edit-article input').value.startsWith(t)", arg=title)
    logged = len(app_log.read_text())
    page.locator("#delete").click()
    page.locator("#library-status").get_by_text("Tick 'yes, delete it' to confirm").wait_for()
    page.wait_for_timeout(500)
    for component in ("#library-table", "#edit-article", "#delete-confirm", "#edit-title"):
        assert "Error" not in page.locator(component).inner_text(), component
    assert title in page.locator("#library-table").inner_text()
    assert page.locator("#edit-article input").input_value().startswith(title)
    assert "Traceback" not in app_log.read_text()[logged:]


def test_summary_pickers_follow_the_scope_and_show_titles(page):
    page.get_by_role("tab", name="Summaries").click()
    scope = page.locator("#summary-scope")
    article, author = page.locator("#summary-article"), page.locator("#summary-author")
    scope.get_by_text("Whole corpus").wait_for()
    assert not article.is_visible() and not author.is_visible()
    scope.get_by_text("Article", exact=True).click()
    article.wait_for(state="visible")
    assert not author.is_visible()
    article.locator("input").click()
    option = page.get_by_role("option").first
    label = option.inner_text().strip()
    option.click()
    assert ":" not in label and not re.fullmatch(r"[\w-]+", label), label  # a title and author, not an id
    page.locator("#summary-run").click()
    page.locator("#summary").get_by_text("scope:").wait_for()
    assert "article:" not in page.locator("#summary").inner_text()
    assert label.split(",")[0] in page.locator("#summary").inner_text()
    scope.get_by_text("Author", exact=True).click()
    author.wait_for(state="visible")
    assert not article.is_visible()
    scope.get_by_text("Article", exact=True).click()
    article.wait_for(state="visible")
    assert article.locator("input").input_value() == ""  # no stale article left selected


def test_sources_are_on_screen_while_the_model_is_still_writing(browser, fresh_data, fake_llm, tmp_path):
    # The scripted model writes one supported sentence and the start of another, then stalls:
    # sources and passage must already be shown, and the checked sentence with them.
    port = free_port()
    env = subprocess_env(fresh_data, CORPUS, ASSISTANT_PORT=str(port), OPENAI_API_KEY="sk-test",
                         OPENAI_BASE_URL=fake_llm.url, ASSISTANT_LLM_MODEL="fake-model", ASSISTANT_LLM_TIMEOUT="20",
                         ASSISTANT_LLM_RETRIES="0", GRADIO_ANALYTICS_ENABLED="False")
    with app_process(env, tmp_path / "app.log", port) as (url, _process):
        fake_llm.push(hang(15, lambda body: good_answer(body).split("]. ")[0] + "]. Then he"))
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        page.locator("#question textarea").fill("What does Matthew Kroenig think an early peace deal would lead to?")
        page.locator("#ask").click()
        page.locator("#sources [data-testid='cell-0-3']").wait_for(timeout=10_000)
        page.locator("#chat").get_by_text("writes that").wait_for(timeout=10_000)  # the model is writing...
        assert "References" not in page.locator("#chat").inner_text()  # ...and not done: the sources came first
        assert page.locator("#sources [data-testid='cell-2-3']").count() == 1  # every retrieved passage listed
        assert "Kroenig" in page.locator("#passage").inner_text()  # the first source opened beside the chat
        page.get_by_text("Language model failed").wait_for(timeout=60_000)  # the stall ends in the fallback
        page.close()

"""The built site in a real browser: Debian's headless Chromium driven by Playwright.

Screenshots go to test-artifacts/site/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "site"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium (absent)"),
]


@pytest.fixture(scope="module")
def origin(built_site: Path) -> Iterator[str]:
    from mlprep.site._serve import make_server

    server = make_server(built_site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, origin: str):
    """A desktop-sized page that fails the test if anything is requested from another origin."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    foreign: list[str] = []
    p.on(
        "request",
        lambda r: None if r.url.startswith((origin, "data:", "about:")) else foreign.append(r.url),
    )
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    context.close()
    assert foreign == [], f"requests to elsewhere: {foreign}"
    assert errors == [], f"JavaScript errors: {errors}"


def shot(p, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    p.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_home_language_switch_question_answer_and_choice(page, origin: str) -> None:
    page.goto(f"{origin}/en/index.html")
    assert page.locator("h1").count() == 1
    shot(page, "home-en-desktop")

    page.get_by_role("navigation", name="Language").get_by_role("link", name="简体中文").click()
    page.wait_for_url(re.compile(r"/zh-Hans/index\.html$"))
    assert "归一化" in page.locator("h1").inner_text()

    page.goto(f"{origin}/en/questions/bn-running-momentum.html")
    page.get_by_role("navigation", name="Language").get_by_role(
        "link", name="繁體中文（台灣）"
    ).click()
    page.wait_for_url(re.compile(r"/zh-Hant/questions/bn-running-momentum\.html$"))  # same page
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    page.go_back()

    answer = page.locator("details.answer")
    assert not answer.evaluate("d => d.open")
    assert not page.get_by_text("The new observation gets weight").is_visible()
    answer.locator("summary").click()
    assert page.get_by_text("The new observation gets weight").is_visible()

    form = page.locator("form.selftest")
    feedback = form.locator(".feedback")
    form.get_by_label("The old running mean").check()
    form.get_by_role("button", name="Check").click()
    assert "Not quite" in feedback.inner_text()
    form.get_by_label("The new batch mean").check()
    form.get_by_role("button", name="Check").click()
    assert feedback.inner_text() == "Correct."
    shot(page, "question-en-desktop")


def test_numeric_and_spot_self_tests(page, origin: str) -> None:
    page.goto(f"{origin}/en/questions/bn-param-count.html")
    form = page.locator("form.selftest")
    form.get_by_role("button", name="Check").click()
    assert form.locator(".feedback").inner_text() == "Enter a number first."
    form.get_by_label("Your answer").fill("127")
    form.get_by_role("button", name="Check").click()
    assert "Not quite" in form.locator(".feedback").inner_text()
    form.get_by_label("Your answer").fill("128")
    form.get_by_label("Your answer").press("Enter")  # the keyboard path submits too
    assert form.locator(".feedback").inner_text() == "Correct."

    page.goto(f"{origin}/zh-Hans/questions/bn-spot-eval.html")
    form = page.locator("form.selftest")
    form.get_by_label("推理模式用当前批次的统计量归一化").check()
    form.get_by_role("button", name="检查").click()
    assert form.locator(".feedback").inner_text() == "正确。"


@pytest.mark.parametrize(
    "locale,term,expected",
    [
        ("zh-Hans", "滑动平均", "bn-running-momentum"),
        ("zh-Hant", "移動平均", "bn-running-momentum"),
        ("en", "momentum", "bn-running-momentum"),
        ("en", "biased variance", "bn-normalize-step"),
    ],
)
def test_search_finds_terms_in_each_locale(page, origin: str, locale, term, expected) -> None:
    page.goto(f"{origin}/{locale}/index.html")
    header_search = page.get_by_role("search")
    header_search.get_by_role("searchbox").fill(term)
    header_search.get_by_role("button").click()
    page.wait_for_url(re.compile(rf"/{locale}/search\.html\?q="))
    results = page.locator("#search-results li a")
    results.first.wait_for(timeout=10_000)
    hrefs = [a.get_attribute("href") for a in results.all()]
    assert any(f"/{locale}/questions/{expected}.html" in h for h in hrefs), hrefs
    assert all(f"/{locale}/" in h for h in hrefs), hrefs  # each locale searches its own index
    if locale == "zh-Hans":
        shot(page, "search-zh-Hans-desktop")
    results.first.click()
    page.wait_for_load_state()
    assert f"/{locale}/" in page.url


def test_exercise_link_starter_and_command(page, origin: str) -> None:
    page.goto(f"{origin}/en/questions/bn-forward-exercise.html")
    page.get_by_role("link", name=re.compile("Open the exercise")).click()
    page.wait_for_url(re.compile(r"/en/exercises/bn-forward-numpy\.html$"))
    assert page.locator("pre.command").inner_text() == "mlprep grade bn-forward-numpy starter.py"
    href = page.get_by_role("link", name=re.compile("Download the starter")).get_attribute("href")
    body = page.request.get(f"{origin}/en/exercises/{href}").text()
    assert "def batchnorm_forward" in body
    shot(page, "exercise-en-desktop")


def test_phone_width_dark_theme_and_keyboard_focus(browser, origin: str) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, color_scheme="dark"
    )
    p = context.new_page()
    p.goto(f"{origin}/zh-Hans/questions/bn-normalize-step.html")
    p.locator("details.answer summary").click()
    # nothing wider than the phone: long formulas scroll inside their own box
    assert p.evaluate("document.documentElement.scrollWidth") <= 390
    bg = p.evaluate("getComputedStyle(document.body).backgroundColor")
    assert _luminance(bg) < 0.05, bg  # dark theme applied from prefers-color-scheme
    shot(p, "question-zh-Hans-phone-dark")

    p.reload()  # start keyboard navigation from the top of a fresh page
    p.keyboard.press("Tab")
    focused = p.evaluate("document.activeElement.className")
    assert focused == "skip"
    outline = p.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    assert p.evaluate("document.activeElement.getBoundingClientRect().left") >= 0  # visible
    p.keyboard.press("Enter")
    assert p.evaluate("document.activeElement.id") == "main"
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_meets_wcag_aa(browser, origin: str, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)
    p = context.new_page()
    p.goto(f"{origin}/zh-Hans/questions/ln-draft-stale.html")  # stale and draft: banner, badges
    p.locator("details").first.evaluate("d => d.open = true")
    pairs = p.evaluate(
        """() => [...document.querySelectorAll('h1, p, a, li, .meta, .badge, summary, button, .note')]
          .filter(e => e.offsetParent !== null && e.textContent.trim())
          .map(e => {
            let bg = 'rgba(0, 0, 0, 0)', n = e;
            while (n && /rgba\\(.*, 0\\)$/.test(bg)) { bg = getComputedStyle(n).backgroundColor; n = n.parentElement; }
            return [e.tagName + '.' + e.className, getComputedStyle(e).color, bg];
          })"""
    )
    assert len(pairs) > 10
    for name, fg, bg in pairs:
        ratio = _contrast(fg, bg)
        assert ratio >= 4.5, f"{scheme}: {name} {fg} on {bg}: {ratio:.2f}"
    context.close()


def test_works_from_file_url_except_search(browser, built_site: Path) -> None:
    context = browser.new_context()
    p = context.new_page()
    p.goto((built_site / "en/questions/bn-running-momentum.html").as_uri())
    p.get_by_label("The new batch mean").check()
    p.get_by_role("button", name="Check").click()
    assert p.locator(".feedback").inner_text() == "Correct."
    p.get_by_role("link", name="English").first.click()
    p.goto((built_site / "en/search.html").as_uri() + "?q=momentum")
    p.wait_for_function("document.getElementById('search-status').textContent.length > 0")
    assert "Serve the folder over HTTP" in p.locator("#search-status").inner_text()
    context.close()


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(v) for v in re.findall(r"[\d.]+", css)[:3])


def _luminance(css: str) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(css))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(fg: str, bg: str) -> float:
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)

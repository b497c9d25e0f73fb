"""The HTML report as a browser lays it out: headless Chromium opens the report of a real
failing run and of a conformant one, and checks that the failures come first, that the page
stays bounded, that no table heading breaks, that it prints on A4 and that its policy still
refuses scripts.

Chromium is Debian's (`/usr/bin/chromium`), driven by Playwright; without either the tests
skip, saying so. Nothing is fetched: the page is a local file with no external resource.
"""

import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from e2e.harness import CliResult, provider_config_file, run_cli
from gpc_assure.provider import Fault, ProviderSettings, ReferenceProvider

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install -e '.[dev]')"
)
pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (pip install -e '.[dev]')")

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None
)
# No sandbox (CI runs as root), no GPU, and nothing of Chromium's own that reaches a network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WIDTH, HEIGHT = 1280, 800
A4_POINTS = (595, 842)
A4_TEXT_WIDTH = 703
"""CSS pixels across an A4 page inside the stylesheet's 12 mm side margins (186 mm)."""
MAX_HEIGHT_PER_CARD = 700
"""Page height (px, 1280 wide) per scenario card: about 540 with compact evidence; 790 when
every card showed its whole evidence."""
MAX_OPEN_CARD_HEIGHT = 1600
"""A failed card with its evidence open: at most about 1,450 px compact; 3,500 to 4,300 whole."""
MAX_PAGES_PER_CARD = 0.75
"""A4 pages per scenario card in print: about 0.5 (69 pages for the failing run's 134 cards,
65 for the conformant run's)."""

# A fault in the unknown-id answer (GPC-DOC-NF-001) and a missing ETag (GPC-DOC-HTTP-002):
# two MUST requirements fail, in scenarios far apart in the page.
FAULTS = frozenset({Fault.UNKNOWN_ID_WRONG_SPINE_CODE, Fault.NO_ETAG})


@pytest.fixture(scope="module")
def browser() -> Iterator["Browser"]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> CliResult:
    work = tmp_path_factory.mktemp("failing")
    with ReferenceProvider(ProviderSettings(faults=FAULTS)) as provider:
        config = provider_config_file(provider, work / "provider.toml")
        result = run_cli("run", "--config", str(config), cwd=work)
    assert result.code == 1, result.stderr
    return result


@pytest.fixture(scope="module")
def conformant(tmp_path_factory: pytest.TempPathFactory) -> CliResult:
    result = run_cli("run", cwd=tmp_path_factory.mktemp("conformant"))
    assert result.code == 0, result.stderr
    return result


def html_of(result: CliResult) -> Path:
    return result.report_dir / "assurance-report.html"


def open_page(browser: "Browser", path: Path) -> "Page":
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    page.goto(path.resolve().as_uri())
    return page


def page_height(page: "Page") -> int:
    height: int = page.evaluate("document.documentElement.scrollHeight")
    return height


def cards(page: "Page") -> int:
    count: int = page.evaluate("document.querySelectorAll('article.scenario').length")
    return count


def test_the_first_failure_is_in_the_first_viewport_and_links_to_its_card(
    browser: "Browser", failing: CliResult
) -> None:
    page = open_page(browser, html_of(failing))
    first = page.evaluate(
        """(() => {
        const item = document.querySelector('#failed-requirements > li');
        const link = item.querySelector('a[href^="#scenario-"]');
        const box = link.getBoundingClientRect();
        return {
            text: item.innerText,
            inVerdict: item.closest('#verdict') !== null,
            top: item.getBoundingClientRect().top,
            linkBottom: box.bottom,
            target: link.getAttribute('href'),
            scrollY: window.scrollY,
        };
    })()"""
    )
    assert first["scrollY"] == 0
    assert first["inVerdict"]
    assert first["text"].startswith(("GPC-DOC-NF-001", "GPC-DOC-HTTP-002"))
    assert 0 <= first["top"] < first["linkBottom"] <= HEIGHT
    card = page.locator(f"article{first['target']}")
    assert card.count() == 1
    assert "card-bad" in (card.get_attribute("class") or "")
    box = card.bounding_box()
    assert box is not None
    assert box["y"] > 10 * HEIGHT
    page.locator(f"#failed-requirements a[href='{first['target']}']").first.click()
    assert page.evaluate("window.scrollY") > 0
    top = page.evaluate(f"document.querySelector('{first['target']}').getBoundingClientRect().top")
    assert abs(top) <= 2
    page.close()


def test_a_failing_page_and_its_cards_stay_bounded(browser: "Browser", failing: CliResult) -> None:
    page = open_page(browser, html_of(failing))
    height, count = page_height(page), cards(page)
    assert count > 100
    assert height <= MAX_HEIGHT_PER_CARD * count, f"{height} px for {count} cards"
    open_cards = page.evaluate(
        """[...document.querySelectorAll('article.card-bad, article.card-warn')]
        .map(card => card.getBoundingClientRect().height)"""
    )
    assert open_cards
    assert max(open_cards) <= MAX_OPEN_CARD_HEIGHT
    page.close()


def test_a_conformant_page_says_so_at_the_top_and_stays_bounded(
    browser: "Browser", conformant: CliResult
) -> None:
    page = open_page(browser, html_of(conformant))
    verdict = page.locator("#verdict")
    assert "Nothing failed, nothing warned" in verdict.inner_text()
    assert page.locator("#failed-requirements").count() == 0
    box = verdict.bounding_box()
    assert box is not None
    assert box["height"] < HEIGHT
    assert page_height(page) <= MAX_HEIGHT_PER_CARD * cards(page)
    page.close()


@pytest.mark.parametrize("which", ["failing", "conformant"])
@pytest.mark.parametrize(("media", "width"), [("screen", WIDTH), ("print", A4_TEXT_WIDTH)])
def test_no_table_heading_breaks_and_no_value_widens_the_page(
    browser: "Browser", which: str, media: str, width: int, request: pytest.FixtureRequest
) -> None:
    page = browser.new_page(viewport={"width": width, "height": HEIGHT})
    page.emulate_media(media="print" if media == "print" else "screen")
    page.goto(html_of(request.getfixturevalue(which)).resolve().as_uri())
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    broken = page.evaluate(
        """[...document.querySelectorAll('th')].filter(th => {
            const text = document.createRange();
            text.selectNodeContents(th);
            const lineHeight = parseFloat(getComputedStyle(th).lineHeight);
            return text.getBoundingClientRect().height > 1.5 * lineHeight
                || th.scrollWidth > th.clientWidth + 1;
        }).map(th => th.innerText)"""
    )
    assert page.evaluate("document.querySelectorAll('th').length") > 100
    assert broken == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.close()


@pytest.mark.parametrize("which", ["failing", "conformant"])
def test_it_prints_on_a4_pages(
    browser: "Browser", which: str, request: pytest.FixtureRequest
) -> None:
    page = open_page(browser, html_of(request.getfixturevalue(which)))
    count = cards(page)
    # Letter unless the page's own @page rule says otherwise.
    pdf = pypdf.PdfReader(io.BytesIO(page.pdf(format="Letter", prefer_css_page_size=True)))
    sizes = {(round(p.mediabox.width), round(p.mediabox.height)) for p in pdf.pages}
    assert len(sizes) == 1
    (width, height), (a4_width, a4_height) = sizes.pop(), A4_POINTS
    assert abs(width - a4_width) <= 1
    assert abs(height - a4_height) <= 1
    assert len(pdf.pages) <= MAX_PAGES_PER_CARD * count, f"{len(pdf.pages)} pages"
    page.close()


def test_the_policy_still_refuses_a_planted_script(
    browser: "Browser", failing: CliResult, tmp_path: Path
) -> None:
    planted = tmp_path / "planted.html"
    html = html_of(failing).read_text(encoding="utf-8")
    planted.write_text(
        html.replace("<body>", "<body><script>document.title = 'ran';</script>", 1),
        encoding="utf-8",
    )
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(planted.resolve().as_uri())
    assert page.title() != "ran"
    assert any("Content Security Policy" in m for m in messages)
    page.close()

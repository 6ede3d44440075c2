"""The built book as a reader sees it: every page opened in headless Chromium, on a phone and a desktop.

Every page the build produced (found in the built book, so a new page is covered
without editing this file) is opened at 390 x 844 px (a phone) and 1,400 x 900 px
(a desktop), each with the browser asking for a light and for a dark colour scheme.
Pages are served from 127.0.0.1 and Chromium's resolver is told to resolve no other
host; every request the page makes is recorded.

In each of the four views a page passes when, measured in the page itself by
``reader_checks.js``: nothing is drawn past the window's edges and the page does
not scroll sideways; no table is wider than the column unless it scrolls inside a
container that says it scrolls and keeps its first (key) column in view; in claims
tables no cell's text leaves its cell or meets another cell's text; no status label is
off-screen; nothing is drawn over a chart. And axe-core (the copy bundled by the pinned
``axe-playwright-python``, so the check runs offline) finds no serious or critical
violation of the WCAG 2.2 A/AA and best-practice rules. Each check is shown to fail on
a page broken on purpose.

In the desktop light view each page also renders (a screenshot is kept under the
build folder, with a phone one), shows no traceback or cell error, raises no
JavaScript error, carries alt text on every chart and requests nothing outside the
machine.

Playwright drives the system's Chromium (Debian's ``chromium``, which the project's
CI installs); the tests skip when it is absent unless ``KF_REQUIRE_BROWSER=1``,
which CI sets so they cannot be skipped there by accident.
"""

from __future__ import annotations

import base64
import functools
import html
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.browser]
LOCAL = ("http://127.0.0.1:", "data:", "blob:", "about:")
READER_CHECKS = (Path(__file__).parent / "reader_checks.js").read_text(encoding="utf-8")
RST_MARKUP = re.compile(r"``|:(?:func|class|meth|mod|attr|exc|obj|data):`")
#: The views every page is read in: (name, width, height, colour scheme the browser asks for).
VIEWS = [
    ("phone-light", 390, 844, "light"),
    ("phone-dark", 390, 844, "dark"),
    ("desktop-light", 1400, 900, "light"),
    ("desktop-dark", 1400, 900, "dark"),
]
#: The axe-core rule sets a policy reader's trial used: WCAG 2.0-2.2 levels A and AA, and best practice.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
#: Chromium's resolver finds no host but this machine, so nothing outside can be fetched by accident.
ONLY_THIS_MACHINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
SHOTS = Path(__file__).resolve().parents[1] / "book" / "_build" / "screenshots"
LOOKS = """() => {
  let h = 2166136261;
  const add = (text) => {
    for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 16777619); }
  };
  // Icon titles get random ids, and the theme sizes an (empty) banner when its script gets to it.
  add(document.documentElement.outerHTML
    .replace(/svg-inline--fa-title-[A-Za-z0-9]+/g, "")
    .replace(/(pst-async-banner-revealer") style="[^"]*"/g, "$1"));
  for (const e of document.querySelectorAll("*")) {
    const s = getComputedStyle(e), r = e.getBoundingClientRect();
    add([e.tagName, r.x, r.y, r.width, r.height, s.color, s.backgroundColor, s.backgroundImage,
         s.opacity, s.filter, s.mixBlendMode, s.textShadow, s.fontSize, s.fontWeight, s.visibility,
         s.display].join("|"));
  }
  return (h >>> 0).toString(16);
}"""


def _axe_script() -> str:
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


# ---------------------------------------------------------------- serving and driving the browser


def _serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(built_book: Path) -> Iterator[str]:
    """Serve the built book on 127.0.0.1 for the duration of the module."""
    httpd, url = _serve(built_book)
    try:
        yield url
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """The system's Chromium, driven by Playwright, able to reach this machine only."""
    if CHROMIUM is None:
        if os.environ.get("KF_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed but KF_REQUIRE_BROWSER=1: install Debian's chromium")
        pytest.skip("chromium is not installed (Debian package 'chromium')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", ONLY_THIS_MACHINE],
        )
        try:
            yield chromium
        finally:
            chromium.close()


class Reader:
    """One browser tab in one view, that opens pages and reports what it finds on them."""

    def __init__(self, browser: Any, width: int, height: int, scheme: str) -> None:
        self.context = browser.new_context(
            viewport={"width": width, "height": height}, color_scheme=scheme, reduced_motion="reduce"
        )
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, url: str) -> None:
        """Load a page and wait until its own scripts have settled (collapsed cells, theme)."""
        self.requests.clear()
        self.errors.clear()
        self.page.goto(url, wait_until="load")
        self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")

    def view(self) -> dict[str, Any]:
        """What the reader checks measure on the open page."""
        return self.page.evaluate(READER_CHECKS)  # type: ignore[no-any-return]

    def looks(self) -> str:
        """A fingerprint of what the open page draws: its markup, and each element's box, colours and type.

        Two views of a page with the same fingerprint draw the same text in the same colours on
        the same backgrounds, so axe-core finds the same in both.
        """
        return self.page.evaluate(LOOKS)  # type: ignore[no-any-return]

    def axe(self) -> list[str]:
        """Serious and critical axe-core violations on the open page, one line each."""
        if not self.page.evaluate("() => typeof axe !== 'undefined'"):
            self.page.evaluate(_axe_script())
        found = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        return [
            f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
            for v in found["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    def outside(self) -> list[str]:
        """Requests the open page made to anything but this machine."""
        return sorted({url for url in self.requests if not url.startswith(LOCAL)})

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def reader_for(browser: Any) -> Iterator[Any]:
    opened: list[Reader] = []

    def make(width: int, height: int, scheme: str) -> Reader:
        opened.append(Reader(browser, width, height, scheme))
        return opened[-1]

    yield make
    for reader in opened:
        reader.close()


def reader_problems(view: dict[str, Any]) -> list[str]:
    """What a reader would stumble on, from one page's measurements."""
    problems = [
        f"a table {t['width']} px wide in a {t['column']} px column, not in a scroll container "
        f"(starts {t['starts']!r})"
        for t in view["overwide"]
    ]
    if view["width"] > view["window"]:
        problems.append(f"the page scrolls sideways ({view['width']} px in a {view['window']} px window)")
    problems += [f"drawn past the window's edge: {w}" for w in view["wider"]]
    problems += [f"claims table: {o}" for o in view["overlaps"]]
    problems += [f"status {s!r} is off-screen" for s in view["statusOff"]]
    problems += [f"{e} is drawn over a chart" for e in view["chartOverlaps"]]
    if view["scrollHints"] < view["scrollers"]:
        silent = view["scrollers"] - view["scrollHints"]
        problems.append(f"{silent} table(s) scroll sideways without saying so")
    problems += [
        f"the key column {c} leaves the view when its table is scrolled" for c in view["keyColumnOff"]
    ]
    return problems


def _pages(built_book: Path) -> list[str]:
    """Every page a reader can reach in the built book (Sphinx's index and search pages aside)."""
    skip = {"genindex.html", "search.html", "py-modindex.html"}
    return sorted(
        p.name
        for p in built_book.glob("*.html")
        if p.name not in skip and 'http-equiv="Refresh"' not in p.read_text(encoding="utf-8")[:500]
    )


# ---------------------------------------------------------------- the book


def read_in_both_schemes(light: Reader, dark: Reader, url: str) -> dict[str, list[str]]:
    """Open a page in a light and a dark view of one width; what a reader would stumble on in each.

    axe-core is run in the light view, and again in the dark one unless the page draws exactly
    the same there (the same fingerprint): then the light view's result is the dark one's.
    """
    light.open(url)
    light_layout = reader_problems(light.view())
    light_looks = light.looks()
    light_axe = light.axe()
    dark.open(url)
    dark_layout = reader_problems(dark.view())
    dark_axe = light_axe if dark.looks() == light_looks else dark.axe()
    return {"light": light_layout + light_axe, "dark": dark_layout + dark_axe}


def render_problems(reader: Reader, shot: Path) -> list[str]:
    """Whether the open page rendered whole, offline, without errors, and with its charts described."""
    reader.page.screenshot(path=str(shot))
    dom = reader.page.content()
    problems = []
    if not shot.is_file() or shot.stat().st_size < 5000:
        problems.append("no screenshot, or a blank one")
    if "<main" not in dom:
        problems.append("the page did not render its main content")
    for marker in ("Traceback (most recent call last)", "CellExecutionError", "Error in cell"):
        if marker in dom:
            problems.append(f"shows {marker!r}")
    for tag in re.findall(r"<img\b[^>]*>", dom):
        if 'alt="' not in tag or 'alt=""' in tag:
            problems.append(f"image without alt text: {tag[:80]}")
        data = re.search(r'src="data:image/png;base64,([^"]+)"', tag)
        if data and not base64.b64decode(data.group(1)).startswith(b"\x89PNG"):
            problems.append("a chart image is not a valid PNG")
    problems += [f"requested outside the machine: {url}" for url in reader.outside()[:3]]
    problems += [f"JavaScript error: {error[:120]}" for error in reader.errors]
    return problems


@pytest.mark.book
@pytest.mark.parametrize("half", [0, 1], ids=["first-half", "second-half"])
@pytest.mark.parametrize(("width", "height"), [(390, 844), (1400, 900)], ids=["phone", "desktop"])
def test_every_page_reads_in_light_and_dark_at_this_width(
    reader_for: Any, server: str, built_book: Path, width: int, height: int, half: int
) -> None:
    # Screenshots are kept in the project's build folder (git-ignored) whatever folder the book was
    # built in, so CI can keep them as artifacts and a reader of a failure can look at the page.
    SHOTS.mkdir(parents=True, exist_ok=True)
    light, dark = reader_for(width, height, "light"), reader_for(width, height, "dark")
    pages = _pages(built_book)
    assert len(pages) >= 10, f"only {pages} found in the built book"
    failures: dict[str, list[str]] = {}
    # Every other page, so the two halves (run side by side on two cores) cover every page once.
    for page in pages[half::2]:
        found = read_in_both_schemes(light, dark, f"{server}/{page}")
        suffix = "" if width >= 1000 else "-phone"
        dark_errors = [f"JavaScript error in the dark view: {e[:120]}" for e in dark.errors]
        problems = [
            *(f"light: {p}" for p in found["light"]),
            *(f"dark: {p}" for p in found["dark"]),
            *render_problems(light, SHOTS / page.replace(".html", f"{suffix}.png")),
            *dark_errors,
        ]
        if problems:
            failures[page] = problems
    assert not failures, failures


@pytest.mark.book
def test_chapters_with_charts_show_them(reader_for: Any, server: str) -> None:
    reader = reader_for(1400, 900, "light")
    for page in ("fig4_social_care.html", "fig7_vacancies.html", "index.html"):
        reader.open(f"{server}/{page}")
        chart = re.search(r'<img\b[^>]*src="data:image/png;base64,', reader.page.content())
        assert chart, f"{page} shows no chart"


@pytest.mark.book
@pytest.mark.parametrize("width", [390, 1400])
def test_the_ledger_shows_every_status_at_a_glance(reader_for: Any, server: str, width: int) -> None:
    import polars as pl

    rows = pl.read_csv(Path(__file__).resolve().parents[1] / "data" / "processed" / "ledger.csv").height
    reader = reader_for(width, 900, "light")
    reader.open(f"{server}/ledger.html")
    view = reader.view()
    assert view["statusCount"] >= rows, "every claim has a visible status label"
    assert view["statusOff"] == []
    assert view["width"] <= view["window"]
    assert view["overlaps"] == []
    assert reader.page.content().count("<tr data-status=") == rows
    # The bar's parts are as wide as their shares of the claims, and its legend shows every count whole.
    parts = reader.page.eval_on_selector_all(
        ".kf-statusbar > span", "spans => spans.map(s => s.getBoundingClientRect().width)"
    )
    bar = reader.page.eval_on_selector(".kf-statusbar", "b => b.getBoundingClientRect().width")
    legend = reader.page.eval_on_selector_all(
        ".kf-statuslegend li", "items => items.map(i => [i.innerText, i.scrollWidth <= i.clientWidth + 1])"
    )
    counts = [int(text.split()[0]) for text, _ in legend]
    assert sum(counts) == rows
    assert all(whole for _, whole in legend), legend
    for width_px, count in zip(parts, counts, strict=True):
        assert width_px == pytest.approx(bar * count / rows, abs=1.5)


@pytest.mark.book
def test_the_api_page_shows_no_raw_markup(reader_for: Any, server: str) -> None:
    reader = reader_for(1400, 900, "light")
    reader.open(f"{server}/api.html")
    dom = reader.page.content()
    main = re.search(r"<main\b.*?</main>", dom, re.S)
    assert main, "the API page has no main content"
    text = html.unescape(re.sub(r"<[^>]+>", " ", main.group(0)))
    assert not RST_MARKUP.findall(text), RST_MARKUP.findall(text)[:5]
    assert 'class="sig' in main.group(0), "no signatures rendered"
    assert "to_real_terms" in text and "Parameters" in text


# ---------------------------------------------------------------- each check fails on a broken page

BROKEN_PAGE = (
    "<!doctype html><html lang='en'><head><title>A page broken on purpose</title><style>"
    ".kf-scroll{{overflow-x:auto}} article{{max-width:700px;margin:auto}} {style}</style></head>"
    "<body><main><article class='bd-article'><h1>Broken on purpose</h1>{body}</article></main>{script}"
    "</body></html>"
)
HINT_SCRIPT = (
    "<script>document.querySelectorAll('.kf-scroll').forEach(s => "
    "s.classList.toggle('kf-overflowing', s.scrollWidth > s.clientWidth + 1))</script>"
)
CLAIMS = (
    "<table class='kf-claims' style='table-layout:fixed;width:300px;font-size:16px'><tbody>"
    "<tr data-status='differs'>"
    "<td style='width:200px'>Nurses</td><td style='width:40px;white-space:nowrap'>876,169</td>"
    "<td style='width:40px;white-space:nowrap'>920,054</td></tr></tbody></table>"
)


def _broken(tmp_path: Path, name: str, body: str, style: str = "", script: str = HINT_SCRIPT) -> str:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / name).write_text(BROKEN_PAGE.format(style=style, body=body, script=script), encoding="utf-8")
    return name


@pytest.fixture
def broken_site(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    (tmp_path / "site").mkdir()
    httpd, url = _serve(tmp_path / "site")
    try:
        yield tmp_path, url
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_layout_check_fails_on_an_over_wide_table_and_passes_it_in_a_scroll_container(
    reader_for: Any, broken_site: tuple[Path, str]
) -> None:
    tmp_path, url = broken_site
    cells = "".join(f"<td>column_{i}_with_a_long_value</td>" for i in range(30))
    table = f"<table><tr>{cells}</tr></table>"
    sticky = ".kf-scroll td:first-child{position:sticky;left:0;background:#fff}"
    boxed = f'<div class="kf-scroll" tabindex="0">{table}</div>'
    wide = _broken(tmp_path, "wide.html", table, style=sticky)
    scroll = _broken(tmp_path, "scroll.html", boxed, style=sticky)
    silent = _broken(tmp_path, "silent.html", boxed, style=sticky, script="")
    loose = _broken(tmp_path, "loose.html", boxed)
    reader = reader_for(1400, 900, "light")
    found = {}
    for page in (wide, scroll, silent, loose):
        reader.open(f"{url}/{page}")
        found[page] = reader_problems(reader.view())
    assert any("not in a scroll container" in p for p in found[wide]), found[wide]
    assert any("scrolls sideways" in p for p in found[wide]), found[wide]
    assert found[scroll] == []
    assert found[silent] == ["1 table(s) scroll sideways without saying so"]
    assert found[loose] == [
        'the key column td "column_0_with_a_long_value" leaves the view when its table is scrolled'
    ]


def test_the_layout_check_fails_on_an_unbroken_hash_wider_than_a_phone(
    reader_for: Any, broken_site: tuple[Path, str]
) -> None:
    tmp_path, url = broken_site
    digest = "0123456789abcdef" * 4
    narrow = _broken(tmp_path, "hash.html", f"<p>SHA-256 <code>{digest}</code></p>")
    wrapped = _broken(
        tmp_path, "wrapped.html", f"<p>SHA-256 <code style='overflow-wrap:anywhere'>{digest}</code></p>"
    )
    reader = reader_for(390, 844, "light")
    reader.open(f"{url}/{narrow}")
    problems = reader_problems(reader.view())
    assert any("drawn past the window's edge: code" in p for p in problems), problems
    reader.open(f"{url}/{wrapped}")
    assert reader_problems(reader.view()) == []


def test_the_layout_check_fails_when_numbers_in_a_claims_table_overlap(
    reader_for: Any, broken_site: tuple[Path, str]
) -> None:
    tmp_path, url = broken_site
    crowded = _broken(tmp_path, "crowded.html", CLAIMS)
    roomy = _broken(tmp_path, "roomy.html", CLAIMS.replace("width:40px;white-space:nowrap", "width:100px"))
    reader = reader_for(1400, 900, "light")
    reader.open(f"{url}/{crowded}")
    problems = reader_problems(reader.view())
    assert any("876,169" in p and "drawn over" in p and "920,054" in p for p in problems), problems
    assert any("876,169" in p and "runs out of its cell" in p for p in problems), problems
    reader.open(f"{url}/{roomy}")
    assert reader_problems(reader.view()) == []


def test_axe_fails_on_unreadable_text_and_an_unnamed_button(
    reader_for: Any, broken_site: tuple[Path, str]
) -> None:
    tmp_path, url = broken_site
    faint = _broken(
        tmp_path, "faint.html", "<p style='color:#aaa;background:#fff'>Faint words</p><button></button>"
    )
    plain = _broken(tmp_path, "plain.html", "<p>Plain words</p><button>Open</button>")
    reader = reader_for(1400, 900, "light")
    reader.open(f"{url}/{faint}")
    found = reader.axe()
    assert any("color-contrast" in f for f in found) and any("button-name" in f for f in found), found
    reader.open(f"{url}/{plain}")
    assert reader.axe() == []


def test_the_dark_views_ask_for_dark_and_axe_catches_text_that_only_fails_there(
    reader_for: Any, broken_site: tuple[Path, str]
) -> None:
    # Dark text on a dark background only when the reader's browser prefers dark: caught in the dark
    # view, at both widths, although the light view of the same page passes.
    tmp_path, url = broken_site
    page = _broken(
        tmp_path, "dark.html", "<p>Words on a page</p>",
        style="@media (prefers-color-scheme: dark) { body { background: #111; } p { color: #222; } }",
    )
    same = _broken(tmp_path, "same.html", "<p>Words on a page</p>")
    for width, height in ((390, 844), (1400, 900)):
        light, dark = reader_for(width, height, "light"), reader_for(width, height, "dark")
        found = read_in_both_schemes(light, dark, f"{url}/{page}")
        assert found["light"] == [], (width, found)
        assert any("color-contrast" in f for f in found["dark"]), (width, found)
        assert read_in_both_schemes(light, dark, f"{url}/{same}") == {"light": [], "dark": []}


def test_the_render_check_fails_on_an_outside_request_a_script_error_and_a_chart_without_text(
    reader_for: Any, broken_site: tuple[Path, str], tmp_path: Path
) -> None:
    _, url = broken_site
    chart = base64.b64encode((SHOTS.parent.parent / "_static" / "favicon.png").read_bytes()).decode()
    page = _broken(
        tmp_path, "leaky.html",
        f"<img src='data:image/png;base64,{chart}'><img src='http://example.org/logo.png' alt='a logo'>",
        script="<script>undefinedFunction()</script>",
    )
    reader = reader_for(1400, 900, "light")
    reader.open(f"{url}/{page}")
    problems = render_problems(reader, tmp_path / "leaky.png")
    assert any(p.startswith("image without alt text") for p in problems), problems
    assert "requested outside the machine: http://example.org/logo.png" in problems, problems
    assert any("undefinedFunction" in p for p in problems), problems

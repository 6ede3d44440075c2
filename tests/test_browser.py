"""The built book as a reader sees it: every page opened in headless Chromium.

Pages are served from 127.0.0.1 and Chromium's resolver is told to resolve no
other host, while a network log records every request it makes. A page passes
when it renders (a screenshot is taken and kept under the build folder), shows
no traceback or cell error, carries alt text on every chart, and requests
nothing outside the machine.

What a reader sees is measured in the page itself: the server adds
``reader_checks.js`` to every page it serves, which, once the page has laid
out at 1,400 px, writes its findings into the page for ``--dump-dom`` to read:
tables wider than the content column outside a scroll container, status
labels that need sideways scrolling, elements drawn over a chart, and the
page's height and width.

Needs Debian's ``chromium`` (the project's CI installs it); skipped when it is
absent unless ``KF_REQUIRE_BROWSER=1``, which CI sets so the test cannot be
skipped there by accident.
"""

from __future__ import annotations

import base64
import functools
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.browser]
REQUEST_IN_NETLOG = re.compile(r'"traffic_annotation":(\d+),"url":"([^"]+)"')
LOCAL = ("http://127.0.0.1:", "data:", "blob:", "about:", "chrome:", "chrome-extension:")
READER_CHECKS = (Path(__file__).parent / "reader_checks.js").read_text(encoding="utf-8")
WIDTH = 1400
RST_MARKUP = re.compile(r"``|:(?:func|class|meth|mod|attr|exc|obj|data):`")


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("KF_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed but KF_REQUIRE_BROWSER=1: install Debian's chromium")
        pytest.skip("chromium is not installed (Debian package 'chromium')")
    return CHROMIUM


def _serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_ReaderHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


@pytest.fixture(scope="module")
def server(built_book: Path) -> Iterator[str]:
    """Serve the built book on 127.0.0.1 for the duration of the module."""
    httpd, url = _serve(built_book)
    try:
        yield url
    finally:
        httpd.shutdown()
        httpd.server_close()


class _ReaderHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files as they are, except that HTML pages get the reader checks added."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix != ".html" or not path.is_file():
            return super().send_head()
        page = path.read_text(encoding="utf-8")
        script = f"<script>{READER_CHECKS}</script>"
        page = page.replace("</body>", script + "</body>") if "</body>" in page else page + script
        body = page.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        import io

        return io.BytesIO(body)


def reader_view(binary: str, profile: Path, url: str) -> dict:
    """What the reader checks found on a page, at the test's window width."""
    dom = _chromium(binary, profile, "--virtual-time-budget=8000", "--dump-dom", url).stdout
    found = re.search(r'<pre id="kf-reader-checks"[^>]*>(.*?)</pre>', dom, re.S)
    assert found, f"{url}: the reader checks did not run (no result in the page)"
    view = json.loads(html.unescape(found.group(1)))
    view["dom"] = dom
    return view


def reader_problems(view: dict) -> list[str]:
    """What a reader would stumble on, from one page's measurements."""
    problems = [
        f"a table {t['width']} px wide in a {t['column']} px column, not in a scroll container "
        f"(starts {t['starts']!r})"
        for t in view["overwide"]
    ]
    if view["width"] > view["window"]:
        problems.append(f"the page scrolls sideways ({view['width']} px in a {view['window']} px window)")
    problems += [f"status {s!r} is off-screen" for s in view["statusOff"]]
    problems += [f"{e} is drawn over a chart" for e in view["chartOverlaps"]]
    return problems


def _pages(built_book: Path) -> list[str]:
    # genindex and search are Sphinx's own pages; a redirect has nothing to read.
    skip = {"genindex.html", "search.html", "py-modindex.html"}
    return sorted(
        p.name
        for p in built_book.glob("*.html")
        if p.name not in skip and 'http-equiv="Refresh"' not in p.read_text(encoding="utf-8")[:500]
    )


def _chromium(binary: str, profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", f"--user-data-dir={profile}",
         f"--window-size={WIDTH},2000", *arguments],
        capture_output=True, text=True, timeout=120, check=False,
    )


def _page_requests_outside(netlog: str) -> list[str]:
    """Requests to other machines made the way the page's own resources were requested.

    Chromium itself calls home (update checks, account lists) whatever the page is; those
    requests carry other traffic annotations and are not the page's doing, so the page is
    judged by requests sharing an annotation with the requests for its own local resources.
    """
    requests = REQUEST_IN_NETLOG.findall(netlog)
    page_kinds = {kind for kind, url in requests if url.startswith(LOCAL)}
    return sorted({url for kind, url in requests if kind in page_kinds and not url.startswith(LOCAL)})


def test_page_requests_are_told_apart_from_the_browser_calling_home() -> None:
    netlog = (
        '{"traffic_annotation":101,"url":"http://127.0.0.1:8000/_static/a.css"}'
        '{"traffic_annotation":101,"url":"https://cdn.example.org/mathjax.js"}'
        '{"traffic_annotation":555,"url":"https://update.example.com/check"}'
    )
    assert _page_requests_outside(netlog) == ["https://cdn.example.org/mathjax.js"]


@pytest.mark.book
def test_every_page_renders_offline_with_charts_and_no_errors(
    chromium: str, server: str, built_book: Path, tmp_path: Path
) -> None:
    # Kept in the project's build folder (git-ignored) whatever folder the book was built in,
    # so CI can keep them as artifacts and a reader of a failure can look at the page.
    shots = Path(__file__).resolve().parents[1] / "book" / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    failures: dict[str, list[str]] = {}
    for page in _pages(built_book):
        url = f"{server}/{page}"
        netlog = tmp_path / f"{page}.netlog.json"
        shot = shots / page.replace(".html", ".png")
        _chromium(chromium, tmp_path / "profile-shot", f"--screenshot={shot}", f"--log-net-log={netlog}", url)
        dom = _chromium(
            chromium, tmp_path / "profile-dom", "--virtual-time-budget=5000", "--dump-dom", url
        ).stdout
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
        outside = _page_requests_outside(netlog.read_text(errors="replace"))
        if outside:
            problems.append(f"requested outside the machine: {outside[:3]}")
        if problems:
            failures[page] = problems
    assert not failures, failures


@pytest.mark.book
def test_chapters_with_charts_show_them(chromium: str, server: str, built_book: Path, tmp_path: Path) -> None:
    for page in ("fig4_social_care.html", "fig7_vacancies.html", "index.html"):
        dom = _chromium(chromium, tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom",
                        f"{server}/{page}").stdout
        assert re.search(r'<img\b[^>]*src="data:image/png;base64,', dom), f"{page} shows no chart"


@pytest.mark.book
def test_every_page_fits_a_1400_px_window(
    chromium: str, server: str, built_book: Path, tmp_path: Path
) -> None:
    failures = {}
    for page in _pages(built_book):
        problems = reader_problems(reader_view(chromium, tmp_path / "profile", f"{server}/{page}"))
        if problems:
            failures[page] = problems
    assert not failures, failures


@pytest.mark.book
def test_the_ledger_shows_every_status_at_a_glance(
    chromium: str, server: str, built_book: Path, tmp_path: Path
) -> None:
    import polars as pl

    rows = pl.read_csv(Path(__file__).resolve().parents[1] / "data" / "processed" / "ledger.csv").height
    view = reader_view(chromium, tmp_path / "profile", f"{server}/ledger.html")
    assert view["statusCount"] >= rows, "every claim has a visible status label"
    assert view["statusOff"] == []
    assert view["width"] <= view["window"]
    assert view["dom"].count("<tr data-status=") == rows


@pytest.mark.book
def test_the_api_page_shows_no_raw_markup(chromium: str, server: str, tmp_path: Path) -> None:
    view = reader_view(chromium, tmp_path / "profile", f"{server}/api.html")
    main = re.search(r"<main\b.*?</main>", view["dom"], re.S)
    assert main, "the API page has no main content"
    text = html.unescape(re.sub(r"<[^>]+>", " ", main.group(0)))
    assert not RST_MARKUP.findall(text), RST_MARKUP.findall(text)[:5]
    assert 'class="sig' in main.group(0), "no signatures rendered"
    assert "to_real_terms" in text and "Parameters" in text


def test_the_check_fails_on_an_over_wide_table_and_passes_it_in_a_scroll_container(
    chromium: str, tmp_path: Path
) -> None:
    cells = "".join(f"<td>column_{i}_with_a_long_value</td>" for i in range(30))
    table = f"<table><tr>{cells}</tr></table>"
    page = (
        "<!doctype html><html><head><style>.kf-scroll{{overflow-x:auto}}"
        "article{{width:700px;margin:auto}}</style></head><body><main><article class='bd-article'>"
        "{}</article></main></body></html>"
    )
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "wide.html").write_text(page.format(table), encoding="utf-8")
    (tmp_path / "site" / "scroll.html").write_text(
        page.format(f'<div class="kf-scroll">{table}</div>'), encoding="utf-8"
    )
    httpd, url = _serve(tmp_path / "site")
    try:
        wide = reader_problems(reader_view(chromium, tmp_path / "profile", f"{url}/wide.html"))
        scrolled = reader_problems(reader_view(chromium, tmp_path / "profile", f"{url}/scroll.html"))
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert any("not in a scroll container" in p for p in wide), wide
    assert any("scrolls sideways" in p for p in wide), wide
    assert scrolled == []

"""The built book as a reader sees it: every page opened in headless Chromium.

Pages are served from 127.0.0.1 and Chromium's resolver is told to resolve no
other host, while a network log records every request it makes. A page passes
when it renders (a screenshot is taken and kept under the build folder), shows
no traceback or cell error, carries alt text on every chart, and requests
nothing outside the machine.

Needs Debian's ``chromium`` (the project's CI installs it); skipped when it is
absent unless ``KF_REQUIRE_BROWSER=1``, which CI sets so the test cannot be
skipped there by accident.
"""

from __future__ import annotations

import base64
import functools
import http.server
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


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("KF_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed but KF_REQUIRE_BROWSER=1: install Debian's chromium")
        pytest.skip("chromium is not installed (Debian package 'chromium')")
    return CHROMIUM


@pytest.fixture(scope="module")
def server(built_book: Path) -> Iterator[str]:
    """Serve the built book on 127.0.0.1 for the duration of the module."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _pages(built_book: Path) -> list[str]:
    # index.html only redirects to intro.html; genindex and search are Sphinx's own pages.
    skip = {"genindex.html", "search.html", "index.html"}
    return sorted(p.name for p in built_book.glob("*.html") if p.name not in skip)


def _chromium(binary: str, profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", f"--user-data-dir={profile}",
         "--window-size=1280,2000", *arguments],
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
    shots = built_book.parent / "screenshots"
    shots.mkdir(exist_ok=True)
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
    for page in ("fig4_social_care.html", "fig7_vacancies.html", "intro.html"):
        dom = _chromium(chromium, tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom",
                        f"{server}/{page}").stdout
        assert re.search(r'<img\b[^>]*src="data:image/png;base64,', dom), f"{page} shows no chart"

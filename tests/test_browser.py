"""Every page of the built book, opened in headless Chromium as a reader meets it, offline.

The pages are served on loopback and every request to another host is refused, so math
must typeset from the book's own copy of MathJax. Screenshots of each page, on a desktop
and on a 390-pixel-wide phone screen, are kept in _build/screenshots/ for a person to look.
"""

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from loopback import offline

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "_build" / "screenshots"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
PAGES = [TOC["root"]] + [entry["file"] for part in TOC["parts"] for entry in part["chapters"]]
# TeX that MathJax should have turned into math: delimiters, or a backslash command.
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\\(?:frac|sum|mathbf|begin|left|right|sigma)\b")

# The text a reader sees, without code, math already typeset, or scripts.
VISIBLE_TEXT = """() => {
  const main = document.querySelector("main") || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll("pre, code, mjx-container, script, style, .cell_input, .cell_output")
      .forEach((node) => node.remove());
  return copy.textContent;
}"""
BROKEN_IMAGES = """() => Array.from(document.images)
  .filter((img) => !img.complete || img.naturalWidth === 0).map((img) => img.src)"""
TYPESET = """() => (window.MathJax && MathJax.startup && MathJax.startup.promise)
  ? MathJax.startup.promise.then(() => document.querySelectorAll("mjx-container").length)
  : -1"""


@pytest.fixture(scope="module")
def server(html):
    handler = functools.partial(QuietHandler, directory=str(html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    assert chromium, "the browser tests need Debian's chromium (make test installs it)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def visits(server, browser):
    """Open every page once on a phone and once on a desktop; keep what a test needs."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    seen = {}
    for name in PAGES:
        for label, viewport in [("phone", PHONE), ("desktop", DESKTOP)]:
            page = browser.new_page(viewport=viewport)
            refused, errors = [], []
            page.route("**/*", functools.partial(offline, refused))
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            page.goto(f"{server}/{name}.html", wait_until="load")
            visit = {
                "math": page.evaluate(TYPESET),
                "math_elements": page.evaluate("document.querySelectorAll('.math').length"),
                "text": page.evaluate(VISIBLE_TEXT),
                "broken_images": page.evaluate(BROKEN_IMAGES),
                "images": page.evaluate("document.images.length"),
                "overflow": page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                ),
                "links": page.evaluate(
                    "Array.from(document.querySelectorAll('a[href]')).map((a) => a.href)"
                ),
                "errors": errors,
                "refused": refused,
            }
            path = SCREENSHOTS / f"{name.replace('/', '__')}-{label}.png"
            page.screenshot(path=str(path), full_page=label == "phone")
            seen[name, label] = visit
            page.close()
    return seen


@pytest.mark.parametrize("name", PAGES)
def test_math_is_typeset_offline_and_no_raw_tex_is_left(visits, name):
    for label in ["phone", "desktop"]:
        visit = visits[name, label]
        if visit["math_elements"]:
            assert visit["math"] > 0, "math on the page, but MathJax typeset none of it"
        leftovers = RAW_TEX.findall(visit["text"])
        assert not leftovers, f"raw TeX in the text: {leftovers[:5]}"


@pytest.mark.parametrize("name", PAGES)
def test_figures_load_and_no_errors_show(visits, name):
    visit = visits[name, "desktop"]
    assert not visit["broken_images"], visit["broken_images"]
    assert not visit["errors"], visit["errors"]
    assert "Traceback" not in visit["text"]
    if name.startswith("chapters/"):
        assert visit["images"] > 0, "a chapter page without a single figure"


@pytest.mark.parametrize("name", PAGES)
def test_the_page_fits_a_phone_without_horizontal_scrolling(visits, name):
    assert visits[name, "phone"]["overflow"] <= 0


@pytest.mark.parametrize("name", [page for page in PAGES if page.startswith("chapters/")])
def test_launch_links_and_download_point_to_this_chapters_notebook(visits, name, html):
    links = visits[name, "desktop"]["links"]
    notebook = f"{name}.ipynb"
    repository = urlparse(REPOSITORY).path.strip("/")
    colab = [link for link in links if "colab.research.google.com" in link]
    binder = [link for link in links if "mybinder.org" in link]
    assert colab == [f"https://colab.research.google.com/github/{repository}/blob/main/{notebook}"]
    assert len(binder) == 1 and binder[0].startswith(
        f"https://mybinder.org/v2/gh/{repository}/main"
    )
    assert notebook.replace("/", "%2F") in binder[0] or notebook in binder[0]
    downloads = [link for link in links if link.endswith(f"_sources/{notebook}")]
    assert downloads, "no download link for the notebook"
    assert (html / "_sources" / notebook).is_file()


def test_screenshots_of_every_page_are_kept(visits):
    for name in PAGES:
        for label in ["phone", "desktop"]:
            assert (SCREENSHOTS / f"{name.replace('/', '__')}-{label}.png").stat().st_size > 0

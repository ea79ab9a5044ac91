"""The HTML book builds from the committed outputs with warnings as errors (-W -n)."""

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_every_page_in_the_toc_is_built(html):
    for name in toc_files():
        assert (html / f"{name}.html").is_file(), name


def test_chapter_pages_show_results_and_hide_what_they_should(html):
    for name in toc_files():
        if not name.startswith("chapters/"):
            continue
        page = (html / f"{name}.html").read_text()
        assert "Traceback" not in page
        assert "google.colab" not in page, "the Colab install cell should be removed"
        assert "BEGIN HIDDEN TESTS" not in page, "graded cells should be removed"
        assert "Show solution" in page, "solutions should be collapsed behind a labelled toggle"
        assert "<details><summary>Hint</summary>" in page.replace("\n", "")
        assert "colab.research.google.com" in page and "mybinder.org" in page


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name) and tag in ("a", "img", "link", "script"):
                self.links.append(attrs[name])


def test_every_internal_link_and_anchor_resolves(html):
    pages = {}
    for path in html.rglob("*.html"):
        if {"_static", "mathjax", "_sources"} & set(path.relative_to(html).parts):
            continue
        parser = _Links()
        parser.feed(path.read_text())
        pages[path] = parser
    broken, checked = [], 0
    for path, parser in pages.items():
        for link in parser.links:
            url = urlsplit(link)
            if url.scheme or url.netloc or link.startswith(("mailto:", "javascript:")):
                continue
            target = (path.parent / unquote(url.path)).resolve() if url.path else path
            checked += 1
            if not target.exists():
                broken.append(f"{path.name}: {link}")
            elif url.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _ids(target)
                if unquote(url.fragment) not in ids:
                    broken.append(f"{path.name}: {link} (no such anchor)")
    assert not broken, broken[:20]
    assert checked > 10 * len(pages), "the link check found suspiciously few links"


def _ids(path):
    parser = _Links()
    parser.feed(path.read_text())
    return parser.ids

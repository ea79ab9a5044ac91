"""The HTML book builds from the committed outputs with warnings as errors (-W -n)."""

from pathlib import Path

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

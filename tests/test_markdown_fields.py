"""Markdown fields are GitHub-flavoured Markdown, the Markdown editors write in GitHub's comments.

A list, a table or a link written as on GitHub is what readers get (rendered by comrak). Built
with the real MkDocs; the assertions read the page it wrote."""

from __future__ import annotations

import re
from pathlib import Path

import comrak

from generator import html
from generator.html import markdown_html
from tests.conftest import mkdocs_build

CLAIM = "lavrov-europeans-clumsy-attempts-no-proposals"

# Each of these renders differently in Python-Markdown, which the site used before: a list right
# under a paragraph and a list nested by three spaces stayed text, a table lost its alignment (as
# a style attribute, which the allowlist drops), ~~ stayed as it was, a bare address was no link,
# and a numbered list starting at 3 started at 1.
ANALYSIS = """\
analysis: |
  Three points:
  - the first
  - the second

  1. Outer item
     - nested item
  2. Second outer item

  | Speaker | Statements |
  |:--------|-----------:|
  | Lavrov  |          3 |

  The ~~draft~~ final text is at https://example.org/statement today.

  3. third
  4. fourth
"""


def _analysis(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    found = re.search(r'<section class="fc-analysis"[^>]*>(.*?)</section>', html, re.S)
    assert found is not None, "no analysis section on the claim page"
    return found.group(1)


def test_an_analysis_renders_as_githubs_preview_shows_it(publication: Path) -> None:
    claim = publication / "claims" / f"{CLAIM}.yaml"
    text = claim.read_text(encoding="utf-8")
    start = text.index("analysis: |\n")
    after = re.compile(r"^\S", re.M).search(text, start + len("analysis: |\n"))  # the next field, if any
    claim.write_text(text[:start] + ANALYSIS + (text[after.start():] if after else ""), encoding="utf-8")

    analysis = _analysis(mkdocs_build(publication) / "claims" / CLAIM / "index.html")

    assert re.search(r"<p>Three points:</p>\s*<ul>\s*<li>the first</li>\s*<li>the second</li>\s*</ul>", analysis)
    assert re.search(r"<li>Outer item\s*<ul>\s*<li>nested item</li>\s*</ul>\s*</li>", analysis)
    assert '<th align="left">Speaker</th>' in analysis and '<td align="right">3</td>' in analysis
    assert "<del>draft</del>" in analysis
    link = re.search(r'<a href="https://example.org/statement"[^>]*>https://example.org/statement</a>', analysis)
    assert link is not None and 'rel="noopener noreferrer nofollow"' in link.group(0)
    assert re.search(r'<ol start="3">\s*<li>third</li>', analysis)


def test_what_githubs_markdown_would_let_through_is_cut_twice() -> None:
    """Raw HTML is refused before rendering (the hostile-input cases). Should any reach the
    renderer, comrak's own output already leaves it out and blanks an unsafe link, and the
    allowlist after it would catch what comrak let through. Task lists are not rendered: the
    box stays as the text the editor typed."""
    text = ('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n\n'
            "[x](javascript:alert(1))\n\n- [ ] task")
    unsanitised = comrak.render_markdown(text, extension_options=html._EXTENSIONS, render_options=html._RENDER)
    rendered = str(markdown_html(text))
    for forbidden in ("<script", "onerror", "javascript:", "<input"):
        assert forbidden not in unsanitised, (forbidden, unsanitised)
        assert forbidden not in rendered, (forbidden, rendered)
    assert "<img" not in rendered and "<li>[ ] task</li>" in rendered


ACCEPTED = [
    "[a link with parentheses](https://en.wikipedia.org/wiki/Foo_(bar))",
    '[a link with a title](https://example.org "The title")',
    "An address in angle brackets <https://example.org/a> and a mail one <desk@example.org>.",
    "[mail](mailto:desk@example.org), [a page of this site](/about/), [a query](https://x.org/?a=1&b=2)",
    "Less than: a < b, x <b y and <3 are text, not HTML.",
    "A footnote-like mark[^1] and `<b>` in code.\n\n    <b>in a code block</b>",
    "### A heading of its own\n\nText.",
    "[y]: javascript:alert(1)\n\nA definition no link uses publishes nothing.",
]
REFUSED = {
    "<b>bold</b>": "raw HTML is not allowed",
    "Text <!-- a comment --> here": "raw HTML is not allowed",
    "# Heading": "headings in a field start at ###",
    "Title\n=====": "headings in a field start at ###",
    "![Chart](https://example.org/chart.png)": "image 'https://example.org/chart.png' is not allowed",
    "> See [this][x].\n>\n> [x]: javascript:alert(1)": "link target 'javascript:alert(1)' is not allowed",
    "[x](javascript&colon;alert(1))": "link target 'javascript:alert(1)' is not allowed",
    "[x](jav&#x09;ascript:alert(1))": "links must be http://, https:// or mailto:",
    "[x](ftp://example.org/file)": "link target 'ftp://example.org/file' is not allowed",
    "[x](<https://ex ample.org>)": "is not a web address a page can link to",
    "See https://example.org:99999/a": "is not a web address a page can link to",
}


def test_ordinary_markdown_is_accepted_as_it_publishes() -> None:
    """What the page shows as written passes the check: every link keeps its target."""
    for text in ACCEPTED:
        assert html.markdown_problems(text) == [], text
        assert markdown_html(text).count("<a ") == markdown_html(text).count(" href="), text


def test_what_the_page_would_not_show_as_written_is_refused() -> None:
    """Raw HTML, headings above the page's own, images and links the allowlist drops: the page would
    lose them without a word, so the validator names them (with the field and line)."""
    for text, message in REFUSED.items():
        problems = html.markdown_problems(text)
        assert len(problems) == 1 and message in problems[0], (text, problems)

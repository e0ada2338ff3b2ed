"""Text from a scenario file in Markdown (the explanation, the review notebook's lines) renders
as the text itself: no HTML tag, link or emphasis comes of it."""

from __future__ import annotations

import re

import pytest
from nbconvert.filters.markdown_mistune import markdown2html_mistune

import tariffmodel as tm
from tariffmodel.reporting.explain import to_markdown
from tariffmodel.reporting.formatting import markdown_text

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[click](http://evil.example)",
    "http://evil.example",
    "*bold* _it_ `code` ~~gone~~ a|b &amp; #1 !x @y $x$",
    "two\nlines\r\n# heading",
]


def _html(md: str) -> str:
    return markdown2html_mistune(md)


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_text_renders_as_the_text(text):
    html = _html(f"**{markdown_text(text)}**, 2026")
    assert not re.search(r"<(?!/?(p|strong)>)", html), html  # no tag but the paragraph's
    assert "href" not in html
    shown = re.sub(r"</?(p|strong)>", "", html).strip()
    plain = " ".join(text.splitlines())
    escaped = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert shown == f"{escaped}, 2026"


def test_explanation_in_markdown_shows_names_as_text(renamed_example):
    path = renamed_example("<script>alert(1)</script>", "<b onmouseover=alert(3)>kpi</b>")
    md = to_markdown(tm.explain(tm.load_scenario(path), year=2026), level=3)
    html = _html(md)
    assert "<script" not in html and "<b " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b onmouseover=alert(3)&gt;kpi&lt;/b&gt;" in html

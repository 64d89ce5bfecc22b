from unittest import mock

import pytest
from django.utils import translation

from crisis_tracker import citations
from crisis_tracker.citations import (
    CitationIndex,
    backlinks_html,
    citation_errors,
    cited_keys,
    parse_group,
    render,
    sanitize,
)
from sources.models import Source
from tests.htmlcheck import elements, executable_bits


def test_it_reads_pandoc_style_citations():
    assert parse_group("@dw-2025-07-03") == [("dw-2025-07-03", "")]
    assert parse_group("@a; @b") == [("a", ""), ("b", "")]
    assert parse_group("@ap-2025-07-02, p. 2") == [("ap-2025-07-02", "p. 2")]
    assert parse_group("not a citation") is None
    assert cited_keys("x[@b] y[@a; @b, p. 2] [link](http://e.org) [@]") == ["b", "a"]


def test_sources_are_numbered_by_first_use_across_texts_and_keep_their_number():
    index = CitationIndex({})
    first = render("One[@a]. Two[@b; @a].", index)
    second = render("Three[@b, p. 4].", index)
    assert 'id="cite-ref-1-0"' in first and 'href="#cite-note-1"' in first
    assert 'id="cite-ref-2-0"' in first and 'id="cite-ref-1-1"' in first
    assert 'id="cite-ref-2-1"' in second
    numbers = [(r.number, r.key, r.locators) for r in index.references]
    assert numbers == [(1, "a", ["", ""]), (2, "b", ["", "p. 4"])]


def test_a_text_is_parsed_once_and_numbered_afresh_in_each_page(monkeypatch):
    text = "Parsed once[@b], linked to [a page](https://example.org/x)."
    parse = mock.Mock(wraps=citations.MARKDOWN.parse)
    monkeypatch.setattr(citations.MARKDOWN, "parse", parse)
    citations.parsed.cache_clear()
    alone = render(text, CitationIndex({}))
    after_another = CitationIndex({})
    render("First[@a].", after_another)
    second = render(text, after_another)
    assert 'href="#cite-note-1"' in alone and 'href="#cite-note-2"' in second
    assert render(text, CitationIndex({})) == alone
    assert 'rel="nofollow noopener"' in second
    assert parse.call_count == 2  # the text and "First[@a]." once each


def test_a_rendered_text_is_sanitised_once_per_process_and_numbered_afresh(monkeypatch):
    clean = mock.Mock(wraps=citations.sanitize)
    monkeypatch.setattr(citations, "sanitize", clean)
    citations.sanitized.cache_clear()
    text = "Sanitised once[@b] <script>alert(1)</script>."
    alone = render(text, CitationIndex({}))
    assert render(text, CitationIndex({})) == alone  # the same HTML: sanitised before
    after_another = CitationIndex({})
    render("First[@a].", after_another)
    numbered_second = render(text, after_another)  # other numbers: other HTML
    assert 'href="#cite-note-1"' in alone and 'href="#cite-note-2"' in numbered_second
    assert "<script>" not in alone and "<script>" not in numbered_second
    assert clean.call_count == 3  # the text numbered 1, "First[@a].", the text numbered 2


def test_backlinks_read_caret_for_one_use_and_numbered_for_several():
    index = CitationIndex({})
    render("[@a][@b][@b, p. 2]", index)
    one, several = index.references
    assert str(backlinks_html(one)).count("href=") == 1
    assert ">^<" in str(backlinks_html(one))
    html = str(backlinks_html(several))
    assert 'href="#cite-ref-2-0"' in html and 'href="#cite-ref-2-1"' in html
    assert "2.0" in html and "2.1" in html and "p. 2" in html


def test_citations_inside_code_are_left_alone():
    index = CitationIndex({})
    html = render("`[@a]` and [@b]", index)
    assert "<code>[@a]</code>" in html
    assert [r.key for r in index.references] == ["b"]


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](http://example.org/x.png)",
        '<a href="http://e.org" onclick="x()">e</a>',
    ],
)
def test_markup_cannot_carry_script(hostile):
    html = str(render(hostile, CitationIndex({})))
    assert executable_bits(html) == []
    assert "img" not in [tag for tag, _attrs in elements(html)]
    assert sanitize(html) == html


def test_external_links_are_marked_nofollow():
    html = str(render("[DW](https://www.dw.com/)", CitationIndex({})))
    assert 'rel="nofollow noopener"' in html


@pytest.mark.django_db
def test_an_unknown_key_is_refused_with_the_closest_keys():
    Source.objects.create(key="dw-2025-07-03", title="DW")
    Source.objects.create(key="ap-2025-07-02", title="AP")
    with translation.override("en"):
        errors = citation_errors("Text[@dw-2025-07-3].")
    assert [(e.code, e.message) for e in errors] == [
        ("unknown_citation", "Unknown source key 'dw-2025-07-3'; did you mean 'dw-2025-07-03'?")
    ]


@pytest.mark.django_db
def test_known_keys_pass():
    Source.objects.create(key="dw-2025-07-03", title="DW")
    assert citation_errors("Text[@dw-2025-07-03].") == []

"""What readers see: curly quotes and apostrophes, en dashes in ranges; code and dates as typed."""

from __future__ import annotations

import pytest

from microsite.publish.typography import smarten, smarten_html


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ('He said "hello" and left.', "He said “hello” and left."),
        ("It's the editor's call; 'quoted' here.", "It’s the editor’s call; ‘quoted’ here."),
        ('"Khó khăn" là thách thức ("lớn").', "“Khó khăn” là thách thức (“lớn”)."),
        ("Tăng 18-20% trong giai đoạn 2019-2020.", "Tăng 18–20% trong giai đoạn 2019–2020."),
        ("Ngày 2024-05-07, lúc 9:30-10:00.", "Ngày 2024-05-07, lúc 9:30-10:00."),  # a date, a time: as typed
        ("COVID-19, F-16 and line 0203-3835.", "COVID-19, F-16 and line 0203-3835."),  # codes and numbers
        ("1,5-2,5 tỷ đồng", "1,5–2,5 tỷ đồng"),
        ("No quotes at all.", "No quotes at all."),
    ],
)
def test_plain_text(typed: str, shown: str) -> None:
    assert smarten(typed, "en") == shown


def test_html_keeps_tags_attributes_and_code_as_they_are() -> None:
    html = '<p>He said <em>"hi"</em>, <code>x = "y"</code> then "<a href="a-1-2" title="t\'s">see</a>" 3-4</p>'
    assert smarten_html(html, "en") == (
        '<p>He said <em>“hi”</em>, <code>x = "y"</code> then “<a href="a-1-2" title="t\'s">see</a>” 3–4</p>'
    )
    assert smarten_html("<pre>a 'b' 1-2</pre><p>'c'</p>", "en") == "<pre>a 'b' 1-2</pre><p>‘c’</p>"


def test_vietnamese_keeps_its_hyphens_they_write_dates_too() -> None:
    assert smarten('Ngày 25-6, giá "tăng" 18-20%.', "vi") == "Ngày 25-6, giá “tăng” 18-20%."


def test_pages_show_curly_quotes_but_the_files_keep_what_was_typed(site) -> None:
    from bs4 import BeautifulSoup

    from microsite.publish.builder import build_site

    index = site.article(
        "bai",
        front='title: "Giá \\"tăng\\" 5-7%"\ndate: 2024-05-07\nsummary: "Doanh nghiệp\'s lãi"\n',
        body='Ông nói: "Tăng trưởng 2019-2020 tốt."\n\n```\ncode "as typed"\n```\n',
    )
    site.translate("bai")
    build_site(site.config)
    page = BeautifulSoup((site.root / "site" / "bai" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert page.h1.get_text(strip=True) == "Giá “tăng” 5-7%"  # Vietnamese: curly quotes, hyphens kept
    assert page.select_one(".lead").get_text(strip=True) == "Doanh nghiệp’s lãi"
    assert "Ông nói: “Tăng trưởng 2019-2020 tốt.”" in page.select_one(".story-body").get_text()
    assert 'code "as typed"' in page.select_one(".story-body pre").get_text()
    assert '\\"tăng\\"' in index.read_text(encoding="utf-8")  # the source is never rewritten
    english_page = site.root / "site" / "en" / "bai" / "index.html"
    english = BeautifulSoup(english_page.read_text(encoding="utf-8"), "html.parser")
    assert "2019–2020" in english.select_one(".story-body").get_text()  # the stand-in English keeps the digits


def test_a_quote_after_a_quote_sees_the_curly_one_readers_see() -> None:
    """Nested quotes: the second of ``"'`` opens because the first became an opening mark."""
    assert smarten("\"'Tết' đến\"", "vi") == "“‘Tết’ đến”"
    assert smarten('a""', "en", before="") == "a””"
    assert smarten("'x'", "en", before="(") == "‘x’" and smarten("'x'", "en", before="a") == "’x’"


def test_an_empty_tag_in_html_is_left_alone() -> None:
    assert smarten_html("<p>< >'a'</p>", "en") == "<p>< >‘a’</p>"

"""Layout at a phone's width (390 px) and a laptop's (1280 px), measured in headless Chromium: the
masthead, the 404 page, the desk's overview and the preview's error page."""

from __future__ import annotations

import base64
import unicodedata

import pytest

from microsite.desk.preview import Preview
from tests.test_external import built_and_served

WIDTHS = (390, 1280)
SAMPLE = "thao-go-kho-khan-cho-quang-ninh/"
BOX = "const r = document.querySelector(arguments[0]).getBoundingClientRect(); return [r.top, r.bottom, r.height];"
OVERFLOW = "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"


@pytest.fixture
def served_sample(sample_site, tmp_path):
    with built_and_served(sample_site, tmp_path / "out") as base:
        yield base


@pytest.mark.parametrize("width", WIDTHS)
def test_the_masthead_keeps_its_rows_in_both_editions(served_sample, browser, width) -> None:
    browser.set_window_size(width, 900)
    for page in ("", "en/", SAMPLE, "en/" + SAMPLE):
        browser.get(served_sample + page)
        switcher, brand = browser.execute_script(BOX, ".languages"), browser.execute_script(BOX, ".brand")
        assert switcher[1] <= brand[0], (page, width)  # the editions' row, above the title
        assert browser.execute_script(OVERFLOW) <= 0, (page, width)  # nothing wider than the screen
        if width == 1280:  # title, sections and search on one line, however long the title
            tops = [
                browser.execute_script(BOX, selector)[0] for selector in (".brand", ".sections", ".masthead-search")
            ]
            assert max(tops) - min(tops) < 12, (page, tops)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_404_heading_is_set_tight(served_sample, browser, width) -> None:
    browser.set_window_size(width, 900)
    browser.get(served_sample + "404.html")
    size, height = browser.execute_script(
        "const s = getComputedStyle(document.querySelector('main h1'));"
        "return [parseFloat(s.fontSize), parseFloat(s.lineHeight)];"
    )
    assert height <= 1.3 * size


def test_the_desk_overview_fits_a_phone(site, browser) -> None:
    from tests.browser import serving

    title = "Tháo gỡ khó khăn, vướng mắc trong công nghiệp, thương mại, xuất nhập khẩu cho Quảng Ninh"
    site.article("dai", front=f'title: "{title}"\ndate: 2021-06-25\n')
    site.translate("dai", fuzzy=True)
    site.article("ngan", front='title: "Bài hai"\ndate: 2021-06-26\n')
    with serving(site.root) as served:
        for width in WIDTHS:
            browser.set_window_size(width, 900)
            browser.get(f"{served.url}/_review/")
            assert browser.execute_script(OVERFLOW) <= 0, width  # every column is on the screen
            link = browser.find_element("link text", title)
            line = float(browser.execute_script("return getComputedStyle(arguments[0]).lineHeight", link)[:-2])
            assert link.size["height"] <= 4 * line, width  # three lines on a phone, not a word a line
        missing = browser.find_element("css selector", "tbody tr:first-child td[data-label='Missing']")
        assert missing.text == "2"  # "Bài hai" has no en.po: its title and its paragraph


def test_the_previews_error_page_sets_vietnamese_in_a_text_font(browser) -> None:
    preview = Preview.__new__(Preview)
    preview.error = unicodedata.normalize("NFD", "error: content/bai/index.md:3: ngày không hợp lệ: hôm qua")
    page = preview.error_page()
    browser.set_window_size(390, 900)
    browser.get("data:text/html;base64," + base64.b64encode(page).decode())
    item = browser.find_element("css selector", "li")
    assert item.text == unicodedata.normalize("NFC", "error: content/bai/index.md:3: ngày không hợp lệ: hôm qua")
    assert "mono" not in browser.execute_script("return getComputedStyle(arguments[0]).fontFamily", item).lower()
    assert browser.execute_script(OVERFLOW) <= 0

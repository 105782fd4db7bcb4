"""The publishing policy per language: readers never meet unreviewed machine text unless the newsroom says so."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from microsite.content.config import load_config
from microsite.errors import ContentError
from microsite.publish.builder import build_site
from tests.faults import cli


def english_pages(site) -> set[str]:
    """The English article pages (not the list pages: tags, archive, numbered home pages, search)."""
    lists = {"tags", "archive", "page", "search"}
    return {path.parent.name for path in (site.root / "site" / "en").glob("*/index.html")} - lists


def listed(site, feed: str) -> str:
    return ElementTree.tostring(ElementTree.parse(site.root / "site" / feed).getroot(), encoding="unicode")


def test_by_default_only_fully_reviewed_articles_reach_the_english_edition(site) -> None:
    site.article("reviewed", body="Một.\n\nHai.\n")
    site.translate("reviewed")
    site.article("drafted", body="Ba.\n\nBốn.\n")
    site.translate("drafted", fuzzy=True)
    result = build_site(site.config)
    assert english_pages(site) == {"reviewed"}
    assert {path.parent.name for path in (site.root / "site").glob("*/index.html")} >= {"reviewed", "drafted"}
    for name in ("en/feed.xml", "sitemap.xml"):
        assert "/en/reviewed/" in listed(site, name) and "/en/drafted/" not in listed(site, name)
    (warning,) = [str(w) for w in result.warnings]
    assert "drafted/index.md: held back from the en edition: 5 of 5 passage(s) are not reviewed yet" in warning
    assert 'publish = "reviewed"' in warning and "http://127.0.0.1:8000/_review/en/drafted/" in warning


def test_one_unreviewed_passage_holds_the_article_back(site) -> None:
    site.article("bai", body="Một.\n\nHai.\n")
    po = site.translate("bai")
    po.write_text(po.read_text(encoding="utf-8").replace('msgid "Hai."', '#, fuzzy\nmsgid "Hai."'), encoding="utf-8")
    result = build_site(site.config)
    assert english_pages(site) == set()
    assert "1 of 5 passage(s) are not reviewed yet" in str(result.warnings[0])


def test_with_drafts_allowed_drafts_are_published_and_marked(site) -> None:
    site.article("drafted", body="Ba.\n\nBốn.\n")
    site.translate("drafted", fuzzy=True)
    site.publish_drafts()
    result = build_site(site.config)
    assert english_pages(site) == {"drafted"} and result.warnings == []
    page = (site.root / "site" / "en" / "drafted" / "index.html").read_text(encoding="utf-8")
    assert "notice-machine" in page


def test_strict_still_refuses_everything_that_is_not_reviewed(site) -> None:
    site.article("drafted", body="Ba.\n")
    site.translate("drafted", fuzzy=True)
    site.publish_drafts()
    result = cli("--strict", "--root", str(site.root))
    assert result.returncode == 1 and "machine draft" in result.stderr
    assert not (site.root / "site").exists()


def test_check_says_why_an_article_is_held_back(site) -> None:
    site.article("drafted", body="Ba.\n\nBốn.\n")
    site.translate("drafted", fuzzy=True)
    result = cli("check", "--root", str(site.root))
    assert result.returncode == 0, result.stderr
    counts = "en: 5 segments: 0 reviewed, 5 machine draft, 0 editor draft, 0 stale, 0 missing"
    assert f'{counts}; 0 QA finding(s); not published: 5 not reviewed (publish = "reviewed")' in result.stdout
    assert "http://127.0.0.1:8000/_review/en/drafted/" in result.stderr


def test_an_unknown_policy_is_refused_with_its_line(site) -> None:
    toml = site.root / "site.toml"
    toml.write_text(toml.read_text().replace('locale = "en_US"\n', 'locale = "en_US"\npublish = "all"\n'))
    with pytest.raises(ContentError) as caught:
        load_config(toml)
    assert caught.value.problem.line == 14
    assert "languages.en.publish is 'all'" in caught.value.problem.message
    assert (
        'publish = "reviewed"' in caught.value.problem.message and 'publish = "drafts"' in caught.value.problem.message
    )


def test_the_desk_says_the_page_waits_for_approval(site) -> None:
    from microsite.desk.app import Desk
    from tests.desk.test_desk import Client

    site.article("drafted", body="Ba.\n")
    site.translate("drafted", fuzzy=True)
    client = Client(Desk(lambda: site.config))
    page = client.page("/_review/en/drafted/")
    assert page.select_one("#english-page") is None
    assert 'publish = "reviewed"' in page.text and "is approved" in page.text
    site.publish_drafts()
    assert client.page("/_review/en/drafted/").select_one("#english-page") is not None


# --- readers see which passages are machine text ------------------------------------------------


def approve(po, *sources: str) -> None:
    """Mark these entries reviewed, as an editor removing the fuzzy flag does."""
    text = po.read_text(encoding="utf-8")
    for source in sources:
        assert f'#, fuzzy\nmsgid "{source}"' in text, source
        text = text.replace(f'#, fuzzy\nmsgid "{source}"', f'msgid "{source}"')
    po.write_text(text, encoding="utf-8")


def drafted_page(site) -> BeautifulSoup:
    """An English page published with publish = "drafts": two passages reviewed, the rest machine drafts."""
    site.article(
        "bai",
        body='Đoạn một đã duyệt.\n\nĐoạn hai **máy** dịch.\n\n![Ảnh cảng](images/a.jpg "Chú thích máy.")\n',
        front='title: "Tiêu đề"\ndate: 2021-06-25\nsummary: "Tóm tắt."\ntags: [Kinh tế, Cảng]\n',
        photos=("images/a.jpg",),
    )
    approve(site.translate("bai", fuzzy=True), "Tiêu đề", "Đoạn một đã duyệt.")
    site.publish_drafts()
    build_site(site.config)
    return BeautifulSoup((site.root / "site/en/bai/index.html").read_text(encoding="utf-8"), "html.parser")


def marked(node) -> bool:
    return node.find(class_="machine-mark") is not None


def test_each_machine_passage_is_marked_and_reviewed_ones_are_not(site) -> None:
    page = drafted_page(site)
    paragraphs = page.select(".body > p, article p:not(.lead)")
    by_text = {p.get_text(" ", strip=True).split(" ✱")[0]: p for p in paragraphs if p.get_text(strip=True)}
    assert not marked(page.h1)  # the headline was reviewed
    assert marked(page.select_one("p.lead"))
    assert not marked(by_text["EN Doan mot da duyet."])
    assert marked(next(p for text, p in by_text.items() if text.startswith("EN Doan hai")))
    assert marked(page.figcaption)
    mark = page.select_one(".machine-mark")
    assert mark["title"] == "machine translated, not yet reviewed"
    assert mark.select_one("[aria-hidden=true]").get_text() == "✱"
    assert mark.select_one(".visually-hidden").get_text() == " (machine translated, not yet reviewed)"
    assert page.find("img", alt=True)["alt"] == "EN Anh cang"  # alt text: plain, never marked


def test_the_notice_says_machine_translated_and_counts_passages_not_tags_or_alt(site) -> None:
    notice = drafted_page(site).select_one("aside.notice").get_text(" ", strip=True)
    # passages: headline, lead, two paragraphs, the caption (5); tags and alt text are not counted
    assert "This page was machine translated from Vietnamese" in notice
    assert "checked 2 of its 5 passages" in notice and "marked ✱" in notice


def test_when_the_only_drafts_are_an_editors_the_page_says_so_not_machine_translated(site) -> None:
    """An editor's own draft (fuzzy, no engine note) is no machine text: notice, marks and badge say draft."""
    site.article("bai", body="Đoạn một đã duyệt.\n\nĐoạn hai biên tập viên viết nháp.\n", front=FRONT)
    po = site.translate("bai", fuzzy=True)
    po.write_text(po.read_text(encoding="utf-8").replace("# machine draft: test-engine 1.0\n", ""), encoding="utf-8")
    approve(po, "Tiêu đề", "Tóm tắt.", "Đoạn một đã duyệt.")
    site.publish_drafts()
    build_site(site.config)
    page = BeautifulSoup((site.root / "site/en/bai/index.html").read_text(encoding="utf-8"), "html.parser")
    notice = page.select_one("aside.notice").get_text(" ", strip=True)
    assert "Translated from Vietnamese by our editors" in notice and "machine" not in notice
    assert "3 of its 4 passages are reviewed so far; the drafts are marked ✱" in notice
    assert page.select_one(".machine-mark")["title"] == "draft translation, not yet reviewed"
    home = BeautifulSoup((site.root / "site/en/index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.select_one(".badge").get_text() == "Draft translation"
    # one machine draft among them, and the page says machine translated again
    text = po.read_text(encoding="utf-8")
    po.write_text(
        text.replace('#, fuzzy\nmsgid "Đoạn hai', '# machine draft: test-engine 1.0\n#, fuzzy\nmsgid "Đoạn hai')
    )
    build_site(site.config)
    page = BeautifulSoup((site.root / "site/en/bai/index.html").read_text(encoding="utf-8"), "html.parser")
    assert "This page was machine translated" in page.select_one("aside.notice").get_text(" ", strip=True)
    assert page.select_one(".machine-mark")["title"] == "machine translated, not yet reviewed"


FRONT = 'title: "Tiêu đề"\ndate: 2021-06-25\nsummary: "Tóm tắt."\n'


def test_a_fully_reviewed_page_has_no_marker(sample_site) -> None:
    build_site(load_config(sample_site / "site.toml"))
    html = (sample_site / "site/en/thao-go-kho-khan-cho-quang-ninh/index.html").read_text(encoding="utf-8")
    assert "machine-mark" not in html and "reviewed by our editors" in html


def test_the_marked_page_is_axe_clean_in_a_real_browser(site) -> None:
    from tests.browser import chrome
    from tests.needs import need_axe

    axe = need_axe()
    drafted_page(site)
    browser = chrome()
    try:
        browser.get((site.root / "site/en/bai/index.html").as_uri())
        assert browser.find_element("css selector", ".machine-mark").is_displayed()
        hidden = browser.find_element("css selector", ".machine-mark .visually-hidden")
        assert hidden.size["width"] <= 1 and hidden.size["height"] <= 1  # for screen readers only
        browser.execute_script(axe)
        result = browser.execute_async_script(
            "const done = arguments[0];"
            "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));"
        )
    finally:
        browser.quit()
    assert result == [], result


def test_when_only_tags_or_alt_texts_are_unreviewed_the_notice_says_so(site) -> None:
    site.article("bai", body="Đoạn một.\n", front='title: "Tiêu đề"\ndate: 2021-06-25\ntags: [Kinh tế]\n')
    approve(site.translate("bai", fuzzy=True), "Tiêu đề", "Đoạn một.")
    site.publish_drafts()
    build_site(site.config)
    page = BeautifulSoup((site.root / "site/en/bai/index.html").read_text(encoding="utf-8"), "html.parser")
    notice = page.select_one("aside.notice").get_text(" ", strip=True)
    assert "reviewed by our editors; tags and image descriptions are still machine translated" in notice
    assert page.select(".machine-mark") == []

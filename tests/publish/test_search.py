"""Search: a Pagefind index per edition, built with the site, queried by the search pages in a real browser."""

from __future__ import annotations

import json
import time
import unicodedata
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from microsite.content.config import load_config
from microsite.errors import ContentError
from microsite.publish import search
from microsite.publish.builder import build_site
from tests.test_external import built_and_served

ARTICLES = {
    "quang-ninh": ("Quảng Ninh mở rộng cảng biển", "Tỉnh Quảng Ninh đầu tư cảng Cái Lân.", "trading"),
    "dien-luc": ("Điện lực miền Bắc bảo đảm nguồn điện", "Tập đoàn Điện lực tăng công suất phát điện.", "power"),
    "ninh-binh": ("Ninh Bình đón khách du lịch", "Khách quốc tế đến Quảng trường Ninh Bình tăng.", "tourism"),
}
ENGLISH = {
    "Quảng Ninh mở rộng cảng biển": "Quang Ninh expands its seaport",
    "Tỉnh Quảng Ninh đầu tư cảng Cái Lân.": "The province is trading more through Cai Lan port.",
    "Điện lực miền Bắc bảo đảm nguồn điện": "Northern power utility secures supply",
    "Tập đoàn Điện lực tăng công suất phát điện.": "The power group raises its output.",
    "Ninh Bình đón khách du lịch": "Ninh Binh welcomes tourists",
    "Khách quốc tế đến Quảng trường Ninh Bình tăng.": "More foreign visitors come to the square.",
}


@pytest.fixture
def searchable(site):
    for number, (slug, (title, text, _)) in enumerate(ARTICLES.items()):
        site.article(slug, body=text + "\n", front=f'title: "{title}"\ndate: 2024-05-0{number + 1}\n')
        site.translate(slug, translation=lambda source: ENGLISH.get(source, "EN"))
    site.article("ban-nhap", body="Bài nháp về Quảng Ninh.\n", front='title: "Nháp"\ndate: 2024-05-09\ndraft: true\n')
    site.article("chua-duyet", body="Hải Phòng chưa duyệt.\n", front='title: "Hải Phòng"\ndate: 2024-05-08\n')
    site.translate("chua-duyet", fuzzy=True)  # machine drafts: held back from the English edition
    return site


@pytest.fixture
def served(searchable, tmp_path) -> Iterator[str]:
    with built_and_served(searchable.root, tmp_path / "out") as base:
        yield base


def test_each_edition_has_a_search_page_the_masthead_leads_to(searchable) -> None:
    build_site(searchable.config)
    out = searchable.root / "site"
    for home, page, lang in (
        ("index.html", "search/index.html", "vi"),
        ("en/index.html", "en/search/index.html", "en"),
    ):
        form = BeautifulSoup((out / home).read_text(encoding="utf-8"), "html.parser").select_one("form[role=search]")
        assert (form["action"], form["method"], form.input["name"]) == ("./search/", "get", "q")
        shown = BeautifulSoup((out / page).read_text(encoding="utf-8"), "html.parser")
        assert shown.html["lang"] == lang and shown.find("noscript").get_text(strip=True)
        assert shown.select_one('meta[name="robots"]')["content"] == "noindex"
    assert "search/" not in (out / "sitemap.xml").read_text(encoding="utf-8")


def test_only_published_article_pages_are_indexed(searchable) -> None:
    build_site(searchable.config)
    entry = json.loads((searchable.root / "site/pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    counts = {code: language["page_count"] for code, language in entry["languages"].items()}
    assert counts == {"vi": 4, "en": 3}  # no draft; the held-back English edition is not there
    assert not (searchable.root / "site/pagefind/pagefind-ui.js").exists()  # the page has its own interface


def test_an_unchanged_site_reuses_its_index_and_a_changed_one_indexes_again(searchable, tmp_path) -> None:
    build_site(searchable.config)
    site = searchable.root / "site"
    copy = tmp_path / "copy"
    import shutil

    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("pagefind"))
    cache = searchable.config.cache_dir / "search"
    assert search.index_site(copy, cache) is False  # same pages: the kept index
    assert (copy / "pagefind/pagefind-entry.json").read_bytes() == (site / "pagefind/pagefind-entry.json").read_bytes()
    page = copy / "quang-ninh/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Cái Lân", "Cẩm Phả"), encoding="utf-8")
    shutil.rmtree(copy / "pagefind")
    assert search.index_site(copy, cache) is True


def test_an_owed_index_whose_pages_changed_before_it_ran_makes_nothing(searchable) -> None:
    import shutil

    build_site(searchable.config)
    site = searchable.root / "site"
    cache = searchable.config.cache_dir / "search"
    page = site / "quang-ninh/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Cái Lân", "Cẩm Phả"), encoding="utf-8")
    shutil.rmtree(site / "pagefind")
    owed = search.index_site(site, cache, later=True)
    assert isinstance(owed, search.Owed)  # the last index stands in
    page.write_text(page.read_text(encoding="utf-8").replace("Cẩm Phả", "Móng Cái"), encoding="utf-8")  # meanwhile
    kept = sorted(path.name for path in cache.iterdir())
    assert owed() is False  # its snapshot would not be the pages it was owed for
    assert sorted(path.name for path in cache.iterdir()) == kept  # nothing made, nothing left behind


def test_without_pagefind_the_build_says_how_to_install_it(searchable, monkeypatch) -> None:
    monkeypatch.setattr(search, "pagefind_binary", lambda: None)
    with pytest.raises(ContentError, match=r"pip install -r requirements\.txt"):
        build_site(searchable.config)
    assert not (searchable.root / "site").exists()


def results(browser, base: str, page: str, query: str) -> tuple[str, list[str]]:
    browser.get(f"{base}{page}?q={quote(query)}")
    return settled(browser)


def settled(browser) -> tuple[str, list[str]]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status = browser.find_element("id", "search-status").text
        if status and not status.endswith("…"):
            break
        time.sleep(0.05)
    titles = [link.text for link in browser.find_elements("css selector", "#search-results h2 a")]
    return status, titles


def test_searching_in_a_real_browser(served) -> None:
    from tests.browser import chrome
    from tests.needs import need_axe

    axe = need_axe()
    browser = chrome()
    try:
        quang_ninh = "Quảng Ninh mở rộng cảng biển"
        # Vietnamese typed every way readers type it: with or without marks, any case, NFC or NFD.
        for query in (
            "Quảng Ninh",
            "quảng ninh",
            "quang ninh",
            "QUANG NINH",
            unicodedata.normalize("NFD", "Quảng Ninh"),
        ):
            status, titles = results(browser, served, "search/", query)
            assert titles[0] == quang_ninh, (query, titles)
        # d finds đ: Pagefind folds the marks, not đ; the page also looks the syllable up with đ.
        assert results(browser, served, "search/", "dien luc")[1] == ["Điện lực miền Bắc bảo đảm nguồn điện"]
        # A quoted phrase matches those syllables together only.
        assert results(browser, served, "search/", '"quang ninh"')[1] == [quang_ninh]
        assert "Ninh Bình đón khách du lịch" in results(browser, served, "search/", "ninh")[1]
        # Only published pages: not the draft, not the English edition held back.
        assert results(browser, served, "search/", "nháp")[1] == []
        status, titles = results(browser, served, "en/search/", "trade")  # stemmed: the text says "trading"
        assert titles == ["Quang Ninh expands its seaport"] and status == "1 article for “trade”"
        assert results(browser, served, "en/search/", "Hai Phong")[1] == []
        status, titles = results(browser, served, "search/", "xyzzy")
        assert titles == [] and status == "Không tìm thấy bài nào cho “xyzzy”. Hãy thử từ khác, hoặc bỏ bớt từ."
        # The page's results link to the articles under the site's sub-path.
        results(browser, served, "search/", "quang ninh")
        link = browser.find_element("css selector", "#search-results h2 a")
        assert link.get_attribute("href") == served + "quang-ninh/"
        assert browser.find_element("css selector", "#search-results mark").text.casefold() in ("quảng", "ninh")
        assert "2024" in browser.find_element("css selector", "#search-results .meta").text  # its date
        # Keyboard only: the masthead's box on the home page, Enter, then Tab to the first result.
        from selenium.webdriver.common.keys import Keys

        browser.get(served)
        box = browser.find_element("id", "site-search")
        box.send_keys("điện lực", Keys.ENTER)
        status, titles = settled(browser)
        assert browser.current_url.startswith(served + "search/?q=") and titles[0].startswith("Điện lực")
        field = browser.find_element("id", "search-query")
        assert field.get_attribute("value") == "điện lực"
        field.send_keys(Keys.TAB, Keys.TAB)  # past the button, to the first result
        assert browser.switch_to.active_element.text == titles[0]
        # A new query typed on the search page and submitted with Enter.
        field.clear()
        field.send_keys("du lịch", Keys.ENTER)
        assert settled(browser)[1] == ["Ninh Bình đón khách du lịch"]
        assert browser.current_url.endswith("?q=du+l%E1%BB%8Bch")
        # axe over the search page showing results, in both editions.
        found = {}
        for page, query in (("search/", "quang ninh"), ("en/search/", "power")):
            results(browser, served, page, query)
            browser.execute_script(axe)
            found[page] = browser.execute_async_script(
                "const done = arguments[0];"
                "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));"
            )
        assert found == {"search/": [], "en/search/": []}
        errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == []
    finally:
        browser.quit()


def test_an_edited_article_is_found_by_its_new_words_and_not_its_old(served, searchable) -> None:
    from tests.browser import chrome
    from tests.needs import need_browser

    need_browser()
    output = searchable.root.parent / "out"
    index = searchable.root / "content/ninh-binh/index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("Quảng trường", "Tràng An"), encoding="utf-8")
    build_site(load_config(searchable.root / "site.toml", base_url=served), output=output)
    browser = chrome()
    try:
        assert results(browser, served, "search/", "trang an")[1] == ["Ninh Bình đón khách du lịch"]
        assert results(browser, served, "search/", '"quang truong"')[1] == []
        assert "Ninh Bình đón khách du lịch" not in results(browser, served, "search/", "quang truong")[1]
    finally:
        browser.quit()


def test_a_build_with_nothing_changed_leaves_the_index_alone(searchable) -> None:
    from tests.faults import cli

    assert cli("--root", str(searchable.root)).returncode == 0
    index = searchable.root / "site" / "pagefind"
    before = {path: path.stat().st_mtime_ns for path in index.rglob("*")}
    again = cli("--root", str(searchable.root))
    assert again.returncode == 0 and "Nothing changed" in again.stdout
    assert {path: path.stat().st_mtime_ns for path in index.rglob("*")} == before


def test_a_site_with_no_published_article_gets_no_index(site) -> None:
    site.article("nhap", front='title: "Nháp"\ndate: 2024-05-01\ndraft: true\n')
    build_site(site.config)
    assert (site.root / "site/search/index.html").is_file()
    assert not (site.root / "site/pagefind").exists()  # Pagefind would have indexed the list pages instead


def test_results_come_ten_at_a_time_and_more_is_a_button_away(site, tmp_path) -> None:
    from selenium.webdriver.common.keys import Keys

    from tests.browser import chrome
    from tests.needs import need_axe

    axe = need_axe()
    for number in range(23):  # 23 articles about the port, most recent first in the results' ties
        body = f"Cảng Cái Lân đón chuyến tàu số {number}.\n\n" + "Hàng hóa tăng. " * (number % 5 + 1) + "\n"
        site.article(f"bai-{number:02d}", body=body, front=f'title: "Tin cảng số {number:02d}"\ndate: 2024-05-01\n')
    with built_and_served(site.root, tmp_path / "out") as base:
        browser = chrome()
        try:
            status, first = results(browser, base, "search/", "cai lan")
            assert status == "23 bài cho “cai lan”" and len(first) == 10
            more = browser.find_element("id", "search-more")
            assert more.is_displayed() and more.text == "Xem thêm kết quả"
            browser.execute_script(axe)
            violations = browser.execute_async_script(
                "const done = arguments[0];"
                "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));"
            )
            assert violations == []
            # Keyboard: Tab from the last result reaches the button; Enter shows ten more, and focus
            # moves to the first of them, so reading goes on where the new results begin.
            browser.find_elements("css selector", "#search-results h2 a")[-1].send_keys(Keys.TAB)
            assert browser.switch_to.active_element.get_attribute("id") == "search-more"
            browser.switch_to.active_element.send_keys(Keys.ENTER)
            deadline = time.monotonic() + 20
            while len(browser.find_elements("css selector", "#search-results li")) < 20 and time.monotonic() < deadline:
                time.sleep(0.05)
            shown = [link.text for link in browser.find_elements("css selector", "#search-results h2 a")]
            assert shown[:10] == first and len(shown) == 20
            assert browser.switch_to.active_element.text == shown[10]
            browser.execute_script("arguments[0].click(); arguments[0].click();", more)  # a quick double click
            deadline = time.monotonic() + 20  # until both clicks are answered: the list is no longer busy
            listing = browser.find_element("id", "search-results")
            while (more.is_displayed() or listing.get_attribute("aria-busy")) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert listing.get_attribute("aria-busy") is None
            shown = [link.text for link in browser.find_elements("css selector", "#search-results h2 a")]
            assert sorted(shown) == [f"Tin cảng số {number:02d}" for number in range(23)]  # each once
            assert not more.is_displayed()  # nothing more to show
            # A new query starts again from ten, and a query with fewer results has no button.
            assert len(results(browser, base, "search/", "hang hoa")[1]) == 10
            assert browser.find_element("id", "search-more").is_displayed()
            assert results(browser, base, "search/", "chuyen tau so 7")[1][0] == "Tin cảng số 07"
            assert results(browser, base, "search/", "xyzzy")[1] == []
            assert not browser.find_element("id", "search-more").is_displayed()
            assert [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"] == []
        finally:
            browser.quit()


def test_the_index_comes_in_small_chunks(site) -> None:
    """The chunk size (an unstable Pagefind setting) still applies: a query fetches a small chunk."""
    import random

    rng = random.Random(7)
    letters = "abcdeghiklmnopqrstuvxy"
    for number in range(40):
        words = " ".join("".join(rng.choice(letters) for _ in range(rng.randint(2, 7))) for _ in range(300))
        site.article(f"bai-{number:02d}", body=words + ".\n", front=f'title: "Bài {number}"\ndate: 2024-05-01\n')
    build_site(site.config)
    chunks = list((site.root / "site/pagefind/index").iterdir())
    # 40 pages × 300 words is 12,000 word positions: Pagefind's default would make one chunk.
    assert len(chunks) >= 10
    assert max(chunk.stat().st_size for chunk in chunks) < 8_000


def entry_counts(site_folder) -> dict[str, int]:
    entry = json.loads((site_folder / "pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    return {code: language["page_count"] for code, language in entry["languages"].items()}


def test_the_index_of_the_pages_alone_is_the_index_of_the_site(searchable, tmp_path) -> None:
    """Pagefind reads a snapshot of the article pages; over the whole site it writes the same bytes
    (what happens when .cache cannot hold the snapshot)."""
    import os
    import subprocess

    build_site(searchable.config)
    site = searchable.root / "site"
    direct = tmp_path / "direct"
    environment = {**os.environ, "PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE": str(search.CHUNK_SIZE)}
    command = [str(search.pagefind_binary()), "--site", str(site), "--output-path", str(direct), "--quiet"]
    subprocess.run(command, check=True, capture_output=True, env=environment)
    for name in search.UNUSED:
        (direct / name).unlink(missing_ok=True)
    search._canonical_entry(direct / "pagefind-entry.json")
    ours = {p.relative_to(site / "pagefind"): p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()}
    theirs = {p.relative_to(direct): p.read_bytes() for p in direct.rglob("*") if p.is_file()}
    assert ours == theirs


def test_the_preview_owes_the_index_and_makes_it_in_the_background(searchable) -> None:
    from microsite.desk.preview import Preview
    from tests.faults import cli

    scheduled = []
    preview = Preview(searchable.config, lambda: searchable.config, schedule=scheduled.append)
    preview.rebuild()  # the first build: nothing kept to stand in, so Pagefind runs at once
    site = searchable.root / "site"
    assert entry_counts(site) == {"vi": 4, "en": 3} and scheduled == []
    front = 'title: "Hải Phòng"\ndate: 2024-05-07\n'
    searchable.article("hai-phong", body="Cảng Hải Phòng mở tuyến mới.\n", front=front)
    preview.rebuild()  # the new article is on the site at once; its index follows
    assert (site / "hai-phong/index.html").is_file()
    assert entry_counts(site) == {"vi": 4, "en": 3}  # the last index stands in meanwhile
    deadline = time.monotonic() + 60
    while not scheduled and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(scheduled) == 1  # made: a rebuild is asked for, on the server's thread
    leftovers = [p.name for p in (searchable.config.cache_dir / "search").iterdir() if p.name.startswith(".")]
    assert leftovers == []  # the snapshot of the pages is gone
    scheduled[0]()
    assert entry_counts(site) == {"vi": 5, "en": 3} and preview.indexer.waiting is None
    assert not any(p.name.startswith(".") for p in (searchable.config.cache_dir / "search").iterdir())
    # An index still owed is never taken for up to date by the next `build`.
    searchable.article("ha-long", body="Vịnh Hạ Long đón khách.\n", front='title: "Hạ Long"\ndate: 2024-05-06\n')
    preview.indexer.make = lambda owed: owed.drop()  # the preview stops before making it
    preview.rebuild()
    assert entry_counts(site) == {"vi": 5, "en": 3}
    built = cli("--root", str(searchable.root))
    assert built.returncode == 0 and "Nothing changed" not in built.stdout
    assert entry_counts(site) == {"vi": 6, "en": 3}


def test_the_background_index_runs_at_a_lower_priority(searchable, monkeypatch) -> None:
    """The preview's own rebuilds keep the processor first: Pagefind in the background is nice'd."""
    import shutil
    import subprocess

    build_site(searchable.config)
    commands = []

    class Recorded(subprocess.Popen):
        def __init__(self, command, **options) -> None:
            commands.append(command)
            super().__init__(command, **options)

    monkeypatch.setattr(search.subprocess, "Popen", Recorded)
    site = searchable.root / "site"
    page = site / "quang-ninh/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Cái Lân", "Cẩm Phả"), encoding="utf-8")
    shutil.rmtree(site / "pagefind")
    owed = search.index_site(site, searchable.config.cache_dir / "search", later=True)
    assert isinstance(owed, search.Owed) and commands == []  # nothing run on the build's path
    assert owed() is True
    prefix = search._dies_with_parent()  # setpriv --pdeathsig KILL: Pagefind dies with the build
    assert commands[0][: len(prefix)] == prefix
    assert commands[0][len(prefix) : len(prefix) + 3] == [shutil.which("nice"), "-n", "10"] and "--site" in commands[0]
    shutil.rmtree(site / "pagefind")
    page.write_text(page.read_text(encoding="utf-8").replace("Cẩm Phả", "Hạ Long"), encoding="utf-8")
    assert search.index_site(site, searchable.config.cache_dir / "search") is True  # `build`: at once
    assert commands[1][len(prefix)] == str(search.pagefind_binary())


PHRASES = {
    "san-bay": (
        "Sân bay Vân Đồn đón chuyến bay quốc tế",
        "Sân bay Vân Đồn, tỉnh Quảng Ninh, đón tàu container và khách. Cảng Cái Lân — cảng nước sâu — mở rộng.",
        "Van Don airport welcomes an international flight",
        "Van Don airport, in Quang Ninh province, receives container ships and visitors. Cai Lan port — a "
        "deep-water port — is expanding.",
    ),
    "van-de": (
        "Vấn đề vận tải biển",
        "Vấn đề vận tải: đơn hàng đón chờ, sân vận động bay màu cờ. Cảng đã cũ.",
        "The question of sea transport",
        "Transport is the question: orders wait, the stadium flies flags. The port is old.",
    ),
    "cang": (
        "Tàu cập cảng Cái Lân",
        "Tàu cập cảng Cái Lân lúc 8 giờ; tàu chở container rời bến, bay qua vịnh là chim.",
        "A ship docks at Cai Lan port",
        "A ship docks at Cai Lan port at 8 a.m.; a ship carrying containers leaves, birds fly over the bay.",
    ),
}


@pytest.fixture
def phrasal(site, tmp_path) -> Iterator[str]:
    english = {"Phóng viên Hạ Long": "Ha Long correspondent"}  # the byline
    for title, text, title_en, text_en in PHRASES.values():
        english |= {title: title_en, text: text_en}
    for number, (slug, (title, text, _, _)) in enumerate(PHRASES.items()):
        front = f'title: "{title}"\ndate: 2024-05-0{number + 1}\nsource: Phóng viên Hạ Long\n'
        site.article(slug, body=text + "\n", front=front)
        site.translate(slug, translation=english.__getitem__)
    with built_and_served(site.root, tmp_path / "out") as base:
        yield base


def test_quoted_phrases_are_found_and_what_was_typed_ranks_first(phrasal) -> None:
    from tests.browser import chrome
    from tests.needs import need_browser

    need_browser()
    airport, transport, ship = (PHRASES[slug][0] for slug in ("san-bay", "van-de", "cang"))
    browser = chrome()
    try:
        for query, found in (
            ('"sân bay"', [airport]),  # two syllables, with marks and without
            ('"san bay"', [airport]),
            ('"Vân Đồn"', [airport]),  # a name, with đ; not vấn đề, vận, đón, đơn
            ('"van don"', [airport]),
            ("“Vân Đồn”", [airport]),  # curly quotes
            ('"Cảng Cái Lân"', [ship, airport]),  # three syllables; the next word is a dash; in a title first
            ('"cang cai lan"', [ship, airport]),
            ('"tàu container"', [airport]),  # not "tàu chở container"
            ('"tỉnh Quảng Ninh"', [airport]),  # before a comma
            ('"cảng nước sâu"', [airport]),  # between dashes
            ('"sân vận động"', [transport]),
            ('"bay qua vịnh"', [ship]),
            ('"Vân Đồn" "cảng nước sâu"', [airport]),  # two phrases: both
            ('"Vân Đồn" "cảng đã cũ"', []),
            ('"sân bay vịnh"', []),  # every word is in some page, never together
        ):
            assert results(browser, phrasal, "search/", query)[1] == found, query
        # Unquoted, marks folded: every page with both syllables, the one typed first.
        titles = results(browser, phrasal, "search/", "Vân Đồn")[1]
        assert titles[0] == airport and transport in titles, titles
        assert results(browser, phrasal, "search/", "vận đơn")[1][0] == transport  # the same words, other marks
        # The excerpt is the story: not the byline, not the date.
        results(browser, phrasal, "search/", '"tàu container"')
        snippet = browser.find_element("css selector", "#search-results p.summary").text
        assert "tàu container" in snippet and "Hạ Long" not in snippet and "2024" not in snippet, snippet
        assert "2024" in browser.find_element("css selector", "#search-results .meta").text  # the date: its own line
        # The English edition.
        for query, found in (
            ('"container ships"', ["Van Don airport welcomes an international flight"]),
            ('"Cai Lan port"', ["Van Don airport welcomes an international flight", "A ship docks at Cai Lan port"]),
            ('"deep-water port"', ["Van Don airport welcomes an international flight"]),
            ('"sea transport"', ["The question of sea transport"]),
            ('"transport sea"', []),
        ):
            assert sorted(results(browser, phrasal, "en/search/", query)[1]) == sorted(found), query
        errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == []
    finally:
        browser.quit()

"""The archive's list pages as a reader meets them: home pages in pages, tag pages, the archive by month."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from microsite.errors import BuildError, ContentError
from microsite.publish.builder import build_site, check_site
from tests.faults import cli

TAGS = ["công nghiệp", "thương mại", "xuất khẩu", "du lịch", "Đà Nẵng"]
ENGLISH = {"công nghiệp": "industry", "thương mại": "trade", "xuất khẩu": "exports", "du lịch": "tourism"}


def soup(path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def english(source: str) -> str:
    return ENGLISH.get(source, "EN " + source)


@pytest.fixture
def archive(site):
    """45 articles, one a day from 2024-01-10 back, two tags each; bai-07 has no English yet."""
    start = dt.date(2024, 1, 10)
    for number in range(45):
        day = start - dt.timedelta(days=number)
        tags = ", ".join(TAGS[(number + k) % len(TAGS)] for k in range(2))
        front = f'title: "Bài số {number:02d}"\ndate: {day.isoformat()}\ntags: [{tags}]\n'
        site.article(f"bai-{number:02d}", body=f"Nội dung bài {number}.\n", front=front)
        site.translate(f"bai-{number:02d}", skip=1 if number == 7 else 0, translation=english)
    return site


def titles(page) -> list[str]:
    return [h.get_text(strip=True) for h in soup(page).select(".stories h2")]


def test_the_home_page_lists_the_newest_in_pages_of_twenty(archive) -> None:
    build_site(archive.config)
    out = archive.root / "site"
    assert titles(out / "index.html") == [f"Bài số {n:02d}" for n in range(20)]
    assert titles(out / "page" / "2" / "index.html") == [f"Bài số {n:02d}" for n in range(20, 40)]
    assert titles(out / "page" / "3" / "index.html") == [f"Bài số {n:02d}" for n in range(40, 45)]
    assert not (out / "page" / "4").exists() and not (out / "page" / "1").exists()
    second = soup(out / "page" / "2" / "index.html")
    assert second.find("link", rel="prev")["href"] == "../../" and second.find("link", rel="next")["href"] == "../3/"
    assert second.find("link", rel="canonical")["href"] == "https://example.org/repo/page/2/"
    first = soup(out / "index.html")
    assert first.find("link", rel="prev") is None and first.find("link", rel="next")["href"] == "page/2/"
    card = second.select_one(".stories a")  # kept cards' links work from any depth
    assert card["href"] == "../../bai-20/"
    assert len(titles(out / "en" / "index.html")) == 20 and len(titles(out / "en" / "page" / "3" / "index.html")) == 4


def test_per_page_is_a_setting(archive) -> None:
    toml = archive.root / "site.toml"
    toml.write_text("per_page = 50\n" + toml.read_text(encoding="utf-8"), encoding="utf-8")
    build_site(archive.config)
    assert len(titles(archive.root / "site" / "index.html")) == 45
    assert not (archive.root / "site" / "page").exists()
    toml.write_text(toml.read_text(encoding="utf-8").replace("per_page = 50", "per_page = 0"), encoding="utf-8")
    with pytest.raises(ContentError, match=r"site\.toml:1: per_page 0 must be a whole number from 1 to 1000"):
        archive.config  # noqa: B018


def test_tag_pages_in_each_language_with_ascii_names_and_an_index(archive) -> None:
    build_site(archive.config)
    out = archive.root / "site"
    industry = out / "tags" / "cong-nghiep" / "index.html"
    listed = titles(industry)
    assert listed == sorted(listed) and len(listed) == 18  # newest (lowest number) first, 2 of every 5 articles
    assert soup(industry).h1.text == "Chủ đề: công nghiệp"
    assert (out / "tags" / "da-nang" / "index.html").is_file()
    english_page = out / "en" / "tags" / "industry" / "index.html"
    assert soup(english_page).h1.text == "Topic: industry"
    assert "Bài số 07" not in english_page.read_text()  # not in English yet: not on English lists
    index = soup(out / "tags" / "index.html")
    names = [a.text for a in index.select(".index-list a")]
    assert names == ["công nghiệp", "du lịch", "Đà Nẵng", "thương mại", "xuất khẩu"]  # as Vietnamese sorts
    article = soup(out / "bai-00" / "index.html")
    links = {a.text: a["href"] for a in article.select(".tags a")}
    assert links == {"công nghiệp": "../tags/cong-nghiep/", "thương mại": "../tags/thuong-mai/"}
    english_links = {a.text: a["href"] for a in soup(out / "en" / "bai-00" / "index.html").select(".tags a")}
    assert english_links == {"industry": "../tags/industry/", "trade": "../tags/trade/"}


def test_the_archive_by_month(archive) -> None:
    build_site(archive.config)
    out = archive.root / "site"
    months = soup(out / "archive" / "index.html").select(".index-list a")
    assert [a.text for a in months] == ["Tháng 1 năm 2024", "Tháng 12 năm 2023", "Tháng 11 năm 2023"]
    assert months[0]["href"] == "2024/01/"
    # each month says what its number counts, for readers and screen readers alike ("Tháng 1 năm 2024 10" did not)
    counts = [span.text for span in soup(out / "archive" / "index.html").select(".index-list .count")]
    assert counts[0] == "(10 bài)" and all(count.endswith(" bài)") for count in counts)
    english = [span.text for span in soup(out / "en" / "archive" / "index.html").select(".index-list .count")]
    assert all(count.endswith((" articles)", "(1 article)")) for count in english) and english
    assert titles(out / "archive" / "2024" / "01" / "index.html") == [f"Bài số {n:02d}" for n in range(10)]
    assert soup(out / "en" / "archive" / "2023" / "12" / "index.html").h1.text == "December 2023"


def test_every_list_page_is_in_the_sitemap_with_its_alternates(archive) -> None:
    build_site(archive.config)
    out = archive.root / "site"
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ElementTree.parse(out / "sitemap.xml").getroot()
    urls = {url.find("s:loc", namespace).text: url for url in root.findall("s:url", namespace)}
    base = "https://example.org/repo/"
    for page in out.rglob("index.html"):
        path = page.parent.relative_to(out).as_posix()
        if path.endswith("search"):  # a page for readers only (noindex), not for search engines
            assert base + path + "/" not in urls
            continue
        assert (base + path + "/" if path != "." else base) in urls, page
    industry = urls[base + "tags/cong-nghiep/"]
    alternates = {link.get("hreflang"): link.get("href") for link in industry.findall("x:link", namespace)}
    assert alternates == {"vi": base + "tags/cong-nghiep/", "en": base + "en/tags/industry/"}


def test_a_tag_translated_two_ways_is_a_check_finding(archive) -> None:
    po = archive.root / "content" / "bai-02" / "en.po"  # its tags: thương mại, xuất khẩu
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "exports"', 'msgstr "export"'), encoding="utf-8")
    _, _, found = check_site(archive.config)
    (finding,) = found
    assert finding.path == po
    assert "the tag 'xuất khẩu' is 'export' here but 'exports' in bai-" in finding.message
    with pytest.raises(BuildError, match="the tag 'xuất khẩu' is 'export' here"):
        build_site(archive.config, strict=True)
    result = cli("check", "--root", str(archive.root))
    assert "the tag 'xuất khẩu' is 'export' here" in result.stderr and "1 QA finding(s)" in result.stdout


@pytest.mark.parametrize("slug", ["tags", "archive", "page", "sitemaps"])
def test_list_folders_are_reserved(site, slug: str) -> None:
    site.article(slug)
    with pytest.raises(BuildError, match="reserved"):
        build_site(site.config)


def test_the_404_page_carries_both_mastheads(archive) -> None:
    build_site(archive.config)
    page = soup(archive.root / "site" / "404.html")
    brands = [(a.text, a["href"]) for a in page.select(".masthead .brand")]
    assert [href for _, href in brands] == ["/repo/", "/repo/en/"]
    sections = [a["href"] for a in page.select(".masthead .sections a")]
    assert sections == ["/repo/tags/", "/repo/archive/", "/repo/en/tags/", "/repo/en/archive/"]


LIST_PAGES = [
    "index.html", "page/2/index.html", "tags/index.html", "tags/cong-nghiep/index.html", "archive/index.html",
    "archive/2024/01/index.html", "bai-07/index.html", "404.html", "en/index.html", "en/page/2/index.html",
    "en/tags/index.html", "en/tags/industry/index.html", "en/archive/index.html", "en/archive/2023/12/index.html",
    "en/bai-00/index.html",
]  # fmt: skip


def test_every_new_page_type_passes_the_nu_html_checker(archive) -> None:
    from tests.test_external import nu_check

    build_site(archive.config)
    nu_check(archive.root / "site")  # every page of the site, warnings included


def test_every_new_page_type_is_axe_clean_in_a_real_browser(archive) -> None:
    from tests.browser import chrome
    from tests.needs import need_axe

    axe = need_axe()
    build_site(archive.config)
    out = archive.root / "site"
    browser = chrome()
    found = {}
    try:
        for page in [*LIST_PAGES, "en/index.html#not-translated"]:
            file, _, fragment = page.partition("#")
            browser.get((out / file).as_uri() + (f"#{fragment}" if fragment else ""))
            browser.execute_script(axe)
            found[page] = browser.execute_async_script(
                "const done = arguments[0];"
                "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));"
            )
        browser.get((out / "en/index.html").as_uri() + "#not-translated")
        assert browser.find_element("id", "not-translated").is_displayed()
        browser.get((out / "en/index.html").as_uri())
        assert not browser.find_element("id", "not-translated").is_displayed()
    finally:
        browser.quit()
    assert {page: violations for page, violations in found.items() if violations} == {}


def test_tag_feeds_are_a_setting(archive) -> None:
    build_site(archive.config)
    assert not (archive.root / "site" / "tags" / "cong-nghiep" / "feed.xml").exists()
    toml = archive.root / "site.toml"
    toml.write_text("tag_feeds = true\n" + toml.read_text(encoding="utf-8"), encoding="utf-8")
    build_site(archive.config)
    feed = archive.root / "site" / "en" / "tags" / "industry" / "feed.xml"
    atom = "{http://www.w3.org/2005/Atom}"
    root = ElementTree.parse(feed).getroot()
    assert root.find(f"{atom}title").text == "Topic: industry | Test News"
    assert len(root.findall(f"{atom}entry")) == 18
    page = soup(archive.root / "site" / "en" / "tags" / "industry" / "index.html")
    assert page.find("link", type="application/atom+xml", title="Topic: industry | Test News")["href"] == "feed.xml"


def test_editing_one_article_rewrites_only_the_pages_that_show_it(archive, monkeypatch) -> None:
    """Unchanged pages of the new site are copies of the files the last build kept in .cache/lists/.

    The edit (a new title: its cards change, not its place in the lists) is planned from the last
    site's record: the list pages are not put together whole."""
    import time

    from microsite.cache import TOO_RECENT
    from microsite.publish import builder

    whole = []
    real = builder._write_lists
    monkeypatch.setattr(builder, "_write_lists", lambda *args: whole.append(1) or real(*args))

    time.sleep(TOO_RECENT + 0.1)  # old enough for the build to keep its records and list pages
    build_site(archive.config)
    out = archive.root / "site"

    kept = archive.config.cache_dir / "lists"

    def kept_pages() -> set:
        return set(kept.rglob("*.html"))

    before = kept_pages()
    for name in ("index.md", "en.po"):
        file = archive.root / "content" / "bai-10" / name
        file.write_text(file.read_text(encoding="utf-8").replace("Bài số 10", "Bài số mười"), encoding="utf-8")
    whole.clear()
    build_site(archive.config)
    assert whole == []  # planned from the site's record
    made = {page.read_bytes() for page in kept_pages() - before}  # put together by this build
    reused = {page.read_bytes() for page in kept_pages() & before}
    pages = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("index.html")}
    changed = {path for path, data in pages.items() if data in made}
    assert not changed & {path for path, data in pages.items() if data in reused}
    assert {path for path, data in pages.items() if data not in made | reused} == set()
    # the articles whose related reading shows bai-10 (its card changed) are put together again
    showing = {
        page.relative_to(out).as_posix()
        for page in out.rglob("index.html")
        if soup(page).select_one('.related a[href="../bai-10/"]') is not None
    }
    assert len(showing) > 10 and "bai-00/index.html" in showing and "en/bai-00/index.html" in showing
    # bai-10: its pages, the first page of each home page, its two tags' pages, its month (Dec 2023)
    assert changed == showing | {
        "bai-10/index.html", "en/bai-10/index.html", "index.html", "en/index.html",
        "tags/cong-nghiep/index.html", "tags/thuong-mai/index.html", "en/tags/industry/index.html",
        "en/tags/trade/index.html", "archive/2023/12/index.html", "en/archive/2023/12/index.html",
    }  # fmt: skip
    assert "Bài số mười" in (out / "bai-00" / "index.html").read_text(encoding="utf-8")


def test_each_article_ends_with_related_reading_from_its_edition(archive) -> None:
    build_site(archive.config)
    out = archive.root / "site"
    related = soup(out / "bai-00" / "index.html").select(".related h2 a")
    # the most tags shared first (bai-05, 10, 15 share both of bai-00's), then the newest
    assert [(a.text, a["href"]) for a in related] == [
        ("Bài số 05", "../bai-05/"), ("Bài số 10", "../bai-10/"), ("Bài số 15", "../bai-15/")
    ]  # fmt: skip
    english = soup(out / "en" / "bai-02" / "index.html").select(".related h2 a")  # bai-07 shares both tags
    assert "Bài số 07" not in [a.text for a in english] and len(english) == 3  # it is not in English yet
    heading = soup(out / "en" / "bai-02" / "index.html").select_one(".related h2#related-reading")
    assert heading.text == "Related reading"


def test_related_reading_ranks_as_comparing_every_pair_would() -> None:
    """The grouped search gives what the obvious quadratic one gives, on random archives."""
    import random
    from pathlib import Path

    from microsite.publish.lists import related_reading
    from microsite.publish.records import ArticleRecord, Tag

    rng = random.Random(7)
    for round in range(60):
        records = []
        most = 4 if round % 3 else 11  # (a set of more than Related.SUBSETS_UP_TO tags is ranked otherwise)
        count = (1, 3, 5)[round % 3]
        for number in range(rng.randrange(1, 60)):
            tags = tuple(Tag(t, t, t) for t in rng.sample("abcdefghijk", rng.randrange(0, most)))
            record = ArticleRecord(Path(f"/x/{number}/index.md"), "k", "s", slug=f"a{number}")
            record.tags, record.pages = {"en": tags}, {"en": f"page {number}"}
            records.append(record)
        found = related_reading(records, "en", count=count)
        for number, record in enumerate(records):
            mine = {tag.slug for tag in record.tags["en"]}
            shared = {
                other: len(mine & {tag.slug for tag in records[other].tags["en"]})
                for other in range(len(records))
                if other != number
            }
            best = sorted((o for o, n in shared.items() if n), key=lambda o: (-shared[o], o))[:count]
            assert found[record.slug] == [f"page {other}" for other in best]


def test_the_articles_showing_one_in_their_related_reading_are_those_comparing_every_one_finds() -> None:
    """Related.showing (which pages a card edit puts together again) against every article's
    related reading, on random archives: none missed, none extra."""
    import random
    from pathlib import Path

    from microsite.publish.lists import Related
    from microsite.publish.records import ArticleRecord, Tag

    rng = random.Random(11)
    for _ in range(40):
        records = []
        for number in range(rng.randrange(1, 50)):
            tags = tuple(Tag(t, t, t) for t in rng.sample("abcdef", rng.randrange(0, 5)))
            record = ArticleRecord(Path(f"/x/{number}/index.md"), "k", "s", slug=f"a{number}")
            record.tags, record.pages = {"en": tags}, {"en": number}
            records.append(record)
        index = Related(records, "en")
        for number in range(len(records)):
            expected = [other for other in range(len(records)) if number in index.of(other)]
            assert index.showing(number) == expected


def test_each_output_keeps_its_own_list_pages(archive, tmp_path) -> None:
    """Pruning one output's kept list pages never removes another's (builds may run at once)."""
    import time

    from microsite.cache import TOO_RECENT
    from microsite.publish.records import state_path

    time.sleep(TOO_RECENT + 0.1)
    build_site(archive.config)
    build_site(archive.config, output=tmp_path / "elsewhere")
    folders = sorted((archive.config.cache_dir / "lists").iterdir())
    assert len(folders) == 2 and all(any(folder.glob("*.html")) for folder in folders)
    other = state_path(archive.config.cache_dir, (tmp_path / "elsewhere").resolve()).stem.removeprefix("state-")
    kept = sorted(p.name for p in (archive.config.cache_dir / "lists" / other).glob("*.html"))
    build_site(archive.config)  # prunes only its own folder
    assert sorted(p.name for p in (archive.config.cache_dir / "lists" / other).glob("*.html")) == kept


def test_a_large_site_gets_a_sitemap_index_by_month_and_an_edit_rewrites_its_month_only(archive, monkeypatch) -> None:
    from microsite.publish import pages

    monkeypatch.setattr(pages, "SITEMAP_URLS", 40)  # as a site of more than 1,000 pages
    build_site(archive.config)
    out = archive.root / "site"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    base = "https://example.org/repo/"
    index = ElementTree.parse(out / "sitemap.xml").getroot()
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    listed = {entry.find("s:loc", ns).text: entry.findtext("s:lastmod", None, ns) for entry in index}
    names = sorted(loc.removeprefix(base) for loc in listed)
    # 2023-12 has 31 articles in two editions (62 pages): two files of at most 40
    months = ["sitemaps/2023-11.xml", "sitemaps/2023-12-2.xml", "sitemaps/2023-12.xml", "sitemaps/2024-01.xml"]
    assert names == [*months, "sitemaps/pages.xml"]
    assert sorted(p.relative_to(out).as_posix() for p in (out / "sitemaps").iterdir()) == names
    seen: list[str] = []
    for loc, lastmod in listed.items():
        urls = ElementTree.parse(out / loc.removeprefix(base)).getroot().findall("s:url", ns)
        assert 0 < len(urls) <= 40
        seen += [url.find("s:loc", ns).text for url in urls]
        dates = [url.findtext("s:lastmod", None, ns) for url in urls if url.find("s:lastmod", ns) is not None]
        assert lastmod == (max(dates) if dates else None), loc
    assert len(seen) == len(set(seen))
    pages_of_site = {base + p.parent.relative_to(out).as_posix() + "/" for p in out.rglob("index.html")}
    pages_of_site = {url.replace(base + "./", base) for url in pages_of_site if not url.endswith("search/")}
    assert set(seen) == pages_of_site
    before = {p.name: p.read_bytes() for p in (out / "sitemaps").iterdir()}
    article = archive.root / "content" / "bai-44" / "index.md"  # 2023-11-27: a new time that day
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("date: 2023-11-27", "date: 2023-11-27T09:30:00+07:00"), encoding="utf-8")
    build_site(archive.config)
    after = {p.name: p.read_bytes() for p in (out / "sitemaps").iterdir()}
    assert after.keys() == before.keys()
    assert [name for name in after if after[name] != before[name]] == ["2023-11.xml"]
    assert b"2023-11-27T09:30:00+07:00" in after["2023-11.xml"]
    monkeypatch.setattr(pages, "SITEMAP_URLS", 10_000)  # fewer pages than the limit: one sitemap again
    # (a constant of the code: changed for real, the code's version changes and every page is
    # planned again; patched here, the build's state is dropped to the same end)
    for state in (archive.root / ".cache").glob("state-*.sqlite"):
        state.unlink()
    build_site(archive.config)
    assert ElementTree.parse(out / "sitemap.xml").getroot().tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    assert not (out / "sitemaps").exists()


def test_a_sitemap_files_lastmod_is_its_latest_moment_whatever_the_offsets() -> None:
    from microsite.publish.builder import _newest

    # the same evening either side of the summer-time change: 01:30 UTC is later than 01:10 UTC
    assert _newest(["2024-03-31T02:30:00+01:00", "2024-03-31T03:10:00+02:00", None]) == "2024-03-31T02:30:00+01:00"
    assert _newest([None, None]) is None


def test_list_pages_left_unused_are_removed_by_change_and_strays_at_the_sweep(archive) -> None:
    """An edit removes the kept list pages the last build used and it did not, without listing the
    folder (at 100,000 articles, some 300,000 pages); a page no state names (a killed build's) is
    removed by the next build that sweeps what killed builds left."""
    import subprocess
    import sys
    import time

    from microsite.cache import TOO_RECENT

    time.sleep(TOO_RECENT + 0.1)
    build_site(archive.config)
    (folder,) = (archive.config.cache_dir / "lists").iterdir()
    stray = folder / f"{'0' * 32}.html"
    stray.write_text("a page a killed build kept", encoding="utf-8")
    before = set(folder.glob("*.html"))
    page = archive.root / "content" / "bai-03" / "index.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Bài số 03", "Bài số ba"), encoding="utf-8")
    build_site(archive.config)
    after = set(folder.glob("*.html"))
    assert stray.exists() and before - after and after - before  # the home page and others made again
    home = (archive.root / "site" / "index.html").read_bytes()
    assert [path for path in after if path.read_bytes() == home] and not [
        path for path in before - after if path.exists()
    ]
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (archive.config.cache_dir / "running" / dead.stdout.strip()).touch()  # the mark of a build killed
    page.write_text(page.read_text(encoding="utf-8") + "\nMột câu nữa.\n", encoding="utf-8")
    build_site(archive.config)
    home = (archive.root / "site" / "index.html").read_bytes()
    assert not stray.exists() and [path for path in folder.glob("*.html") if path.read_bytes() == home]


@pytest.mark.parametrize("limit", [10_000, 40])
def test_the_sitemap_template_sees_each_article_pages_alternates_whole(archive, monkeypatch, limit) -> None:
    """The sitemap's template is the newsroom's to change: it may show any field of a page's
    alternates (its language's name and locale, the link to it from the page), in one sitemap or
    in one a month."""
    from microsite.publish import pages

    monkeypatch.setattr(pages, "SITEMAP_URLS", limit)
    template = archive.root / "templates" / "sitemap.xml"
    link = '<xhtml:link rel="alternate" hreflang="{{ alt.code }}" href="{{ alt.url }}"/>'
    shown = '<xhtml:link rel="alternate" title="{{ alt.name }}|{{ alt.locale }}|{{ alt.href }}|{{ alt.current }}"/>'
    text = template.read_text(encoding="utf-8")
    assert link in text
    template.write_text(text.replace(link, link + shown), encoding="utf-8")
    build_site(archive.config)
    out = archive.root / "site"
    files = [out / "sitemap.xml", *sorted((out / "sitemaps").glob("*.xml"))]
    assert (len(files) > 1) == (limit == 40)
    entries = "".join(path.read_text(encoding="utf-8") for path in files).split("<url>")
    (entry,) = [entry for entry in entries if "<loc>https://example.org/repo/bai-44/</loc>" in entry]
    assert 'title="Tiếng Việt|vi_VN|./|True"' in entry
    assert 'title="English|en_US|../en/bai-44/|False"' in entry


def test_the_list_pages_showing_some_articles_are_those_every_list_page_finds(site) -> None:
    """An edit of some articles' cards renders the list pages showing them (and their
    counterparts in the other editions), found from the editions' related-reading indexes without
    making every list's pages: the same pages, contexts and counterparts as making them all and
    keeping those showing one, on random archives (tags translated two ways or merged, articles
    with no English, months and lists one page long or many)."""
    import random
    from collections import defaultdict
    from pathlib import Path

    from microsite.publish.builder import _newest_first
    from microsite.publish.lists import Related, _edition_specs, _specs_showing
    from microsite.publish.records import ArticleRecord, Tag
    from microsite.publish.render import Renderer

    rng = random.Random(5)
    start = dt.datetime(2024, 3, 31, 23)
    for round in range(80):
        config = site.config._replace(per_page=rng.choice([1, 2, 3, 20]), tag_feeds=bool(round % 2))
        renderer = Renderer(config)
        records = []
        for number in range(rng.randrange(1, 40)):
            sources = rng.sample("abcdefg", rng.randrange(0, 4))
            vi = tuple(Tag(s, s, s) for s in sources)
            slugs = [f"t-{s}" if rng.random() < 0.9 else f"t-{rng.choice('xy')}" for s in sources]  # (some merged)
            en = tuple(Tag(s, rng.choice((s.upper(), s.title())), slug) for s, slug in zip(sources, slugs, strict=True))
            record = ArticleRecord(Path(f"/x/bai-{number}/index.md"), "k", "s", slug=f"bai-{number}")
            record.date = start - dt.timedelta(hours=number * rng.choice([1, 30]))
            english = rng.random() < 0.8
            record.tags = {"vi": vi, "en": en} if english else {"vi": vi}
            record.pages = {"vi": f"vi {number}", "en": f"en {number}"} if english else {"vi": f"vi {number}"}
            records.append(record)
        records.sort(key=_newest_first)
        carded = rng.sample(records, rng.randrange(1, min(4, len(records)) + 1))
        shown = {record.where for record in carded}
        # (the indexes the edit's plan made; the others are made on demand)
        made = {code: Related(records, code) for code in ("vi", "en") if rng.random() < 0.5}
        every = []
        for language in config.languages:
            edition = [record for record in records if language.code in record.page_languages]
            every += _edition_specs(renderer, language, edition, None)
        expected_counterparts = defaultdict(dict)
        for spec in every:
            expected_counterparts[spec.key][spec.code] = spec.path

        def seen(spec) -> tuple:
            rest = {name: value for name, value in spec.context.items() if name != "pages"}
            return (spec.key, spec.code, spec.path, spec.heading, spec.template, rest, spec.context["pages"].records)

        expected = [
            spec
            for spec in every
            if (pages := spec.context.get("pages")) is not None and any(r.where in shown for r in pages.records)
        ]
        found, counterparts = _specs_showing(renderer, records, carded, made)
        assert [seen(spec) for spec in found] == [seen(spec) for spec in expected]
        for spec in found:
            assert list(counterparts[spec.key].items()) == list(expected_counterparts[spec.key].items())

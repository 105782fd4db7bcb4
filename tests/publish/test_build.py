"""Whole builds of small fixture sites: pages, languages, warnings, and the atomic swap."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import unicodedata
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from microsite.errors import BuildError, ContentError
from microsite.publish.builder import build_site, check_site
from tests.conftest import REPO


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def bilingual(site):
    site.article(
        "bai-mot",
        body='Đoạn **một**.\n\n![Ảnh đoàn công tác](images/a.jpg "Chú thích ảnh.")\n\n## Phần hai\n\n- Mục\n',
        photos=("images/a.jpg",),
    )
    site.translate("bai-mot")
    return site


def test_both_languages_cross_linked(bilingual) -> None:
    result = build_site(bilingual.config)
    out = bilingual.root / "site"
    assert result.pages == {"vi": 1, "en": 1}
    vi, en = soup(out / "bai-mot" / "index.html"), soup(out / "en" / "bai-mot" / "index.html")
    assert vi.html["lang"] == "vi" and en.html["lang"] == "en"
    for page, own in ((vi, "https://example.org/repo/bai-mot/"), (en, "https://example.org/repo/en/bai-mot/")):
        assert page.find("link", rel="canonical")["href"] == own
        alternates = {link["hreflang"]: link["href"] for link in page.find_all("link", rel="alternate", hreflang=True)}
        assert alternates == {
            "vi": "https://example.org/repo/bai-mot/",
            "en": "https://example.org/repo/en/bai-mot/",
            "x-default": "https://example.org/repo/bai-mot/",
        }
    assert vi.find("nav", class_="languages").find("a", hreflang="en")["href"] == "../en/bai-mot/"
    assert en.find("nav", class_="languages").find("a", hreflang="vi")["href"] == "../../bai-mot/"
    assert vi.find("meta", property="og:locale")["content"] == "vi_VN"
    assert vi.find("meta", property="og:locale:alternate")["content"] == "en_US"
    assert vi.find("time").text == "25 tháng 6, 2021"
    assert en.find("time").text == "June 25, 2021"
    assert en.find("h1").text == "EN Tieu de bai viet"
    assert en.find("figcaption").text == "EN Chu thich anh."
    assert en.find("figure").img["alt"] == "EN Anh doan cong tac"
    assert "reviewed by our editors" in en.find("aside", class_="notice").text
    vi_data = json.loads(vi.find("script", type="application/ld+json").string)
    en_data = json.loads(en.find("script", type="application/ld+json").string)
    assert vi_data["workTranslation"][0]["@id"] == en_data["@id"]
    assert en_data["translationOfWork"]["@id"] == vi_data["@id"]
    for name in (".nojekyll", "404.html", "robots.txt", "sitemap.xml", "feed.xml", "en/feed.xml", "static/style.css"):
        assert (out / name).is_file(), name


def test_photos_are_copied_once_with_size_and_variants(bilingual) -> None:
    build_site(bilingual.config)
    out = bilingual.root / "site"
    assert sorted(p.name for p in (out / "bai-mot" / "images").iterdir()) == [
        "a-1200w.webp", "a-480w.jpg", "a-480w.webp", "a-960w.jpg", "a-960w.webp", "a.jpg"
    ]  # fmt: skip
    assert not (out / "en" / "bai-mot" / "images").exists()
    img = soup(out / "en" / "bai-mot" / "index.html").find("figure").img
    assert img["src"] == "../../bai-mot/images/a.jpg"
    assert (img["width"], img["height"]) == ("1200", "800")
    assert "../../bai-mot/images/a-480w.jpg 480w" in img["srcset"]
    source = img.find_parent("picture").find("source")  # the same sizes, half the weight, where browsers take WebP
    assert source["type"] == "image/webp" and source["sizes"] == img["sizes"] == "(min-width: 46rem) 42rem, 100vw"
    assert source["srcset"].split(", ") == [
        f"../../bai-mot/images/a-{width}w.webp {width}w" for width in (480, 960, 1200)
    ]
    images = out / "bai-mot" / "images"
    original = bilingual.root / "content" / "bai-mot" / "images" / "a.jpg"
    assert (images / "a.jpg").read_bytes() == original.read_bytes()
    # Nothing in site/ shares its bytes with the newsroom's photo or the cache (a tool editing
    # the site in place must change neither): every file is a copy.
    assert original.stat().st_nlink == 1
    assert not (images / "a.jpg").samefile(original)
    cached = bilingual.config.cache_dir / "images"
    assert any((images / "a.jpg").read_bytes() == copy.read_bytes() for copy in cached.iterdir())
    assert any((images / "a-480w.jpg").read_bytes() == variant.read_bytes() for variant in cached.iterdir())
    assert all(file.stat().st_nlink == 1 for file in out.rglob("*") if file.is_file())


def test_variant_cache_is_reused_and_keyed_by_content(bilingual) -> None:
    assert build_site(bilingual.config).variants_made == 5  # 480 and 960 px, and WebP at those and 1200
    assert build_site(bilingual.config).variants_made == 0
    from tests.conftest import make_photo

    make_photo(bilingual.root / "content" / "bai-mot" / "images" / "a.jpg", color="darkred")
    assert build_site(bilingual.config).variants_made == 5


def test_an_edit_of_the_text_reads_none_of_its_photos_again(bilingual, monkeypatch, tmp_path) -> None:
    """An article read again for its text takes its photos as they were read, when their files are
    as they were then (by their stats in the build's snapshot); a photo replaced is read again."""
    import shutil
    import time

    from microsite.cache import TOO_RECENT
    from microsite.content.config import load_config
    from microsite.publish import builder
    from tests.conftest import make_photo
    from tests.index_reader import answers, without_index

    build_site(bilingual.config)
    time.sleep(TOO_RECENT * 3)  # (past the window in which a file's stat cannot stand for it)
    build_site(bilingual.config)
    read: list[str] = []
    inspect = builder.inspect_image
    monkeypatch.setattr(builder, "inspect_image", lambda file, cache: read.append(file.name) or inspect(file, cache))
    index = bilingual.root / "content" / "bai-mot" / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("Đoạn", "Một đoạn", 1), encoding="utf-8")
    build_site(bilingual.config)
    assert read == []
    out = bilingual.root / "site"
    assert "Một đoạn" in (out / "bai-mot" / "index.html").read_text(encoding="utf-8")
    fresh = tmp_path / "fresh"
    shutil.copytree(bilingual.root, fresh, ignore=shutil.ignore_patterns(".cache", "site"))
    build_site(load_config(fresh / "site.toml"))
    assert without_index(snapshot(fresh / "site")) == without_index(snapshot(out))
    assert answers(fresh / "site") == answers(out)  # (an index made edit by edit: by what it answers)
    read.clear()  # (the clean build's own reading)
    time.sleep(TOO_RECENT * 3)
    make_photo(bilingual.root / "content" / "bai-mot" / "images" / "a.jpg", size=(1000, 500))
    build_site(bilingual.config)
    assert read == ["a.jpg"]
    img = soup(out / "bai-mot" / "index.html").find("figure").img
    assert (img["width"], img["height"]) == ("1000", "500")


def test_incomplete_translation_leaves_the_article_out_of_english(site) -> None:
    site.article("day-du", body="Một.\n")
    site.translate("day-du")
    site.article("thieu", body="Một.\n\nHai.\n\nBa.\n")
    site.translate("thieu", skip=2)
    result = build_site(site.config)
    out = site.root / "site"
    assert result.pages == {"vi": 2, "en": 1}
    assert not (out / "en" / "thieu").exists()
    (warning,) = result.warnings
    assert warning.path.name == "index.md" and warning.path.parent.name == "thieu"
    assert "left out of the en edition: 2 segment(s) have no en text yet" in warning.message
    assert "thieu" not in (out / "en" / "index.html").read_text()
    assert "thieu" not in (out / "en" / "feed.xml").read_text()
    assert "en/thieu" not in (out / "sitemap.xml").read_text()
    vi_page = soup(out / "thieu" / "index.html")
    assert vi_page.find("link", hreflang="en") is None  # no English version to announce
    # The switcher still offers English: the English front page, with a note that says why.
    english = vi_page.find("nav", class_="languages").find("a", hreflang="en")
    assert english.text == "English" and english["href"] == "../en/#not-translated"
    note = soup(out / "en" / "index.html").find(id="not-translated")
    assert "not available in English yet" in note.text
    assert soup(out / "index.html").find(id="not-translated") is None  # every article is in Vietnamese


def test_strict_turns_the_warning_into_a_failure(site) -> None:
    site.article("thieu")
    with pytest.raises(BuildError, match="left out of the en edition"):
        build_site(site.config, strict=True)
    assert not (site.root / "site").exists()


def test_machine_drafts_are_published_with_an_honest_notice(site) -> None:
    site.article("may", body="Một.\n\nHai.\n")
    site.translate("may", fuzzy=True)
    site.publish_drafts()
    build_site(site.config)
    page = soup(site.root / "site" / "en" / "may" / "index.html")
    notice = page.find("aside", class_="notice").text
    assert "This page was machine translated from Vietnamese" in notice
    assert "checked 0 of its 4 passages" in notice
    assert "Machine translation" in (site.root / "site" / "en" / "index.html").read_text()


def test_home_lists_newest_first(site) -> None:
    site.article("cu", front='title: "Cũ"\ndate: 2020-01-01\n')
    site.article("moi", front='title: "Mới"\ndate: 2021-01-01\n')
    site.article("nhap", front='title: "Nháp"\ndate: 2022-01-01\ndraft: true\n')
    build_site(site.config)
    titles = [h.text for h in soup(site.root / "site" / "index.html").select(".stories h2")]
    assert titles == ["Mới", "Cũ"]
    assert not (site.root / "site" / "nhap").exists()


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="sets the process's time zone (time.tzset: Unix)")
def test_newest_first_is_the_order_of_the_times_as_written_on_any_machine(monkeypatch) -> None:
    """Articles are listed by the time each gives, as written (an offset set aside; a date alone is
    its midnight), then by name, whatever the building machine's time zone: in Berlin 02:30 on the
    night clocks go forward does not exist, and read as Berlin time it came after 03:05."""
    from types import SimpleNamespace

    from microsite.publish.builder import _newest_first

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        day, hanoi = dt.date(2021, 3, 28), dt.timezone(dt.timedelta(hours=7))
        articles = [
            SimpleNamespace(slug="a-dem", date=dt.datetime(2021, 3, 28, 2, 30)),
            SimpleNamespace(slug="b-sang", date=dt.datetime(2021, 3, 28, 3, 5)),
            SimpleNamespace(slug="c-ngay", date=day),
            SimpleNamespace(slug="d-nua-dem", date=dt.datetime(2021, 3, 28, 0, 0)),
            SimpleNamespace(slug="e-hanoi", date=dt.datetime(2021, 3, 28, 2, 45, tzinfo=hanoi)),
            SimpleNamespace(slug="f-truoc", date=dt.date(2021, 3, 27)),
        ]
        ordered = [article.slug for article in sorted(articles, key=_newest_first)]
        assert ordered == ["b-sang", "e-hanoi", "a-dem", "c-ngay", "d-nua-dem", "f-truoc"]
    finally:
        monkeypatch.undo()
        time.tzset()


def test_all_errors_are_gathered_before_anything_is_written(site) -> None:
    site.article("hong-mot", front='title: "A"\n')
    site.article("hong-hai", front='title: "B"\ndate: 2021-06-25\n', body="![x](khong-co.jpg)\n")
    with pytest.raises(BuildError) as caught:
        build_site(site.config)
    assert sorted(p.path.parent.name for p in caught.value.problems) == ["hong-hai", "hong-mot"]
    assert not (site.root / "site").exists()


def test_nfc_and_nfd_folder_names_claim_one_path(site) -> None:
    name = "tin-mới"
    site.article(unicodedata.normalize("NFC", name))
    site.article(unicodedata.normalize("NFD", name))
    with pytest.raises(BuildError, match="both claim site/tin-mới/") as caught:
        check_site(site.config)
    (problem,) = caught.value.problems
    assert problem.path.parent == site.root / "content" and unicodedata.normalize("NFC", problem.path.name) == name
    assert str(site.root / "content") in problem.message and "index.md" not in problem.message  # and the other


@pytest.mark.parametrize("slug", ["en", "static"])
def test_reserved_slugs(site, slug: str) -> None:
    site.article(slug)
    with pytest.raises(BuildError, match="reserved"):
        check_site(site.config)


def test_broken_po_stops_the_build(site) -> None:
    site.article("bai")
    (site.root / "content" / "bai" / "en.po").write_text('msgid "a"\nmsgstr "b\n', encoding="utf-8")
    with pytest.raises(BuildError, match=r"en.po:2: not valid PO syntax"):
        check_site(site.config)


def test_a_failed_build_leaves_the_previous_site_byte_identical(bilingual) -> None:
    build_site(bilingual.config)
    before = snapshot(bilingual.root / "site")
    # A template error surfaces only while writing, after everything was gathered.
    template = bilingual.root / "templates" / "article.html"
    template.write_text(template.read_text().replace("<h1>{{ page.title }}", "<h1>{{ page.no_such_field }}"))
    with pytest.raises(Exception, match="no_such_field"):
        build_site(bilingual.config)
    assert snapshot(bilingual.root / "site") == before
    assert [p.name for p in bilingual.root.iterdir() if p.name.startswith(".site")] == []


def test_a_content_error_leaves_the_previous_site_byte_identical(bilingual) -> None:
    build_site(bilingual.config)
    before = snapshot(bilingual.root / "site")
    index = bilingual.root / "content" / "bai-mot" / "index.md"
    index.write_text(index.read_text().replace("date: 2021-06-25", "date: someday"))
    with pytest.raises(BuildError):
        build_site(bilingual.config)
    assert snapshot(bilingual.root / "site") == before


def test_refuses_to_replace_a_folder_it_did_not_make(bilingual, tmp_path) -> None:
    stranger = tmp_path / "documents"
    stranger.mkdir()
    (stranger / "letter.txt").write_text("keep me")
    with pytest.raises(ContentError, match="not made by this tool"):
        build_site(bilingual.config, output=stranger)
    for precious in (bilingual.root, bilingual.root / "content" / "site", bilingual.root.parent):
        with pytest.raises(ContentError, match="would mix with"):
            build_site(bilingual.config, output=precious)
    assert (stranger / "letter.txt").read_text() == "keep me"


def test_feed_is_atom_with_absolute_links(bilingual) -> None:
    build_site(bilingual.config)
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.parse(bilingual.root / "site" / "en" / "feed.xml").getroot()
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    entry = feed.find(f"{atom}entry")
    assert entry.find(f"{atom}id").text == "https://example.org/repo/en/bai-mot/"
    assert entry.find(f"{atom}published").text == "2021-06-25T00:00:00+07:00"
    content = entry.find(f"{atom}content")
    assert content.get("{http://www.w3.org/XML/1998/namespace}base") == "https://example.org/repo/en/bai-mot/"
    assert "<strong>" in content.text


def test_pages_make_no_outside_requests(bilingual) -> None:
    build_site(bilingual.config)
    out = bilingual.root / "site"
    for page in out.rglob("*.html"):
        html = soup(page)
        for tag in html.find_all(["img", "script", "iframe", "source", "video", "audio"], src=True):
            assert "//" not in tag["src"], (page, tag)
        for tag in html.find_all("link", rel=lambda rel: rel and set(rel) & {"stylesheet", "icon", "preload"}):
            assert "//" not in tag["href"], (page, tag)
        for tag in html.find_all(srcset=True):
            assert "//" not in tag["srcset"], (page, tag)
    for css in out.rglob("*.css"):
        text = css.read_text()
        assert "@import" not in text
        for url in re.findall(r"url\(\s*[\"']?([^\"')]+)", text):  # the self-hosted font files
            assert "//" not in url and not url.startswith(("data:", "/")), (css, url)
            assert (css.parent / url).is_file(), (css, url)


def test_the_font_is_the_npm_package_s_literata_with_its_licence(bilingual) -> None:
    """static/fonts/ holds copies from @fontsource-variable/literata (scripts/update_fonts.py)."""
    from tests.needs import LITERATA, need_npm

    package = need_npm(LITERATA)
    fonts = REPO / "static" / "fonts"
    for copy in fonts.glob("*.woff2"):
        assert copy.read_bytes() == (package / "files" / copy.name).read_bytes(), copy
    assert (fonts / "LICENSE-Literata.txt").read_bytes() == (package / "LICENSE").read_bytes()
    assert len(list(fonts.glob("*.woff2"))) == 4
    build_site(bilingual.config)
    vietnamese = soup(bilingual.root / "site" / "bai-mot" / "index.html")
    preloads = [link["href"] for link in vietnamese.find_all("link", rel="preload")]
    fonts_href = "../static/fonts/literata-"
    assert preloads == [f"{fonts_href}latin-wght-normal.woff2", f"{fonts_href}vietnamese-wght-normal.woff2"]
    english = soup(bilingual.root / "site" / "en" / "bai-mot" / "index.html")
    assert [link["href"] for link in english.find_all("link", rel="preload")] == [
        "../../static/fonts/literata-latin-wght-normal.woff2"
    ]
    for href in preloads:
        assert (bilingual.root / "site" / "bai-mot" / href).resolve().is_file()


def test_a_photo_without_alt_text_is_a_warning(site) -> None:
    site.article("bai", body='Đoạn.\n\n![](images/a.jpg "Chú thích.")\n', photos=("images/a.jpg",))
    site.translate("bai")
    (warning,) = build_site(site.config).warnings
    assert warning.line == 10 and "this photo has no alt text" in warning.message


def test_an_empty_site_builds(site) -> None:
    result = build_site(site.config)
    assert result.pages == {"vi": 0, "en": 0}
    assert "Chưa có bài viết nào." in (site.root / "site" / "index.html").read_text()
    assert (
        ElementTree.parse(site.root / "site" / "en" / "feed.xml")
        .getroot()
        .find("{http://www.w3.org/2005/Atom}updated")
        .text.startswith("1970-01-01")
    )


def test_check_keeps_its_findings_in_the_records_until_an_input_changes(site, monkeypatch) -> None:
    import time

    from microsite.cache import TOO_RECENT
    from microsite.translation import qa

    site.article("bai", body="Giá tăng 15% trong quý I.\n")
    site.translate("bai", translation=lambda source: "Prices rose 51% in Q2." if "15%" in source else "Title")
    time.sleep(TOO_RECENT + 0.1)  # old enough for the build to keep the article's record
    build_site(site.config)
    calls = []
    original = qa.findings  # (imported by the build that asks for findings)
    monkeypatch.setattr(qa, "findings", lambda *args: calls.append(args[0].slug) or original(*args))

    def report() -> list[str]:
        records, warnings, _ = check_site(site.config)
        return [str(f) for r in records for found in r.findings.values() for f in found] + [str(w) for w in warnings]

    first = report()
    assert calls == ["bai"] and any("51%" in line or "15" in line for line in first)
    assert report() == first and calls == ["bai"]  # kept: not computed again
    glossary = "terms:\n  Bộ Công Thương: Ministry of Industry and Trade\n"  # not in the article: same findings
    (site.root / "content" / "glossary.yaml").write_text(glossary, encoding="utf-8")
    assert report() == first and calls == ["bai", "bai"]  # the glossary is an input of findings


def test_the_original_article_is_linked_from_both_editions(site) -> None:
    url = "https://nhandan.example.vn/xa-hoi/bai-goc-1234.html"
    front = f'title: "Tiêu đề"\ndate: 2021-06-25\nsource_url: "{url}"\n'
    site.article("co-nguon", front=front)
    site.translate("co-nguon")
    site.article("khong-nguon")
    site.translate("khong-nguon")
    build_site(site.config)
    out = site.root / "site"
    for page, words in (("co-nguon", "Bài gốc"), ("en/co-nguon", "Original article")):
        link = soup(out / page / "index.html").select_one(".source-link a")
        assert (link["href"], link.get_text(), link["rel"]) == (url, words, ["external", "noopener"])
    assert soup(out / "khong-nguon" / "index.html").select_one(".source-link") is None


def test_the_byline_is_translated_like_the_title(site) -> None:
    front = 'title: "Tiêu đề"\ndate: 2024-05-01\nsource: Phóng viên Hạ Long\n'
    site.article("bai", body="Đoạn văn.\n", front=front)
    english = {"Tiêu đề": "Headline", "Phóng viên Hạ Long": "Ha Long correspondent", "Đoạn văn.": "A paragraph."}
    site.translate("bai", translation=english.__getitem__)
    build_site(site.config)
    out = site.root / "site"
    pages = {code: BeautifulSoup((out / path).read_text(encoding="utf-8"), "html.parser") for code, path in (
        ("vi", "bai/index.html"), ("en", "en/bai/index.html"))}  # fmt: skip
    assert pages["vi"].select_one(".byline").get_text() == "Phóng viên Hạ Long"
    assert pages["en"].select_one(".byline").get_text() == "Ha Long correspondent"
    data = json.loads(pages["en"].select_one('script[type="application/ld+json"]').string)
    assert data["author"]["name"] == "Ha Long correspondent"
    assert "<name>Ha Long correspondent</name>" in (out / "en/feed.xml").read_text(encoding="utf-8")
    # Without its English (a catalog from before bylines were segments), the byline is shown as
    # written and holds nothing back; check does not count it as missing.
    catalog = site.root / "content/bai/en.po"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace('"Ha Long correspondent"', '""'), encoding="utf-8")
    result = build_site(site.config)
    assert result.warnings == [] and result.pages == {"vi": 1, "en": 1}
    page = BeautifulSoup((out / "en/bai/index.html").read_text(encoding="utf-8"), "html.parser")
    assert page.select_one(".byline").get_text() == "Phóng viên Hạ Long"
    assert "reviewed" in page.select_one(".notice").get("class", [""])[1]  # every counted passage is reviewed
    records, warnings, found = check_site(site.config)
    assert records[0].states["en"]["missing"] == 0 and warnings == [] and found == []
    from microsite.desk.review import review_article

    review = review_article(site.config, "bai", "en")
    assert review.counts["missing"] == 0 and review.publishable("reviewed")  # the desk agrees


def test_the_articles_found_from_the_snapshot_are_those_the_folder_holds(site, monkeypatch) -> None:
    """The build finds its articles in the snapshot it took of ``content/`` (no second walk), and
    finds exactly what listing the folder finds: articles, folders without ``index.md`` (a
    warning), hidden and underscore folders and stray files skipped, an ``index.md`` that is a
    link to nothing or a folder still listed (reading it says what is wrong), and through a link
    to a folder the folder itself is asked."""
    from microsite.content.discovery import find_articles
    from microsite.publish import builder
    from microsite.publish.builder import _find_articles
    from microsite.publish.manifest import Manifest, build_options

    content = site.root / "content"
    site.article("bai-a")
    site.article("bai-b")
    (content / "empty").mkdir()
    (content / ".hidden").mkdir()
    (content / "_drafts").mkdir()
    (content / "_drafts" / "index.md").write_text("x", encoding="utf-8")
    (content / "notes.txt").write_text("x", encoding="utf-8")
    (content / "dangling").mkdir()
    (content / "dangling" / "index.md").symlink_to(site.root / "nowhere.md")
    (content / "odd").mkdir()
    (content / "odd" / "index.md").mkdir()
    config = site.config

    def found() -> tuple[list, list]:
        manifest = Manifest.begin(site.root.resolve(), config.output_dir.resolve(), build_options(config))
        return _find_articles(config, manifest)

    asked = []
    monkeypatch.setattr(builder, "find_articles", lambda folder: asked.append(folder) or find_articles(folder))
    paths, warnings = found()
    assert asked == []  # (from the snapshot alone)
    assert [path.parent.name for path in paths] == ["bai-a", "bai-b", "dangling", "odd"]
    assert (paths, warnings) == find_articles(content)
    assert [w.path.name for w in warnings] == ["empty"] and "no index.md" in warnings[0].message
    (content / "linked").symlink_to(content / "bai-a", target_is_directory=True)
    assert found() == find_articles(content) and "linked" in [p.parent.name for p in found()[0]]
    assert asked == [content, content]


def test_the_articles_keys_worked_out_beside_the_build_are_those_worked_out_here(site, monkeypatch) -> None:
    """A forked child works out the articles' keys while the build loads the last records: its
    answer is the keys this process would work out; a child killed, or one whose answer is not
    wanted, is stopped and reaped, and the keys are worked out here."""
    import os
    import signal
    import threading
    import time

    from microsite.cache import TOO_RECENT
    from microsite.publish import builder
    from microsite.publish.manifest import Manifest, build_options

    monkeypatch.setattr(builder, "KEYS_AHEAD", 1)
    alone = builder.alone
    monkeypatch.setattr(builder, "alone", lambda: True)  # (threads earlier tests left in this process)
    for slug in ("bai-a", "bai-b", "bai-c"):
        site.article(slug)
    time.sleep(TOO_RECENT + 0.1)  # (old enough to be keyed by their stats)
    config = site.config
    manifest = Manifest.begin(site.root.resolve(), config.output_dir.resolve(), build_options(config))
    here = builder._article_keys(builder._find_articles(config, manifest)[0], config, manifest)
    assert len(set(here.values())) == 3 and None not in here.values()
    found = builder.Found(config, manifest)
    assert found._ahead is not None and found._ahead.child is not None  # (a child is at work)
    assert found.keys() == here
    killed = builder.Found(config, manifest)
    os.kill(killed._ahead.child[0], signal.SIGKILL)
    assert killed.keys() == here
    unwanted = builder.Found(config, manifest)
    pid = unwanted._ahead.child[0]
    unwanted.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # (stopped and reaped already)
    monkeypatch.setattr(builder, "alone", alone)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # (as in the preview: no fork, a lock might be held)
    other.start()
    try:
        beside = builder.Found(config, manifest)
        assert beside._ahead is None and beside.keys() == here
    finally:
        stop.set()
        other.join()
    monkeypatch.setattr(builder, "alone", lambda: True)
    asked = []
    real = builder._article_keys
    monkeypatch.setattr(builder, "_article_keys", lambda *args: asked.append(1) or real(*args))
    build_site(config)
    assert asked == []  # (the build's own process took the child's answer)
    time.sleep(TOO_RECENT + 0.1)
    assert all(record.key == here[record.path] for record in build_site(config).records)


def test_the_records_count_each_state_in_a_plain_dict(site) -> None:
    """Each record keeps its translations' segment counts as a plain dict of every state, 0
    included, as the store gives them back: every edit loads 100,000 records, and a Counter is
    unpickled through a Python call."""
    from microsite.translation.catalog import STATES

    site.article("bai")
    site.translate("bai")
    build_site(site.config)
    records, _, _ = check_site(site.config)  # (the records as the last build stored them)
    counted = [counts for record in records for counts in record.states.values()]
    assert counted and all(type(counts) is dict and tuple(counts) == STATES for counts in counted)
    assert all(counts["missing"] == 0 for counts in counted)  # (the sample's English is complete)


def test_the_records_made_share_their_equal_tags(site) -> None:
    """Records made in the workers come back with their own copies of every tag: the build makes
    equal tags one object (at 100,000 articles, ~80 MB of the records' memory), and keeps them."""
    front = 'title: "Tiêu đề"\ndate: 2021-06-25\ntags: ["Kinh tế", "Hà Nội"]\n'
    for slug in ("bai-1", "bai-2", "bai-3"):
        site.article(slug, front=front)
    records = build_site(site.config).records
    assert [tag.text for tag in records[0].tags["vi"]] == ["Kinh tế", "Hà Nội"]
    assert all(record.tags["vi"] is records[0].tags["vi"] for record in records)
    assert all(a is b for record in records for a, b in zip(record.tags["vi"], records[0].tags["vi"], strict=True))


def test_a_search_script_made_for_another_index_format_is_refused_before_anything_is_written(site) -> None:
    """A site that keeps its own static/ from an older version of this project has a words.js that
    reads another format of the index: its search page would find nothing, silently. The build
    refuses it, naming the file and what to do, and writes nothing; the current script builds, and
    so does a site without one (no search script to check)."""
    site.article("bai-mot", body="Đoạn văn thứ nhất.\n")
    reader = site.root / "static" / "words.js"
    current = reader.read_text(encoding="utf-8")
    assert "index format: " in current
    reader.write_text(current.replace("index format: ", "index format: 3, was "), encoding="utf-8")
    with pytest.raises(ContentError, match="reads another version of the search index") as raised:
        build_site(site.config)
    assert raised.value.problem.path == reader and "static/words.js" in str(raised.value)
    assert not (site.root / "site").exists()
    reader.write_text(current, encoding="utf-8")
    build_site(site.config)
    assert (site.root / "site" / "static" / "words.js").read_text(encoding="utf-8") == current
    reader.unlink()
    build_site(site.config)


def test_a_pipe_planted_as_the_search_script_is_never_waited_on(site) -> None:
    """The reader's check opens static/words.js without waiting: a named pipe there (no writer)
    is no regular file, left to the static files' copy, which publishes regular files only. (Run
    as a process with a time limit: a check that waited would hang here, not fail.)"""
    import os
    import subprocess
    import sys

    site.article("bai-mot", body="Đoạn văn thứ nhất.\n")
    reader = site.root / "static" / "words.js"
    reader.unlink()
    os.mkfifo(reader)
    done = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--root", str(site.root)], capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert (site.root / "site" / "static" / "search.js").is_file()
    assert not (site.root / "site" / "static" / "words.js").exists()

"""An edit that changes no other page is planned from the last site's record (builder._plan_edit).

Each test compares the site with a clean build of the same content, byte for byte, and checks
which way the build planned it: the edit's way (the list pages are not put together at all), the
edit's way with every list page again (an article moved in the lists: "moved", then "edit"), or
the whole site's.
"""

from __future__ import annotations

import shutil

import pytest

from microsite.publish import builder
from microsite.publish.builder import build_site
from tests.conftest import make_photo
from tests.faults import snapshot
from tests.publish.conftest import edit, settle
from tests.publish.test_standby import same_as_a_clean_build, standby


@pytest.fixture
def planned(monkeypatch) -> list[str]:
    """How each build of the test planned the site: "whole", "moved" (then "edit") or "edit"."""
    ways: list[str] = []
    placed, moved, edited = builder._place_articles, builder._place_moved, builder._plan_edit

    def counted(records, *args, **kwargs):
        if len(args) < 4 and kwargs.get("published") is None:  # (every article, by the whole plan)
            ways.append("whole")
        return placed(records, *args, **kwargs)

    def moving(*args, **kwargs):
        ways.append("moved")
        return moved(*args, **kwargs)

    def tried(*args, **kwargs):
        plan = edited(*args, **kwargs)
        if plan is not None:
            ways.append("edit")
        return plan

    monkeypatch.setattr(builder, "_place_articles", counted)
    monkeypatch.setattr(builder, "_place_moved", moving)
    monkeypatch.setattr(builder, "_plan_edit", tried)
    return ways


def retitle(site, slug: str, title: str) -> None:
    index = site.root / "content" / slug / "index.md"
    text = index.read_text(encoding="utf-8")
    index.write_text(text.replace('title: "Tiêu đề bài viết"', f'title: "{title}"', 1), encoding="utf-8")
    site.translate(slug)


def site_text(site, path: str) -> str:
    return (site.root / "site" / path).read_text(encoding="utf-8")


def add_articles(site, count: int, english_from: int = 0) -> None:
    """``count`` more articles (an edit plan allows a tenth of the articles changed), in English from
    number ``english_from`` on."""
    for number in range(count):
        site.article(f"them-{number:02d}")
        if number >= english_from:
            site.translate(f"them-{number:02d}")


def tag(site, slugs: tuple[str, ...]) -> None:
    """One tag for these articles: each one's related reading shows the others."""
    for slug in slugs:
        index = site.root / "content" / slug / "index.md"
        index.write_text(index.read_text(encoding="utf-8").replace("source: NDO", "source: NDO\ntags: [cảng]"))
        site.translate(slug)


def build_twice_more(site) -> None:
    """Three builds (the last two: the standby then holds a site the record knows)."""
    for _ in range(2):
        settle()
        build_site(site.config)
        edit(site, "bai-d", "Một đoạn thêm.")
    settle()
    build_site(site.config)


def test_a_correction_of_the_text_is_planned_from_the_site_and_equals_a_clean_build(newsroom, planned, tmp_path):
    edit(newsroom, "bai-c", "Một câu sửa lại.")
    settle()
    build_site(newsroom.config)
    assert planned == ["edit"]
    same_as_a_clean_build(newsroom, tmp_path)
    assert "Một câu sửa lại." in (newsroom.root / "site" / "bai-c" / "index.html").read_text(encoding="utf-8")
    feed = (newsroom.root / "site" / "feed.xml").read_text(encoding="utf-8")
    assert "Một câu sửa lại." in feed  # the feed shows the article's whole text: made again


def test_a_new_title_is_planned_from_the_site_with_the_lists_showing_its_card(newsroom, planned, tmp_path):
    retitle(newsroom, "bai-c", "Tiêu đề mới")  # its cards change, not its place in the lists
    settle()
    build_site(newsroom.config)
    assert planned == ["edit"]
    assert "Tiêu đề mới" in (newsroom.root / "site" / "index.html").read_text(encoding="utf-8")
    same_as_a_clean_build(newsroom, tmp_path)


def test_a_new_title_and_a_correction_of_an_article_showing_it_are_planned_together(newsroom, planned, tmp_path):
    add_articles(newsroom, 26, english_from=1)  # (three edits of 30 articles; them-00: in Vietnamese only)
    tag(newsroom, ("bai-a", "bai-b", "bai-c"))
    build_twice_more(newsroom)
    planned.clear()
    retitle(newsroom, "bai-a", "Tiêu đề mới")
    edit(newsroom, "bai-b", "Một câu sửa lại.")  # its related reading shows bai-a: planned once
    only = newsroom.root / "content" / "them-00" / "index.md"  # a new title, in its one edition
    only.write_text(only.read_text(encoding="utf-8").replace("Tiêu đề bài viết", "Tiêu đề khác"), encoding="utf-8")
    settle()
    build_site(newsroom.config)
    assert planned == ["edit"]
    page = (newsroom.root / "site" / "bai-c" / "index.html").read_text(encoding="utf-8")
    assert "Tiêu đề mới" in page.split('class="related"')[1]
    assert "Tiêu đề khác" in (newsroom.root / "site" / "index.html").read_text(encoding="utf-8")
    same_as_a_clean_build(newsroom, tmp_path)


def test_an_article_moved_in_the_lists_plans_every_list_again_from_the_site(newsroom, planned, tmp_path):
    index = newsroom.root / "content" / "bai-c" / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("date: 2021-06-25", "date: 2021-06-20"))
    newsroom.translate("bai-c")
    settle()
    build_site(newsroom.config)
    assert planned == ["moved", "edit"]
    same_as_a_clean_build(newsroom, tmp_path)
    planned.clear()
    newsroom.article("bai-e", body="Bài mới.\n")  # an article added
    newsroom.translate("bai-e")
    settle()
    build_site(newsroom.config)
    assert planned == ["moved", "edit"]
    assert "bai-e/" in site_text(newsroom, "index.html") and "bai-e/" in site_text(newsroom, "en/index.html")
    same_as_a_clean_build(newsroom, tmp_path, "clean-2")


def test_an_edition_left_and_joined_again_is_planned_from_the_site(newsroom, planned, tmp_path):
    index = newsroom.root / "content" / "bai-c" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\nMột câu chưa dịch.\n", encoding="utf-8")
    settle()
    build_site(newsroom.config)  # its English lacks a sentence: the English edition leaves the site
    assert planned == ["moved", "edit"]
    assert not (newsroom.root / "site" / "en" / "bai-c").exists()
    assert "bai-c/" not in site_text(newsroom, "en/index.html") and "bai-c/" in site_text(newsroom, "index.html")
    assert "en/bai-c/" not in site_text(newsroom, "sitemap.xml")
    same_as_a_clean_build(newsroom, tmp_path)
    planned.clear()
    newsroom.translate("bai-c")  # reviewed again: back in the English edition
    settle()
    build_site(newsroom.config)
    assert planned == ["moved", "edit"]
    assert "bai-c/" in site_text(newsroom, "en/index.html") and "en/bai-c/" in site_text(newsroom, "sitemap.xml")
    same_as_a_clean_build(newsroom, tmp_path, "clean-2")


def test_new_tags_put_an_article_into_the_related_reading_it_joins_and_out_of_the_one_it_left(
    newsroom, planned, tmp_path
):
    tag(newsroom, ("bai-a", "bai-b"))
    build_twice_more(newsroom)
    assert "bai-b/" in site_text(newsroom, "bai-a/index.html").split('class="related"')[1]
    planned.clear()
    index = newsroom.root / "content" / "bai-c" / "index.md"  # bai-c joins the tag
    index.write_text(index.read_text(encoding="utf-8").replace("source: NDO", "source: NDO\ntags: [cảng]"))
    newsroom.translate("bai-c")
    settle()
    build_site(newsroom.config)
    assert planned == ["moved", "edit"]
    assert "bai-c/" in site_text(newsroom, "bai-a/index.html").split('class="related"')[1]
    planned.clear()  # (no clean build here: one into another output leaves the next build planned whole)
    index = newsroom.root / "content" / "bai-b" / "index.md"  # bai-b leaves it
    index.write_text(index.read_text(encoding="utf-8").replace("tags: [cảng]", "tags: [biển]"))
    newsroom.translate("bai-b")
    settle()
    build_site(newsroom.config)
    assert planned == ["moved", "edit"]
    assert "bai-b/" not in site_text(newsroom, "bai-a/index.html").split('class="related"')[1]
    assert "bai-b/" in site_text(newsroom, "tags/bien/index.html")  # a new tag's page
    assert "bai-b/" not in site_text(newsroom, "tags/cang/index.html")
    same_as_a_clean_build(newsroom, tmp_path)


def test_two_articles_showing_each_other_leaving_an_edition_at_once_are_planned_from_the_site(
    newsroom, planned, tmp_path
):
    add_articles(newsroom, 18)  # (two changes of 22 articles)
    tag(newsroom, ("bai-a", "bai-b", "bai-c"))
    build_twice_more(newsroom)
    planned.clear()
    for slug in ("bai-a", "bai-b"):  # untranslated sentences: both leave the English edition
        index = newsroom.root / "content" / slug / "index.md"
        index.write_text(index.read_text(encoding="utf-8") + "\nMột câu chưa dịch.\n", encoding="utf-8")
    settle()
    build_site(newsroom.config)
    assert planned == ["moved", "edit"]
    related = site_text(newsroom, "en/bai-c/index.html").split('class="related"')
    assert len(related) == 1 or ("bai-a/" not in related[1] and "bai-b/" not in related[1])
    assert "bai-b/" in site_text(newsroom, "bai-c/index.html").split('class="related"')[1]  # still in Vietnamese
    same_as_a_clean_build(newsroom, tmp_path)


def test_an_article_removed_or_renamed_is_planned_from_the_site(newsroom, planned, tmp_path):
    add_articles(newsroom, 18)  # (a rename is two changes: of 22 articles)
    build_twice_more(newsroom)
    planned.clear()
    shutil.rmtree(newsroom.root / "content" / "bai-c")
    settle()
    build_site(newsroom.config)
    assert planned == ["moved", "edit"]
    assert not (newsroom.root / "site" / "bai-c").exists() and not (newsroom.root / "site" / "en" / "bai-c").exists()
    assert "bai-c/" not in site_text(newsroom, "index.html") + site_text(newsroom, "sitemap.xml")
    planned.clear()  # (no clean build here: one into another output leaves the next build planned whole)
    (newsroom.root / "content" / "bai-b").rename(newsroom.root / "content" / "bai-moi")  # renamed: gone, and new
    newsroom.translate("bai-moi")
    settle()
    build_site(newsroom.config)
    assert planned == ["moved", "edit"]
    assert not (newsroom.root / "site" / "bai-b").exists() and (newsroom.root / "site" / "bai-moi").is_dir()
    assert "bai-moi/" in site_text(newsroom, "en/index.html") and "bai-b/" not in site_text(newsroom, "en/index.html")
    same_as_a_clean_build(newsroom, tmp_path)


def _damage_the_home_page_and_its_kept_copy(site) -> None:
    """The home page changed by the last build (the standby lacks it): its copy in the site and its
    kept file in .cache/lists/ both changed in place."""
    home = site.root / "site" / "index.html"
    kept = [path for path in (site.root / ".cache" / "lists").rglob("*.html") if path.read_bytes() == home.read_bytes()]
    assert kept
    for path in (home, *kept):
        with open(path, "a", encoding="utf-8") as file:
            file.write("<script>alert(1)</script>")


def test_kept_files_an_edit_plans_unchecked_are_checked_before_use(newsroom, planned, tmp_path):
    retitle(newsroom, "bai-a", "Tiêu đề khác")  # the home page changes: the standby keeps the old one
    settle()
    build_site(newsroom.config)
    _damage_the_home_page_and_its_kept_copy(newsroom)
    planned.clear()
    edit(newsroom, "bai-c", "Một câu sửa lại.")
    settle()
    build_site(newsroom.config)
    assert planned[:1] == ["whole"]  # the home page could be had from neither: planned whole, made again
    same_as_a_clean_build(newsroom, tmp_path)
    assert not any(b"alert(1)" in data for data in snapshot(newsroom.root / "site").values())


def test_a_kept_file_found_changed_as_it_is_read_starts_the_build_again_checking_every_one(
    newsroom, planned, monkeypatch, tmp_path
):
    retitle(newsroom, "bai-a", "Tiêu đề khác")
    settle()
    build_site(newsroom.config)
    _damage_the_home_page_and_its_kept_copy(newsroom)
    monkeypatch.setattr(builder, "_at_hand", lambda *args: True)  # as if both changed after the check
    runs = []
    real = builder._build
    monkeypatch.setattr(builder, "_build", lambda *args, **kwargs: runs.append(kwargs) or real(*args, **kwargs))
    planned.clear()
    edit(newsroom, "bai-c", "Một câu sửa lại.")
    settle()
    build_site(newsroom.config)
    assert planned[0] == "edit" and len(runs) == 2 and runs[1].get("thorough") is True
    same_as_a_clean_build(newsroom, tmp_path)
    assert not any(b"alert(1)" in data for data in snapshot(newsroom.root / "site").values())


def test_a_build_killed_after_its_swap_before_its_records_leaves_no_stale_file(
    newsroom, planned, monkeypatch, tmp_path
):
    folder = newsroom.root / "content" / "bai-c"
    make_photo(folder / "images" / "b.jpg", color="red")
    edit(newsroom, "bai-c", '![Ảnh khác](images/b.jpg "Ảnh thứ hai.")')
    settle()
    with monkeypatch.context() as patched:  # the site swapped in, the records never saved
        patched.setattr(builder, "save_state", lambda *args, **kwargs: None)
        build_site(newsroom.config)
    assert list((newsroom.root / "site" / "bai-c" / "images").glob("b*"))
    index = folder / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace('![Ảnh khác](images/b.jpg "Ảnh thứ hai.")', ""))
    (folder / "images" / "b.jpg").unlink()
    newsroom.translate("bai-c")
    settle()
    planned.clear()
    build_site(newsroom.config)
    assert "edit" not in planned  # the records are not the site's: planned whole
    assert not list((newsroom.root / "site" / "bai-c" / "images").glob("b*"))
    same_as_a_clean_build(newsroom, tmp_path)


def test_kept_search_files_are_checked_as_they_are_copied_and_never_published_changed(newsroom, monkeypatch, tmp_path):
    kept = [
        path
        for path in (newsroom.root / ".cache" / "search").rglob("*.json")
        if path.is_file() and path.name != "meta.json"
    ]
    assert len(kept) > 8
    for path in kept:  # every kept shard and fragment changed in place
        with open(path, "ab") as file:
            file.write(b' "Planted"')
    shutil.rmtree(standby(newsroom) / "searchindex")  # the standby must copy every one of them
    runs = []
    real = builder._build
    monkeypatch.setattr(builder, "_build", lambda *args, **kwargs: runs.append(kwargs) or real(*args, **kwargs))
    edit(newsroom, "bai-c", "Một câu sửa lại.")
    settle()
    build_site(newsroom.config)
    assert len(runs) == 2 and runs[1].get("thorough") is True  # found as copied: made again, checking all
    same_as_a_clean_build(newsroom, tmp_path)
    assert not any(b"Planted" in data for data in snapshot(newsroom.root / "site").values())


def test_a_kept_feed_entry_changed_in_place_is_found_as_it_is_read_and_never_published(newsroom, monkeypatch, tmp_path):
    entries = [
        path
        for path in (newsroom.root / ".cache" / "pages").iterdir()
        if b"<entry" in path.read_bytes() and b"bai-a" in path.read_bytes()
    ]
    assert entries  # bai-a's feed entries: bai-a is not read again, its record is kept
    for path in entries:
        with open(path, "ab") as file:
            file.write(b"<!-- Planted -->")
    runs = []
    real = builder._build
    monkeypatch.setattr(builder, "_build", lambda *args, **kwargs: runs.append(kwargs) or real(*args, **kwargs))
    edit(newsroom, "bai-c", "Một câu sửa lại.")  # the feeds list bai-c: made again, with bai-a's entry
    settle()
    build_site(newsroom.config)
    assert len(runs) == 2 and runs[1].get("thorough") is True
    same_as_a_clean_build(newsroom, tmp_path)
    assert not any(b"Planted" in data for data in snapshot(newsroom.root / "site").values())


def test_after_the_output_was_removed_the_next_correction_is_planned_from_the_site(newsroom, planned, tmp_path):
    shutil.rmtree(newsroom.root / "site")
    build_site(newsroom.config)  # written whole, recorded under its token
    planned.clear()
    edit(newsroom, "bai-d", "Một câu sửa lại.")
    settle()
    build_site(newsroom.config)
    assert planned == ["edit"]
    same_as_a_clean_build(newsroom, tmp_path)


def test_a_correction_built_at_once_then_corrected_again_is_planned_from_the_site(newsroom, planned, tmp_path):
    edit(newsroom, "bai-c", "Một câu sửa lại.")
    build_site(newsroom.config)  # at once: too recent for its stat, its record kept only to compare with
    planned.clear()
    settle()
    edit(newsroom, "bai-c", "Và một câu nữa.")
    settle()
    build_site(newsroom.config)
    assert planned == ["edit"]
    same_as_a_clean_build(newsroom, tmp_path)


def test_an_edit_that_shifts_many_list_pages_renders_them_on_the_cores_as_one_process(
    newsroom, planned, monkeypatch, tmp_path
):
    """An edition withdrawn shifts every list page after the article by a card: with a card a page,
    over a hundred list pages rendered again, in children forked for them (their records' pages
    read first, together, in the build's process); byte for byte what a clean build writes."""
    from microsite import parallel
    from microsite.publish import lists

    toml = newsroom.root / "site.toml"
    toml.write_text("per_page = 1\n" + toml.read_text(encoding="utf-8"), encoding="utf-8")
    add_articles(newsroom, 66)
    build_twice_more(newsroom)
    planned.clear()
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)  # (children, even on a one-core machine)
    monkeypatch.setattr(parallel, "FRESH_MINIMUM", 0)  # (...however few records they read in all)
    batches, fetched = [], []
    fresh_map, fetch_some = parallel._fresh_map, lists.fetch_some
    monkeypatch.setattr(parallel, "_fresh_map", lambda ranges, *a: batches.append(ranges) or fresh_map(ranges, *a))
    monkeypatch.setattr(lists, "fetch_some", lambda records: fetched.append(list(records)) or fetch_some(fetched[-1]))
    index = newsroom.root / "content" / "bai-d" / "index.md"  # (the fourth: the 66 pages after it shift)
    index.write_text(index.read_text(encoding="utf-8") + "\nMột câu chưa ai dịch.\n", encoding="utf-8")
    settle()
    build_site(newsroom.config)
    assert planned == ["moved", "edit"]
    assert not (newsroom.root / "site" / "en" / "bai-d").exists()
    assert "bai-d/" in site_text(newsroom, "page/4/index.html")
    assert "them-00/" in site_text(newsroom, "en/page/4/index.html")  # (it showed bai-d)
    assert len(batches) == 1 and len(batches[0]) == 2 and batches[0][-1][1] >= 64  # (one batch a core)
    assert len({record.slug for record in fetched[-1]}) >= 60  # (the English ones, bai-d no longer)
    same_as_a_clean_build(newsroom, tmp_path)

"""An article's body and card are kept for the next build: a page-template edit reuses them, any
edit they depend on remakes them, and a kept file this user's build did not make is never used."""

from __future__ import annotations

import pickle
import shutil
import time

import pytest

from microsite.cache import store_pickle
from microsite.publish import fragments, render
from microsite.publish.builder import build_site
from microsite.publish.fragments import Fragments, TemplatesUsed, kept_at, templates_used

CAPTION = "Chú thích ảnh."


@pytest.fixture
def kept(site, monkeypatch):
    """A built site (its bodies kept), and a count of the bodies made from then on."""
    site.article("bai", body=f'Đoạn "một".\n\n![Ảnh](images/a.jpg "{CAPTION}")\n', photos=("images/a.jpg",))
    site.translate("bai")
    site.article("hai", body="Đoạn hai.\n")
    time.sleep(0.06)  # past the tests' window for files too recent to judge by their stats
    build_site(site.config)
    assert len(list((site.root / ".cache" / "fragments").iterdir())) == 2
    made: list[str] = []
    original = render.Renderer.body_html

    def counted(self, page, figures, rewrite):
        made.append(page.article.slug)
        return original(self, page, figures, rewrite)

    monkeypatch.setattr(render.Renderer, "body_html", counted)
    site.made = made
    return site


def edit(path, text: str) -> None:
    time.sleep(0.06)  # past the tests' window for files too recent to judge by their stats
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def in_main(template, text: str) -> None:
    """``text`` put at the start of the article template's main block (on every article page)."""
    source = template.read_text(encoding="utf-8")
    assert "{% block main %}" in source
    template.write_text(source.replace("{% block main %}", "{% block main %}" + text, 1), encoding="utf-8")


def same_as_a_clean_build(site, tmp_path) -> None:
    clean = tmp_path / "clean"
    shutil.copytree(site.root, clean, ignore=shutil.ignore_patterns(".cache", "site"))
    config = site.config._replace(root=clean)
    build_site(config)
    for path in (clean / "site").rglob("*"):
        if path.is_file():
            twin = site.root / "site" / path.relative_to(clean / "site")
            assert twin.read_bytes() == path.read_bytes(), path


def test_a_page_template_edit_reuses_every_body(kept, tmp_path) -> None:
    edit(kept.root / "templates" / "article.html", "{# a page template edit #}\n")
    edit(kept.root / "templates" / "base.html", "<!-- and the base -->\n")
    build_site(kept.config)
    assert kept.made == []
    same_as_a_clean_build(kept, tmp_path)


def count_entries(site, monkeypatch) -> list[str]:
    """From now on, the feed entries rendered (by the article's slug)."""
    from microsite.publish import builder

    rendered: list[str] = []
    original = builder.feed_entry
    counted = lambda renderer, card, body: rendered.append(card.url) or original(renderer, card, body)  # noqa: E731
    monkeypatch.setattr(builder, "feed_entry", counted)
    return rendered


def test_a_page_template_edit_neither_renders_nor_writes_a_feed_entry(kept, tmp_path, monkeypatch) -> None:
    pages = kept.root / ".cache" / "pages"
    entries = {path.name: path.stat().st_mtime_ns for path in pages.glob("*.entry.xml")}
    assert len(entries) == 3  # bai in two editions, hai in one
    rendered = count_entries(kept, monkeypatch)
    time.sleep(0.06)
    in_main(kept.root / "templates" / "article.html", "<!-- every page changes -->")
    build_site(kept.config)
    assert rendered == []
    assert {path.name: path.stat().st_mtime_ns for path in pages.glob("*.entry.xml")} == entries
    assert "<!-- every page changes -->" in (kept.root / "site" / "bai" / "index.html").read_text(encoding="utf-8")
    same_as_a_clean_build(kept, tmp_path)


def test_a_kept_entry_changed_in_the_cache_is_made_again(kept, tmp_path, monkeypatch) -> None:
    entry = next((kept.root / ".cache" / "pages").glob("*.entry.xml"))
    entry.write_text("<entry>planted</entry>", encoding="utf-8")
    rendered = count_entries(kept, monkeypatch)
    in_main(kept.root / "templates" / "article.html", "<!-- rendered again -->")
    build_site(kept.config)
    assert len(rendered) == 1
    feeds = [path.read_text(encoding="utf-8") for path in (kept.root / "site").rglob("feed.xml")]
    assert feeds and not any("planted" in feed for feed in feeds)
    same_as_a_clean_build(kept, tmp_path)


def test_an_entry_template_edit_makes_every_entry_again(kept, tmp_path, monkeypatch) -> None:
    rendered = count_entries(kept, monkeypatch)
    entry = kept.root / "templates" / "_entry.xml"
    edit(entry, "<!-- entries change -->\n")
    build_site(kept.config)
    assert len(rendered) == 3
    assert len(list((kept.root / ".cache" / "pages").glob("*.entry.xml"))) == 3  # the old ones removed
    feed = (kept.root / "site" / "feed.xml").read_text(encoding="utf-8")
    assert "<!-- entries change -->" in feed
    same_as_a_clean_build(kept, tmp_path)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("templates/_figure.html", "<!-- figures change -->\n"),
        ("templates/_card.html", "<!-- cards change -->\n"),
        ("templates/_entry.xml", "<!-- entries change -->\n"),
        ("templates/strings.toml", "\n# strings change\n"),
        ("site.toml", "\n# settings change\n"),
    ],
)
def test_an_edit_the_bodies_or_cards_depend_on_remakes_them(kept, tmp_path, name, text) -> None:
    edit(kept.root / name, text)
    build_site(kept.config)
    assert sorted(kept.made) == ["bai", "bai", "hai"]  # each edition's body
    same_as_a_clean_build(kept, tmp_path)


def test_a_template_the_cards_include_is_theirs_too(kept, tmp_path) -> None:
    templates = kept.root / "templates"
    (templates / "_badge.html").write_text("<b>badge</b>\n", encoding="utf-8")
    edit(templates / "_card.html", '{% include "_badge.html" %}\n')
    build_site(kept.config)
    kept.made.clear()
    edit(templates / "_badge.html", "<i>new badge</i>\n")
    build_site(kept.config)
    assert sorted(kept.made) == ["bai", "bai", "hai"]
    same_as_a_clean_build(kept, tmp_path)


def test_a_template_named_at_run_time_keeps_nothing(kept) -> None:
    env = render.Renderer(kept.config).env
    assert templates_used(env, ("_card.html",)) == {"_card.html"}
    (kept.root / "templates" / "_card.html").write_text("{% include item.kind %}\n", encoding="utf-8")
    assert templates_used(env, ("_card.html",)) is None
    assert templates_used(env, ("_no_such.html",)) is None


def test_what_templates_use_is_remembered_between_builds_until_one_changes(kept, tmp_path, monkeypatch) -> None:
    parsed = []
    monkeypatch.setattr(fragments, "templates_used", lambda env, names: parsed.append(names) or {"x"})
    kept_file = tmp_path / "used.pickle"

    def used(sources: dict[str, str]) -> set[str] | None:
        remembered = TemplatesUsed(render.Renderer(kept.config, sources).env, kept_file)
        found = remembered(("_card.html",))
        remembered.save()
        return found

    texts = {"_card.html": "<p>card</p>\n", "base.html": "<html></html>\n"}
    assert used(texts) == {"x"} and len(parsed) == 1
    assert used(dict(texts)) == {"x"} and len(parsed) == 1  # the same texts: not parsed again
    assert used({**texts, "base.html": "<html>2</html>\n"}) == {"x"} and len(parsed) == 2  # any template's edit
    kept_file.write_bytes(b"not sealed")
    assert used(texts) == {"x"} and len(parsed) == 3  # a file not sealed by this user's build: worked out again


def test_an_article_edit_remakes_only_its_own(kept) -> None:
    edit(kept.root / "content" / "hai" / "index.md", "\nĐoạn mới.\n")
    build_site(kept.config)
    assert kept.made == ["hai"]


def kept_file(site, slug: str):
    index = site.root / "content" / slug / "index.md"
    return kept_at(site.root / ".cache", index)


def test_kept_bodies_not_sealed_by_this_user_are_never_used(kept, tmp_path) -> None:
    planted = Fragments(None, None)
    planted.put("vi", "<p>planted</p>", "<p>planted card</p>")
    kept_file(kept, "bai").write_bytes(pickle.dumps(("any key", planted.kept)))  # not sealed
    edit(kept.root / "templates" / "article.html", "{# rendered again #}\n")
    build_site(kept.config)
    assert kept.made == ["bai", "bai"]
    assert "planted" not in (kept.root / "site" / "bai" / "index.html").read_text(encoding="utf-8")
    same_as_a_clean_build(kept, tmp_path)


def test_kept_bodies_of_another_article_are_never_used(kept, tmp_path) -> None:
    shutil.copy(kept_file(kept, "bai"), kept_file(kept, "hai"))  # sealed by this user, but bai's
    edit(kept.root / "templates" / "article.html", "{# rendered again #}\n")
    build_site(kept.config)
    assert kept.made == ["hai"]
    same_as_a_clean_build(kept, tmp_path)


def test_a_kept_file_that_cannot_be_read_is_made_again(kept, tmp_path) -> None:
    for path in (kept.root / ".cache" / "fragments").iterdir():
        assert store_pickle(path, ("a key of another build", {"vi": ("not compressed", "card")}))
    edit(kept.root / "templates" / "article.html", "{# rendered again #}\n")
    build_site(kept.config)
    assert sorted(kept.made) == ["bai", "bai", "hai"]
    same_as_a_clean_build(kept, tmp_path)


def test_what_a_deleted_article_kept_leaves_the_cache(kept) -> None:
    kept_files = kept_file(kept, "hai"), kept.root / ".cache" / "articles"
    assert kept_files[0].is_file() and len(list(kept_files[1].iterdir())) == 2
    shutil.rmtree(kept.root / "content" / "hai")
    build_site(kept.config)
    assert not kept_files[0].exists() and kept_file(kept, "bai").is_file()
    assert len(list(kept_files[1].iterdir())) == 1


def built_again_without_site(site, monkeypatch) -> list[str]:
    """``site/`` removed and built again; the slugs of the article pages rendered, from then on."""
    from microsite.publish import builder

    pages: list[str] = []
    original = builder.article_page
    monkeypatch.setattr(builder, "article_page", lambda *a, **k: pages.append(a[1].article.slug) or original(*a, **k))
    shutil.rmtree(site.root / "site")
    build_site(site.config)
    return pages


def test_a_template_saved_just_before_a_build_is_keyed_by_what_it_holds(kept, monkeypatch) -> None:
    """Saved within a stat's tick of the build (as `serve` rebuilds on save), a template is keyed by
    its content, not refused: the next build reuses every page instead of rendering them again."""

    template = kept.root / "templates" / "article.html"
    in_main(template, "<!-- just saved -->")
    build_site(kept.config)  # at once: the template is too recent for its stat to be trusted
    pages = built_again_without_site(kept, monkeypatch)
    assert pages == []
    assert "<!-- just saved -->" in (kept.root / "site" / "bai" / "index.html").read_text(encoding="utf-8")


def test_a_template_saved_while_the_build_runs_is_rendered_by_the_next(kept, monkeypatch) -> None:
    """The build renders the templates as it read them, under their digest: one saved again after
    that (even within the same stat tick) is never mistaken for what was rendered."""
    from microsite.publish.manifest import Manifest

    template = kept.root / "templates" / "article.html"
    time.sleep(0.06)
    in_main(template, "<!-- first -->")
    original = Manifest.read_templates

    def then_saved_again(self, root):
        original(self, root)
        in_main(template, "<!-- second -->")

    monkeypatch.setattr(Manifest, "read_templates", then_saved_again)
    build_site(kept.config)
    page = (kept.root / "site" / "bai" / "index.html").read_text(encoding="utf-8")
    assert "<!-- first -->" in page and "<!-- second -->" not in page
    monkeypatch.setattr(Manifest, "read_templates", original)
    build_site(kept.config)
    assert "<!-- second -->" in (kept.root / "site" / "bai" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["site.toml", "templates/strings.toml"])
def test_settings_saved_just_before_a_build_are_keyed_by_what_it_read(kept, monkeypatch, name) -> None:
    """site.toml and strings.toml saved within a stat's tick of the build (a newsroom saves, `serve`
    rebuilds) are keyed by the digest of the bytes the build read: the next build reuses every
    page instead of rendering them all again, and a later save is rendered by the build after it."""

    path = kept.root / name
    source = path.read_text(encoding="utf-8")
    if name == "site.toml":
        saved = source.replace('title = "Test News"', 'title = "Test News Daily"')
    else:  # a text of the English strings on every page
        saved = source.replace('skip_to_content = "Skip to content"', 'skip_to_content = "More: skip to content"')
    assert saved != source
    path.write_text(saved, encoding="utf-8")
    build_site(kept.config)  # at once: the file is too recent for its stat to stand for it
    pages = built_again_without_site(kept, monkeypatch)
    assert pages == []
    page = (kept.root / "site" / "en" / "bai" / "index.html").read_text(encoding="utf-8")
    assert ("Test News Daily" if name == "site.toml" else "More: ") in page
    path.write_text(source, encoding="utf-8")  # saved again, at once: rendered by the next build
    build_site(kept.config)
    page = (kept.root / "site" / "en" / "bai" / "index.html").read_text(encoding="utf-8")
    assert "Test News Daily" not in page and "More: " not in page
    assert sorted(pages) == ["bai", "bai", "hai"]


def test_a_check_between_two_builds_keeps_every_page(kept, monkeypatch) -> None:
    """`check` keys the site as the build does (settings and strings by their digests): the build
    after it renders nothing again."""
    from microsite.publish import builder

    builder.check_site(kept.config)
    pages = built_again_without_site(kept, monkeypatch)
    assert pages == []


def test_a_text_template_saved_just_before_a_build_is_keyed_by_what_it_holds(kept, monkeypatch) -> None:
    """robots.txt is a template too (any file of templates/ but strings.toml is): saved just before
    a build, it is keyed by its content, and the build after renders no article again."""

    robots = kept.root / "templates" / "robots.txt"
    robots.write_text(robots.read_text(encoding="utf-8") + "# saved just now\n", encoding="utf-8")
    build_site(kept.config)  # at once: too recent for its stat to stand for it
    pages = built_again_without_site(kept, monkeypatch)
    assert pages == []
    assert "# saved just now" in (kept.root / "site" / "robots.txt").read_text(encoding="utf-8")


def count_lists(monkeypatch) -> list[str]:
    """From now on, the list pages rendered (by path)."""
    from microsite.publish import lists

    rendered: list[str] = []
    original = lists._render_list
    counted = lambda renderer, spec, counterparts: rendered.append(spec.path) or original(renderer, spec, counterparts)  # noqa: E731
    monkeypatch.setattr(lists, "_render_list", counted)
    return rendered


def test_an_article_template_edit_renders_no_list_page(kept, tmp_path, monkeypatch) -> None:
    """List pages are keyed by the templates they are rendered with: article.html is not one."""
    rendered = count_lists(monkeypatch)
    in_main(kept.root / "templates" / "article.html", "<!-- article pages only -->")
    build_site(kept.config)
    assert rendered == []
    assert "<!-- article pages only -->" in (kept.root / "site" / "bai" / "index.html").read_text(encoding="utf-8")
    same_as_a_clean_build(kept, tmp_path)


@pytest.mark.parametrize("name", ["list.html", "base.html", "_card.html"])
def test_a_template_the_list_pages_use_renders_them_again(kept, tmp_path, monkeypatch, name) -> None:
    rendered = count_lists(monkeypatch)
    if name == "list.html":  # (it extends base.html: what it shows is in its blocks)
        time.sleep(0.06)
        in_main(kept.root / "templates" / name, "<!-- lists change -->")
    else:
        edit(kept.root / "templates" / name, "<!-- lists change -->\n")
    build_site(kept.config)
    assert "" in rendered and "en/" in rendered  # the two home pages, among the others
    assert "<!-- lists change -->" in (kept.root / "site" / "index.html").read_text(encoding="utf-8")
    same_as_a_clean_build(kept, tmp_path)

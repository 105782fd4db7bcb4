"""The publishing policy per language: readers never meet unreviewed machine text unless the newsroom says so."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from microsite.content.config import load_config
from microsite.errors import ContentError
from microsite.publish.builder import build_site
from tests.faults import cli


def english_pages(site) -> set[str]:
    return {path.parent.name for path in (site.root / "site" / "en").glob("*/index.html")}


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
    assert "drafted/index.md: held back from the en edition: 4 of 4 passage(s) are not reviewed yet" in warning
    assert 'publish = "reviewed"' in warning and "http://127.0.0.1:8000/_review/en/drafted/" in warning


def test_one_unreviewed_passage_holds_the_article_back(site) -> None:
    site.article("bai", body="Một.\n\nHai.\n")
    po = site.translate("bai")
    po.write_text(po.read_text(encoding="utf-8").replace('msgid "Hai."', '#, fuzzy\nmsgid "Hai."'), encoding="utf-8")
    result = build_site(site.config)
    assert english_pages(site) == set()
    assert "1 of 4 passage(s) are not reviewed yet" in str(result.warnings[0])


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
    counts = "en: 4 segments: 0 reviewed, 4 machine draft, 0 editor draft, 0 stale, 0 missing"
    assert f'{counts}; not published: 4 not reviewed (publish = "reviewed")' in result.stdout
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

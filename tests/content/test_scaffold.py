"""New articles: they start as drafts, and their placeholder text never reaches readers unnoticed."""

from __future__ import annotations

from microsite.content.article import parse_article
from microsite.publish.builder import build_site
from tests.faults import cli


def test_a_new_article_starts_as_a_draft_and_stays_out_of_the_site(site) -> None:
    result = cli("new", "Tàu container cập cảng Cái Lân", "--date", "2024-05-07", "--root", str(site.root))
    assert result.returncode == 0, result.stderr
    index = site.root / "content" / "tau-container-cap-cang-cai-lan" / "index.md"
    assert parse_article(index).draft is True
    built = build_site(site.config)
    assert built.pages == {"vi": 0, "en": 0} and built.warnings == []


def test_placeholder_text_left_in_a_published_article_is_an_error_and_nothing_is_published(site) -> None:
    cli("new", "Tàu container cập cảng Cái Lân", "--date", "2024-05-07", "--root", str(site.root))
    index = site.root / "content" / "tau-container-cap-cang-cai-lan" / "index.md"
    assert cli("--root", str(site.root)).returncode == 0  # a draft: kept out, no error
    before = sorted(p.relative_to(site.root) for p in (site.root / "site").rglob("*"))
    index.write_text(index.read_text(encoding="utf-8").replace("draft: true", "draft: false"), encoding="utf-8")
    built = cli("--root", str(site.root))
    assert built.returncode == 1
    assert "error: " in built.stderr and "index.md:11: the new-article placeholder text is still here" in built.stderr
    assert "keep the article a draft (draft: true)" in built.stderr
    assert sorted(p.relative_to(site.root) for p in (site.root / "site").rglob("*")) == before  # the old site
    strict = cli("--strict", "--root", str(site.root))
    assert strict.returncode == 1 and "the new-article placeholder text is still here" in strict.stderr


def test_fix_unicode_never_overwrites_a_save_made_while_it_works(tmp_path, monkeypatch) -> None:
    import pytest

    from microsite.content import scaffold
    from microsite.errors import ContentError

    path = tmp_path / "index.md"
    path.write_text("Vie\u0302\u0323t Nam\n", encoding="utf-8")  # decomposed
    real = scaffold.read_bytes

    def read_then_an_editor_saves(file):
        data = real(file)
        path.write_text("the editor's save\n", encoding="utf-8")
        return data

    monkeypatch.setattr(scaffold, "read_bytes", read_then_an_editor_saves)
    with pytest.raises(ContentError, match="changed on disk while it was being re-saved"):
        scaffold.normalize_file(path)
    assert path.read_text(encoding="utf-8") == "the editor's save\n"

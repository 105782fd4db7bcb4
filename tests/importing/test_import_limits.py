"""Import of hostile or broken saved pages: one clear message each, bounded work, photos only from
the folder the browser saved them in."""

from __future__ import annotations

from pathlib import Path

import pytest

from microsite.errors import ContentError
from microsite.importing import import_article, saved_page
from tests.conftest import make_photo
from tests.faults import cli

TEXT = "Tàu container lớn nhất cập cảng Cái Mép sáng nay, mở ra cơ hội cho logistics. " * 4


def page(body: str, head: str = "<title>Bài viết</title>") -> str:
    return f"<!doctype html><html><head><meta charset='utf-8'>{head}</head><body><h1>Bài viết</h1>{body}</body></html>"


@pytest.mark.parametrize("charset", ["undefined", "idna", "rot13", "base64", "unicode_escape", "no-such-charset"])
def test_a_declared_charset_that_is_no_charset_is_not_a_traceback(site, tmp_path, charset) -> None:
    """Python has codecs named so ("undefined" raises, "idna" refuses errors="replace"); a page's
    bytes that are not UTF-8 are then read as Vietnamese Windows text, as with an unknown charset."""
    saved = tmp_path / "bai.html"
    html = f"<html><head><meta charset='{charset}'><title>B\xe0i vi\xeat</title></head><body><h1>B\xe0i vi\xeat</h1>"
    saved.write_bytes((html + "<p>" + "Ch\xe0o b\xe1o. " * 40 + "</p></body></html>").encode("cp1258"))
    result = cli("import", "--root", str(site.root), str(saved), "--slug", "bai")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Chào báo." in (site.root / "content" / "bai" / "index.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["div", "ul"])
def test_nesting_beyond_the_limit_is_refused_clearly(site, tmp_path, kind) -> None:
    inner = f"<p>{TEXT}</p>"
    if kind == "div":
        body = "<div>" * 1000 + inner + "</div>" * 1000
    else:
        body = inner + "<ul><li>mục" * 1000 + "</li></ul>" * 1000
    saved = tmp_path / "sau.html"
    saved.write_text(page(body), encoding="utf-8")
    result = cli("import", "--root", str(site.root), str(saved))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"nests its elements more than {saved_page.MAX_DEPTH} deep" in result.stderr
    assert not list((site.root / "content").glob("*/index.md"))


@pytest.mark.parametrize("kind", ["div", "ul"])
def test_nesting_up_to_the_limit_imports_without_exhausting_the_stack(site, tmp_path, kind) -> None:
    levels = saved_page.MAX_DEPTH - 4  # html, body and the block itself count too
    if kind == "div":
        body = "<div>" * levels + f"<p>{TEXT}</p>" + "</div>" * levels
    else:
        body = f"<p>{TEXT}</p>" + "<ul><li>mục" * (levels // 2) + "</li></ul>" * (levels // 2)
    saved = tmp_path / "sau.html"
    saved.write_text(page(body), encoding="utf-8")
    result = import_article(site.root / "content", saved)
    assert "Tàu container lớn nhất" in result.path.read_text(encoding="utf-8")


def test_a_page_too_large_is_refused_before_it_is_read(site, tmp_path, monkeypatch) -> None:
    saved = tmp_path / "lon.html"
    saved.write_text(page(f"<p>{TEXT}</p>") + " " * 2000, encoding="utf-8")
    monkeypatch.setattr(saved_page, "MAX_PAGE_BYTES", 1000)
    read = []
    monkeypatch.setattr(saved_page, "read_bytes", lambda path: read.append(path))
    with pytest.raises(ContentError, match=r"this page is 0 MB; a saved article page is well under"):
        import_article(site.root / "content", saved)
    assert read == []


def test_a_page_of_too_many_elements_is_refused(site, tmp_path) -> None:
    saved = tmp_path / "nhieu.html"
    scripts = "<script>" + "<b>" * 50_000 + "</script>"  # what scripts hold is not counted
    saved.write_text(page("<p>chữ</p>" * (saved_page.MAX_ELEMENTS + 1), head=f"<title>T</title>{scripts}"))
    with pytest.raises(ContentError, match=r"holds 25,00\d elements .* not an archive, a live blog"):
        import_article(site.root / "content", saved)
    saved.write_text(page(f"<p>{TEXT}</p>", head=f"<title>T</title>{scripts}"))
    assert import_article(site.root / "content", saved).path.is_file()


def test_json_ld_survives_the_removal_of_scripts(site, tmp_path) -> None:
    data = '{"@type": "NewsArticle", "headline": "Tiêu đề từ JSON-LD", "datePublished": "2024-03-12"}'
    head = f'<title>Khác</title><script type="application/ld+json">{data}</script><script>var a = "<p>x</p>";</script>'
    saved = tmp_path / "ld.html"
    saved.write_text(page(f"<p>{TEXT}</p>", head=head), encoding="utf-8")
    text = import_article(site.root / "content", saved).path.read_text(encoding="utf-8")
    assert 'title: "Tiêu đề từ JSON-LD"' in text and "date: 2024-03-12" in text


@pytest.mark.parametrize("end", ["</script >", "</script\n  <!-- a plugin's note -->", "</SCRIPT foo='x'>"])
def test_a_script_ended_as_browsers_end_it_does_not_swallow_the_article(site, tmp_path, end) -> None:
    """``</script`` then spaces, even a comment, up to ``>`` ends a script for a browser (emotion.de
    writes ``</script        <!--Facebook…-->``): the article after it is read, its photo's caption
    too, and the script's code is not (it once took the page up to the next script's end with it)."""
    figure = "<figure><img src='cang.jpg' alt='Cảng'><figcaption>Cảng Cái Mép lúc bình minh.</figcaption></figure>"
    body = f"<script src='//ads.example/a.js'>var seen = 'SCRIPT-CODE';{end}<p>{TEXT}</p>{figure}<script>x()</script>"
    saved = tmp_path / "end.html"
    saved.write_text(page(body), encoding="utf-8")
    text = import_article(site.root / "content", saved).path.read_text(encoding="utf-8")
    assert "Tàu container lớn nhất" in text and "Cảng Cái Mép lúc bình minh." in text
    assert "SCRIPT-CODE" not in text


def test_photos_come_only_from_the_pages_own_files_folder(site, tmp_path) -> None:
    """A saved page in Downloads must not reach the other files there: only ``<page>_files/``, or the
    ``…_files/`` folder the page itself names (a page renamed after it was saved)."""
    downloads = tmp_path / "Downloads"
    make_photo(downloads / "private" / "passport.jpg", color="red")
    make_photo(downloads / "holiday.jpg", color="green")
    make_photo(downloads / "bai_files" / "tau.jpg", color="navy")
    make_photo(downloads / "Bài gốc_files" / "cang.jpg", color="olive")
    figures = "".join(
        f'<figure><img src="{src}" alt="Ảnh {n}"><figcaption>Chú thích {n}.</figcaption></figure>'
        for n, src in enumerate(
            ["private/passport.jpg", "holiday.jpg", "../Downloads/private/passport.jpg", "bai_files/tau.jpg",
             "B%C3%A0i%20g%E1%BB%91c_files/cang.jpg", "file:///etc/passwd"]
        )
    )  # fmt: skip
    saved = downloads / "bai.html"
    saved.write_text(page(f"<p>{TEXT}</p>{figures}"), encoding="utf-8")
    result = import_article(site.root / "content", saved)
    assert sorted(photo.origin for photo in result.missing) == sorted(
        ["private/passport.jpg", "holiday.jpg", "../Downloads/private/passport.jpg", "file:///etc/passwd"]
    )
    images = result.path.parent / "images"
    kept = {path.name: path.read_bytes() for path in images.iterdir()}
    assert (downloads / "bai_files" / "tau.jpg").read_bytes() in kept.values()
    assert (downloads / "Bài gốc_files" / "cang.jpg").read_bytes() in kept.values()
    for private in (downloads / "private" / "passport.jpg", downloads / "holiday.jpg"):
        assert private.read_bytes() not in kept.values()


def test_a_deep_page_is_refused_with_its_file_named(site, tmp_path) -> None:
    saved = tmp_path / "sau.html"
    saved.write_text(page("<div>" * 20_000 + f"<p>{TEXT}</p>" + "</div>" * 20_000), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        import_article(site.root / "content", saved)
    assert caught.value.problem.path == saved
    assert Path(saved).exists() and not list((site.root / "content").glob("*/index.md"))


@pytest.mark.parametrize(
    ("alt", "kept"),
    [("2021-2025", True), ("Cảng Cái Lân năm 2024", True), ("IMG_1234", False), ("anh-1", False),
     ("20240301_093000", False), ("tau.jpg", False), ("", False)],
)  # fmt: skip
def test_an_alt_text_that_is_a_file_name_gives_way_to_the_caption(site, tmp_path, alt, kept) -> None:
    """Found by the round-trip property: a year range as alt text was taken for a file's name."""
    make_photo(tmp_path / "bai_files" / "tau.jpg")
    saved = tmp_path / "bai.html"
    figure = f'<figure><img src="bai_files/tau.jpg" alt="{alt}"><figcaption>Tàu vào cảng.</figcaption></figure>'
    saved.write_text(page(f"<p>{TEXT}</p>{figure}"), encoding="utf-8")
    (photo,) = import_article(site.root / "content", saved).photos
    assert photo.alt == (alt if kept else "Tàu vào cảng.")


def test_addresses_python_cannot_split_are_no_addresses_not_a_traceback(site, tmp_path) -> None:
    """``http://[oops`` (a bracket that is no IPv6 address) makes urlsplit raise: in the canonical
    link, a link in the text or a photo's source, the page still imports."""
    bad = "http://[oops/2019/10/22/a/"
    head = f"<title>Bài viết</title><link rel='canonical' href='{bad}'>"
    body = f"<p>{TEXT} <a href='{bad}'>nguồn</a></p><p><img src='{bad}x.jpg' alt='Ảnh'></p>"
    saved = tmp_path / "hong.html"
    saved.write_text(page(body, head=head), encoding="utf-8")
    text = import_article(site.root / "content", saved).path.read_text(encoding="utf-8")
    assert "nguồn" in text and "[oops" not in text.split("---")[1]

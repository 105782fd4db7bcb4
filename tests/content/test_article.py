"""Reading index.md: the front matter is validated and every error names its file and line."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from microsite.content.article import parse_article
from microsite.content.blocks import FIGURE_ALT, FIGURE_CAPTION, PARAGRAPH, SUMMARY, TAG, TITLE
from microsite.errors import ContentError


def error_of(site, front: str, body: str = "Đoạn.\n", photos=()) -> ContentError:
    path = site.article("bai", body=body, front=front, photos=photos)
    with pytest.raises(ContentError) as caught:
        parse_article(path)
    assert caught.value.problem.path == path
    return caught.value


def test_segments_in_reading_order(site) -> None:
    path = site.article(
        "bai",
        front='title: "Tiêu đề"\ndate: 2021-06-25\nsummary: Tóm tắt\ntags: [công nghiệp, xuất nhập khẩu]\n',
        body='Đoạn một.\n\n![Mô tả](images/a.jpg "Chú thích.")\n',
        photos=("images/a.jpg",),
    )
    article = parse_article(path)
    assert [(s.kind, s.source, s.line) for s in article.segments()] == [
        (TITLE, "Tiêu đề", 2),
        (SUMMARY, "Tóm tắt", 4),
        (TAG, "công nghiệp", 5),
        (TAG, "xuất nhập khẩu", 5),
        (PARAGRAPH, "Đoạn một.", 8),
        (FIGURE_ALT, "Mô tả", 10),
        (FIGURE_CAPTION, "Chú thích.", 10),
    ]
    assert article.date == dt.date(2021, 6, 25)
    assert article.slug == "bai"


def test_broken_yaml_names_the_line(site) -> None:
    error = error_of(site, 'title: "Tiêu đề\ndate: 2021-06-25\n')
    assert error.problem.line in (2, 3)
    assert "not valid YAML" in error.problem.message


def test_unknown_field_suggests_the_right_one(site) -> None:
    error = error_of(site, 'title: "A"\ndate: 2021-06-25\nsumary: "x"\n')
    assert error.problem.line == 4
    assert "unknown field 'sumary' (did you mean 'summary'?)" in error.problem.message


@pytest.mark.parametrize(
    "front, line, words",
    [
        ('title: "A"\ndate: 25/06/2021\n', 3, "write it as YYYY-MM-DD"),
        ('title: "A"\ndate: 2021-13-45\n', 3, "month must be in 1..12; write a real date as YYYY-MM-DD"),
        ("title: [a, b]\ndate: 2021-06-25\n", 2, "title must be text"),
        ('title: "A"\ndate: 2021-06-25\ntags: công nghiệp\n', 4, "tags must be a list"),
        ('title: "A"\ndate: 2021-06-25\ndraft: maybe\n', 4, "draft must be true or false"),
        ("date: 2021-06-25\n", 1, "front matter needs title"),
        ('title: "A"\n', 1, "front matter needs date"),
        ('title: "A"\ntitle: "B"\ndate: 2021-06-25\n', 3, "given twice"),
        ('title: "A"\ndate: 2021-06-25\nsource_url: "javascript:alert(1)"\n', 4, "must be a web address"),
        ('title: "A"\ndate: 2021-06-25\nsource_url: "nhandan.vn/bai"\n', 4, "starting with https://"),
    ],
)
def test_mistyped_fields(site, front: str, line: int, words: str) -> None:
    error = error_of(site, front)
    assert error.problem.line == line
    assert words in error.problem.message


def test_no_front_matter(site) -> None:
    path = site.root / "content" / "bai"
    path.mkdir(parents=True)
    (path / "index.md").write_text("Chỉ có nội dung.\n", encoding="utf-8")
    with pytest.raises(ContentError, match="starts with front matter"):
        parse_article(path / "index.md")


def test_missing_photo_names_the_line_and_the_fix(site) -> None:
    error = error_of(site, 'title: "A"\ndate: 2021-06-25\n', body="Đoạn.\n\n![Ảnh](images/khong-co.jpg)\n")
    assert error.problem.line == 8
    assert "photo 'images/khong-co.jpg' not found" in error.problem.message


@pytest.mark.parametrize("src", ["../../secret.jpg", "/etc/passwd", "images/../../x.jpg"])
def test_photo_leaving_the_article_folder_is_refused(site, src: str) -> None:
    error = error_of(site, 'title: "A"\ndate: 2021-06-25\n', body=f"![Ảnh]({src})\n")
    assert "outside the article folder" in error.problem.message


def test_remote_photo_is_refused(site) -> None:
    error = error_of(site, 'title: "A"\ndate: 2021-06-25\nimage: https://cdn.example.org/a.jpg\n')
    assert error.problem.line == 4
    assert "on another site" in error.problem.message


def test_decomposed_unicode_is_an_error_with_its_line(site) -> None:
    nfd = unicodedata.normalize("NFD", "Quảng Ninh phát triển.")
    error = error_of(site, 'title: "A"\ndate: 2021-06-25\n', body=f"Đoạn một.\n\n{nfd}\n")
    assert error.problem.line == 8
    assert "NFD" in error.problem.message and "fix-unicode" in error.problem.message


def test_not_utf8(site) -> None:
    path = site.article("bai")
    path.write_bytes(b"---\ntitle: A\n" + "Tiêu".encode("latin-1") + b"\n---\n")
    with pytest.raises(ContentError, match="not valid UTF-8") as caught:
        parse_article(path)
    assert caught.value.problem.line == 3


def test_a_paragraph_after_a_nested_list_is_refused_with_its_line(site) -> None:
    from microsite.errors import ContentError

    path = site.article("bai", body="- Mục một\n    - Mục con\n\n    Đoạn tiếp của mục một.\n")
    with pytest.raises(ContentError) as caught:
        parse_article(path)
    assert caught.value.problem.line == 11
    assert "continues an outer list item after its sub-list" in caught.value.problem.message


def test_a_mistyped_photo_path_suggests_the_nearest_photo(site) -> None:
    from microsite.errors import ContentError

    path = site.article(
        "bai", body='![Tàu](images/tau-contaner.jpg "Tàu cập cảng.")\n', photos=("images/tau-container.jpg",)
    )
    with pytest.raises(ContentError) as caught:
        parse_article(path)
    assert "photo 'images/tau-contaner.jpg' not found; did you mean 'images/tau-container.jpg'?" in str(caught.value)


@pytest.mark.parametrize("quote", ['"', "'"])
def test_an_unclosed_quote_is_reported_where_it_opens(site, quote: str) -> None:
    from microsite.errors import ContentError

    front = f'title: {quote}Quảng Ninh: tăng trưởng\ndate: 2021-06-25\nsummary: "Tóm tắt."\n'
    path = site.article("bai", front=front)
    with pytest.raises(ContentError) as caught:
        parse_article(path)
    assert caught.value.problem.line == 2
    assert f"opens a quote ({quote}) that is never closed; add the closing {quote}" in caught.value.problem.message
